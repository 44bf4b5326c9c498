/* GET /api/profiles and /api/profiles/{ref}: the store's list and one
 * profile's summary (docs/serve-api.md), built with cJSON. */
#include "api.h"
#include "../analysis/stat_table.h"

#include <stdlib.h>
#include <string.h>

static cJSON *api_profile_json(const struct store_meta *m)
{
	cJSON *o = cJSON_CreateObject();
	int calls = m->kind == NULL || strcmp(m->kind, "calls") == 0;
	cJSON_AddNumberToObject(o, "id", (double)m->id);
	cJSON_AddItemToObject(o, "name", api_json_text(m->name));
	cJSON_AddItemToObject(o, "source", api_json_text(m->source));
	cJSON_AddItemToObject(o, "format", api_json_text(m->format));
	cJSON_AddItemToObject(o, "producer", api_json_text(m->producer));
	cJSON_AddItemToObject(o, "kind", api_json_text(m->kind ? m->kind : "calls"));
	cJSON_AddItemToObject(o, "unit", api_json_text(m->unit));
	cJSON_AddItemToObject(o, "thread", api_json_text(m->thread));
	cJSON_AddNumberToObject(o, "part", (double)m->part);
	if (m->group_id)
		cJSON_AddNumberToObject(o, "group_id", (double)m->group_id);
	else
		cJSON_AddNullToObject(o, "group_id");
	cJSON_AddItemToObject(o, "imported_at", api_json_text(m->imported_at));
	cJSON_AddNumberToObject(o, "function_count", (double)m->function_count);
	cJSON_AddNumberToObject(o, "edge_count", (double)m->edge_count);
	cJSON_AddNumberToObject(o, "total_calls", (double)m->total_calls);
	cJSON_AddNumberToObject(o, "primitive_calls", (double)m->primitive_calls);
	cJSON_AddItemToObject(o, "total_time", api_json_number(m->total_time));
	cJSON_AddItemToObject(o, "total_weight", api_json_number(m->total_weight));
	cJSON_AddNumberToObject(o, "total_samples", (double)m->total_samples);
	cJSON_AddNumberToObject(o, "node_count", (double)m->node_count);
	cJSON_AddItemToObject(o, "total", api_json_number(calls ? m->total_time : m->total_weight));
	return o;
}

/* ?q= matches name, source, format or thread, case-insensitively (ASCII);
 * LIKE's wildcards in the text are taken literally. */
static void api_like_pattern(const char *q, char *out, size_t size)
{
	size_t k = 0;
	out[k++] = '%';
	for (; *q && k + 4 < size; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[k++] = '\\';
		out[k++] = *q;
	}
	out[k++] = '%';
	out[k] = 0;
}

int api_profiles(struct api_request *r)
{
	static const char *const names[] = { "q", "limit", "offset", NULL };
	long long limit, offset;
	if (query_only(r, names) || query_long(r, "limit", 0, API_MAX_LIST, 200, &limit) ||
	    query_long(r, "offset", 0, INT64_MAX / 2, 0, &offset))
		return -1;
	const char *q = query_get(&r->q, "q");
	char pattern[API_MAX_QUERY * 2 + 8];
	api_like_pattern(q ? q : "", pattern, sizeof(pattern));
	static const char where[] =
		" FROM profiles WHERE coalesce(name, '') LIKE ?1 ESCAPE '\\' OR source LIKE ?1 ESCAPE '\\'"
		" OR format LIKE ?1 ESCAPE '\\' OR coalesce(thread, '') LIKE ?1 ESCAPE '\\'";
	char sql[512];
	sqlite3_stmt *st = NULL;
	int64_t total = 0;
	struct pv_error err;
	pv_error_clear(&err);
	cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
	snprintf(sql, sizeof(sql), "SELECT count(*)%s", where);
	if (sqlite3_prepare_v2(r->store->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto sql_error;
	total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "SELECT id%s ORDER BY id DESC LIMIT ?2 OFFSET ?3", where);
	if (sqlite3_prepare_v2(r->store->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_meta m;
		if (store_get_meta(r->store, sqlite3_column_int64(st, 0), &m, &err))
			continue;	/* removed since: not listed */
		cJSON_AddItemToArray(list, api_profile_json(&m));
		store_meta_release(&m);
	}
	if (step != SQLITE_DONE)
		goto sql_error;
	sqlite3_finalize(st);
	cJSON_AddNumberToObject(doc, "total", (double)total);
	cJSON_AddNumberToObject(doc, "offset", (double)offset);
	cJSON_AddNumberToObject(doc, "limit", (double)limit);
	cJSON_AddItemToObject(doc, "profiles", list);
	api_json_write(r, doc);
	return 0;
sql_error:
	pv_error_set(&err, "cannot query the store: %s", sqlite3_errmsg(r->store->db));
	sqlite3_finalize(st);
	cJSON_Delete(doc);
	cJSON_Delete(list);
	return api_fail_err(r, &err);
}

/* The 10 heaviest functions by one key, as FUNC objects; the table's top-level
 * names too when top_level is given. */
static int api_top(struct api_request *r, int64_t id, const char *by, cJSON *out, cJSON *top_level)
{
	struct restriction lim = { .kind = RESTRICT_COUNT, .count = 10 };
	struct stat_query q = { .by = by, .restrictions = &lim, .nrestrictions = 1 };
	struct stat_table t;
	struct pv_error err;
	pv_error_clear(&err);
	if (stat_table_from_store(r->store, id, &q, &t, &err))
		return api_fail_err(r, &err);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < t.nrows; i++) {
		const struct stat_row *row = &t.rows[i];
		cJSON *f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "index", (double)row->idx);
		cJSON_AddItemToObject(f, "file", api_json_text(row->file));
		cJSON_AddNumberToObject(f, "line", (double)row->line);
		cJSON_AddItemToObject(f, "name", api_json_text(row->name));
		pv_std_name_raw(row->file, row->file_len, row->line, row->name, row->name_len, &buf, &cap);
		cJSON_AddItemToObject(f, "stdname", api_json_text(buf));
		cJSON_AddNumberToObject(f, "calls", (double)row->calls);
		cJSON_AddNumberToObject(f, "primitive_calls", (double)row->pcalls);
		cJSON_AddItemToObject(f, "self", api_json_number(row->tottime));
		cJSON_AddItemToObject(f, "total", api_json_number(row->cumtime));
		cJSON_AddItemToArray(out, f);
	}
	for (size_t i = 0; top_level && i < t.ntop_level; i++)
		cJSON_AddItemToArray(top_level, api_json_text(t.top_level[i]));
	free(buf);
	stat_table_release(&t);
	return 0;
}

int api_summary(struct api_request *r, const char *ref)
{
	static const char *const names[] = { NULL };
	int64_t id;
	struct store_meta m;
	struct pv_error err;
	pv_error_clear(&err);
	if (query_only(r, names) || api_resolve(r, ref, &id))
		return -1;
	if (api_cached(r, &id, 1))
		return 0;
	if (store_get_meta(r->store, id, &m, &err))
		return api_fail_err(r, &err);
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "profile", api_profile_json(&m));
	store_meta_release(&m);
	cJSON *top_level = cJSON_AddArrayToObject(doc, "top_level");
	cJSON *top_self = cJSON_AddArrayToObject(doc, "top_self"), *top_total = cJSON_AddArrayToObject(doc, "top_total");
	if (api_top(r, id, "tottime", top_self, top_level) || api_top(r, id, "cumulative", top_total, NULL)) {
		cJSON_Delete(doc);
		return -1;
	}
	api_json_write(r, doc);
	return 0;
}
