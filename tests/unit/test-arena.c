/* analysis/arena: alignment, zeroing, copies, big blocks, many chunks, release. */
#include "unit.h"
#include "analysis/arena.h"

#include <stdint.h>
#include <stdlib.h>

static int aligned16(const void *p)
{
	return ((uintptr_t)p & 15u) == 0;
}

static void test_alignment(void)
{
	struct arena a;
	arena_init(&a);
	CHECK(a.head == NULL);
	CHECK_INT(a.total, 0);
	int all_aligned = 1;
	for (size_t n = 0; n < 100; n++) {
		void *p = arena_alloc(&a, n);
		if (!p || !aligned16(p))
			all_aligned = 0;
	}
	CHECK(all_aligned);
	/* zero-size blocks are still distinct */
	char *z1 = arena_alloc(&a, 0), *z2 = arena_alloc(&a, 0);
	CHECK(z1 != z2);
	CHECK(a.total > 0);
	arena_release(&a);
	CHECK(a.head == NULL);
	CHECK_INT(a.total, 0);
	CHECK(a.cur == NULL && a.end == NULL);
}

static void test_no_overlap(void)
{
	/* Many blocks of varied sizes across several chunks: fill each with its own
	 * pattern, then verify none was overwritten by a later one. */
	struct arena a;
	arena_init(&a);
	enum { N = 5000 };
	unsigned char **blocks = calloc(N, sizeof(*blocks));
	size_t *sizes = calloc(N, sizeof(*sizes));
	for (size_t i = 0; i < N; i++) {
		sizes[i] = (i * 37) % 301 + 1;
		if (i % 997 == 0)
			sizes[i] = 200000;	/* bigger than the minimum chunk */
		blocks[i] = arena_alloc(&a, sizes[i]);
		memset(blocks[i], (int)(i & 0xff), sizes[i]);
	}
	int intact = 1, aligned = 1;
	for (size_t i = 0; i < N; i++) {
		if (!aligned16(blocks[i]))
			aligned = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			if (blocks[i][k] != (unsigned char)(i & 0xff)) {
				intact = 0;
				break;
			}
	}
	CHECK(intact);
	CHECK(aligned);
	/* several chunks were taken; total accounts at least for what was handed out */
	size_t asked = 0;
	for (size_t i = 0; i < N; i++)
		asked += sizes[i];
	CHECK(a.total >= asked);
	CHECK(a.head != NULL && a.total > 2 * 64 * 1024);	/* several chunks */
	free(blocks);
	free(sizes);
	arena_release(&a);
	CHECK(a.head == NULL);
	/* the arena is usable again after release */
	char *s = arena_strdup(&a, "again");
	CHECK_STR(s, "again");
	arena_release(&a);
}

static void test_big_block(void)
{
	struct arena a;
	arena_init(&a);
	size_t big = 3u * 1024 * 1024 + 7;
	unsigned char *p = arena_alloc(&a, big);
	CHECK(aligned16(p));
	memset(p, 0xab, big);
	CHECK(p[0] == 0xab && p[big - 1] == 0xab);
	CHECK(a.total >= big);
	/* a small block after a big one still works */
	char *q = arena_strdup(&a, "x");
	CHECK_STR(q, "x");
	CHECK(p[big - 1] == 0xab);
	arena_release(&a);
}

static void test_zalloc(void)
{
	struct arena a;
	arena_init(&a);
	/* fill the chunk with garbage first: zalloc must clear what it hands out */
	for (int i = 0; i < 100; i++)
		memset(arena_alloc(&a, 333), 0xff, 333);
	int zero = 1;
	for (size_t n = 1; n < 2000; n += 97) {
		unsigned char *p = arena_zalloc(&a, n);
		CHECK(aligned16(p));
		for (size_t k = 0; k < n; k++)
			if (p[k]) {
				zero = 0;
				break;
			}
		memset(p, 0xee, n);
	}
	CHECK(zero);
	arena_release(&a);
}

static void test_strings(void)
{
	struct arena a;
	arena_init(&a);
	const char src[] = "abc\0def";
	char *s = arena_strndup(&a, src, 7);
	CHECK_MEM(s, 8, "abc\0def", 8);	/* bytes copied, embedded NUL kept, terminated */
	char *t = arena_strndup(&a, "hello world", 5);
	CHECK_STR(t, "hello");
	char *e = arena_strndup(&a, "whatever", 0);
	CHECK_STR(e, "");
	char *d = arena_strdup(&a, "dup me");
	CHECK_STR(d, "dup me");
	static const char dup_src[] = "dup me";
	char *d2 = arena_strdup(&a, dup_src);
	CHECK(d2 != dup_src);	/* a copy, not the source */
	char *f = arena_printf(&a, "%s:%d(%s)", "file.py", 42, "fn");
	CHECK_STR(f, "file.py:42(fn)");
	char *g = arena_printf(&a, "%s", "");
	CHECK_STR(g, "");
	/* a long formatted string crossing chunk sizes */
	char *long_src = malloc(100001);
	memset(long_src, 'q', 100000);
	long_src[100000] = '\0';
	char *h = arena_printf(&a, "<%s>", long_src);
	CHECK_INT(strlen(h), 100002);
	CHECK(h[0] == '<' && h[1] == 'q' && h[100000] == 'q' && h[100001] == '>');
	free(long_src);
	/* earlier strings are untouched */
	CHECK_STR(t, "hello");
	CHECK_STR(f, "file.py:42(fn)");
	arena_release(&a);
}

int main(void)
{
	test_alignment();
	test_no_overlap();
	test_big_block();
	test_zalloc();
	test_strings();
	return UNIT_DONE();
}
