/* The call tree of sampled and evented profiles, and the one place where function
 * stats and caller->callee edges are derived from it (DESIGN.md §1). */
#include "profile.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tree_rehash(struct profile *p, size_t cap)
{
	free(p->child_index);
	p->child_index = xcalloc(cap, sizeof(uint32_t));
	p->child_index_cap = cap;
	size_t mask = cap - 1;
	for (size_t i = 1; i < p->nnodes; i++) {
		size_t slot = profile_hash_pair(p->hash_seed, p->nodes[i].parent, p->nodes[i].func) & mask;
		while (p->child_index[slot])
			slot = (slot + 1) & mask;
		p->child_index[slot] = (uint32_t)i;
	}
}

void profile_tree_begin(struct profile *p, enum pv_kind kind)
{
	p->kind = kind;
	p->nnodes = 0;
	xgrow((void **)&p->nodes, &p->cap_nodes, 1024, sizeof(*p->nodes));
	p->nodes[0] = (struct pv_node){ .parent = 0, .func = PV_NO_FUNC };
	p->nnodes = 1;
	tree_rehash(p, 2048);
}

uint32_t profile_tree_child(struct profile *p, uint32_t parent, uint32_t func)
{
	size_t mask = p->child_index_cap - 1;
	size_t slot = profile_hash_pair(p->hash_seed, parent, func) & mask;
	uint32_t id;
	while ((id = p->child_index[slot]) != 0) {
		const struct pv_node *n = &p->nodes[id];
		if (n->func == func && n->parent == parent)
			return id;
		slot = (slot + 1) & mask;
	}
	if (p->nnodes >= UINT32_MAX - 1)
		abort();	/* 4 billion distinct stacks: far beyond any memory here */
	if (p->nnodes == p->cap_nodes)
		xgrow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof(*p->nodes));
	id = (uint32_t)p->nnodes++;
	p->nodes[id] = (struct pv_node){ .parent = parent, .func = func };
	p->child_index[slot] = id;
	if (p->nnodes * 2 > p->child_index_cap)
		tree_rehash(p, p->child_index_cap * 2);
	return id;
}

uint32_t profile_tree_append(struct profile *p, uint32_t parent, uint32_t func)
{
	if (p->nnodes >= UINT32_MAX - 1)
		abort();	/* as profile_tree_child() */
	if (p->nnodes == p->cap_nodes)
		xgrow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof(*p->nodes));
	uint32_t id = (uint32_t)p->nnodes++;
	p->nodes[id] = (struct pv_node){ .parent = parent, .func = func };
	return id;
}

void profile_tree_finish_nodes(struct profile *p)
{
	if (p->nnodes == 0)
		profile_tree_begin(p, p->kind);
	free(p->child_index);
	p->child_index = NULL;
	p->child_index_cap = 0;
	/* totals bottom-up: every child comes after its parent */
	for (size_t i = 0; i < p->nnodes; i++)
		p->nodes[i].total = p->nodes[i].self;
	for (size_t i = p->nnodes - 1; i > 0; i--)
		p->nodes[p->nodes[i].parent].total += p->nodes[i].total;
	p->total_weight = p->total_tt = p->nodes[0].total;
	p->nstats = p->nfuncs;
}

/* Edges collected while walking the tree, before they are grouped by callee. */
struct tree_edges {
	struct pv_edge *e;
	size_t n, cap;
	uint32_t *slots;	/* open addressing on (caller, callee): edge index + 1 */
	size_t nslots;
	uint64_t seed;
};

static struct pv_edge *tree_edge(struct tree_edges *te, uint32_t caller, uint32_t callee)
{
	size_t mask = te->nslots - 1;
	size_t slot = profile_hash_pair(te->seed, caller, callee) & mask;
	uint32_t k;
	while ((k = te->slots[slot]) != 0) {
		struct pv_edge *e = &te->e[k - 1];
		if (e->caller == caller && e->callee == callee)
			return e;
		slot = (slot + 1) & mask;
	}
	if (te->n == te->cap)
		xgrow((void **)&te->e, &te->cap, te->n + 1, sizeof(*te->e));
	te->e[te->n] = (struct pv_edge){ .caller = caller, .callee = callee, .kind = PV_EDGE_TIMED };
	te->slots[slot] = (uint32_t)++te->n;
	if (te->n * 2 > te->nslots) {
		free(te->slots);
		te->nslots *= 2;
		te->slots = xcalloc(te->nslots, sizeof(uint32_t));
		mask = te->nslots - 1;
		for (size_t i = 0; i < te->n; i++) {
			slot = profile_hash_pair(te->seed, te->e[i].caller, te->e[i].callee) & mask;
			while (te->slots[slot])
				slot = (slot + 1) & mask;
			te->slots[slot] = (uint32_t)(i + 1);
		}
	}
	return &te->e[te->n - 1];
}

/* Folds one node into its function's stats and its incoming edge. rec: the
 * function is already on the stack above this node, so its total was counted
 * there (pprof and speedscope count a function once per stack). */
static void tree_account(struct profile *p, struct tree_edges *te, uint32_t id, int64_t tcount, int rec)
{
	const struct pv_node *n = &p->nodes[id];
	struct pv_func *f = &p->funcs[n->func];
	uint32_t parent_func = p->nodes[n->parent].func;
	struct pv_edge *e = parent_func == PV_NO_FUNC ? NULL : tree_edge(te, parent_func, n->func);
	f->tottime += n->self;
	if (e)
		e->tottime += n->self;
	if (parent_func == PV_NO_FUNC)
		f->flags |= PV_FUNC_TOP_LEVEL;
	if (p->kind == PV_KIND_EVENTED) {
		f->calls += n->count;
		if (e)
			e->calls += n->count;
		if (!rec) {
			f->pcalls += n->count;
			f->cumtime += n->total;
			if (e) {
				e->pcalls += n->count;
				e->cumtime += n->total;
			}
		}
	} else {
		f->pcalls += n->count;
		if (e)
			e->pcalls += n->count;
		if (!rec) {
			f->calls += tcount;
			f->cumtime += n->total;
			if (e) {
				e->calls += tcount;
				e->cumtime += n->total;
			}
		}
	}
}

/* Puts the collected edges into p->edges grouped by callee, each callee's callers
 * in first-seen order (a stable counting sort). The edges are moved in place
 * (a permutation by cycles), so a tree of millions of edges is not held twice. */
static void tree_store_edges(struct profile *p, struct tree_edges *te)
{
	size_t *start = xcalloc(p->nfuncs + 1, sizeof(size_t));
	for (size_t i = 0; i < te->n; i++)
		start[te->e[i].callee + 1]++;
	for (size_t f = 0; f < p->nfuncs; f++)
		start[f + 1] += start[f];
	/* edges number fewer than the nodes, which fit 32 bits */
	uint32_t *dest = xmalloc((te->n ? te->n : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < te->n; i++)
		dest[i] = (uint32_t)start[te->e[i].callee]++;
	free(start);
	for (size_t i = 0; i < te->n; i++) {
		while (dest[i] != i) {
			uint32_t j = dest[i];
			struct pv_edge e = te->e[j];
			te->e[j] = te->e[i];
			te->e[i] = e;
			dest[i] = dest[j];
			dest[j] = j;
		}
	}
	free(dest);
	free(p->edges);
	p->edges = xrealloc(te->e, (te->n ? te->n : 1) * sizeof(*p->edges));
	p->nedges = p->cap_edges = te->n;
	te->e = NULL;
	te->n = te->cap = 0;
}

void profile_tree_finish(struct profile *p)
{
	profile_tree_finish_nodes(p);
	size_t n = p->nnodes;
	/* counts bottom-up, as the totals */
	int64_t *tcount = xmalloc(n * sizeof(int64_t));
	for (size_t i = 0; i < n; i++)
		tcount[i] = p->nodes[i].count;
	for (size_t i = n - 1; i > 0; i--)
		tcount[p->nodes[i].parent] += tcount[i];
	for (size_t f = 0; f < p->nfuncs; f++) {
		struct pv_func *fn = &p->funcs[f];
		fn->pcalls = fn->calls = 0;
		fn->tottime = fn->cumtime = 0.0;
		fn->flags = PV_FUNC_IN_STATS;
	}
	p->nstats = p->nfuncs;

	/* depth-first, with a per-function count of how often it is on the stack;
	 * the stacks grow with the depth, not the size of the tree */
	uint32_t *first, *next;
	profile_tree_links(p, &first, &next);
	size_t cap_depth = 64;
	uint32_t *stack = xmalloc(cap_depth * sizeof(uint32_t)), *cursor = xmalloc(cap_depth * sizeof(uint32_t));
	uint32_t *onstack = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(uint32_t));
	struct tree_edges te = { NULL, 0, 0, xcalloc(1024, sizeof(uint32_t)), 1024, p->hash_seed ^ 0x9e3779b97f4a7c15ull };
	size_t depth = 1;
	stack[0] = 0;
	cursor[0] = first[0];
	while (depth) {
		uint32_t c = cursor[depth - 1];
		if (c == 0) {
			uint32_t top = stack[--depth];
			if (top)
				onstack[p->nodes[top].func]--;
			continue;
		}
		cursor[depth - 1] = next[c];
		uint32_t f = p->nodes[c].func;
		tree_account(p, &te, c, tcount[c], onstack[f] > 0);
		onstack[f]++;
		if (depth == cap_depth) {
			size_t cap = cap_depth;
			xgrow((void **)&stack, &cap, depth + 1, sizeof(uint32_t));
			xgrow((void **)&cursor, &cap_depth, depth + 1, sizeof(uint32_t));
		}
		stack[depth] = c;
		cursor[depth] = first[c];
		depth++;
	}
	p->total_samples = tcount[0];
	/* what the walk needed goes before the edges are sorted: the peak of a
	 * big import is here */
	free(first);
	free(next);
	free(stack);
	free(cursor);
	free(onstack);
	free(tcount);
	free(te.slots);
	tree_store_edges(p, &te);

	p->total_weight = p->nodes[0].total;
	p->total_tt = p->total_weight;
	p->total_calls = p->prim_calls = p->total_samples;
	/* evented: every node's opens once, so the sums stay within the nodes' sum
	 * (profile_count_sums_add); a sampled function's count is every sample
	 * through it, and their sum over functions (each sample once per function
	 * on its stack) is no total at all, and may not fit */
	if (p->kind != PV_KIND_SAMPLED) {
		p->total_calls = p->prim_calls = 0;
		for (size_t f = 0; f < p->nfuncs; f++) {
			p->total_calls += p->funcs[f].calls;
			p->prim_calls += p->funcs[f].pcalls;
		}
	}
}

uint64_t profile_tree_finish_memory(const struct profile *p)
{
	/* per node: its subtree count, two child links, an edge (the array may
	 * have doubled) and its hash slots; per function: the on-stack count */
	return (uint64_t)p->nnodes * (8 + 8 + 2 * sizeof(struct pv_edge) + 16) + (uint64_t)p->nfuncs * 4;
}

uint32_t profile_tree_fold(struct profile *dst, uint32_t parent, uint32_t func, const struct pv_node *s,
			   enum pv_kind src_kind)
{
	uint32_t id = func == PV_NO_FUNC ? parent : profile_tree_child(dst, parent, func);
	if (s) {
		dst->nodes[id].self += s->self;
		/* a spliced-out frame's samples land on its parent; its opens are gone */
		if (func != PV_NO_FUNC || src_kind != PV_KIND_EVENTED)
			dst->nodes[id].count += s->count;
	}
	return id;
}

void profile_tree_add(const struct profile *src, struct profile *dst, const uint32_t *map)
{
	uint32_t *newid = xmalloc((src->nnodes ? src->nnodes : 1) * sizeof(uint32_t));
	newid[0] = 0;
	if (src->nnodes) {
		dst->nodes[0].self += src->nodes[0].self;
		dst->nodes[0].count += src->nodes[0].count;
	}
	for (size_t i = 1; i < src->nnodes; i++) {
		const struct pv_node *s = &src->nodes[i];
		newid[i] = profile_tree_fold(dst, newid[s->parent], map[s->func], s, src->kind);
	}
	free(newid);
}

void profile_tree_remap(const struct profile *src, struct profile *dst, const uint32_t *map)
{
	profile_tree_begin(dst, src->kind);
	profile_tree_add(src, dst, map);
	profile_tree_finish(dst);
}

size_t pv_frame_name_raw(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, char **buf,
			 size_t *cap)
{
	size_t need = nlen + flen + 32;
	if (*cap < need)
		xgrow((void **)buf, cap, need, 1);
	char *o = *buf;
	memcpy(o, name, nlen);
	size_t n = nlen;
	if (flen) {
		memcpy(o + n, " (", 2);
		n += 2;
		memcpy(o + n, file, flen);
		n += flen;
		if (line > 0)
			n += (size_t)snprintf(o + n, 24, ":%lld", (long long)line);
		o[n++] = ')';
	}
	o[n] = '\0';
	return n;
}

size_t profile_frame_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap)
{
	const struct pv_str *name = profile_str(p, f->name), *file = profile_str(p, f->file);
	return pv_frame_name_raw(file->s, file->len, f->line, name->s, name->len, buf, cap);
}

size_t pv_display_name_raw(enum pv_kind kind, const char *file, size_t flen, int64_t line, const char *name,
			   size_t nlen, char **buf, size_t *cap)
{
	return kind == PV_KIND_CALLS ? pv_std_name_raw(file, flen, line, name, nlen, buf, cap)
				     : pv_frame_name_raw(file, flen, line, name, nlen, buf, cap);
}

size_t profile_display_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap)
{
	const struct pv_str *name = profile_str(p, f->name), *file = profile_str(p, f->file);
	return pv_display_name_raw(p->kind, file->s, file->len, f->line, name->s, name->len, buf, cap);
}

void profile_tree_links(const struct profile *p, uint32_t **first, uint32_t **next)
{
	size_t n = p->nnodes ? p->nnodes : 1;
	uint32_t *f = xcalloc(n, sizeof(uint32_t)), *x = xcalloc(n, sizeof(uint32_t));
	for (size_t i = p->nnodes; i-- > 1;) {
		x[i] = f[p->nodes[i].parent];
		f[p->nodes[i].parent] = (uint32_t)i;
	}
	*first = f;
	*next = x;
}
