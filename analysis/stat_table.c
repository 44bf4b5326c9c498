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
	t->node_count = (int64_t)p->nnodes;
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
	t->rows = xmalloc((p->nstats ? p->nstats : 1) * sizeof(*t->rows));
	t->nrows = p->nstats;
	for (size_t i = 0; i < p->nstats; i++) {
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
	if (q->func) {
		size_t k = 0;
		for (size_t i = 0; i < t->nrows; i++)
			if (t->rows[i].idx == *q->func)
				t->rows[k++] = t->rows[i];
		t->nrows = k;
	}
	for (size_t i = 0; i < t->ntop_level; i++)
		t->top_level[i] = arena_strdup(&t->arena, t->top_level[i]);
	free(idx);
	profile_free(stripped);
	if (stat_table_restrict(t, q, 0, t->py2, err)) {
		stat_table_release(t);
		return -1;
	}
	return 0;
}

static void stat_table_sql_stdname(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	char *buf = NULL;
	size_t cap = 0;
	size_t len = pv_std_name_raw((const char *)sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
				     sqlite3_value_int64(argv[1]), (const char *)sqlite3_value_text(argv[2]),
				     (size_t)sqlite3_value_bytes(argv[2]), &buf, &cap);
	sqlite3_result_text(ctx, buf, (int)len, free);
}

int stat_table_register_sql(sqlite3 *db)
{
	return sqlite3_create_function(db, "pv_stdname", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				       stat_table_sql_stdname, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int stat_table_from_store(struct store *s, int64_t id, const struct stat_query *q, struct stat_table *t,
			  struct pv_error *err)
{
	if (q->strip_dirs) {
		/* merging by basename needs the whole profile in memory */
		struct profile *p;
		if (store_load_profile(s, id, &p, err))
			return -1;
		int rc = stat_table_from_profile(p, q, t, err);
		profile_free(p);
		return rc;
	}
	struct sort_spec spec;
	struct store_meta m;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	char keys[600];
	stat_table_init(t);
	if (store_get_meta(s, id, &m, err))
		return -1;
	t->kind = store_kind_parse(m.kind);
	const char *by = stat_sort_keys(q->by, t->kind, keys, sizeof(keys));
	if (by && sort_spec_parse(by, &spec, err)) {
		store_meta_release(&m);
		stat_table_release(t);
		return -1;
	}
	t->thread = m.thread ? arena_strdup(&t->arena, m.thread) : NULL;
	t->total_weight = m.total_weight;
	t->total_samples = m.total_samples;
	t->node_count = m.node_count;
	t->source = m.source ? arena_strdup(&t->arena, m.source) : NULL;
	t->source_mtime = m.source_mtime;
	t->total_calls = m.total_calls;
	t->prim_calls = m.primitive_calls;
	t->total_tt = m.total_time;
	t->profile_id = m.id;
	t->profile_name = m.name ? arena_strdup(&t->arena, m.name) : NULL;
	t->format = m.format ? arena_strdup(&t->arena, m.format) : NULL;
	t->unit = arena_strdup(&t->arena, m.unit);	/* the unit rule's answer */
	t->nentries = (size_t)m.function_count;
	int py2 = t->py2 = m.dialect && strcmp(m.dialect, "py2") == 0;
	if (by) {
		t->sorted = 1;
		snprintf(t->sort_type, sizeof(t->sort_type), "%s", spec.sort_type);
	}
	stat_table_msg_head(t);
	if (m.top_level_count > 0) {
		if (sqlite3_prepare_v2(s->db, "SELECT name FROM functions WHERE profile_id = ?1 AND top_level AND in_stats ORDER BY idx",
				       -1, &st, NULL) != SQLITE_OK)
			goto sql_error;
		sqlite3_bind_int64(st, 1, id);
		/* sized by the rows read, not by the stored count (a damaged store's may be anything) */
		size_t cap = 0;
		const char **names = NULL;
		int step;
		while ((step = sqlite3_step(st)) == SQLITE_ROW && t->ntop_level < (size_t)m.top_level_count) {
			xgrow((void **)&names, &cap, t->ntop_level + 1, sizeof(*names));
			names[t->ntop_level++] = arena_strdup(&t->arena, (const char *)sqlite3_column_text(st, 0));
		}
		t->top_level = arena_alloc(&t->arena, (t->ntop_level ? t->ntop_level : 1) * sizeof(char *));
		if (t->ntop_level)
			memcpy(t->top_level, names, t->ntop_level * sizeof(char *));
		free(names);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			goto sql_error;
		sqlite3_finalize(st);
		st = NULL;
	}
	/* A leading count or fraction becomes the SQL LIMIT: a top-N read, not a full one. */
	size_t from = 0, limit = t->nentries;
	if (q->nrestrictions && q->restrictions[0].kind != RESTRICT_REGEX) {
		limit = restrict_keep_count(&q->restrictions[0], t->nentries);
		restrict_message(&q->restrictions[0], t->nentries, limit, py2, &t->msg);
		from = 1;
	}
	char order[1024];
	if (by)
		sort_spec_sql(&spec, q->reverse, order, sizeof(order));
	else
		snprintf(order, sizeof(order), "idx");
	char sql[1400];
	snprintf(sql, sizeof(sql),
		 "SELECT idx, file, line, name, pcalls, calls, tottime, cumtime, annotation FROM functions"
		 " WHERE profile_id = ?1 AND in_stats%s ORDER BY %s LIMIT ?2",
		 q->func ? " AND idx = ?3" : "", order);
	if (stat_table_register_sql(s->db) || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	if (q->func)
		sqlite3_bind_int64(st, 3, *q->func);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW && t->nrows < limit) {
		xgrow((void **)&t->rows, &cap, t->nrows + 1, sizeof(*t->rows));
		struct stat_row *r = &t->rows[t->nrows++];
		r->idx = sqlite3_column_int64(st, 0);
		r->file_len = (uint32_t)sqlite3_column_bytes(st, 1);
		r->file = arena_strndup(&t->arena, (const char *)sqlite3_column_text(st, 1), r->file_len);
		r->line = sqlite3_column_int64(st, 2);
		r->name_len = (uint32_t)sqlite3_column_bytes(st, 3);
		r->name = arena_strndup(&t->arena, (const char *)sqlite3_column_text(st, 3), r->name_len);
		r->pcalls = sqlite3_column_int64(st, 4);
		r->calls = sqlite3_column_int64(st, 5);
		r->tottime = sqlite3_column_double(st, 6);
		r->cumtime = sqlite3_column_double(st, 7);
		r->annotation = sqlite3_column_bytes(st, 8) == 1 ? (char)sqlite3_column_text(st, 8)[0] : 0;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		goto sql_error;
	rc = stat_table_restrict(t, q, from, py2, err);
	goto cleanup;
sql_error:
	pv_error_subject(err, s->path);
	pv_error_set(err, "cannot query the store: %s", sqlite3_errmsg(s->db));
cleanup:
	sqlite3_finalize(st);
	store_meta_release(&m);
	if (rc)
		stat_table_release(t);	/* an error leaves nothing behind (a server answers many) */
	return rc;
}

int stat_table_tops(struct store *s, int64_t id, long long limit, struct stat_table *by_self,
		    struct stat_table *by_total, struct pv_error *err)
{
	struct restriction lim = { .kind = RESTRICT_COUNT, .count = limit };
	struct stat_query q = { .by = "tottime", .restrictions = &lim, .nrestrictions = 1 };
	if (stat_table_from_store(s, id, &q, by_self, err))
		return -1;
	q.by = "cumulative";
	if (stat_table_from_store(s, id, &q, by_total, err)) {
		stat_table_release(by_self);
		return -1;
	}
	return 0;
}
