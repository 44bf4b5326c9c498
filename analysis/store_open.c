/* Opening the store. What a --db path holds is read without changing it: a file
 * that is not a profview store (another program's database, a profile) is
 * refused and left byte for byte as it was. Reading never creates a store, its
 * folders or its files, and works wherever the file can be read. Writing creates
 * the store under a lock, so that parallel imports into a new store all land.
 * The schema and its migrations live here too (docs/schema.md). */
#include "store.h"
#include "store_private.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Schema version 1. Kept in step with docs/schema.md. No foreign-key constraints:
 * checking them on every row would slow imports, and rows are only written here. */
static const char store_schema_v1[] =
	"CREATE TABLE profiles("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT UNIQUE,"
	"  source TEXT NOT NULL,"
	"  source_mtime INTEGER,"
	"  source_abspath TEXT,"
	"  source_size INTEGER,"
	"  source_mtime_ns INTEGER,"
	"  format TEXT NOT NULL,"
	"  producer TEXT,"
	"  dialect TEXT,"
	"  content_hash TEXT NOT NULL,"
	"  part INTEGER NOT NULL DEFAULT 0,"
	"  group_id INTEGER,"
	"  imported_at TEXT NOT NULL,"
	"  unit TEXT NOT NULL,"
	"  total_calls INTEGER NOT NULL,"
	"  primitive_calls INTEGER NOT NULL,"
	"  total_time REAL NOT NULL,"
	"  function_count INTEGER NOT NULL,"
	"  edge_count INTEGER NOT NULL,"
	"  top_level_count INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE(content_hash, part));"
	"CREATE TABLE functions("
	"  profile_id INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  file TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  in_stats INTEGER NOT NULL,"
	"  top_level INTEGER NOT NULL,"
	"  pcalls INTEGER NOT NULL,"
	"  calls INTEGER NOT NULL,"
	"  tottime REAL NOT NULL,"
	"  cumtime REAL NOT NULL,"
	"  PRIMARY KEY(profile_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE edges("
	"  profile_id INTEGER NOT NULL,"
	"  callee INTEGER NOT NULL,"
	"  ord INTEGER NOT NULL,"
	"  caller INTEGER NOT NULL,"
	"  calls INTEGER NOT NULL,"
	"  pcalls INTEGER NOT NULL,"
	"  tottime REAL NOT NULL,"
	"  cumtime REAL NOT NULL,"
	"  timed INTEGER NOT NULL,"
	"  PRIMARY KEY(profile_id, callee, ord)) WITHOUT ROWID;"
	"CREATE TABLE tree_nodes("
	"  profile_id INTEGER NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  parent INTEGER,"
	"  func INTEGER NOT NULL,"
	"  self REAL NOT NULL,"
	"  total REAL NOT NULL,"
	"  PRIMARY KEY(profile_id, id)) WITHOUT ROWID;"
	"CREATE INDEX profiles_by_source ON profiles(source_abspath);";

/* Version 2: sampled and evented profiles (issue 3). The call tree goes to
 * tree_nodes; profiles say what their numbers mean (kind) and which thread of a
 * multi-profile file they are. */
static const char store_schema_v2[] =
	"ALTER TABLE profiles ADD COLUMN kind TEXT NOT NULL DEFAULT 'calls';"
	"ALTER TABLE profiles ADD COLUMN thread TEXT;"
	"ALTER TABLE profiles ADD COLUMN total_weight REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE profiles ADD COLUMN total_samples INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE profiles ADD COLUMN node_count INTEGER NOT NULL DEFAULT 0;"
	"UPDATE profiles SET total_weight = total_time;"
	"ALTER TABLE functions ADD COLUMN annotation TEXT;"
	"ALTER TABLE tree_nodes ADD COLUMN count INTEGER NOT NULL DEFAULT 0;";

/* Version 3: `callees` reads the edges a function makes, so edges are also
 * indexed by caller (issue 4). */
static const char store_schema_v3[] = "CREATE INDEX edges_by_caller ON edges(profile_id, caller);";

/* Version 4: a profile may have several names, like git tags on one commit
 * (issue 20): naming a stored profile again adds a name instead of moving it.
 * profiles.name stays the first name given. */
static const char store_schema_v4[] =
	"CREATE TABLE names("
	"  name TEXT PRIMARY KEY,"
	"  profile_id INTEGER NOT NULL,"
	"  named_at TEXT NOT NULL);"
	"CREATE INDEX names_by_profile ON names(profile_id);"
	"INSERT INTO names(name, profile_id, named_at)"
	"  SELECT name, id, imported_at FROM profiles WHERE name IS NOT NULL ORDER BY id;";

/* Version 5: each profile's strings, functions, edges and call tree as packed
 * arrays, a few hundred rows where there were one per function and edge
 * (issue 14: a 200k-function import wrote ~800 ms of rows). The row tables
 * become virtual tables over the arrays (analysis/store_vtab.c). The rows are
 * packed between the two statements (store_migrate_rows_to_arrays). */
static const char store_schema_v5_before[] =
	"CREATE TABLE profile_arrays("
	"  profile_id INTEGER NOT NULL,"
	"  array TEXT NOT NULL,"
	"  chunk INTEGER NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"
	"  UNIQUE(profile_id, array, chunk));";
static const char store_schema_v5_after[] = "DROP TABLE tree_nodes; DROP TABLE edges; DROP TABLE functions;";

/* migrations[v] brings a store from user_version v to v + 1: SQL, then a
 * conversion in C where the data changes shape, then SQL again. */
static const struct store_migration {
	const char *sql;
	int (*convert)(struct store *s, struct pv_error *err);
	const char *sql_after;
} store_migrations[] = {
	{ store_schema_v1, NULL, NULL },
	{ store_schema_v2, NULL, NULL },
	{ store_schema_v3, NULL, NULL },
	{ store_schema_v4, NULL, NULL },
	{ store_schema_v5_before, store_migrate_rows_to_arrays, store_schema_v5_after },
};

/* The tables of a profview store: profiles and the rows of versions 1-4, or
 * profiles and profile_arrays from version 5 on. A database holding either set
 * and a schema version is a store. */
static const char *const store_own_tables[] = { "profiles", "functions", "edges", "tree_nodes", "profile_arrays" };
#define STORE_OWN_TABLES (sizeof(store_own_tables) / sizeof(store_own_tables[0]))
enum { OWN_PROFILES = 1, OWN_ROWS = 2 | 4 | 8, OWN_ARRAYS = 16 };

/* How long a writer waits for another one by default (PROFVIEW_LOCK_WAIT). */
#define STORE_LOCK_WAIT_S 300

/* What a path holds, found without writing to it. */
enum store_file {
	STORE_FILE_MISSING,	/* no such file */
	STORE_FILE_EMPTY,	/* 0 bytes, or an SQLite database with no schema: a store once written */
	STORE_FILE_STORE,	/* profview's tables and a schema version */
};

struct store_facts {
	enum store_file kind;
	int version;		/* PRAGMA user_version */
	int wal;		/* the file header says WAL mode */
};

int store_sql_error(struct store *s, struct pv_error *err, const char *what)
{
	pv_error_subject(err, s->path);
	if (s->db && (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY)
		return pv_error_set(err,
				    "%s: the store stayed locked by another writer for more than %g s (another import, "
				    "rm, merge or filter, or a program holding it); try again, or wait longer with "
				    "PROFVIEW_LOCK_WAIT=SECONDS",
				    what, s->lock_wait_ms / 1000.0);
	return pv_error_set(err, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "no store");
}

int store_exec(struct store *s, const char *sql, struct pv_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if ((sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_BUSY) {
		sqlite3_free(msg);
		return store_sql_error(s, err, "cannot write the store");
	}
	pv_error_subject(err, s->path);
	pv_error_set(err, "%s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

char *store_default_path(void)
{
	const char *env = getenv("PROFVIEW_DB");
	if (env && *env)
		return xstrdup(env);
	char buf[PATH_MAX];
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg)
		snprintf(buf, sizeof(buf), "%s/profview/profiles.db", xdg);
	else {
		const char *home = getenv("HOME");
		snprintf(buf, sizeof(buf), "%s/.local/share/profview/profiles.db", home && *home ? home : ".");
	}
	return xstrdup(buf);
}

/* PROFVIEW_LOCK_WAIT seconds (fractions allowed), else STORE_LOCK_WAIT_S, in ms. */
static int store_lock_wait_ms(void)
{
	const char *env = getenv("PROFVIEW_LOCK_WAIT");
	char *end;
	if (env && *env) {
		double v = strtod(env, &end);
		if (!*end && v >= 0 && v <= 86400)
			return (int)(v * 1000);
	}
	return STORE_LOCK_WAIT_S * 1000;
}

static int64_t store_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void store_sleep_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* path with its symlinks resolved when it exists: SQLite puts the -wal and
 * -shm files beside the file a symlink leads to. malloc'd. */
static char *store_resolved(const char *path)
{
	char *real = realpath(path, NULL);
	return real ? real : xstrdup(path);
}

/* The folder the store file is in ("." for a bare name); malloc'd. */
static char *store_folder(const char *path)
{
	char *real = store_resolved(path), *dir;
	const char *slash = strrchr(real, '/');
	if (!slash)
		dir = xstrdup(".");
	else if (slash == real)
		dir = xstrdup("/");
	else
		dir = xstrndup(real, (size_t)(slash - real));
	free(real);
	return dir;
}

/* mkdir -p for the folders above path */
static int store_make_parents(const char *path, struct pv_error *err)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			pv_error_subject(err, dir);
			rc = pv_error_set(err, "cannot create folder: %s", strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

/* A "file:" URI for path, with query parameters (sqlite.org/uri.html): the
 * characters a URI gives a meaning to are escaped. malloc'd. */
static char *store_uri(const char *path, const char *params)
{
	size_t n = strlen(path);
	char *u = xmalloc(3 * n + strlen(params) + 16), *o = u;
	o += sprintf(o, "file:%s", path[0] == '/' ? "//" : "");
	for (const char *c = path; *c; c++) {
		if (*c == '%' || *c == '?' || *c == '#')
			o += sprintf(o, "%%%02X", (unsigned char)*c);
		else
			*o++ = *c;
	}
	sprintf(o, "?%s", params);
	return u;
}

/* What SQLite keeps beside a WAL database: whether path-wal and path-shm exist,
 * and the -wal's size (0 when absent). */
struct store_aux {
	int wal, shm;
	off_t wal_size;
	struct stat db;
};

static void store_aux_state(const char *path, struct store_aux *a)
{
	char *real = store_resolved(path);
	char *aux = xmalloc(strlen(real) + 5);
	struct stat st;
	memset(a, 0, sizeof(*a));
	stat(real, &a->db);
	sprintf(aux, "%s-wal", real);
	if (stat(aux, &st) == 0) {
		a->wal = 1;
		a->wal_size = st.st_size;
	}
	sprintf(aux, "%s-shm", real);
	a->shm = stat(aux, &st) == 0;
	free(aux);
	free(real);
}

static int store_aux_same(const struct store_aux *a, const struct store_aux *b)
{
	return a->wal == b->wal && a->wal_size == b->wal_size && a->db.st_ino == b->db.st_ino &&
	       a->db.st_size == b->db.st_size && a->db.st_mtim.tv_sec == b->db.st_mtim.tv_sec &&
	       a->db.st_mtim.tv_nsec == b->db.st_mtim.tv_nsec;
}

/* A read-only WAL database needs its -wal and -shm files, and a reader that
 * cannot create them (a read-only folder, another user's store) cannot open it
 * (sqlite.org/walformat.html). Without a -wal holding anything, the database
 * file is complete, and is read as `immutable`: without those files or locks. */
static int store_needs_immutable(int wal_mode, const struct store_aux *a)
{
	return wal_mode && a->wal_size == 0 && (!a->wal || !a->shm);
}

/* Opens path read-only: immutable as store_needs_immutable() says, otherwise
 * with SQLite's own locking (reading an existing -shm read-only if need be). */
static int store_connect_ro(const char *path, int immutable, sqlite3 **db)
{
	char *uri = store_uri(path, immutable ? "immutable=1" : "mode=ro");
	int rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	return rc;
}

/* Counts what the schema holds: every object, the tables that are not SQLite's
 * own, and profview's among them; and reads the schema version. */
static int store_count_schema(sqlite3 *db, int *objects, int *tables, int *ours, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	*objects = *tables = *ours = 0;
	/* one read transaction for both: read apart, another process's creation
	 * committing in between showed a store as a version without a schema */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT type, name FROM sqlite_master", -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		(*objects)++;
		if (!type || strcmp(type, "table") || !name || strncmp(name, "sqlite_", 7) == 0)
			continue;
		(*tables)++;
		for (size_t i = 0; i < STORE_OWN_TABLES; i++)
			if (strcmp(name, store_own_tables[i]) == 0)
				*ours |= 1 << i;
	}
	if (step != SQLITE_DONE)
		goto cleanup;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto cleanup;
	*version = sqlite3_column_int(st, 0);
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Classifies a database whose schema was counted: empty, a store, or another
 * program's (refused: err says what it is). */
static int store_classify(const char *path, int objects, int tables, int ours, int version, struct store_facts *f,
			  struct pv_error *err)
{
	char what[160];
	f->version = version;
	if (objects == 0 && version == 0) {
		f->kind = STORE_FILE_EMPTY;
		return 0;
	}
	if ((ours & OWN_PROFILES) && ((ours & OWN_ROWS) == OWN_ROWS || (ours & OWN_ARRAYS)) && version > 0) {
		f->kind = STORE_FILE_STORE;
		return 0;
	}
	if (tables == 0 && objects == 0)
		snprintf(what, sizeof(what), "no tables, schema version %d", version);
	else if (tables == 0)
		snprintf(what, sizeof(what), "no tables but %d other schema object%s", objects, objects == 1 ? "" : "s");
	else if (ours == 0)
		snprintf(what, sizeof(what), "%d table%s, none of profview's", tables, tables == 1 ? "" : "s");
	else
		snprintf(what, sizeof(what), "%d table%s, not profview's schema", tables, tables == 1 ? "" : "s");
	pv_error_subject(err, path);
	return pv_error_predicate(err,
				  "is an SQLite database of another program: %s; profview leaves it alone (--db "
				  "needs a profview store, an empty file or a new path)",
				  what);
}

/* Reads the first len bytes of the database file at path through SQLite (an
 * immutable connection), never with open() and close() of our own: closing any
 * descriptor of a file drops every POSIX lock the process holds on it, those of
 * the connections already open to the store (a server's) included, and another
 * process may then checkpoint or reset the WAL under them ("disk I/O error").
 * SQLite keeps such a descriptor open until its last connection to the file
 * closes. Returns 0, 1 when the file is shorter, or -1 with err. */
static int store_read_header(const char *path, unsigned char *hdr, int len, struct pv_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_file *file = NULL;
	int rc = -1;
	if (access(path, R_OK) != 0) {
		pv_error_set(err, "cannot read the store: %s", strerror(errno));
		return -1;
	}
	if (store_connect_ro(path, 1, &db) != SQLITE_OK ||
	    sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
	    !file->pMethods) {
		pv_error_set(err, "cannot read the store: %s", db ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	int got = file->pMethods->xRead(file, hdr, len, 0);
	if (got == SQLITE_OK || got == SQLITE_IOERR_SHORT_READ)
		rc = got == SQLITE_OK ? 0 : 1;
	else
		pv_error_set(err, "cannot read the store: %s", sqlite3_errstr(got));
done:
	sqlite3_close_v2(db);
	return rc;
}

/* Reads what path holds without writing to it or creating anything beside it.
 * A file that is neither a store nor empty is an error that says what it is. */
static int store_inspect_file(struct store *s, struct store_facts *f, struct pv_error *err)
{
	const char *path = s->path;
	unsigned char hdr[100];
	struct stat st;
	memset(f, 0, sizeof(*f));
	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			f->kind = STORE_FILE_MISSING;
			return 0;
		}
		return pv_error_set(err, "cannot read the store: %s", strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return pv_error_predicate(err, "is a folder: --db needs a store file or a new path");
	if (!S_ISREG(st.st_mode))
		return pv_error_predicate(err, "is not a regular file: --db needs a store file or a new path");
	if (st.st_size == 0) {
		f->kind = STORE_FILE_EMPTY;
		return 0;
	}
	int shorter = st.st_size < (off_t)sizeof(hdr) ? 1 : store_read_header(path, hdr, sizeof(hdr), err);
	if (shorter < 0)
		return -1;
	if (shorter || memcmp(hdr, "SQLite format 3", 16) != 0)
		return pv_error_predicate(err, "is not an SQLite database, and not empty: profview leaves it alone "
					       "(--db needs a profview store, an empty file or a new path)");
	f->wal = hdr[18] == 2;
	/* The database file is read first as immutable: that touches nothing, not
	 * even the -shm that readers of a live WAL database write to. It is right
	 * when nothing changed the file meanwhile (else read again), and enough to
	 * tell another program's database or a store. Only a file that looks empty
	 * while its -wal holds something (a store being made) is read with
	 * SQLite's locks, which sees what the -wal adds. */
	int locked = 0;
	for (int attempt = 0;; attempt++) {
		struct store_aux before, after;
		sqlite3 *db = NULL;
		int objects, tables, ours, version;
		if (attempt == 3)
			locked = 1;
		store_aux_state(path, &before);
		int rc = store_connect_ro(path, !locked, &db);
		if (rc == SQLITE_OK)
			sqlite3_busy_timeout(db, s->lock_wait_ms);
		if (rc == SQLITE_OK)
			rc = store_count_schema(db, &objects, &tables, &ours, &version) ? SQLITE_ERROR : SQLITE_OK;
		if (rc != SQLITE_OK) {
			if (locked)
				pv_error_set(err, "cannot read the store: %s", db ? sqlite3_errmsg(db) : "out of memory");
			sqlite3_close_v2(db);
			if (!locked)
				continue;
			return -1;
		}
		sqlite3_close_v2(db);
		store_aux_state(path, &after);
		if (!locked && !store_aux_same(&before, &after))
			continue;
		if (!locked && objects == 0 && version == 0 && f->wal && after.wal_size > 0) {
			locked = 1;
			attempt = 3;
			continue;
		}
		return store_classify(path, objects, tables, ours, version, f, err);
	}
}

static int store_inspect(struct store *s, struct store_facts *f, struct pv_error *err)
{
	if (store_inspect_file(s, f, err) == 0)
		return 0;
	pv_error_subject(err, s->path);
	return -1;
}

/* Refuses a store newer than this profview. */
static int store_check_version(struct store *s, int v, struct pv_error *err)
{
	if (v <= STORE_SCHEMA_VERSION)
		return 0;
	pv_error_subject(err, s->path);
	return pv_error_set(err, "store has schema version %d; this profview knows up to %d", v, STORE_SCHEMA_VERSION);
}

static int store_user_version(struct store *s, int *v, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_sql_error(s, err, "cannot read the store's schema version");
		goto cleanup;
	}
	*v = sqlite3_column_int(st, 0);
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* Settings of every connection. The -wal and -shm files stay when the last
 * connection closes (the -wal emptied): readers that may not create them (a
 * read-only folder, another user's store) then read with SQLite's locking,
 * seeing what writers add. */
static int store_configure(struct store *s)
{
	int persist = 1;
	sqlite3_busy_timeout(s->db, s->lock_wait_ms);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
	store_set_cancel(s, s->cancel);
	return sqlite3_exec(s->db,
			    "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2048;"
			    " PRAGMA journal_size_limit=67108864",
			    NULL, NULL, NULL);
}

static int store_connect(struct store *s, int flags, struct pv_error *err)
{
	if (sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    store_configure(s) != SQLITE_OK) {
		pv_error_subject(err, s->path);
		pv_error_set(err, "cannot open store: %s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close_v2(s->db);
		s->db = NULL;
		return -1;
	}
	return 0;
}

/* Takes an exclusive flock on the store's folder: profview processes create or
 * upgrade a store one at a time, each looking again at what is there once it
 * holds the lock. The folder (not the store file, whose POSIX locks are
 * SQLite's) so that the lock creates nothing. Where flock does not work, SQLite's
 * own locking still orders the writers. *fd is -1 or the lock, closed to free it. */
static int store_lock_folder(struct store *s, int *fd, struct pv_error *err)
{
	char *dir = store_folder(s->path);
	int64_t deadline = store_now_ms() + s->lock_wait_ms;
	int wait = 1;
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	while (*fd >= 0 && flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		int held = errno == EWOULDBLOCK || errno == EINTR;
		if (held && store_now_ms() <= deadline) {
			store_sleep_ms(wait);
			wait = wait < 32 ? 2 * wait : 50;
			continue;
		}
		close(*fd);
		*fd = -1;
		if (!held)
			break;	/* no flock here */
		pv_error_subject(err, s->path);
		return pv_error_set(err,
				    "another profview kept the store's folder locked for more than %g s while "
				    "creating or upgrading the store; try again, or wait longer with "
				    "PROFVIEW_LOCK_WAIT=SECONDS",
				    s->lock_wait_ms / 1000.0);
	}
	return 0;
}

/* WAL mode, so that readers (serve) never wait for a writer. Changing the mode
 * needs the database to itself, and SQLite does not wait for that: retry. */
static int store_set_wal(struct store *s, struct pv_error *err)
{
	int64_t deadline = store_now_ms() + s->lock_wait_ms;
	for (;;) {
		int rc = sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) & 0xff;
		if (rc == SQLITE_OK)
			return 0;
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || store_now_ms() > deadline)
			return store_sql_error(s, err, "cannot switch the store to WAL mode");
		store_sleep_ms(10);
	}
}

static int store_count_objects(struct store *s, int *n, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_sql_error(s, err, "cannot read the store's schema");
		goto cleanup;
	}
	*n = sqlite3_column_int(st, 0);
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

/* Creates the schema of an empty database, or upgrades an older store, in one
 * write transaction that looks at the version again once it holds the lock. */
static int store_migrate(struct store *s, struct pv_error *err)
{
	int v, objects;
	if (store_user_version(s, &v, err) || store_check_version(s, v, err))
		return -1;
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (store_exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	/* another process may have created or migrated it meanwhile */
	if (store_user_version(s, &v, err) || store_check_version(s, v, err))
		goto fail;
	if (v == 0) {
		if (store_count_objects(s, &objects, err))
			goto fail;
		if (objects) {
			pv_error_subject(err, s->path);
			pv_error_predicate(err, "is an SQLite database of another program (its schema appeared while "
						"profview was creating a store there); profview leaves it alone");
			goto fail;
		}
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char pragma[64];
		const struct store_migration *m = &store_migrations[v];
		if (store_exec(s, m->sql, err) || (m->convert && m->convert(s, err)) ||
		    (m->sql_after && store_exec(s, m->sql_after, err)))
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, pragma, err))
			goto fail;
	}
	return store_exec(s, "COMMIT", err);
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Whether this process may write the store, asked before SQLite opens it:
 * SQLite would fall back to reading, and then create -wal and -shm files that
 * the store's owner could not write. */
static int store_check_writable(struct store *s, int exists, struct pv_error *err)
{
	struct store_aux aux;
	char *dir = store_folder(s->path);
	int rc = 0;
	store_aux_state(s->path, &aux);
	if (exists && access(s->path, W_OK) != 0)
		rc = pv_error_set(err, "cannot write the store: %s", strerror(errno));
	else if ((!exists || !aux.wal || !aux.shm) && access(dir, W_OK) != 0)
		rc = pv_error_set(err, "cannot write the store: its folder '%s': %s", dir, strerror(errno));
	if (rc)
		pv_error_subject(err, s->path);
	free(dir);
	return rc;
}

/* Opens s for writing: creates the file, its folders and the schema when there
 * is no store yet, switches to WAL and upgrades an older store; all of that
 * under the folder lock, after looking again. A current store needs no lock. */
static int store_open_write(struct store *s, struct pv_error *err)
{
	struct store_facts f;
	int lock = -1, rc = -1;
	if (store_make_parents(s->path, err) || store_inspect(s, &f, err))
		return -1;
	if (f.kind != STORE_FILE_STORE || f.version != STORE_SCHEMA_VERSION || !f.wal) {
		if (store_lock_folder(s, &lock, err) || store_inspect(s, &f, err))
			goto cleanup;
	}
	if (f.kind == STORE_FILE_STORE && store_check_version(s, f.version, err))
		goto cleanup;
	if (store_check_writable(s, f.kind != STORE_FILE_MISSING, err) ||
	    store_connect(s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err))
		goto cleanup;
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		pv_error_subject(err, s->path);
		pv_error_set(err, "cannot write the store: it opens read-only");
		goto cleanup;
	}
	if ((!f.wal && store_set_wal(s, err)) || store_migrate(s, err))
		goto cleanup;
	s->writable = 1;
	rc = 0;
cleanup:
	if (lock >= 0)
		close(lock);
	if (rc) {
		sqlite3_close_v2(s->db);
		s->db = NULL;
	}
	return rc;
}

/* Opens s for reading a store that is there. Where this process could write
 * the store, a read-write connection that only queries: it upgrades an older
 * store and checkpoints as usual. Elsewhere a read-only one that creates
 * nothing: immutable when the -wal and -shm files are not there to be shared.
 * The version is read through the connection, which sees the -wal. */
static int store_open_read(struct store *s, const struct store_facts *f, struct pv_error *err)
{
	char *dir = store_folder(s->path);
	int can_write = access(s->path, W_OK) == 0 && access(dir, W_OK) == 0, v;
	free(dir);
	if (can_write) {
		if (!f->wal)
			return store_open_write(s, err);
		if (store_connect(s, SQLITE_OPEN_READWRITE, err) || store_user_version(s, &v, err))
			goto fail;
		if (v != STORE_SCHEMA_VERSION) {
			sqlite3_close_v2(s->db);
			s->db = NULL;
			return store_open_write(s, err);
		}
		sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
		return 0;
	}
	struct store_aux aux;
	store_aux_state(s->path, &aux);
	if (store_connect_ro(s->path, store_needs_immutable(f->wal, &aux), &s->db) != SQLITE_OK ||
	    store_configure(s) != SQLITE_OK) {
		pv_error_subject(err, s->path);
		pv_error_set(err, "cannot read the store: %s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	if (store_user_version(s, &v, err) || store_check_version(s, v, err))
		goto fail;
	if (v < STORE_SCHEMA_VERSION) {
		pv_error_subject(err, s->path);
		pv_error_set(err,
			     "store has schema version %d and needs upgrading to %d, which needs write access to it "
			     "and its folder (any profview command run by its owner upgrades it)",
			     v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	return 0;
fail:
	sqlite3_close_v2(s->db);
	s->db = NULL;
	return -1;
}

int store_ready(struct store *s, struct pv_error *err)
{
	struct store_facts f;
	if (s->db)
		return 0;
	if (store_inspect(s, &f, err))
		return -1;
	if (f.kind != STORE_FILE_STORE)
		return 1;
	return store_open_read(s, &f, err);
}

int store_writable(struct store *s, struct pv_error *err)
{
	if (s->writable)
		return 0;
	sqlite3_close_v2(s->db);
	s->db = NULL;
	return store_open_write(s, err);
}

int store_missing_error(struct store *s, const char *ref, struct pv_error *err)
{
	pv_error_subject(err, ref);
	if (strcmp(ref, "latest") == 0)
		return pv_error_set(err, "nothing is stored yet (no store at '%s'); give a profile file", s->path);
	return pv_error_set(err, "no such file, and nothing is stored yet (no store at '%s')", s->path);
}

int store_open(const char *path, enum store_mode mode, struct store **out, struct pv_error *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->lock_wait_ms = store_lock_wait_ms();
	int rc = mode == STORE_WRITE ? store_open_write(s, err) : store_ready(s, err) < 0 ? -1 : 0;
	if (rc) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_set_lock_wait(struct store *s, int ms)
{
	s->lock_wait_ms = ms;
	if (s->db)
		sqlite3_busy_timeout(s->db, ms);
}

static int store_progress(void *c)
{
	return pv_cancelled(c);
}

void store_set_cancel(struct store *s, struct pv_cancel *c)
{
	/* kept for a connection opened later (a store that appears, a reader
	 * turned writer) */
	s->cancel = c;
	if (s->db)
		sqlite3_progress_handler(s->db, c ? 10000 : 0, c ? store_progress : NULL, c);
}

int store_failed_busy(struct store *s)
{
	int code = s && s->db ? sqlite3_extended_errcode(s->db) & 0xff : SQLITE_OK;
	return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

int store_is_missing(struct store *s)
{
	struct pv_error ignored;
	pv_error_clear(&ignored);
	return store_ready(s, &ignored) == 1;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	store_finder_free(s->finder);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}
