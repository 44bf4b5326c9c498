/* Folded text's whole counts (formats/tree_write.c): the unit chosen for each
 * profile unit, the refusals, and rounding that carries each function's
 * remainder so that nothing vanishes. */
#include "analysis/profile.h"
#include "analysis/units.h"
#include "formats/tree_write.h"
#include "tests/unit/unit.h"

#include <math.h>
#include <stdlib.h>

/* Adds the stack of names (root first) with weight w. */
static void add_stack(struct profile *p, const char *const *frames, size_t n, double w)
{
	uint32_t node = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t f = profile_func(p, profile_intern(p, "", 0), 0, profile_intern(p, frames[i], strlen(frames[i])),
					  NULL);
		node = profile_tree_child(p, node, f);
	}
	p->nodes[node].self += w;
	p->nodes[node].count += 1;
}

/* A finished sampled profile in unit holding one stack with weight w. */
static struct profile *one_stack(const char *unit, double w)
{
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_SAMPLED);
	p->unit = unit;
	add_stack(p, (const char *[]){ "a" }, 1, w);
	profile_tree_finish(p);
	return p;
}

/* The unit chosen for want (NULL: the default), or "refused". */
static const char *chosen(const char *unit, double w, const char *want, double *scale)
{
	struct profile *p = one_stack(unit, w);
	struct folded_counts c;
	struct pv_error err;
	pv_error_clear(&err);
	const char *got = folded_counts_choose(p, want, &c, &err) ? (err.usage ? "refused" : "error") : c.unit;
	if (scale)
		*scale = c.scale;
	profile_free(p);
	return got;
}

static void test_choose(void)
{
	unit_case = "choose";
	double scale = 0;
	CHECK_STR(chosen("seconds", 1e-6, NULL, &scale), "microseconds");
	CHECK_DBL(scale, 1e6);
	CHECK_STR(chosen("nanoseconds", 12.5, NULL, NULL), "nanoseconds");
	CHECK_STR(chosen("microseconds", 12, NULL, NULL), "microseconds");
	CHECK_STR(chosen("microseconds", 20.740999999992546, NULL, NULL), "microseconds");
	CHECK_STR(chosen("milliseconds", 3, NULL, NULL), "milliseconds");
	CHECK_STR(chosen("milliseconds", 3.5, NULL, &scale), "microseconds");
	CHECK_DBL(scale, 1000);
	CHECK_STR(chosen("samples", 2.5, NULL, NULL), "samples");
	CHECK_STR(chosen("bytes", 100, NULL, NULL), "bytes");
	CHECK_STR(chosen("none", 7, NULL, NULL), "none");
	CHECK_STR(chosen("seconds", 1, "nanoseconds", &scale), "nanoseconds");
	CHECK_DBL(scale, 1e9);
	CHECK_STR(chosen("nanoseconds", 1, "milliseconds", &scale), "milliseconds");
	CHECK_DBL(scale, 1e-6);
	CHECK_STR(chosen("seconds", 1, "seconds", NULL), "refused");
	CHECK_STR(chosen("seconds", 1, "samples", NULL), "refused");
	CHECK_STR(chosen("seconds", 1, "bytes", NULL), "refused");
	CHECK_STR(chosen("samples", 1, "microseconds", NULL), "refused");
	CHECK_STR(chosen("samples", 1, "bytes", NULL), "refused");
	CHECK_STR(chosen("samples", 1, "samples", NULL), "samples");
	CHECK_STR(chosen("bytes", 1, "nanoseconds", NULL), "refused");
	CHECK_STR(chosen("bytes", 1, "bytes", NULL), "bytes");
	CHECK_STR(chosen("none", 1, "samples", NULL), "refused");
}

/* folded_write() of p with scale into a malloc'd string. */
static char *folded(const struct profile *p, double scale, struct folded_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct folded_counts c = { "samples", scale };
	folded_write(f, p, &c, st);
	fclose(f);
	return buf;
}

/* The sum of the counts of the lines ending in leaf. */
static long long leaf_total(const char *text, const char *leaf)
{
	long long sum = 0;
	size_t n = strlen(leaf);
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		const char *sp = end;
		while (sp > line && sp[-1] != ' ')
			sp--;
		if (sp - 1 - line >= (long)n && memcmp(sp - 1 - n, leaf, n) == 0 &&
		    (sp - 1 - n == line || sp[-2 - (long)n] == ';'))
			sum += atoll(sp);
		line = end + 1;
	}
	return sum;
}

static void test_carry(void)
{
	unit_case = "carry";
	/* 1000 stacks of x at 0.4 each (400 in all) under different callers, and
	 * y at 2.5 three times: rounding each line would write x as 0 */
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_SAMPLED);
	p->unit = "samples";
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "caller%d", i);
		add_stack(p, (const char *[]){ "main", name, "x" }, 3, 0.4);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "other%d", i);
		add_stack(p, (const char *[]){ "main", name, "y" }, 3, 2.5);
	}
	profile_tree_finish(p);
	struct folded_stats st;
	char *text = folded(p, 1.0, &st);
	CHECK(llabs(leaf_total(text, "x") - 400) <= 0);
	CHECK(fabs((double)leaf_total(text, "y") - 7.5) <= 0.5);
	CHECK_INT(st.lines + st.carried, 1003);
	CHECK_INT(st.rounded, 1003);
	CHECK(st.carried > 0);
	CHECK(fabs(st.exact - 407.5) < 1e-9);
	CHECK(fabs(st.written - st.exact) <= 1.0);
	CHECK(strstr(text, " 0\n") == NULL);
	free(text);
	/* the same in microseconds of seconds-weights: scale 1e6 on 0.4e-6 */
	for (size_t i = 0; i < p->nnodes; i++)
		p->nodes[i].self *= 1e-6;
	text = folded(p, 1e6, &st);
	CHECK(llabs(leaf_total(text, "x") - 400) <= 0);
	free(text);
	profile_free(p);

	/* whole counts pass through unchanged */
	p = one_stack("samples", 41);
	text = folded(p, 1.0, &st);
	CHECK_STR(text, "a 41\n");
	CHECK_INT(st.rounded, 0);
	free(text);
	profile_free(p);
}

int main(void)
{
	test_choose();
	test_carry();
	return UNIT_DONE();
}
