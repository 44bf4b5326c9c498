#include "profile.h"
#include "py2_order.h"
#include "u64map.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t profile_mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return h;
}

uint64_t profile_random_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid() ^ (uintptr_t)&seed;
	}
	return profile_mix(seed) | 1;
}

struct profile *profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	arena_init(&p->arena);
	p->hash_seed = profile_random_seed();
	p->source_mtime = -1;
	return p;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->strs);
	free(p->str_index);
	free(p->funcs);
	free(p->func_index);
	free(p->edges);
	free(p->nodes);
	free(p->child_index);
	arena_release(&p->arena);
	free(p);
}

void profile_drop_indexes(struct profile *p)
{
	free(p->str_index);
	free(p->func_index);
	p->str_index = p->func_index = NULL;
	p->str_index_cap = p->func_index_cap = 0;
}

uint64_t profile_memory(const struct profile *p)
{
	return (uint64_t)p->cap_strs * sizeof(*p->strs) + (uint64_t)p->str_index_cap * sizeof(uint32_t) +
	       (uint64_t)p->cap_funcs * sizeof(*p->funcs) + (uint64_t)p->func_index_cap * sizeof(uint32_t) +
	       (uint64_t)p->cap_edges * sizeof(*p->edges) + (uint64_t)p->cap_nodes * sizeof(*p->nodes) +
	       (uint64_t)p->child_index_cap * sizeof(uint32_t) + p->arena.total;
}

void profile_list_push(struct profile_list *l, struct profile *p)
{
	if (l->n == l->cap)
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = p;
}

void profile_list_take(struct profile_list *l, struct profile_list *src)
{
	for (size_t i = 0; i < src->n; i++)
		profile_list_push(l, src->v[i]);
	free(src->v);
	memset(src, 0, sizeof(*src));
}

uint64_t profile_hash_pair(uint64_t seed, uint32_t a, uint32_t b)
{
	return profile_mix(seed ^ (((uint64_t)a << 32) | b));
}

void profile_list_release(struct profile_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		profile_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static uint64_t profile_hash_bytes(uint64_t seed, const char *s, size_t n)
{
	/* eight bytes a step, then a final mix: interning is on the import hot path */
	uint64_t h = seed ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	uint64_t tail = 0;
	memcpy(&tail, s + i, n - i);
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	return h;
}

/* A hash table size for n entries at most half full, at least twice cap. */
static size_t profile_index_size(size_t cap, size_t n)
{
	size_t c = cap ? cap * 2 : 256;
	while (c < (n + 1) * 2)
		c *= 2;
	return c;
}

static void profile_str_rehash(struct profile *p, size_t cap)
{
	free(p->str_index);
	p->str_index = xcalloc(cap, sizeof(uint32_t));
	p->str_index_cap = cap;
	for (size_t i = 0; i < p->nstrs; i++) {
		size_t j = profile_hash_bytes(p->hash_seed, p->strs[i].s, p->strs[i].len) & (cap - 1);
		while (p->str_index[j])
			j = (j + 1) & (cap - 1);
		p->str_index[j] = (uint32_t)i + 1;
	}
}

int64_t profile_find_str(const struct profile *p, const char *s, size_t len)
{
	if (!p->str_index_cap) {
		/* dropped (profile_drop_indexes): correct, not fast */
		for (size_t i = 0; i < p->nstrs; i++)
			if (p->strs[i].len == len && memcmp(p->strs[i].s, s, len) == 0)
				return (int64_t)i;
		return -1;
	}
	size_t mask = p->str_index_cap - 1;
	size_t j = profile_hash_bytes(p->hash_seed, s, len) & mask;
	while (p->str_index[j]) {
		const struct pv_str *t = &p->strs[p->str_index[j] - 1];
		if (t->len == len && memcmp(t->s, s, len) == 0)
			return p->str_index[j] - 1;
		j = (j + 1) & mask;
	}
	return -1;
}

uint32_t profile_intern(struct profile *p, const char *s, size_t len)
{
	if ((p->nstrs + 1) * 2 > p->str_index_cap)
		profile_str_rehash(p, profile_index_size(p->str_index_cap, p->nstrs));
	size_t mask = p->str_index_cap - 1;
	size_t j = profile_hash_bytes(p->hash_seed, s, len) & mask;
	while (p->str_index[j]) {
		const struct pv_str *t = &p->strs[p->str_index[j] - 1];
		if (t->len == len && memcmp(t->s, s, len) == 0)
			return p->str_index[j] - 1;
		j = (j + 1) & mask;
	}
	if (p->nstrs == p->cap_strs)
		xgrow((void **)&p->strs, &p->cap_strs, p->nstrs + 1, sizeof(*p->strs));
	struct pv_str *n = &p->strs[p->nstrs];
	n->s = arena_strndup(&p->arena, s, len);
	n->len = (uint32_t)len;
	p->str_index[j] = (uint32_t)p->nstrs + 1;
	return (uint32_t)p->nstrs++;
}

/* Chained through a non-linear mix that starts from the secret seed, so that no
 * choice of line numbers makes keys collide without knowing the seed. */
static uint64_t profile_func_hash(uint64_t seed, uint32_t file, int64_t line, uint32_t name)
{
	uint64_t h = profile_mix(seed ^ (uint64_t)line);
	h = profile_mix(h ^ file);
	return profile_mix(h ^ ((uint64_t)name << 1));
}

static void profile_func_rehash(struct profile *p, size_t cap)
{
	free(p->func_index);
	p->func_index = xcalloc(cap, sizeof(uint32_t));
	p->func_index_cap = cap;
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		size_t j = profile_func_hash(p->hash_seed, f->file, f->line, f->name) & (cap - 1);
		while (p->func_index[j])
			j = (j + 1) & (cap - 1);
		p->func_index[j] = (uint32_t)i + 1;
	}
}

uint32_t profile_func_like(struct profile *dst, const struct profile *src, const struct pv_func *f, int *added)
{
	const struct pv_str *file = profile_str(src, f->file), *name = profile_str(src, f->name);
	return profile_func(dst, profile_intern(dst, file->s, file->len), f->line, profile_intern(dst, name->s, name->len),
			    added);
}

void profile_reserve(struct profile *p, size_t nfuncs, size_t nstrs)
{
	size_t cap = 256;
	while (cap < (nfuncs + 1) * 2)
		cap *= 2;
	if (cap > p->func_index_cap)
		profile_func_rehash(p, cap);
	xgrow((void **)&p->funcs, &p->cap_funcs, nfuncs, sizeof(*p->funcs));
	for (cap = 256; cap < (nstrs + 1) * 2;)
		cap *= 2;
	if (cap > p->str_index_cap)
		profile_str_rehash(p, cap);
	xgrow((void **)&p->strs, &p->cap_strs, nstrs, sizeof(*p->strs));
}

void profile_build_indexes(struct profile *p)
{
	size_t cap = 256;
	while (cap < (p->nfuncs + 1) * 2)
		cap *= 2;
	if (cap > p->func_index_cap)
		profile_func_rehash(p, cap);
	for (cap = 256; cap < (p->nstrs + 1) * 2;)
		cap *= 2;
	if (cap > p->str_index_cap)
		profile_str_rehash(p, cap);
}

int64_t profile_find_func(const struct profile *p, uint32_t file, int64_t line, uint32_t name)
{
	if (!p->func_index_cap) {
		/* dropped (profile_drop_indexes): correct, not fast */
		for (size_t i = 0; i < p->nfuncs; i++)
			if (p->funcs[i].file == file && p->funcs[i].line == line && p->funcs[i].name == name)
				return (int64_t)i;
		return -1;
	}
	size_t mask = p->func_index_cap - 1;
	size_t j = profile_func_hash(p->hash_seed, file, line, name) & mask;
	while (p->func_index[j]) {
		const struct pv_func *f = &p->funcs[p->func_index[j] - 1];
		if (f->file == file && f->line == line && f->name == name)
			return p->func_index[j] - 1;
		j = (j + 1) & mask;
	}
	return -1;
}

uint32_t profile_func(struct profile *p, uint32_t file, int64_t line, uint32_t name, int *added)
{
	if ((p->nfuncs + 1) * 2 > p->func_index_cap)
		profile_func_rehash(p, profile_index_size(p->func_index_cap, p->nfuncs));
	/* one probe sequence finds it or the empty slot it goes to */
	size_t mask = p->func_index_cap - 1;
	size_t j = profile_func_hash(p->hash_seed, file, line, name) & mask;
	while (p->func_index[j]) {
		const struct pv_func *g = &p->funcs[p->func_index[j] - 1];
		if (g->file == file && g->line == line && g->name == name) {
			if (added)
				*added = 0;
			return p->func_index[j] - 1;
		}
		j = (j + 1) & mask;
	}
	if (p->nfuncs == p->cap_funcs)
		xgrow((void **)&p->funcs, &p->cap_funcs, p->nfuncs + 1, sizeof(*p->funcs));
	struct pv_func *f = &p->funcs[p->nfuncs];
	memset(f, 0, sizeof(*f));
	f->file = file;
	f->line = line;
	f->name = name;
	p->func_index[j] = (uint32_t)p->nfuncs + 1;
	if (added)
		*added = 1;
	return (uint32_t)p->nfuncs++;
}

void profile_copy_funcs(struct profile *dst, const struct profile *src)
{
	xgrow((void **)&dst->strs, &dst->cap_strs, src->nstrs ? src->nstrs : 1, sizeof(*dst->strs));
	for (size_t i = 0; i < src->nstrs; i++) {
		dst->strs[i].s = arena_strndup(&dst->arena, src->strs[i].s, src->strs[i].len);
		dst->strs[i].len = src->strs[i].len;
	}
	dst->nstrs = src->nstrs;
	xgrow((void **)&dst->funcs, &dst->cap_funcs, src->nfuncs ? src->nfuncs : 1, sizeof(*dst->funcs));
	for (size_t i = 0; i < src->nfuncs; i++) {
		const struct pv_func *f = &src->funcs[i];
		dst->funcs[i] = (struct pv_func){ .file = f->file, .name = f->name, .line = f->line,
						  .annotation = f->annotation };
	}
	dst->nfuncs = src->nfuncs;
	/* no hash tables: the next profile_intern() or profile_func() builds them */
	profile_drop_indexes(dst);
}

/* The id of these bytes, added without the hash table when it is dropped. */
static uint32_t profile_intern_unindexed(struct profile *p, const char *s, size_t len)
{
	int64_t id = profile_find_str(p, s, len);
	if (id >= 0)
		return (uint32_t)id;
	if (p->str_index_cap)
		return profile_intern(p, s, len);
	xgrow((void **)&p->strs, &p->cap_strs, p->nstrs + 1, sizeof(*p->strs));
	p->strs[p->nstrs] = (struct pv_str){ arena_strndup(&p->arena, s, len), (uint32_t)len };
	return (uint32_t)p->nstrs++;
}

int64_t profile_append_func(struct profile *p, const char *file, int64_t line, const char *name)
{
	uint32_t fid = profile_intern_unindexed(p, file, strlen(file));
	uint32_t nid = profile_intern_unindexed(p, name, strlen(name));
	if (profile_find_func(p, fid, line, nid) >= 0)
		return -1;
	if (p->func_index_cap)
		return profile_func(p, fid, line, nid, NULL);
	xgrow((void **)&p->funcs, &p->cap_funcs, p->nfuncs + 1, sizeof(*p->funcs));
	p->funcs[p->nfuncs] = (struct pv_func){ .file = fid, .name = nid, .line = line };
	return (int64_t)p->nfuncs++;
}

struct pv_edge *profile_add_edge(struct profile *p, uint32_t caller, uint32_t callee)
{
	if (p->nedges == p->cap_edges)
		xgrow((void **)&p->edges, &p->cap_edges, p->nedges + 1, sizeof(*p->edges));
	struct pv_edge *e = &p->edges[p->nedges++];
	memset(e, 0, sizeof(*e));
	e->caller = caller;
	e->callee = callee;
	return e;
}

void profile_compute_totals(struct profile *p)
{
	p->total_calls = 0;
	p->prim_calls = 0;
	p->total_tt = 0.0;
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		if (!(f->flags & PV_FUNC_IN_STATS))
			continue;
		p->total_calls += f->calls;
		p->prim_calls += f->pcalls;
		p->total_tt += f->tottime;
	}
}

static int profile_count_add(uint64_t *sum, int64_t v)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	return __builtin_add_overflow(*sum, mag, sum) || *sum > (uint64_t)INT64_MAX ? -1 : 0;
}

int profile_count_sums_add(struct pv_count_sums *s, const struct profile *p)
{
	int bad = profile_count_add(&s->calls, p->total_calls) || profile_count_add(&s->pcalls, p->prim_calls) ||
		  profile_count_add(&s->samples, p->total_samples);
	if (p->kind != PV_KIND_CALLS) {
		for (size_t i = 0; i < p->nnodes && !bad; i++)
			bad = profile_count_add(&s->nodes, p->nodes[i].count);
		return bad ? -1 : 0;
	}
	for (size_t i = 0; i < p->nfuncs && !bad; i++)
		bad = profile_count_add(&s->funcs, p->funcs[i].calls) || profile_count_add(&s->funcs, p->funcs[i].pcalls);
	for (size_t i = 0; i < p->nedges && !bad; i++)
		bad = profile_count_add(&s->edges, p->edges[i].calls) || profile_count_add(&s->edges, p->edges[i].pcalls);
	return bad ? -1 : 0;
}

void profile_reorder(struct profile *p, const uint32_t *order)
{
	uint32_t *where = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	struct pv_func *nf = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*nf));
	for (size_t k = 0; k < p->nfuncs; k++) {
		/* the reads jump about a big array: ask for them ahead */
		if (k + 16 < p->nfuncs) {
			__builtin_prefetch(&p->funcs[order[k + 16]]);
			__builtin_prefetch((const char *)&p->funcs[order[k + 16]] + sizeof(*nf) - 1);
		}
		uint32_t old = order[k];
		nf[k] = p->funcs[old];
		where[old] = (uint32_t)k;
	}
	free(p->funcs);
	p->funcs = nf;
	p->cap_funcs = p->nfuncs;
	for (size_t i = 0; i < p->nedges; i++) {
		p->edges[i].caller = where[p->edges[i].caller];
		p->edges[i].callee = where[p->edges[i].callee];
	}
	/* the keys, and so their places in the index, stay: only the numbers change */
	if (p->func_index_cap) {
		for (size_t j = 0; j < p->func_index_cap; j++)
			if (p->func_index[j])
				p->func_index[j] = where[p->func_index[j] - 1] + 1;
	} else {
		profile_func_rehash(p, profile_index_size(0, p->nfuncs));
	}
	free(where);
}

size_t pv_std_name_raw(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, char **buf,
		       size_t *cap)
{
	xgrow((void **)buf, cap, flen + nlen + 32, 1);
	char *b = *buf;
	size_t n;
	if (line == 0 && flen == 1 && file[0] == '~') {
		/* pstats prints built-ins ('~', 0, '<built-in method len>') as {built-in method len} */
		if (nlen >= 2 && name[0] == '<' && name[nlen - 1] == '>') {
			b[0] = '{';
			memcpy(b + 1, name + 1, nlen - 2);
			b[nlen - 1] = '}';
		} else {
			memcpy(b, name, nlen);
		}
		n = nlen;
	} else {
		memcpy(b, file, flen);
		n = flen;
		n += (size_t)snprintf(b + n, 24, ":%lld(", (long long)line);
		memcpy(b + n, name, nlen);
		n += nlen;
		b[n++] = ')';
	}
	b[n] = '\0';
	return n;
}

size_t profile_std_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap)
{
	const struct pv_str *file = profile_str(p, f->file);
	const struct pv_str *name = profile_str(p, f->name);
	return pv_std_name_raw(file->s, file->len, f->line, name->s, name->len, buf, cap);
}

char *profile_std_name(const struct profile *p, const struct pv_func *f, struct arena *a)
{
	char *buf = NULL;
	size_t cap = 0;
	size_t n = profile_std_name_buf(p, f, &buf, &cap);
	char *r = arena_strndup(a, buf, n);
	free(buf);
	return r;
}

double profile_edge_cumtime(const struct profile *p, const struct pv_edge *e)
{
	if (e->kind != PV_EDGE_COUNT)
		return e->cumtime;
	const struct pv_func *f = &p->funcs[e->callee];
	return f->calls > 0 ? (double)e->calls / (double)f->calls * f->cumtime : 0;
}

const char *profile_unit_of(enum pv_kind kind, const char *recorded)
{
	return kind == PV_KIND_CALLS ? "seconds" : recorded ? recorded : "samples";
}

const char *profile_unit(const struct profile *p)
{
	return profile_unit_of(p->kind, p->unit);
}

const char *profile_label(const struct profile *p)
{
	if (p->name)
		return p->name;
	if (p->source) {
		const char *slash = strrchr(p->source, '/');
		return slash ? slash + 1 : p->source;
	}
	return "profile";
}

static uint32_t profile_basename_id(const struct profile *src, struct profile *dst, uint32_t file)
{
	const struct pv_str *s = profile_str(src, file);
	/* os.path.basename on POSIX: everything after the last '/' */
	const char *slash = memrchr(s->s, '/', s->len);
	const char *b = slash ? slash + 1 : s->s;
	return profile_intern(dst, b, s->len - (size_t)(b - s->s));
}

static void profile_copy_meta(const struct profile *src, struct profile *dst)
{
	dst->name = src->name ? arena_strdup(&dst->arena, src->name) : NULL;
	dst->source = src->source ? arena_strdup(&dst->arena, src->source) : NULL;
	dst->format = src->format ? arena_strdup(&dst->arena, src->format) : NULL;
	dst->producer = src->producer ? arena_strdup(&dst->arena, src->producer) : NULL;
	dst->unit = src->unit ? arena_strdup(&dst->arena, src->unit) : NULL;
	dst->content_hash = src->content_hash ? arena_strdup(&dst->arena, src->content_hash) : NULL;
	dst->source_mtime = src->source_mtime;
	dst->id = src->id;
	dst->dialect = src->dialect;
	dst->kind = src->kind;
	dst->thread = src->thread ? arena_strdup(&dst->arena, src->thread) : NULL;
	dst->part = src->part;
	dst->nparts = src->nparts;
}

/* A function's file under the rekey flags. */
static uint32_t profile_rekey_file(const struct profile *src, struct profile *dst, uint32_t file, unsigned flags)
{
	if (flags & PV_REKEY_STRIP_DIRS)
		return profile_basename_id(src, dst, file);
	return profile_intern(dst, profile_str(src, file)->s, profile_str(src, file)->len);
}

/* rekey for a tree: functions that coincide once rekeyed become one, and so do
 * the sibling nodes that then hold the same function. */
static struct profile *profile_rekey_tree(const struct profile *p, unsigned flags)
{
	struct profile *q = profile_new();
	profile_copy_meta(p, q);
	uint32_t *map = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		uint32_t file = profile_rekey_file(p, q, f->file, flags);
		uint32_t name = profile_intern(q, profile_str(p, f->name)->s, profile_str(p, f->name)->len);
		int added;
		map[i] = profile_func(q, file, flags & PV_REKEY_DROP_LINES ? 0 : f->line, name, &added);
		if (added)
			q->funcs[map[i]].annotation = f->annotation;
	}
	profile_tree_remap(p, q, map);
	free(map);
	return q;
}

struct profile *profile_strip_dirs(const struct profile *p)
{
	return profile_rekey(p, PV_REKEY_STRIP_DIRS);
}

struct profile *profile_rekey(const struct profile *p, unsigned flags)
{
	if (p->kind != PV_KIND_CALLS)
		return profile_rekey_tree(p, flags);
	struct profile *q = profile_new();
	profile_copy_meta(p, q);
	uint32_t *map = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	/* Stats entries first, in entry order, so merged entries keep the position of
	 * their first occurrence, as pstats' rebuilt dict does. */
	for (size_t i = 0; i < p->nstats; i++) {
		const struct pv_func *f = &p->funcs[i];
		uint32_t file = profile_rekey_file(p, q, f->file, flags);
		uint32_t name = profile_intern(q, profile_str(p, f->name)->s, profile_str(p, f->name)->len);
		int added;
		uint32_t k = profile_func(q, file, flags & PV_REKEY_DROP_LINES ? 0 : f->line, name, &added);
		struct pv_func *g = &q->funcs[k];
		if (added) {
			g->pcalls = f->pcalls;
			g->calls = f->calls;
			g->tottime = f->tottime;
			g->cumtime = f->cumtime;
			g->flags = f->flags;
		} else {
			/* add_func_stats(target, source) computes source + target */
			g->pcalls = f->pcalls + g->pcalls;
			g->calls = f->calls + g->calls;
			g->tottime = f->tottime + g->tottime;
			g->cumtime = f->cumtime + g->cumtime;
			g->flags |= f->flags;
		}
		map[i] = k;
	}
	q->nstats = q->nfuncs;
	for (size_t i = p->nstats; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		uint32_t file = profile_rekey_file(p, q, f->file, flags);
		uint32_t name = profile_intern(q, profile_str(p, f->name)->s, profile_str(p, f->name)->len);
		map[i] = profile_func(q, file, flags & PV_REKEY_DROP_LINES ? 0 : f->line, name, NULL);
	}
	/* Callers, per pstats: within one function's dict a later stripped duplicate
	 * replaces an earlier one (plain assignment, keeping its position); across merged
	 * functions add_callers() keeps the target's order and adds source + target. */
	struct edge_list { struct pv_edge *e; size_t n, cap; } *lists =
		xcalloc(q->nfuncs ? q->nfuncs : 1, sizeof(*lists));
	struct u64_map pos;
	u64_map_init(&pos, p->nedges);
	struct pv_edge_index by_callee;
	profile_index_edges(p, &by_callee, 1);
	for (size_t i = 0; i < p->nfuncs; i++) {
		uint32_t qcallee = map[i];
		struct edge_list *l = &lists[qcallee];
		size_t before = l->n;	/* edges from earlier merged functions */
		for (size_t k = by_callee.start[i]; k < by_callee.start[i + 1]; k++) {
			const struct pv_edge *e = &p->edges[by_callee.edge[k]];
			uint32_t qcaller = map[e->caller];
			uint64_t key = ((uint64_t)qcallee << 32) | qcaller;
			int64_t at = u64_map_get(&pos, key);
			if (at >= 0 && (size_t)at >= before) {
				struct pv_edge *d = &l->e[at];
				d->calls = e->calls;
				d->pcalls = e->pcalls;
				d->tottime = e->tottime;
				d->cumtime = e->cumtime;
				d->kind = e->kind;
			} else if (at >= 0) {
				/* stage into a new slot first: the merge happens after this
				 * function's own dict is complete */
				xgrow((void **)&l->e, &l->cap, l->n + 1, sizeof(*l->e));
				l->e[l->n] = *e;
				l->e[l->n].caller = qcaller;
				l->e[l->n].callee = qcallee;
				l->e[l->n].aux = (uint32_t)at + 1;
				u64_map_put(&pos, key, (int64_t)l->n);
				l->n++;
			} else {
				xgrow((void **)&l->e, &l->cap, l->n + 1, sizeof(*l->e));
				l->e[l->n] = *e;
				l->e[l->n].caller = qcaller;
				l->e[l->n].callee = qcallee;
				l->e[l->n].aux = 0;
				u64_map_put(&pos, key, (int64_t)l->n);
				l->n++;
			}
		}
		/* fold the staged duplicates into the target's entries */
		size_t w = before;
		for (size_t k = before; k < l->n; k++) {
			struct pv_edge *s = &l->e[k];
			if (s->aux) {
				struct pv_edge *t = &l->e[s->aux - 1];
				t->calls = s->calls + t->calls;
				t->pcalls = s->pcalls + t->pcalls;
				t->tottime = s->tottime + t->tottime;
				t->cumtime = s->cumtime + t->cumtime;
				u64_map_put(&pos, ((uint64_t)qcallee << 32) | s->caller, (int64_t)(s->aux - 1));
			} else {
				l->e[w] = *s;
				u64_map_put(&pos, ((uint64_t)qcallee << 32) | s->caller, (int64_t)w);
				w++;
			}
		}
		l->n = w;
	}
	for (size_t i = 0; i < q->nfuncs; i++) {
		for (size_t k = 0; k < lists[i].n; k++) {
			struct pv_edge *n = profile_add_edge(q, lists[i].e[k].caller, lists[i].e[k].callee);
			*n = lists[i].e[k];
			n->aux = 0;
		}
		free(lists[i].e);
	}
	free(lists);
	pv_edge_index_release(&by_callee);
	u64_map_release(&pos);
	free(map);
	/* pstats builds a new dict; on Python 2 its order is the new table's */
	if (q->dialect == PV_DIALECT_PY2)
		py2_dict_reorder(q);
	q->total_calls = p->total_calls;
	q->prim_calls = p->prim_calls;
	q->total_tt = p->total_tt;
	return q;
}

void profile_index_edges(const struct profile *p, struct pv_edge_index *ix, int by_callee)
{
	ix->start = xcalloc(p->nfuncs + 1, sizeof(size_t));
	ix->edge = xmalloc((p->nedges ? p->nedges : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < p->nedges; i++)
		ix->start[by_callee ? p->edges[i].callee : p->edges[i].caller]++;
	size_t sum = 0;
	for (size_t f = 0; f < p->nfuncs; f++) {
		size_t c = ix->start[f];
		ix->start[f] = sum;
		sum += c;
	}
	ix->start[p->nfuncs] = sum;
	/* a stable counting sort keeps each function's edges in their original order */
	size_t *fill = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(size_t));
	memcpy(fill, ix->start, p->nfuncs * sizeof(size_t));
	for (size_t i = 0; i < p->nedges; i++)
		ix->edge[fill[by_callee ? p->edges[i].callee : p->edges[i].caller]++] = (uint32_t)i;
	free(fill);
}

void pv_edge_index_release(struct pv_edge_index *ix)
{
	free(ix->start);
	free(ix->edge);
	ix->start = NULL;
	ix->edge = NULL;
}
