/* Times profview's cold and warm 'sort' path phase by phase, with the core library's
 * own functions, and runs a few what-if experiments on the store (pragmas, schema
 * shapes, indexes) to size the possible gains. Not part of the build: bench/phases.sh
 * compiles it against a libprofview.a.
 *
 *   phases FILE.prof [WORKDIR]
 *
 * WORKDIR (default /tmp) gets the scratch stores; they are deleted again.
 */
#include "../analysis/profile.h"
#include "../analysis/restrict.h"
#include "../analysis/sha256.h"
#include "../analysis/stat_table.h"
#include "../analysis/store.h"
#include "../formats/marshal.h"
#include "../formats/prof_read.h"
#include "../formats/profile_file.h"
#include "../formats/stat_write.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Phases are timed in order; a path run several times keeps each phase's minimum
 * (the machine may be shared: the minimum is the least disturbed run). */
#define MAX_PHASES 32
static double t_wall, t_cpu;
static const char *ph_label[MAX_PHASES];
static double ph_wall[MAX_PHASES], ph_cpu[MAX_PHASES];
static int ph_n, ph_i;
static void phases_reset(void)
{
	ph_n = 0;
}
static void tick(void)
{
	t_wall = now();
	t_cpu = cpu();
}
static void tock(const char *what)
{
	double w = now() - t_wall, c = cpu() - t_cpu;
	if (ph_i >= ph_n) {
		ph_label[ph_n] = what;
		ph_wall[ph_n] = w;
		ph_cpu[ph_n] = c;
		ph_n++;
	} else {
		ph_wall[ph_i] = w < ph_wall[ph_i] ? w : ph_wall[ph_i];
		ph_cpu[ph_i] = c < ph_cpu[ph_i] ? c : ph_cpu[ph_i];
	}
	ph_i++;
	tick();
}
static void phases_print(const char *skip_prefix)
{
	double tw = 0, tc = 0;
	for (int i = 0; i < ph_n; i++) {
		printf("  %-50s %8.1f ms wall %8.1f ms cpu\n", ph_label[i], ph_wall[i] * 1e3, ph_cpu[i] * 1e3);
		if (strncmp(ph_label[i], skip_prefix, strlen(skip_prefix)) != 0) {
			tw += ph_wall[i];
			tc += ph_cpu[i];
		}
	}
	printf("  %-50s %8.1f ms wall %8.1f ms cpu\n", "sum (without the lines marked '*')", tw * 1e3, tc * 1e3);
	fflush(stdout);
}

static void die(const char *what, struct pv_error *err)
{
	fprintf(stderr, "phases: %s: ", what);
	pv_error_print(err, stderr);
	exit(1);
}

static void rm_db(const char *db)
{
	char b[4200];
	unlink(db);
	snprintf(b, sizeof(b), "%s-wal", db);
	unlink(b);
	snprintf(b, sizeof(b), "%s-shm", db);
	unlink(b);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "phases: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
		exit(1);
	}
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "phases: prepare %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "phases: step: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_reset(st);
}

/* ---- the real cold and warm paths, split at the library's seams ---- */

static struct stat_query top20_query(struct restriction *r)
{
	struct stat_query q;
	memset(&q, 0, sizeof(q));
	*r = (struct restriction){ .kind = RESTRICT_COUNT, .count = 20 };
	q.by = "tottime";
	q.restrictions = r;
	q.nrestrictions = 1;
	return q;
}

/* One cold run, as cmd_resolve_profile + cmd_import_file + cmd_sort do it. Lines
 * starting with '*' are extra measurements, not part of the path (left out of the sum). */
static struct profile *cold_once(const char *prof, const char *db, int64_t *id_out)
{
	struct pv_error err;
	pv_error_clear(&err);
	rm_db(db);
	ph_i = 0;
	tick();
	struct store *s;
	if (store_open(db, STORE_WRITE, &s, &err))
		die("store_open", &err);
	tock("store_open (new file: schema, WAL)");
	struct file_facts facts;
	if (profile_file_facts(prof, &facts, &err))
		die("facts", &err);
	int64_t id = 0;
	size_t nfound = 0;
	if (store_find_source(s, facts.abspath, facts.size, facts.mtime_ns, 0, &id, 1, &nfound, &err))
		die("find_source", &err);
	tock("stat + realpath + store_find_source (miss)");
	/* what cmd_read_and_save does: the file streams through the reader while
	 * a second thread reads and hashes ahead */
	struct read_options ro;
	memset(&ro, 0, sizeof(ro));
	struct profile_list l = { 0 };
	if (profile_read_path(prof, &ro, &l, &err))
		die("profile_read_path", &err);
	tock("profile_read_path (read + sha256 + parse + build)");
	struct profile *p = l.v[0];
	free(l.v);
	p->source_abspath = arena_strdup(&p->arena, facts.abspath);
	p->source_size = facts.size;
	p->source_mtime_ns = facts.mtime_ns;
	int existed;
	if (store_save_profile(s, p, &id, &existed, &err))
		die("store_save_profile", &err);
	tock("store_save_profile (inserts + COMMIT)");
	struct restriction r;
	struct stat_query q = top20_query(&r);
	struct stat_table t;
	if (stat_table_from_store(s, id, &q, &t, &err))
		die("stat_table_from_store", &err);
	FILE *null = fopen("/dev/null", "w");
	stat_write_text(null, &t);
	fclose(null);
	stat_table_release(&t);
	tock("stat_table_from_store + stat_write_text");
	store_close(s);
	tock("store_close (WAL checkpoint)");
	file_facts_release(&facts);
	*id_out = id;
	return p;
}

static struct profile *cold_path(const char *prof, const char *db, int reps, int64_t *id_out)
{
	struct profile *p = NULL;
	phases_reset();
	for (int k = 0; k < reps; k++) {
		profile_free(p);
		p = cold_once(prof, db, id_out);
	}
	printf("cold path, each phase's minimum over %d runs ('profview --db FRESH.db sort F --by tottime --limit 20'):\n",
	       reps);
	phases_print("*");
	printf("  store file after the checkpoint: %lld bytes\n", file_size(db));
	return p;
}

static void warm_once(const char *prof, const char *db, int64_t id)
{
	struct pv_error err;
	pv_error_clear(&err);
	ph_i = 0;
	tick();
	struct store *s;
	if (store_open(db, STORE_WRITE, &s, &err))
		die("store_open", &err);
	tock("store_open (existing)");
	struct file_facts facts;
	int64_t found = 0;
	size_t nfound = 0;
	if (profile_file_facts(prof, &facts, &err) ||
	    store_find_source(s, facts.abspath, facts.size, facts.mtime_ns, 0, &found, 1, &nfound, &err))
		die("find_source", &err);
	file_facts_release(&facts);
	tock("stat + realpath + store_find_source (hit)");
	struct restriction r;
	struct stat_query q = top20_query(&r);
	struct stat_table t;
	if (stat_table_from_store(s, id, &q, &t, &err))
		die("stat_table_from_store", &err);
	FILE *null = fopen("/dev/null", "w");
	stat_write_text(null, &t);
	fclose(null);
	stat_table_release(&t);
	tock("stat_table_from_store + stat_write_text");
	store_close(s);
	tock("store_close");
	/* extras on a fresh connection, so each starts from the same (OS-cached) state */
	if (store_open(db, STORE_READ, &s, &err))
		die("store_open", &err);
	tick();
	struct profile *p;
	if (store_load_profile_parts(s, id, 0, &p, &err))
		die("store_load_profile_parts", &err);
	profile_free(p);
	tock("* load the functions alone (packed arrays)");
	if (store_load_profile(s, id, &p, &err))
		die("store_load_profile", &err);
	profile_free(p);
	tock("* load the whole profile (packed arrays)");
	store_close(s);
}

static void warm_path(const char *prof, const char *db, int reps, int64_t id)
{
	phases_reset();
	for (int k = 0; k < reps; k++)
		warm_once(prof, db, id);
	printf("\nwarm path, each phase's minimum over %d runs (the store already holds the profile):\n", reps);
	phases_print("*");
}

/* ---- what-if experiments on the store ---- */

/* The store's schema, or a variant, and the same row inserts as store_insert_rows. */
enum shape { SHAPE_STORE, SHAPE_STRINGS, SHAPE_BLOB };

static void insert_store_shape(sqlite3 *db, const struct profile *p, int multirow, double *t_fn, double *t_ed)
{
	double t0 = now();
	sqlite3_stmt *fn;
	if (multirow) {
		/* 50 rows a statement: fewer sqlite3_step/VDBE round trips */
		char sql[8192];
		size_t u = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO functions VALUES");
		for (int k = 0; k < 50; k++)
			u += (size_t)snprintf(sql + u, sizeof(sql) - u, "%s(1,?,?,?,?,?,?,?,?,?,?)", k ? "," : "");
		fn = prep(db, sql);
	} else {
		fn = prep(db, "INSERT INTO functions VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
	}
	sqlite3_stmt *fn1 = prep(db, "INSERT INTO functions VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
	size_t i = 0;
	if (multirow)
		for (; i + 50 <= p->nfuncs; i += 50) {
			for (int k = 0; k < 50; k++) {
				const struct pv_func *f = &p->funcs[i + (size_t)k];
				const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
				int b = k * 10;
				sqlite3_bind_int64(fn, b + 1, (int64_t)(i + (size_t)k));
				sqlite3_bind_text(fn, b + 2, file->s, (int)file->len, SQLITE_STATIC);
				sqlite3_bind_int64(fn, b + 3, f->line);
				sqlite3_bind_text(fn, b + 4, name->s, (int)name->len, SQLITE_STATIC);
				sqlite3_bind_int(fn, b + 5, (f->flags & PV_FUNC_IN_STATS) != 0);
				sqlite3_bind_int(fn, b + 6, (f->flags & PV_FUNC_TOP_LEVEL) != 0);
				sqlite3_bind_int64(fn, b + 7, f->pcalls);
				sqlite3_bind_int64(fn, b + 8, f->calls);
				sqlite3_bind_double(fn, b + 9, f->tottime);
				sqlite3_bind_double(fn, b + 10, f->cumtime);
			}
			step_done(db, fn);
		}
	for (; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
		sqlite3_bind_int64(fn1, 1, (int64_t)i);
		sqlite3_bind_text(fn1, 2, file->s, (int)file->len, SQLITE_STATIC);
		sqlite3_bind_int64(fn1, 3, f->line);
		sqlite3_bind_text(fn1, 4, name->s, (int)name->len, SQLITE_STATIC);
		sqlite3_bind_int(fn1, 5, (f->flags & PV_FUNC_IN_STATS) != 0);
		sqlite3_bind_int(fn1, 6, (f->flags & PV_FUNC_TOP_LEVEL) != 0);
		sqlite3_bind_int64(fn1, 7, f->pcalls);
		sqlite3_bind_int64(fn1, 8, f->calls);
		sqlite3_bind_double(fn1, 9, f->tottime);
		sqlite3_bind_double(fn1, 10, f->cumtime);
		step_done(db, fn1);
	}
	sqlite3_finalize(fn);
	sqlite3_finalize(fn1);
	double t1 = now();
	sqlite3_stmt *ed = prep(db, "INSERT INTO edges VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8)");
	int64_t ord = 0;
	for (size_t k = 0; k < p->nedges; k++) {
		const struct pv_edge *e = &p->edges[k];
		ord = (k > 0 && p->edges[k - 1].callee == e->callee) ? ord + 1 : 0;
		sqlite3_bind_int64(ed, 1, e->callee);
		sqlite3_bind_int64(ed, 2, ord);
		sqlite3_bind_int64(ed, 3, e->caller);
		sqlite3_bind_int64(ed, 4, e->calls);
		sqlite3_bind_int64(ed, 5, e->pcalls);
		sqlite3_bind_double(ed, 6, e->tottime);
		sqlite3_bind_double(ed, 7, e->cumtime);
		sqlite3_bind_int(ed, 8, e->kind == PV_EDGE_TIMED);
		step_done(db, ed);
	}
	sqlite3_finalize(ed);
	*t_fn = t1 - t0;
	*t_ed = now() - t1;
}

/* file names in their own table; functions keep an integer file id */
static void insert_strings_shape(sqlite3 *db, const struct profile *p, double *t_fn, double *t_ed)
{
	double t0 = now();
	int64_t *fid = calloc(p->nstrs, sizeof(int64_t));
	sqlite3_stmt *fs = prep(db, "INSERT INTO files VALUES(?1,?2)");
	sqlite3_stmt *fn = prep(db, "INSERT INTO functions VALUES(1,?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
	int64_t nfiles = 0;
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		if (!fid[f->file]) {
			const struct pv_str *file = profile_str(p, f->file);
			fid[f->file] = ++nfiles;
			sqlite3_bind_int64(fs, 1, nfiles);
			sqlite3_bind_text(fs, 2, file->s, (int)file->len, SQLITE_STATIC);
			step_done(db, fs);
		}
		const struct pv_str *name = profile_str(p, f->name);
		sqlite3_bind_int64(fn, 1, (int64_t)i);
		sqlite3_bind_int64(fn, 2, fid[f->file]);
		sqlite3_bind_int64(fn, 3, f->line);
		sqlite3_bind_text(fn, 4, name->s, (int)name->len, SQLITE_STATIC);
		sqlite3_bind_int(fn, 5, (f->flags & PV_FUNC_IN_STATS) != 0);
		sqlite3_bind_int(fn, 6, (f->flags & PV_FUNC_TOP_LEVEL) != 0);
		sqlite3_bind_int64(fn, 7, f->pcalls);
		sqlite3_bind_int64(fn, 8, f->calls);
		sqlite3_bind_double(fn, 9, f->tottime);
		sqlite3_bind_double(fn, 10, f->cumtime);
		step_done(db, fn);
	}
	sqlite3_finalize(fs);
	sqlite3_finalize(fn);
	free(fid);
	double t1 = now();
	/* edges as in the store, but a rowid table without the (callee, ord) key */
	sqlite3_stmt *ed = prep(db, "INSERT INTO edges VALUES(1,?1,?2,?3,?4,?5,?6,?7)");
	for (size_t k = 0; k < p->nedges; k++) {
		const struct pv_edge *e = &p->edges[k];
		sqlite3_bind_int64(ed, 1, e->callee);
		sqlite3_bind_int64(ed, 2, e->caller);
		sqlite3_bind_int64(ed, 3, e->calls);
		sqlite3_bind_int64(ed, 4, e->pcalls);
		sqlite3_bind_double(ed, 5, e->tottime);
		sqlite3_bind_double(ed, 6, e->cumtime);
		sqlite3_bind_int(ed, 7, e->kind == PV_EDGE_TIMED);
		step_done(db, ed);
	}
	sqlite3_finalize(ed);
	*t_fn = t1 - t0;
	*t_ed = now() - t1;
}

/* packed arrays: one row per profile holding its functions, edges and strings as blobs */
struct packed_fn {
	uint32_t file, name, flags, pad;
	int64_t line, pcalls, calls;
	double tottime, cumtime;
};
struct packed_ed {
	uint32_t caller, callee, kind, pad;
	int64_t calls, pcalls;
	double tottime, cumtime;
};

static void insert_blob_shape(sqlite3 *db, const struct profile *p, double *t_fn, double *t_ed)
{
	double t0 = now();
	struct packed_fn *fns = malloc((p->nfuncs + 1) * sizeof(*fns));
	for (size_t i = 0; i < p->nfuncs; i++) {
		const struct pv_func *f = &p->funcs[i];
		fns[i] = (struct packed_fn){ f->file, f->name, f->flags, 0, f->line, f->pcalls, f->calls, f->tottime,
					     f->cumtime };
	}
	size_t slen = 0;
	for (size_t i = 0; i < p->nstrs; i++)
		slen += p->strs[i].len + 1;
	char *strs = malloc(slen + 1), *w = strs;
	for (size_t i = 0; i < p->nstrs; i++) {
		memcpy(w, p->strs[i].s, p->strs[i].len + 1);
		w += p->strs[i].len + 1;
	}
	sqlite3_stmt *st = prep(db, "INSERT INTO packed(profile_id, what, data) VALUES(1,?1,?2)");
	sqlite3_bind_text(st, 1, "functions", -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, fns, p->nfuncs * sizeof(*fns), SQLITE_STATIC);
	step_done(db, st);
	sqlite3_bind_text(st, 1, "strings", -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, strs, slen, SQLITE_STATIC);
	step_done(db, st);
	double t1 = now();
	struct packed_ed *eds = malloc((p->nedges + 1) * sizeof(*eds));
	for (size_t k = 0; k < p->nedges; k++) {
		const struct pv_edge *e = &p->edges[k];
		eds[k] = (struct packed_ed){ e->caller, e->callee, e->kind, 0, e->calls, e->pcalls, e->tottime, e->cumtime };
	}
	sqlite3_bind_text(st, 1, "edges", -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 2, eds, p->nedges * sizeof(*eds), SQLITE_STATIC);
	step_done(db, st);
	sqlite3_finalize(st);
	free(fns);
	free(strs);
	free(eds);
	*t_fn = t1 - t0;
	*t_ed = now() - t1;
}

static const char *shape_schema(enum shape sh)
{
	switch (sh) {
	case SHAPE_STORE:
		return "CREATE TABLE functions(profile_id INTEGER NOT NULL, idx INTEGER NOT NULL, file TEXT NOT NULL,"
		       " line INTEGER NOT NULL, name TEXT NOT NULL, in_stats INTEGER NOT NULL, top_level INTEGER NOT NULL,"
		       " pcalls INTEGER NOT NULL, calls INTEGER NOT NULL, tottime REAL NOT NULL, cumtime REAL NOT NULL,"
		       " PRIMARY KEY(profile_id, idx)) WITHOUT ROWID;"
		       "CREATE TABLE edges(profile_id INTEGER NOT NULL, callee INTEGER NOT NULL, ord INTEGER NOT NULL,"
		       " caller INTEGER NOT NULL, calls INTEGER NOT NULL, pcalls INTEGER NOT NULL, tottime REAL NOT NULL,"
		       " cumtime REAL NOT NULL, timed INTEGER NOT NULL, PRIMARY KEY(profile_id, callee, ord)) WITHOUT ROWID;";
	case SHAPE_STRINGS:
		return "CREATE TABLE files(id INTEGER PRIMARY KEY, path TEXT NOT NULL);"
		       "CREATE TABLE functions(profile_id INTEGER NOT NULL, idx INTEGER NOT NULL, file INTEGER NOT NULL,"
		       " line INTEGER NOT NULL, name TEXT NOT NULL, in_stats INTEGER NOT NULL, top_level INTEGER NOT NULL,"
		       " pcalls INTEGER NOT NULL, calls INTEGER NOT NULL, tottime REAL NOT NULL, cumtime REAL NOT NULL,"
		       " PRIMARY KEY(profile_id, idx)) WITHOUT ROWID;"
		       "CREATE TABLE edges(profile_id INTEGER NOT NULL, callee INTEGER NOT NULL,"
		       " caller INTEGER NOT NULL, calls INTEGER NOT NULL, pcalls INTEGER NOT NULL, tottime REAL NOT NULL,"
		       " cumtime REAL NOT NULL, timed INTEGER NOT NULL);";
	case SHAPE_BLOB:
		return "CREATE TABLE packed(profile_id INTEGER NOT NULL, what TEXT NOT NULL, data BLOB NOT NULL,"
		       " PRIMARY KEY(profile_id, what));";
	}
	return "";
}

struct variant {
	const char *label;
	const char *pragmas;
	enum shape shape;
	int multirow;
	const char *after;	/* e.g. CREATE INDEX, inside the transaction */
};

static int reps_exp = 3;

static void experiment(const struct profile *p, const char *db, const struct variant *v)
{
	double best[7];
	for (int k = 0; k < 7; k++)
		best[k] = 1e9;
	char wal[4200];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	long long size = 0;
	for (int rep = 0; rep < reps_exp; rep++) {
		rm_db(db);
		double t0 = now();
		sqlite3 *h;
		if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK)
			exit(1);
		exec_or_die(h, v->pragmas);
		exec_or_die(h, "BEGIN IMMEDIATE");
		exec_or_die(h, shape_schema(v->shape));
		double t1 = now(), tf, te;
		if (v->shape == SHAPE_STORE)
			insert_store_shape(h, p, v->multirow, &tf, &te);
		else if (v->shape == SHAPE_STRINGS)
			insert_strings_shape(h, p, &tf, &te);
		else
			insert_blob_shape(h, p, &tf, &te);
		double t2 = now();
		if (v->after)
			exec_or_die(h, v->after);
		double t3 = now();
		exec_or_die(h, "COMMIT");
		double t4 = now();
		sqlite3_close_v2(h);
		double t5 = now();
		double t[7] = { t1 - t0, tf, te, t3 - t2, t4 - t3, t5 - t4, t5 - t0 };
		for (int k = 0; k < 7; k++)
			best[k] = t[k] < best[k] ? t[k] : best[k];
		size = file_size(db) + (file_size(wal) > 0 ? file_size(wal) : 0);
	}
	printf("  %-38s open %5.1f fn %6.1f ed %6.1f idx %6.1f commit %6.1f close %6.1f = %7.1f  db %5.1f MB\n",
	       v->label, best[0] * 1e3, best[1] * 1e3, best[2] * 1e3, best[3] * 1e3, best[4] * 1e3, best[5] * 1e3,
	       best[6] * 1e3, size / 1e6);
	fflush(stdout);
}

/* warm top-20 by tottime on each shape (store already written by experiment()) */
static int cmp_tot(const void *a, const void *b)
{
	const struct packed_fn *x = *(struct packed_fn *const *)a, *y = *(struct packed_fn *const *)b;
	if (x->tottime != y->tottime)
		return x->tottime < y->tottime ? 1 : -1;
	return x < y ? -1 : x > y;
}

static void warm_query_once(const char *db, const char *pragmas, const char *sql, int blob, double t[4], size_t *nrows)
{
	double t0 = now();
	sqlite3 *h;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		exit(1);
	exec_or_die(h, pragmas);
	double t1 = now();
	size_t n = 0;
	if (!blob) {
		sqlite3_stmt *st = prep(h, sql);
		while (sqlite3_step(st) == SQLITE_ROW)
			n++;
		sqlite3_finalize(st);
	} else {
		/* read the functions blob, partial-select the top 20 in C (a 20-slot insertion buffer) */
		sqlite3_stmt *st = prep(h, "SELECT data FROM packed WHERE profile_id = 1 AND what = 'functions'");
		if (sqlite3_step(st) == SQLITE_ROW) {
			const struct packed_fn *f = sqlite3_column_blob(st, 0);
			size_t nf = (size_t)sqlite3_column_bytes(st, 0) / sizeof(*f);
			const struct packed_fn *top[21];
			size_t nt = 0;
			for (size_t i = 0; i < nf; i++) {
				if (!(f[i].flags & PV_FUNC_IN_STATS))
					continue;
				if (nt == 20 && cmp_tot(&(const struct packed_fn *){ &f[i] }, &top[19]) >= 0)
					continue;
				size_t j = nt < 20 ? nt++ : 19;
				top[j] = &f[i];
				while (j > 0 && cmp_tot(&top[j], &top[j - 1]) < 0) {
					const struct packed_fn *tmp = top[j];
					top[j] = top[j - 1];
					top[j - 1] = tmp;
					j--;
				}
			}
			n = nt;
		}
		sqlite3_finalize(st);
	}
	double t2 = now();
	sqlite3_close_v2(h);
	double t3 = now();
	t[0] = t1 - t0;
	t[1] = t2 - t1;
	t[2] = t3 - t2;
	t[3] = t3 - t0;
	*nrows = n;
}

static void warm_query(const char *db, const char *label, const char *pragmas, const char *sql, int blob)
{
	double best[4] = { 1e9, 1e9, 1e9, 1e9 }, t[4];
	size_t n = 0;
	for (int rep = 0; rep < 5; rep++) {
		warm_query_once(db, pragmas, sql, blob, t, &n);
		for (int k = 0; k < 4; k++)
			best[k] = t[k] < best[k] ? t[k] : best[k];
	}
	printf("  %-52s open %5.1f  query %6.1f  close %4.1f = %6.1f ms (%zu rows)\n", label, best[0] * 1e3,
	       best[1] * 1e3, best[2] * 1e3, best[3] * 1e3, n);
	fflush(stdout);
}


/* ---- the .prof reader on its own ---- */

/* One value and everything in it read, nothing built. */
static int walk_value(struct marshal_reader *m, int allow_null, struct pv_error *err)
{
	struct marshal_head h;
	if (marshal_head(m, &h, allow_null))
		die("marshal_head", err);
	if (h.type == MV_NULL)
		return 1;
	if (h.ref || h.type < MV_TUPLE || h.type > MV_SET)
		return 0;
	if (h.type == MV_DICT)
		while (!walk_value(m, 1, err))
			walk_value(m, 0, err);
	else
		for (uint32_t k = 0; k < h.n; k++)
			walk_value(m, 0, err);
	if (marshal_close(m))
		die("marshal_close", err);
	return 0;
}

/* Every value of the marshal stream read, nothing built: the decoding part of
 * prof_read_marshal(). */
static void walk_marshal(const uint8_t *buf, size_t len)
{
	struct marshal_reader m;
	struct pv_error err;
	pv_error_clear(&err);
	marshal_reader_init(&m, buf, len, &err);
	walk_value(&m, 0, &err);
	marshal_reader_release(&m);
}

static ssize_t read_fd(void *ctx, uint8_t *buf, size_t cap, struct pv_error *err)
{
	ssize_t r = read(*(int *)ctx, buf, cap);
	if (r < 0)
		pv_error_set(err, "read error");
	return r;
}

static void reader_report(const char *prof)
{
	int fd = open(prof, O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	size_t len = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(len);
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	printf("\nthe .prof reader (ms, best of 5):\n");
	double walk = 1e9, whole = 1e9, stream = 1e9, path = 1e9;
	for (int r = 0; r < 5; r++) {
		double a = now();
		walk_marshal(buf, len);
		double b = now() - a;
		walk = b < walk ? b : walk;
		struct profile *q = profile_new();
		struct pv_error err;
		pv_error_clear(&err);
		a = now();
		if (prof_read_marshal(buf, len, q, &err))
			die("prof_read_marshal", &err);
		b = now() - a;
		whole = b < whole ? b : whole;
		profile_free(q);
		q = profile_new();
		fd = open(prof, O_RDONLY);
		uint8_t first;
		if (pread(fd, &first, 1, 0) != 1)
			die("pread", &err);
		a = now();
		if (prof_read_stream(&first, 1, len, read_fd, &fd, 0, q, &err))
			die("prof_read_stream", &err);
		b = now() - a;
		close(fd);
		stream = b < stream ? b : stream;
		profile_free(q);
		struct read_options ro;
		memset(&ro, 0, sizeof(ro));
		struct profile_list l = { 0 };
		a = now();
		if (profile_read_path(prof, &ro, &l, &err))
			die("profile_read_path", &err);
		b = now() - a;
		path = b < path ? b : path;
		profile_list_release(&l);
	}
	printf("  %-62s %7.1f\n", "marshal reader: every value read, nothing built", walk * 1e3);
	printf("  %-62s %7.1f\n", "the real prof_read_marshal (file in memory: decode + build)", whole * 1e3);
	printf("  %-62s %7.1f\n", "prof_read_stream (read(2) into its window, no hash)", stream * 1e3);
	printf("  %-62s %7.1f\n", "profile_read_path (streamed, sha256 on a second thread)", path * 1e3);
	double t0 = now();
	char hex[65];
	sha256_hex(buf, len, hex);
	double t1 = now();
	printf("  sha256 (this build): %.1f ms = %.0f MB/s\n", (t1 - t0) * 1e3, len / (t1 - t0) / 1e6);
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: phases FILE.prof [WORKDIR [REPS]]\n");
		return 2;
	}
	const char *prof = argv[1], *dir = argc > 2 ? argv[2] : "/tmp";
	int reps = argc > 3 ? atoi(argv[3]) : 3;
	if (reps < 1)
		reps = 1;
	reps_exp = reps;
	char db[4096];
	snprintf(db, sizeof(db), "%s/phases-%d.db", dir, (int)getpid());
	printf("sqlite %s\n", sqlite3_libversion());
	int64_t id;
	struct profile *p = cold_path(prof, db, reps, &id);
	printf("  profile: %zu functions (%zu stats entries), %zu edges, %zu distinct strings\n", p->nfuncs, p->nstats,
	       p->nedges, p->nstrs);
	warm_path(prof, db, 3 * reps, id);
	rm_db(db);

	reader_report(prof);

	const char *wal = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
			  " PRAGMA cache_size=-65536";
	const char *walbig = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
			     " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=0";
	const char *off = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536";
	const char *del = "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536";
	const struct variant vs[] = {
		{ "store schema, WAL+NORMAL (as now)", wal, SHAPE_STORE, 0, NULL },
		{ "  same, wal_autocheckpoint=0", walbig, SHAPE_STORE, 0, NULL },
		{ "  same, journal DELETE (new file)", del, SHAPE_STORE, 0, NULL },
		{ "  same, journal OFF + sync OFF", off, SHAPE_STORE, 0, NULL },
		{ "  same, 50-row multi-row INSERT (fn)", wal, SHAPE_STORE, 1, NULL },
		{ "  same + INDEX fn(profile_id, tottime)", wal, SHAPE_STORE, 0,
		  "CREATE INDEX fn_tottime ON functions(profile_id, tottime)" },
		{ "  same + 5 sort indexes", wal, SHAPE_STORE, 0,
		  "CREATE INDEX i1 ON functions(profile_id, tottime);"
		  "CREATE INDEX i2 ON functions(profile_id, cumtime);"
		  "CREATE INDEX i3 ON functions(profile_id, calls);"
		  "CREATE INDEX i4 ON functions(profile_id, pcalls);"
		  "CREATE INDEX i5 ON functions(profile_id, name)" },
		{ "files table + rowid edges, WAL", wal, SHAPE_STRINGS, 0, NULL },
		{ "packed blobs (1 row per array), WAL", wal, SHAPE_BLOB, 0, NULL },
	};
	printf("\nstore what-ifs on the parsed profile (fresh db each; ms, each column the minimum of %d runs):\n", reps_exp);
	for (size_t k = 0; k < sizeof(vs) / sizeof(vs[0]); k++)
		experiment(p, db, &vs[k]);

	printf("\nwarm top-20-by-tottime queries on each shape (ms, minimum of 5 runs):\n");
	const char *q_store = "SELECT idx, file, line, name, pcalls, calls, tottime, cumtime FROM functions"
			      " WHERE profile_id = 1 AND in_stats ORDER BY tottime DESC, idx ASC LIMIT 20";
	const char *q_top = "SELECT name FROM functions WHERE profile_id = 1 AND top_level AND in_stats ORDER BY idx";
	const char *rd = "PRAGMA cache_size=-65536";
	const char *rdmm = "PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456";
	reps_exp = 1;
	experiment(p, db, &vs[0]);
	warm_query(db, "store schema: ORDER BY tottime LIMIT 20", rd, q_store, 0);
	warm_query(db, "store schema: same, mmap_size=256MiB", rdmm, q_store, 0);
	warm_query(db, "store schema: top-level names query", rd, q_top, 0);
	warm_query(db, "store schema: top-level names query, mmap", rdmm, q_top, 0);
	experiment(p, db, &vs[5]);
	warm_query(db, "with INDEX(profile_id, tottime)", rd, q_store, 0);
	experiment(p, db, &vs[8]);
	warm_query(db, "packed blob: read all records, top-20 in C", rd, NULL, 1);
	warm_query(db, "packed blob: same, mmap_size=256MiB", rdmm, NULL, 1);
	rm_db(db);
	profile_free(p);
	return 0;
}
