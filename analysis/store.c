#include "store.h"
#include "store_private.h"
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Steps a prepared query whose first column is a profile id, keeping up to max. */
static int store_collect_ids(struct store *s, sqlite3_stmt *st, int64_t *ids, size_t max, size_t *n,
			     struct pv_error *err)
{
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (*n < max)
			ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (step != SQLITE_DONE)
		return store_sql_error(s, err, "cannot query the store");
	return 0;
}

int store_find_source(struct store *s, const char *abspath, int64_t size, int64_t mtime_ns, int merged,
		      int64_t *ids, size_t max, size_t *n, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*n = 0;
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : 0;	/* no store yet: nothing stored from it */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id FROM profiles WHERE source_abspath = ?1 AND source_size = ?2"
			       " AND source_mtime_ns = ?3 AND (part = -1) = ?4 ORDER BY part",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, abspath, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, mtime_ns);
	sqlite3_bind_int(st, 4, merged != 0);
	rc = store_collect_ids(s, st, ids, max, n, err);
cleanup:
	sqlite3_finalize(st);
	return rc;
}

void store_now_iso(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void store_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static const char *store_kind_name(enum pv_kind k)
{
	return k == PV_KIND_SAMPLED ? "sampled" : k == PV_KIND_EVENTED ? "evented" : "calls";
}

/* The ids already stored for this content read the same way: the merged
 * profile (part -1), or every part in order. *n = 0 when none. */
static int store_find_group(struct store *s, const char *hash, int merged, int64_t *ids, size_t max, size_t *n,
			    struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       merged ? "SELECT id FROM profiles WHERE content_hash = ?1 AND part = -1"
				      : "SELECT id FROM profiles WHERE content_hash = ?1 AND part >= 0 ORDER BY part",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = store_collect_ids(s, st, ids, max, n, err);
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static int store_insert_profile(struct store *s, const struct profile *p, int64_t *id, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO profiles(name, source, source_mtime, format, producer, dialect,"
			       " content_hash, imported_at, unit, total_calls, primitive_calls, total_time,"
			       " function_count, edge_count, top_level_count, source_abspath, source_size, source_mtime_ns,"
			       " kind, thread, total_weight, total_samples, node_count, part)"
			       " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24)",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot prepare import");
		goto cleanup;
	}
	char now[32];
	store_now_iso(now);
	char hash_fallback[32];
	snprintf(hash_fallback, sizeof(hash_fallback), "unhashed-%lld", (long long)time(NULL));
	sqlite3_bind_null(st, 1);	/* the name goes in with store_name_insert() */
	store_bind_opt(st, 2, p->source ? p->source : "");
	if (p->source_mtime >= 0)
		sqlite3_bind_int64(st, 3, p->source_mtime);
	store_bind_opt(st, 4, p->format ? p->format : "pstats");
	store_bind_opt(st, 5, p->producer);
	store_bind_opt(st, 6, p->dialect == PV_DIALECT_PY2 ? "py2" : "py3");
	store_bind_opt(st, 7, p->content_hash ? p->content_hash : hash_fallback);
	store_bind_opt(st, 8, now);
	store_bind_opt(st, 9, profile_unit(p));
	sqlite3_bind_int64(st, 10, p->total_calls);
	sqlite3_bind_int64(st, 11, p->prim_calls);
	sqlite3_bind_double(st, 12, p->total_tt);
	sqlite3_bind_int64(st, 13, (int64_t)p->nstats);
	sqlite3_bind_int64(st, 14, (int64_t)p->nedges);
	int64_t ntop = 0;
	for (size_t i = 0; i < p->nstats; i++)
		ntop += (p->funcs[i].flags & PV_FUNC_TOP_LEVEL) != 0;
	sqlite3_bind_int64(st, 15, ntop);
	store_bind_opt(st, 16, p->source_abspath);
	if (p->source_abspath) {
		sqlite3_bind_int64(st, 17, p->source_size);
		sqlite3_bind_int64(st, 18, p->source_mtime_ns);
	}
	store_bind_opt(st, 19, store_kind_name(p->kind));
	store_bind_opt(st, 20, p->thread);
	sqlite3_bind_double(st, 21, p->kind == PV_KIND_CALLS ? p->total_tt : p->total_weight);
	sqlite3_bind_int64(st, 22, p->total_samples);
	sqlite3_bind_int64(st, 23, (int64_t)p->nnodes);
	sqlite3_bind_int(st, 24, p->part);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_sql_error(s, err, "cannot store profile");
		goto cleanup;
	}
	*id = sqlite3_last_insert_rowid(s->db);
	if (p->name && store_name_insert(s, *id, p->name, err))
		goto cleanup;
	if (store_arrays_save(s->db, *id, p) != SQLITE_OK)
		store_sql_error(s, err, "cannot store the profile's functions");
	else
		rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int store_save_profiles(struct store *s, struct profile *const *v, size_t n, int64_t *ids, int *existed,
			struct pv_error *err)
{
	int rc = -1;
	*existed = 0;
	if (n == 0)
		return 0;
	if (store_writable(s, err) || store_exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	if (v[0]->content_hash) {
		size_t found;
		if (store_find_group(s, v[0]->content_hash, v[0]->part < 0, ids, n, &found, err))
			goto cleanup;
		if (found == n) {
			*existed = 1;
			rc = 0;
			goto cleanup;
		}
		if (found) {
			/* the same content stored with a different thread split: keep
			 * what is there rather than mixing two imports */
			pv_error_subject(err, v[0]->source ? v[0]->source : "");
			pv_error_set(err, "this content is stored already as %zu profile(s), not %zu", found, n);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (store_insert_profile(s, v[i], &ids[i], err))
			goto cleanup;
	if (n > 1) {
		sqlite3_stmt *st = NULL;
		int ok = sqlite3_prepare_v2(s->db, "UPDATE profiles SET group_id = ?1 WHERE id >= ?1 AND id <= ?2", -1, &st,
					    NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_int64(st, 1, ids[0]);
			sqlite3_bind_int64(st, 2, ids[n - 1]);
			ok = sqlite3_step(st) == SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (!ok) {
			store_sql_error(s, err, "cannot group the profiles");
			goto cleanup;
		}
	}
	if (store_exec(s, "COMMIT", err))
		goto cleanup;
	return 0;
cleanup:
	sqlite3_exec(s->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_save_profile(struct store *s, const struct profile *p, int64_t *id, int *existed,
		       struct pv_error *err)
{
	struct profile *v[1] = { (struct profile *)p };
	return store_save_profiles(s, v, 1, id, existed, err);
}

int store_resolve(struct store *s, const char *ref, int64_t *id, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	const char *sql;
	char *end = NULL;
	long long num = 0;
	int numeric = ref[0] && (errno = 0, num = strtoll(ref, &end, 10), *end == '\0' && errno == 0 && num > 0);
	int ready = store_ready(s, err);
	if (ready > 0) {
		store_missing_error(s, ref, err);
		err->kind = PV_ERROR_NOT_FOUND;
	}
	if (ready)
		return -1;
	if (strcmp(ref, "latest") == 0)
		sql = "SELECT max(id) FROM profiles";
	else if (numeric)
		sql = "SELECT id FROM profiles WHERE id = ?1";
	else
		sql = "SELECT profile_id FROM names WHERE name = ?2";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	if (numeric)
		sqlite3_bind_int64(st, 1, num);
	else
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*id = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (step == SQLITE_ROW || step == SQLITE_DONE) {
		pv_error_subject(err, ref);
		if (strcmp(ref, "latest") == 0)
			pv_error_set(err, "the store is empty; give a profile file");
		else
			pv_error_set(err, "no such file, and no stored profile with this %s", numeric ? "id" : "name");
		err->kind = PV_ERROR_NOT_FOUND;
	} else {
		store_sql_error(s, err, "cannot query the store");
	}
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static char *store_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

int store_get_meta(struct store *s, int64_t id, struct store_meta *m, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	char num[32];
	memset(m, 0, sizeof(*m));
	snprintf(num, sizeof(num), "%lld", (long long)id);
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : store_missing_error(s, num, err);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, name, source, source_mtime, format, producer, dialect, content_hash,"
			       " imported_at, unit, total_calls, primitive_calls, total_time, function_count, edge_count,"
			       " top_level_count, kind, thread, total_weight, total_samples, node_count, part, group_id,"
			       " source_abspath"
			       " FROM profiles WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		if (step == SQLITE_DONE) {
			pv_error_subject(err, num);
			pv_error_set(err, "no stored profile with this id");
			err->kind = PV_ERROR_NOT_FOUND;
		} else {
			store_sql_error(s, err, "cannot query the store");
		}
		goto cleanup;
	}
	m->id = sqlite3_column_int64(st, 0);
	m->name = store_col_dup(st, 1);
	m->source = store_col_dup(st, 2);
	m->source_mtime = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
	m->format = store_col_dup(st, 4);
	m->producer = store_col_dup(st, 5);
	m->dialect = store_col_dup(st, 6);
	m->content_hash = store_col_dup(st, 7);
	m->imported_at = store_col_dup(st, 8);
	m->total_calls = sqlite3_column_int64(st, 10);
	m->primitive_calls = sqlite3_column_int64(st, 11);
	m->total_time = sqlite3_column_double(st, 12);
	m->function_count = sqlite3_column_int64(st, 13);
	m->edge_count = sqlite3_column_int64(st, 14);
	m->top_level_count = sqlite3_column_int64(st, 15);
	m->kind = store_col_dup(st, 16);
	m->thread = store_col_dup(st, 17);
	m->total_weight = sqlite3_column_double(st, 18);
	m->total_samples = sqlite3_column_int64(st, 19);
	m->node_count = sqlite3_column_int64(st, 20);
	m->part = sqlite3_column_int64(st, 21);
	m->group_id = sqlite3_column_type(st, 22) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 22);
	m->source_abspath = store_col_dup(st, 23);
	/* the rule's answer, so that no reader of the row restates it */
	char *recorded = store_col_dup(st, 9);
	m->unit = xstrdup(profile_unit_of(store_kind_parse(m->kind), recorded));
	free(recorded);
	rc = store_names_of(s, id, &m->names, &m->nnames, err);
cleanup:
	sqlite3_finalize(st);
	if (rc)
		store_meta_release(m);
	return rc;
}

/* LIKE pattern for "contains text": LIKE's wildcards in the text are taken
 * literally (escaped with a backslash). malloc'd. */
static char *store_like_pattern(const char *text)
{
	size_t n = strlen(text), k = 0;
	char *out = xmalloc(2 * n + 3);
	out[k++] = '%';
	for (const char *c = text; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			out[k++] = '\\';
		out[k++] = *c;
	}
	out[k++] = '%';
	out[k] = 0;
	return out;
}

int store_list(struct store *s, const struct store_list_query *q, struct store_meta **out, size_t *n,
	       int64_t *total, struct pv_error *err)
{
	static const char where[] =
		" FROM profiles WHERE EXISTS(SELECT 1 FROM names n WHERE n.profile_id = profiles.id AND n.name LIKE ?1"
		" ESCAPE '\\') OR source LIKE ?1 ESCAPE '\\'"
		" OR format LIKE ?1 ESCAPE '\\' OR coalesce(thread, '') LIKE ?1 ESCAPE '\\'";
	char sql[1024];
	sqlite3_stmt *st = NULL;
	char *pattern = store_like_pattern(q->text ? q->text : "");
	struct store_meta *v = NULL;
	size_t nv = 0, cap = 0;
	int rc = -1, step;
	*out = NULL;
	*n = 0;
	*total = 0;
	int ready = store_ready(s, err);
	if (ready) {
		free(pattern);
		return ready < 0 ? -1 : 0;	/* no store yet: no profiles */
	}
	snprintf(sql, sizeof(sql), "SELECT count(*)%s", where);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto sql_error;
	*total = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "SELECT id%s ORDER BY id %s LIMIT ?2 OFFSET ?3", where,
		 q->newest_first ? "DESC" : "ASC");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_error;
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->limit >= 0 ? q->limit : -1);
	sqlite3_bind_int64(st, 3, q->offset);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (nv == cap)
			xgrow((void **)&v, &cap, nv + 1, sizeof(*v));
		if (store_get_meta(s, sqlite3_column_int64(st, 0), &v[nv], err) == 0)
			nv++;
		else if (err->kind == PV_ERROR_NOT_FOUND)
			pv_error_clear(err);	/* removed since: not listed */
		else
			goto cleanup;	/* a store that cannot be read is no shorter list */
	}
	if (step != SQLITE_DONE)
		goto sql_error;
	*out = v;
	*n = nv;
	v = NULL;
	nv = 0;
	rc = 0;
	goto cleanup;
sql_error:
	store_sql_error(s, err, "cannot query the store");
cleanup:
	sqlite3_finalize(st);
	store_meta_list_free(v, nv);
	free(pattern);
	return rc;
}

void store_meta_list_free(struct store_meta *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_meta_release(&v[i]);
	free(v);
}

void store_meta_release(struct store_meta *m)
{
	free(m->name);
	free(m->source);
	free(m->format);
	free(m->producer);
	free(m->dialect);
	free(m->content_hash);
	free(m->imported_at);
	free(m->unit);
	free(m->kind);
	free(m->thread);
	free(m->source_abspath);
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

static const char *store_arena_dup(struct profile *p, const char *s)
{
	return s ? arena_strdup(&p->arena, s) : NULL;
}

int store_get_kind(struct store *s, int64_t id, enum pv_kind *kind, struct pv_error *err)
{
	struct store_meta m;
	if (store_get_meta(s, id, &m, err))
		return -1;
	*kind = store_kind_parse(m.kind);
	store_meta_release(&m);
	return 0;
}

int store_content_id(struct store *s, int64_t id, struct strbuf *out, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)id);
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : store_missing_error(s, num, err);
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT content_hash, part FROM profiles WHERE id = ?1", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		strbuf_addf(out, "%s:%lld", (const char *)sqlite3_column_text(st, 0),
			    (long long)sqlite3_column_int64(st, 1));
		rc = 0;
	} else if (step == SQLITE_DONE) {
		pv_error_subject(err, num);
		pv_error_set(err, "no stored profile with this id");
		err->kind = PV_ERROR_NOT_FOUND;
	} else
		store_sql_error(s, err, "cannot query the store");
cleanup:
	sqlite3_finalize(st);
	return rc;
}

enum pv_kind store_kind_parse(const char *k)
{
	if (k && strcmp(k, "sampled") == 0)
		return PV_KIND_SAMPLED;
	if (k && strcmp(k, "evented") == 0)
		return PV_KIND_EVENTED;
	return PV_KIND_CALLS;
}

int store_load_profile(struct store *s, int64_t id, struct profile **out, struct pv_error *err)
{
	return store_load_profile_parts(s, id, STORE_LOAD_EDGES | STORE_LOAD_TREE, out, err);
}

int store_load_profile_parts(struct store *s, int64_t id, unsigned parts, struct profile **out, struct pv_error *err)
{
	struct store_meta m;
	struct profile *p = NULL;
	int rc = -1;
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : store_get_meta(s, id, &m, err);	/* says there is no store */
	/* the row and the arrays from one snapshot: an `rm` meanwhile is not a
	 * corrupt profile */
	int own = sqlite3_get_autocommit(s->db) && sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	if (store_get_meta(s, id, &m, err)) {
		if (own)
			sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
		return -1;
	}
	p = profile_new();
	p->id = m.id;
	p->name = store_arena_dup(p, m.name);
	p->source = store_arena_dup(p, m.source);
	p->format = store_arena_dup(p, m.format);
	p->producer = store_arena_dup(p, m.producer);
	p->unit = store_arena_dup(p, m.unit);
	p->content_hash = store_arena_dup(p, m.content_hash);
	p->source_mtime = m.source_mtime;
	p->dialect = m.dialect && strcmp(m.dialect, "py2") == 0 ? PV_DIALECT_PY2 : PV_DIALECT_PY3;
	p->total_calls = m.total_calls;
	p->prim_calls = m.primitive_calls;
	p->total_tt = m.total_time;
	p->kind = store_kind_parse(m.kind);
	p->thread = store_arena_dup(p, m.thread);
	p->total_weight = m.total_weight;
	p->total_samples = m.total_samples;
	p->part = (int)m.part;
	p->stored_nodes = m.node_count;
	if (store_arrays_load(s->db, s->path, id, parts, p, err))
		goto cleanup;
	/* the readers never store counts whose sums pass int64; a store edited
	 * since would make the analysis's sums overflow */
	struct pv_count_sums sums = { 0 };
	if (profile_count_sums_add(&sums, p)) {
		pv_error_subject(err, s->path);
		pv_error_set(err, "corrupt store: profile %lld has counts that add up beyond 2^63", (long long)id);
		goto cleanup;
	}
	*out = p;
	p = NULL;
	rc = 0;
cleanup:
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	profile_free(p);
	store_meta_release(&m);
	return rc;
}

int store_find_function(struct store *s, int64_t id, const char *file, int64_t line, const char *name,
			struct pv_func *out, int64_t *idx, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)id);
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : store_missing_error(s, num, err);
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT function_count FROM profiles WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = store_arrays_find_function(&s->finder, s->db, s->path, id, sqlite3_column_int64(st, 0), file, line,
						name, out, idx, err);
	else if (step == SQLITE_DONE) {
		pv_error_subject(err, num);
		pv_error_set(err, "no stored profile with this id");
		err->kind = PV_ERROR_NOT_FOUND;
	} else
		store_sql_error(s, err, "cannot query the store");
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int store_delete_profile(struct store *s, int64_t id, struct pv_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM profile_arrays WHERE profile_id = ?1",
		"DELETE FROM names WHERE profile_id = ?1",
		"DELETE FROM profiles WHERE id = ?1",
	};
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)id);
	int ready = store_ready(s, err);
	if (ready)
		return ready < 0 ? -1 : store_missing_error(s, num, err);
	if (store_writable(s, err) || store_exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;
		int ok = sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_int64(st, 1, id);
			ok = sqlite3_step(st) == SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (!ok) {
			store_sql_error(s, err, "cannot delete profile");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return store_exec(s, "COMMIT", err);
}
