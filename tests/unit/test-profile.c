/* analysis/profile: interning, function lookup, reorder with edges following,
 * std names, edge indexes, totals, and strip_dirs() with pstats' merge rules. */
#include "unit.h"
#include "analysis/profile.h"

#include <stdlib.h>

static uint32_t S(struct profile *p, const char *s)
{
	return profile_intern(p, s, strlen(s));
}

static void test_intern(void)
{
	struct profile *p = profile_new();
	uint32_t a = S(p, "alpha"), b = S(p, "beta"), a2 = S(p, "alpha");
	CHECK_INT(a, a2);
	CHECK(a != b);
	CHECK_STR(profile_str(p, a)->s, "alpha");
	CHECK_INT(profile_str(p, a)->len, 5);
	/* prefixes, empty strings and embedded NULs are distinct strings */
	uint32_t e = profile_intern(p, "", 0);
	uint32_t al = profile_intern(p, "alpha", 3);
	uint32_t n1 = profile_intern(p, "a\0b", 3), n2 = profile_intern(p, "a\0c", 3), n3 = profile_intern(p, "a", 1);
	CHECK(e != a && al != a && n1 != n2 && n1 != n3 && al != n3);
	CHECK_INT(profile_str(p, e)->len, 0);
	CHECK_STR(profile_str(p, e)->s, "");
	CHECK_STR(profile_str(p, al)->s, "alp");
	CHECK_MEM(profile_str(p, n1)->s, profile_str(p, n1)->len, "a\0b", 3);
	CHECK(profile_str(p, n1)->s[3] == '\0');
	CHECK_INT(profile_intern(p, "a\0b", 3), n1);
	CHECK_INT(profile_intern(p, "", 0), e);
	/* non-UTF-8 bytes are just bytes */
	uint32_t raw = profile_intern(p, "\xff\xfe", 2);
	CHECK_INT(profile_intern(p, "\xff\xfe", 2), raw);
	/* many strings: ids stay stable across rehashes, every one found again */
	size_t before = p->nstrs;
	uint32_t ids[20000];
	char buf[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "s%d", i);
		ids[i] = S(p, buf);
	}
	CHECK_INT(p->nstrs, before + 20000);
	int ok = 1;
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof(buf), "s%d", i);
		if (S(p, buf) != ids[i] || strcmp(profile_str(p, ids[i])->s, buf) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK_INT(p->nstrs, before + 20000);
	CHECK_INT(S(p, "alpha"), a);
	profile_free(p);
	profile_free(NULL);	/* allowed */
}

static void test_func_lookup(void)
{
	struct profile *p = profile_new();
	uint32_t fa = S(p, "a.py"), fb = S(p, "b.py"), f = S(p, "f"), g = S(p, "g");
	CHECK_INT(profile_find_func(p, fa, 1, f), -1);	/* empty profile */
	int added = -1;
	uint32_t i0 = profile_func(p, fa, 1, f, &added);
	CHECK_INT(added, 1);
	CHECK_INT(i0, 0);
	CHECK_INT(p->nfuncs, 1);
	CHECK(p->funcs[i0].file == fa && p->funcs[i0].line == 1 && p->funcs[i0].name == f);
	CHECK(p->funcs[i0].calls == 0 && p->funcs[i0].pcalls == 0 && p->funcs[i0].flags == 0);
	CHECK(p->funcs[i0].tottime == 0.0 && p->funcs[i0].cumtime == 0.0);
	uint32_t again = profile_func(p, fa, 1, f, &added);
	CHECK_INT(added, 0);
	CHECK_INT(again, i0);
	/* each field of the triple counts */
	uint32_t i1 = profile_func(p, fa, 2, f, &added);
	CHECK_INT(added, 1);
	uint32_t i2 = profile_func(p, fb, 1, f, NULL);
	uint32_t i3 = profile_func(p, fa, 1, g, NULL);
	uint32_t i4 = profile_func(p, fa, -1, f, NULL);
	uint32_t i5 = profile_func(p, fa, INT64_MAX, f, NULL);
	CHECK(i1 == 1 && i2 == 2 && i3 == 3 && i4 == 4 && i5 == 5);
	CHECK_INT(profile_find_func(p, fa, 2, f), i1);
	CHECK_INT(profile_find_func(p, fb, 1, f), i2);
	CHECK_INT(profile_find_func(p, fa, 1, g), i3);
	CHECK_INT(profile_find_func(p, fa, -1, f), i4);
	CHECK_INT(profile_find_func(p, fa, INT64_MAX, f), i5);
	CHECK_INT(profile_find_func(p, fb, 2, g), -1);
	CHECK_INT(p->nfuncs, 6);
	/* many functions: lookups survive growth of the index */
	for (int64_t line = 100; line < 30100; line++)
		profile_func(p, fb, line, g, NULL);
	CHECK_INT(p->nfuncs, 30006);
	int ok = 1;
	for (int64_t line = 100; line < 30100; line++)
		if (profile_find_func(p, fb, line, g) != (int64_t)(line - 100 + 6))
			ok = 0;
	CHECK(ok);
	CHECK_INT(profile_find_func(p, fa, 1, f), 0);
	CHECK_INT(profile_find_func(p, fb, 30100, g), -1);
	profile_free(p);
}

static void test_std_name(void)
{
	struct profile *p = profile_new();
	struct arena a;
	arena_init(&a);
	static const struct {
		const char *file;
		int64_t line;
		const char *name, *want;
	} cases[] = {
		{ "/x/a.py", 12, "f", "/x/a.py:12(f)" },
		{ "~", 0, "<built-in method builtins.len>", "{built-in method builtins.len}" },
		{ "~", 0, "<method 'append' of 'list' objects>", "{method 'append' of 'list' objects}" },
		{ "~", 0, "plain", "plain" },
		{ "~", 0, "<", "<" },
		{ "~", 0, "<>", "{}" },
		{ "~", 0, "<open", "<open" },
		{ "~", 1, "<x>", "~:1(<x>)" },
		{ "~~", 0, "<x>", "~~:0(<x>)" },
		{ "a.py", 0, "<module>", "a.py:0(<module>)" },
		{ "a.py", -7, "g", "a.py:-7(g)" },
		{ "", 3, "", ":3()" },
		{ "a.py", INT64_MIN, "h", "a.py:-9223372036854775808(h)" },
	};
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t k = profile_func(p, S(p, cases[i].file), cases[i].line, S(p, cases[i].name), NULL);
		unit_case = cases[i].want;
		CHECK_STR(profile_std_name(p, &p->funcs[k], &a), cases[i].want);
		size_t n = profile_std_name_buf(p, &p->funcs[k], &buf, &cap);
		CHECK_MEM(buf, n, cases[i].want, strlen(cases[i].want));
		n = pv_std_name_raw(cases[i].file, strlen(cases[i].file), cases[i].line, cases[i].name,
				    strlen(cases[i].name), &buf, &cap);
		CHECK_MEM(buf, n, cases[i].want, strlen(cases[i].want));
	}
	unit_case = "";
	/* long names grow the caller's buffer */
	char longname[5000];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	size_t n = pv_std_name_raw("f.py", 4, 1, longname, strlen(longname), &buf, &cap);
	CHECK_INT(n, 4 + 3 + 4999 + 1);
	CHECK(cap > n && buf[n] == '\0' && buf[n - 1] == ')' && buf[7] == 'n');
	free(buf);
	arena_release(&a);
	profile_free(p);
}

struct ent {
	const char *file;
	int64_t line;
	const char *name;
	int64_t cc, nc;
	double tt, ct;
};

static uint32_t add_stats(struct profile *p, const struct ent *e)
{
	int added;
	uint32_t k = profile_func(p, S(p, e->file), e->line, S(p, e->name), &added);
	struct pv_func *f = &p->funcs[k];
	f->pcalls = e->cc;
	f->calls = e->nc;
	f->tottime = e->tt;
	f->cumtime = e->ct;
	f->flags |= PV_FUNC_IN_STATS;
	return k;
}

static uint32_t fn(struct profile *p, const char *file, int64_t line, const char *name)
{
	return profile_func(p, S(p, file), line, S(p, name), NULL);
}

static struct pv_edge *edge(struct profile *p, uint32_t caller, uint32_t callee, int64_t nc, int64_t cc, double tt,
			    double ct)
{
	struct pv_edge *e = profile_add_edge(p, caller, callee);
	e->calls = nc;
	e->pcalls = cc;
	e->tottime = tt;
	e->cumtime = ct;
	e->kind = PV_EDGE_TIMED;
	return e;
}

static void test_totals_and_edges(void)
{
	struct profile *p = profile_new();
	static const struct ent ents[] = {
		{ "a.py", 1, "f", 2, 3, 0.5, 1.0 },
		{ "a.py", 2, "g", 1, 1, 0.25, 0.25 },
		{ "b.py", 3, "h", -4, 7, 0.125, 2.0 },
	};
	for (size_t i = 0; i < 3; i++)
		add_stats(p, &ents[i]);
	p->nstats = 3;
	uint32_t only_caller = fn(p, "c.py", 9, "main");
	p->funcs[only_caller].calls = 1000;	/* not an entry: not counted */
	p->funcs[only_caller].tottime = 1000.0;
	profile_compute_totals(p);
	CHECK_INT(p->total_calls, 11);
	CHECK_INT(p->prim_calls, -1);
	CHECK_DBL(p->total_tt, 0.875);
	/* edges grouped by callee, then indexed both ways */
	edge(p, only_caller, 0, 1, 1, 0.1, 0.2);
	edge(p, 1, 0, 2, 1, 0.1, 0.2);
	edge(p, only_caller, 1, 1, 1, 0.1, 0.2);
	edge(p, 0, 2, 7, -4, 0.1, 0.2);
	CHECK_INT(p->nedges, 4);
	CHECK(p->edges[3].aux == 0 && p->edges[3].caller == 0 && p->edges[3].callee == 2);
	struct pv_edge_index ix;
	profile_index_edges(p, &ix, 1);
	CHECK(ix.start[0] == 0 && ix.start[1] == 2 && ix.start[2] == 3 && ix.start[3] == 4 && ix.start[4] == 4);
	CHECK(ix.edge[0] == 0 && ix.edge[1] == 1 && ix.edge[2] == 2 && ix.edge[3] == 3);
	pv_edge_index_release(&ix);
	CHECK(ix.start == NULL && ix.edge == NULL);
	profile_index_edges(p, &ix, 0);
	/* by caller: f calls h (edge 3); g calls f (edge 1); main calls f, g (edges 0, 2) */
	CHECK(ix.start[0] == 0 && ix.start[1] == 1 && ix.start[2] == 2 && ix.start[3] == 2 && ix.start[4] == 4);
	CHECK(ix.edge[0] == 3 && ix.edge[1] == 1 && ix.edge[2] == 0 && ix.edge[3] == 2);
	pv_edge_index_release(&ix);
	profile_free(p);
}

static void test_reorder(void)
{
	struct profile *p = profile_new();
	uint32_t f[5];
	const char *names[5] = { "f0", "f1", "f2", "f3", "f4" };
	for (int i = 0; i < 5; i++) {
		f[i] = fn(p, "m.py", 10 * i, names[i]);
		p->funcs[f[i]].calls = 100 + i;
		p->funcs[f[i]].tottime = i / 4.0;
	}
	/* caller -> callee, recognisable by their calls */
	edge(p, f[0], f[1], 1, 1, 0, 0);
	edge(p, f[4], f[1], 2, 2, 0, 0);
	edge(p, f[1], f[2], 3, 3, 0, 0);
	edge(p, f[3], f[4], 4, 4, 0, 0);
	edge(p, f[2], f[2], 5, 5, 0, 0);
	static const uint32_t order[5] = { 3, 0, 4, 2, 1 };	/* new k <- old order[k] */
	profile_reorder(p, order);
	CHECK_INT(p->nfuncs, 5);
	int ok = 1;
	for (int k = 0; k < 5; k++) {
		const struct pv_func *g = &p->funcs[k];
		if (g->calls != 100 + (int)order[k] || g->line != 10 * (int)order[k] ||
		    strcmp(profile_str(p, g->name)->s, names[order[k]]) != 0 || g->tottime != order[k] / 4.0)
			ok = 0;
	}
	CHECK(ok);
	/* new index of old i */
	uint32_t where[5];
	for (uint32_t k = 0; k < 5; k++)
		where[order[k]] = k;
	static const uint32_t old_edges[5][2] = { { 0, 1 }, { 4, 1 }, { 1, 2 }, { 3, 4 }, { 2, 2 } };
	CHECK_INT(p->nedges, 5);
	for (size_t i = 0; i < 5; i++) {
		/* edges keep their positions and calls; the ends follow their functions */
		CHECK_INT(p->edges[i].calls, (int64_t)i + 1);
		CHECK_INT(p->edges[i].caller, where[old_edges[i][0]]);
		CHECK_INT(p->edges[i].callee, where[old_edges[i][1]]);
	}
	/* lookups find the new positions */
	for (int i = 0; i < 5; i++)
		CHECK_INT(profile_find_func(p, S(p, "m.py"), 10 * i, S(p, names[i])), where[i]);
	/* adding after a reorder still works */
	int added;
	uint32_t n = profile_func(p, S(p, "m.py"), 99, S(p, "new"), &added);
	CHECK(added && n == 5);
	CHECK_INT(profile_find_func(p, S(p, "m.py"), 20, S(p, "f2")), where[2]);
	profile_free(p);
}

/* Edges into callee k of q, in order. */
static size_t callers_of(const struct profile *q, uint32_t k, const struct pv_edge **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < q->nedges; i++)
		if (q->edges[i].callee == k && n < max)
			out[n++] = &q->edges[i];
	return n;
}

static int64_t qfind(struct profile *q, const char *file, int64_t line, const char *name)
{
	return profile_find_func(q, S(q, file), line, S(q, name));
}

/* strip_dirs() as pstats does it:
 *   for func, (cc, nc, tt, ct, callers) in oldstats.items():
 *       newcallers = {strip(f2): c for f2, c in callers.items()}   # later key wins, first position
 *       newstats[strip(func)] = add_func_stats(newstats[...], (cc, nc, tt, ct, newcallers)) or new
 *   add_func_stats(target, source) = (source + target, ..., add_callers(target_callers, source_callers))
 *   add_callers(target, source): target's keys in order, then source's new ones; shared
 *   keys sum source + target. */
static void test_strip_dirs(void)
{
	struct profile *p = profile_new();
	volatile double t1 = 0.1, t2 = 0.2, t3 = 0.3;	/* sums that depend on the order of additions */
	const struct ent ents[] = {
		/* 0 */ { "/a/x.py", 1, "f", 1, 2, t1, 1.0 },
		/* 1 */ { "/a/m.py", 5, "main", 1, 1, 0.0, 4.0 },
		/* 2 */ { "/b/x.py", 1, "f", 3, 4, t2, 2.0 },
		/* 3 */ { "/c/y.py", 7, "h", 5, 5, 0.5, 0.5 },
		/* 4 */ { "x.py", 1, "f", 10, 20, t3, 3.0 },
		/* 5 */ { "/b/m.py", 5, "main", 2, 2, 1.0, 2.0 },
		/* 6 */ { "/d/x.py", 2, "f", 7, 7, 0.25, 0.25 },	/* other line: stays apart */
		/* 7 */ { "/z/g.py", 9, "g", 1, 1, 0.0, 0.0 },
		/* 8 */ { "~", 0, "<built-in method len>", 6, 6, 0.125, 0.125 },
		/* 9 */ { "noslash.py", 4, "k", 1, 1, 0.0, 0.0 },
		/* 10 */ { "/trailing/", 4, "k", 2, 2, 0.0, 0.0 },	/* basename "" */
	};
	uint32_t e[11];
	for (size_t i = 0; i < 11; i++)
		e[i] = add_stats(p, &ents[i]);
	p->nstats = 11;
	p->funcs[e[1]].flags |= PV_FUNC_TOP_LEVEL;
	uint32_t qa = fn(p, "/a/q.py", 3, "k"), qb = fn(p, "/b/q.py", 3, "k");	/* callers only */
	/* callers of /a/x.py:1(f): main(a) */
	edge(p, e[1], e[0], 2, 1, 0.5, 1.0);
	/* callers of /b/x.py:1(f): main(b), g, main(a) -- main(a) and main(b) collide
	 * inside this one dict: the later value replaces the earlier at its position */
	edge(p, e[5], e[2], 4, 3, 0.25, 2.0);
	edge(p, e[7], e[2], 9, 9, 9.0, 9.0);
	edge(p, e[1], e[2], 8, 8, 0.75, 8.0);
	/* callers of /c/y.py:7(h): q(a), q(b) collide; q(b) wins */
	edge(p, qa, e[3], 1, 1, 0.125, 0.25);
	edge(p, qb, e[3], 2, 2, 0.375, 0.5);
	/* callers of x.py:1(f) (third to merge): g, then main(b) */
	edge(p, e[7], e[4], 1, 1, t1, 1.0);
	edge(p, e[5], e[4], 16, 16, 16.0, 16.0);
	/* a count-only edge (profile module) into the built-in */
	struct pv_edge *ce = edge(p, e[0], e[8], 6, 6, 0, 0);
	ce->kind = PV_EDGE_COUNT;
	struct pv_edge *ce2 = edge(p, e[2], e[8], 4, 4, 0, 0);	/* same stripped caller: summed */
	ce2->kind = PV_EDGE_COUNT;
	profile_compute_totals(p);
	p->name = "n";
	p->content_hash = "abc";
	p->source_mtime = 77;

	struct profile *q = profile_strip_dirs(p);
	CHECK(q != NULL && q != p);
	/* entries: first-occurrence positions */
	CHECK_INT(q->nstats, 8);
	static const struct {
		const char *file;
		int64_t line;
		const char *name;
	} want_order[8] = {
		{ "x.py", 1, "f" }, { "m.py", 5, "main" }, { "y.py", 7, "h" }, { "x.py", 2, "f" },
		{ "g.py", 9, "g" }, { "~", 0, "<built-in method len>" }, { "noslash.py", 4, "k" }, { "", 4, "k" },
	};
	for (uint32_t k = 0; k < 8 && k < q->nstats; k++) {
		const struct pv_func *g = &q->funcs[k];
		unit_case = want_order[k].file;
		CHECK_STR(profile_str(q, g->file)->s, want_order[k].file);
		CHECK_INT(g->line, want_order[k].line);
		CHECK_STR(profile_str(q, g->name)->s, want_order[k].name);
		CHECK(g->flags & PV_FUNC_IN_STATS);
	}
	unit_case = "";
	int64_t xf = qfind(q, "x.py", 1, "f"), mm = qfind(q, "m.py", 5, "main"), yh = qfind(q, "y.py", 7, "h");
	int64_t gg = qfind(q, "g.py", 9, "g"), bl = qfind(q, "~", 0, "<built-in method len>");
	int64_t qk = qfind(q, "q.py", 3, "k");
	CHECK(xf == 0 && mm == 1 && yh == 2 && gg == 4 && bl == 5);
	CHECK(qk >= 8);	/* callers-only functions come after the entries, merged too */
	CHECK_INT(q->nfuncs, 9);
	/* merged stats: source + target, in the order pstats adds them */
	const struct pv_func *F = &q->funcs[xf];
	CHECK_INT(F->pcalls, 14);
	CHECK_INT(F->calls, 26);
	CHECK_DBL(F->tottime, t3 + (t2 + t1));
	CHECK_DBL(F->cumtime, 6.0);
	const struct pv_func *M = &q->funcs[mm];
	CHECK(M->pcalls == 3 && M->calls == 3 && M->tottime == 1.0 && M->cumtime == 6.0);
	CHECK(M->flags & PV_FUNC_TOP_LEVEL);
	CHECK(!(F->flags & PV_FUNC_TOP_LEVEL));
	/* totals are what pstats computed at load, untouched by strip_dirs */
	CHECK_INT(q->total_calls, p->total_calls);
	CHECK_INT(q->prim_calls, p->prim_calls);
	CHECK_DBL(q->total_tt, p->total_tt);
	/* metadata is copied */
	CHECK_STR(q->name, "n");
	CHECK_STR(q->content_hash, "abc");
	CHECK_INT(q->source_mtime, 77);

	/* callers of x.py:1(f):
	 *   entry 0 gives {main: (2,1,.5,1)}
	 *   entry 2 gives {main: (8,8,.75,8) (replaced (4,3,...) in place), g: (9,9,9,9)}
	 *     merged: {main: (8+2, 8+1, .75+.5, 8+1), g: (9,9,9,9)}
	 *   entry 4 gives {g: (1,1,t1,1), main: (16,...)}
	 *     merged: {main: (16+10, 16+9, 16+1.25, 16+9), g: (1+9, 1+9, t1+9, 1+9)} */
	const struct pv_edge *c[8];
	size_t nc = callers_of(q, (uint32_t)xf, c, 8);
	CHECK_INT(nc, 2);
	if (nc == 2) {
		CHECK_INT(c[0]->caller, mm);
		CHECK(c[0]->calls == 26 && c[0]->pcalls == 25);
		CHECK_DBL(c[0]->tottime, 16.0 + (0.75 + 0.5));
		CHECK_DBL(c[0]->cumtime, 25.0);
		CHECK_INT(c[1]->caller, gg);
		CHECK(c[1]->calls == 10 && c[1]->pcalls == 10);
		CHECK_DBL(c[1]->tottime, t1 + 9.0);
		CHECK_DBL(c[1]->cumtime, 10.0);
	}
	/* callers of y.py:7(h): one q.py:3(k), the later value */
	nc = callers_of(q, (uint32_t)yh, c, 8);
	CHECK_INT(nc, 1);
	if (nc == 1) {
		CHECK_INT(c[0]->caller, qk);
		CHECK(c[0]->calls == 2 && c[0]->pcalls == 2 && c[0]->tottime == 0.375 && c[0]->cumtime == 0.5);
	}
	/* the built-in: /a/x.py:1(f) and /b/x.py:1(f) collapse inside its one callers
	 * dict, so the later count replaces the earlier (no sum) */
	nc = callers_of(q, (uint32_t)bl, c, 8);
	CHECK_INT(nc, 1);
	if (nc == 1) {
		CHECK_INT(c[0]->caller, xf);
		CHECK_INT(c[0]->kind, PV_EDGE_COUNT);
		CHECK_INT(c[0]->calls, 4);
	}
	/* edges are grouped by callee and carry no scratch */
	int grouped = 1, clean = 1;
	for (size_t i = 0; i < q->nedges; i++) {
		if (i && q->edges[i].callee < q->edges[i - 1].callee)
			grouped = 0;
		if (q->edges[i].aux)
			clean = 0;
	}
	CHECK(grouped);
	CHECK(clean);
	CHECK_INT(q->nedges, 4);
	/* the source profile is untouched */
	CHECK_INT(p->nstats, 11);
	CHECK_STR(profile_str(p, p->funcs[e[2]].file)->s, "/b/x.py");
	CHECK_INT(p->funcs[e[0]].calls, 2);
	profile_free(q);
	profile_free(p);
}

int main(void)
{
	test_intern();
	test_func_lookup();
	test_std_name();
	test_totals_and_edges();
	test_reorder();
	test_strip_dirs();
	return UNIT_DONE();
}
