/* The sandwich view of one function: its callers above it and its callees below
 * it, each merged over every stack the function is on (as speedscope shows it).
 * Built over a chart's pre-order tree, so cProfile's estimated tree serves too. */
#include "icicle.h"
#include "u64map.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A tree grown node by node (a parent before its children), merged by
 * (parent, function), then laid out in pre-order as a chart. */
struct sandwich_tree {
	uint32_t *parent, *func;
	uint8_t *flags;
	double *self, *count;
	size_t n, cap;
	struct u64_map kids;
};

static void sandwich_tree_init(struct sandwich_tree *t, size_t expect)
{
	memset(t, 0, sizeof(*t));
	u64_map_init(&t->kids, expect);
}

static uint32_t sandwich_node(struct sandwich_tree *t, uint32_t parent, uint32_t func)
{
	uint64_t key = ((uint64_t)parent << 32) | func;
	int64_t have = t->n ? u64_map_get(&t->kids, key) : -1;
	if (have >= 0)
		return (uint32_t)have;
	if (t->n == t->cap) {
		/* parallel arrays: one capacity for all */
		t->cap = t->cap ? 2 * t->cap : 64;
		t->parent = xrealloc(t->parent, t->cap * sizeof(uint32_t));
		t->func = xrealloc(t->func, t->cap * sizeof(uint32_t));
		t->flags = xrealloc(t->flags, t->cap);
		t->self = xrealloc(t->self, t->cap * sizeof(double));
		t->count = xrealloc(t->count, t->cap * sizeof(double));
	}
	uint32_t me = (uint32_t)t->n++;
	t->parent[me] = parent;
	t->func[me] = func;
	t->flags[me] = 0;
	t->self[me] = t->count[me] = 0;
	if (me)
		u64_map_put(&t->kids, key, me);
	return me;
}

/* Lays the grown tree out in pre-order into a chart that borrows from's tree. */
static void sandwich_finish(struct sandwich_tree *t, const struct icicle *from, struct icicle *out)
{
	size_t n = t->n;
	memset(out, 0, sizeof(*out));
	out->tree = from->tree;
	out->count_is_samples = from->count_is_samples;
	out->estimated = from->estimated;
	out->est_cut = from->est_cut;
	out->diff_scale = 1;
	out->depth = -1;
	uint32_t *size = xmalloc(n * sizeof(uint32_t)), *pos = xmalloc(n * sizeof(uint32_t));
	uint32_t *next = xmalloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		size[i] = 1;
	for (size_t i = n; i-- > 1;)
		size[t->parent[i]] += size[i];
	/* children come after their parent: each takes the next free slot of its parent's run */
	pos[0] = 0;
	next[0] = 1;
	for (size_t i = 1; i < n; i++) {
		pos[i] = next[t->parent[i]];
		next[t->parent[i]] += size[i];
		next[i] = pos[i] + 1;
	}
	out->n = n;
	out->parent = xmalloc(n * sizeof(uint32_t));
	out->func = xmalloc(n * sizeof(uint32_t));
	out->flags = xmalloc(n);
	out->self = xmalloc(n * sizeof(double));
	out->count = xmalloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		uint32_t p = pos[i];
		out->parent[p] = pos[t->parent[i]];
		out->func[p] = t->func[i];
		out->flags[p] = t->flags[i];
		out->self[p] = t->self[i];
		out->count[p] = t->count[i];
	}
	free(size);
	free(pos);
	free(next);
	free(t->parent);
	free(t->func);
	free(t->flags);
	free(t->self);
	free(t->count);
	u64_map_release(&t->kids);
	memset(t, 0, sizeof(*t));
}

int icicle_sandwich(const struct icicle *ic, uint32_t f, size_t max_work, struct icicle *callers,
		    struct icicle *callees, struct pv_error *err)
{
	size_t n = ic->n;
	double *total = icicle_subtree_sums(ic, ic->self);
	double *through = icicle_subtree_sums(ic, ic->count);
	/* below[i]: node i's place in the callee tree, or UINT32_MAX outside f's frames */
	uint32_t *below = xmalloc((n ? n : 1) * sizeof(uint32_t));
	struct sandwich_tree up, down;
	sandwich_tree_init(&up, 64);
	sandwich_tree_init(&down, 64);
	uint32_t up_f = sandwich_node(&up, sandwich_node(&up, 0, PV_NO_FUNC), f);
	uint32_t down_f = sandwich_node(&down, sandwich_node(&down, 0, PV_NO_FUNC), f);
	size_t work = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		below[i] = UINT32_MAX;
		if (i == 0)
			continue;
		if (i % 65536 == 0 && pv_cancelled(ic->cancel)) {
			rc = pv_cancel_fail(err);
			goto done;
		}
		uint32_t pb = below[ic->parent[i]];
		if (pb != UINT32_MAX) {
			/* inside an outer frame of f: merged below it */
			uint32_t d = sandwich_node(&down, pb, ic->func[i]);
			down.self[d] += ic->self[i];
			down.count[d] += ic->count[i];
			down.flags[d] |= ic->flags[i] & (ICICLE_ESTIMATED | ICICLE_CUT);
			below[i] = d;
			continue;
		}
		if (ic->func[i] != f)
			continue;
		/* an outermost frame of f */
		below[i] = down_f;
		down.self[down_f] += ic->self[i];
		down.count[down_f] += ic->count[i];
		down.flags[down_f] |= ic->flags[i] & (ICICLE_ESTIMATED | ICICLE_CUT);
		double calls = ic->count_is_samples ? through[i] : ic->count[i];
		uint32_t u = up_f;
		if (!ic->count_is_samples)
			up.count[u] += calls;
		up.flags[u] |= ic->flags[i] & ICICLE_ESTIMATED;
		for (uint32_t a = ic->parent[i]; a != 0; a = ic->parent[a]) {
			if (++work > max_work) {
				rc = pv_error_set(err, "the callers of this function are too many and too deep to show");
				err->kind = PV_ERROR_LIMIT;
				goto done;
			}
			if (work % 65536 == 0 && pv_cancelled(ic->cancel)) {
				rc = pv_cancel_fail(err);
				goto done;
			}
			u = sandwich_node(&up, u, ic->func[a]);
			if (!ic->count_is_samples)
				up.count[u] += calls;
			up.flags[u] |= ic->flags[i] & ICICLE_ESTIMATED;
		}
		/* the stack's weight ends where the stack starts: the top */
		up.self[u] += total[i];
		if (ic->count_is_samples)
			up.count[u] += calls;
	}
done:
	free(total);
	free(through);
	free(below);
	sandwich_finish(&up, ic, callers);
	sandwich_finish(&down, ic, callees);
	if (rc) {
		icicle_release(callers);
		icicle_release(callees);
	}
	return rc;
}
