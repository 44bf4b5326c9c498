#include "cmd.h"
#include "../analysis/icicle.h"
#include "../analysis/xalloc.h"
#include "../formats/icicle_write.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char icicle_usage[] =
	"usage: profview icicle [PROFILE] -o FILE.html [--diff BASE [--normalize]] [--title TEXT]\n"
	"                       [--max-nodes N] [--strip-dirs]\n"
	"\n"
	"Write an icicle chart of the profile's call tree as one self-contained HTML file:\n"
	"no network, the data inside; it opens from disk in any modern browser. Click a\n"
	"box to zoom, hover for numbers, search by regex, flip to a flame graph, sort\n"
	"children left-heavy; keys: arrows, Enter, Esc, r, /, f, h.\n"
	"\n"
	"  -o, --output FILE   where to write (standard output when not a terminal); the\n"
	"                      page is HTML whatever the name, and a picture's name (.svg,\n"
	"                      .png, .pdf, ...) is refused\n"
	"  --diff BASE         a differential chart: widths are PROFILE, colours the change\n"
	"                      against BASE (red grew, blue shrank)\n"
	"  --normalize         scale BASE to PROFILE's total first (implied when units differ)\n"
	"  --title TEXT        the page title (default: the profile's name or file)\n"
	"  --max-nodes N       keep the N heaviest boxes, folding the rest into their parent\n"
	"                      (default 2000000; the page says how many were folded)\n"
	"  --strip-dirs        show files by base name\n"
	"\n"
	"cProfile data has no stacks: the tree is built from the caller->callee edges (as\n"
	"snakeviz does). Where a function has several callers its time under one path is\n"
	"split in proportion; those boxes are hatched, and the page's legend says so.\n"
	"The tree is bounded, linear in the profile: the heaviest boxes are made first,\n"
	"and what the bound leaves out is said (legend, stderr; docs/estimated-tree.md).\n"
	"\n"
	"Examples:\n"
	"  profview icicle out.prof -o out.html\n"
	"  profview icicle py-spy.txt -o flame.html --title 'worker, 60 s'\n"
	"  profview icicle after.prof --diff before.prof -o change.html\n";

enum { OPT_OUTPUT = 1, OPT_DIFF, OPT_NORMALIZE, OPT_TITLE, OPT_MAX_NODES, OPT_STRIP };

/* Whether an -o name promises a picture, which the HTML page is not. */
static int icicle_name_is_picture(const char *path)
{
	static const char *const pictures[] = { ".svg", ".svgz", ".png", ".pdf", ".jpg", ".jpeg", ".gif", ".webp" };
	for (size_t i = 0; i < sizeof(pictures) / sizeof(pictures[0]); i++)
		if (cmd_output_name_ends(path, pictures[i]))
			return 1;
	return 0;
}

static int cmd_icicle(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "diff", required_argument, NULL, OPT_DIFF },
		{ "normalize", no_argument, NULL, OPT_NORMALIZE },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "max-nodes", required_argument, NULL, OPT_MAX_NODES },
		{ "strip-dirs", no_argument, NULL, OPT_STRIP },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *base_arg = NULL, *title = NULL, *profile_arg = NULL;
	int normalize = 0, strip = 0, rc = EXIT_ERROR, opt;
	long long max_nodes = 2000000;
	struct pv_error err;
	struct store *store = NULL;
	struct profile *p = NULL, *base = NULL;
	struct icicle ic;
	struct cmd_output o = CMD_OUTPUT_INIT;
	char *title_buf = NULL;
	memset(&ic, 0, sizeof(ic));
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_icicle_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		switch (opt) {
		case 'o':
		case OPT_OUTPUT:
			output = optarg;
			break;
		case OPT_DIFF:
			base_arg = optarg;
			break;
		case OPT_NORMALIZE:
			normalize = 1;
			break;
		case OPT_TITLE:
			title = optarg;
			break;
		case OPT_MAX_NODES:
			if (cmd_parse_int("--max-nodes", optarg, &max_nodes, &err))
				return cmd_fail(&err);
			if (max_nodes < 2)
				return cmd_usage_error(&cmd_icicle_entry, "--max-nodes must be 2 or more");
			break;
		case OPT_STRIP:
			strip = 1;
			break;
		default:
			return cmd_usage_error(&cmd_icicle_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_icicle_entry, "more than one PROFILE given ('%s')", argv[optind + 1]);
	if (optind < argc)
		profile_arg = argv[optind];
	if ((!output || !strcmp(output, "-")) && isatty(1))
		return cmd_usage_error(&cmd_icicle_entry, "the chart is an HTML file: give -o FILE.html or redirect the output");
	if (normalize && !base_arg)
		return cmd_usage_error(&cmd_icicle_entry, "--normalize needs --diff BASE");
	if (icicle_name_is_picture(output))
		return cmd_usage_error(&cmd_icicle_entry,
				       "the chart is an HTML page, not a picture: name it .html ('%s'); for a picture, "
				       "callgraph -o FILE.svg or export --to folded | flamegraph.pl", output);

	if (cmd_open_store(ctx, &store, &err) || cmd_load_profile(ctx, store, profile_arg, strip, &p, &err))
		goto fail;
	if (base_arg && cmd_load_profile(ctx, store, base_arg, strip, &base, &err))
		goto fail;
	struct icicle_options io = { (size_t)max_nodes, NULL };
	icicle_build(&ic, p, &io);
	if (base)
		icicle_diff(&ic, base, normalize);
	if (!title) {
		const char *a = profile_label(p);
		if (base) {
			const char *b = profile_label(base);
			title_buf = xmalloc(strlen(a) + strlen(b) + 8);
			sprintf(title_buf, "%s vs %s", a, b);
			title = title_buf;
		} else {
			title = a;
		}
	}
	struct icicle_page pg = { p, title, base ? profile_label(base) : NULL };
	if (cmd_output_open(&o, output, &err) || icicle_write_html(o.f, &ic, &pg, &err) ||
	    cmd_output_commit(&o, &err))
		goto fail;
	if (!ctx->quiet) {
		if (ic.estimated)
			fprintf(stderr, "note: cProfile data has no stacks; the tree is estimated from caller->callee edges "
					"(hatched boxes are proportional splits)\n");
		cmd_note_estimate_cut(ctx, &ic.est_cut, profile_unit(p));
		if (ic.cut_nodes)
			fprintf(stderr, "note: %zu of %zu boxes were folded into their parents (--max-nodes %lld)\n",
				ic.cut_nodes, ic.cut_nodes + ic.n, max_nodes);
		if (ic.diff_normalized && !normalize)
			fprintf(stderr, "note: the profiles' units differ; BASE was scaled to PROFILE's total\n");
	}
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	cmd_output_abort(&o);
	icicle_release(&ic);
	profile_free(p);
	profile_free(base);
	free(title_buf);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_icicle_entry = { "icicle", cmd_icicle, icicle_usage,
					    "write an icicle / flame chart as one self-contained HTML file" };
