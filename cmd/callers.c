#include "call_listing.h"
#include "stat_options.h"

static const char callers_usage[] =
	"usage: profview callers [PROFILE] [--by KEY[,KEY...]] [--limit N] [--fraction F]\n"
	"                     [--match REGEX]... [--strip-dirs] [--reverse] [--format text|json]\n"
	"\n"
	"Print who calls each function, the way\n"
	"pstats.Stats(f).sort_stats(KEYS).print_callers(...) does, byte for byte: each listed\n"
	"function, '<-', then one line per function with the stats of that edge\n"
	"(ncalls tottime cumtime). The options choose and order the listed functions\n"
	"exactly as for 'profview sort'. Sampled profiles list the edges derived from\n"
	"their stacks (samples, self and total weight along the edge).\n"
	"\n"
	"PROFILE is a file (imported into the store on the fly), a stored id, a name given at\n"
	"import, or 'latest' (the default).\n"
	"\n"
	CMD_STAT_OPTIONS_HELP
	"  --format FMT      text (default) or json: every edge with its full stats\n"
	"  --db PATH         the store to use (default $PROFVIEW_DB, else\n"
	"                    $XDG_DATA_HOME/profview/profiles.db)\n"
	"\n"
	"Examples:\n"
	"  profview callers out.prof --by cumulative --limit 10\n"
	"  profview callers --match 'json' --strip-dirs\n"
	"  profview callers 3 --by tottime --limit 5 --format json\n";

static int cmd_callers(int argc, char **argv, struct cmd_ctx *ctx)
{
	return cmd_call_listing(argc, argv, ctx, &cmd_callers_entry, CALL_CALLERS);
}

const struct cmd_entry cmd_callers_entry = { "callers", cmd_callers, callers_usage, "who calls each function, like pstats print_callers()" };
