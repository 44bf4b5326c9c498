#include "stat_options.h"
#include "../formats/stat_write.h"


static const char sort_usage[] =
	"usage: profview sort [PROFILE] [--by KEY[,KEY...]] [--limit N] [--fraction F]\n"
	"                     [--match REGEX]... [--strip-dirs] [--reverse] [--format text|json|csv]\n"
	"\n"
	"Print a profile's functions the way pstats.Stats(f).sort_stats(KEYS).print_stats(...) does,\n"
	"byte for byte.\n"
	"\n"
	"PROFILE is a file (imported into the store on the fly), a stored id, a name given at\n"
	"import, or 'latest' (the default).\n"
	"\n"
	CMD_STAT_OPTIONS_HELP
	"  --format FMT      text (default), json or csv: every column at full precision\n"
	"  --db PATH         the store to use (default $PROFVIEW_DB, else\n"
	"                    $XDG_DATA_HOME/profview/profiles.db)\n"
	"\n"
	"Examples:\n"
	"  profview sort --by tottime --limit 20 out.prof\n"
	"  profview sort --by cumulative,name --match 'json|re' --limit 10\n"
	"  profview sort 3 --strip-dirs --by calls --format csv > calls.csv\n";

static int cmd_sort(int argc, char **argv, struct cmd_ctx *ctx)
{
	struct cmd_stat_options o;
	struct pv_error err;
	struct store *store = NULL;
	struct stat_table table;
	int have_table = 0;
	int rc = cmd_stat_options_parse(argc, argv, &cmd_sort_entry, ctx, "text,json,csv", &o);
	pv_error_clear(&err);
	if (rc >= 0)
		goto cleanup;
	struct cmd_profile_ref ref;
	if (cmd_open_store(ctx, &store, &err) || cmd_resolve_profile(ctx, store, o.profile, NULL, &ref, &err) ||
	    stat_table_from_store(store, ref.id, &o.q, &table, &err)) {
		rc = cmd_fail(&err);
		goto cleanup;
	}
	have_table = 1;
	if (ref.display_source) {
		table.source = ref.display_source;
		table.source_mtime = ref.display_mtime;
	}
	stat_write_as(stdout, &table, o.format);
	rc = EXIT_OK;
cleanup:
	if (have_table)
		stat_table_release(&table);
	store_close(store);
	cmd_stat_options_release(&o);
	return rc;
}

const struct cmd_entry cmd_sort_entry = { "sort", cmd_sort, sort_usage,
					  "print functions sorted like pstats print_stats()" };
