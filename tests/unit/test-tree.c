/* The call tree and what is derived from it: self, total once per stack,
 * sample counts, edges, and the remap that strip_dirs and filters use. */
#include "analysis/profile.h"
#include "tests/unit/unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Adds the stack of names (root first) with weight w to p, one sample. */
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

static const struct pv_func *func_named(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nfuncs; i++)
		if (strcmp(profile_str(p, p->funcs[i].name)->s, name) == 0)
			return &p->funcs[i];
	return NULL;
}

static const struct pv_edge *edge_named(const struct profile *p, const char *caller, const char *callee)
{
	for (size_t i = 0; i < p->nedges; i++)
		if (strcmp(profile_str(p, p->funcs[p->edges[i].caller].name)->s, caller) == 0 &&
		    strcmp(profile_str(p, p->funcs[p->edges[i].callee].name)->s, callee) == 0)
			return &p->edges[i];
	return NULL;
}

static void test_simple(void)
{
	/* speedscope's simple example: a;b;c 2, a;b;d 4, a;b;c 3, a;b 5 */
	unit_case = "simple";
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_SAMPLED);
	add_stack(p, (const char *[]){ "a", "b", "c" }, 3, 2);
	add_stack(p, (const char *[]){ "a", "b", "d" }, 3, 4);
	add_stack(p, (const char *[]){ "a", "b", "c" }, 3, 3);
	add_stack(p, (const char *[]){ "a", "b" }, 2, 5);
	profile_tree_finish(p);
	CHECK(p->nnodes == 5);
	CHECK(p->total_weight == 14);
	CHECK(p->total_samples == 4);
	const char *names[] = { "a", "b", "c", "d" };
	double self[] = { 0, 5, 5, 4 }, total[] = { 14, 14, 5, 4 };
	int64_t samples[] = { 4, 4, 2, 1 }, leaf[] = { 0, 1, 2, 1 };
	for (int i = 0; i < 4; i++) {
		const struct pv_func *f = func_named(p, names[i]);
		CHECK(f && f->tottime == self[i] && f->cumtime == total[i]);
		CHECK(f && f->calls == samples[i] && f->pcalls == leaf[i]);
	}
	CHECK(func_named(p, "a")->flags & PV_FUNC_TOP_LEVEL);
	CHECK(!(func_named(p, "b")->flags & PV_FUNC_TOP_LEVEL));
	const struct pv_edge *e = edge_named(p, "b", "c");
	CHECK(e && e->tottime == 5 && e->cumtime == 5 && e->calls == 2);
	CHECK(p->nedges == 3);
	/* grouped by callee */
	for (size_t i = 1; i < p->nedges; i++)
		CHECK(p->edges[i - 1].callee <= p->edges[i].callee);
	profile_free(p);
}

static void test_recursion(void)
{
	/* a;b;a;b 3 and a 1: a and b are counted once per stack */
	unit_case = "recursion";
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_SAMPLED);
	add_stack(p, (const char *[]){ "a", "b", "a", "b" }, 4, 3);
	add_stack(p, (const char *[]){ "a" }, 1, 1);
	profile_tree_finish(p);
	const struct pv_func *a = func_named(p, "a"), *b = func_named(p, "b");
	CHECK(a->cumtime == 4 && a->tottime == 1 && a->calls == 2);
	CHECK(b->cumtime == 3 && b->tottime == 3 && b->calls == 1);
	/* the a->b edge: outermost b only; b->a exists too */
	const struct pv_edge *ab = edge_named(p, "a", "b"), *ba = edge_named(p, "b", "a");
	CHECK(ab && ab->cumtime == 3 && ab->tottime == 3);
	CHECK(ba && ba->cumtime == 0 && ba->tottime == 0);
	profile_free(p);
}

static void test_evented_counts(void)
{
	/* evented: count = opens; pcalls = opens not inside the same frame */
	unit_case = "evented";
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_EVENTED);
	add_stack(p, (const char *[]){ "f" }, 1, 2);
	add_stack(p, (const char *[]){ "f", "f" }, 2, 1);
	profile_tree_finish(p);
	const struct pv_func *f = func_named(p, "f");
	CHECK(f->calls == 2 && f->pcalls == 1);
	CHECK(f->cumtime == 3 && f->tottime == 3);
	CHECK(p->total_calls == 2 && p->prim_calls == 1);
	profile_free(p);
}

static void test_remap(void)
{
	/* splicing b out joins c and d under a; samples of b land on a */
	unit_case = "remap";
	struct profile *p = profile_new();
	profile_tree_begin(p, PV_KIND_SAMPLED);
	add_stack(p, (const char *[]){ "a", "b", "c" }, 3, 2);
	add_stack(p, (const char *[]){ "a", "c" }, 2, 1);
	add_stack(p, (const char *[]){ "a", "b" }, 2, 5);
	profile_tree_finish(p);
	struct profile *q = profile_new();
	uint32_t *map = malloc(p->nfuncs * sizeof(uint32_t));
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_str *nm = profile_str(p, p->funcs[i].name);
		map[i] = strcmp(nm->s, "b") == 0 ? PV_NO_FUNC
						 : profile_func(q, profile_intern(q, "", 0), 0, profile_intern(q, nm->s, nm->len), NULL);
	}
	profile_tree_remap(p, q, map);
	CHECK(q->nnodes == 3);	/* root, a, a;c */
	CHECK(func_named(q, "a")->tottime == 5 && func_named(q, "a")->cumtime == 8);
	CHECK(func_named(q, "c")->tottime == 3 && func_named(q, "c")->calls == 2);
	CHECK(q->total_weight == 8);
	free(map);
	profile_free(p);
	profile_free(q);
}

/* A cProfile-like function: stats and an index. */
static uint32_t calls_func(struct profile *p, const char *name, int64_t nc, int64_t cc, double tt, double ct)
{
	uint32_t f = profile_func(p, profile_intern(p, "", 0), 0, profile_intern(p, name, strlen(name)), NULL);
	struct pv_func *x = &p->funcs[f];
	x->calls = nc;
	x->pcalls = cc;
	x->tottime = tt;
	x->cumtime = ct;
	x->flags = PV_FUNC_IN_STATS;
	p->nstats = p->nfuncs;
	return f;
}

static void calls_edge(struct profile *p, uint32_t caller, uint32_t callee, int64_t nc, double ct, int count_only)
{
	struct pv_edge *e = profile_add_edge(p, caller, callee);
	e->calls = e->pcalls = nc;
	e->tottime = 0;
	e->cumtime = count_only ? 0 : ct;
	e->kind = count_only ? PV_EDGE_COUNT : PV_EDGE_TIMED;
}

/* Sums each function's self over the tree's boxes (by name) and checks it
 * against the source's tottime, and the root against the total. */
static void check_conserved(const struct profile *src, const struct profile *t)
{
	double total = 0;
	for (size_t f = 0; f < src->nstats; f++) {
		const char *name = profile_str(src, src->funcs[f].name)->s;
		double got = 0;
		for (size_t i = 1; i < t->nnodes; i++)
			if (strcmp(profile_str(t, t->funcs[t->nodes[i].func].name)->s, name) == 0)
				got += t->nodes[i].self;
		CHECK_DBL(got, src->funcs[f].tottime);
		total += src->funcs[f].tottime;
	}
	CHECK(fabs(t->nodes[0].total - total) < 1e-12);
}

/* `python -m cProfile -m mod`: exec runs the module, and the module's code runs
 * exec again (imports), so exec's callers' edges hold more than its cumtime.
 * One of its 3 calls is top-level: the root, with the whole run under it. */
static void test_estimate_nested_exec(void)
{
	unit_case = "estimate: -m MODULE";
	struct profile *p = profile_new();
	uint32_t exec = calls_func(p, "exec", 3, 1, 0.5, 10);
	uint32_t runm = calls_func(p, "run_module", 1, 1, 0.5, 9.5);
	uint32_t mod = calls_func(p, "<module>", 1, 1, 1, 9);
	uint32_t imp = calls_func(p, "<module imported>", 2, 2, 3, 3);
	uint32_t work = calls_func(p, "work", 1, 1, 5, 5);
	uint32_t dis = calls_func(p, "disable", 1, 1, 1e-6, 1e-6);
	calls_edge(p, exec, runm, 1, 9.5, 0);
	calls_edge(p, runm, exec, 1, 9, 0);	/* the module's own exec */
	calls_edge(p, mod, exec, 1, 3, 0);	/* an import's exec */
	calls_edge(p, exec, mod, 1, 9, 0);
	calls_edge(p, exec, imp, 2, 3, 0);
	calls_edge(p, mod, work, 1, 5, 0);
	profile_compute_totals(p);
	struct profile *t = profile_estimate_tree(p, 0);
	check_conserved(p, t);
	CHECK(func_named(t, "work")->cumtime > 4.99);	/* the work is in the tree */
	int exec_top = 0;
	for (size_t i = 1; i < t->nnodes; i++)
		exec_top |= t->nodes[i].parent == 0 && t->nodes[i].func == exec;
	CHECK(exec_top);
	(void)dis;
	profile_free(t);
	profile_free(p);
}

/* The profile module: bare call counts, the profiler's own frame as the caller of
 * the top-level call. Nothing becomes a top box but the top-level call, and the
 * callee's time is shared by calls (g's 3 calls: 1 from a, 2 from b). */
static void test_estimate_counts(void)
{
	unit_case = "estimate: profile module";
	struct profile *p = profile_new();
	uint32_t prof = calls_func(p, "profiler", 0, 0, 0, 0);
	uint32_t top = calls_func(p, "<module>", 1, 1, 1, 10);
	uint32_t a = calls_func(p, "a", 1, 1, 1, 4);
	uint32_t b = calls_func(p, "b", 1, 1, 1, 5);
	uint32_t g = calls_func(p, "g", 3, 3, 7, 7);
	calls_edge(p, prof, top, 1, 0, 1);
	calls_edge(p, top, a, 1, 0, 1);
	calls_edge(p, top, b, 1, 0, 1);
	calls_edge(p, a, g, 1, 0, 1);
	calls_edge(p, b, g, 2, 0, 1);
	profile_compute_totals(p);
	struct profile *t = profile_estimate_tree(p, 0);
	check_conserved(p, t);
	size_t tops = 0;
	for (size_t i = 1; i < t->nnodes; i++)
		tops += t->nodes[i].parent == 0;
	CHECK(tops == 1);
	CHECK(fabs(t->nodes[0].total - 10) < 1e-12);
	profile_free(t);
	profile_free(p);
}

/* A function that calls only itself under a shared name (two nested
 * comprehensions on one line are one pstats entry): no path reaches it, and its
 * time still gets a box. */
static void test_estimate_adopt(void)
{
	unit_case = "estimate: unreached";
	struct profile *p = profile_new();
	uint32_t m = calls_func(p, "main", 1, 1, 1, 1);
	uint32_t lc = calls_func(p, "<listcomp>", 2, 2, 2, 2);
	calls_edge(p, lc, lc, 2, 2, 0);
	profile_compute_totals(p);
	struct profile *t = profile_estimate_tree(p, 0);
	check_conserved(p, t);
	(void)m;
	profile_free(t);
	profile_free(p);
}

int main(void)
{
	test_simple();
	test_estimate_nested_exec();
	test_estimate_counts();
	test_estimate_adopt();
	test_recursion();
	test_evented_counts();
	test_remap();
	return UNIT_DONE();
}
