/* Names of stored profiles (schema version 4, docs/schema.md): a name refers to
 * one profile and stays with it; a profile may have several, like git tags on a
 * commit, so naming it again never loses the name it had. */
#include "store.h"
#include "store_private.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_name_is_valid(const char *name)
{
	if (!*name || strcmp(name, "latest") == 0)
		return 0;
	for (const char *c = name; *c; c++)
		if (*c < '0' || *c > '9')
			return 1;
	return 0;
}

int store_names_of(struct store *s, int64_t id, char ***names, size_t *n, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1, step;
	*names = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT name FROM names WHERE profile_id = ?1 ORDER BY rowid", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)names, &cap, *n + 1, sizeof(**names));
		(*names)[(*n)++] = xstrndup((const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	}
	if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	if (rc) {
		/* an error leaves nothing to free */
		for (size_t i = 0; i < *n; i++)
			free((*names)[i]);
		free(*names);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

/* Who holds name: *holder = its profile id, or 0. */
static int store_name_holder(struct store *s, const char *name, int64_t *holder, struct pv_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;
	*holder = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT profile_id FROM names WHERE name = ?1", -1, &st, NULL) != SQLITE_OK) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*holder = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE) {
		store_sql_error(s, err, "cannot query the store");
		goto cleanup;
	}
	rc = 0;
cleanup:
	sqlite3_finalize(st);
	return rc;
}

int store_name_insert(struct store *s, int64_t id, const char *name, struct pv_error *err)
{
	static const char *const sql[] = {
		"INSERT INTO names(name, profile_id, named_at) VALUES(?1, ?2, ?3)",
		/* the first name is also the profile's own column, as before version 4 */
		"UPDATE profiles SET name = ?1 WHERE id = ?2 AND name IS NULL",
	};
	int64_t holder;
	char now[32];
	store_now_iso(now);
	if (store_name_holder(s, name, &holder, err))
		return -1;
	if (holder == id)
		return 0;
	if (holder) {
		pv_error_subject(err, name);
		return pv_error_set(err, "profile %lld has this name already (a name stays with its profile); pick another",
				    (long long)holder);
	}
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = NULL;
		int ok = sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) == SQLITE_OK;
		if (ok) {
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, id);
			if (i == 0)
				sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
			ok = sqlite3_step(st) == SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (!ok)
			return store_sql_error(s, err, "cannot name the profile");
	}
	return 0;
}

int store_add_name(struct store *s, int64_t id, const char *name, struct pv_error *err)
{
	if (store_writable(s, err) || store_exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	if (store_name_insert(s, id, name, err)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return store_exec(s, "COMMIT", err);
}
