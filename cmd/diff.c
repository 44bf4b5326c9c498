#include "cmd.h"
#include "../analysis/diff.h"
#include "../analysis/xalloc.h"
#include "../formats/diff_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char diff_usage[] =
	"usage: profview diff BASE NEW [--by KEY] [--limit N] [--match REGEX]... [--strip-dirs]\n"
	"                     [--ignore-lines] [--match-names] [--normalize]\n"
	"                     [--fail-if-slower PCT [--function NAME]] [--format text|json|csv]\n"
	"\n"
	"Compare two profiles function by function: before, after, delta and % change of\n"
	"tottime (self), cumtime (total) and calls, and the totals. BASE and NEW are files\n"
	"(imported on the fly), stored ids, names or 'latest'; they may be of different\n"
	"formats (a .prof against folded stacks of the same program).\n"
	"\n"
	"Functions match on (file, line, name); then, among the unmatched, on (file, name)\n"
	"when that is unique on both sides (a function that moved); the rest are listed as\n"
	"added or removed.\n"
	"\n"
	"  --by KEY           cumtime (default), tottime, calls: largest absolute change\n"
	"                     first; cumtime%, tottime%, calls%: largest % change; name\n"
	"  --limit N          show the first N rows\n"
	"  --match REGEX      show rows whose name matches (repeat: all must match)\n"
	"  --strip-dirs       compare base names of files (profiles from other machines)\n"
	"  --ignore-lines     match on (file, name) only (implied across formats)\n"
	"  --match-names      finally match what is left by name alone, when unique\n"
	"  --normalize        scale NEW to BASE's total, as difffolded.pl -n does (implied\n"
	"                     when the units differ)\n"
	"  --fail-if-slower PCT\n"
	"                     exit 1 and say why when NEW's total time is more than PCT %\n"
	"                     above BASE's: a CI gate\n"
	"  --function NAME    gate on this function's cumulative time instead; NAME is\n"
	"                     file:line(name) as printed, or a bare name when unambiguous\n"
	"  --format FMT       text (default), json or csv: every number at full precision\n"
	"  --db PATH          the store to use\n"
	"\n"
	"Exit status: 0 ok, 1 slower than --fail-if-slower allows (or an error), 2 usage.\n"
	"\n"
	"Examples:\n"
	"  profview diff before.prof after.prof --limit 20\n"
	"  profview diff main.prof branch.prof --strip-dirs --fail-if-slower 5\n"
	"  profview diff main.prof branch.prof --fail-if-slower 10 --function 'app.py:42(handle)'\n"
	"  profview diff old.folded new.folded --normalize --format csv > delta.csv\n";

enum {
	OPT_BY = 1, OPT_LIMIT, OPT_MATCH, OPT_STRIP, OPT_IGNORE_LINES, OPT_MATCH_NAMES, OPT_NORMALIZE,
	OPT_FAIL, OPT_FUNCTION, OPT_FORMAT
};


static void cmd_diff_label(const struct cmd_profile_ref *ref, const struct profile *p, struct diff_side_label *l)
{
	l->id = ref->id;
	l->name = p->name;
	l->source = ref->display_source ? ref->display_source : p->source;
}

/* --fail-if-slower: the verdict (for the JSON and the exit status) and how
 * stderr names what was measured. */
struct cmd_diff_verdict {
	struct diff_gate g;
	int only_new;		/* the function exists only in NEW */
	char *name;		/* the function's display name, owned */
	char what[1100];
};

static int cmd_diff_gate(const struct diff *d, double limit, const char *function, struct cmd_diff_verdict *v,
			 struct pv_error *err)
{
	struct diff_gate *g = &v->g;
	g->active = 1;
	g->limit = limit;
	if (function) {
		int64_t row = diff_find_function(d, function, err);
		if (row < 0)
			return -1;
		const struct diff_row *r = &d->rows[row];
		size_t cap = 0, len = diff_row_name(d, r, &v->name, &cap);
		g->on_function = 1;
		g->function = v->name;
		g->before = r->before[DIFF_CUMTIME];
		g->after = r->after[DIFF_CUMTIME];
		v->only_new = r->status == DIFF_ADDED;
		snprintf(v->what, sizeof(v->what), "'%.*s' cumulative time", (int)(len > 1000 ? 1000 : len), v->name);
	} else {
		g->before = d->time_before;
		g->after = d->time_after;
		snprintf(v->what, sizeof(v->what), "total time");
	}
	if (g->before != 0)
		g->pct = (g->after - g->before) / g->before * 100.0;
	else
		g->pct = g->after > 0 ? INFINITY : 0;
	g->failed = v->only_new ? 1 : g->pct > limit;
	return 0;
}

/* The verdict on stderr, after the table: regression always, ok unless -q. */
static void cmd_diff_gate_say(const struct diff *d, const struct cmd_diff_verdict *v, int quiet)
{
	const struct diff_gate *g = &v->g;
	const char *unit = profile_unit(d->base);
	if (v->only_new)
		fprintf(stderr, "regression: %s: only in NEW (%.6g %s), --fail-if-slower %g%%\n", v->what, g->after, unit,
			g->limit);
	else if (g->failed || !quiet)
		fprintf(stderr, "%s: %s %+.1f%% (%.6g -> %.6g %s), %s --fail-if-slower %g%%\n",
			g->failed ? "regression" : "ok", v->what, g->pct, g->before, g->after, unit,
			g->failed ? "more than" : "within", g->limit);
}

static int cmd_diff(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "strip-dirs", no_argument, NULL, OPT_STRIP },
		{ "ignore-lines", no_argument, NULL, OPT_IGNORE_LINES },
		{ "match-names", no_argument, NULL, OPT_MATCH_NAMES },
		{ "normalize", no_argument, NULL, OPT_NORMALIZE },
		{ "fail-if-slower", required_argument, NULL, OPT_FAIL },
		{ "function", required_argument, NULL, OPT_FUNCTION },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct diff_options o = { 0 };
	const char *by = NULL, *format = "text", *function = NULL;
	const char **regexes = xcalloc((size_t)argc + 1, sizeof(char *));
	size_t nregexes = 0;
	long long limit = -1;
	double fail_pct = -1;
	int have_fail = 0, have_diff = 0, rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	struct diff d;
	struct cmd_diff_verdict verdict = { 0 };
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_diff_entry, ctx);
		if (common < 0) {
			rc = EXIT_OK;
			goto cleanup;
		}
		if (common)
			continue;
		switch (opt) {
		case OPT_BY:
			by = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_int("--limit", optarg, &limit, &err))
				goto fail;
			if (limit < 0) {
				rc = cmd_usage_error(&cmd_diff_entry, "--limit must be 0 or more");
				goto cleanup;
			}
			break;
		case OPT_MATCH:
			regexes[nregexes++] = optarg;
			break;
		case OPT_STRIP:
			o.strip_dirs = 1;
			break;
		case OPT_IGNORE_LINES:
			o.ignore_lines = 1;
			break;
		case OPT_MATCH_NAMES:
			o.match_names = 1;
			break;
		case OPT_NORMALIZE:
			o.normalize = 1;
			break;
		case OPT_FAIL:
			if (cmd_parse_float("--fail-if-slower", optarg, &fail_pct, &err))
				goto fail;
			if (!(fail_pct >= 0) || isinf(fail_pct)) {
				rc = cmd_usage_error(&cmd_diff_entry, "--fail-if-slower takes a percentage, 0 or more");
				goto cleanup;
			}
			have_fail = 1;
			break;
		case OPT_FUNCTION:
			function = optarg;
			break;
		case OPT_FORMAT:
			format = optarg;
			if (!cmd_format_allowed("text,json,csv", format)) {
				rc = cmd_usage_error(&cmd_diff_entry, "unknown --format '%s' (text, json or csv)", format);
				goto cleanup;
			}
			break;
		default:
			rc = cmd_usage_error(&cmd_diff_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	if (argc - optind != 2) {
		rc = cmd_usage_error(&cmd_diff_entry, argc - optind < 2 ? "BASE and NEW are needed" : "more than two profiles given");
		goto cleanup;
	}
	if (function && !have_fail) {
		rc = cmd_usage_error(&cmd_diff_entry, "--function goes with --fail-if-slower");
		goto cleanup;
	}
	if (have_fail && o.normalize && !function) {
		rc = cmd_usage_error(&cmd_diff_entry,
				     "--fail-if-slower on the total time means nothing with --normalize (the totals are "
				     "made equal); add --function");
		goto cleanup;
	}
	struct cmd_profile_ref rb, rn;
	enum pv_kind kb, kn;
	struct profile *pb = NULL, *pn = NULL;
	if (cmd_open_store(ctx, &store, &err) || cmd_resolve_profile(ctx, store, argv[optind], NULL, &rb, &err) ||
	    cmd_resolve_profile(ctx, store, argv[optind + 1], NULL, &rn, &err) || store_get_kind(store, rb.id, &kb, &err) ||
	    store_get_kind(store, rn.id, &kn, &err))
		goto fail;
	unsigned parts = diff_store_parts(&o, kb, kn);
	if (store_load_profile_parts(store, rb.id, parts, &pb, &err))
		goto fail;
	if (store_load_profile_parts(store, rn.id, parts, &pn, &err)) {
		profile_free(pb);
		goto fail;
	}
	have_diff = diff_profiles(pb, pn, &o, &d, &err) == 0;
	if (!have_diff || diff_order(&d, by, regexes, nregexes, limit, &err) ||
	    (have_fail && cmd_diff_gate(&d, fail_pct, function, &verdict, &err)))
		goto fail;
	/* the diff holds the profiles now (or rekeyed copies with the same names) */
	struct diff_side_label lb, ln;
	cmd_diff_label(&rb, d.base, &lb);
	cmd_diff_label(&rn, d.new, &ln);
	if (d.units_differ && !o.normalize && !ctx->quiet)
		fprintf(stderr, "note: BASE is in %s and NEW in %s: NEW is scaled to BASE's total\n",
			profile_unit(d.base), profile_unit(d.new));
	if (strcmp(format, "json") == 0)
		diff_write_json(stdout, &d, &lb, &ln, &verdict.g);
	else if (strcmp(format, "csv") == 0)
		diff_write_csv(stdout, &d);
	else
		diff_write_text(stdout, &d, &lb, &ln);
	fflush(stdout);
	rc = EXIT_OK;
	if (have_fail) {
		cmd_diff_gate_say(&d, &verdict, ctx->quiet);
		if (verdict.g.failed)
			rc = EXIT_ERROR;
	}
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	if (have_diff)
		diff_release(&d);
	free(verdict.name);
	store_close(store);
	free(regexes);
	return rc;
}

const struct cmd_entry cmd_diff_entry = { "diff", cmd_diff, diff_usage,
					  "compare two profiles function by function; a CI gate" };
