/* The icicle chart's tree: pre-order, cut to a node budget, optionally with a
 * base profile's weights of the same stacks (docs/icicle-data.md). */
#include "icicle.h"
#include "func_match.h"
#include "u64map.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A double as a key that orders as the numbers do (negatives below positives). */
static uint64_t icicle_order_key(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | (1ull << 63);
}

/* The k-th largest of w[0..n) (k from 0), by 16 bits of the keys at a time:
 * each round counts the candidates' next bits and keeps the one bucket that
 * holds the k-th; linear, whatever the values. Reorders w. */
static double icicle_kth_largest(double *w, size_t n, size_t k)
{
	size_t *count = xmalloc(65536 * sizeof(size_t));
	for (int shift = 48; shift >= 0 && n > 1; shift -= 16) {
		memset(count, 0, 65536 * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			count[(icicle_order_key(w[i]) >> shift) & 0xffff]++;
		size_t b = 65536;
		while (b-- > 0) {
			if (k < count[b])
				break;
			k -= count[b];
		}
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (((icicle_order_key(w[i]) >> shift) & 0xffff) == b)
				w[m++] = w[i];
		n = m;
	}
	free(count);
	return w[0];	/* every one left has the same key: the k-th */
}

/* The total a node must exceed to be kept when only max_nodes may stay (the
 * root always does); -1 keeps everything. A child never weighs more than its
 * parent, so what is kept stays a tree. */
static double icicle_cut_weight(const struct profile *t, size_t max_nodes)
{
	if (t->nnodes <= max_nodes || max_nodes < 2)
		return -1;
	size_t m = t->nnodes - 1;
	double *w = xmalloc(m * sizeof(double));
	for (size_t i = 0; i < m; i++)
		w[i] = t->nodes[i + 1].total;
	double cut = icicle_kth_largest(w, m, max_nodes - 1);	/* the first that does not fit */
	free(w);
	return cut;
}

/* How many nodes go between two looks at the cancel flag. */
#define ICICLE_CHECK_EVERY 65536

int icicle_build(struct icicle *ic, const struct profile *p, const struct icicle_options *o)
{
	memset(ic, 0, sizeof(*ic));
	ic->diff_scale = 1;
	ic->depth = -1;
	ic->cancel = o->cancel;
	if (pv_cancelled(o->cancel))
		return -1;
	struct estimate_marks marks = { NULL, NULL };
	const struct profile *t = p;
	if (p->kind == PV_KIND_CALLS) {
		struct estimate_options eo = { 0, 1 };
		ic->owned = profile_estimate_tree_marked(p, &eo, &marks, &ic->est_cut);
		t = ic->owned;
		ic->estimated = 1;
	}
	ic->tree = t;
	if (pv_cancelled(o->cancel)) {
		free(marks.estimated);
		free(marks.calls);
		icicle_release(ic);
		return -1;
	}
	ic->count_is_samples = t->kind == PV_KIND_SAMPLED && !ic->estimated;
	size_t n = t->nnodes;
	double cut = icicle_cut_weight(t, o->max_nodes);
	ic->cut_min_weight = cut > 0 ? cut : 0;

	/* samples through each node, for what a cut folds into its parent */
	double *through = NULL;
	if (cut >= 0 && ic->count_is_samples) {
		through = xmalloc(n * sizeof(double));
		for (size_t i = 0; i < n; i++)
			through[i] = (double)t->nodes[i].count;
		for (size_t i = n - 1; i > 0; i--)
			through[t->nodes[i].parent] += through[i];
	}

	ic->parent = xmalloc(n * sizeof(uint32_t));
	ic->func = xmalloc(n * sizeof(uint32_t));
	ic->flags = xcalloc(n, 1);
	ic->self = xmalloc(n * sizeof(double));
	ic->count = xmalloc(n * sizeof(double));
	uint32_t *first, *next;
	profile_tree_links(t, &first, &next);
	uint32_t *stack = xmalloc(n * sizeof(uint32_t)), *at = xmalloc(n * sizeof(uint32_t));
	size_t depth = 0, k = 0;
	stack[depth++] = 0;
	int stopped = 0;
	while (depth) {
		if (k % ICICLE_CHECK_EVERY == ICICLE_CHECK_EVERY - 1 && pv_cancelled(o->cancel)) {
			stopped = 1;
			break;
		}
		uint32_t id = stack[--depth];
		const struct pv_node *nd = &t->nodes[id];
		uint32_t me = (uint32_t)k++;
		at[id] = me;
		ic->parent[me] = id ? at[nd->parent] : 0;
		ic->func[me] = nd->func;
		ic->self[me] = nd->self;
		ic->count[me] = ic->estimated ? marks.calls[id] : (double)nd->count;
		if (ic->estimated && marks.estimated[id])
			ic->flags[me] |= ICICLE_ESTIMATED;
		/* children pushed in reverse so they come out in link order */
		size_t mark = depth;
		for (uint32_t c = first[id]; c; c = next[c]) {
			if (cut >= 0 && !(t->nodes[c].total > cut)) {
				ic->self[me] += t->nodes[c].total;
				if (ic->count_is_samples)
					ic->count[me] += through[c];
				ic->flags[me] |= ICICLE_CUT;
				continue;
			}
			stack[depth++] = c;
		}
		for (size_t a = mark, b = depth; a + 1 < b; a++, b--) {
			uint32_t x = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = x;
		}
	}
	ic->n = k;
	ic->cut_nodes = n - k;
	free(stack);
	free(at);
	free(first);
	free(next);
	free(through);
	free(marks.estimated);
	free(marks.calls);
	if (stopped) {
		icicle_release(ic);
		return -1;
	}
	return 0;
}

void icicle_diff(struct icicle *ic, const struct profile *base, int normalize)
{
	struct profile *est = NULL;
	const struct profile *bt = base;
	if (base->kind == PV_KIND_CALLS) {
		struct estimate_options eo = { 0, 1 };
		bt = est = profile_estimate_tree_marked(base, &eo, NULL, NULL);
	}
	const struct profile *t = ic->tree;
	int ignore_lines = (base->kind == PV_KIND_CALLS) != ic->estimated;
	if (strcmp(profile_unit(t), profile_unit(bt)))
		normalize = 1;	/* seconds against samples: only shares compare */
	double nt = t->nnodes ? t->nodes[0].total : 0, btot = bt->nnodes ? bt->nodes[0].total : 0;
	ic->diff_normalized = normalize;
	ic->diff_scale = normalize && btot > 0 ? nt / btot : 1;
	ic->base_weight = btot;

	int64_t *fmap = func_match(t, bt, ignore_lines);
	/* BASE's children by (parent, func) */
	struct u64_map kids;
	u64_map_init(&kids, bt->nnodes);
	for (size_t i = 1; i < bt->nnodes; i++)
		u64_map_put(&kids, ((uint64_t)bt->nodes[i].parent << 32) | bt->nodes[i].func, (int64_t)i);

	int64_t *bnode = xmalloc(ic->n * sizeof(int64_t));
	ic->base_self = xcalloc(ic->n, sizeof(double));
	ic->base_total = xcalloc(ic->n, sizeof(double));
	for (size_t i = 0; i < ic->n; i++) {
		int64_t b = 0;
		if (i) {
			int64_t bp = bnode[ic->parent[i]], bf = fmap[ic->func[i]];
			b = bp >= 0 && bf >= 0 ? u64_map_get(&kids, ((uint64_t)bp << 32) | (uint64_t)bf) : -1;
		}
		bnode[i] = b;
		if (b < 0 || !bt->nnodes) {
			ic->flags[i] |= ICICLE_NEW;
			continue;
		}
		ic->base_self[i] = bt->nodes[b].self * ic->diff_scale;
		ic->base_total[i] = bt->nodes[b].total * ic->diff_scale;
	}
	free(bnode);
	free(fmap);
	u64_map_release(&kids);
	profile_free(est);
}

double *icicle_subtree_sums(const struct icicle *ic, const double *v)
{
	double *s = xmalloc((ic->n ? ic->n : 1) * sizeof(double));
	memcpy(s, v, ic->n * sizeof(double));
	for (size_t i = ic->n; i-- > 1;)
		s[ic->parent[i]] += s[i];
	return s;
}

void icicle_release(struct icicle *ic)
{
	free(ic->parent);
	free(ic->func);
	free(ic->flags);
	free(ic->self);
	free(ic->count);
	free(ic->base_self);
	free(ic->base_total);
	free(ic->root_path);
	free(ic->root_path_total);
	profile_free(ic->owned);
	memset(ic, 0, sizeof(*ic));
}
