/* analysis/restrict: print_stats(*amount) restrictions — counts, fractions and
 * regexes — against what pstats' eval_print_amount does on this machine's Python
 * (restrict_cases.h, from gen_restrict_cases.py). */
#include "unit.h"
#include "analysis/restrict.h"

#include <math.h>
#include <stdlib.h>

#include "restrict_cases.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NNAMES NELEM(names)

/* restrict_apply() on its own: no cancel, no error expected; the new length. */
static size_t apply(const struct restriction *r, struct restrict_item *items, size_t n, int py2, struct strbuf *msg)
{
	struct pv_error err;
	pv_error_clear(&err);
	CHECK_INT(restrict_apply(r, items, &n, py2, msg, NULL, &err), 0);
	return n;
}

static size_t fill(struct restrict_item *items)
{
	for (size_t i = 0; i < NNAMES; i++) {
		items[i].stdname = names[i];
		items[i].stdname_len = strlen(names[i]);
		items[i].index = i;
	}
	return NNAMES;
}

static void test_regex_table(void)
{
	for (size_t c = 0; c < NELEM(regex_cases); c++) {
		struct restrict_item items[NNAMES];
		size_t n = fill(items);
		struct restriction r = { .kind = RESTRICT_REGEX, .regex = regex_cases[c].re };
		struct strbuf msg = STRBUF_INIT;
		size_t kept = apply(&r, items, n, 0, &msg);
		unsigned mask = 0;
		int ordered = 1;
		for (size_t i = 0; i < kept; i++) {
			mask |= 1u << items[i].index;
			if (i && items[i].index <= items[i - 1].index)
				ordered = 0;
		}
		unit_case = regex_cases[c].re;
		if (!CHECK_INT(mask, regex_cases[c].kept))
			fprintf(stderr, "    (bit i = names[i] kept)\n");
		CHECK(ordered);
		CHECK_MEM(strbuf_str(&msg), msg.len, regex_cases[c].msg, strlen(regex_cases[c].msg));
		/* The same list reduced for a Python 2 profile: byte-wise matching may
		 * keep a different count of the non-ASCII names, but the message must
		 * carry Python 2's repr(): compare from the '<' on. */
		strbuf_reset(&msg);
		n = fill(items);
		apply(&r, items, n, 1, &msg);
		const char *want = strchr(regex_cases[c].msg2, '<'), *got = strchr(strbuf_str(&msg), '<');
		if (want && got)
			CHECK_MEM(got, strlen(got), want, strlen(want));
		else
			CHECK_INT(!want, !got);
		strbuf_release(&msg);
	}
	unit_case = "";
}

static void test_amount_table(void)
{
	for (size_t c = 0; c < NELEM(amount_cases); c++) {
		const struct amount_case *a = &amount_cases[c];
		struct restriction r;
		memset(&r, 0, sizeof(r));
		char what[64];
		if (a->is_float) {
			r.kind = RESTRICT_FRACTION;
			r.fraction = a->fraction;
			snprintf(what, sizeof(what), "fraction %.17g", a->fraction);
		} else {
			r.kind = RESTRICT_COUNT;
			r.count = a->count;
			snprintf(what, sizeof(what), "count %lld", a->count);
		}
		unit_case = what;
		CHECK_INT(restrict_keep_count(&r, NNAMES), a->kept);
		struct restrict_item items[NNAMES];
		size_t n = fill(items);
		struct strbuf msg = STRBUF_INIT;
		size_t kept = apply(&r, items, n, 0, &msg);
		CHECK_INT(kept, a->kept);
		int prefix = 1;	/* counts and fractions keep the head of the list */
		for (size_t i = 0; i < kept; i++)
			if (items[i].index != i)
				prefix = 0;
		CHECK(prefix);
		CHECK_MEM(strbuf_str(&msg), msg.len, a->msg, strlen(a->msg));
		strbuf_reset(&msg);	/* numbers read the same in Python 2 */
		n = fill(items);
		CHECK_INT(apply(&r, items, n, 1, &msg), a->kept);
		CHECK_MEM(strbuf_str(&msg), msg.len, a->msg, strlen(a->msg));
		strbuf_release(&msg);
	}
	unit_case = "";
}

static void test_keep_count(void)
{
	/* int(count * sel + .5), only for 0.0 <= sel < 1.0 */
	struct restriction f = { .kind = RESTRICT_FRACTION };
	static const struct {
		double sel;
		size_t n, want;
	} fr[] = {
		{ 0.1, 410, 41 }, { 0.5, 5, 3 }, { 0.5, 4, 2 }, { 0.25, 2, 1 }, { 0.2, 2, 0 }, { 0.0, 1000, 0 },
		{ 0.999, 3, 3 }, { 0.5, 0, 0 }, { 1.0, 7, 7 }, { -0.0, 7, 0 }, { INFINITY, 7, 7 }, { NAN, 7, 7 },
		{ 0.9999999999999999, 1000000, 1000000 },
	};
	for (size_t i = 0; i < NELEM(fr); i++) {
		f.fraction = fr[i].sel;
		CHECK_INT(restrict_keep_count(&f, fr[i].n), fr[i].want);
	}
	struct restriction c = { .kind = RESTRICT_COUNT };
	static const struct {
		int64_t count;
		size_t n, want;
	} co[] = {
		{ 0, 5, 0 }, { 5, 5, 5 }, { 4, 5, 4 }, { 6, 5, 5 }, { -1, 5, 5 }, { INT64_MIN, 5, 5 }, { INT64_MAX, 5, 5 },
		{ 0, 0, 0 },
	};
	for (size_t i = 0; i < NELEM(co); i++) {
		c.count = co[i].count;
		CHECK_INT(restrict_keep_count(&c, co[i].n), co[i].want);
	}
	/* a regex does not limit by count */
	struct restriction r = { .kind = RESTRICT_REGEX, .regex = "x" };
	CHECK_INT(restrict_keep_count(&r, 9), 9);
}

static void test_messages(void)
{
	struct strbuf msg = STRBUF_INIT;
	struct restriction c = { .kind = RESTRICT_COUNT, .count = 3 };
	restrict_message(&c, 10, 10, 0, &msg);
	CHECK_INT(msg.len, 0);	/* nothing removed, nothing said */
	restrict_message(&c, 10, 3, 0, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 10 to 3 due to restriction <3>\n");
	/* messages accumulate */
	struct restriction f = { .kind = RESTRICT_FRACTION, .fraction = 1e-05 };
	restrict_message(&f, 3, 0, 0, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 10 to 3 due to restriction <3>\n"
				    "   List reduced from 3 to 0 due to restriction <1e-05>\n");
	strbuf_reset(&msg);
	struct restriction r = { .kind = RESTRICT_REGEX, .regex = "it's" };
	restrict_message(&r, 2, 1, 0, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 2 to 1 due to restriction <\"it's\">\n");
	strbuf_reset(&msg);
	restrict_message(&r, 2, 1, 1, &msg);	/* Python 2: same quoting rules */
	CHECK_STR(strbuf_str(&msg), "   List reduced from 2 to 1 due to restriction <\"it's\">\n");
	strbuf_reset(&msg);
	struct restriction u = { .kind = RESTRICT_REGEX, .regex = "gr\xc3\xbc\xc3\x9f" "e" };
	restrict_message(&u, 2, 1, 0, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 2 to 1 due to restriction <'gr\xc3\xbc\xc3\x9f" "e'>\n");
	strbuf_reset(&msg);
	restrict_message(&u, 2, 1, 1, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 2 to 1 due to restriction <'gr\\xc3\\xbc\\xc3\\x9fe'>\n");
	strbuf_reset(&msg);
	struct restriction big = { .kind = RESTRICT_COUNT, .count = -7 };
	restrict_message(&big, 2, 1, 0, &msg);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 2 to 1 due to restriction <-7>\n");
	strbuf_release(&msg);
}

/* Restrictions chain: each reduces what the previous one left (print_stats order). */
static void test_chain(void)
{
	struct restrict_item items[NNAMES];
	size_t n = fill(items);
	struct strbuf msg = STRBUF_INIT;
	struct restriction a = { .kind = RESTRICT_REGEX, .regex = "calc|json" };
	struct restriction b = { .kind = RESTRICT_COUNT, .count = 2 };
	struct restriction c = { .kind = RESTRICT_REGEX, .regex = "fib" };
	n = apply(&a, items, n, 0, &msg);
	n = apply(&b, items, n, 0, &msg);
	n = apply(&c, items, n, 0, &msg);
	CHECK_INT(n, 1);
	CHECK_INT(items[0].index, 5);
	CHECK_STR(strbuf_str(&msg), "   List reduced from 10 to 3 due to restriction <'calc|json'>\n"
				    "   List reduced from 3 to 2 due to restriction <2>\n"
				    "   List reduced from 2 to 1 due to restriction <'fib'>\n");
	strbuf_release(&msg);
	/* an empty list stays empty, silently */
	struct strbuf m2 = STRBUF_INIT;
	CHECK_INT(apply(&c, items, 0, 0, &m2), 0);
	CHECK_INT(apply(&b, items, 0, 0, &m2), 0);
	CHECK_INT(m2.len, 0);
	strbuf_release(&m2);
}

/* Names are bytes: invalid UTF-8 in a name must not stop the match.
 * A Python 3 profile stores an undecodable path byte as a lone surrogate
 * (marshal's surrogatepass: ED B2 80 for \udc80), which Python's re matches like
 * any other character; a Python 2 profile holds raw bytes, which Python 2's re
 * (byte patterns) matches byte by byte. */
#define ITEM(lit, i) { lit, sizeof(lit) - 1, i }
static void test_invalid_utf8(void)
{
	/* and how many of the two names Python's re keeps (checked with 3.11 and 2.7) */
	static const char *const pats[] = {
		"\\.py:\\d\\((f|g|h)\\)$",	/* after the odd bytes */
		"^/x/",				/* before them */
		"/x/.",				/* on them: '.' is one character (py3) / one byte (py2) */
		"/x/[^/]",
		"/x/\\W",				/* only the odd one: c is a word character */
	};
	static const size_t kept[] = { 2, 2, 2, 2, 1 };
	/* Python 3: the surrogate is one character for every pattern */
	for (size_t p = 0; p < NELEM(pats); p++) {
		struct restrict_item items[2] = { ITEM("/x/\xed\xb2\x80.py:3(h)", 0), ITEM("/x/caf\xc3\xa9.py:2(g)", 1) };
		struct strbuf msg = STRBUF_INIT;
		struct restriction r = { .kind = RESTRICT_REGEX, .regex = pats[p] };
		unit_case = pats[p];
		CHECK_INT(apply(&r, items, 2, 0, &msg), kept[p]);
		CHECK_INT(items[0].index, 0);
		strbuf_release(&msg);
	}
	/* Python 2: raw bytes, any byte matches '.' */
	for (size_t p = 0; p < NELEM(pats); p++) {
		struct restrict_item items[2] = { ITEM("/x/\xff\xfe.py:1(f)", 0), ITEM("/x/abc.py:2(g)", 1) };
		struct strbuf msg = STRBUF_INIT;
		struct restriction r = { .kind = RESTRICT_REGEX, .regex = pats[p] };
		unit_case = pats[p];
		CHECK_INT(apply(&r, items, 2, 1, &msg), kept[p]);
		CHECK_INT(items[0].index, 0);
		strbuf_release(&msg);
	}
	unit_case = "";
	/* Python 2's re on byte strs: \w is ASCII only, '.' and \xNN are single bytes
	 * (kept counts from Python 2.7's pstats on the same names) */
	static const struct {
		const char *re;
		unsigned kept;	/* bit i: names2[i] kept */
	} py2[] = {
		{ "gr\\w\\w", 0x0 }, { "/x/\\w+\\.py", 0x4 }, { "gr\\xc3\\xbc", 0x1 }, { "gr..\\xc3", 0x1 },
		{ "/x/.\\W", 0x2 }, { "gr.\\x9f", 0x0 }, { "gr\xc3\xbc", 0x1 },
	};
	for (size_t p = 0; p < NELEM(py2); p++) {
		struct restrict_item names2[3] = { ITEM("/x/gr\xc3\xbc\xc3\x9f" "e.py:1(f)", 0), ITEM("/x/l\xe9\xff.py:2(g)", 1),
						   ITEM("/x/abc.py:3(h)", 2) };
		struct strbuf msg = STRBUF_INIT;
		struct restriction r = { .kind = RESTRICT_REGEX, .regex = py2[p].re };
		size_t n = apply(&r, names2, 3, 1, &msg);
		unsigned mask = 0;
		for (size_t i = 0; i < n; i++)
			mask |= 1u << names2[i].index;
		unit_case = py2[p].re;
		CHECK_INT(mask, py2[p].kept);
		strbuf_release(&msg);
	}
	unit_case = "";
	/* non-ASCII patterns match their UTF-8 text */
	struct restrict_item items[3] = { ITEM("/x/\xff\xfe.py:1(f)", 0), ITEM("/x/caf\xc3\xa9.py:2(g)", 1),
					  ITEM("/x/\xed\xb2\x80.py:3(h)", 2) };
	struct strbuf msg = STRBUF_INIT;
	struct restriction r2 = { .kind = RESTRICT_REGEX, .regex = "caf\xc3\xa9" };
	CHECK_INT(apply(&r2, items, 3, 0, &msg), 1);
	CHECK_INT(items[0].index, 1);
	strbuf_release(&msg);
}

/* A pattern that backtracks without end (nested repeats on a long run of
 * [a-z0-9/_.] that then fails) is an error, never "no match", and its message
 * names it; a pattern under the bound still matches as before. */
static void test_too_costly(void)
{
	struct restrict_item items[2] = { ITEM("/srv/bigapp/src/bigapp/core/sub00/mod_00000.py:3(get_user_0)", 0),
					  ITEM("a.py:1(f)", 1) };
	struct strbuf msg = STRBUF_INIT;
	struct restriction r = { .kind = RESTRICT_REGEX, .regex = "^(([a-z0-9/_.]+)*)*:$" };
	struct pv_error err;
	pv_error_clear(&err);
	size_t n = 2;
	CHECK_INT(restrict_apply(&r, items, &n, 0, &msg, NULL, &err), -1);
	CHECK_INT(err.kind, PV_ERROR_LIMIT);
	CHECK(strstr(err.message, "^(([a-z0-9/_.]+)*)*:$") != NULL);
	CHECK(strstr(err.message, "too costly") != NULL);
	CHECK_INT(n, 2);	/* the list as it was */
	CHECK_INT(msg.len, 0);
	/* the same nesting on a short run is cheap: searched to the end */
	struct restrict_item short_items[1] = { ITEM("ab:", 0) };
	CHECK_INT(apply(&r, short_items, 1, 0, &msg), 1);
	strbuf_release(&msg);
}

int main(void)
{
	test_regex_table();
	test_amount_table();
	test_keep_count();
	test_messages();
	test_chain();
	test_invalid_utf8();
	test_too_costly();
	return UNIT_DONE();
}
