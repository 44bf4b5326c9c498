#include "cmd.h"
#include "../analysis/restrict.h"
#include "../analysis/stat_table.h"
#include "../analysis/xalloc.h"
#include "../formats/stat_write.h"

#include <stdlib.h>
#include <string.h>

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
	"  --by KEYS         pstats sort keys, comma-separated: calls ncalls cumtime cumulative\n"
	"                    filename file module line name nfl pcalls stdname time tottime, or\n"
	"                    their unique prefixes (pstats refuses 'cum'; 'cu' works). Without\n"
	"                    --by the file order is kept, as pstats does without sort_stats().\n"
	"  --limit N         keep the first N functions        (print_stats(N))\n"
	"  --fraction F      keep that fraction, 0 <= F < 1    (print_stats(F))\n"
	"  --match REGEX     keep names matching REGEX         (print_stats('REGEX'))\n"
	"                    --limit, --fraction and --match apply in the order given.\n"
	"  --strip-dirs      drop directories from file names, merging what then coincides\n"
	"  --reverse         reverse the sorted order          (reverse_order())\n"
	"  --format FMT      text (default), json or csv: every column at full precision\n"
	"  --db PATH         the store to use (default $PROFVIEW_DB, else\n"
	"                    $XDG_DATA_HOME/profview/profiles.db)\n"
	"\n"
	"Examples:\n"
	"  profview sort --by tottime --limit 20 out.prof\n"
	"  profview sort --by cumulative,name --match 'json|re' --limit 10\n"
	"  profview sort 3 --strip-dirs --by calls --format csv > calls.csv\n";

enum { OPT_BY = 1, OPT_LIMIT, OPT_FRACTION, OPT_MATCH, OPT_STRIP, OPT_REVERSE, OPT_FORMAT };

static int cmd_sort(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "sort", required_argument, NULL, OPT_BY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "fraction", required_argument, NULL, OPT_FRACTION },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "strip-dirs", no_argument, NULL, OPT_STRIP },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct stat_query q;
	struct restriction *rs = xcalloc((size_t)argc + 1, sizeof(*rs));
	size_t nrs = 0;
	const char *format = "text";
	struct pv_error err;
	struct store *store = NULL;
	struct stat_table table;
	int have_table = 0, rc = EXIT_ERROR, opt;
	memset(&q, 0, sizeof(q));
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_sort_entry, ctx);
		if (common < 0) {
			rc = EXIT_OK;
			goto cleanup;
		}
		if (common)
			continue;
		long long n;
		double f;
		switch (opt) {
		case OPT_BY:
			q.by = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_int("--limit", optarg, &n, &err))
				goto fail;
			rs[nrs++] = (struct restriction){ .kind = RESTRICT_COUNT, .count = n };
			break;
		case OPT_FRACTION:
			if (cmd_parse_float("--fraction", optarg, &f, &err))
				goto fail;
			rs[nrs++] = (struct restriction){ .kind = RESTRICT_FRACTION, .fraction = f };
			break;
		case OPT_MATCH:
			rs[nrs++] = (struct restriction){ .kind = RESTRICT_REGEX, .regex = optarg };
			break;
		case OPT_STRIP:
			q.strip_dirs = 1;
			break;
		case OPT_REVERSE:
			q.reverse = 1;
			break;
		case OPT_FORMAT:
			format = optarg;
			if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "csv")) {
				rc = cmd_usage_error(&cmd_sort_entry, "unknown --format '%s' (text, json or csv)", format);
				goto cleanup;
			}
			break;
		default:
			rc = cmd_usage_error(&cmd_sort_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	const char *profile_arg = NULL;
	int positional = 0;
	for (int i = optind; i < argc; i++) {
		if (positional++) {
			rc = cmd_usage_error(&cmd_sort_entry, "more than one PROFILE given ('%s')", argv[i]);
			goto cleanup;
		}
		profile_arg = argv[i];
	}
	q.restrictions = rs;
	q.nrestrictions = nrs;
	if (cmd_open_store(ctx, 0, &store, &err))
		goto fail;
	struct cmd_profile_ref ref;
	if (cmd_resolve_profile(ctx, store, profile_arg, NULL, &ref, &err))
		goto fail;
	if (stat_table_from_store(store, ref.id, &q, &table, &err))
		goto fail;
	have_table = 1;
	if (ref.display_source) {
		table.source = ref.display_source;
		table.source_mtime = ref.display_mtime;
	}
	if (strcmp(format, "json") == 0)
		stat_write_json(stdout, &table);
	else if (strcmp(format, "csv") == 0)
		stat_write_csv(stdout, &table);
	else
		stat_write_text(stdout, &table);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	if (have_table)
		stat_table_release(&table);
	store_close(store);
	free(rs);
	return rc;
}

const struct cmd_entry cmd_sort_entry = { "sort", cmd_sort, sort_usage,
					  "print functions sorted like pstats print_stats()" };
