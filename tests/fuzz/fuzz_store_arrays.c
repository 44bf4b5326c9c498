/* libFuzzer target: a profile's packed arrays as a damaged or hostile store
 * holds them (analysis/store_arrays.c, schema version 5). The input is a list
 * of profile_arrays rows put into an in-memory database, then read back with
 * store_arrays_load() as every command reads a stored profile. It must either
 * load, and then stand the analysis a command makes of it (tables, callers and
 * callees, the tree's links), or fail with a one-line error.
 *
 * Input: byte 0 = kind (0 calls, 1 sampled, 2 evented) + 4 * parts
 * (STORE_LOAD_*); then rows: u8 array (0 strings, 1 functions, 2 edges,
 * 3 tree_nodes, 4 keys), u8 chunk, u16 count, u16 length, then length bytes.
 * tests/fuzz/make_corpus_arrays.py writes the seeds from real stores.
 *
 *   fuzz-replay-arrays FILE|DIR...        (any compiler: replay_main.c)
 *   fuzz-store-arrays CORPUS_DIR          (clang, -Dfuzz=enabled) */
#define FUZZ_NAME "fuzz_store_arrays"
#include "fuzz_tree_check.h"
#include "../../analysis/call_table.h"
#include "../../analysis/store_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const arrays[] = { "strings", "functions", "edges", "tree_nodes", "keys" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE TABLE profile_arrays(profile_id INTEGER NOT NULL, array TEXT NOT NULL,"
			 " chunk INTEGER NOT NULL, count INTEGER NOT NULL, data BLOB NOT NULL,"
			 " UNIQUE(profile_id, array, chunk))",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO profile_arrays VALUES(1, ?1, ?2, ?3, ?4)", -1, &st, NULL) !=
		    SQLITE_OK)
		fuzz_die("cannot make the in-memory store: %s", sqlite3_errmsg(db));
	size_t at = 1;
	while (size - at >= 6) {
		uint8_t array = data[at], chunk = data[at + 1];
		uint16_t count = (uint16_t)(data[at + 2] | data[at + 3] << 8), len = (uint16_t)(data[at + 4] | data[at + 5] << 8);
		at += 6;
		if (len > size - at)
			len = (uint16_t)(size - at);
		sqlite3_bind_text(st, 1, arrays[array % 5], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, chunk);
		sqlite3_bind_int(st, 3, count);
		sqlite3_bind_blob(st, 4, len ? data + at : (const void *)"", len, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
		at += len;
	}
	sqlite3_finalize(st);
	struct profile *p = profile_new();
	p->id = 1;
	p->kind = (enum pv_kind)(data[0] % 3);
	unsigned parts = (data[0] >> 2) & (STORE_LOAD_EDGES | STORE_LOAD_TREE);
	struct pv_error err;
	pv_error_clear(&err);
	int rc = store_arrays_load(db, "fuzz.db", 1, parts, p, &err);
	if (rc != 0) {
		fuzz_check_error(rc, &err, size);
	} else {
		/* what the commands make of a loaded profile */
		struct pv_count_sums sums = { 0 };
		if (profile_count_sums_add(&sums, p) == 0) {
			profile_build_indexes(p);
			profile_compute_totals(p);
			struct stat_query q = { .by = "tottime" };
			struct stat_table t;
			if (stat_table_from_profile(p, &q, &t, &err) == 0)
				stat_table_release(&t);
			struct call_table c;
			for (int dir = 0; dir < 2 && (parts & STORE_LOAD_EDGES); dir++)
				if (call_table_from_profile(p, &q, dir ? CALL_CALLEES : CALL_CALLERS, &c, &err) == 0)
					call_table_release(&c);
			if (p->kind != PV_KIND_CALLS)	/* its keys are the tree kinds' */
				fuzz_print_profile(p, data[0]);
			if (p->nnodes) {
				uint32_t *first, *next;
				profile_tree_links(p, &first, &next);
				free(first);
				free(next);
			}
		}
	}
	profile_free(p);
	sqlite3_close(db);
	(void)fuzz_check_profile;	/* a reader's invariants: a store is checked as it is read, not for those */
	return 0;
}
