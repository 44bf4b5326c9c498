#include "cmd.h"
#include "../analysis/callgraph.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"
#include "../formats/dot_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char callgraph_usage[] =
	"usage: profview callgraph [PROFILE] [-T FORMAT] [-o FILE] [-n PCT] [-e PCT]\n"
	"                          [--root REGEX]... [--leaf REGEX]... [--depth N] [--strip-dirs]\n"
	"                          [-c COLORMAP] [--color-by total|self] [--skew F]\n"
	"                          [--diff BASE [--normalize]] [--title TEXT]\n"
	"\n"
	"Draw the call graph the way gprof2dot does: a box per function labelled with\n"
	"its name, total %, (self %) and calls, an arrow per caller->callee with its total\n"
	"% and calls, colour and size growing with the share of the run.\n"
	"\n"
	"  -T, --format FORMAT    dot (default: DOT text, for `| dot -Tsvg`), or any format\n"
	"                         Graphviz renders in-process: svg, png, pdf, ...\n"
	"  -o, --output FILE      where to write (default standard output). Without -T the\n"
	"                         name says the format: .svg, .png, .pdf, .ps, .eps, .gif,\n"
	"                         .jpg, .webp, .json, ... as Graphviz names them; .dot, .gv\n"
	"                         and any other name are DOT\n"
	"  -n, --node-thres PCT   drop functions whose total is below PCT % (default 0.5)\n"
	"  -e, --edge-thres PCT   drop calls whose total is below PCT % (default 0.1)\n"
	"  --root REGEX           keep only what functions matching REGEX call, directly or\n"
	"                         not (repeatable; matched on file:line(name))\n"
	"  --leaf REGEX           keep only what calls functions matching REGEX\n"
	"  --depth N              at most N calls from a root (--root, or the functions\n"
	"                         nothing calls), or to a leaf with --leaf\n"
	"  --strip-dirs           show files by base name (and merge functions that then\n"
	"                         coincide, as pstats does)\n"
	"  -c, --colormap NAME    color (default), pink, gray, bw or print\n"
	"  --color-by total|self  colour and size boxes by total (default) or self share\n"
	"  --skew F               below 1 spreads the colours of small shares, above 1 of\n"
	"                         large ones (default 1)\n"
	"  --diff BASE            colour boxes by change against BASE: red slower, blue\n"
	"                         faster; labels say by how much\n"
	"  --normalize            with --diff: compare shares of each run (implied when\n"
	"                         the units differ)\n"
	"  --title TEXT           first line of the graph's note\n"
	"\n"
	"Pruning happens in this order: node threshold, edge threshold, --root, --leaf,\n"
	"--depth; the graph's note says what each step removed. cProfile data uses its\n"
	"exact cumulative times; sampled data counts a function (and a call) once per\n"
	"stack, so recursion and cycles are never counted twice.\n"
	"\n"
	"Examples:\n"
	"  profview callgraph out.prof | dot -Tsvg > graph.svg\n"
	"  profview callgraph out.prof -o graph.svg --root 'handle_request' -n 1\n"
	"  profview callgraph after.prof --diff before.prof -T svg -o change.svg\n";

enum { OPT_NODE = 1, OPT_EDGE, OPT_ROOT, OPT_LEAF, OPT_DEPTH, OPT_STRIP, OPT_SKEW, OPT_COLORMAP, OPT_COLOR_BY,
       OPT_DIFF, OPT_NORMALIZE, OPT_TITLE, OPT_FORMAT, OPT_OUTPUT };

static int callgraph_pct(const char *opt, const char *s, double *v, struct pv_error *err)
{
	if (cmd_parse_float(opt, s, v, err))
		return -1;
	if (!(*v >= 0 && *v <= 100))
		return pv_error_usage(err, "%s takes a percentage from 0 to 100", opt);
	return 0;
}

/* The -T an -o name asks for when -T is not given: the Graphviz formats files
 * are named after (.dot and .gv are DOT text); NULL for any other name, which
 * keeps the default, DOT. */
static const char *callgraph_format_for_name(const char *path)
{
	static const char *const formats[] = { "svg", "svgz", "png", "pdf", "ps",   "eps",  "gif", "jpg", "jpeg",
					       "bmp", "tif",  "tiff", "webp", "json", "xdot", "dot", "gv" };
	char ext[16];
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(ext, sizeof(ext), ".%s", formats[i]);
		if (cmd_output_name_ends(path, ext))
			return formats[i];
	}
	return NULL;
}

static int cmd_callgraph(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "node-thres", required_argument, NULL, OPT_NODE },
		{ "edge-thres", required_argument, NULL, OPT_EDGE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "leaf", required_argument, NULL, OPT_LEAF },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "strip-dirs", no_argument, NULL, OPT_STRIP },
		{ "skew", required_argument, NULL, OPT_SKEW },
		{ "colormap", required_argument, NULL, OPT_COLORMAP },
		{ "color-by", required_argument, NULL, OPT_COLOR_BY },
		{ "diff", required_argument, NULL, OPT_DIFF },
		{ "normalize", no_argument, NULL, OPT_NORMALIZE },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char **roots = xcalloc((size_t)argc + 1, sizeof(char *)), **leaves = xcalloc((size_t)argc + 1, sizeof(char *));
	struct callgraph_options o = { 0.005, 0.001, roots, 0, leaves, 0, -1, NULL };
	struct dot_style st = { DOT_COLOR, 1.0, 0, NULL, NULL };
	const char *format = NULL, *output = NULL, *base_arg = NULL, *profile_arg = NULL;
	int strip = 0, normalize = 0, rc = EXIT_ERROR, opt;
	double pct;
	long long depth;
	struct pv_error err;
	struct store *store = NULL;
	struct profile *p = NULL, *base = NULL;
	struct callgraph g;
	struct cmd_output out = CMD_OUTPUT_INIT;
	struct strbuf pruning = STRBUF_INIT;
	memset(&g, 0, sizeof(g));
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "T:o:n:e:c:", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_callgraph_entry, ctx);
		if (common < 0) {
			rc = EXIT_OK;
			goto cleanup;
		}
		if (common)
			continue;
		switch (opt) {
		case 'n':
		case OPT_NODE:
			if (callgraph_pct("--node-thres", optarg, &pct, &err))
				goto fail;
			o.node_thres = pct / 100;
			break;
		case 'e':
		case OPT_EDGE:
			if (callgraph_pct("--edge-thres", optarg, &pct, &err))
				goto fail;
			o.edge_thres = pct / 100;
			break;
		case OPT_ROOT:
			roots[o.nroots++] = optarg;
			break;
		case OPT_LEAF:
			leaves[o.nleaves++] = optarg;
			break;
		case OPT_DEPTH:
			if (cmd_parse_int("--depth", optarg, &depth, &err))
				goto fail;
			if (depth < 0 || depth > 1000000) {
				rc = cmd_usage_error(&cmd_callgraph_entry, "--depth must be from 0 to 1000000");
				goto cleanup;
			}
			o.depth = (long)depth;
			break;
		case OPT_STRIP:
			strip = 1;
			break;
		case OPT_SKEW:
			if (cmd_parse_float("--skew", optarg, &st.skew, &err))
				goto fail;
			if (!(st.skew > 0) || isinf(st.skew)) {
				rc = cmd_usage_error(&cmd_callgraph_entry, "--skew must be above 0");
				goto cleanup;
			}
			break;
		case 'c':
		case OPT_COLORMAP: {
			int c = dot_colormap_parse(optarg);
			if (c < 0) {
				rc = cmd_usage_error(&cmd_callgraph_entry,
						     "unknown --colormap '%s' (color, pink, gray, bw or print)", optarg);
				goto cleanup;
			}
			st.colormap = (enum dot_colormap)c;
			break;
		}
		case OPT_COLOR_BY:
			if (strcmp(optarg, "self") && strcmp(optarg, "total")) {
				rc = cmd_usage_error(&cmd_callgraph_entry, "--color-by takes total or self, not '%s'", optarg);
				goto cleanup;
			}
			st.color_by_self = !strcmp(optarg, "self");
			break;
		case OPT_DIFF:
			base_arg = optarg;
			break;
		case OPT_NORMALIZE:
			normalize = 1;
			break;
		case OPT_TITLE:
			st.title = optarg;
			break;
		case 'T':
		case OPT_FORMAT:
			format = optarg;
			break;
		case 'o':
		case OPT_OUTPUT:
			output = optarg;
			break;
		default:
			rc = cmd_usage_error(&cmd_callgraph_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind > 1) {
		rc = cmd_usage_error(&cmd_callgraph_entry, "more than one PROFILE given ('%s')", argv[optind + 1]);
		goto cleanup;
	}
	if (optind < argc)
		profile_arg = argv[optind];
	if (normalize && !base_arg) {
		rc = cmd_usage_error(&cmd_callgraph_entry, "--normalize needs --diff BASE");
		goto cleanup;
	}
	if (!format && output && strcmp(output, "-"))
		format = callgraph_format_for_name(output);
	if (!format)
		format = "dot";
	if (!*format || strspn(format, "abcdefghijklmnopqrstuvwxyz0123456789:_-") != strlen(format)) {
		rc = cmd_usage_error(&cmd_callgraph_entry, "bad -T format '%s'", format);
		goto cleanup;
	}
	int binary = strcmp(format, "dot") && strcmp(format, "gv") && strcmp(format, "svg") &&
		     strncmp(format, "plain", 5) && strcmp(format, "xdot") && strcmp(format, "json");
	if (binary && (!output || !strcmp(output, "-")) && isatty(1)) {
		rc = cmd_usage_error(&cmd_callgraph_entry, "-T %s is binary: give -o FILE or redirect the output", format);
		goto cleanup;
	}

	strbuf_addf(&pruning, "--node-thres %g%% --edge-thres %g%%", o.node_thres * 100, o.edge_thres * 100);
	for (size_t k = 0; k < o.nroots; k++)
		strbuf_addf(&pruning, " --root '%s'", roots[k]);
	for (size_t k = 0; k < o.nleaves; k++)
		strbuf_addf(&pruning, " --leaf '%s'", leaves[k]);
	if (o.depth >= 0)
		strbuf_addf(&pruning, " --depth %ld", o.depth);
	if (strip)
		strbuf_adds(&pruning, " --strip-dirs");
	st.pruning = strbuf_str(&pruning);

	if (cmd_open_store(ctx, &store, &err) || cmd_load_profile(ctx, store, profile_arg, strip, &p, &err))
		goto fail;
	if (base_arg && cmd_load_profile(ctx, store, base_arg, strip, &base, &err))
		goto fail;
	if (callgraph_build(&g, p, &o, &err))
		goto fail;
	if (base)
		callgraph_diff(&g, base, normalize);
	if (cmd_output_open(&out, output, &err) || dot_write(out.f, &g, &st, format, NULL, &err) ||
	    cmd_output_commit(&out, &err))
		goto fail;
	if (!ctx->quiet && base && g.diff_normalized && !normalize)
		fprintf(stderr, "note: the profiles' units differ; BASE was scaled to PROFILE's total\n");
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	cmd_output_abort(&out);
	callgraph_release(&g);
	profile_free(p);
	profile_free(base);
	store_close(store);
	strbuf_release(&pruning);
	free(roots);
	free(leaves);
	return rc;
}

const struct cmd_entry cmd_callgraph_entry = { "callgraph", cmd_callgraph, callgraph_usage,
					       "draw the call graph (DOT, or SVG/PNG/PDF through Graphviz)" };
