/* `profview sql`: one read-only query of the store's tables, rows handed out
 * one at a time. The connection gets the virtual tables (functions, edges,
 * tree_nodes) and pv_stdname(), reads one snapshot, and an authorizer refuses
 * every action that is not a read. */
#include "store_private.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct store_query {
	struct store *store;
	sqlite3_stmt *st;
};

static int query_authorize(void *ctx, int action, const char *a, const char *b, const char *db, const char *trigger)
{
	(void)ctx;
	(void)db;
	(void)trigger;
	static const char *const pragmas[] = { "table_info", "table_xinfo", "table_list", "index_list", "index_info",
					       "index_xinfo", "foreign_key_list", "user_version", "schema_version" };
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
			if (a && strcasecmp(a, pragmas[i]) == 0 && (i < 7 || !b))
				return SQLITE_OK;
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static void query_stdname(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	char *buf = NULL;
	size_t cap = 0;
	size_t len = pv_std_name_raw((const char *)sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
				     sqlite3_value_int64(argv[1]), (const char *)sqlite3_value_text(argv[2]),
				     (size_t)sqlite3_value_bytes(argv[2]), &buf, &cap);
	sqlite3_result_text(ctx, buf, (int)len, free);
}

static int query_fail(struct store *s, struct pv_error *err)
{
	pv_error_subject(err, "sql");
	if (sqlite3_errcode(s->db) == SQLITE_AUTH)
		return pv_error_set(err, "refused: queries here only read (no writes, ATTACH or PRAGMAs that set)");
	return pv_error_set(err, "%s", sqlite3_errcode(s->db) != SQLITE_OK ? sqlite3_errmsg(s->db) : "empty query");
}

int store_query_open(struct store *s, const char *sql, struct store_query **out, struct pv_error *err)
{
	*out = NULL;
	int ready = store_ready(s, err);
	if (ready > 0) {
		pv_error_subject(err, s->path);
		return pv_error_set(err, "no store here yet, nothing to query ('profview import FILE' makes one)");
	}
	if (ready)
		return -1;
	if (store_vtab_register(s->db) ||
	    sqlite3_create_function(s->db, "pv_stdname", 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, query_stdname,
				    NULL, NULL) != SQLITE_OK)
		return store_sql_error(s, err, "cannot prepare the query");
	/* the virtual tables declare their columns when first used, which the
	 * authorizer below would refuse as a CREATE: connect them now */
	static const char *const warm[] = { "SELECT * FROM functions WHERE 0", "SELECT * FROM edges WHERE 0",
					     "SELECT * FROM tree_nodes WHERE 0" };
	for (size_t i = 0; i < sizeof(warm) / sizeof(warm[0]); i++) {
		sqlite3_stmt *st = NULL;
		int ok = sqlite3_prepare_v2(s->db, warm[i], -1, &st, NULL) == SQLITE_OK;
		sqlite3_finalize(st);
		if (!ok)
			return store_sql_error(s, err, "cannot prepare the query");
	}
	sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	/* one snapshot for the whole output (rows may be read twice); closing the
	 * store ends it */
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	sqlite3_set_authorizer(s->db, query_authorize, NULL);
	struct store_query *q = xcalloc(1, sizeof(*q));
	q->store = s;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q->st, &tail) != SQLITE_OK || !q->st) {
		query_fail(s, err);
		goto fail;
	}
	for (; *tail; tail++)
		if (!isspace((unsigned char)*tail) && *tail != ';') {
			pv_error_subject(err, "sql");
			pv_error_set(err, "one statement at a time");
			goto fail;
		}
	if (!sqlite3_stmt_readonly(q->st)) {
		pv_error_subject(err, "sql");
		pv_error_set(err, "the store is read-only here: only queries that read");
		goto fail;
	}
	*out = q;
	return 0;
fail:
	store_query_close(q);
	return -1;
}

int store_query_columns(struct store_query *q)
{
	return sqlite3_column_count(q->st);
}

const char *store_query_column_name(struct store_query *q, int c)
{
	const char *name = sqlite3_column_name(q->st, c);
	return name ? name : "";
}

int store_query_step(struct store_query *q, struct pv_error *err)
{
	int step = sqlite3_step(q->st);
	if (step == SQLITE_ROW)
		return 1;
	if (step == SQLITE_DONE)
		return 0;
	pv_error_subject(err, "sql");
	return pv_error_set(err, "%s", sqlite3_errmsg(q->store->db));
}

void store_query_rewind(struct store_query *q)
{
	sqlite3_reset(q->st);
}

void store_query_cell(struct store_query *q, int c, struct store_cell *cell)
{
	memset(cell, 0, sizeof(*cell));
	switch (sqlite3_column_type(q->st, c)) {
	case SQLITE_NULL:
		cell->type = STORE_CELL_NULL;
		break;
	case SQLITE_INTEGER:
		cell->type = STORE_CELL_INT;
		cell->i = sqlite3_column_int64(q->st, c);
		break;
	case SQLITE_FLOAT:
		cell->type = STORE_CELL_FLOAT;
		cell->d = sqlite3_column_double(q->st, c);
		break;
	case SQLITE_BLOB:
		cell->type = STORE_CELL_BLOB;
		cell->s = sqlite3_column_blob(q->st, c);
		cell->len = (size_t)sqlite3_column_bytes(q->st, c);
		break;
	default:
		cell->type = STORE_CELL_TEXT;
		cell->s = (const char *)sqlite3_column_text(q->st, c);
		cell->len = (size_t)sqlite3_column_bytes(q->st, c);
	}
}

void store_query_close(struct store_query *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->st);
	free(q);
}
