/* formats/marshal: hand-written byte strings for every type code, references,
 * code objects as each Python writes them (marshal_code_cases.h), and errors with
 * the byte offset they name. Byte strings were checked with Python's
 * marshal.loads() where Python accepts them. */
#include "unit.h"
#include "formats/marshal.h"
#include "analysis/strbuf.h"

#include <math.h>
#include <stdlib.h>

#include "marshal_code_cases.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct arena A;
static struct marshal_result R;
static struct pv_error E;

static int dec(const void *buf, size_t n)
{
	memset(&R, 0, sizeof(R));
	pv_error_clear(&E);
	return marshal_decode(buf, n, &A, &R, &E);
}
/* a string literal's bytes, without the terminating NUL */
#define DEC(lit) dec(lit, sizeof(lit) - 1)

static const struct mval *item(const struct mval *v, uint32_t k)
{
	return &v->u.items[k];
}

static int str_is(const struct mval *v, const char *want, size_t n)
{
	return v->type == MV_STR && v->n == n && memcmp(v->u.s, want, n) == 0;
}

/* decoding fails with message containing what, at byte pos */
static void check_error(const char *name, const void *buf, size_t n, const char *what, uint64_t pos)
{
	unit_case = name;
	CHECK_INT(dec(buf, n), -1);
	CHECK_INT(E.where, PV_WHERE_BYTE);
	CHECK_INT(E.pos, pos);
	if (!CHECK(strstr(E.message, what) != NULL))
		fprintf(stderr, "    message: %s\n", E.message);
	unit_case = "";
}
#define ERR(lit, what, pos) check_error(#lit, lit, sizeof(lit) - 1, what, pos)

static void test_scalars(void)
{
	CHECK_INT(DEC("N"), 0);
	CHECK(R.value.type == MV_NONE && R.end == 1 && R.value.off == 0 && R.flags == 0);
	CHECK_INT(DEC("T"), 0);
	CHECK(R.value.type == MV_BOOL && R.value.u.i == 1);
	CHECK_INT(DEC("F"), 0);
	CHECK(R.value.type == MV_BOOL && R.value.u.i == 0);
	CHECK_INT(DEC("S"), 0);	/* StopIteration */
	CHECK_INT(R.value.type, MV_OTHER);
	CHECK_INT(DEC("."), 0);	/* Ellipsis */
	CHECK_INT(R.value.type, MV_OTHER);
	/* trailing bytes are left for the caller: end says how much was used */
	CHECK_INT(DEC("Ngarbage"), 0);
	CHECK_INT(R.end, 1);

	/* 'i': int32 little-endian */
	CHECK_INT(DEC("i\x2a\x00\x00\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 42 && R.end == 5);
	CHECK_INT(DEC("i\xff\xff\xff\xff"), 0);
	CHECK_INT(R.value.u.i, -1);
	CHECK_INT(DEC("i\x00\x00\x00\x80"), 0);
	CHECK_INT(R.value.u.i, INT32_MIN);
	CHECK_INT(DEC("i\xff\xff\xff\x7f"), 0);
	CHECK_INT(R.value.u.i, INT32_MAX);
	/* 'I': Python 2's int64 */
	CHECK_INT(DEC("I\x00\x00\x00\x00\x01\x00\x00\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 4294967296LL && R.end == 9);
	CHECK(R.flags & MARSHAL_SAW_PY2_STR);
	CHECK_INT(DEC("I\xff\xff\xff\xff\xff\xff\xff\xff"), 0);
	CHECK_INT(R.value.u.i, -1);
	CHECK_INT(DEC("I\x00\x00\x00\x00\x00\x00\x00\x80"), 0);
	CHECK_INT(R.value.u.i, INT64_MIN);
}

static void test_longs(void)
{
	/* 'l': int32 digit count (sign = sign of the number), then 15-bit digits in
	 * 16-bit little-endian words, least significant first */
	CHECK_INT(DEC("l\x00\x00\x00\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 0 && R.end == 5);
	CHECK_INT(DEC("l\x01\x00\x00\x00\x01\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 1);
	CHECK_INT(DEC("l\xff\xff\xff\xff\x05\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == -5);
	/* 2**31 + 5 */
	CHECK_INT(DEC("l\x03\x00\x00\x00\x05\x00\x00\x00\x02\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 2147483653LL && R.end == 11);
	/* 2**62 + 11 */
	CHECK_INT(DEC("l\x05\x00\x00\x00\x0b\x00\x00\x00\x00\x00\x00\x00\x04\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == 4611686018427387915LL);
	/* -(2**62 + 11) */
	CHECK_INT(DEC("l\xfb\xff\xff\xff\x0b\x00\x00\x00\x00\x00\x00\x00\x04\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == -4611686018427387915LL);
	/* INT64_MAX and INT64_MIN still fit */
	CHECK_INT(DEC("l\x05\x00\x00\x00\xff\x7f\xff\x7f\xff\x7f\xff\x7f\x07\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == INT64_MAX);
	CHECK_INT(DEC("l\xfb\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00"), 0);
	CHECK(R.value.type == MV_INT && R.value.u.i == INT64_MIN);
	/* beyond int64: MV_BIGINT with the nearest double */
	CHECK_INT(DEC("l\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00"), 0);	/* 2**63 */
	CHECK_INT(R.value.type, MV_BIGINT);
	CHECK_DBL(R.value.u.d, 9223372036854775808.0);
	CHECK_INT(DEC("l\xfb\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00\x08\x00"), 0);	/* -2**63 - 1 */
	CHECK_INT(R.value.type, MV_BIGINT);
	CHECK_DBL(R.value.u.d, -9223372036854775808.0);
	CHECK_INT(DEC("l\x05\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00"), 0);	/* 2**64 + 1 */
	CHECK_INT(R.value.type, MV_BIGINT);
	CHECK_DBL(R.value.u.d, 18446744073709551616.0);
	CHECK_INT(DEC("l\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04"), 0);	/* 2**100 */
	CHECK_INT(R.value.type, MV_BIGINT);
	CHECK_DBL(R.value.u.d, ldexp(1.0, 100));
	CHECK_INT(R.end, 19);
	CHECK_INT(DEC("l\xf9\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04"), 0);	/* -2**100 */
	CHECK_INT(R.value.type, MV_BIGINT);
	CHECK_DBL(R.value.u.d, -ldexp(1.0, 100));
	/* errors */
	ERR("l\x01\x00\x00\x00\x00\x80", "bad digit", 5);
	ERR("l\x02\x00\x00\x00\x01\x00\xff\xff", "bad digit", 7);
	ERR("l\x00\x00\x00\x80", "bad long size", 0);
	ERR("l\x02\x00\x00\x00\x01\x00", "exceeds", 0);
	ERR("l\x01\x00", "truncated", 3);
	ERR("(\x01\x00\x00\x00l\x03\x00\x00\x00\x01\x00", "exceeds", 5);
}

static void test_floats(void)
{
	CHECK_INT(DEC("g\x00\x00\x00\x00\x00\x00\xf8\x3f"), 0);
	CHECK(R.value.type == MV_FLOAT && R.end == 9);
	CHECK_DBL(R.value.u.d, 1.5);
	CHECK_INT(DEC("g\x00\x00\x00\x00\x00\x00\x00\x80"), 0);
	CHECK_DBL(R.value.u.d, -0.0);
	CHECK_INT(DEC("g\x9a\x99\x99\x99\x99\x99\xb9\x3f"), 0);
	CHECK_DBL(R.value.u.d, 0.1);
	CHECK_INT(DEC("g\x00\x00\x00\x00\x00\x00\xf0\x7f"), 0);
	CHECK_DBL(R.value.u.d, INFINITY);
	CHECK_INT(DEC("g\x01\x00\x00\x00\x00\x00\x00\x00"), 0);
	CHECK_DBL(R.value.u.d, 5e-324);
	/* 'f': repr() text after a length byte (marshal versions 0 and 1) */
	CHECK_INT(DEC("f\x03" "1.5"), 0);
	CHECK(R.value.type == MV_FLOAT && R.end == 5);
	CHECK_DBL(R.value.u.d, 1.5);
	CHECK_INT(DEC("f\x03" "0.1"), 0);
	CHECK_DBL(R.value.u.d, 0.1);
	CHECK_INT(DEC("f\x04-0.0"), 0);
	CHECK_DBL(R.value.u.d, -0.0);
	CHECK_INT(DEC("f\x05" "1e-05"), 0);
	CHECK_DBL(R.value.u.d, 1e-05);
	CHECK_INT(DEC("f\x03inf"), 0);
	CHECK_DBL(R.value.u.d, INFINITY);
	CHECK_INT(DEC("f\x04-inf"), 0);
	CHECK_DBL(R.value.u.d, -INFINITY);
	CHECK_INT(DEC("f\x03nan"), 0);
	CHECK(isnan(R.value.u.d));
	CHECK_INT(DEC("f\x16" "1.2345678901234568e+17"), 0);
	CHECK_DBL(R.value.u.d, 123456789012345678.0);
	ERR("f\x00", "bad float", 0);
	ERR("f\x03" "abc", "bad float", 0);
	ERR("f\x04" "1.5x", "bad float", 0);
	ERR("f\x05" "ab", "truncated", 4);
	ERR("f", "truncated", 1);
	ERR("g\x00\x00\x00", "truncated", 4);
	/* complex numbers are decoded and ignored */
	CHECK_INT(DEC("x\x03" "1.0\x03" "2.0"), 0);
	CHECK(R.value.type == MV_OTHER && R.end == 9);
	CHECK_INT(DEC("y\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\x40"), 0);
	CHECK(R.value.type == MV_OTHER && R.end == 17);
	ERR("y\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00", "truncated", 11);
}

static void test_strings(void)
{
	static const struct {
		const char *bytes;
		size_t len;
		char kind;
		const char *text;
		size_t n;
		int unicode;
	} cases[] = {
		{ "s\x03\x00\x00\x00" "abc", 8, 's', "abc", 3, 0 },
		{ "t\x01\x00\x00\x00" "x", 6, 't', "x", 1, 0 },
		{ "u\x02\x00\x00\x00" "\xc3\xa9", 7, 'u', "\xc3\xa9", 2, 1 },
		{ "u\x03\x00\x00\x00" "\xed\xb2\x80", 8, 'u', "\xed\xb2\x80", 3, 1 },	/* surrogatepass \udc80 */
		{ "a\x02\x00\x00\x00" "hi", 7, 'a', "hi", 2, 1 },
		{ "A\x02\x00\x00\x00" "hi", 7, 'A', "hi", 2, 1 },
		{ "z\x02" "hi", 4, 'z', "hi", 2, 1 },
		{ "Z\x02" "hi", 4, 'Z', "hi", 2, 1 },
		{ "z\x00", 2, 'z', "", 0, 1 },
		{ "s\x00\x00\x00\x00", 5, 's', "", 0, 0 },
		{ "s\x04\x00\x00\x00" "a\x00" "b\xff", 9, 's', "a\x00" "b\xff", 4, 0 },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char what[8] = { cases[i].kind, 0 };
		unit_case = what;
		CHECK_INT(dec(cases[i].bytes, cases[i].len), 0);
		CHECK_INT(R.value.type, MV_STR);
		CHECK_INT(R.value.kind, cases[i].kind);
		CHECK(str_is(&R.value, cases[i].text, cases[i].n));
		CHECK_INT(R.end, cases[i].len);
		/* strings point into the input */
		CHECK(R.value.u.s == (const uint8_t *)cases[i].bytes + cases[i].len - cases[i].n);
		CHECK_INT(!!(R.flags & MARSHAL_SAW_UNICODE), cases[i].unicode);
		CHECK(!(R.flags & MARSHAL_SAW_PY2_STR));
	}
	unit_case = "";
	/* the FLAG_REF bit on a type code does not change the value */
	CHECK_INT(DEC("\xda\x02hi"), 0);
	CHECK(R.value.type == MV_STR && R.value.kind == 'Z' && str_is(&R.value, "hi", 2));
	ERR("s\x05\x00\x00\x00" "ab", "exceeds", 0);
	ERR("s\xff\xff\xff\xff", "negative size", 0);
	ERR("u\x00\x00\x00\x80" "ab", "negative size", 0);
	ERR("s\x01\x00", "truncated", 3);
	ERR("z", "truncated", 1);
	ERR("z\x03" "ab", "exceeds", 0);
	ERR("(\x02\x00\x00\x00" "z\x01" "a" "a\x09\x00\x00\x00" "abc", "exceeds", 8);
}

static void test_containers(void)
{
	CHECK_INT(DEC("(\x02\x00\x00\x00" "i\x01\x00\x00\x00" "N"), 0);
	CHECK(R.value.type == MV_TUPLE && R.value.n == 2 && R.end == 11);
	CHECK(item(&R.value, 0)->type == MV_INT && item(&R.value, 0)->u.i == 1 && item(&R.value, 0)->off == 5);
	CHECK(item(&R.value, 1)->type == MV_NONE && item(&R.value, 1)->off == 10);
	CHECK_INT(DEC(")\x00"), 0);
	CHECK(R.value.type == MV_TUPLE && R.value.n == 0 && R.end == 2);
	CHECK_INT(DEC(")\x03" "T" "F" "z\x01q"), 0);
	CHECK(R.value.type == MV_TUPLE && R.value.n == 3 && str_is(item(&R.value, 2), "q", 1));
	CHECK_INT(DEC("[\x01\x00\x00\x00" "T"), 0);
	CHECK(R.value.type == MV_LIST && R.value.n == 1 && item(&R.value, 0)->type == MV_BOOL);
	CHECK_INT(DEC("<\x01\x00\x00\x00" "F"), 0);
	CHECK(R.value.type == MV_SET && R.value.n == 1);
	CHECK_INT(DEC(">\x00\x00\x00\x00"), 0);
	CHECK(R.value.type == MV_SET && R.value.n == 0);
	/* dicts: key/value pairs up to a '0' */
	CHECK_INT(DEC("{0"), 0);
	CHECK(R.value.type == MV_DICT && R.value.n == 0 && R.end == 2);
	CHECK_INT(DEC("{" "z\x01k" "i\x07\x00\x00\x00" "z\x02k2" ")\x00" "0"), 0);
	CHECK(R.value.type == MV_DICT && R.value.n == 2 && R.end == 16);
	CHECK(str_is(item(&R.value, 0), "k", 1) && item(&R.value, 1)->u.i == 7);
	CHECK(str_is(item(&R.value, 2), "k2", 2) && item(&R.value, 3)->type == MV_TUPLE);
	/* a big dict grows past its first allocation */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addc(&sb, '{');
	for (int i = 0; i < 1000; i++) {
		uint8_t key[5] = { 'i', (uint8_t)(i & 0xff), (uint8_t)(i >> 8), 0, 0 };
		strbuf_add(&sb, key, 5);
		strbuf_adds(&sb, "N");
	}
	strbuf_addc(&sb, '0');
	CHECK_INT(dec(sb.buf, sb.len), 0);
	CHECK(R.value.type == MV_DICT && R.value.n == 1000);
	int keys_ok = 1;
	for (uint32_t i = 0; i < R.value.n; i++)
		if (item(&R.value, 2 * i)->u.i != (int64_t)i || item(&R.value, 2 * i + 1)->type != MV_NONE)
			keys_ok = 0;
	CHECK(keys_ok);
	strbuf_release(&sb);
	/* the terminator is only allowed as a dict key */
	ERR("0", "null", 0);
	ERR("(\x01\x00\x00\x00" "0", "null", 5);
	ERR("{" "z\x01k" "0", "null", 4);
	ERR("{" "z\x01k", "truncated", 4);
	ERR("{" "z\x01k" "N", "truncated", 5);
	ERR("(\x05\x00\x00\x00" "N", "exceeds", 0);
	ERR("(\x02\x00\x00\x00" "N", "exceeds", 0);
	ERR("(\x01\x00\x00\x00" "(\x01\x00\x00\x00", "exceeds", 5);
	ERR("(\x01", "truncated", 2);
	ERR(")", "truncated", 1);
	ERR("[\xff\xff\xff\xff" "N", "negative size", 0);
}

static void test_refs(void)
{
	/* FLAG_REF (0x80) on a type code stores the object; 'r' + int32 index refers to it */
	CHECK_INT(DEC(")\x02" "\xfa\x01" "a" "r\x00\x00\x00\x00"), 0);
	CHECK(R.value.n == 2 && str_is(item(&R.value, 0), "a", 1) && str_is(item(&R.value, 1), "a", 1));
	CHECK_INT(item(&R.value, 1)->kind, 'z');
	CHECK_INT(R.end, 10);
	/* a flagged container takes its index before its items */
	CHECK_INT(DEC("\xa9\x03" "\xfa\x01" "a" "\xfa\x01" "b" "r\x01\x00\x00\x00"), 0);
	CHECK(str_is(item(&R.value, 2), "a", 1));
	CHECK_INT(DEC("\xa9\x03" "\xfa\x01" "a" "\xfa\x01" "b" "r\x02\x00\x00\x00"), 0);
	CHECK(str_is(item(&R.value, 2), "b", 1));
	/* refs to ints, floats, tuples */
	CHECK_INT(DEC("(\x02\x00\x00\x00" "\xe9\x2a\x00\x00\x00" "r\x00\x00\x00\x00"), 0);
	CHECK(item(&R.value, 1)->type == MV_INT && item(&R.value, 1)->u.i == 42);
	CHECK_INT(DEC(")\x02" "\xe7\x00\x00\x00\x00\x00\x00\xf8\x3f" "r\x00\x00\x00\x00"), 0);
	CHECK(item(&R.value, 1)->type == MV_FLOAT && item(&R.value, 1)->u.d == 1.5);
	CHECK_INT(DEC(")\x02" "\xa9\x01" "z\x01x" "r\x00\x00\x00\x00"), 0);
	CHECK(item(&R.value, 1)->type == MV_TUPLE && item(&R.value, 1)->n == 1 && str_is(item(item(&R.value, 1), 0), "x", 1));
	/* a ref to a long */
	CHECK_INT(DEC(")\x02" "\xec\x03\x00\x00\x00\x05\x00\x00\x00\x02\x00" "r\x00\x00\x00\x00"), 0);
	CHECK(item(&R.value, 1)->type == MV_INT && item(&R.value, 1)->u.i == 2147483653LL);
	/* bad refs: out of range, negative, to an object still being read */
	ERR(")\x01" "r\x00\x00\x00\x00", "bad object reference", 2);
	ERR(")\x02" "\xfa\x01" "a" "r\x01\x00\x00\x00", "bad object reference", 5);
	ERR(")\x01" "r\xff\xff\xff\xff", "bad object reference", 2);
	ERR("\xa9\x01" "r\x00\x00\x00\x00", "bad object reference", 2);
	ERR(")\x01" "r\x00\x00", "truncated", 5);

	/* Python 2: 't' interns, 'R' + int32 refers to the n-th interned string */
	CHECK_INT(DEC("(\x03\x00\x00\x00" "t\x03\x00\x00\x00" "abc" "t\x01\x00\x00\x00" "d" "R\x00\x00\x00\x00"), 0);
	CHECK(R.value.n == 3 && str_is(item(&R.value, 0), "abc", 3) && str_is(item(&R.value, 2), "abc", 3));
	CHECK_INT(item(&R.value, 2)->kind, 't');
	CHECK_INT(item(&R.value, 2)->off, 19);	/* the ref's own offset */
	CHECK(R.flags & MARSHAL_SAW_PY2_STR);
	CHECK(!(R.flags & MARSHAL_SAW_UNICODE));
	CHECK_INT(DEC("(\x03\x00\x00\x00" "t\x03\x00\x00\x00" "abc" "s\x01\x00\x00\x00" "d" "R\x00\x00\x00\x00"), 0);
	CHECK(str_is(item(&R.value, 2), "abc", 3));	/* 's' strings are not interned */
	CHECK_INT(DEC("(\x03\x00\x00\x00" "t\x03\x00\x00\x00" "abc" "t\x01\x00\x00\x00" "d" "R\x01\x00\x00\x00"), 0);
	CHECK(str_is(item(&R.value, 2), "d", 1));
	ERR("R\x00\x00\x00\x00", "bad string reference", 0);
	ERR("(\x02\x00\x00\x00" "t\x01\x00\x00\x00" "x" "R\x01\x00\x00\x00", "bad string reference", 11);
	ERR("(\x02\x00\x00\x00" "t\x01\x00\x00\x00" "x" "R\xff\xff\xff\xff", "bad string reference", 11);
	ERR("R\x00", "truncated", 2);
}

static size_t unhex(const char *hex, uint8_t **out)
{
	size_t n = strlen(hex) / 2;
	uint8_t *b = malloc(n + 16);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		b[i] = (uint8_t)v;
	}
	*out = b;
	return n;
}

static void test_code_objects(void)
{
	for (size_t i = 0; i < NELEM(code_cases); i++) {
		const struct code_case *c = &code_cases[i];
		uint8_t *blob;
		size_t n = unhex(c->hex, &blob);
		char what[32];
		snprintf(what, sizeof(what), "code from Python %s", c->python);
		unit_case = what;
		CHECK_INT(dec(blob, n), 0);
		CHECK_INT(R.value.type, MV_CODE);
		CHECK_INT(R.end, n);
		if (R.value.type == MV_CODE) {
			CHECK_INT(R.value.n, 3);
			CHECK(str_is(item(&R.value, 0), c->filename, strlen(c->filename)));
			CHECK(str_is(item(&R.value, 1), c->name, strlen(c->name)));
			CHECK(item(&R.value, 2)->type == MV_INT && item(&R.value, 2)->u.i == c->firstlineno);
		}
		/* inside a tuple, as the name of a profile key, and referred to again */
		uint8_t *wrapped = malloc(n + 16);
		memcpy(wrapped, ")\x03" "N", 3);
		memcpy(wrapped + 3, blob, n);
		int flagged = (blob[0] & 0x80) != 0;
		if (flagged)
			memcpy(wrapped + 3 + n, "r\x00\x00\x00\x00", 5);
		else
			memcpy(wrapped + 3 + n, "N", 1);
		size_t wn = 3 + n + (flagged ? 5 : 1);
		CHECK_INT(dec(wrapped, wn), 0);
		CHECK_INT(R.end, wn);
		if (R.value.type == MV_TUPLE && R.value.n == 3) {
			const struct mval *code = item(&R.value, 1);
			CHECK_INT(code->type, MV_CODE);
			CHECK_INT(code->off, 3);
			if (code->type == MV_CODE)
				CHECK(str_is(item(code, 1), c->name, strlen(c->name)));
			if (flagged) {
				CHECK_INT(item(&R.value, 2)->type, MV_CODE);
				if (item(&R.value, 2)->type == MV_CODE)
					CHECK(str_is(item(item(&R.value, 2), 0), c->filename, strlen(c->filename)));
			}
		} else {
			CHECK(0);
		}
		/* cut anywhere inside, a code object is an error, never a crash */
		int all_fail = 1;
		for (size_t cut = 0; cut < n; cut++)
			if (dec(blob, cut) == 0)
				all_fail = 0;
		CHECK(all_fail);
		free(wrapped);
		free(blob);
	}
	unit_case = "";
	/* co_code that is not bytes: no layout fits; the error is the first layout's
	 * (3.11+: five int32 fields, so co_code would be at byte 21) */
	ERR("c" "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN", "bad code object", 21);
}

static void test_errors(void)
{
	CHECK_INT(dec("", 0), -1);
	CHECK(E.where == PV_WHERE_BYTE && E.pos == 0 && strstr(E.message, "empty") != NULL);
	ERR("?", "unknown marshal type code 0x3f", 0);
	ERR("\xbf", "unknown marshal type code 0xbf", 0);
	ERR("(\x01\x00\x00\x00" "?", "unknown marshal type code 0x3f", 5);
	ERR(")\x02" "N" "\x01", "unknown marshal type code 0x01", 3);
	ERR("{" "z\x01k" "N" "Q" "N" "0", "unknown marshal type code 0x51", 5);
	ERR("i\x01\x00", "truncated", 3);
	ERR("I\x01\x00\x00\x00", "truncated", 5);

	/* nesting: 200 levels are fine, 201 are refused at the 201st value */
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 199; i++)
		strbuf_add(&sb, ")\x01", 2);
	strbuf_addc(&sb, 'N');
	CHECK_INT(dec(sb.buf, sb.len), 0);
	strbuf_reset(&sb);
	for (int i = 0; i < 200; i++)
		strbuf_add(&sb, ")\x01", 2);
	strbuf_addc(&sb, 'N');
	CHECK_INT(dec(sb.buf, sb.len), -1);
	CHECK(E.where == PV_WHERE_BYTE && E.pos == 400 && strstr(E.message, "nested") != NULL);
	strbuf_reset(&sb);
	for (int i = 0; i < 100000; i++)	/* deep enough to overflow a stack if unchecked */
		strbuf_add(&sb, "[\x01\x00\x00\x00", 5);
	CHECK_INT(dec(sb.buf, sb.len), -1);
	CHECK(strstr(E.message, "nested") != NULL || strstr(E.message, "exceeds") != NULL);
	strbuf_release(&sb);
}

/* Every proper prefix of a profile-shaped blob fails; "truncated" errors name the
 * end of the data, size errors the object whose size does not fit. */
static void test_truncation_sweep(void)
{
	static const char blob[] =
		"\xfb"						/* { with FLAG_REF */
		"\xa9\x03" "\xda\x04" "a.py" "\xe9\x0c\x00\x00\x00" "\xda\x01" "f"	/* key (a.py, 12, f) */
		"\xa9\x05" "i\x02\x00\x00\x00" "l\x03\x00\x00\x00\x05\x00\x00\x00\x02\x00"
		"\xe7\x00\x00\x00\x00\x00\x00\xf8\x3f" "f\x03" "0.5"
		"\xfb" ")\x03" "r\x02\x00\x00\x00" "i\x00\x00\x00\x00" "z\x04main"
		"(\x04\x00\x00\x00" "i\x01\x00\x00\x00" "i\x01\x00\x00\x00" "r\x06\x00\x00\x00" "g\x00\x00\x00\x00\x00\x00\xe0\x3f"
		"0"
		"0";
	size_t n = sizeof(blob) - 1;
	CHECK_INT(dec(blob, n), 0);
	CHECK(R.value.type == MV_DICT && R.value.n == 1 && R.end == n);
	if (R.value.type == MV_DICT && R.value.n == 1) {
		const struct mval *key = item(&R.value, 0), *val = item(&R.value, 1);
		CHECK(key->type == MV_TUPLE && str_is(item(key, 0), "a.py", 4) && item(key, 1)->u.i == 12);
		CHECK(val->type == MV_TUPLE && val->n == 5);
		CHECK_INT(item(val, 1)->u.i, 2147483653LL);
		CHECK_DBL(item(val, 2)->u.d, 1.5);
		CHECK_DBL(item(val, 3)->u.d, 0.5);
		const struct mval *callers = item(val, 4);
		CHECK(callers->type == MV_DICT && callers->n == 1);
		const struct mval *ck = item(callers, 0), *cv = item(callers, 1);
		CHECK(ck->type == MV_TUPLE && str_is(item(ck, 0), "a.py", 4) && str_is(item(ck, 2), "main", 4));
		CHECK(cv->type == MV_TUPLE && cv->n == 4 && item(cv, 2)->type == MV_FLOAT && item(cv, 2)->u.d == 1.5);
	}
	int all_fail = 1, offsets_ok = 1;
	for (size_t cut = 0; cut < n; cut++) {
		if (dec(blob, cut) == 0) {
			all_fail = 0;
			continue;
		}
		if (E.where != PV_WHERE_BYTE || E.pos > cut)
			offsets_ok = 0;
		if (strstr(E.message, "truncated marshal data") && E.pos != cut)
			offsets_ok = 0;
		if (!offsets_ok) {
			fprintf(stderr, "    cut at %zu: %s at byte %llu\n", cut, E.message, (unsigned long long)E.pos);
			break;
		}
	}
	CHECK(all_fail);
	CHECK(offsets_ok);
}

int main(void)
{
	arena_init(&A);
	test_scalars();
	test_longs();
	test_floats();
	test_strings();
	test_containers();
	test_refs();
	test_code_objects();
	test_errors();
	test_truncation_sweep();
	arena_release(&A);
	return UNIT_DONE();
}
