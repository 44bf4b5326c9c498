/* Call graph: weights, pruning (docs/profview-callgraph.md) and --diff marks. */
#include "callgraph.h"
#include "func_match.h"
#include "pv_regex.h"
#include "u64map.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* An edge before pruning, by function index. */
struct cg_raw_edge {
	uint32_t caller, callee;
	double total;
	int64_t calls;
};

struct cg_build {
	struct cg_raw_edge *e;
	size_t n, cap;
};

static size_t cg_add_edge(struct cg_build *b, uint32_t caller, uint32_t callee, double total, int64_t calls)
{
	if (b->n == b->cap)
		xgrow((void **)&b->e, &b->cap, b->n + 1, sizeof(*b->e));
	b->e[b->n] = (struct cg_raw_edge){ caller, callee, total, calls };
	return b->n++;
}

/* cProfile: pstats' callers, exact; the profile module's bare counts share the
 * callee's cumulative time in proportion, as gprof2dot does. */
static void cg_edges_from_calls(const struct profile *p, struct cg_build *b)
{
	for (size_t i = 0; i < p->nedges; i++) {
		const struct pv_edge *e = &p->edges[i];
		double total = profile_edge_cumtime(p, e);
		/* gprof2dot shows the caller's primitive calls (pstats' cc) */
		cg_add_edge(b, e->caller, e->callee, total, e->kind == PV_EDGE_COUNT ? e->calls : e->pcalls);
	}
}

/* Stacks: an edge weighs what passes through it, counted once per stack even
 * when recursion repeats it (so cycles never count twice). */
static void cg_edges_from_tree(const struct profile *p, struct cg_build *b)
{
	size_t n = p->nnodes;
	if (n < 2)
		return;
	struct u64_map ids;
	u64_map_init(&ids, p->nedges + 16);
	uint32_t *first, *next;
	profile_tree_links(p, &first, &next);
	uint32_t *stack = xmalloc(n * sizeof(uint32_t)), *cursor = xmalloc(n * sizeof(uint32_t));
	int64_t *edge_of = xmalloc(n * sizeof(int64_t));
	size_t onpath_cap = 1024;
	uint32_t *onpath = xcalloc(onpath_cap, sizeof(uint32_t));
	size_t depth = 1;
	stack[0] = 0;
	cursor[0] = first[0];
	edge_of[0] = -1;
	while (depth) {
		uint32_t c = cursor[depth - 1];
		if (c == 0) {
			uint32_t top = stack[--depth];
			if (edge_of[top] >= 0)
				onpath[edge_of[top]]--;
			continue;
		}
		cursor[depth - 1] = next[c];
		const struct pv_node *nd = &p->nodes[c];
		uint32_t pf = p->nodes[nd->parent].func;
		edge_of[c] = -1;
		if (pf != PV_NO_FUNC) {
			uint64_t key = ((uint64_t)pf << 32) | nd->func;
			int64_t id = u64_map_get(&ids, key);
			if (id < 0) {
				id = (int64_t)cg_add_edge(b, pf, nd->func, 0, p->kind == PV_KIND_EVENTED ? 0 : -1);
				u64_map_put(&ids, key, id);
				if ((size_t)id >= onpath_cap) {
					size_t old = onpath_cap;
					xgrow((void **)&onpath, &onpath_cap, (size_t)id + 1, sizeof(uint32_t));
					memset(onpath + old, 0, (onpath_cap - old) * sizeof(uint32_t));
				}
			}
			if (!onpath[id])
				b->e[id].total += nd->total;
			if (p->kind == PV_KIND_EVENTED)
				b->e[id].calls += nd->count;
			onpath[id]++;
			edge_of[c] = id;
		}
		stack[depth] = c;
		cursor[depth] = first[c];
		depth++;
	}
	free(stack);
	free(cursor);
	free(edge_of);
	free(onpath);
	free(first);
	free(next);
	u64_map_release(&ids);
}

/* Marks the functions whose display name matches one of the regexes; an
 * error when one matches nothing (a typo should not give an empty graph). */
static int cg_match(const struct profile *p, const char *opt, const char *const *re, size_t nre, uint8_t *hit,
		    struct pv_cancel *cancel, struct pv_error *err)
{
	char *buf = NULL;
	size_t cap = 0;
	int rc = 0;
	for (size_t k = 0; k < nre && !rc; k++) {
		char why[256];
		struct pv_regex *r = pv_regex_compile(re[k], p->dialect == PV_DIALECT_PY2, why, sizeof(why));
		if (!r) {
			rc = pv_error_usage(err, "bad regex '%s': %s", re[k], why);
			break;
		}
		size_t found = 0;
		for (size_t f = 0; f < p->nfuncs && !rc; f++) {
			size_t len = profile_display_name_buf(p, &p->funcs[f], &buf, &cap);
			int m = pv_regex_search(r, buf, len);
			if (m < 0)
				rc = pv_regex_fail(r, re[k], err);
			else if (pv_cancelled(cancel))
				rc = pv_cancel_fail(err);
			else if (m)
				hit[f] = 1, found++;
		}
		pv_regex_free(r);
		if (!rc && !found) {
			rc = pv_error_set(err, "no function matches %s '%s'", opt, re[k]);
			err->kind = PV_ERROR_NOT_FOUND;
		}
	}
	free(buf);
	return rc;
}

/* Breadth-first from the marked functions over the kept edges, forwards
 * (callees) or backwards (callers); keeps what is within depth. */
static void cg_reach(const struct profile *p, const struct cg_build *b, const uint8_t *edge_kept, uint8_t *keep,
		     const uint8_t *start, long depth, int backwards)
{
	size_t nf = p->nfuncs;
	size_t *off = xcalloc(nf + 1, sizeof(size_t));
	for (size_t i = 0; i < b->n; i++)
		if (edge_kept[i])
			off[(backwards ? b->e[i].callee : b->e[i].caller) + 1]++;
	for (size_t f = 0; f < nf; f++)
		off[f + 1] += off[f];
	uint32_t *adj = xmalloc((off[nf] ? off[nf] : 1) * sizeof(uint32_t));
	size_t *fill = xmalloc((nf ? nf : 1) * sizeof(size_t));
	memcpy(fill, off, nf * sizeof(size_t));
	for (size_t i = 0; i < b->n; i++)
		if (edge_kept[i]) {
			uint32_t from = backwards ? b->e[i].callee : b->e[i].caller;
			adj[fill[from]++] = backwards ? b->e[i].caller : b->e[i].callee;
		}
	long *dist = xmalloc((nf ? nf : 1) * sizeof(long));
	uint32_t *queue = xmalloc((nf ? nf : 1) * sizeof(uint32_t));
	size_t qh = 0, qt = 0;
	for (size_t f = 0; f < nf; f++) {
		dist[f] = -1;
		if (start[f] && keep[f]) {
			dist[f] = 0;
			queue[qt++] = (uint32_t)f;
		}
	}
	while (qh < qt) {
		uint32_t f = queue[qh++];
		if (depth >= 0 && dist[f] >= depth)
			continue;
		for (size_t k = off[f]; k < off[f + 1]; k++) {
			uint32_t g = adj[k];
			if (keep[g] && dist[g] < 0) {
				dist[g] = dist[f] + 1;
				queue[qt++] = g;
			}
		}
	}
	for (size_t f = 0; f < nf; f++)
		if (dist[f] < 0)
			keep[f] = 0;
	free(off);
	free(adj);
	free(fill);
	free(dist);
	free(queue);
}

static size_t cg_count(const uint8_t *v, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += v[i] != 0;
	return c;
}

/* Heaviest first, then by self, then by function, so that the same input
 * always gives the same graph. */
static int cg_cmp_nodes(const void *a, const void *b)
{
	const struct cg_node *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	return x->func < y->func ? -1 : x->func > y->func;
}

static int cg_cmp_edges(const void *a, const void *b)
{
	const struct cg_edge *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

int callgraph_build(struct callgraph *g, const struct profile *p, const struct callgraph_options *o,
		    struct pv_error *err)
{
	memset(g, 0, sizeof(*g));
	g->p = p;
	g->diff_scale = 1;
	int calls_kind = p->kind == PV_KIND_CALLS;
	g->total = calls_kind ? p->total_tt : p->total_weight;
	g->unit = profile_unit(p);
	size_t nf = p->nfuncs;
	struct cg_build b = { NULL, 0, 0 };
	if (calls_kind)
		cg_edges_from_calls(p, &b);
	else
		cg_edges_from_tree(p, &b);
	g->funcs_in = 0;
	for (size_t f = 0; f < nf; f++)
		g->funcs_in += calls_kind ? (p->funcs[f].flags & PV_FUNC_IN_STATS) != 0 : 1;
	g->edges_in = b.n;

	/* gprof2dot's 100 %: totals of cProfile data against the larger of the
	 * run's time and the largest cumulative time (rounding can make that one
	 * exceed it), self times against the run's time */
	double self_denom = g->total > 0 ? g->total : 1;
	for (size_t f = 0; calls_kind && f < nf; f++)
		if (p->funcs[f].cumtime > g->total)
			g->total = p->funcs[f].cumtime;
	double denom = g->total > 0 ? g->total : 1;
	uint8_t *keep = xcalloc(nf ? nf : 1, 1), *edge_kept = xcalloc(b.n ? b.n : 1, 1);
	uint8_t *mark = xcalloc(nf ? nf : 1, 1);
	int rc = 0;
	/* 1. nodes under --node-thres (functions only named as callers have no stats) */
	for (size_t f = 0; f < nf; f++) {
		const struct pv_func *fn = &p->funcs[f];
		if (calls_kind && !(fn->flags & PV_FUNC_IN_STATS))
			continue;
		if (fn->cumtime / denom >= o->node_thres)
			keep[f] = 1;
		else
			g->cut_node_thres++;
	}
	/* 2. edges under --edge-thres, or to or from a pruned node */
	for (size_t i = 0; i < b.n; i++) {
		const struct cg_raw_edge *e = &b.e[i];
		if (!keep[e->caller] || !keep[e->callee])
			continue;
		if (e->total / denom >= o->edge_thres)
			edge_kept[i] = 1;
		else
			g->cut_edge_thres++;
	}
	/* 3. --root, 4. --leaf: what a matching function reaches, or what reaches one */
	uint8_t *leaf_mark = xcalloc(nf ? nf : 1, 1);
	size_t before;
	if (o->nroots) {
		if ((rc = cg_match(p, "--root", o->roots, o->nroots, mark, o->cancel, err)))
			goto done;
		before = cg_count(keep, nf);
		cg_reach(p, &b, edge_kept, keep, mark, -1, 0);
		g->cut_root = before - cg_count(keep, nf);
	}
	if (o->nleaves) {
		if ((rc = cg_match(p, "--leaf", o->leaves, o->nleaves, leaf_mark, o->cancel, err)))
			goto done;
		before = cg_count(keep, nf);
		cg_reach(p, &b, edge_kept, keep, leaf_mark, -1, 1);
		g->cut_leaf = before - cg_count(keep, nf);
	}
	/* 5. --depth: within N calls of a root and of a leaf; alone, of the
	 * graph's entry points: functions nothing kept calls (recursion aside),
	 * or the heaviest when all are in cycles */
	if (o->depth >= 0) {
		before = cg_count(keep, nf);
		if (o->nroots && o->nleaves) {
			/* both distances on the same graph, then both must hold */
			uint8_t *near_leaf = xmalloc(nf ? nf : 1);
			memcpy(near_leaf, keep, nf);
			cg_reach(p, &b, edge_kept, near_leaf, leaf_mark, o->depth, 1);
			cg_reach(p, &b, edge_kept, keep, mark, o->depth, 0);
			for (size_t f = 0; f < nf; f++)
				keep[f] &= near_leaf[f];
			free(near_leaf);
		} else if (o->nroots) {
			cg_reach(p, &b, edge_kept, keep, mark, o->depth, 0);
		} else if (o->nleaves) {
			cg_reach(p, &b, edge_kept, keep, leaf_mark, o->depth, 1);
		}
		if (!o->nroots && !o->nleaves) {
			uint8_t *called = xcalloc(nf ? nf : 1, 1);
			for (size_t i = 0; i < b.n; i++)
				if (edge_kept[i] && b.e[i].caller != b.e[i].callee && keep[b.e[i].caller])
					called[b.e[i].callee] = 1;
			int any = 0;
			int64_t heaviest = -1;
			for (size_t f = 0; f < nf; f++) {
				if (!keep[f])
					continue;
				if (!called[f])
					mark[f] = 1, any = 1;
				if (heaviest < 0 || p->funcs[f].cumtime > p->funcs[heaviest].cumtime)
					heaviest = (int64_t)f;
			}
			if (!any && heaviest >= 0)
				mark[heaviest] = 1;
			free(called);
			cg_reach(p, &b, edge_kept, keep, mark, o->depth, 0);
		}
		g->cut_depth = before - cg_count(keep, nf);
	}

	/* the graph: kept nodes heaviest first, kept edges between them */
	g->nodes = xmalloc((nf ? nf : 1) * sizeof(*g->nodes));
	for (size_t f = 0; f < nf; f++) {
		if (!keep[f])
			continue;
		const struct pv_func *fn = &p->funcs[f];
		struct cg_node *n = &g->nodes[g->nnodes++];
		memset(n, 0, sizeof(*n));
		n->func = (uint32_t)f;
		n->total = fn->cumtime;
		n->self = fn->tottime;
		n->total_ratio = fn->cumtime / denom;
		n->self_ratio = fn->tottime / self_denom;
		n->calls = p->kind == PV_KIND_SAMPLED ? -1 : fn->calls;
		n->pcalls = p->kind == PV_KIND_SAMPLED ? -1 : fn->pcalls;
	}
	qsort(g->nodes, g->nnodes, sizeof(*g->nodes), cg_cmp_nodes);
	uint32_t *node_of = xmalloc((nf ? nf : 1) * sizeof(uint32_t));
	for (size_t k = 0; k < g->nnodes; k++)
		node_of[g->nodes[k].func] = (uint32_t)k;
	g->edges = xmalloc((b.n ? b.n : 1) * sizeof(*g->edges));
	for (size_t i = 0; i < b.n; i++) {
		const struct cg_raw_edge *e = &b.e[i];
		if (!edge_kept[i] || !keep[e->caller] || !keep[e->callee])
			continue;
		g->edges[g->nedges++] = (struct cg_edge){ node_of[e->caller], node_of[e->callee], e->total,
							  e->total / denom, e->calls };
	}
	qsort(g->edges, g->nedges, sizeof(*g->edges), cg_cmp_edges);
	free(node_of);
done:
	free(leaf_mark);
	free(keep);
	free(edge_kept);
	free(mark);
	free(b.e);
	return rc;
}

void callgraph_diff(struct callgraph *g, const struct profile *base, int normalize)
{
	const struct profile *p = g->p;
	int ignore_lines = (p->kind == PV_KIND_CALLS) != (base->kind == PV_KIND_CALLS);
	if (strcmp(profile_unit(base), g->unit))
		normalize = 1;	/* seconds against samples: only shares compare */
	double btotal = base->kind == PV_KIND_CALLS ? base->total_tt : base->total_weight;
	g->diff_normalized = normalize;
	g->diff_scale = normalize && btotal > 0 ? g->total / btotal : 1;
	int64_t *map = func_match(p, base, ignore_lines);
	for (size_t k = 0; k < g->nnodes; k++) {
		struct cg_node *n = &g->nodes[k];
		int64_t b = map[n->func];
		if (b < 0) {
			n->diff = CG_DIFF_NEW;
			continue;
		}
		n->diff = CG_DIFF_BOTH;
		n->base_total = base->funcs[b].cumtime * g->diff_scale;
		n->base_self = base->funcs[b].tottime * g->diff_scale;
	}
	free(map);
}

void callgraph_release(struct callgraph *g)
{
	free(g->nodes);
	free(g->edges);
	memset(g, 0, sizeof(*g));
}
