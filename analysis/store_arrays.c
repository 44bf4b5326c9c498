/* A profile's strings, functions, edges and call tree as packed arrays
 * (schema version 5, docs/schema.md "profile_arrays"): fixed-size little-endian
 * records in chunks of a few tens of KB, one row per chunk. Saving is a few
 * hundred row inserts instead of one per function and edge (a 200k-function
 * profile: ~20 ms against ~800 ms of rows), loading a few hundred blob reads;
 * a chunk is small enough to be read alone when one function is wanted.
 *
 * Nothing read is trusted: record fields are checked against what was read
 * before them, memory grows with the bytes actually read, and a store whose
 * arrays do not add up is "corrupt", never a crash. */
#include "store_private.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Record sizes in bytes (docs/schema.md). */
enum { FUNC_REC = 50, EDGE_REC = 41, NODE_REC = 32 };
/* Records per chunk (~50 KB of functions), strings too: record i of an array is
 * in chunk i / 1024, so one function or string is one chunk's read. */
enum { CHUNK_RECORDS = 1024, KEY_REC = 20 };

static const char *const array_names[] = { "strings", "functions", "edges", "tree_nodes", "keys" };
enum array_kind { ARRAY_STRINGS, ARRAY_FUNCTIONS, ARRAY_EDGES, ARRAY_NODES, ARRAY_KEYS };

static void put_u32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void put_f64(uint8_t *b, double d)
{
	uint64_t v;
	memcpy(&v, &d, 8);
	put_u64(b, v);
}

static uint32_t get_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(const uint8_t *b)
{
	return (uint64_t)get_u32(b) | (uint64_t)get_u32(b + 4) << 32;
}

static double get_f64(const uint8_t *b)
{
	uint64_t v = get_u64(b);
	double d;
	memcpy(&d, &v, 8);
	return d;
}

static void put_func(uint8_t *b, const struct pv_func *f)
{
	put_u32(b, f->file);
	put_u32(b + 4, f->name);
	put_u64(b + 8, (uint64_t)f->line);
	put_u64(b + 16, (uint64_t)f->pcalls);
	put_u64(b + 24, (uint64_t)f->calls);
	put_f64(b + 32, f->tottime);
	put_f64(b + 40, f->cumtime);
	b[48] = (uint8_t)(f->flags & (PV_FUNC_IN_STATS | PV_FUNC_TOP_LEVEL));
	b[49] = (uint8_t)f->annotation;
}

static void put_edge(uint8_t *b, const struct pv_edge *e)
{
	put_u32(b, e->callee);
	put_u32(b + 4, e->caller);
	put_u64(b + 8, (uint64_t)e->calls);
	put_u64(b + 16, (uint64_t)e->pcalls);
	put_f64(b + 24, e->tottime);
	put_f64(b + 32, e->cumtime);
	b[40] = e->kind == PV_EDGE_TIMED;
}

static void put_node(uint8_t *b, const struct pv_node *n)
{
	put_u32(b, n->parent);
	put_u32(b + 4, n->func);
	put_f64(b + 8, n->self);
	put_f64(b + 16, n->total);
	put_u64(b + 24, (uint64_t)n->count);
}

struct array_writer {
	sqlite3_stmt *st;
	int64_t id;
	uint8_t *buf;
	size_t len, cap;
	int64_t chunk, count;
};

static int array_flush(struct array_writer *w, enum array_kind kind)
{
	if (!w->count)
		return SQLITE_OK;
	sqlite3_bind_int64(w->st, 1, w->id);
	sqlite3_bind_text(w->st, 2, array_names[kind], -1, SQLITE_STATIC);
	sqlite3_bind_int64(w->st, 3, w->chunk++);
	sqlite3_bind_int64(w->st, 4, w->count);
	sqlite3_bind_blob(w->st, 5, w->buf, (int)w->len, SQLITE_STATIC);
	int rc = sqlite3_step(w->st);
	sqlite3_reset(w->st);
	w->len = 0;
	w->count = 0;
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static uint8_t *array_room(struct array_writer *w, size_t n)
{
	if (w->len + n > w->cap)
		xgrow((void **)&w->buf, &w->cap, w->len + n, 1);
	uint8_t *at = w->buf + w->len;
	w->len += n;
	w->count++;
	return at;
}

/* Records of one fixed-size array, CHUNK_RECORDS to a row; put() writes record i. */
static int array_save(struct array_writer *w, enum array_kind kind, const struct profile *p, size_t n, size_t rec,
		      const uint32_t *order, void (*put)(uint8_t *, const struct profile *, size_t))
{
	int rc = SQLITE_OK;
	w->chunk = 0;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		put(array_room(w, rec), p, order ? order[i] : i);
		if (w->count == CHUNK_RECORDS)
			rc = array_flush(w, kind);
	}
	return rc == SQLITE_OK ? array_flush(w, kind) : rc;
}

static void put_func_at(uint8_t *b, const struct profile *p, size_t i)
{
	put_func(b, &p->funcs[i]);
}

static void put_edge_at(uint8_t *b, const struct profile *p, size_t i)
{
	put_edge(b, &p->edges[i]);
}

static void put_node_at(uint8_t *b, const struct profile *p, size_t i)
{
	put_node(b, &p->nodes[i]);
}

/* Edges are stored in callee order (each callee's callers in their order), as
 * the loader gives them back: a counting sort when the profile has them in
 * another (trees derive them in walk order). NULL when already in order. */
static uint32_t *edges_by_callee(const struct profile *p)
{
	size_t i = 1;
	while (i < p->nedges && p->edges[i - 1].callee <= p->edges[i].callee)
		i++;
	if (i >= p->nedges)
		return NULL;
	size_t *start = xcalloc(p->nfuncs + 1, sizeof(size_t));
	uint32_t *order = xmalloc(p->nedges * sizeof(uint32_t));
	for (i = 0; i < p->nedges; i++)
		start[p->edges[i].callee + 1]++;
	for (size_t f = 0; f < p->nfuncs; f++)
		start[f + 1] += start[f];
	for (i = 0; i < p->nedges; i++)
		order[start[p->edges[i].callee]++] = (uint32_t)i;
	free(start);
	return order;
}

/* FNV-1a 64 over the three fields, each but the last followed by a NUL. */
static uint64_t fnv1a_fields(const char *const *parts, const size_t *lens)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < lens[k]; i++)
			h = (h ^ (uint8_t)parts[k][i]) * 0x100000001b3ull;
		if (k < 2)
			h = (h ^ 0) * 0x100000001b3ull;
	}
	return h;
}

void store_function_key(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, uint64_t key[2])
{
	/* FNV-1a 64 of file NUL line-in-decimal NUL name, and of name NUL line NUL
	 * file: simple enough to write again anywhere (another engine, a test),
	 * fast for 200k functions, and 128 bits together, so that a lookup need
	 * not read the names back to tell two functions apart */
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)line);
	const char *fwd[3] = { file, num, name }, *rev[3] = { name, num, file };
	size_t fl[3] = { flen, (size_t)n, nlen }, rl[3] = { nlen, (size_t)n, flen };
	key[0] = fnv1a_fields(fwd, fl);
	key[1] = fnv1a_fields(rev, rl);
}

struct key_entry {
	uint64_t key[2];
	uint32_t idx;
};

static int key_entry_cmp(const void *a, const void *b)
{
	const struct key_entry *x = a, *y = b;
	for (int k = 0; k < 2; k++)
		if (x->key[k] != y->key[k])
			return x->key[k] < y->key[k] ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int store_key_bits(size_t nkeys)
{
	int bits = 0;
	while (bits < 20 && (nkeys >> bits) > 512)
		bits++;
	return bits;
}

/* The stats entries' keys (store_function_key()), sorted: made on a second
 * thread while the other arrays are written (a 200k-function profile's keys
 * take ~40 ms of hashing and sorting). */
struct keys_job {
	const struct profile *p;
	struct key_entry *k;
};

static void *keys_make(void *arg)
{
	struct keys_job *j = arg;
	const struct profile *p = j->p;
	for (size_t i = 0; i < p->nstats; i++) {
		const struct pv_func *f = &p->funcs[i];
		const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
		store_function_key(file->s, file->len, f->line, name->s, name->len, j->k[i].key);
		j->k[i].idx = (uint32_t)i;
	}
	qsort(j->k, p->nstats, sizeof(*j->k), key_entry_cmp);
	return NULL;
}

/* The sorted keys in 2^bits chunks: chunk c holds the keys whose top bits are
 * c, so that one function of one profile is found by reading one small chunk
 * (a function's history across many profiles). */
static int keys_save(struct array_writer *w, const struct profile *p, const struct key_entry *k, int bits)
{
	int rc = SQLITE_OK;
	size_t at = 0;
	for (uint64_t c = 0; c < ((uint64_t)1 << bits) && rc == SQLITE_OK; c++) {
		w->chunk = (int64_t)c;
		while (at < p->nstats && (bits == 0 || k[at].key[0] >> (64 - bits) == c)) {
			uint8_t *b = array_room(w, KEY_REC);
			put_u64(b, k[at].key[0]);
			put_u64(b + 8, k[at].key[1]);
			put_u32(b + 16, k[at].idx);
			at++;
		}
		/* empty chunks too: chunk c is always there to be read */
		sqlite3_bind_int64(w->st, 1, w->id);
		sqlite3_bind_text(w->st, 2, array_names[ARRAY_KEYS], -1, SQLITE_STATIC);
		sqlite3_bind_int64(w->st, 3, (int64_t)c);
		sqlite3_bind_int64(w->st, 4, w->count);
		sqlite3_bind_blob(w->st, 5, w->len ? (const void *)w->buf : "", (int)w->len, SQLITE_STATIC);
		rc = sqlite3_step(w->st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_reset(w->st);
		w->len = 0;
		w->count = 0;
	}
	return rc;
}

int store_arrays_save(sqlite3 *db, int64_t id, const struct profile *p)
{
	struct array_writer w = { .id = id };
	struct keys_job keys = { p, xmalloc((p->nstats ? p->nstats : 1) * sizeof(struct key_entry)) };
	pthread_t keys_thread;
	int threaded = p->nstats >= 4096 && pthread_create(&keys_thread, NULL, keys_make, &keys) == 0;
	if (!threaded)
		keys_make(&keys);
	int rc = sqlite3_prepare_v2(db,
				    "INSERT INTO profile_arrays(profile_id, array, chunk, count, data)"
				    " VALUES(?1, ?2, ?3, ?4, ?5)",
				    -1, &w.st, NULL);
	for (size_t i = 0; i < p->nstrs && rc == SQLITE_OK; i++) {
		const struct pv_str *s = &p->strs[i];
		uint8_t *b = array_room(&w, 4 + (size_t)s->len);
		put_u32(b, s->len);
		memcpy(b + 4, s->s, s->len);
		if (w.count == CHUNK_RECORDS)
			rc = array_flush(&w, ARRAY_STRINGS);
	}
	if (rc == SQLITE_OK)
		rc = array_flush(&w, ARRAY_STRINGS);
	if (rc == SQLITE_OK)
		rc = array_save(&w, ARRAY_FUNCTIONS, p, p->nfuncs, FUNC_REC, NULL, put_func_at);
	uint32_t *order = edges_by_callee(p);
	if (rc == SQLITE_OK)
		rc = array_save(&w, ARRAY_EDGES, p, p->nedges, EDGE_REC, order, put_edge_at);
	free(order);
	if (rc == SQLITE_OK)
		rc = array_save(&w, ARRAY_NODES, p, p->nnodes, NODE_REC, NULL, put_node_at);
	if (threaded)
		pthread_join(keys_thread, NULL);
	if (rc == SQLITE_OK)
		rc = keys_save(&w, p, keys.k, store_key_bits(p->nstats));
	free(keys.k);
	sqlite3_finalize(w.st);
	free(w.buf);
	return rc;
}

/* Reading: each chunk of one array in order, handed to a decoder. */
struct array_reader {
	sqlite3 *db;
	const char *path;
	int64_t id;
	struct profile *p;
	struct pv_error *err;
};

static int array_corrupt(struct array_reader *r, const char *what)
{
	pv_error_subject(r->err, r->path);
	return pv_error_set(r->err, "corrupt store: profile %lld %s", (long long)r->id, what);
}

static int array_sql_error(struct array_reader *r, const char *what)
{
	pv_error_subject(r->err, r->path);
	return pv_error_set(r->err, "%s: %s", what, sqlite3_errmsg(r->db));
}

static int decode_strings(struct array_reader *r, const uint8_t *b, size_t len, int64_t count)
{
	struct profile *p = r->p;
	size_t at = 0;
	for (int64_t k = 0; k < count; k++) {
		if (len - at < 4)
			return array_corrupt(r, "has a cut string");
		uint32_t n = get_u32(b + at);
		at += 4;
		if (len - at < n)
			return array_corrupt(r, "has a cut string");
		/* appended, not interned: the hash tables are built when a
		 * command looks names up (profile_build_indexes()) */
		if (p->nstrs == p->cap_strs)
			xgrow((void **)&p->strs, &p->cap_strs, p->nstrs + 1, sizeof(*p->strs));
		p->strs[p->nstrs++] = (struct pv_str){ arena_strndup(&p->arena, (const char *)b + at, n), n };
		at += n;
	}
	return at == len ? 0 : array_corrupt(r, "has bytes after its strings");
}

static int decode_functions(struct array_reader *r, const uint8_t *b, size_t len, int64_t count)
{
	struct profile *p = r->p;
	(void)len;
	for (int64_t k = 0; k < count; k++, b += FUNC_REC) {
		uint32_t file = get_u32(b), name = get_u32(b + 4);
		if (file >= p->nstrs || name >= p->nstrs)
			return array_corrupt(r, "names a missing string");
		if (p->nfuncs == p->cap_funcs)
			xgrow((void **)&p->funcs, &p->cap_funcs, p->nfuncs + 1, sizeof(*p->funcs));
		size_t i = p->nfuncs++;
		struct pv_func *f = &p->funcs[i];
		memset(f, 0, sizeof(*f));
		f->file = file;
		f->name = name;
		f->line = (int64_t)get_u64(b + 8);
		f->pcalls = (int64_t)get_u64(b + 16);
		f->calls = (int64_t)get_u64(b + 24);
		f->tottime = get_f64(b + 32);
		f->cumtime = get_f64(b + 40);
		f->flags = b[48] & (PV_FUNC_IN_STATS | PV_FUNC_TOP_LEVEL);
		f->annotation = (char)b[49];
		if (f->flags & PV_FUNC_IN_STATS) {
			if (p->nstats != i)
				return array_corrupt(r, "has a stats entry after a caller-only function");
			p->nstats = i + 1;
		}
	}
	return 0;
}

static int decode_edges(struct array_reader *r, const uint8_t *b, size_t len, int64_t count)
{
	struct profile *p = r->p;
	(void)len;
	for (int64_t k = 0; k < count; k++, b += EDGE_REC) {
		uint32_t callee = get_u32(b), caller = get_u32(b + 4);
		if (callee >= p->nfuncs || caller >= p->nfuncs)
			return array_corrupt(r, "has an edge to a missing function");
		if (p->nedges && p->edges[p->nedges - 1].callee > callee)
			return array_corrupt(r, "has edges out of order");
		struct pv_edge *e = profile_add_edge(p, caller, callee);
		e->calls = (int64_t)get_u64(b + 8);
		e->pcalls = (int64_t)get_u64(b + 16);
		e->tottime = get_f64(b + 24);
		e->cumtime = get_f64(b + 32);
		e->kind = b[40] ? PV_EDGE_TIMED : PV_EDGE_COUNT;
	}
	return 0;
}

static int decode_nodes(struct array_reader *r, const uint8_t *b, size_t len, int64_t count)
{
	struct profile *p = r->p;
	(void)len;
	for (int64_t k = 0; k < count; k++, b += NODE_REC) {
		uint32_t parent = get_u32(b), func = get_u32(b + 4);
		int root = p->nnodes == 0;
		if (root ? func != PV_NO_FUNC || parent != 0 : parent >= p->nnodes || func >= p->nfuncs)
			return array_corrupt(r, "has a broken call tree");
		if (p->nnodes == p->cap_nodes)
			xgrow((void **)&p->nodes, &p->cap_nodes, p->nnodes + 1, sizeof(*p->nodes));
		p->nodes[p->nnodes++] = (struct pv_node){
			.parent = parent,
			.func = func,
			.self = get_f64(b + 8),
			.total = get_f64(b + 16),
			.count = (int64_t)get_u64(b + 24),
		};
	}
	return 0;
}

static int array_load(struct array_reader *r, enum array_kind kind, size_t rec,
		      int (*decode)(struct array_reader *, const uint8_t *, size_t, int64_t))
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(r->db,
			       "SELECT chunk, count, data FROM profile_arrays WHERE profile_id = ?1 AND array = ?2"
			       " ORDER BY chunk",
			       -1, &st, NULL) != SQLITE_OK) {
		array_sql_error(r, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, array_names[kind], -1, SQLITE_STATIC);
	int64_t next = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t chunk = sqlite3_column_int64(st, 0), count = sqlite3_column_int64(st, 1);
		const uint8_t *b = sqlite3_column_blob(st, 2);
		size_t len = (size_t)sqlite3_column_bytes(st, 2);
		if (chunk != next++ || count < 0 || (rec && (uint64_t)count * rec != len) || (!rec && (uint64_t)count > len)) {
			array_corrupt(r, kind == ARRAY_STRINGS ? "has a broken string array"
					 : kind == ARRAY_FUNCTIONS ? "has a broken function array"
					 : kind == ARRAY_EDGES	   ? "has a broken edge array"
								   : "has a broken call tree");
			goto cleanup;
		}
		if (count && decode(r, b, len, count))
			goto cleanup;
	}
	if (step != SQLITE_DONE) {
		array_sql_error(r, "cannot read the store");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int store_arrays_load(sqlite3 *db, const char *path, int64_t id, unsigned parts, struct profile *p,
		      struct pv_error *err)
{
	struct array_reader r = { .db = db, .path = path, .id = id, .p = p, .err = err };
	if (array_load(&r, ARRAY_STRINGS, 0, decode_strings) || array_load(&r, ARRAY_FUNCTIONS, FUNC_REC, decode_functions))
		return -1;
	if ((parts & STORE_LOAD_EDGES) && array_load(&r, ARRAY_EDGES, EDGE_REC, decode_edges))
		return -1;
	if ((parts & STORE_LOAD_TREE) && p->kind != PV_KIND_CALLS) {
		if (array_load(&r, ARRAY_NODES, NODE_REC, decode_nodes))
			return -1;
		if (p->nnodes == 0)
			return array_corrupt(&r, "has no call tree");
	}
	return 0;
}

/* What store_arrays_find_function() keeps between calls on one connection:
 * its two statements (and a blob handle during one call). */
struct store_finder {
	sqlite3 *db;
	sqlite3_stmt *keys, *row;
	sqlite3_blob *blob;
};

void store_finder_free(struct store_finder *f)
{
	if (!f)
		return;
	sqlite3_finalize(f->keys);
	sqlite3_finalize(f->row);
	sqlite3_blob_close(f->blob);
	free(f);
}

/* The functions record i of profile id (FUNC_REC bytes into b): 1, 0 when
 * there is none, -1 with err. Reads those bytes only, not their chunk. */
static int finder_function(struct store_finder *f, struct array_reader *r, uint32_t i, uint8_t *b)
{
	sqlite3_reset(f->row);
	sqlite3_bind_int64(f->row, 1, r->id);
	sqlite3_bind_int64(f->row, 2, i / CHUNK_RECORDS);
	int step = sqlite3_step(f->row);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return array_sql_error(r, "cannot read the store");
	int64_t rowid = sqlite3_column_int64(f->row, 0);
	sqlite3_reset(f->row);
	int rc = f->blob ? sqlite3_blob_reopen(f->blob, rowid)
			 : sqlite3_blob_open(f->db, "main", "profile_arrays", "data", rowid, 0, &f->blob);
	if (rc != SQLITE_OK) {
		sqlite3_blob_close(f->blob);
		f->blob = NULL;
		return array_sql_error(r, "cannot read the store");
	}
	int at = (int)(i % CHUNK_RECORDS) * FUNC_REC;
	if (sqlite3_blob_bytes(f->blob) < at + FUNC_REC)
		return 0;
	if (sqlite3_blob_read(f->blob, b, FUNC_REC, at) != SQLITE_OK)
		return array_sql_error(r, "cannot read the store");
	return 1;
}

int store_arrays_find_function(struct store_finder **finder, sqlite3 *db, const char *path, int64_t id,
			       int64_t nstats, const char *file, int64_t line, const char *name, struct pv_func *out,
			       int64_t *idx, struct pv_error *err)
{
	struct array_reader r = { .db = db, .path = path, .id = id, .err = err };
	struct store_finder *f = *finder;
	if (!f) {
		f = *finder = xcalloc(1, sizeof(*f));
		f->db = db;
		if (sqlite3_prepare_v3(db,
				       "SELECT data FROM profile_arrays WHERE profile_id = ?1 AND array = 'keys'"
				       " AND chunk = ?2",
				       -1, SQLITE_PREPARE_PERSISTENT, &f->keys, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v3(db,
				       "SELECT rowid FROM profile_arrays WHERE profile_id = ?1 AND array = 'functions'"
				       " AND chunk = ?2",
				       -1, SQLITE_PREPARE_PERSISTENT, &f->row, NULL) != SQLITE_OK) {
			array_sql_error(&r, "cannot query the store");
			store_finder_free(f);
			*finder = NULL;
			return -1;
		}
	}
	uint64_t key[2];
	store_function_key(file, strlen(file), line, name, strlen(name), key);
	int bits = store_key_bits(nstats > 0 ? (size_t)nstats : 0);
	sqlite3_reset(f->keys);
	sqlite3_bind_int64(f->keys, 1, id);
	sqlite3_bind_int64(f->keys, 2, bits ? (int64_t)(key[0] >> (64 - bits)) : 0);
	int step = sqlite3_step(f->keys), rc = 0;
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return array_sql_error(&r, "cannot read the store");
	const uint8_t *keys = sqlite3_column_blob(f->keys, 0);
	size_t n = (size_t)sqlite3_column_bytes(f->keys, 0) / KEY_REC, lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = keys + mid * KEY_REC;
		if (get_u64(e) < key[0] || (get_u64(e) == key[0] && get_u64(e + 8) < key[1]))
			lo = mid + 1;
		else
			hi = mid;
	}
	const uint8_t *e = keys + lo * KEY_REC;
	if (lo < n && get_u64(e) == key[0] && get_u64(e + 8) == key[1]) {
		uint32_t i = get_u32(e + 16);
		uint8_t b[FUNC_REC];
		sqlite3_reset(f->keys);
		rc = finder_function(f, &r, i, b);
		if (rc == 0)
			rc = array_corrupt(&r, "has a key of a missing function");
		else if (rc == 1 && (int64_t)get_u64(b + 8) != line)
			rc = 0;	/* 128 bits alike and yet another line: not this function */
		if (rc == 1) {
			*out = (struct pv_func){
				.line = line,
				.pcalls = (int64_t)get_u64(b + 16),
				.calls = (int64_t)get_u64(b + 24),
				.tottime = get_f64(b + 32),
				.cumtime = get_f64(b + 40),
				.flags = b[48] & (PV_FUNC_IN_STATS | PV_FUNC_TOP_LEVEL),
				.annotation = (char)b[49],
			};
			*idx = i;
		}
	}
	sqlite3_reset(f->keys);
	/* an open blob holds the connection's read snapshot: it would never see
	 * what is imported after */
	sqlite3_blob_close(f->blob);
	f->blob = NULL;
	return rc;
}
