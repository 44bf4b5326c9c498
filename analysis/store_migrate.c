/* The upgrade to schema version 5: every profile's rows (functions, edges,
 * tree_nodes of versions 1-4) become packed arrays (analysis/store_arrays.c),
 * and the row tables go. Here, and only here, the row tables are still read. */
#include "store_private.h"
#include "xalloc.h"

#include <string.h>

static int legacy_corrupt(struct store *s, int64_t id, const char *what, struct pv_error *err)
{
	pv_error_subject(err, s->path);
	return pv_error_set(err, "corrupt store: profile %lld %s; it cannot be upgraded", (long long)id, what);
}

static int legacy_functions(struct store *s, int64_t id, struct profile *p, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT file, line, name, in_stats, top_level, pcalls, calls, tottime, cumtime, annotation"
			       " FROM functions WHERE profile_id = ?1 ORDER BY idx",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint32_t file = profile_intern(p, (const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		uint32_t name = profile_intern(p, (const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2));
		int added;
		uint32_t k = profile_func(p, file, sqlite3_column_int64(st, 1), name, &added);
		if (!added) {
			legacy_corrupt(s, id, "lists a function twice", err);
			goto cleanup;
		}
		struct pv_func *f = &p->funcs[k];
		f->flags = (sqlite3_column_int(st, 3) ? PV_FUNC_IN_STATS : 0) | (sqlite3_column_int(st, 4) ? PV_FUNC_TOP_LEVEL : 0);
		f->pcalls = sqlite3_column_int64(st, 5);
		f->calls = sqlite3_column_int64(st, 6);
		f->tottime = sqlite3_column_double(st, 7);
		f->cumtime = sqlite3_column_double(st, 8);
		if (sqlite3_column_bytes(st, 9) == 1)
			f->annotation = (char)sqlite3_column_text(st, 9)[0];
		if (f->flags & PV_FUNC_IN_STATS)
			p->nstats = k + 1;
	}
	if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

static int legacy_edges(struct store *s, int64_t id, struct profile *p, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT callee, caller, calls, pcalls, tottime, cumtime, timed"
			       " FROM edges WHERE profile_id = ?1 ORDER BY callee, ord",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t callee = sqlite3_column_int64(st, 0), caller = sqlite3_column_int64(st, 1);
		if (callee < 0 || caller < 0 || (uint64_t)callee >= p->nfuncs || (uint64_t)caller >= p->nfuncs) {
			legacy_corrupt(s, id, "has an edge to a missing function", err);
			goto cleanup;
		}
		struct pv_edge *e = profile_add_edge(p, (uint32_t)caller, (uint32_t)callee);
		e->calls = sqlite3_column_int64(st, 2);
		e->pcalls = sqlite3_column_int64(st, 3);
		e->tottime = sqlite3_column_double(st, 4);
		e->cumtime = sqlite3_column_double(st, 5);
		e->kind = sqlite3_column_int(st, 6) ? PV_EDGE_TIMED : PV_EDGE_COUNT;
	}
	if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* Nodes come in id order, so a parent always precedes its children and the ids
 * are the array indexes. */
static int legacy_tree(struct store *s, int64_t id, struct profile *p, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, parent, func, self, total, count FROM tree_nodes WHERE profile_id = ?1 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t nid = sqlite3_column_int64(st, 0), parent = sqlite3_column_int64(st, 1);
		int64_t func = sqlite3_column_int64(st, 2);
		int root = nid == 0;
		if (nid != (int64_t)p->nnodes || (root ? func != -1 : (parent < 0 || parent >= nid || func < 0 ||
								      (uint64_t)func >= p->nfuncs))) {
			legacy_corrupt(s, id, "has a broken call tree", err);
			goto cleanup;
		}
		if (p->nnodes == p->cap_nodes)
			xgrow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof(*p->nodes));
		p->nodes[p->nnodes++] = (struct pv_node){
			.parent = root ? 0 : (uint32_t)parent,
			.func = root ? PV_NO_FUNC : (uint32_t)func,
			.self = sqlite3_column_double(st, 3),
			.total = sqlite3_column_double(st, 4),
			.count = sqlite3_column_int64(st, 5),
		};
	}
	if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int store_migrate_rows_to_arrays(struct store *s, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(s->db, "SELECT id, kind FROM profiles ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct profile *p = profile_new();
		p->kind = store_kind_parse((const char *)sqlite3_column_text(st, 1));
		int failed = legacy_functions(s, id, p, err) || legacy_edges(s, id, p, err) ||
			     (p->kind != PV_KIND_CALLS && legacy_tree(s, id, p, err));
		if (!failed && store_arrays_save(s->db, id, p) != SQLITE_OK)
			failed = store_sql_error(s, err, "cannot upgrade the store");
		profile_free(p);
		if (failed)
			goto cleanup;
	}
	if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot read the store to upgrade it");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}
