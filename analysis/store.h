/* The SQLite store: every imported profile, its functions, stats and edges.
 * The schema is documented in docs/schema.md and versioned with PRAGMA user_version.
 *
 * Ownership: struct store owns its sqlite3 connection; store_close() finalizes it.
 * Profiles returned by store_load_profile() belong to the caller (profile_free()).
 */
#ifndef PV_STORE_H
#define PV_STORE_H

#include "cancel.h"
#include "error.h"
#include "profile.h"
#include <stdint.h>

struct strbuf;

#define STORE_SCHEMA_VERSION 5

/* A connection to the store at a path (opaque: the engine behind it is the
 * store's own business, analysis/store_private.h). */
struct store;
/* The path the store was opened at, as given. */
const char *store_path(const struct store *s);

/* Metadata of one stored profile, as in the profiles table. Strings are owned by
 * the struct and freed by store_meta_release(). */
struct store_meta {
	int64_t id;
	char *name, *source, *format, *producer, *dialect, *content_hash, *imported_at, *unit;
	char *kind, *thread, *source_abspath;	/* kind: calls, sampled, evented */
	int64_t source_mtime;
	int64_t total_calls, primitive_calls, function_count, edge_count, top_level_count;
	double total_time, total_weight;
	int64_t total_samples, node_count, part, group_id;	/* group_id 0: not in a group */
	char **names;		/* every name, oldest (name) first */
	size_t nnames;
};

/* $PROFVIEW_DB, else $XDG_DATA_HOME/profview/profiles.db, else
 * ~/.local/share/profview/profiles.db. Returns a malloc'd string. */
char *store_default_path(void);

/* How store_open() opens path. Reading never creates a store, its folders or
 * files, and works wherever the file can be read; a command that then writes
 * (importing a PROFILE file) gets a writing connection from the store itself. */
enum store_mode {
	STORE_WRITE,	/* create the file, its folders and the schema when needed */
	STORE_READ,	/* no store at path yet: an empty one, nothing created */
};
/* Opens the store at path. A file that is neither a profview store nor empty
 * (another program's database, a profile) is refused, left as it was. */
int store_open(const char *path, enum store_mode mode, struct store **out, struct pv_error *err);
/* How long s waits for a lock held by another connection (a writer switching
 * modes, a checkpoint); by default PROFVIEW_LOCK_WAIT seconds, else 300. */
void store_set_lock_wait(struct store *s, int ms);
/* Whether there is no store at s->path yet (looking again). */
int store_is_missing(struct store *s);
/* Whether the last failure of s was another connection's lock held past the
 * wait (SQLite's busy or locked): worth trying again, unlike the rest. */
int store_failed_busy(struct store *s);
void store_close(struct store *s);
/* From now on this connection's queries stop (failing as interrupted) when c
 * says so, checked every few thousand steps; NULL: never. A server's budget
 * for one request; c must live until it is replaced. */
void store_set_cancel(struct store *s, struct pv_cancel *c);

/* Saves p in one transaction. When a profile with the same content hash exists,
 * nothing is written and its id is returned with *existed = 1. */
int store_save_profile(struct store *s, const struct profile *p, int64_t *id, int *existed,
		       struct pv_error *err);
/* Saves the n profiles of one file (its threads) in one transaction, grouped;
 * ids[n] receives their ids. Content stored already: its ids, *existed = 1. */
int store_save_profiles(struct store *s, struct profile *const *v, size_t n, int64_t *ids, int *existed,
			struct pv_error *err);
/* The stat cache: profiles imported from this very file (same real path, size
 * and mtime to the nanosecond) are found without reading the file: up to max
 * ids, in part order, the merged profile when merged is set. *n = 0 when none. */
int store_find_source(struct store *s, const char *abspath, int64_t size, int64_t mtime_ns, int merged,
		      int64_t *ids, size_t max, size_t *n, struct pv_error *err);

/* Gives the profile one more name (a profile may have several, like git tags;
 * the first stays profiles.name); a name held by another profile is an error,
 * and the profile's own name again changes nothing. */
int store_add_name(struct store *s, int64_t id, const char *name, struct pv_error *err);
/* A name must not read as a reference of another kind: not empty, "latest" or digits. */
int store_name_is_valid(const char *name);

/* Resolves an id ("3"), a name, or "latest". Returns 0 and *id, or -1. */
int store_resolve(struct store *s, const char *ref, int64_t *id, struct pv_error *err);
/* The row of profile id. m->unit is profile_unit_of() the row's kind and
 * recorded unit: what the weights are in, never to be restated by a reader. */
int store_get_meta(struct store *s, int64_t id, struct store_meta *m, struct pv_error *err);
void store_meta_release(struct store_meta *m);
/* Which stored profiles store_list() gives. */
struct store_list_query {
	const char *text;	/* name, source, format or thread contains it (ASCII case-insensitive); NULL: all */
	int newest_first;	/* by id, descending; else ascending */
	int64_t limit, offset;	/* limit < 0: no limit */
};
/* The profiles q selects, as rows (*out, *n; store_meta_list_free() them);
 * *total counts every match before limit and offset. */
int store_list(struct store *s, const struct store_list_query *q, struct store_meta **out, size_t *n,
	       int64_t *total, struct pv_error *err);
void store_meta_list_free(struct store_meta *v, size_t n);
/* profiles.kind ("calls", "sampled", "evented") as the model's kind. */
enum pv_kind store_kind_parse(const char *kind);
/* The stored profile's kind alone. */
int store_get_kind(struct store *s, int64_t id, enum pv_kind *kind, struct pv_error *err);
/* Appends what identifies profile id's content ("HASH:PART") to out: a stored
 * profile never changes, so answers computed from it may be cached under it. */
int store_content_id(struct store *s, int64_t id, struct strbuf *out, struct pv_error *err);
int store_load_profile(struct store *s, int64_t id, struct profile **out, struct pv_error *err);
/* The same with only some parts: functions always, edges and the call tree
 * when asked for (a diff needs neither). */
enum { STORE_LOAD_EDGES = 1, STORE_LOAD_TREE = 2 };
int store_load_profile_parts(struct store *s, int64_t id, unsigned parts, struct profile **out,
			     struct pv_error *err);

/* One read-only SQL query of the store (`profview sql`; docs/schema.md): the
 * tables, the virtual tables functions/edges/tree_nodes and pv_stdname();
 * anything that is not a read is refused. Rows come one at a time. */
struct store_query;
enum store_cell_type { STORE_CELL_NULL, STORE_CELL_INT, STORE_CELL_FLOAT, STORE_CELL_TEXT, STORE_CELL_BLOB };
struct store_cell {
	enum store_cell_type type;
	int64_t i;
	double d;
	const char *s;		/* text or blob, valid until the next step */
	size_t len;
};
/* No store yet is an error here (there is nothing to query). */
int store_query_open(struct store *s, const char *sql, struct store_query **out, struct pv_error *err);
int store_query_columns(struct store_query *q);
const char *store_query_column_name(struct store_query *q, int c);
/* 1: a row; 0: done; -1: err says why. */
int store_query_step(struct store_query *q, struct pv_error *err);
/* Back to before the first row (the same snapshot). */
void store_query_rewind(struct store_query *q);
void store_query_cell(struct store_query *q, int c, struct store_cell *cell);
void store_query_close(struct store_query *q);

/* Finds the function (file, line, name) among profile id's stats entries
 * without loading the profile (a few small reads: what a function's history
 * across many profiles is made of). 1 with its stats in *out (file and name
 * not set) and its index in *idx; 0 when the profile has no such function;
 * -1 with err. */
int store_find_function(struct store *s, int64_t id, const char *file, int64_t line, const char *name,
			struct pv_func *out, int64_t *idx, struct pv_error *err);

/* Removes a profile and everything that belongs to it. */
int store_delete_profile(struct store *s, int64_t id, struct pv_error *err);

#endif
