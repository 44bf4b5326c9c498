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
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct estimate_frame {
	uint32_t node, func;
	double weight;
	size_t cursor;		/* next edge of func to expand */
};

/* The tree being built, with what is known of each node beside it. */
struct estimate {
	const struct profile *p;
	struct profile *q;
	struct estimate_marks *marks;	/* NULL: not wanted */
	size_t cap_calls;
	double *weight;		/* per node: the share of its function's cumtime it holds */
	/* per node: pstats' own number for this box (the edge's cumtime, or the
	 * whole cumtime at the top), which an exact box holds; -1 for none */
	double *exact;
	size_t cap_weight, cap_exact;
	uint32_t *heaviest;	/* per function: its heaviest node, 0 when it has none */
	double *edge_ct;	/* per edge: cumulative time along it (profile_edge_cumtime) */
};

/* A new node of func under parent with this weight, the number it holds when
 * exact, and the calls along its path (for the marks). */
static uint32_t estimate_node(struct estimate *e, uint32_t parent, uint32_t func, double w, double exact,
			      double calls)
{
	uint32_t node = profile_tree_child(e->q, parent, func);
	xgrow((void **)&e->weight, &e->cap_weight, (size_t)node + 1, sizeof(*e->weight));
	xgrow((void **)&e->exact, &e->cap_exact, (size_t)node + 1, sizeof(*e->exact));
	e->weight[node] = w;
	e->exact[node] = exact;
	if (!e->heaviest[func] || e->weight[e->heaviest[func]] < w)
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

/* The strongly connected components of the call graph (Tarjan's, without
 * recursion): comp[f] is f's component; functions that call each other, directly
 * or through others, share one. */
static void estimate_components(const struct profile *p, const struct pv_edge_index *out, uint32_t *comp)
{
	size_t n = p->nfuncs;
	uint32_t *index = xcalloc(n ? n : 1, sizeof(uint32_t)), *low = xmalloc((n ? n : 1) * sizeof(uint32_t));
	uint32_t *stack = xmalloc((n ? n : 1) * sizeof(uint32_t)), *work = xmalloc((n ? n : 1) * sizeof(uint32_t));
	size_t *cursor = xmalloc((n ? n : 1) * sizeof(size_t));
	uint8_t *on = xcalloc(n ? n : 1, 1);
	uint32_t next = 1, ncomp = 0;
	size_t sp = 0;
	for (size_t r = 0; r < n; r++) {
		if (index[r])
			continue;
		size_t wp = 0;
		work[wp++] = (uint32_t)r;
		index[r] = low[r] = next++;
		cursor[r] = out->start[r];
		stack[sp++] = (uint32_t)r;
		on[r] = 1;
		while (wp) {
			uint32_t v = work[wp - 1];
			if (cursor[v] < out->start[v + 1]) {
				uint32_t w = p->edges[out->edge[cursor[v]++]].callee;
				if (!index[w]) {
					index[w] = low[w] = next++;
					cursor[w] = out->start[w];
					stack[sp++] = w;
					on[w] = 1;
					work[wp++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			wp--;
			if (wp && low[v] < low[work[wp - 1]])
				low[work[wp - 1]] = low[v];
			if (low[v] == index[v]) {
				uint32_t w;
				do {
					w = stack[--sp];
					on[w] = 0;
					comp[w] = ncomp;
				} while (w != v);
				ncomp++;
			}
		}
	}
	free(index);
	free(low);
	free(stack);
	free(work);
	free(cursor);
	free(on);
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
static void estimate_edge_times(const struct profile *p, const struct pv_edge_index *in,
				const struct pv_edge_index *out, double *ct)
{
	size_t nf = p->nfuncs ? p->nfuncs : 1, ne = p->nedges ? p->nedges : 1;
	int counts = 0;
	for (size_t i = 0; i < p->nedges; i++) {
		ct[i] = p->edges[i].cumtime;
		counts |= p->edges[i].kind == PV_EDGE_COUNT;
	}
	if (!counts)
		return;
	uint32_t *comp = xmalloc(nf * sizeof(uint32_t));
	estimate_components(p, out, comp);
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
	free(comp);
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
	double total = 0, sum = 0, room_up = 0, room_down = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pv_func *f = &p->funcs[i];
		if (f->tottime > 0)
			total += f->tottime;
		double called = 0, ncalled = 0;
		for (size_t k = in->start[i]; k < in->start[i + 1]; k++) {
			const struct pv_edge *ed = &p->edges[in->edge[k]];
			const struct pv_func *caller = &p->funcs[ed->caller];
			if (ed->caller >= n || caller->calls <= 0)
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
	return total;
}

/* Depth first from one root: each callee gets its edge's share of the box's
 * weight. Recursion stops at the first repeat of a function on the path (the
 * repeat's time is already inside the outer box), and boxes lighter than
 * min_weight are not made; their functions' time goes to their other boxes. */
static void estimate_expand(struct estimate *e, uint32_t root_func, double w, double calls,
			    const struct pv_edge_index *out, uint32_t *onpath, struct estimate_frame **st, size_t *cap,
			    double min_weight, size_t max_nodes)
{
	const struct profile *p = e->p;
	size_t depth = 0;
	uint32_t node = estimate_node(e, 0, root_func, w, p->funcs[root_func].cumtime, calls);
	(*st)[depth++] = (struct estimate_frame){ node, root_func, w, out->start[root_func] };
	onpath[root_func]++;
	while (depth) {
		struct estimate_frame *fr = &(*st)[depth - 1];
		if (fr->cursor == out->start[fr->func + 1]) {
			onpath[fr->func]--;
			depth--;
			continue;
		}
		size_t ei = out->edge[fr->cursor++];
		const struct pv_edge *ed = &p->edges[ei];
		const struct pv_func *caller = &p->funcs[fr->func];
		double share = caller->cumtime > 0 ? fr->weight / caller->cumtime : 0;
		double cw = e->edge_ct[ei] * share;
		if (cw > fr->weight)
			cw = fr->weight;	/* a callee never holds more than its caller's box */
		if (ed->callee >= p->nstats || onpath[ed->callee] || cw < min_weight || cw <= 0 ||
		    e->q->nnodes >= max_nodes)
			continue;
		uint32_t child = estimate_node(e, fr->node, ed->callee, cw, e->edge_ct[ei],
					       (double)ed->calls * (share < 1 ? share : 1));
		if (depth == *cap) {
			xgrow((void **)st, cap, depth + 1, sizeof(**st));
			fr = &(*st)[depth - 1];
		}
		(*st)[depth++] = (struct estimate_frame){ child, ed->callee, cw, out->start[ed->callee] };
		onpath[ed->callee]++;
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

/* Functions with time that the expansion gave no box (reached only through boxes
 * too light to draw, or not at all from a root) get one: under the heaviest box
 * of their heaviest caller that has one, else at the top. Breadth first, so a
 * chain of such functions hangs together; linear in functions and edges. */
static void estimate_adopt(struct estimate *e, const struct pv_edge_index *in, const struct pv_edge_index *out)
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
	/* where nothing above has a box, the heaviest such function starts a new top */
	qsort_r(order, norder, sizeof(*order), estimate_by_cumtime_desc, (void *)p);
	for (size_t next_top = 0;;) {
		while (head < tail) {
			uint32_t f = queue[head++];
			if (e->heaviest[f])
				continue;
			uint32_t parent = 0;
			double best = -1;
			for (size_t k = in->start[f]; k < in->start[f + 1]; k++) {
				size_t ei = in->edge[k];
				uint32_t c = p->edges[ei].caller;
				if (e->heaviest[c] && c != f && e->edge_ct[ei] > best) {
					best = e->edge_ct[ei];
					parent = e->heaviest[c];
				}
			}
			const struct pv_func *fn = &p->funcs[f];
			double w = fn->cumtime > fn->tottime ? fn->cumtime : fn->tottime;
			estimate_node(e, parent, f, w, -1, (double)fn->calls);
			for (size_t k = out->start[f]; k < out->start[f + 1]; k++) {
				uint32_t c = p->edges[out->edge[k]].callee;
				if (c < n && !e->heaviest[c] && !queued[c] && (p->funcs[c].tottime > 0 || p->funcs[c].cumtime > 0)) {
					queued[c] = 1;
					queue[tail++] = c;
				}
			}
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
	double *sum = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(double));
	for (size_t i = 1; i < q->nnodes; i++)
		sum[q->nodes[i].func] += e->weight[i];
	for (size_t i = 1; i < q->nnodes; i++) {
		const struct pv_func *f = &p->funcs[q->nodes[i].func];
		double s = sum[q->nodes[i].func];
		q->nodes[i].self = f->tottime > 0 && s > 0 ? f->tottime * (e->weight[i] / s) : 0;
	}
	free(sum);
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
		int exact = e->exact[i] >= 0 && estimate_close(n->total, e->exact[i]);
		if (exact && n->parent) {
			const struct pv_node *up = &q->nodes[n->parent];
			exact = !m->estimated[n->parent] && estimate_close(up->total, p->funcs[up->func].cumtime);
		}
		m->estimated[i] = !exact;
	}
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

	size_t nf = p->nfuncs ? p->nfuncs : 1;
	struct estimate e = { .p = p, .q = q, .marks = marks };
	e.heaviest = xcalloc(nf, sizeof(uint32_t));
	e.edge_ct = xmalloc((p->nedges ? p->nedges : 1) * sizeof(double));
	xgrow((void **)&e.weight, &e.cap_weight, 1, sizeof(*e.weight));
	xgrow((void **)&e.exact, &e.cap_exact, 1, sizeof(*e.exact));
	e.weight[0] = 0;
	e.exact[0] = -1;
	if (marks) {
		marks->estimated = NULL;
		marks->calls = NULL;
		xgrow((void **)&marks->calls, &e.cap_calls, 1, sizeof(*marks->calls));
		marks->calls[0] = 0;
	}

	struct pv_edge_index out, in;
	profile_index_edges(p, &out, 0);
	profile_index_edges(p, &in, 1);
	estimate_edge_times(p, &in, &out, e.edge_ct);
	double *root = xcalloc(nf, sizeof(double)), *root_calls = xcalloc(nf, sizeof(double));
	double total = estimate_roots(&e, &in, root, root_calls);
	uint32_t *onpath = xcalloc(nf, sizeof(uint32_t));
	size_t cap = 64;
	struct estimate_frame *st = xmalloc(cap * sizeof(*st));
	for (size_t r = 0; r < p->nstats; r++)
		if (root[r] > 0 && q->nnodes < max_nodes)
			estimate_expand(&e, (uint32_t)r, root[r], root_calls[r], &out, onpath, &st, &cap, total * 1e-7,
					max_nodes);
	estimate_adopt(&e, &in, &out);
	estimate_assign_self(&e);
	profile_tree_finish(q);
	if (marks)
		estimate_mark(&e);

	free(st);
	free(onpath);
	free(root);
	free(root_calls);
	free(e.weight);
	free(e.exact);
	free(e.heaviest);
	free(e.edge_ct);
	pv_edge_index_release(&out);
	pv_edge_index_release(&in);
	return q;
}
