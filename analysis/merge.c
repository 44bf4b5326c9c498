#include "merge.h"
#include "py2_order.h"
#include "sha256.h"
#include "strbuf.h"
#include "u64map.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* pstats' add(): stats entries in the order first met, stats and callers
 * summed as add_func_stats()/add_callers() do (source + target). */
static void merge_calls(struct profile *q, struct profile *const *v, size_t n)
{
	uint32_t **maps = xcalloc(n, sizeof(*maps));
	for (size_t k = 0; k < n; k++) {
		const struct profile *p = v[k];
		maps[k] = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
		for (size_t i = 0; i < p->nstats; i++) {
			const struct pv_func *f = &p->funcs[i];
			int added;
			uint32_t j = profile_func_like(q, p, f, &added);
			struct pv_func *g = &q->funcs[j];
			if (added) {
				g->pcalls = f->pcalls;
				g->calls = f->calls;
				g->tottime = f->tottime;
				g->cumtime = f->cumtime;
				g->flags = f->flags;
				g->annotation = f->annotation;
			} else {
				g->pcalls = f->pcalls + g->pcalls;
				g->calls = f->calls + g->calls;
				g->tottime = f->tottime + g->tottime;
				g->cumtime = f->cumtime + g->cumtime;
				g->flags |= f->flags;
			}
			maps[k][i] = j;
		}
	}
	q->nstats = q->nfuncs;
	/* functions only ever named as callers come after every stats entry */
	for (size_t k = 0; k < n; k++) {
		const struct profile *p = v[k];
		for (size_t i = p->nstats; i < p->nfuncs; i++)
			maps[k][i] = profile_func_like(q, p, &p->funcs[i], NULL);
	}
	/* each callee's callers: the target's order, then the source's new ones */
	struct edge_list {
		struct pv_edge *e;
		size_t n, cap;
	} *lists = xcalloc(q->nfuncs ? q->nfuncs : 1, sizeof(*lists));
	struct u64_map pos;
	size_t nedges = 0;
	for (size_t k = 0; k < n; k++)
		nedges += v[k]->nedges;
	u64_map_init(&pos, nedges);
	for (size_t k = 0; k < n; k++) {
		const struct profile *p = v[k];
		for (size_t i = 0; i < p->nedges; i++) {
			const struct pv_edge *e = &p->edges[i];
			uint32_t callee = maps[k][e->callee], caller = maps[k][e->caller];
			uint64_t key = ((uint64_t)callee << 32) | caller;
			struct edge_list *l = &lists[callee];
			int64_t at = u64_map_get(&pos, key);
			if (at >= 0) {
				struct pv_edge *t = &l->e[at];
				t->calls = e->calls + t->calls;
				t->pcalls = e->pcalls + t->pcalls;
				t->tottime = e->tottime + t->tottime;
				t->cumtime = e->cumtime + t->cumtime;
				continue;
			}
			xgrow((void **)&l->e, &l->cap, l->n + 1, sizeof(*l->e));
			l->e[l->n] = *e;
			l->e[l->n].callee = callee;
			l->e[l->n].caller = caller;
			l->e[l->n].aux = 0;
			u64_map_put(&pos, key, (int64_t)l->n);
			l->n++;
		}
	}
	for (size_t i = 0; i < q->nfuncs; i++) {
		for (size_t k = 0; k < lists[i].n; k++)
			*profile_add_edge(q, lists[i].e[k].caller, lists[i].e[k].callee) = lists[i].e[k];
		free(lists[i].e);
	}
	free(lists);
	u64_map_release(&pos);
	for (size_t k = 0; k < n; k++)
		free(maps[k]);
	free(maps);
	/* Stats.add: running sums of the loaded totals */
	for (size_t k = 0; k < n; k++) {
		q->total_calls += v[k]->total_calls;
		q->prim_calls += v[k]->prim_calls;
		q->total_tt += v[k]->total_tt;
	}
	if (q->dialect == PV_DIALECT_PY2)
		py2_dict_reorder(q);
}

static void merge_trees(struct profile *q, struct profile *const *v, size_t n)
{
	enum pv_kind kind = PV_KIND_EVENTED;
	for (size_t k = 0; k < n; k++)
		if (v[k]->kind == PV_KIND_SAMPLED)
			kind = PV_KIND_SAMPLED;
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k]->nfuncs; i++) {
			int added;
			uint32_t j = profile_func_like(q, v[k], &v[k]->funcs[i], &added);
			if (added)
				q->funcs[j].annotation = v[k]->funcs[i].annotation;
		}
	profile_tree_begin(q, kind);
	for (size_t k = 0; k < n; k++) {
		const struct profile *p = v[k];
		uint32_t *map = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
		for (size_t i = 0; i < p->nfuncs; i++)
			map[i] = profile_func_like(q, p, &p->funcs[i], NULL);
		profile_tree_add(p, q, map);
		free(map);
	}
	profile_tree_finish(q);
}

/* speedscope's "none" is a plain count, as folded stacks' samples are */
static const char *merge_unit(const struct profile *p)
{
	const char *u = profile_unit(p);
	return strcmp(u, "none") == 0 ? "samples" : u;
}

static int merge_check(struct profile *const *v, size_t n, struct pv_error *err)
{
	int calls = v[0]->kind == PV_KIND_CALLS;
	int counts = -1;	/* the profile module's bare caller counts */
	for (size_t k = 0; k < n; k++) {
		const struct profile *p = v[k];
		if ((p->kind == PV_KIND_CALLS) != calls)
			return pv_error_set(err, "cannot merge cProfile data with sampled data (profile %lld is %s, "
						 "profile %lld is %s); export the cProfile one with --to folded first",
					    (long long)v[0]->id, calls ? "cProfile" : "sampled", (long long)p->id,
					    calls ? "sampled" : "cProfile");
		if (!calls) {
			const char *u0 = merge_unit(v[0]), *u = merge_unit(p);
			if (strcmp(u0, u) != 0)
				return pv_error_set(err, "cannot merge profiles in different units (%s and %s)", u0, u);
			continue;
		}
		for (size_t i = 0; i < p->nedges; i++) {
			int c = p->edges[i].kind == PV_EDGE_COUNT;
			if (counts >= 0 && c != counts)
				return pv_error_set(err, "cannot merge `profile`-module data (bare caller counts) with "
							 "cProfile data (timed callers), as pstats cannot");
			counts = c;
			break;
		}
	}
	/* pstats sums Python ints; here the sums must fit in int64 */
	struct pv_count_sums sums = { 0 };
	for (size_t k = 0; k < n; k++)
		if (profile_count_sums_add(&sums, v[k]))
			return pv_error_set(err, "counts too large: their sum over the %zu profiles does not fit in 64 bits", n);
	return 0;
}

struct profile *profile_merge(struct profile *const *v, size_t n, const char *const *source_lines,
			      struct pv_error *err)
{
	if (n == 0) {
		pv_error_set(err, "nothing to merge");
		return NULL;
	}
	if (merge_check(v, n, err))
		return NULL;
	struct profile *q = profile_new();
	q->dialect = PV_DIALECT_PY2;
	for (size_t k = 0; k < n; k++)
		if (v[k]->dialect != PV_DIALECT_PY2)
			q->dialect = PV_DIALECT_PY3;
	q->kind = v[0]->kind;
	if (q->kind == PV_KIND_CALLS)
		merge_calls(q, v, n);
	else
		merge_trees(q, v, n);
	/* pstats lists every input file in its header; the content hash names
	 * the inputs so that the same merge is found again */
	struct strbuf src = STRBUF_INIT;
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, "profview merge\n", 15);
	for (size_t k = 0; k < n; k++) {
		const char *line = source_lines && source_lines[k] ? source_lines[k] : v[k]->source;
		if (k)
			strbuf_addc(&src, '\n');
		strbuf_adds(&src, line ? line : "?");
		char part[64];
		const char *ch = v[k]->content_hash ? v[k]->content_hash : "";
		sha256_update(&h, ch, strlen(ch));
		snprintf(part, sizeof(part), ":%d\n", v[k]->part);
		sha256_update(&h, part, strlen(part));
	}
	char hex[65];
	sha256_final_hex(&h, hex);
	q->source = arena_strdup(&q->arena, strbuf_str(&src));
	strbuf_release(&src);
	q->content_hash = arena_strdup(&q->arena, hex);
	q->source_mtime = -1;
	q->format = "merge";
	q->producer = "profview merge";
	q->unit = arena_strdup(&q->arena, merge_unit(v[0]));
	return q;
}
