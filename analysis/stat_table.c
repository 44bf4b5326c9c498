#include "stat_table.h"
#include "sort_keys.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void stat_table_release(struct stat_table *t)
{
	strbuf_release(&t->msg);
	free(t->rows);
	arena_release(&t->arena);
	memset(t, 0, sizeof(*t));
}

static void stat_table_init(struct stat_table *t)
{
	memset(t, 0, sizeof(*t));
	arena_init(&t->arena);
	t->source_mtime = -1;
}

const char *stat_sort_keys(const char *by, enum pv_kind kind, char *buf, size_t size)
{
	if (kind == PV_KIND_CALLS)
		return by;
	if (!by)
		by = "tottime";
	static const char *const alias[][2] = { { "self", "tottime" }, { "total", "cumulative" }, { "samples", "calls" } };
	size_t n = 0;
	buf[0] = '\0';
	for (const char *k = by; n + 1 < size;) {
		size_t len = strcspn(k, ",");
		const char *word = k;
		size_t wlen = len;
		for (size_t a = 0; a < 3; a++)
			if (strlen(alias[a][0]) == len && strncmp(k, alias[a][0], len) == 0) {
				word = alias[a][1];
				wlen = strlen(word);
			}
		n += (size_t)snprintf(buf + n, size - n, "%s%.*s", n ? "," : "", (int)wlen, word);
		if (!k[len])
			break;
		k += len + 1;
	}
	return buf;
}

/* pstats' words for the sort fields, in the terms of sampled data. */
static void stat_table_sampled_sort_type(struct stat_table *t)
{
	static const char *const words[][2] = {
		{ "internal time", "self" }, { "cumulative time", "total" },
		{ "primitive call count", "self samples" }, { "call count", "samples" },
	};
	char out[sizeof(t->sort_type)];
	size_t n = 0;
	for (const char *c = t->sort_type; *c && n + 1 < sizeof(out);) {
		size_t w = 0;
		for (; w < 4; w++)
			if (strncmp(c, words[w][0], strlen(words[w][0])) == 0)
				break;
		if (w < 4) {
			const char *rep = words[w][1];
			if (t->kind == PV_KIND_EVENTED && w >= 2)
				rep = w == 2 ? "primitive calls" : "calls";
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", rep);
			c += strlen(words[w][0]);
		} else {
			out[n++] = *c++;
		}
	}
	out[n] = '\0';
	memcpy(t->sort_type, out, n + 1);
}

static void stat_table_msg_head(struct stat_table *t)
{
	if (t->sorted && t->kind != PV_KIND_CALLS)
		stat_table_sampled_sort_type(t);
	if (t->sorted)
		strbuf_addf(&t->msg, "   Ordered by: %s\n", t->sort_type);
	else
		strbuf_adds(&t->msg, "   Random listing order was used\n");
}

/* Applies restrictions[from..] to rows, keeping their order. */
static int stat_table_restrict(struct stat_table *t, const struct stat_query *q, size_t from, int py2,
			       struct pv_error *err)
{
	int any_regex = 0;
	for (size_t k = from; k < q->nrestrictions; k++)
		any_regex |= q->restrictions[k].kind == RESTRICT_REGEX;
	struct restrict_item *items = xmalloc((t->nrows ? t->nrows : 1) * sizeof(*items));
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		if (i % 4096 == 4095 && pv_cancelled(q->cancel)) {
			free(items);
			free(buf);
			return pv_cancel_fail(err);
		}
		items[i].index = i;
		items[i].stdname = NULL;
		items[i].stdname_len = 0;
		if (any_regex) {
			/* sampled tables match the names they show */
			const struct stat_row *r = &t->rows[i];
			size_t len = pv_display_name_raw(t->kind, r->file, r->file_len, r->line, r->name, r->name_len,
							 &buf, &cap);
			items[i].stdname = arena_strndup(&t->arena, buf, len);
			items[i].stdname_len = len;
		}
	}
	free(buf);
	size_t n = t->nrows;
	for (size_t k = from; k < q->nrestrictions; k++)
		if (restrict_apply(&q->restrictions[k], items, &n, py2, &t->msg, q->cancel, err)) {
			free(items);
			return -1;
		}
	struct stat_row *rows = xmalloc((n ? n : 1) * sizeof(*rows));
	for (size_t i = 0; i < n; i++)
		rows[i] = t->rows[items[i].index];
	free(t->rows);
	free(items);
	t->rows = rows;
	t->nrows = n;
	return 0;
}

static void stat_table_meta(struct stat_table *t, const struct profile *p)
{
	t->source = p->source ? arena_strdup(&t->arena, p->source) : NULL;
	t->source_mtime = p->source_mtime;
	t->total_calls = p->total_calls;
	t->prim_calls = p->prim_calls;
	t->total_tt = p->total_tt;
	t->profile_id = p->id;
	t->profile_name = p->name ? arena_strdup(&t->arena, p->name) : NULL;
	t->format = p->format ? arena_strdup(&t->arena, p->format) : NULL;
	t->unit = arena_strdup(&t->arena, profile_unit(p));
	t->thread = p->thread ? arena_strdup(&t->arena, p->thread) : NULL;
	t->kind = p->kind;
	t->py2 = p->dialect == PV_DIALECT_PY2;
	t->total_weight = p->total_weight;
	t->total_samples = p->total_samples;
	/* a table is made without reading the tree: its size as stored */
	t->node_count = p->nnodes ? (int64_t)p->nnodes : p->stored_nodes;
}

int stat_table_from_profile(const struct profile *p0, const struct stat_query *q, struct stat_table *t,
			    struct pv_error *err)
{
	struct sort_spec spec;
	char keys[600];
	const char *by = stat_sort_keys(q->by, p0->kind, keys, sizeof(keys));
	stat_table_init(t);
	if (by && sort_spec_parse(by, &spec, err))
		return -1;
	struct profile *stripped = q->strip_dirs ? profile_strip_dirs(p0) : NULL;
	const struct profile *p = stripped ? stripped : p0;
	stat_table_meta(t, p0);
	t->nentries = p->nstats;
	uint32_t *idx = xmalloc((p->nstats ? p->nstats : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < p->nstats; i++)
		idx[i] = (uint32_t)i;
	if (by) {
		sort_entries(p, &spec, idx, p->nstats);
		t->sorted = 1;
		snprintf(t->sort_type, sizeof(t->sort_type), "%s", spec.sort_type);
		/* reverse_order() only acts on a sorted list */
		if (q->reverse)
			for (size_t i = 0, j = p->nstats; i + 1 < j; i++, j--) {
				uint32_t tmp = idx[i];
				idx[i] = idx[j - 1];
				idx[j - 1] = tmp;
			}
	}
	if (pv_cancelled(q->cancel)) {	/* stripping and sorting a big profile take a while */
		free(idx);
		profile_free(stripped);
		stat_table_release(t);
		return pv_cancel_fail(err);
	}
	stat_table_msg_head(t);
	size_t ntop = 0;
	for (size_t i = 0; i < p->nstats; i++)
		ntop += (p->funcs[i].flags & PV_FUNC_TOP_LEVEL) != 0;
	t->top_level = arena_alloc(&t->arena, (ntop ? ntop : 1) * sizeof(char *));
	for (size_t i = 0; i < p->nstats; i++)
		if (p->funcs[i].flags & PV_FUNC_TOP_LEVEL)
			t->top_level[t->ntop_level++] = profile_str(p, p->funcs[i].name)->s;
	/* only the rows kept are made: the one function asked for, then a leading
	 * count or fraction cuts the list before any names are copied */
	size_t n = p->nstats, from = 0;
	if (q->func) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if ((int64_t)idx[i] == *q->func)
				idx[k++] = idx[i];
		n = k;
	}
	if (q->nrestrictions && q->restrictions[0].kind != RESTRICT_REGEX) {
		size_t keep = restrict_keep_count(&q->restrictions[0], n);
		restrict_message(&q->restrictions[0], n, keep, t->py2, &t->msg);
		n = keep;
		from = 1;
	}
	t->rows = xmalloc((n ? n : 1) * sizeof(*t->rows));
	t->nrows = n;
	for (size_t i = 0; i < n; i++) {
		const struct pv_func *f = &p->funcs[idx[i]];
		struct stat_row *r = &t->rows[i];
		const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
		r->idx = idx[i];
		r->file = arena_strndup(&t->arena, file->s, file->len);
		r->file_len = file->len;
		r->name = arena_strndup(&t->arena, name->s, name->len);
		r->name_len = name->len;
		r->line = f->line;
		r->pcalls = f->pcalls;
		r->calls = f->calls;
		r->tottime = f->tottime;
		r->cumtime = f->cumtime;
		r->annotation = f->annotation;
	}
	for (size_t i = 0; i < t->ntop_level; i++)
		t->top_level[i] = arena_strdup(&t->arena, t->top_level[i]);
	free(idx);
	profile_free(stripped);
	if (stat_table_restrict(t, q, from, t->py2, err)) {
		stat_table_release(t);
		return -1;
	}
	return 0;
}

int stat_table_from_store(struct store *s, int64_t id, const struct stat_query *q, struct stat_table *t,
			  struct pv_error *err)
{
	struct profile *p;
	/* strip-dirs merges a tree's functions through the tree */
	if (store_load_profile_parts(s, id, q->strip_dirs ? STORE_LOAD_EDGES | STORE_LOAD_TREE : 0, &p, err))
		return -1;
	int rc = stat_table_from_profile(p, q, t, err);
	profile_free(p);
	return rc;
}

int stat_table_tops(struct store *s, int64_t id, long long limit, struct stat_table *by_self,
		    struct stat_table *by_total, struct pv_error *err)
{
	struct restriction lim = { .kind = RESTRICT_COUNT, .count = limit };
	struct stat_query q = { .by = "tottime", .restrictions = &lim, .nrestrictions = 1 };
	struct profile *p;
	if (store_load_profile_parts(s, id, 0, &p, err))
		return -1;
	int rc = -1;
	if (stat_table_from_profile(p, &q, by_self, err) == 0) {
		q.by = "cumulative";
		rc = stat_table_from_profile(p, &q, by_total, err);
		if (rc)
			stat_table_release(by_self);
	}
	profile_free(p);
	return rc;
}
