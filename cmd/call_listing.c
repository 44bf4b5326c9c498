#include "call_listing.h"
#include "stat_options.h"
#include "../formats/call_write.h"

#include <string.h>

int cmd_call_listing(int argc, char **argv, struct cmd_ctx *ctx, const struct cmd_entry *e,
		     enum call_direction dir)
{
	struct cmd_stat_options o;
	struct pv_error err;
	struct store *store = NULL;
	struct call_table table;
	int have_table = 0;
	int rc = cmd_stat_options_parse(argc, argv, e, ctx, "text,json", &o);
	pv_error_clear(&err);
	if (rc >= 0)
		goto cleanup;
	struct cmd_profile_ref ref;
	if (cmd_open_store(ctx, &store, &err) || cmd_resolve_profile(ctx, store, o.profile, NULL, &ref, &err) ||
	    call_table_from_store(store, ref.id, &o.q, dir, &table, &err)) {
		rc = cmd_fail(&err);
		goto cleanup;
	}
	have_table = 1;
	if (ref.display_source) {
		table.stats.source = ref.display_source;
		table.stats.source_mtime = ref.display_mtime;
	}
	if (strcmp(o.format, "json") == 0)
		call_write_json(stdout, &table);
	else
		call_write_text(stdout, &table);
	rc = EXIT_OK;
cleanup:
	if (have_table)
		call_table_release(&table);
	store_close(store);
	cmd_stat_options_release(&o);
	return rc;
}
