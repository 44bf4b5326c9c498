#include "cmd.h"
#include "../analysis/units.h"
#include "../formats/austin_read.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char import_usage[] =
	"usage: profview import FILE... [--name NAME] [--format auto|pstats|folded|speedscope]\n"
	"                       [--lenient] [--merge-threads] [--unit UNIT] [--metric METRIC]\n"
	"\n"
	"Import profiles into the store and print their ids, one per line. The format is\n"
	"recognised from the content (gzip-compressed files too): cProfile/profile .prof\n"
	"files, folded stacks (py-spy, Austin, perf + stackcollapse, inferno) and speedscope\n"
	"JSON. Text is folded stacks when at least 90 % of its lines (blank and # lines\n"
	"aside; two lines in a small file) are 'frame;frame COUNT'. Other formats (callgrind,\n"
	"pprof, perf.data and perf script, .cpuprofile, Python source, HTML, SVG, CSV, ...)\n"
	"are refused with a line that says what the file is and what to do. A speedscope\n"
	"file with several profiles (threads) becomes one stored profile per thread,\n"
	"grouped; so does an Austin file with several threads. Importing the same content\n"
	"again gives the same ids. Each file is one transaction: a bad file leaves the\n"
	"store as it was, and so does a file too large for the memory available (the\n"
	"error says about how much it needs).\n"
	"\n"
	"Austin files (every version: 1.x default, -a, -f, -m; 2.x; 3.x with its '# mode:'\n"
	"header) are read into function, file and line, weighted in microseconds, or in\n"
	"bytes for memory. A full-mode file (-f) is stored by its time; --metric picks\n"
	"another of its metrics.\n"
	"\n"
	"  --name NAME       a name to refer to the profile by (one FILE only); the threads\n"
	"                    of a multi-profile file are NAME, NAME.2, NAME.3, ... A name\n"
	"                    stays with its profile; a profile stored already gets one\n"
	"                    more name (a note says so), its first one still works\n"
	"  --format FMT      read FILE as this format instead of recognising it\n"
	"  --lenient         folded: keep the stacks however few lines hold one (with\n"
	"                    --format folded: read any text as folded stacks); speedscope:\n"
	"                    repair broken event streams (a close that does not match, a\n"
	"                    close with nothing open, time going back, frames left open)\n"
	"                    instead of refusing them; a warning says how many\n"
	"  --merge-threads   several profiles (threads) in one file: merge them into one tree\n"
	"  --unit UNIT       folded stacks whose counts are not samples: the unit they are\n"
	"                    in (ns, us, ms, s, B, KiB, MiB, samples), stored and shown with\n"
	"                    every output; KiB and MiB are stored as bytes. For files that\n"
	"                    do not say their unit: stackcollapse-perf of cpu-clock events\n"
	"                    (periods in ns), Austin 1.x/2.x without a header (default us;\n"
	"                    'austin -m' of 1.x writes KiB)\n"
	"  --metric METRIC   Austin: the metric to weigh by: time (the default), cpu (time\n"
	"                    of the samples not idle, Austin 3 full mode), alloc (memory\n"
	"                    growth, the default of memory mode), dealloc (memory released)\n"
	"  --db PATH         the store to use\n"
	"\n"
	"Examples:\n"
	"  profview import out.prof --name before\n"
	"  py-spy record -f raw -o stacks.txt -- python app.py && profview import stacks.txt\n"
	"  profview import trace.speedscope.json --merge-threads\n"
	"  austin -o app.austin python3 app.py && profview import app.austin\n"
	"  profview import app-full.austin --metric alloc --name app-memory\n"
	"  perf record -e cpu-clock -g python3 app.py\n"
	"  perf script | stackcollapse-perf.pl > perf.folded   # counts: periods in ns\n"
	"  profview import perf.folded --unit ns\n"
	"  profview import --format folded --lenient odd-stacks.txt\n";

enum { OPT_NAME = 1, OPT_FORMAT, OPT_LENIENT, OPT_MERGE, OPT_UNIT, OPT_METRIC };

static int cmd_import(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "lenient", no_argument, NULL, OPT_LENIENT },
		{ "merge-threads", no_argument, NULL, OPT_MERGE },
		{ "unit", required_argument, NULL, OPT_UNIT },
		{ "metric", required_argument, NULL, OPT_METRIC },
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
		case OPT_UNIT:
			ro.unit = unit_parse_input(optarg, &ro.unit_scale);
			if (!ro.unit)
				return cmd_usage_error(&cmd_import_entry,
						       "unknown --unit '%s' (ns, us, ms, s, B, KiB, MiB or samples)", optarg);
			break;
		case OPT_METRIC: {
			int m = austin_metric_parse(optarg);
			if (m < 0)
				return cmd_usage_error(&cmd_import_entry,
						       "unknown --metric '%s' (time, cpu, alloc or dealloc)", optarg);
			ro.metric = m;
			break;
		}
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
	if (cmd_open_store(ctx, &store, &err)) {
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
