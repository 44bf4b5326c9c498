/* What the store's files share and nothing else sees: the connection's error
 * messages, and making sure a connection is there (reading) or may write.
 * analysis/store_open.c holds them. */
#ifndef PV_STORE_PRIVATE_H
#define PV_STORE_PRIVATE_H

#include "store.h"

#include <sqlite3.h>

/* db is NULL while there is no store at path yet (opened for reading); the
 * functions below then answer as for an empty store, and the first one that
 * writes creates it. */
struct store {
	sqlite3 *db;
	char *path;
	int writable;		/* db may write (else it only reads) */
	int lock_wait_ms;	/* how long to wait for another writer */
	struct pv_cancel *cancel;	/* checked while SQLite steps (store_set_cancel) */
	struct store_finder *finder;	/* store_find_function()'s statements */
};

/* Fills err with what + SQLite's message (a lock held too long is said as such);
 * returns -1. */
int store_sql_error(struct store *s, struct pv_error *err, const char *what);
/* Runs SQL without results; on failure err says why. */
int store_exec(struct store *s, const char *sql, struct pv_error *err);

/* A connection for reading: 0 when s->db is open, 1 when there is no store at
 * s->path yet (nothing is created), -1 on error. */
int store_ready(struct store *s, struct pv_error *err);
/* A connection that may write, creating the store (file, folders, schema) when
 * there is none yet: 0, or -1 with err. */
int store_writable(struct store *s, struct pv_error *err);
/* err for a reference looked up while there is no store yet; returns -1. */
int store_missing_error(struct store *s, const char *ref, struct pv_error *err);

/* The time now, ISO 8601 UTC, as imported_at and named_at hold it. */
void store_now_iso(char buf[32]);

/* The names of profile id, oldest first (*names, *n; free each and the array). */
int store_names_of(struct store *s, int64_t id, char ***names, size_t *n, struct pv_error *err);
/* Gives profile id the name inside the caller's write transaction; a name held
 * by another profile is an error. */
int store_name_insert(struct store *s, int64_t id, const char *name, struct pv_error *err);

/* Packed per-profile arrays (analysis/store_arrays.c, docs/schema.md). They take a
 * bare connection so that the virtual tables can read them in any process that
 * loads the extension. store_arrays_save() returns an SQLite result code;
 * store_arrays_load() fills p (kind already set) with the strings and functions,
 * and the edges and tree as parts asks (STORE_LOAD_*), or fails with err naming
 * path. */
int store_arrays_save(sqlite3 *db, int64_t id, const struct profile *p);
int store_arrays_load(sqlite3 *db, const char *path, int64_t id, unsigned parts, struct profile *p,
		      struct pv_error *err);

/* The key a function is found by across profiles (profile_arrays 'keys'):
 * FNV-1a 64 of file, NUL, line in decimal, NUL, name, and of name, NUL, line,
 * NUL, file (docs/schema.md). */
void store_function_key(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, uint64_t key[2]);
/* How many top bits of the key pick its chunk, for a profile of nkeys stats
 * entries (chunks of ~512 keys or fewer). */
int store_key_bits(size_t nkeys);
/* Finds (file, line, name) among profile id's stats entries without loading
 * the profile: its key chunk and the function's record. nstats: the row's
 * function_count (a wrong one only misses). *finder holds statements between
 * calls on db (NULL at first; store_finder_free()). 1 and *out (its stats;
 * file and name not set), *idx; 0 when absent; -1 with err. */
struct store_finder;
int store_arrays_find_function(struct store_finder **finder, sqlite3 *db, const char *path, int64_t id,
			       int64_t nstats, const char *file, int64_t line, const char *name, struct pv_func *out,
			       int64_t *idx, struct pv_error *err);
void store_finder_free(struct store_finder *f);

/* The upgrade to version 5: packs every profile's rows (analysis/store_migrate.c). */
int store_migrate_rows_to_arrays(struct store *s, struct pv_error *err);

/* Registers the eponymous virtual tables functions, edges and tree_nodes on
 * db (analysis/store_vtab.c); 0 or -1. */
int store_vtab_register(sqlite3 *db);

#endif
