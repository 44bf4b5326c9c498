#include "call_listing.h"
#include "stat_options.h"

static const char callees_usage[] =
	"usage: profview callees [PROFILE] [--by KEY[,KEY...]] [--limit N] [--fraction F]\n"
	"                     [--match REGEX]... [--strip-dirs] [--reverse] [--format text|json]\n"
	"\n"
	"Print what each function calls, the way\n"
	"pstats.Stats(f).sort_stats(KEYS).print_callees(...) does, byte for byte: each listed\n"
	"function, '->', then one line per function with the stats of that edge\n"
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
	"  profview callees out.prof --by cumulative --limit 10\n"
	"  profview callees --match 'json' --strip-dirs\n"
	"  profview callees 3 --by tottime --limit 5 --format json\n";

static int cmd_callees(int argc, char **argv, struct cmd_ctx *ctx)
{
	return cmd_call_listing(argc, argv, ctx, &cmd_callees_entry, CALL_CALLEES);
}

const struct cmd_entry cmd_callees_entry = { "callees", cmd_callees, callees_usage, "what each function calls, like pstats print_callees()" };
