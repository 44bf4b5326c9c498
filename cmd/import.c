#include "cmd.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char import_usage[] =
	"usage: profview import FILE... [--name NAME] [--format auto|pstats|folded|speedscope]\n"
	"                       [--lenient] [--merge-threads]\n"
	"\n"
	"Import profiles into the store and print their ids, one per line. The format is\n"
	"recognised from the content (gzip-compressed files too): cProfile/profile .prof\n"
	"files, folded stacks (py-spy, Austin, perf + stackcollapse, inferno) and speedscope\n"
	"JSON. Text is folded stacks when at least 90 % of its lines (blank and # lines\n"
	"aside; two lines in a small file) are 'frame;frame COUNT'. Other formats (callgrind,\n"
	"pprof, perf.data and perf script, .cpuprofile, Python source, HTML, SVG, CSV, ...)\n"
	"are refused with a line that says what the file is and what to do. A speedscope\n"
	"file with several profiles (threads) becomes one stored profile per thread,\n"
	"grouped. Importing the same content again gives the same ids. Each file is one\n"
	"transaction: a bad file leaves the store as it was.\n"
	"\n"
	"  --name NAME       a name to refer to the profile by (one FILE only); the threads\n"
	"                    of a multi-profile file are NAME, NAME.2, NAME.3, ...\n"
	"  --format FMT      read FILE as this format instead of recognising it\n"
	"  --lenient         folded: keep the stacks however few lines hold one (with\n"
	"                    --format folded: read any text as folded stacks); speedscope:\n"
	"                    repair broken event streams (a close that does not match, a\n"
	"                    close with nothing open, time going back, frames left open)\n"
	"                    instead of refusing them; a warning says how many\n"
	"  --merge-threads   several profiles in one file: merge them into one tree\n"
	"  --db PATH         the store to use\n"
	"\n"
	"Examples:\n"
	"  profview import out.prof --name before\n"
	"  py-spy record -f raw -o stacks.txt -- python app.py && profview import stacks.txt\n"
	"  profview import trace.speedscope.json --merge-threads\n"
	"  profview import --format folded --lenient odd-stacks.txt\n";

enum { OPT_NAME = 1, OPT_FORMAT, OPT_LENIENT, OPT_MERGE };

static int cmd_import(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "lenient", no_argument, NULL, OPT_LENIENT },
		{ "merge-threads", no_argument, NULL, OPT_MERGE },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	struct read_options ro = { 0 };
	struct pv_error err;
	struct store *store = NULL;
	int rc = EXIT_ERROR, opt;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_import_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		switch (opt) {
		case OPT_NAME:
			name = optarg;
			break;
		case OPT_FORMAT: {
			int f = profile_format_parse(optarg);
			if (f < 0)
				return cmd_usage_error(&cmd_import_entry,
						       "unknown --format '%s' (auto, pstats, folded or speedscope)", optarg);
			ro.format = (enum profile_format)f;
			break;
		}
		case OPT_LENIENT:
			ro.lenient = 1;
			break;
		case OPT_MERGE:
			ro.merge = 1;
			break;
		default:
			return cmd_usage_error(&cmd_import_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_import_entry, "no FILE given");
	if (name && argc - optind > 1)
		return cmd_usage_error(&cmd_import_entry, "--name needs exactly one FILE");
	if (name && !store_name_is_valid(name))
		return cmd_usage_error(&cmd_import_entry,
				       "a name cannot be empty, 'latest', or a number (those mean ids): '%s'", name);
	if (cmd_open_store(ctx, 0, &store, &err)) {
		rc = cmd_fail(&err);
		goto cleanup;
	}
	rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct cmd_import im;
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			pv_error_subject(&err, argv[i]);
			pv_error_set(&err, "%s", strerror(errno));
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			pv_error_subject(&err, argv[i]);
			pv_error_set(&err, "is a directory, not a profile");
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		if (cmd_import_path(ctx, store, argv[i], &ro, name, &im, &err) != 0) {
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		for (size_t k = 0; k < im.n; k++)
			printf("%lld\n", (long long)im.ids[k]);
		cmd_import_release(&im);
	}
cleanup:
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_import_entry = { "import", cmd_import, import_usage,
					    "import profile files (.prof, folded, speedscope) into the store" };
