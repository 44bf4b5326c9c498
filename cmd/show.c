#include "cmd.h"
#include "../analysis/stat_table.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../formats/record_json.h"
#include "../formats/text_bytes.h"

#include <stdlib.h>
#include <string.h>

static const char show_usage[] =
	"usage: profview show [PROFILE] [--limit N] [--format text|json]\n"
	"\n"
	"A profile's summary: where it came from, its format, kind and unit, totals and\n"
	"counts, and the top functions by self and by total weight (tottime and cumtime for\n"
	"cProfile data).\n"
	"\n"
	"  --limit N      how many top functions (default 10)\n"
	"  --format FMT   text (default) or json\n"
	"\n"
	"Examples:\n"
	"  profview show out.prof\n"
	"  profview show latest --limit 5 --format json\n";

enum { OPT_LIMIT = 1, OPT_FORMAT };

static size_t show_name(const struct stat_table *t, const struct stat_row *r, char **buf, size_t *cap)
{
	return pv_display_name_raw(t->kind, r->file, r->file_len, r->line, r->name, r->name_len, buf, cap);
}

static void show_top_text(struct strbuf *sb, const char *title, const struct stat_table *t, const struct store_meta *m,
			  int by_total)
{
	char *buf = NULL;
	size_t cap = 0;
	double total = m->total_weight;
	strbuf_addf(sb, "\nTop %zu by %s:\n", t->nrows, title);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		double v = by_total ? r->cumtime : r->tottime;
		char w[32], pct[16];
		unit_format(v, m->unit, w, sizeof(w));
		if (total > 0)
			snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * v / total);
		else
			snprintf(pct, sizeof(pct), "-");
		strbuf_addf(sb, "  %12s %7s  ", w, pct);
		size_t len = show_name(t, r, &buf, &cap);
		strbuf_add(sb, buf, len);
		strbuf_addc(sb, '\n');
	}
	free(buf);
}

static int cmd_show(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	long long limit = 10;
	int json = 0, rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	struct store_meta m = { 0 };
	struct stat_table by_self, by_total;
	int have_tops = 0;
	const char *profile_arg = NULL;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_show_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		if (opt == OPT_LIMIT) {
			if (cmd_parse_int("--limit", optarg, &limit, &err))
				return cmd_fail(&err);
		} else if (opt == OPT_FORMAT && (!strcmp(optarg, "text") || !strcmp(optarg, "json"))) {
			json = optarg[0] == 'j';
		} else if (opt == OPT_FORMAT) {
			return cmd_usage_error(&cmd_show_entry, "unknown --format '%s' (text or json)", optarg);
		} else {
			return cmd_usage_error(&cmd_show_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(&cmd_show_entry, "more than one PROFILE given ('%s')", argv[optind + 1]);
	if (optind < argc)
		profile_arg = argv[optind];
	if (limit < 0)
		limit = 0;
	struct cmd_profile_ref ref;
	if (cmd_open_store(ctx, &store, &err) || cmd_resolve_profile(ctx, store, profile_arg, NULL, &ref, &err) ||
	    store_get_meta(store, ref.id, &m, &err))
		goto fail;
	if (stat_table_tops(store, ref.id, limit, &by_self, &by_total, &err))
		goto fail;
	have_tops = 1;
	struct strbuf sb = STRBUF_INIT;
	int calls = strcmp(m.kind, "calls") == 0;
	char total[32];
	unit_format(m.total_weight, m.unit, total, sizeof(total));
	if (json) {
		record_json_summary(&sb, &m, &by_self, &by_total);
		fwrite(sb.buf, 1, sb.len, stdout);
	} else {
		strbuf_addf(&sb, "profile %lld", (long long)m.id);
		for (size_t i = 0; i < m.nnames; i++)
			strbuf_addf(&sb, i == 0 ? " '%s'" : i == 1 ? " (also '%s'" : ", '%s'", m.names[i]);
		if (m.nnames > 1)
			strbuf_addc(&sb, ')');
		strbuf_adds(&sb, "\n  source     ");
		for (const char *c = m.source; *c; c++) {
			/* a merge lists its inputs, one per line */
			if (*c == '\n')
				strbuf_adds(&sb, "\n             ");
			else
				strbuf_addc(&sb, *c);
		}
		strbuf_addc(&sb, '\n');
		strbuf_addf(&sb, "  imported   %s\n", m.imported_at);
		strbuf_addf(&sb, "  format     %s%s%s", m.format, m.producer ? ", from " : "", m.producer ? m.producer : "");
		if (calls)
			strbuf_addf(&sb, " (%s)", m.dialect && strcmp(m.dialect, "py2") == 0 ? "Python 2" : "Python 3");
		strbuf_addf(&sb, "\n  kind       %s, unit %s\n", m.kind, m.unit);
		if (m.thread)
			strbuf_addf(&sb, "  thread     %s (group %lld)\n", m.thread, (long long)m.group_id);
		if (calls) {
			strbuf_addf(&sb, "  total      %s, %lld calls", total, (long long)m.total_calls);
			if (m.total_calls != m.primitive_calls)
				strbuf_addf(&sb, " (%lld primitive)", (long long)m.primitive_calls);
		} else if (strcmp(m.kind, "evented") == 0) {
			strbuf_addf(&sb, "  total      %s, %lld calls", total, (long long)m.total_calls);
		} else {
			strbuf_addf(&sb, "  total      %s%s, %lld samples", total,
				    strcmp(m.unit, "samples") == 0 ? " samples" : "", (long long)m.total_samples);
		}
		strbuf_addf(&sb, "\n  functions  %lld, edges %lld, call-tree nodes %lld\n", (long long)m.function_count,
			    (long long)m.edge_count, (long long)(m.node_count > 0 ? m.node_count - 1 : 0));
		strbuf_addf(&sb, "  sha256     %s\n", m.content_hash);
		show_top_text(&sb, calls ? "tottime (self)" : "self", &by_self, &m, 0);
		show_top_text(&sb, calls ? "cumtime (total)" : "total", &by_total, &m, 1);
		text_write_raw(stdout, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	if (have_tops) {
		stat_table_release(&by_self);
		stat_table_release(&by_total);
	}
	store_meta_release(&m);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_show_entry = { "show", cmd_show, show_usage, "summarise a profile: totals and top functions" };
