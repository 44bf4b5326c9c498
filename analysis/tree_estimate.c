/* A call tree for cProfile data, which has no stacks: expand from the calls that
 * no caller accounts for, giving each callee the share of its caller's time that
 * the caller->callee edge carries (snakeviz's approach). Where a function has one
 * caller the split is exact; with several it is proportional, an estimate.
 *
 * What the tree keeps exactly (DESIGN.md §1, "derived trees conserve"): every
 * function's boxes hold its tottime between them, so the tree's total is the
 * profile's total time. The expansion only decides where a function's time
 * goes; the last step hands each function's tottime to its boxes in proportion
 * to the weight the expansion gave them. */
#include "profile.h"
#include "units.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The budget (docs/estimated-tree.md): the frames all boxes hold together, each
 * box its depth, which is what the folded and speedscope writers write out.
 * Linear in the profile, with a floor so that small profiles are never cut. */
#define ESTIMATE_FRAMES_PER_ITEM 4
#define ESTIMATE_MIN_FRAMES (1u << 20)
/* Looking for repeats of a function on a stack walks up it; on a pathological
 * recursion (every function calling every other) that could pass the budget's
 * own cost by far, so those steps are bounded too. */
#define ESTIMATE_WALKS_PER_FRAME 8

/* A candidate box: edge out[i] under node (node 0: the top-level call out[i]). */
struct estimate_cand {
	double w;
	uint32_t node, i;
};

/* What the expansion keeps per node beside the tree: what making its children
 * needs, in one place. */
struct estimate_box {
	double weight;	/* the share of its function's cumtime it holds */
	/* pstats' own number for this box (the edge's cumtime, or the whole
	 * cumtime at the top), which an exact box holds; -1 for none */
	double exact;
	double share;	/* weight / its function's cumtime: its callees' part of their edges */
	uint64_t bloom;	/* a bit per function on its stack (hashed): which need no walk up */
	uint32_t depth;	/* frames on its stack, itself included; 0 for the root */
	uint32_t out_end;	/* its function's edges end here in out */
};

/* One edge out of a function, as the expansion reads it. */
struct estimate_out {
	double ct;	/* cumulative time along it */
	double calls;
	uint32_t callee;
};

/* Per function (and the root, at nfuncs): its cumtime and its edges out,
 * out[out_begin .. out_end), heaviest first; the root's are the top-level calls. */
struct estimate_fn {
	double cumtime;
	uint32_t out_begin, out_end;
};

/* The tree being built, with what is known of each node beside it. */
struct estimate {
	const struct profile *p;
	struct profile *q;
	struct estimate_marks *marks;	/* NULL: not wanted */
	size_t cap_calls;
	struct estimate_box *box;	/* per node */
	size_t cap_box;
	uint32_t *heaviest;	/* per function: its heaviest node, 0 when it has none */
	double *edge_ct;	/* per edge: cumulative time along it (profile_edge_cumtime) */
	struct estimate_fn *fn;
	struct estimate_out *out;
	uint32_t folded;	/* the [folded away] box, 0 until made */
	size_t frames, max_frames;	/* frames the boxes hold (each its depth), the budget */
	size_t walks, max_walks;	/* steps up stacks to find repeats, and their bound */
};

static uint64_t estimate_bit(uint32_t func)
{
	return 1ull << ((func * 0x9e3779b97f4a7c15ull) >> 58);
}

/* A new node of func under parent with this weight, the number it holds when
 * exact, and the calls along its path (for the marks). */
static uint32_t estimate_node(struct estimate *e, uint32_t parent, uint32_t func, double w, double exact,
			      double calls)
{
	uint32_t node = profile_tree_append(e->q, parent, func);
	xgrow((void **)&e->box, &e->cap_box, (size_t)node + 1, sizeof(*e->box));
	const struct estimate_box *up = &e->box[parent];
	const struct estimate_fn *fn = &e->fn[func];
	e->box[node] = (struct estimate_box){ w, exact, fn->cumtime > 0 ? w / fn->cumtime : 0,
					      up->bloom | estimate_bit(func), up->depth + 1, fn->out_end };
	e->frames += up->depth + 1;
	if (!e->heaviest[func] || e->box[e->heaviest[func]].weight < w)
		e->heaviest[func] = node;
	if (e->marks) {
		xgrow((void **)&e->marks->calls, &e->cap_calls, (size_t)node + 1, sizeof(*e->marks->calls));
		e->marks->calls[node] = calls;
	}
	return node;
}

static double estimate_clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A function's state in the components' walk, in one place for the cache. */
struct estimate_scc {
	uint32_t index, low;	/* 0: not seen yet */
	uint32_t cursor;	/* its next callee in the walk */
	uint32_t on;		/* on the stack */
};

/* The strongly connected components of the call graph (Tarjan's, without
 * recursion): comp[f] is f's component; functions that call each other, directly
 * or through others, share one. */
static void estimate_components(const struct profile *p, const struct pv_edge_index *out, const uint32_t *callee,
				uint32_t *comp)
{
	size_t n = p->nfuncs;
	struct estimate_scc *v = xcalloc(n ? n : 1, sizeof(*v));
	uint32_t *stack = xmalloc((n ? n : 1) * sizeof(uint32_t)), *work = xmalloc((n ? n : 1) * sizeof(uint32_t));
	uint32_t next = 1, ncomp = 0;
	size_t sp = 0;
	for (size_t r = 0; r < n; r++) {
		if (v[r].index)
			continue;
		size_t wp = 0;
		work[wp++] = (uint32_t)r;
		v[r] = (struct estimate_scc){ next, next, (uint32_t)out->start[r], 1 };
		next++;
		stack[sp++] = (uint32_t)r;
		while (wp) {
			uint32_t x = work[wp - 1];
			struct estimate_scc *vx = &v[x];
			if (vx->cursor < out->start[x + 1]) {
				uint32_t w = callee[vx->cursor++];
				struct estimate_scc *vw = &v[w];
				if (!vw->index) {
					*vw = (struct estimate_scc){ next, next, (uint32_t)out->start[w], 1 };
					next++;
					stack[sp++] = w;
					work[wp++] = w;
				} else if (vw->on && vw->index < vx->low) {
					vx->low = vw->index;
				}
				continue;
			}
			wp--;
			if (wp && vx->low < v[work[wp - 1]].low)
				v[work[wp - 1]].low = vx->low;
			if (vx->low == vx->index) {
				uint32_t w;
				do {
					w = stack[--sp];
					v[w].on = 0;
					comp[w] = ncomp;
				} while (w != x);
				ncomp++;
			}
		}
	}
	free(v);
	free(stack);
	free(work);
}

/* Each function's callees side by side, in the order of out (callee[k] for
 * out->edge[k]): the edges read in their own order and scattered, since a
 * write out of order costs less than a read. */
static uint32_t *estimate_callees(const struct profile *p, const struct pv_edge_index *out)
{
	uint32_t *callee = xmalloc((p->nedges ? p->nedges : 1) * sizeof(uint32_t));
	size_t *fill = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(size_t));
	memcpy(fill, out->start, p->nfuncs * sizeof(size_t));
	for (size_t i = 0; i < p->nedges; i++)
		callee[fill[p->edges[i].caller]++] = p->edges[i].callee;
	free(fill);
	return callee;
}

/* The time along every edge. cProfile measured it. The profile module's bare
 * counts only say how often, so a callee's cumtime is shared among its callers:
 * - by primitive calls, which are all that cumtime counts: every call from
 *   outside the callee's recursion (its strongly connected component) is one,
 *   and the rest of the callee's primitive calls come from its callers inside
 *   it, in proportion to their calls (a call nested in another call of the same
 *   function adds nothing to its cumtime);
 * - then fitted to both sides in turn (iterative proportional fitting): each
 *   caller's edges to at most its cumtime less its own time, each callee's edges
 *   to its cumtime. A recursive call into itself carries nothing. */
static void estimate_edge_times(const struct profile *p, const struct pv_edge_index *in, const uint32_t *comp,
				double *ct)
{
	size_t nf = p->nfuncs ? p->nfuncs : 1, ne = p->nedges ? p->nedges : 1;
	int counts = 0;
	for (size_t i = 0; i < p->nedges; i++) {
		ct[i] = p->edges[i].cumtime;
		counts |= p->edges[i].kind == PV_EDGE_COUNT;
	}
	if (!counts)
		return;
	uint8_t *fit = xcalloc(ne, 1);	/* fitted to both sides */
	for (size_t g = 0; g < p->nfuncs; g++) {
		double entry = 0, inner = 0;
		for (size_t k = in->start[g]; k < in->start[g + 1]; k++) {
			const struct pv_edge *ed = &p->edges[in->edge[k]];
			if (comp[ed->caller] != comp[g])
				entry += (double)ed->calls;
			else if (ed->caller != g)
				inner += (double)ed->calls;
		}
		const struct pv_func *f = &p->funcs[g];
		/* the primitive calls that come from inside the recursion */
		double prim = (double)f->pcalls, inner_prim = prim - entry > 0 ? prim - entry : 0;
		for (size_t k = in->start[g]; k < in->start[g + 1]; k++) {
			size_t ei = in->edge[k];
			const struct pv_edge *ed = &p->edges[ei];
			if (ed->kind != PV_EDGE_COUNT || ed->caller == g)
				continue;
			double calls = comp[ed->caller] != comp[g] ? (double)ed->calls
				     : inner > 0 ? inner_prim * (double)ed->calls / inner : 0;
			ct[ei] = prim > 0 ? f->cumtime * calls / prim : profile_edge_cumtime(p, ed);
			fit[ei] = 1;
		}
	}
	double *sum = xmalloc(nf * sizeof(double));
	for (int round = 0; round < 32; round++) {
		/* callers: at most their cumtime less their own time */
		memset(sum, 0, nf * sizeof(double));
		for (size_t i = 0; i < p->nedges; i++)
			if (fit[i])
				sum[p->edges[i].caller] += ct[i];
		for (size_t i = 0; i < p->nedges; i++) {
			const struct pv_func *c = &p->funcs[p->edges[i].caller];
			double room = c->cumtime - c->tottime;
			if (fit[i] && c->calls > 0 && sum[p->edges[i].caller] > 0)
				ct[i] *= room > 0 ? room / sum[p->edges[i].caller] : 0;
		}
		/* callees: their cumtime, shared among the callers */
		memset(sum, 0, nf * sizeof(double));
		for (size_t i = 0; i < p->nedges; i++)
			if (fit[i])
				sum[p->edges[i].callee] += ct[i];
		double moved = 0;
		for (size_t i = 0; i < p->nedges; i++) {
			if (!fit[i] || !(sum[p->edges[i].callee] > 0))
				continue;
			double k = p->funcs[p->edges[i].callee].cumtime / sum[p->edges[i].callee];
			moved = fmax(moved, fabs(k - 1));
			ct[i] *= k;
		}
		if (moved < 1e-6)
			break;
	}
	free(sum);
	free(fit);
}

/* The time each function's top-level calls take (the roots' weights), and how
 * many calls that is.
 *
 * A call no caller accounts for is top-level: its count is ncalls minus the
 * calls the caller edges hold. Counting calls, not time, is what finds the
 * roots: `exec` run as `-m MODULE` is also called from inside itself (runpy,
 * importlib), so its caller edges hold more time than its own cumtime. Edges from
 * a function that was never called (the profile module's ('profile', 0,
 * 'profiler')) are top-level calls too.
 *
 * The time of the top-level calls is bounded: at most the function's cumtime
 * (they are primitive calls, all counted there), at least what its callers'
 * edges leave of it. The estimate is the average primitive call's share; then
 * the roots together are moved within their bounds towards the profile's total,
 * since top-level calls never overlap and hold all the time there is. */
static double estimate_roots(struct estimate *e, const struct pv_edge_index *in, double *root, double *root_calls)
{
	const struct profile *p = e->p;
	size_t n = p->nstats;
	double *lo = xcalloc(n ? n : 1, sizeof(double)), *hi = xcalloc(n ? n : 1, sizeof(double));
	/* whether each caller was called itself, in one byte each for the cache */
	uint8_t *called_at_all = xmalloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		called_at_all[i] = p->funcs[i].calls > 0;
	double total = 0, sum = 0, room_up = 0, room_down = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pv_func *f = &p->funcs[i];
		if (f->tottime > 0)
			total += f->tottime;
		double called = 0, ncalled = 0;
		for (size_t k = in->start[i]; k < in->start[i + 1]; k++) {
			const struct pv_edge *ed = &p->edges[in->edge[k]];
			if (ed->caller >= n || !called_at_all[ed->caller])
				continue;	/* a caller never called itself: the profiler's frame */
			ncalled += (double)ed->calls;
			if (ed->caller != i)
				called += e->edge_ct[in->edge[k]];
		}
		double calls = (double)f->calls - ncalled;
		double ct = f->cumtime > 0 ? f->cumtime : 0;
		if (calls <= 0 || ct <= 0)
			continue;
		root_calls[i] = calls;
		hi[i] = ct;
		lo[i] = estimate_clamp(ct - called, 0, ct);
		double prim = f->pcalls > calls ? (double)f->pcalls : calls;
		root[i] = estimate_clamp(ct * calls / prim, lo[i], hi[i]);
		sum += root[i];
		room_up += hi[i] - root[i];
		room_down += root[i] - lo[i];
	}
	if (sum < total && room_up > 0) {
		double k = estimate_clamp((total - sum) / room_up, 0, 1);
		for (size_t i = 0; i < n; i++)
			root[i] += (hi[i] - root[i]) * k;
	} else if (sum > total && room_down > 0) {
		double k = estimate_clamp((sum - total) / room_down, 0, 1);
		for (size_t i = 0; i < n; i++)
			root[i] -= (root[i] - lo[i]) * k;
	}
	free(lo);
	free(hi);
	free(called_at_all);
	return total;
}

/* The candidates, heaviest first: a radix heap, which fits because what is
 * taken out only gets lighter (a box's callees and later edges weigh no more
 * than it). Keys are the weights' bits inverted (positive doubles order as
 * their bits), bucket i holding keys that first differ from the last one taken
 * out at bit i - 1; each candidate moves down a few buckets at most, by
 * appends, which the caches like better than a binary heap's jumps. Equal
 * weights come out in the order of their pushes, which is fixed. */
struct estimate_heap {
	struct estimate_cand *b[65];
	size_t n[65], cap[65];
	uint64_t last;
	size_t size;
};

static uint64_t estimate_key(double w)
{
	uint64_t bits;
	memcpy(&bits, &w, sizeof(bits));
	return ~bits;
}

static int estimate_bucket(const struct estimate_heap *h, uint64_t key)
{
	uint64_t x = key ^ h->last;
	return x ? 64 - __builtin_clzll(x) : 0;
}

static void estimate_push(struct estimate_heap *h, struct estimate_cand c)
{
	int i = estimate_bucket(h, estimate_key(c.w));
	xgrow((void **)&h->b[i], &h->cap[i], h->n[i] + 1, sizeof(*h->b[i]));
	h->b[i][h->n[i]++] = c;
	h->size++;
}

static struct estimate_cand estimate_pop(struct estimate_heap *h)
{
	if (!h->n[0]) {
		int i = 1;
		while (!h->n[i])
			i++;
		uint64_t min = estimate_key(h->b[i][0].w);
		for (size_t k = 1; k < h->n[i]; k++)
			if (estimate_key(h->b[i][k].w) < min)
				min = estimate_key(h->b[i][k].w);
		h->last = min;
		size_t n = h->n[i];
		h->n[i] = 0;
		/* each lands in a lower bucket, so bucket i is not written while read */
		for (size_t k = 0; k < n; k++) {
			struct estimate_cand c = h->b[i][k];
			int j = estimate_bucket(h, estimate_key(c.w));
			xgrow((void **)&h->b[j], &h->cap[j], h->n[j] + 1, sizeof(*h->b[j]));
			h->b[j][h->n[j]++] = c;
		}
	}
	h->size--;
	return h->b[0][--h->n[0]];
}

static void estimate_heap_release(struct estimate_heap *h)
{
	for (int i = 0; i < 65; i++)
		free(h->b[i]);
}

/* Whether func is on node's stack already (the expansion stops at a repeat).
 * Only a call inside func's strongly connected component can repeat it, and the
 * stack between the two frames stays inside that component, so the walk up ends
 * at the first frame outside it; a clear bit in the node's bloom ends it sooner. */
static int estimate_on_stack(struct estimate *e, const uint32_t *comp, uint32_t node, uint32_t func)
{
	if (!(e->box[node].bloom & estimate_bit(func)))
		return 0;
	const struct pv_node *nodes = e->q->nodes;
	for (uint32_t k = node; k; k = nodes[k].parent) {
		e->walks++;
		if (nodes[k].func == func)
			return 1;
		if (comp[nodes[k].func] != comp[func])
			return 0;
	}
	return 0;
}

/* The weight of edge out[i] as a box under node: the edge's share of the
 * node's weight (top boxes: the top-level calls' own). */
static double estimate_cand_weight(const struct estimate *e, uint32_t node, size_t i)
{
	if (!node)
		return e->out[i].ct;
	const struct estimate_box *b = &e->box[node];
	double cw = e->out[i].ct * b->share;
	return cw > b->weight ? b->weight : cw;	/* a callee never holds more than its caller's box */
}

/* The first edge of node's function from out[i] on that makes a box: heavy
 * enough to draw and not a repeat. Pushes it; a repeat is skipped (its time is
 * inside the outer box already), a light edge ends the list (the rest are
 * lighter). */
static void estimate_next(struct estimate *e, struct estimate_heap *h, const uint32_t *comp, uint32_t node,
			  uint32_t i, double min_weight)
{
	for (uint32_t end = e->box[node].out_end; i < end; i++) {
		double cw = estimate_cand_weight(e, node, i);
		if (!(cw >= min_weight) || cw <= 0)
			return;
		if (estimate_on_stack(e, comp, node, e->out[i].callee))
			continue;
		estimate_push(h, (struct estimate_cand){ cw, node, i });
		return;
	}
}

/* Heaviest box first: each callee of a box gets its edge's share of the box's
 * weight. Recursion stops at the first repeat of a function on the stack (the
 * repeat's time is already inside the outer box), and boxes lighter than
 * min_weight are not made; their functions' time goes to their other boxes.
 * When the next box would take the frames past the budget, it and every box
 * lighter are left out, counted in cut. */
static void estimate_expand(struct estimate *e, const uint32_t *comp, double min_weight, struct estimate_cut *cut)
{
	struct estimate_heap h;
	memset(&h, 0, sizeof(h));
	estimate_next(e, &h, comp, 0, e->fn[e->p->nfuncs].out_begin, min_weight);
	while (h.size) {
		struct estimate_cand c = estimate_pop(&h);
		const struct estimate_box *up = &e->box[c.node];
		if (e->frames + up->depth + 1 > e->max_frames || e->walks > e->max_walks) {
			estimate_push(&h, c);
			break;
		}
		const struct estimate_out *o = &e->out[c.i];
		double exact = c.node ? o->ct : e->fn[o->callee].cumtime;
		double calls = o->calls * (up->share < 1 && c.node ? up->share : 1);
		uint32_t child = estimate_node(e, c.node, o->callee, c.w, exact, calls);
		estimate_next(e, &h, comp, c.node, c.i + 1, min_weight);
		estimate_next(e, &h, comp, child, e->fn[o->callee].out_begin, min_weight);
	}
	/* what the budget left out: every box the expansion would still have made
	 * under the boxes it made (not what would have hung below those) */
	memset(cut, 0, sizeof(*cut));
	for (int b = 0; b < 65; b++) {
		for (size_t k = 0; k < h.n[b]; k++) {
			uint32_t node = h.b[b][k].node;
			for (uint32_t i = h.b[b][k].i; i < e->box[node].out_end; i++) {
				double cw = estimate_cand_weight(e, node, i);
				if (!(cw >= min_weight) || cw <= 0)
					break;
				if (estimate_on_stack(e, comp, node, e->out[i].callee))
					continue;
				cut->boxes++;
				cut->weight += cw;
				if (cw > cut->min_weight)
					cut->min_weight = cw;
			}
		}
	}
	cut->max_frames = e->max_frames;
	estimate_heap_release(&h);
}

/* Each function's edges out, heaviest first, and the top-level calls as the
 * root's; edges to functions without stats and edges without time make no box. */
static int estimate_heavier_out(const struct estimate_out *x, const struct estimate_out *y)
{
	if (x->ct != y->ct)
		return x->ct > y->ct;
	return x->callee < y->callee;
}

static int estimate_by_ct_desc(const void *a, const void *b)
{
	return estimate_heavier_out(a, b) ? -1 : estimate_heavier_out(b, a) ? 1 : 0;
}

static void estimate_out_lists(struct estimate *e, const struct pv_edge_index *out, const double *root,
			       const double *root_calls)
{
	const struct profile *p = e->p;
	size_t nf = p->nfuncs;
	e->fn = xmalloc((nf + 1) * sizeof(*e->fn));
	e->out = xmalloc((p->nedges + p->nstats + 1) * sizeof(*e->out));
	/* the edges in their own order, scattered to their callers' places (in the
	 * order of out); those that make no box are left out after */
	size_t *fill = xmalloc((nf + 1) * sizeof(size_t));
	memcpy(fill, out->start, (nf + 1) * sizeof(size_t));
	for (size_t i = 0; i < p->nedges; i++) {
		const struct pv_edge *ed = &p->edges[i];
		e->out[fill[ed->caller]++] = (struct estimate_out){ e->edge_ct[i], (double)ed->calls, ed->callee };
	}
	free(fill);
	uint32_t n = 0;
	for (size_t f = 0; f <= nf; f++) {
		uint32_t begin = n;
		if (f == nf) {
			for (size_t r = 0; r < p->nstats; r++)
				if (root[r] > 0)
					e->out[n++] = (struct estimate_out){ root[r], root_calls[r], (uint32_t)r };
		} else {
			for (size_t k = out->start[f]; k < out->start[f + 1]; k++) {
				const struct estimate_out *o = &e->out[k];	/* k >= n: read before written */
				if (o->callee < p->nstats && o->ct > 0)
					e->out[n++] = *o;
			}
		}
		struct estimate_out *v = e->out + begin;
		size_t m = n - begin;
		if (m > 16) {
			qsort(v, m, sizeof(*v), estimate_by_ct_desc);
		} else {
			for (size_t a = 1; a < m; a++) {	/* most functions call a few others */
				struct estimate_out x = v[a];
				size_t b = a;
				for (; b && estimate_heavier_out(&x, &v[b - 1]); b--)
					v[b] = v[b - 1];
				v[b] = x;
			}
		}
		e->fn[f] = (struct estimate_fn){ f < nf ? p->funcs[f].cumtime : 0, begin, n };
	}
}

static int estimate_by_cumtime_desc(const void *a, const void *b, void *ctx)
{
	const struct profile *p = ctx;
	double x = p->funcs[*(const uint32_t *)a].cumtime, y = p->funcs[*(const uint32_t *)b].cumtime;
	if (x != y)
		return x > y ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* The top box "[folded away]" (made on first use), under which the functions
 * that the budget left without a box get theirs: a function of the tree's own
 * that p has not, with no time of its own. */
static uint32_t estimate_folded_box(struct estimate *e)
{
	if (e->folded)
		return e->folded;
	int64_t f = -1;
	for (int k = 1; f < 0; k++) {
		/* a profile may hold a function of that name already (an export of an
		 * estimate read back): a name of its own */
		char name[48];
		snprintf(name, sizeof(name), k == 1 ? "[folded away]" : "[folded away %d]", k);
		f = profile_append_func(e->q, "", 0, name);
	}
	e->fn[f] = (struct estimate_fn){ 0, 0, 0 };	/* the slot after p's functions, the root's until now */
	e->folded = estimate_node(e, 0, (uint32_t)f, 0, -1, 0);
	return e->folded;
}

/* Functions with time that the expansion gave no box (reached only through boxes
 * too light to draw or left out by the budget, or not at all from a root) get
 * one: under the heaviest box of their heaviest caller that has one while the
 * frames last (then under [folded away]), else at the top. Breadth first, so a
 * chain of such functions hangs together; linear in functions and edges. */
static void estimate_adopt(struct estimate *e, const struct pv_edge_index *in, const struct pv_edge_index *out,
			   const uint32_t *callee)
{
	const struct profile *p = e->p;
	size_t n = p->nstats;
	uint32_t *queue = xmalloc((n ? n : 1) * sizeof(uint32_t));
	uint8_t *queued = xcalloc(n ? n : 1, 1);
	uint32_t *order = xmalloc((n ? n : 1) * sizeof(uint32_t));
	size_t head = 0, tail = 0, norder = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pv_func *f = &p->funcs[i];
		if (e->heaviest[i] || !(f->tottime > 0 || f->cumtime > 0))
			continue;
		order[norder++] = (uint32_t)i;
		for (size_t k = in->start[i]; k < in->start[i + 1]; k++)
			if (e->heaviest[p->edges[in->edge[k]].caller]) {
				queue[tail++] = (uint32_t)i;
				queued[i] = 1;
				break;
			}
	}
	/* where nothing above has a box, the heaviest such function starts a new top:
	 * sorted once the first queue is drained, when few are left */
	int sorted = 0;
	for (size_t next_top = 0;;) {
		while (head < tail) {
			uint32_t f = queue[head++];
			if (e->heaviest[f])
				continue;
			uint32_t parent = 0;
			double best = -1;
			/* with no frame left, any caller with a box will do: it goes under
			 * [folded away] all the same */
			int spent = e->frames + 2 > e->max_frames;
			for (size_t k = in->start[f]; k < in->start[f + 1] && !(spent && parent); k++) {
				size_t ei = in->edge[k];
				uint32_t c = p->edges[ei].caller;
				if (e->heaviest[c] && c != f && e->edge_ct[ei] > best) {
					best = e->edge_ct[ei];
					parent = e->heaviest[c];
				}
			}
			if (parent && (spent || e->frames + e->box[parent].depth + 1 > e->max_frames))
				parent = estimate_folded_box(e);	/* two frames each beyond the budget */
			const struct pv_func *fn = &p->funcs[f];
			double w = fn->cumtime > fn->tottime ? fn->cumtime : fn->tottime;
			estimate_node(e, parent, f, w, -1, (double)fn->calls);
			for (size_t k = out->start[f]; k < out->start[f + 1]; k++) {
				uint32_t c = callee[k];
				if (c < n && !e->heaviest[c] && !queued[c] && (p->funcs[c].tottime > 0 || p->funcs[c].cumtime > 0)) {
					queued[c] = 1;
					queue[tail++] = c;
				}
			}
		}
		if (!sorted) {
			size_t k = 0;
			for (size_t i = 0; i < norder; i++)
				if (!e->heaviest[order[i]])
					order[k++] = order[i];
			norder = k;
			qsort_r(order, norder, sizeof(*order), estimate_by_cumtime_desc, (void *)p);
			sorted = 1;
		}
		while (next_top < norder && e->heaviest[order[next_top]])
			next_top++;
		if (next_top == norder)
			break;
		/* each function enters the queue once: a top was never queued, or it
		 * would have a box by now */
		queued[order[next_top]] = 1;
		queue[tail++] = order[next_top];
	}
	free(queue);
	free(queued);
	free(order);
}

/* Each function's tottime, split over its boxes in proportion to their weights. */
static void estimate_assign_self(struct estimate *e)
{
	const struct profile *p = e->p;
	struct profile *q = e->q;
	double *sum = xcalloc(q->nfuncs ? q->nfuncs : 1, sizeof(double));
	for (size_t i = 1; i < q->nnodes; i++)
		sum[q->nodes[i].func] += e->box[i].weight;
	for (size_t i = 1; i < q->nnodes; i++) {
		if (q->nodes[i].func >= p->nfuncs) {
			q->nodes[i].self = 0;	/* [folded away] */
			continue;
		}
		const struct pv_func *f = &p->funcs[q->nodes[i].func];
		double s = sum[q->nodes[i].func];
		q->nodes[i].self = f->tottime > 0 && s > 0 ? f->tottime * (e->box[i].weight / s) : 0;
	}
	free(sum);
}

/* Renumbers the nodes depth first (each node's children in the order they
 * were made, heaviest first): made heaviest first, the tree lies scattered in
 * memory, and every walk of it (the writers, the icicle) would jump about. */
static void estimate_preorder(struct estimate *e)
{
	struct profile *q = e->q;
	size_t n = q->nnodes;
	uint32_t *first, *next;
	profile_tree_links(q, &first, &next);
	uint32_t *order = xmalloc(n * sizeof(uint32_t)), *newid = xmalloc(n * sizeof(uint32_t));
	uint32_t *cursor = xmalloc(n * sizeof(uint32_t));
	size_t k = 0, depth = 0;
	order[k++] = 0;
	cursor[depth++] = first[0];
	while (depth) {
		uint32_t c = cursor[depth - 1];
		if (!c) {
			depth--;
			continue;
		}
		cursor[depth - 1] = next[c];
		order[k++] = c;
		cursor[depth++] = first[c];
	}
	struct pv_node *nodes = xmalloc(n * sizeof(*nodes));
	struct estimate_box *box = xmalloc(n * sizeof(*box));
	double *calls = e->marks ? xmalloc(n * sizeof(double)) : NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t old = order[i];
		newid[old] = (uint32_t)i;
		nodes[i] = q->nodes[old];
		nodes[i].parent = i ? newid[q->nodes[old].parent] : 0;	/* a parent comes first */
		box[i] = e->box[old];
		if (calls)
			calls[i] = e->marks->calls[old];
	}
	free(q->nodes);
	q->nodes = nodes;
	q->cap_nodes = n;
	free(e->box);
	e->box = box;
	e->cap_box = n;
	if (calls) {
		free(e->marks->calls);
		e->marks->calls = calls;
		e->cap_calls = n;
	}
	free(order);
	free(newid);
	free(cursor);
	free(first);
	free(next);
}

static int estimate_close(double got, double want)
{
	return fabs(got - want) <= 1e-6 * fabs(want) + 1e-15;
}

/* Which boxes hold pstats' own numbers, read from the finished tree: a top box
 * that holds its function's whole cumtime, and a box that holds its edge's
 * cumtime under an exact box that holds its function's whole cumtime. Every other
 * box (a proportional split, time moved to keep tottimes whole, a box of its
 * own for time no path reached) is ESTIMATED, and so is all below it. */
static void estimate_mark(struct estimate *e)
{
	const struct profile *p = e->p;
	const struct profile *q = e->q;
	struct estimate_marks *m = e->marks;
	m->estimated = xmalloc(q->nnodes ? q->nnodes : 1);
	m->estimated[0] = 0;
	for (size_t i = 1; i < q->nnodes; i++) {
		const struct pv_node *n = &q->nodes[i];
		int exact = e->box[i].exact >= 0 && estimate_close(n->total, e->box[i].exact);
		if (exact && n->parent) {
			const struct pv_node *up = &q->nodes[n->parent];
			exact = !m->estimated[n->parent] && up->func < p->nfuncs &&
				estimate_close(up->total, p->funcs[up->func].cumtime);
		}
		m->estimated[i] = !exact;
	}
}

size_t profile_estimate_frames(const struct profile *p)
{
	size_t n = ESTIMATE_FRAMES_PER_ITEM * (p->nfuncs + p->nedges);
	return n > ESTIMATE_MIN_FRAMES ? n : ESTIMATE_MIN_FRAMES;
}

void estimate_cut_describe(const struct estimate_cut *c, const char *unit, char *buf, size_t size)
{
	char under[32], all[32];
	unit_format(c->min_weight, unit, under, sizeof(under));
	unit_format(c->weight, unit, all, sizeof(all));
	snprintf(buf, size, "folded away: %zu boxes under %s (%s in all)", c->boxes, under, all);
}

struct profile *profile_estimate_tree(const struct profile *p, size_t max_frames)
{
	struct estimate_options o = { max_frames, 0 };
	return profile_estimate_tree_marked(p, &o, NULL, NULL);
}

struct profile *profile_estimate_tree_marked(const struct profile *p, const struct estimate_options *o,
					     struct estimate_marks *marks, struct estimate_cut *cut)
{
	struct profile *q = profile_new();
	q->source = p->source ? arena_strdup(&q->arena, p->source) : NULL;
	q->name = p->name ? arena_strdup(&q->arena, p->name) : NULL;
	q->format = p->format ? arena_strdup(&q->arena, p->format) : NULL;
	q->producer = "profview estimate from caller->callee edges";
	q->unit = profile_unit(p);	/* the weights are p's */
	q->source_mtime = p->source_mtime;
	q->id = p->id;
	profile_copy_funcs(q, p);
	profile_tree_begin(q, PV_KIND_SAMPLED);

	size_t nf = p->nfuncs ? p->nfuncs : 1;
	struct estimate e = { .p = p, .q = q, .marks = marks };
	e.max_frames = o->max_frames ? o->max_frames : profile_estimate_frames(p);
	e.max_walks = ESTIMATE_WALKS_PER_FRAME * e.max_frames;
	e.heaviest = xcalloc(nf + 1, sizeof(uint32_t));	/* and [folded away] */
	e.edge_ct = xmalloc((p->nedges ? p->nedges : 1) * sizeof(double));
	struct estimate_cut cut_unused;
	if (!cut)
		cut = &cut_unused;
	if (marks) {
		marks->estimated = NULL;
		marks->calls = NULL;
		xgrow((void **)&marks->calls, &e.cap_calls, 1, sizeof(*marks->calls));
		marks->calls[0] = 0;
	}

	struct pv_edge_index out, in;
	profile_index_edges(p, &out, 0);
	profile_index_edges(p, &in, 1);
	uint32_t *comp = xmalloc(nf * sizeof(uint32_t)), *callee = estimate_callees(p, &out);
	estimate_components(p, &out, callee, comp);
	estimate_edge_times(p, &in, comp, e.edge_ct);
	double *root = xcalloc(nf, sizeof(double)), *root_calls = xcalloc(nf, sizeof(double));
	double total = estimate_roots(&e, &in, root, root_calls);
	estimate_out_lists(&e, &out, root, root_calls);
	free(root);
	free(root_calls);
	xgrow((void **)&e.box, &e.cap_box, 1, sizeof(*e.box));
	e.box[0] = (struct estimate_box){ 0, -1, 0, 0, 0, e.fn[p->nfuncs].out_end };
	estimate_expand(&e, comp, total * 1e-7, cut);
	estimate_adopt(&e, &in, &out, callee);
	estimate_assign_self(&e);
	estimate_preorder(&e);
	if (o->nodes_only)
		profile_tree_finish_nodes(q);
	else
		profile_tree_finish(q);
	if (marks)
		estimate_mark(&e);

	free(comp);
	free(callee);
	free(e.box);
	free(e.heaviest);
	free(e.edge_ct);
	free(e.out);
	free(e.fn);
	pv_edge_index_release(&out);
	pv_edge_index_release(&in);
	return q;
}
