/* functions, edges and tree_nodes as SQL tables again (schema version 5): the
 * rows of versions 1-4, read from the packed arrays (analysis/store_arrays.c)
 * one profile at a time. They are eponymous virtual tables: nothing in the
 * schema, registered on the connection by profview (`profview sql`) or by the
 * extension (store_vtab_ext.c) in sqlite3 and other programs. A
 * `WHERE profile_id = N` reads only that profile. */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

enum vtab_table { VT_FUNCTIONS, VT_EDGES, VT_NODES };

static const char *const vtab_schema[] = {
	"CREATE TABLE x(profile_id INTEGER, idx INTEGER, file TEXT, line INTEGER, name TEXT, in_stats INTEGER,"
	" top_level INTEGER, pcalls INTEGER, calls INTEGER, tottime REAL, cumtime REAL, annotation TEXT)",
	"CREATE TABLE x(profile_id INTEGER, callee INTEGER, ord INTEGER, caller INTEGER, calls INTEGER,"
	" pcalls INTEGER, tottime REAL, cumtime REAL, timed INTEGER)",
	"CREATE TABLE x(profile_id INTEGER, id INTEGER, parent INTEGER, func INTEGER, self REAL, total REAL,"
	" count INTEGER)",
};

/* The last profile read, kept while its content (hash and part) is the same:
 * a join looks rows of one profile up again and again. */
struct vtab_cached {
	struct profile *p;
	char *content;		/* "HASH:PART" it was read with */
	int refs;		/* cursors reading it */
};

struct vtab {
	sqlite3_vtab base;
	sqlite3 *db;
	enum vtab_table table;
	struct vtab_cached *cache;
};

struct vtab_cursor {
	sqlite3_vtab_cursor base;
	sqlite3_stmt *ids;	/* the profiles to read, with their kinds */
	struct vtab_cached *c;	/* the one being read */
	const struct profile *p;
	size_t row, end;	/* rows [row, end) of p are left */
	int has_key;		/* only the rows whose key column (idx, callee, id) is key */
	int64_t key;
	int64_t ord;		/* edges: position in the callee's callers */
	int64_t rowid;
	int eof;
};

static void vtab_cached_release(struct vtab_cached *c)
{
	if (c && --c->refs == 0) {
		profile_free(c->p);
		sqlite3_free(c->content);
		sqlite3_free(c);
	}
}

static int vtab_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **errmsg)
{
	(void)argc;
	(void)argv;
	(void)errmsg;
	enum vtab_table table = (enum vtab_table)(intptr_t)aux;
	int rc = sqlite3_declare_vtab(db, vtab_schema[table]);
	if (rc != SQLITE_OK)
		return rc;
	struct vtab *v = sqlite3_malloc(sizeof(*v));
	if (!v)
		return SQLITE_NOMEM;
	memset(v, 0, sizeof(*v));
	v->db = db;
	v->table = table;
	*out = &v->base;
	return SQLITE_OK;
}

static int vtab_disconnect(sqlite3_vtab *base)
{
	struct vtab *v = (struct vtab *)base;
	vtab_cached_release(v->cache);
	sqlite3_free(v);
	return SQLITE_OK;
}

/* profile_id = ? reads one profile, and with the key column (functions.idx,
 * edges.callee, tree_nodes.id) = ? only those rows; anything else reads every
 * profile. idxNum: 1 profile_id, 2 the key. */
static int vtab_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	(void)base;
	int at[2] = { -1, -1 };
	for (int i = 0; i < info->nConstraint; i++) {
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];
		if (c->usable && c->iColumn >= 0 && c->iColumn < 2 && c->op == SQLITE_INDEX_CONSTRAINT_EQ)
			at[c->iColumn] = i;
	}
	info->idxNum = 0;
	info->estimatedCost = 1e9;
	int arg = 1;
	for (int k = 0; k < 2; k++) {
		if (at[k] < 0)
			continue;
		info->aConstraintUsage[at[k]].argvIndex = arg++;
		info->aConstraintUsage[at[k]].omit = 1;
		info->idxNum |= 1 << k;
	}
	if (info->idxNum & 1)
		info->estimatedCost = info->idxNum & 2 ? 10 : 1e4;
	else if (info->idxNum & 2)
		info->estimatedCost = 1e6;
	return SQLITE_OK;
}

static int vtab_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	(void)base;
	struct vtab_cursor *c = sqlite3_malloc(sizeof(*c));
	if (!c)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->eof = 1;
	*out = &c->base;
	return SQLITE_OK;
}

static int vtab_close(sqlite3_vtab_cursor *base)
{
	struct vtab_cursor *c = (struct vtab_cursor *)base;
	sqlite3_finalize(c->ids);
	vtab_cached_release(c->c);
	sqlite3_free(c);
	return SQLITE_OK;
}

static int vtab_fail(struct vtab *v, const char *msg)
{
	sqlite3_free(v->base.zErrMsg);
	v->base.zErrMsg = sqlite3_mprintf("%s", msg);
	return SQLITE_ERROR;
}

/* Profile id as of content ("HASH:PART"): the cached one when it is the same,
 * else read. */
static int vtab_read(struct vtab *v, int64_t id, const char *kind, const char *content, struct vtab_cached **out)
{
	if (v->cache && content && strcmp(v->cache->content, content) == 0) {
		v->cache->refs++;
		*out = v->cache;
		return SQLITE_OK;
	}
	struct vtab_cached *c = sqlite3_malloc(sizeof(*c));
	if (!c)
		return SQLITE_NOMEM;
	c->p = profile_new();
	c->p->id = id;
	c->p->kind = store_kind_parse(kind);
	c->content = sqlite3_mprintf("%s", content ? content : "");
	c->refs = 1;
	/* every part: one cached profile serves all three tables */
	struct pv_error err;
	pv_error_clear(&err);
	if (!c->content || store_arrays_load(v->db, sqlite3_db_filename(v->db, "main"), id,
					     STORE_LOAD_EDGES | STORE_LOAD_TREE, c->p, &err)) {
		char msg[4400];
		pv_error_format(&err, msg, sizeof(msg));
		int nomem = !c->content;
		vtab_cached_release(c);
		return nomem ? SQLITE_NOMEM : vtab_fail(v, msg);
	}
	vtab_cached_release(v->cache);
	v->cache = c;
	c->refs++;
	*out = c;
	return SQLITE_OK;
}

static size_t vtab_rows(const struct vtab *v, const struct profile *p)
{
	return v->table == VT_FUNCTIONS ? p->nfuncs : v->table == VT_EDGES ? p->nedges : p->nnodes;
}

/* The rows of p whose key is key: one row of functions or tree_nodes, the
 * edges of one callee (stored in callee order). */
static void vtab_key_range(struct vtab_cursor *c, const struct vtab *v)
{
	size_t n = vtab_rows(v, c->p);
	c->row = c->end = 0;
	if (c->key < 0 || (uint64_t)c->key >= (v->table == VT_EDGES ? c->p->nfuncs : n))
		return;
	if (v->table != VT_EDGES) {
		c->row = (size_t)c->key;
		c->end = c->row + 1;
		return;
	}
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)c->p->edges[mid].callee < c->key)
			lo = mid + 1;
		else
			hi = mid;
	}
	c->row = c->end = lo;
	while (c->end < n && (int64_t)c->p->edges[c->end].callee == c->key)
		c->end++;
}

/* Moves to the next profile with rows; eof after the last. */
static int vtab_next_profile(struct vtab_cursor *c)
{
	struct vtab *v = (struct vtab *)c->base.pVtab;
	for (;;) {
		vtab_cached_release(c->c);
		c->c = NULL;
		c->p = NULL;
		c->row = c->end = 0;
		int step = sqlite3_step(c->ids);
		if (step == SQLITE_DONE) {
			c->eof = 1;
			return SQLITE_OK;
		}
		if (step != SQLITE_ROW)
			return vtab_fail(v, sqlite3_errmsg(v->db));
		int rc = vtab_read(v, sqlite3_column_int64(c->ids, 0), (const char *)sqlite3_column_text(c->ids, 1),
				   (const char *)sqlite3_column_text(c->ids, 2), &c->c);
		if (rc != SQLITE_OK)
			return rc;
		c->p = c->c->p;
		if (c->has_key)
			vtab_key_range(c, v);
		else
			c->end = vtab_rows(v, c->p);
		c->ord = 0;
		if (v->table == VT_EDGES)	/* ord counts from the callee's first edge */
			for (size_t k = c->row; k > 0 && c->p->edges[k - 1].callee == c->p->edges[c->row].callee; k--)
				c->ord++;
		if (c->row < c->end)
			return SQLITE_OK;
	}
}

static int vtab_filter(sqlite3_vtab_cursor *base, int idx_num, const char *idx_str, int argc, sqlite3_value **argv)
{
	(void)idx_str;
	(void)argc;
	struct vtab_cursor *c = (struct vtab_cursor *)base;
	struct vtab *v = (struct vtab *)base->pVtab;
	sqlite3_finalize(c->ids);
	c->ids = NULL;
	c->eof = 0;
	c->rowid = 0;
	c->has_key = (idx_num & 2) != 0;
	if (c->has_key) {
		sqlite3_value *k = argv[idx_num & 1 ? 1 : 0];
		int type = sqlite3_value_numeric_type(k);
		double d = sqlite3_value_double(k);
		if (type != SQLITE_INTEGER && !(type == SQLITE_FLOAT && d >= -9e18 && d <= 9e18 && d == (double)(int64_t)d)) {
			c->eof = 1;	/* no row has a key that is not an integer */
			return SQLITE_OK;
		}
		c->key = type == SQLITE_INTEGER ? sqlite3_value_int64(k) : (int64_t)d;
	}
	if (sqlite3_prepare_v2(v->db,
			       idx_num & 1 ? "SELECT id, kind, content_hash || ':' || part FROM profiles WHERE id = ?1"
					   : "SELECT id, kind, content_hash || ':' || part FROM profiles ORDER BY id",
			       -1, &c->ids, NULL) != SQLITE_OK)
		return vtab_fail(v, sqlite3_errmsg(v->db));
	if (idx_num & 1)
		sqlite3_bind_value(c->ids, 1, argv[0]);
	return vtab_next_profile(c);
}

static int vtab_next(sqlite3_vtab_cursor *base)
{
	struct vtab_cursor *c = (struct vtab_cursor *)base;
	struct vtab *v = (struct vtab *)base->pVtab;
	c->rowid++;
	if (v->table == VT_EDGES && c->row + 1 < c->end)
		c->ord = c->p->edges[c->row + 1].callee == c->p->edges[c->row].callee ? c->ord + 1 : 0;
	if (++c->row < c->end)
		return SQLITE_OK;
	return vtab_next_profile(c);
}

static int vtab_eof(sqlite3_vtab_cursor *base)
{
	return ((struct vtab_cursor *)base)->eof;
}

static void result_str(sqlite3_context *ctx, const struct profile *p, uint32_t id)
{
	const struct pv_str *s = profile_str(p, id);
	sqlite3_result_text(ctx, s->s, (int)s->len, SQLITE_TRANSIENT);
}

static void function_column(sqlite3_context *ctx, const struct profile *p, size_t i, int col)
{
	const struct pv_func *f = &p->funcs[i];
	switch (col) {
	case 1: sqlite3_result_int64(ctx, (int64_t)i); break;
	case 2: result_str(ctx, p, f->file); break;
	case 3: sqlite3_result_int64(ctx, f->line); break;
	case 4: result_str(ctx, p, f->name); break;
	case 5: sqlite3_result_int(ctx, (f->flags & PV_FUNC_IN_STATS) != 0); break;
	case 6: sqlite3_result_int(ctx, (f->flags & PV_FUNC_TOP_LEVEL) != 0); break;
	case 7: sqlite3_result_int64(ctx, f->pcalls); break;
	case 8: sqlite3_result_int64(ctx, f->calls); break;
	case 9: sqlite3_result_double(ctx, f->tottime); break;
	case 10: sqlite3_result_double(ctx, f->cumtime); break;
	default:
		if (f->annotation)
			sqlite3_result_text(ctx, &f->annotation, 1, SQLITE_TRANSIENT);
		else
			sqlite3_result_null(ctx);
	}
}

static void edge_column(sqlite3_context *ctx, const struct profile *p, size_t i, int64_t ord, int col)
{
	const struct pv_edge *e = &p->edges[i];
	switch (col) {
	case 1: sqlite3_result_int64(ctx, e->callee); break;
	case 2: sqlite3_result_int64(ctx, ord); break;
	case 3: sqlite3_result_int64(ctx, e->caller); break;
	case 4: sqlite3_result_int64(ctx, e->calls); break;
	case 5: sqlite3_result_int64(ctx, e->pcalls); break;
	case 6: sqlite3_result_double(ctx, e->tottime); break;
	case 7: sqlite3_result_double(ctx, e->cumtime); break;
	default: sqlite3_result_int(ctx, e->kind == PV_EDGE_TIMED);
	}
}

static void node_column(sqlite3_context *ctx, const struct profile *p, size_t i, int col)
{
	const struct pv_node *n = &p->nodes[i];
	switch (col) {
	case 1: sqlite3_result_int64(ctx, (int64_t)i); break;
	case 2:
		if (i)
			sqlite3_result_int64(ctx, n->parent);
		else
			sqlite3_result_null(ctx);
		break;
	case 3: sqlite3_result_int64(ctx, n->func == PV_NO_FUNC ? -1 : (int64_t)n->func); break;
	case 4: sqlite3_result_double(ctx, n->self); break;
	case 5: sqlite3_result_double(ctx, n->total); break;
	default: sqlite3_result_int64(ctx, n->count);
	}
}

static int vtab_column(sqlite3_vtab_cursor *base, sqlite3_context *ctx, int col)
{
	struct vtab_cursor *c = (struct vtab_cursor *)base;
	struct vtab *v = (struct vtab *)base->pVtab;
	if (col == 0)
		sqlite3_result_int64(ctx, c->p->id);
	else if (v->table == VT_FUNCTIONS)
		function_column(ctx, c->p, c->row, col);
	else if (v->table == VT_EDGES)
		edge_column(ctx, c->p, c->row, c->ord, col);
	else
		node_column(ctx, c->p, c->row, col);
	return SQLITE_OK;
}

static int vtab_rowid(sqlite3_vtab_cursor *base, sqlite_int64 *rowid)
{
	*rowid = ((struct vtab_cursor *)base)->rowid;
	return SQLITE_OK;
}

static const sqlite3_module vtab_module = {
	.iVersion = 0,
	.xCreate = NULL,	/* eponymous only: no CREATE VIRTUAL TABLE, nothing in the schema */
	.xConnect = vtab_connect,
	.xBestIndex = vtab_best_index,
	.xDisconnect = vtab_disconnect,
	.xDestroy = vtab_disconnect,
	.xOpen = vtab_open,
	.xClose = vtab_close,
	.xFilter = vtab_filter,
	.xNext = vtab_next,
	.xEof = vtab_eof,
	.xColumn = vtab_column,
	.xRowid = vtab_rowid,
};

int store_vtab_register(sqlite3 *db)
{
	static const char *const names[] = { "functions", "edges", "tree_nodes" };
	for (int t = 0; t < 3; t++)
		if (sqlite3_create_module(db, names[t], &vtab_module, (void *)(intptr_t)t) != SQLITE_OK)
			return -1;
	return 0;
}
