/* The SQLite extension that gives other programs the tables `profview sql` has:
 * functions, edges and tree_nodes over a version-5 store's packed arrays.
 *   sqlite3 profiles.db -cmd '.load /path/to/profview' "SELECT ... FROM functions WHERE profile_id = 3"
 * The entry point's name follows SQLite's rule for a file named profview.so. */
#include "store_private.h"

int sqlite3_profview_init(sqlite3 *db, char **errmsg, const void *api);

int sqlite3_profview_init(sqlite3 *db, char **errmsg, const void *api)
{
	(void)api;	/* linked against the same libsqlite3 as the program that loads it */
	if (store_vtab_register(db) == 0)
		return SQLITE_OK;
	*errmsg = sqlite3_mprintf("profview: cannot register its tables: %s", sqlite3_errmsg(db));
	return SQLITE_ERROR;
}
