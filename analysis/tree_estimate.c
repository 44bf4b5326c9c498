/* A call tree for cProfile data, which has no stacks: expand from the functions
 * nobody calls, giving each callee the share of its caller's time that the
 * caller->callee edge carries (snakeviz's approach). Where a function has one
 * caller the split is exact; with several it is proportional, an estimate. */
#include "profile.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct estimate_frame {
	uint32_t node, func;
	double weight, children;
	size_t cursor;		/* next edge of func to expand */
	int estimated;		/* this box's weight is a proportional split */
};

/* The marks being recorded: every node is marked as it is made, so the
 * arrays grow with the tree and need no clearing. */
struct estimate_recorder {
	struct estimate_marks *m;	/* NULL: not wanted */
	size_t cap_estimated, cap_calls;
};

static void estimate_mark(struct estimate_recorder *r, uint32_t node, int estimated, double calls)
{
	if (!r->m)
		return;
	xgrow((void **)&r->m->estimated, &r->cap_estimated, (size_t)node + 1, sizeof(*r->m->estimated));
	xgrow((void **)&r->m->calls, &r->cap_calls, (size_t)node + 1, sizeof(*r->m->calls));
	r->m->estimated[node] = (uint8_t)estimated;
	r->m->calls[node] = calls;
}

struct profile *profile_estimate_tree(const struct profile *p, size_t max_nodes)
{
	return profile_estimate_tree_marked(p, max_nodes, NULL);
}

struct profile *profile_estimate_tree_marked(const struct profile *p, size_t max_nodes, struct estimate_marks *marks)
{
	struct profile *q = profile_new();
	q->source = p->source ? arena_strdup(&q->arena, p->source) : NULL;
	q->name = p->name ? arena_strdup(&q->arena, p->name) : NULL;
	q->format = p->format ? arena_strdup(&q->arena, p->format) : NULL;
	q->producer = "profview estimate from caller->callee edges";
	q->unit = profile_unit(p);	/* the weights are p's */
	q->source_mtime = p->source_mtime;
	q->id = p->id;
	for (size_t i = 0; i < p->nfuncs; i++)
		profile_func_like(q, p, &p->funcs[i], NULL);
	profile_tree_begin(q, PV_KIND_SAMPLED);
	struct pv_edge_index out;
	profile_index_edges(p, &out, 0);
	struct pv_edge_index in;
	profile_index_edges(p, &in, 1);
	/* A root's weight is the time its callers do not account for: all of it
	 * for a function nobody calls, the top-level call of one that is also
	 * called from inside (exec, run through imports). */
	double *root = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(double)), total = 0;
	double *root_calls = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(double));
	for (size_t i = 0; i < p->nstats; i++) {
		double called = 0, ncalled = 0;
		for (size_t k = in.start[i]; k < in.start[i + 1]; k++) {
			const struct pv_edge *e = &p->edges[in.edge[k]];
			if (e->caller != i && e->kind == PV_EDGE_TIMED)
				called += e->cumtime;
			if (e->caller != i)
				ncalled += (double)e->calls;
		}
		root_calls[i] = (double)p->funcs[i].calls > ncalled ? (double)p->funcs[i].calls - ncalled : 0;
		double rest = p->funcs[i].cumtime - called;
		if (in.start[i + 1] == in.start[i] || rest > p->funcs[i].cumtime * 0.005)
			root[i] = rest > 0 ? rest : 0;
		total += root[i];
	}
	double min_weight = total * 1e-7;
	uint32_t *onpath = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(uint32_t));
	size_t cap = 64, depth = 0;
	struct estimate_frame *st = xmalloc(cap * sizeof(*st));
	struct estimate_recorder rec = { marks, 0, 0 };
	if (marks) {
		marks->estimated = NULL;
		marks->calls = NULL;
	}
	estimate_mark(&rec, 0, 0, 0);
	for (size_t r = 0; r < p->nstats; r++) {
		if (root[r] <= 0)
			continue;
		uint32_t node = profile_tree_child(q, 0, (uint32_t)r);
		estimate_mark(&rec, node, 0, root_calls[r]);
		st[depth++] = (struct estimate_frame){ node, (uint32_t)r, root[r], 0, out.start[r], 0 };
		onpath[r]++;
		while (depth) {
			struct estimate_frame *fr = &st[depth - 1];
			if (fr->cursor == out.start[fr->func + 1]) {
				double self = fr->weight - fr->children;
				q->nodes[fr->node].self += self > 0 ? self : 0;
				onpath[fr->func]--;
				depth--;
				if (depth)
					st[depth - 1].children += fr->weight;
				continue;
			}
			const struct pv_edge *e = &p->edges[out.edge[fr->cursor++]];
			const struct pv_func *caller = &p->funcs[fr->func];
			double share = caller->cumtime > 0 ? fr->weight / caller->cumtime : 0;
			double w = e->cumtime * share;
			if (w > fr->weight - fr->children)
				w = fr->weight - fr->children;	/* rounding in the file: never exceed the parent */
			if (onpath[e->callee] || w < min_weight || w <= 0 || q->nnodes >= max_nodes)
				continue;
			uint32_t child = profile_tree_child(q, fr->node, e->callee);
			/* exact only while the parent box holds all of its function's time */
			int est = share < 1 - 1e-9 || fr->estimated;
			estimate_mark(&rec, child, est, (double)e->calls * (share < 1 ? share : 1));
			if (depth == cap) {
				xgrow((void **)&st, &cap, depth + 1, sizeof(*st));
				fr = &st[depth - 1];
			}
			st[depth++] = (struct estimate_frame){ child, e->callee, w, 0, out.start[e->callee], est };
			onpath[e->callee]++;
		}
	}
	free(st);
	free(onpath);
	free(root);
	free(root_calls);
	pv_edge_index_release(&out);
	pv_edge_index_release(&in);
	profile_tree_finish(q);
	return q;
}
