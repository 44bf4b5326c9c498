#include "filter.h"
#include "pv_regex.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { M_FOCUS = 1, M_IGNORE = 2, M_HIDE = 4, M_ROOT = 8 };

/* Which options match each function; std: match "file:line(name)" (cProfile
 * data and its estimate), else "name (file:line)". */
static int filter_match(const struct profile *p, const struct filter_options *o, int std, unsigned char *m,
			struct pv_error *err)
{
	struct { const char *const *re; size_t n; unsigned bit; const char *opt; } sets[] = {
		{ o->focus, o->nfocus, M_FOCUS, "--focus" },
		{ o->ignore, o->nignore, M_IGNORE, "--ignore" },
		{ o->hide, o->nhide, M_HIDE, "--hide" },
		{ &o->root, o->root ? 1 : 0, M_ROOT, "--root" },
	};
	int py2 = p->dialect == PV_DIALECT_PY2;
	char *buf = NULL;
	size_t cap = 0;
	int rc = 0;
	memset(m, 0, p->nfuncs ? p->nfuncs : 1);
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]) && !rc; s++) {
		for (size_t k = 0; k < sets[s].n; k++) {
			char why[300];
			struct pv_regex *re = pv_regex_compile(sets[s].re[k], py2, why, sizeof(why));
			if (!re) {
				err->usage = 1;
				rc = pv_error_set(err, "bad %s '%s': %s", sets[s].opt, sets[s].re[k], why);
				break;
			}
			for (size_t f = 0; f < p->nfuncs; f++) {
				if (m[f] & sets[s].bit)
					continue;
				size_t len = std ? profile_std_name_buf(p, &p->funcs[f], &buf, &cap)
						 : profile_frame_name_buf(p, &p->funcs[f], &buf, &cap);
				int found = pv_regex_search(re, buf, len);
				if (found < 0) {
					rc = pv_regex_fail(re, sets[s].re[k], err);
					break;
				}
				if (found)
					m[f] |= (unsigned char)sets[s].bit;
			}
			pv_regex_free(re);
			if (rc)
				break;
		}
	}
	free(buf);
	return rc;
}

/* The input's facts, not its name: the result is another profile. */
static void filter_copy_meta(const struct profile *p, struct profile *q)
{
	q->source = p->source ? arena_strdup(&q->arena, p->source) : NULL;
	q->unit = p->unit ? arena_strdup(&q->arena, p->unit) : NULL;
	q->thread = p->thread ? arena_strdup(&q->arena, p->thread) : NULL;
	q->source_mtime = p->source_mtime;
	q->dialect = p->dialect;
	q->producer = "profview filter";
}

/* q's function for p's f, added on first use so that unused ones vanish */
static uint32_t filter_func(const struct profile *p, struct profile *q, uint32_t *fmap, uint32_t f)
{
	if (fmap[f] == PV_NO_FUNC) {
		fmap[f] = profile_func_like(q, p, &p->funcs[f], NULL);
		q->funcs[fmap[f]].annotation = p->funcs[f].annotation;
	}
	return fmap[f];
}

/* focus, ignore, root and hide in one pass down the tree: a node's samples stay
 * when its whole stack passes focus and ignore and holds a root frame; the
 * kept stack starts at the outermost root frame and skips hidden frames. */
static struct profile *filter_tree_select(const struct profile *p, const struct filter_options *o,
					  const unsigned char *m)
{
	size_t n = p->nnodes;
	/* per node: 1 focus seen, 2 ignore seen, 4 rooted */
	unsigned char *state = xcalloc(n ? n : 1, 1);
	unsigned char *keep = xcalloc(n ? n : 1, 1);	/* self samples kept, then: subtree has kept ones */
	for (size_t i = 1; i < n; i++) {
		unsigned char st = state[p->nodes[i].parent], mf = m[p->nodes[i].func];
		if (mf & M_FOCUS)
			st |= 1;
		if (mf & M_IGNORE)
			st |= 2;
		if (mf & M_ROOT)
			st |= 4;
		state[i] = st;
		keep[i] = (!o->nfocus || (st & 1)) && !(st & 2) && (!o->root || (st & 4));
	}
	keep[0] = !o->nfocus && !o->root;	/* the empty stack */
	/* a node is needed when it or a descendant keeps samples */
	unsigned char *need = xmalloc(n ? n : 1);
	memcpy(need, keep, n ? n : 1);
	for (size_t i = n; i-- > 1;)
		if (need[i])
			need[p->nodes[i].parent] = 1;
	struct profile *q = profile_new();
	filter_copy_meta(p, q);
	q->kind = p->kind;
	uint32_t *fmap = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	for (size_t f = 0; f < p->nfuncs; f++)
		fmap[f] = PV_NO_FUNC;
	uint32_t *newid = xcalloc(n ? n : 1, sizeof(uint32_t));
	profile_tree_begin(q, p->kind);
	if (n && keep[0]) {
		q->nodes[0].self = p->nodes[0].self;
		q->nodes[0].count = p->nodes[0].count;
	}
	for (size_t i = 1; i < n; i++) {
		if (!need[i])
			continue;
		const struct pv_node *s = &p->nodes[i];
		int spliced = (m[s->func] & M_HIDE) || (o->root && !(state[i] & 4));
		newid[i] = profile_tree_fold(q, newid[s->parent], spliced ? PV_NO_FUNC : filter_func(p, q, fmap, s->func),
					     keep[i] ? s : NULL, p->kind);
	}
	free(state);
	free(keep);
	free(need);
	free(fmap);
	free(newid);
	profile_tree_finish(q);
	return q;
}

/* Cuts the subtrees whose total is under pct % of the whole; their weight stays
 * with the parent as self weight. */
static struct profile *filter_tree_prune(const struct profile *p, double pct)
{
	double limit = p->total_weight * pct / 100.0;
	size_t n = p->nnodes;
	struct profile *q = profile_new();
	filter_copy_meta(p, q);
	q->kind = p->kind;
	uint32_t *fmap = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	for (size_t f = 0; f < p->nfuncs; f++)
		fmap[f] = PV_NO_FUNC;
	uint32_t *newid = xcalloc(n ? n : 1, sizeof(uint32_t));
	unsigned char *cut = xcalloc(n ? n : 1, 1);
	profile_tree_begin(q, p->kind);
	if (n) {
		q->nodes[0].self = p->nodes[0].self;
		q->nodes[0].count = p->nodes[0].count;
	}
	for (size_t i = 1; i < n; i++) {
		const struct pv_node *s = &p->nodes[i];
		cut[i] = cut[s->parent] || s->total < limit;
		newid[i] = profile_tree_fold(q, newid[s->parent], cut[i] ? PV_NO_FUNC : filter_func(p, q, fmap, s->func), s,
					     p->kind);
	}
	free(fmap);
	free(newid);
	free(cut);
	profile_tree_finish(q);
	return q;
}

/* cProfile data, exactly: drop the hidden and pruned functions and every edge
 * touching them; the rest keep their numbers and the run keeps its totals. */
static struct profile *filter_calls(const struct profile *p, const struct filter_options *o, const unsigned char *m)
{
	double limit = o->prune_below >= 0 ? p->total_tt * o->prune_below / 100.0 : 0;
	struct profile *q = profile_new();
	filter_copy_meta(p, q);
	q->kind = PV_KIND_CALLS;
	uint32_t *fmap = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	for (size_t pass = 0; pass < 2; pass++) {
		size_t from = pass ? p->nstats : 0, to = pass ? p->nfuncs : p->nstats;
		for (size_t f = from; f < to; f++) {
			const struct pv_func *g = &p->funcs[f];
			int drop = (m[f] & M_HIDE) || (f < p->nstats && o->prune_below >= 0 && g->cumtime < limit);
			fmap[f] = PV_NO_FUNC;
			if (drop)
				continue;
			uint32_t k = profile_func_like(q, p, g, NULL);
			struct pv_func *h = &q->funcs[k];
			uint32_t file_id = h->file, name_id = h->name;
			*h = *g;
			h->file = file_id;
			h->name = name_id;
			fmap[f] = k;
		}
		if (!pass)
			q->nstats = q->nfuncs;
	}
	/* a pruned stats entry named as a caller stays a caller-only function */
	for (size_t e = 0; e < p->nedges; e++) {
		const struct pv_edge *s = &p->edges[e];
		if (fmap[s->callee] == PV_NO_FUNC || (m[s->caller] & M_HIDE))
			continue;
		if (fmap[s->caller] == PV_NO_FUNC)
			continue;
		struct pv_edge *d = profile_add_edge(q, fmap[s->caller], fmap[s->callee]);
		uint32_t caller = d->caller, callee = d->callee;
		*d = *s;
		d->caller = caller;
		d->callee = callee;
	}
	free(fmap);
	q->total_calls = p->total_calls;
	q->prim_calls = p->prim_calls;
	q->total_tt = p->total_tt;
	return q;
}

struct profile *profile_filter(const struct profile *p, const struct filter_options *o, int *estimated,
			       struct pv_error *err)
{
	*estimated = 0;
	int needs_stacks = o->nfocus || o->nignore || o->root;
	struct profile *est = NULL;
	const struct profile *src = p;
	int std = p->kind == PV_KIND_CALLS;
	if (p->kind == PV_KIND_CALLS && needs_stacks) {
		est = profile_estimate_tree(p, 0);
		est->dialect = p->dialect;
		src = est;
		*estimated = 1;
	}
	unsigned char *m = xmalloc(src->nfuncs ? src->nfuncs : 1);
	struct profile *q = NULL;
	if (filter_match(src, o, std, m, err))
		goto done;
	if (src->kind == PV_KIND_CALLS) {
		q = filter_calls(src, o, m);
	} else {
		q = filter_tree_select(src, o, m);
		if (o->prune_below >= 0) {
			struct profile *r = filter_tree_prune(q, o->prune_below);
			profile_free(q);
			q = r;
		}
	}
	q->format = *estimated ? "estimate" : "filter";
done:
	free(m);
	profile_free(est);
	return q;
}
