/* What the pictures are drawn from: the call graph's weights and pruning
 * (analysis/callgraph.c) and the icicle tree's order, cut-off, estimate marks
 * and diff (analysis/icicle.c), on profiles built from static arrays. */
#include "analysis/callgraph.h"
#include "analysis/icicle.h"
#include "analysis/profile.h"
#include "tests/unit/unit.h"

#include <math.h>
#include <stdlib.h>

static uint32_t fn(struct profile *p, const char *name)
{
	return profile_func(p, profile_intern(p, "m.py", 4), 1, profile_intern(p, name, strlen(name)), NULL);
}

/* One stack of names (root first) with weight w, one sample. */
static void add_stack(struct profile *p, const char *const *frames, size_t n, double w)
{
	uint32_t node = 0;
	for (size_t i = 0; i < n; i++)
		node = profile_tree_child(p, node, fn(p, frames[i]));
	p->nodes[node].self += w;
	p->nodes[node].count += 1;
}

static const struct cg_node *cg_node_named(const struct callgraph *g, const char *name)
{
	for (size_t k = 0; k < g->nnodes; k++)
		if (!strcmp(profile_str(g->p, g->p->funcs[g->nodes[k].func].name)->s, name))
			return &g->nodes[k];
	return NULL;
}

static const struct cg_edge *cg_edge_named(const struct callgraph *g, const char *a, const char *b)
{
	const struct cg_node *x = cg_node_named(g, a), *y = cg_node_named(g, b);
	for (size_t k = 0; x && y && k < g->nedges; k++)
		if (&g->nodes[g->edges[k].from] == x && &g->nodes[g->edges[k].to] == y)
			return &g->edges[k];
	return NULL;
}

/* a;b;a;b 3 and a;b;c 2: a and b count once per stack, and so do the edges
 * a->b (twice in the first stack) and b->a. */
static struct profile *recursive_profile(void)
{
	struct profile *p = profile_new();
	p->unit = "samples";
	profile_tree_begin(p, PV_KIND_SAMPLED);
	add_stack(p, (const char *[]){ "a", "b", "a", "b" }, 4, 3);
	add_stack(p, (const char *[]){ "a", "b", "c" }, 3, 2);
	add_stack(p, (const char *[]){ "a", "d" }, 2, 95);
	profile_tree_finish(p);
	return p;
}

static void test_callgraph_recursion(void)
{
	unit_case = "callgraph recursion";
	struct profile *p = recursive_profile();
	struct callgraph g;
	struct callgraph_options o = { 0, 0, NULL, 0, NULL, 0, -1, NULL };
	struct pv_error err;
	CHECK(callgraph_build(&g, p, &o, &err) == 0);
	CHECK(g.total == 100);
	CHECK(g.nnodes == 4);
	CHECK(cg_node_named(&g, "a")->total == 100);
	CHECK(cg_node_named(&g, "b")->total == 5);
	CHECK(cg_node_named(&g, "b")->self == 3);
	CHECK(cg_node_named(&g, "b")->calls == -1);	/* sampled: no call counts */
	const struct cg_edge *ab = cg_edge_named(&g, "a", "b"), *ba = cg_edge_named(&g, "b", "a");
	CHECK(ab && ab->total == 5);
	CHECK(ba && ba->total == 3);	/* the inner call is on the stack: not zero */
	CHECK(cg_edge_named(&g, "b", "c") && cg_edge_named(&g, "b", "c")->total == 2);
	CHECK(g.nodes[0].func == cg_node_named(&g, "a")->func);	/* heaviest first */
	callgraph_release(&g);

	/* thresholds: b (5 %) and c (2 %) go under 6 %; the edges with them */
	o.node_thres = 0.06;
	CHECK(callgraph_build(&g, p, &o, &err) == 0);
	CHECK(g.nnodes == 2 && cg_node_named(&g, "b") == NULL);
	CHECK(g.cut_node_thres == 2);
	CHECK(g.nedges == 1 && cg_edge_named(&g, "a", "d"));
	callgraph_release(&g);

	/* --root b: what b reaches (a, b, c, and d through a) */
	o.node_thres = 0;
	const char *roots[] = { "^b " };
	o.roots = roots;
	o.nroots = 1;
	o.depth = 1;
	CHECK(callgraph_build(&g, p, &o, &err) == 0);
	CHECK(g.nnodes == 3 && cg_node_named(&g, "d") == NULL);	/* d is 2 calls from b */
	CHECK(g.cut_root == 0 && g.cut_depth == 1);	/* reachable, but 2 calls away */
	callgraph_release(&g);
	o.depth = -1;
	CHECK(callgraph_build(&g, p, &o, &err) == 0);
	CHECK(g.nnodes == 4);
	callgraph_release(&g);

	/* --leaf c: only what reaches c */
	o.nroots = 0;
	const char *leaves[] = { "c" };
	o.leaves = leaves;
	o.nleaves = 1;
	CHECK(callgraph_build(&g, p, &o, &err) == 0);
	CHECK(g.nnodes == 3 && cg_node_named(&g, "d") == NULL && g.cut_leaf == 1);
	callgraph_release(&g);

	/* a bad regex is a usage error */
	const char *bad[] = { "(" };
	o.leaves = bad;
	CHECK(callgraph_build(&g, p, &o, &err) == -1 && err.usage);
	callgraph_release(&g);
	profile_free(p);
}

/* cProfile-shaped data: main calls f and g; f is also called by g. */
static struct profile *calls_profile(void)
{
	struct profile *p = profile_new();
	uint32_t m = fn(p, "main"), f = fn(p, "f"), g = fn(p, "g");
	p->nstats = p->nfuncs;
	struct {
		uint32_t id;
		int64_t calls;
		double tt, ct;
	} st[] = { { m, 1, 1, 8 }, { f, 3, 4, 4 }, { g, 1, 3, 5 } };	/* consistent: 8 = 1 + 2 + 5 */
	for (int i = 0; i < 3; i++) {
		struct pv_func *x = &p->funcs[st[i].id];
		x->calls = x->pcalls = st[i].calls;
		x->tottime = st[i].tt;
		x->cumtime = st[i].ct;
		x->flags = PV_FUNC_IN_STATS;
	}
	struct pv_edge *e = profile_add_edge(p, m, f);
	e->calls = e->pcalls = 2;
	e->tottime = e->cumtime = 2;
	e = profile_add_edge(p, g, f);
	e->calls = e->pcalls = 1;
	e->tottime = e->cumtime = 2;
	e = profile_add_edge(p, m, g);
	e->calls = e->pcalls = 1;
	e->tottime = 3;
	e->cumtime = 5;
	profile_compute_totals(p);
	return p;
}

static const struct pv_str *ic_name(const struct icicle *ic, size_t i)
{
	return profile_str(ic->tree, ic->tree->funcs[ic->func[i]].name);
}

static void test_icicle_estimate(void)
{
	unit_case = "icicle estimate";
	struct profile *p = calls_profile();
	struct icicle ic;
	struct icicle_options o = { 1000, NULL };
	icicle_build(&ic, p, &o);
	CHECK(ic.estimated && !ic.count_is_samples);
	/* pre-order: root, main, f, g, f (children in edge order) */
	CHECK(ic.n == 5);
	for (size_t i = 1; i < ic.n; i++)
		CHECK(ic.parent[i] < i);
	CHECK(!strcmp(ic_name(&ic, 1)->s, "main") && ic.parent[1] == 0);
	/* main holds all of main's time: its calls are exact */
	CHECK(!(ic.flags[1] & ICICLE_ESTIMATED));
	int seen_g = 0;
	for (size_t i = 2; i < ic.n; i++) {
		if (!strcmp(ic_name(&ic, i)->s, "g")) {
			seen_g = 1;
			CHECK(!(ic.flags[i] & ICICLE_ESTIMATED));	/* g has one caller, main */
			CHECK(ic.count[i] == 1);
		}
		if (!strcmp(ic_name(&ic, i)->s, "f") && ic.parent[i] != 1) {
			/* f under g: g's box holds all of g, so the edge g->f is exact too */
			CHECK(!(ic.flags[i] & ICICLE_ESTIMATED));
			CHECK(fabs(ic.self[i] - 2) < 1e-12);
		}
	}
	CHECK(seen_g);
	icicle_release(&ic);
	profile_free(p);
}

/* A box whose parent holds only part of its function's time is estimated. */
static void test_icicle_estimated_split(void)
{
	unit_case = "icicle split";
	struct profile *p = calls_profile();
	/* h is called by f (from both of f's callers): under each f box its time is a share */
	uint32_t h = fn(p, "h");
	p->nstats = p->nfuncs;
	struct pv_func *x = &p->funcs[h];
	x->calls = x->pcalls = 3;
	x->tottime = x->cumtime = 3;
	x->flags = PV_FUNC_IN_STATS;
	p->funcs[fn(p, "f")].tottime = 1;
	struct pv_edge *e = profile_add_edge(p, fn(p, "f"), h);
	e->calls = e->pcalls = 3;
	e->tottime = e->cumtime = 3;
	profile_compute_totals(p);
	struct icicle ic;
	struct icicle_options o = { 1000, NULL };
	icicle_build(&ic, p, &o);
	int hs = 0;
	double htotal = 0;
	for (size_t i = 1; i < ic.n; i++)
		if (!strcmp(ic_name(&ic, i)->s, "h")) {
			hs++;
			htotal += ic.self[i];
			CHECK(ic.flags[i] & ICICLE_ESTIMATED);
			CHECK(ic.count[i] > 0 && ic.count[i] < 3);
		}
	CHECK(hs == 2);
	CHECK(fabs(htotal - 3) < 1e-9);	/* the split keeps the whole */
	icicle_release(&ic);
	profile_free(p);
}

static void test_icicle_cut_and_diff(void)
{
	unit_case = "icicle cut";
	struct profile *p = recursive_profile();
	struct icicle ic;
	struct icicle_options o = { 3, NULL };
	icicle_build(&ic, p, &o);
	CHECK(!ic.estimated && ic.count_is_samples);
	/* nodes: root, a (100), d (95), b (5), a (3), b (3), c (2): keep root, a, d */
	CHECK(ic.n == 3 && ic.cut_nodes == 4);
	CHECK(!strcmp(ic_name(&ic, 1)->s, "a") && (ic.flags[1] & ICICLE_CUT));
	CHECK(ic.self[1] == 5);	/* b's subtree folded into a */
	CHECK(ic.count[1] == 2);	/* with its two samples */
	double total = 0;
	for (size_t i = 0; i < ic.n; i++)
		total += ic.self[i];
	CHECK(total == 100);
	icicle_release(&ic);

	unit_case = "icicle diff";
	struct profile *base = profile_new();
	base->unit = "samples";
	profile_tree_begin(base, PV_KIND_SAMPLED);
	add_stack(base, (const char *[]){ "a", "d" }, 2, 40);
	add_stack(base, (const char *[]){ "a", "b", "c" }, 3, 10);
	profile_tree_finish(base);
	o.max_nodes = 1000;
	icicle_build(&ic, p, &o);
	icicle_diff(&ic, base, 0);
	CHECK(ic.diff_scale == 1 && ic.base_weight == 50);
	for (size_t i = 1; i < ic.n; i++) {
		const char *nm = ic_name(&ic, i)->s;
		uint32_t par = ic.parent[i];
		if (!strcmp(nm, "d"))
			CHECK(ic.base_self[i] == 40 && !(ic.flags[i] & ICICLE_NEW));
		if (!strcmp(nm, "c"))
			CHECK(ic.base_self[i] == 10 && ic.base_total[i] == 10);
		if (!strcmp(nm, "a") && par != 0)
			CHECK(ic.flags[i] & ICICLE_NEW);	/* a;b;a: not in base */
	}
	CHECK(ic.base_total[0] == 50);
	icicle_release(&ic);
	/* normalized: base scaled to new's total */
	icicle_build(&ic, p, &o);
	icicle_diff(&ic, base, 1);
	CHECK(ic.diff_scale == 2 && ic.base_total[0] == 100);
	icicle_release(&ic);
	profile_free(base);
	profile_free(p);
}

/* The node under parent for the function named name, or -1. */
static long ic_child(const struct icicle *ic, size_t parent, const char *name)
{
	for (size_t i = parent + 1; i < ic->n; i++)
		if (ic->parent[i] == parent && !strcmp(ic_name(ic, i)->s, name))
			return (long)i;
	return -1;
}

static double ic_total(const struct icicle *ic, size_t node)
{
	double t = 0;
	for (size_t i = node; i < ic->n; i++) {
		size_t a = i;
		while (a > node && a != 0)
			a = ic->parent[a];
		if (a == node)
			t += ic->self[i];
	}
	return t;
}

static void test_icicle_focus(void)
{
	unit_case = "icicle focus";
	struct profile *p = recursive_profile();
	struct icicle ic;
	struct icicle_options o = { 1000, NULL };
	struct pv_error err;
	uint32_t a = fn(p, "a"), b = fn(p, "b"), d = fn(p, "d");

	icicle_build(&ic, p, &o);
	uint32_t path[] = { a, b };
	CHECK(icicle_focus(&ic, path, 2, 1, &err) == 0);
	CHECK(ic.n == 2 && ic.func[0] == PV_NO_FUNC && ic.self[0] == 0);
	CHECK(ic.func[1] == b && ic.self[1] == 5 && (ic.flags[1] & ICICLE_CUT));
	CHECK(ic.depth_cut == 3 && ic.depth == 1);
	CHECK(ic.nroot_path == 2 && ic.root_path[0] == a && ic.root_path_total[0] == 100);
	CHECK(ic.root_path[1] == b && ic.root_path_total[1] == 5);
	CHECK(ic.count[1] == 2);	/* the samples through b, folded in */
	icicle_release(&ic);

	icicle_build(&ic, p, &o);
	CHECK(icicle_focus(&ic, path, 2, -1, &err) == 0);
	CHECK(ic.n == 5 && ic.depth_cut == 0 && ic_total(&ic, 0) == 5);
	long inner = ic_child(&ic, 1, "a");
	CHECK(inner > 0 && ic_total(&ic, (size_t)inner) == 3 && !(ic.flags[1] & ICICLE_CUT));
	for (size_t i = 1; i < ic.n; i++)
		CHECK(ic.parent[i] < i);
	icicle_release(&ic);

	icicle_build(&ic, p, &o);
	CHECK(icicle_focus(&ic, NULL, 0, 1, &err) == 0);
	CHECK(ic.n == 2 && ic.self[1] == 100 && (ic.flags[1] & ICICLE_CUT) && ic.depth_cut == 5);
	icicle_release(&ic);

	icicle_build(&ic, p, &o);
	uint32_t bad[] = { d, a };
	CHECK(icicle_focus(&ic, bad, 2, -1, &err) == -1);
	icicle_release(&ic);
	profile_free(p);
}

static void test_icicle_sandwich(void)
{
	unit_case = "icicle sandwich";
	struct profile *p = recursive_profile();
	struct icicle ic, up, down;
	struct icicle_options o = { 1000, NULL };
	struct pv_error err;
	icicle_build(&ic, p, &o);

	/* b: called by a only; calls a (recursion, once per stack) and c */
	CHECK(icicle_sandwich(&ic, fn(p, "b"), 1000, &up, &down, &err) == 0);
	CHECK(down.n == 5 && down.func[1] == fn(p, "b") && ic_total(&down, 1) == 5);
	long da = ic_child(&down, 1, "a"), dc = ic_child(&down, 1, "c");
	CHECK(da > 0 && ic_total(&down, (size_t)da) == 3 && dc > 0 && down.self[dc] == 2);
	CHECK(up.n == 3 && ic_total(&up, 1) == 5);
	long ua = ic_child(&up, 1, "a");
	CHECK(ua == 2 && up.self[ua] == 5 && up.self[1] == 0);
	CHECK(up.count[ua] == 2);	/* two samples pass through b */
	for (size_t i = 1; i < up.n; i++)
		CHECK(up.parent[i] < i && down.parent[i < down.n ? i : 0] <= i);
	icicle_release(&up);
	icicle_release(&down);

	/* c: two levels of callers, the weight at the stack's top */
	CHECK(icicle_sandwich(&ic, fn(p, "c"), 1000, &up, &down, &err) == 0);
	CHECK(down.n == 2 && down.self[1] == 2);
	long ub = ic_child(&up, 1, "b");
	long uba = ub > 0 ? ic_child(&up, (size_t)ub, "a") : -1;
	CHECK(ub > 0 && up.self[ub] == 0 && uba > 0 && up.self[uba] == 2 && ic_total(&up, 1) == 2);
	icicle_release(&up);
	icicle_release(&down);

	/* the work limit */
	CHECK(icicle_sandwich(&ic, fn(p, "c"), 1, &up, &down, &err) == -1);
	icicle_release(&ic);
	profile_free(p);
}

int main(void)
{
	test_callgraph_recursion();
	test_icicle_estimate();
	test_icicle_estimated_split();
	test_icicle_cut_and_diff();
	test_icicle_focus();
	test_icicle_sandwich();
	return UNIT_DONE();
}
