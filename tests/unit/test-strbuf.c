/* analysis/strbuf: appends of every kind, growth, NUL termination, reset, release. */
#include "unit.h"
#include "analysis/strbuf.h"

#include <stdlib.h>

static void test_empty(void)
{
	struct strbuf sb = STRBUF_INIT;
	CHECK(sb.buf == NULL);
	CHECK_INT(sb.len, 0);
	CHECK_STR(strbuf_str(&sb), "");
	strbuf_reset(&sb);	/* reset of a never-used buffer is fine */
	CHECK_STR(strbuf_str(&sb), "");
	strbuf_release(&sb);
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
	/* adding nothing still gives a terminated buffer */
	strbuf_add(&sb, "", 0);
	CHECK_INT(sb.len, 0);
	CHECK(sb.buf != NULL && sb.buf[0] == '\0');
	strbuf_release(&sb);
}

static void test_appends(void)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "abc");
	CHECK_STR(sb.buf, "abc");
	CHECK_INT(sb.len, 3);
	strbuf_addc(&sb, '-');
	strbuf_add(&sb, "xyz123", 3);
	CHECK_STR(strbuf_str(&sb), "abc-xyz");
	strbuf_addf(&sb, "[%d|%s|%.2f|%5s]", -42, "s", 1.5, "r");
	CHECK_STR(strbuf_str(&sb), "abc-xyz[-42|s|1.50|    r]");
	CHECK_INT(sb.len, strlen("abc-xyz[-42|s|1.50|    r]"));
	CHECK(sb.cap > sb.len);
	/* embedded NUL bytes are data */
	strbuf_reset(&sb);
	CHECK_INT(sb.len, 0);
	CHECK_STR(strbuf_str(&sb), "");
	strbuf_add(&sb, "a\0b", 3);
	strbuf_addc(&sb, '\0');
	CHECK_MEM(sb.buf, sb.len, "a\0b\0", 4);
	CHECK(sb.buf[4] == '\0');
	/* addf producing an empty string */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s", "");
	CHECK_INT(sb.len, 0);
	CHECK_STR(strbuf_str(&sb), "");
	strbuf_release(&sb);
}

static void test_growth(void)
{
	struct strbuf sb = STRBUF_INIT;
	/* 100k single characters, then a long addf: every byte where it belongs */
	for (int i = 0; i < 100000; i++)
		strbuf_addc(&sb, (char)('a' + i % 26));
	CHECK_INT(sb.len, 100000);
	CHECK(sb.cap >= sb.len + 1);
	int ok = 1;
	for (int i = 0; i < 100000; i++)
		if (sb.buf[i] != (char)('a' + i % 26)) {
			ok = 0;
			break;
		}
	CHECK(ok);
	CHECK(sb.buf[100000] == '\0');
	char *big = malloc(70001);
	memset(big, 'Z', 70000);
	big[70000] = '\0';
	strbuf_addf(&sb, "<%s>%d", big, 7);
	CHECK_INT(sb.len, 100000 + 70003);
	CHECK(sb.buf[100000] == '<' && sb.buf[170000] == 'Z' && sb.buf[170001] == '>' && sb.buf[170002] == '7');
	CHECK(sb.buf[sb.len] == '\0');
	CHECK(strlen(sb.buf) == sb.len);
	free(big);
	/* reset keeps the capacity; adding again reuses it */
	size_t cap = sb.cap;
	strbuf_reset(&sb);
	CHECK_INT(sb.len, 0);
	CHECK_INT(sb.cap, cap);
	strbuf_adds(&sb, "again");
	CHECK_STR(strbuf_str(&sb), "again");
	strbuf_release(&sb);
	CHECK(sb.buf == NULL);
	CHECK_STR(strbuf_str(&sb), "");
}

static void test_copy_between(void)
{
	/* one buffer's contents appended to another many times, across growths */
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	strbuf_adds(&a, "0123456789");
	for (int i = 0; i < 10; i++)
		strbuf_add(&b, a.buf, a.len);
	CHECK_INT(b.len, 100);
	CHECK(memcmp(b.buf + 90, "0123456789", 10) == 0);
	strbuf_release(&a);
	strbuf_release(&b);
}

int main(void)
{
	test_empty();
	test_appends();
	test_growth();
	test_copy_between();
	return UNIT_DONE();
}
