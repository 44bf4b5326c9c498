/* The call tree and what is derived from it: self, total once per stack,
 * sample counts, edges, and the remap that strip_dirs and filters use. */
#include "analysis/profile.h"
#include "tests/unit/unit.h"

#include <stdlib.h>

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

int main(void)
{
	test_simple();
	test_recursion();
	test_evented_counts();
	test_remap();
	return UNIT_DONE();
}
