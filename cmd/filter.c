#include "cmd.h"
#include "../analysis/filter.h"
#include "../analysis/sha256.h"
#include "../analysis/stat_table.h"
#include "../analysis/xalloc.h"
#include "../formats/stat_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char filter_usage[] =
	"usage: profview filter [PROFILE] [--focus REGEX]... [--ignore REGEX]... [--hide REGEX]...\n"
	"                       [--root REGEX] [--prune-below PCT] [--save NAME]\n"
	"                       [--by KEY] [--limit N] [--format text|json|csv]\n"
	"\n"
	"Derive a profile, as pprof's options of the same names do, applied in this order:\n"
	"  --focus REGEX     keep only stacks through a matching frame (repeat: any)\n"
	"  --ignore REGEX    drop stacks through a matching frame (repeat: any)\n"
	"  --root REGEX      start each stack at its outermost matching frame; drop the rest\n"
	"  --hide REGEX      remove matching frames; their weight and children join the parent\n"
	"  --prune-below PCT cut subtrees under PCT % of the total (their weight stays with\n"
	"                    the parent)\n"
	"A REGEX is searched in the name as sort shows it: file:line(name) for cProfile data,\n"
	"name (file:line) for sampled data.\n"
	"\n"
	"cProfile data has no stacks: --hide and --prune-below are exact there (the\n"
	"functions and their edges go, the rest is untouched); --focus, --ignore and --root\n"
	"work on the estimated call tree and give estimates (a note says so).\n"
	"\n"
	"  --save NAME       store the result under NAME and print its id; without it, print\n"
	"                    the result's sort table\n"
	"  --by KEY          sort key for the table (as for sort)\n"
	"  --limit N         rows of the table\n"
	"  --format FMT      text (default), json or csv\n"
	"  --db PATH         the store to use\n"
	"\n"
	"Examples:\n"
	"  profview filter out.prof --hide '^<frozen|\\{built-in'\n"
	"  profview filter pyspy.folded --focus handle_request --ignore logging --save handler\n"
	"  profview filter out.prof --prune-below 0.5 --by cumulative --limit 30\n";

enum { OPT_FOCUS = 1, OPT_IGNORE, OPT_HIDE, OPT_ROOT, OPT_PRUNE, OPT_SAVE, OPT_BY, OPT_LIMIT, OPT_FORMAT };

/* The derivation names its input and options: the same filter is found again. */
static void filter_hash(const struct profile *p, char **argv, int argc, char hex[65])
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, "profview filter\n", 16);
	const char *ch = p->content_hash ? p->content_hash : "";
	sha256_update(&h, ch, strlen(ch));
	char part[32];
	snprintf(part, sizeof(part), ":%d\n", p->part);
	sha256_update(&h, part, strlen(part));
	for (int i = 0; i < argc; i++) {
		sha256_update(&h, argv[i], strlen(argv[i]) + 1);
	}
	sha256_final_hex(&h, hex);
}

static int cmd_filter(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "focus", required_argument, NULL, OPT_FOCUS },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "hide", required_argument, NULL, OPT_HIDE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "prune-below", required_argument, NULL, OPT_PRUNE },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "by", required_argument, NULL, OPT_BY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char **focus = xcalloc((size_t)argc + 1, sizeof(char *)), **ignore = xcalloc((size_t)argc + 1, sizeof(char *)),
		   **hide = xcalloc((size_t)argc + 1, sizeof(char *));
	/* the options that shape the result, in a fixed order, for its hash */
	char **shape = xcalloc((size_t)argc * 2 + 1, sizeof(char *));
	int nshape = 0;
	struct filter_options o = { .focus = focus, .ignore = ignore, .hide = hide, .prune_below = -1 };
	const char *save = NULL, *format = "text";
	struct stat_query q = { 0 };
	struct restriction limit = { .kind = RESTRICT_COUNT };
	int have_limit = 0, have_table = 0, rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	struct profile *p = NULL, *r = NULL;
	struct stat_table table;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_filter_entry, ctx);
		if (common < 0) {
			rc = EXIT_OK;
			goto cleanup;
		}
		if (common)
			continue;
		long long n;
		switch (opt) {
		case OPT_FOCUS:
			focus[o.nfocus++] = optarg;
			break;
		case OPT_IGNORE:
			ignore[o.nignore++] = optarg;
			break;
		case OPT_HIDE:
			hide[o.nhide++] = optarg;
			break;
		case OPT_ROOT:
			if (o.root) {
				rc = cmd_usage_error(&cmd_filter_entry, "--root given twice");
				goto cleanup;
			}
			o.root = optarg;
			break;
		case OPT_PRUNE:
			if (cmd_parse_float("--prune-below", optarg, &o.prune_below, &err))
				goto fail;
			if (!(o.prune_below >= 0 && o.prune_below <= 100)) {
				rc = cmd_usage_error(&cmd_filter_entry, "--prune-below takes a percentage from 0 to 100");
				goto cleanup;
			}
			break;
		case OPT_SAVE:
			save = optarg;
			if (!store_name_is_valid(save)) {
				rc = cmd_usage_error(&cmd_filter_entry,
						     "--save '%s' would read as an id or 'latest'; choose another", save);
				goto cleanup;
			}
			break;
		case OPT_BY:
			q.by = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_int("--limit", optarg, &n, &err))
				goto fail;
			limit.count = n;
			have_limit = 1;
			break;
		case OPT_FORMAT:
			format = optarg;
			if (!cmd_format_allowed("text,json,csv", format)) {
				rc = cmd_usage_error(&cmd_filter_entry, "unknown --format '%s' (text, json or csv)", format);
				goto cleanup;
			}
			break;
		default:
			rc = cmd_usage_error(&cmd_filter_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
		if (opt <= OPT_PRUNE) {
			shape[nshape++] = (char *)opts[opt - 1].name;
			shape[nshape++] = optarg;
		}
	}
	if (argc - optind > 1) {
		rc = cmd_usage_error(&cmd_filter_entry, "more than one PROFILE given ('%s')", argv[optind + 1]);
		goto cleanup;
	}
	if (!o.nfocus && !o.nignore && !o.nhide && !o.root && o.prune_below < 0) {
		rc = cmd_usage_error(&cmd_filter_entry,
				     "nothing to do: give --focus, --ignore, --hide, --root or --prune-below");
		goto cleanup;
	}
	struct cmd_profile_ref ref;
	if (cmd_open_store(ctx, &store, &err) ||
	    cmd_resolve_profile(ctx, store, optind < argc ? argv[optind] : NULL, NULL, &ref, &err) ||
	    store_load_profile(store, ref.id, &p, &err))
		goto fail;
	int estimated;
	r = profile_filter(p, &o, &estimated, &err);
	if (!r)
		goto fail;
	if (estimated && !ctx->quiet)
		fprintf(stderr, "note: cProfile data has no stacks; --focus, --ignore and --root worked on the estimated "
				"call tree, so the result's numbers are estimates\n");
	char hex[65];
	filter_hash(p, shape, nshape, hex);
	r->content_hash = arena_strdup(&r->arena, hex);
	if (save) {
		int64_t id;
		if (cmd_save_named(store, r, save, &id, &err))
			goto fail;
		printf("%lld\n", (long long)id);
		rc = EXIT_OK;
		goto cleanup;
	}
	q.restrictions = &limit;
	q.nrestrictions = have_limit ? 1 : 0;
	if (stat_table_from_profile(r, &q, &table, &err))
		goto fail;
	have_table = 1;
	if (ref.display_source) {
		table.source = ref.display_source;
		table.source_mtime = ref.display_mtime;
	}
	stat_write_as(stdout, &table, format);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	if (have_table)
		stat_table_release(&table);
	profile_free(p);
	profile_free(r);
	store_close(store);
	free(focus);
	free(ignore);
	free(hide);
	free(shape);
	return rc;
}

const struct cmd_entry cmd_filter_entry = { "filter", cmd_filter, filter_usage,
					    "derive a profile: focus, ignore, hide, root, prune (pprof-style)" };
