/* The options `sort`, `callers` and `callees` share (pstats' sort_stats,
 * strip_dirs, reverse_order and print restrictions) and their one PROFILE. */
#ifndef PV_CMD_STAT_OPTIONS_H
#define PV_CMD_STAT_OPTIONS_H

#include "cmd.h"
#include "../analysis/stat_table.h"

struct cmd_stat_options {
	struct stat_query q;
	struct restriction *rs;	/* q.restrictions; owned */
	const char *format;	/* text, json or csv */
	const char *profile;	/* the PROFILE argument, NULL for latest */
};

/* Parses argv. Returns -1 to go on, else the exit code to return at once (after
 * --help or a usage error, already printed). formats: the allowed --format
 * values, e.g. "text,json,csv". */
int cmd_stat_options_parse(int argc, char **argv, const struct cmd_entry *e, struct cmd_ctx *ctx,
			   const char *formats, struct cmd_stat_options *o);
void cmd_stat_options_release(struct cmd_stat_options *o);

/* The common option help lines, for the commands' usage texts. */
#define CMD_STAT_OPTIONS_HELP                                                                          \
	"  --by KEYS         pstats sort keys, comma-separated: calls ncalls cumtime cumulative\n"      \
	"                    filename file module line name nfl pcalls stdname time tottime, or\n"    \
	"                    their unique prefixes (pstats refuses 'cum'; 'cu' works). Without\n"     \
	"                    --by the file order is kept, as pstats does without sort_stats().\n"    \
	"  --limit N         keep the first N functions        (print_*(N))\n"                        \
	"  --fraction F      keep that fraction, 0 <= F < 1    (print_*(F))\n"                        \
	"  --match REGEX     keep names matching REGEX         (print_*('REGEX'))\n"                  \
	"                    --limit, --fraction and --match apply in the order given.\n"            \
	"  --strip-dirs      drop directories from file names, merging what then coincides\n"        \
	"  --reverse         reverse the sorted order          (reverse_order())\n"

#endif
