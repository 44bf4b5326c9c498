#include "cmd.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../analysis/xalloc.h"
#include "../formats/prof_write.h"
#include "../formats/profile_json.h"
#include "../formats/tree_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char export_usage[] =
	"usage: profview export [PROFILE] [--to pstats|folded|speedscope|json] [--unit ns|us|ms] [-o FILE]\n"
	"\n"
	"Write a stored profile in another format. Without -o (or with -o -) it goes to\n"
	"standard output; with -o a regular file appears whole or not at all, while a\n"
	"device, FIFO or symlink is written through (docs/output-files.md).\n"
	"\n"
	"  --to pstats       a .prof file that Python's pstats.Stats loads. cProfile data is\n"
	"                    written back as read; sampled data as ncalls = samples, tottime\n"
	"                    and cumtime = self and total weight (converted to seconds for\n"
	"                    time units; sample counts are written as they are)\n"
	"  --to folded       'frame;frame COUNT' lines (flamegraph.pl, inferno, speedscope),\n"
	"                    COUNT a whole number of the unit stated on stderr\n"
	"  --to speedscope   speedscope JSON, one sampled profile (opens in speedscope.app)\n"
	"  --to json         everything profview holds: functions, edges and the call tree\n"
	"  --unit ns|us|ms   folded only: the unit of time the counts are in. Default:\n"
	"                    microseconds for seconds (cProfile data), the profile's own\n"
	"                    unit when it is nanoseconds, or whole micro/milliseconds;\n"
	"                    samples, bytes and unit-less weights are written as they are\n"
	"                    (--unit samples or bytes may name them; no time unit fits)\n"
	"  -o, --output FILE where to write. Without --to the name says the format:\n"
	"                    .prof or .pstats, .folded or .collapsed, .speedscope.json\n"
	"                    (a plain .json could be either JSON: give --to)\n"
	"\n"
	"Folded counts are whole numbers, rounded so that nothing is lost: each\n"
	"function's rounding remainder is carried to its next stack, so its total is\n"
	"within half a unit of its real self weight; stacks below one unit are left\n"
	"out only with their weight carried on. A profile with nothing to write (every\n"
	"stack weighs 0, or under one unit for folded) is refused for pstats and folded,\n"
	"which no consumer could read; its speedscope and JSON exports are empty.\n"
	"\n"
	"cProfile data has no stacks: for folded and speedscope profview estimates a call\n"
	"tree from the caller->callee edges, splitting a function's time between its\n"
	"callers in proportion (as snakeviz does), and says so. The tree's size is\n"
	"bounded, linear in the profile: when the bound leaves light boxes out, a note\n"
	"says how many and how much time (speedscope: in the profile's name), and each\n"
	"function's time stays whole in its other boxes (docs/estimated-tree.md).\n"
	"\n"
	"Examples:\n"
	"  profview export py-spy.txt -o py-spy.prof\n"
	"  profview export 3 -o app.speedscope.json\n"
	"  profview export out.prof --to folded | flamegraph.pl --countname us > flame.svg\n"
	"  profview export out.prof --unit ns -o out.folded\n";

enum { OPT_TO = 1, OPT_OUTPUT, OPT_UNIT };
enum export_kind { TO_PSTATS, TO_FOLDED, TO_SPEEDSCOPE, TO_JSON };

/* Says what the folded counts are, and what rounding did to them. */
static void export_folded_note(const struct folded_counts *c, const struct folded_stats *st)
{
	const char *u = unit_short(c->unit);
	if (strcmp(c->unit, "none") == 0)
		fputs("note: folded counts are whole numbers of the profile's weights (it has no unit)", stderr);
	else if (strcmp(c->unit, u) != 0)
		fprintf(stderr, "note: folded counts are whole %s (%s)", c->unit, u);
	else
		fprintf(stderr, "note: folded counts are whole %s", c->unit);
	if (!st->rounded) {
		fputs(", exact\n", stderr);
		return;
	}
	fprintf(stderr, ": %zu of %zu stacks rounded, each function's remainder carried to its next stack", st->rounded,
		st->lines + st->carried);
	if (st->carried)
		fprintf(stderr, " (%zu under 1 %s left out, their weight carried)", st->carried, u);
	fprintf(stderr, "; total %.0f %s of %.3f\n", st->written, u, st->exact);
}

/* The --to an -o name says when --to is not given, or -1: .prof or .pstats,
 * .folded or .collapsed, .speedscope.json (speedscope's own name for its files).
 * A plain .json could be either JSON, so it says nothing. */
static int export_to_for_name(const char *path)
{
	if (cmd_output_name_ends(path, ".prof") || cmd_output_name_ends(path, ".pstats"))
		return TO_PSTATS;
	if (cmd_output_name_ends(path, ".folded") || cmd_output_name_ends(path, ".collapsed"))
		return TO_FOLDED;
	if (cmd_output_name_ends(path, ".speedscope.json"))
		return TO_SPEEDSCOPE;
	return -1;
}

static int cmd_export(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "unit", required_argument, NULL, OPT_UNIT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { "pstats", "folded", "speedscope", "json" };
	int to = -1, rc = EXIT_ERROR, opt;
	const char *output = NULL, *profile_arg = NULL, *unit = NULL;
	struct pv_error err;
	struct store *store = NULL;
	struct profile *p = NULL, *est = NULL;
	struct cmd_output o = CMD_OUTPUT_INIT;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_export_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		if (opt == OPT_TO) {
			for (int i = 0; i < 4; i++)
				if (strcmp(optarg, names[i]) == 0)
					to = i;
			if (to < 0)
				return cmd_usage_error(&cmd_export_entry,
						       "unknown --to '%s' (pstats, folded, speedscope or json)", optarg);
		} else if (opt == OPT_UNIT) {
			unit = unit_parse(optarg);
			if (!unit)
				return cmd_usage_error(&cmd_export_entry, "unknown --unit '%s' (ns, us or ms)", optarg);
		} else if (opt == OPT_OUTPUT || opt == 'o') {
			output = optarg;
		} else {
			return cmd_usage_error(&cmd_export_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (output && strcmp(output, "-") == 0)
		output = NULL;
	if (to < 0 && output)
		to = export_to_for_name(output);
	if (to < 0 && cmd_output_name_ends(output, ".json"))
		return cmd_usage_error(&cmd_export_entry,
				       "--to is required: '%s' could be --to speedscope or --to json", output);
	if (to < 0)
		return cmd_usage_error(&cmd_export_entry, "--to is required (pstats, folded, speedscope or json), "
							  "or an -o name ending .prof, .folded or .speedscope.json");
	if (unit && to != TO_FOLDED)
		return cmd_usage_error(&cmd_export_entry, "--unit is for --to folded (the other formats keep full precision)");
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_export_entry, "more than one PROFILE given ('%s')", argv[optind + 1]);
	if (optind < argc)
		profile_arg = argv[optind];
	if (!output && to == TO_PSTATS && isatty(1))
		return cmd_usage_error(&cmd_export_entry, "a .prof file is binary: give -o FILE or redirect the output");

	if (cmd_open_store(ctx, &store, &err) || cmd_load_profile(ctx, store, profile_arg, 0, &p, &err))
		goto fail;
	const struct profile *src = p;
	struct estimate_cut cut = { 0, 0, 0, 0 };
	char cut_text[256] = "";
	if ((to == TO_FOLDED || to == TO_SPEEDSCOPE) && p->kind == PV_KIND_CALLS) {
		struct estimate_options eo = { 0, 1 };
		est = profile_estimate_tree_marked(p, &eo, NULL, &cut);
		src = est;
		if (cut.boxes)
			estimate_cut_describe(&cut, profile_unit(p), cut_text, sizeof(cut_text));
		if (!ctx->quiet)
			fprintf(stderr, "note: cProfile data has no stacks; the call tree is estimated from caller->callee "
					"edges (time split in proportion where a function has several callers)\n");
		cmd_note_estimate_cut(ctx, &cut, profile_unit(p));
	}
	struct folded_counts counts = { NULL, 1.0 };
	if (to == TO_FOLDED && folded_counts_choose(src, unit, &counts, &err))
		goto fail;
	/* pstats.Stats() refuses a file without entries ("Cannot create or
	 * construct a Stats object"): say so rather than write one */
	if (to == TO_PSTATS && p->nstats == 0) {
		pv_error_subject(&err, profile_arg ? profile_arg : "latest");
		pv_error_set(&err, "nothing to export: the profile has no functions (every sample weighed 0), and "
				   "pstats cannot load a profile without any");
		goto fail;
	}
	if (cmd_output_open(&o, output, &err))
		goto fail;
	FILE *out = o.f;
	if (to == TO_PSTATS) {
		double scale = 1.0;
		if (p->kind != PV_KIND_CALLS) {
			scale = unit_seconds(profile_unit(p));
			if (scale == 0) {
				scale = 1.0;
				if (!ctx->quiet)
					fprintf(stderr, "note: the weights are %s, not time; pstats will show them as seconds\n",
						profile_unit(p));
			}
		}
		struct strbuf sb = STRBUF_INIT;
		prof_write(&sb, p, scale);
		fwrite(sb.buf, 1, sb.len, out);
		strbuf_release(&sb);
	} else if (to == TO_FOLDED) {
		struct folded_stats st;
		folded_write(out, src, &counts, &st);
		/* no line at all: an empty file, which no reader takes (flamegraph.pl
		 * says "No stack counts found", import "empty file") */
		if (!st.lines) {
			pv_error_subject(&err, profile_arg ? profile_arg : "latest");
			if (st.exact > 0)
				pv_error_set(&err, "nothing to export: every stack is under 1 %s (%g in all); give a "
						   "smaller --unit",
					     unit_short(counts.unit), st.exact);
			else
				pv_error_set(&err, "nothing to export: every stack weighs 0, and folded text holds only "
						   "stacks with a count");
			goto fail;
		}
		if (!ctx->quiet)
			export_folded_note(&counts, &st);
		if (st.renamed)
			fprintf(stderr, "warning: %zu function names held ';' or line breaks, which folded text cannot; "
					"written as ',' and ' '\n",
				st.renamed);
		if (st.ambiguous)
			fprintf(stderr, "warning: %zu functions will read back as others: their names and files hold "
					"parentheses that 'name (file:line)' cannot tell apart\n",
				st.ambiguous);
	} else if (to == TO_SPEEDSCOPE) {
		if (speedscope_write(out, src, PROFVIEW_VERSION, cut.boxes ? cut_text : NULL, &err)) {
			pv_error_subject(&err, profile_arg ? profile_arg : "latest");
			goto fail;
		}
	} else {
		struct store_meta m;
		if (store_get_meta(store, p->id, &m, &err))
			goto fail;
		profile_write_json(out, p, &m);
		store_meta_release(&m);
	}
	if (cmd_output_commit(&o, &err))
		goto fail;
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	cmd_output_abort(&o);
	profile_free(p);
	profile_free(est);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_export_entry = { "export", cmd_export, export_usage,
					    "write a stored profile as .prof, folded, speedscope or JSON" };
