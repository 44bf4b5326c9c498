#include "cmd.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../formats/text_bytes.h"

#include <string.h>

static const char list_usage[] =
	"usage: profview list [--format text|json]\n"
	"\n"
	"List the stored profiles: id, name, format, source, when imported, total (in the\n"
	"profile's unit), unit and number of functions. Threads of one file share a group\n"
	"(the id of the first).\n"
	"\n"
	"Examples:\n"
	"  profview list\n"
	"  profview list --format json | jq '.[] | select(.kind == \"sampled\")'\n";

enum { OPT_FORMAT = 1 };

static void list_json_str(struct strbuf *sb, const unsigned char *s, int n)
{
	if (s)
		text_json_string(sb, (const char *)s, (size_t)n);
	else
		strbuf_adds(sb, "null");
}

/* A merged profile's source is pstats' header, one "ctime    path" line per
 * input: one table line shows the paths, joined by " + ". */
static void list_source(struct strbuf *sb, const char *src, size_t len)
{
	if (!memchr(src, '\n', len)) {
		strbuf_add(sb, src, len);
		return;
	}
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(src + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - src) : len, from = i;
		if (end - i > 28 && memcmp(src + i + 24, "    ", 4) == 0)
			from = i + 28;
		if (i)
			strbuf_adds(sb, " + ");
		strbuf_add(sb, src + from, end - from);
		i = end + 1;
	}
}

static int cmd_list(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	sqlite3_stmt *st = NULL;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_list_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		if (opt == OPT_FORMAT && (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0)) {
			json = optarg[0] == 'j';
			continue;
		}
		if (opt == OPT_FORMAT)
			return cmd_usage_error(&cmd_list_entry, "unknown --format '%s' (text or json)", optarg);
		return cmd_usage_error(&cmd_list_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_list_entry, "unexpected argument '%s'", argv[optind]);
	if (cmd_open_store(ctx, 0, &store, &err))
		goto fail;
	if (sqlite3_prepare_v2(store->db,
			       "SELECT id, name, format, kind, source, imported_at, total_weight, unit, function_count,"
			       " thread, group_id, total_calls, total_samples FROM profiles ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		pv_error_subject(&err, store->path);
		pv_error_set(&err, "cannot query the store: %s", sqlite3_errmsg(store->db));
		goto fail;
	}
	struct strbuf sb = STRBUF_INIT;
	if (json)
		strbuf_adds(&sb, "[");
	else
		strbuf_addf(&sb, "%5s  %-16s %-10s %-8s %-20s %12s %-12s %9s  %s\n", "id", "name", "format", "kind",
			    "imported", "total", "unit", "functions", "source");
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(st, 1), *src = sqlite3_column_text(st, 4);
		const char *unit = (const char *)sqlite3_column_text(st, 7);
		const char *thread = (const char *)sqlite3_column_text(st, 9);
		double total = sqlite3_column_double(st, 6);
		if (json) {
			strbuf_addf(&sb, "%s\n {\"id\": %lld, \"name\": ", n ? "," : "", (long long)sqlite3_column_int64(st, 0));
			list_json_str(&sb, name, sqlite3_column_bytes(st, 1));
			strbuf_addf(&sb, ", \"format\": \"%s\", \"kind\": \"%s\", \"source\": ", sqlite3_column_text(st, 2),
				    sqlite3_column_text(st, 3));
			list_json_str(&sb, src, sqlite3_column_bytes(st, 4));
			strbuf_addf(&sb, ", \"imported_at\": \"%s\", \"total\": %.17g, \"unit\": \"%s\", \"functions\": %lld",
				    sqlite3_column_text(st, 5), total, unit, (long long)sqlite3_column_int64(st, 8));
			strbuf_addf(&sb, ", \"calls\": %lld, \"samples\": %lld, \"thread\": ",
				    (long long)sqlite3_column_int64(st, 11), (long long)sqlite3_column_int64(st, 12));
			list_json_str(&sb, (const unsigned char *)thread, sqlite3_column_bytes(st, 9));
			if (sqlite3_column_type(st, 10) == SQLITE_NULL)
				strbuf_adds(&sb, ", \"group\": null}");
			else
				strbuf_addf(&sb, ", \"group\": %lld}", (long long)sqlite3_column_int64(st, 10));
		} else {
			char tot[32], when[32];
			unit_format(total, strcmp(unit, "samples") == 0 ? NULL : unit, tot, sizeof(tot));
			snprintf(when, sizeof(when), "%.19s", sqlite3_column_text(st, 5));
			for (char *c = when; *c; c++)
				if (*c == 'T')
					*c = ' ';
			char label[64];
			snprintf(label, sizeof(label), "%s", name ? (const char *)name : "-");
			strbuf_addf(&sb, "%5lld  %-16s %-10s %-8s %-20s %12s %-12s %9lld  ", (long long)sqlite3_column_int64(st, 0),
				    label, sqlite3_column_text(st, 2), sqlite3_column_text(st, 3), when, tot, unit,
				    (long long)sqlite3_column_int64(st, 8));
			if (src)
				list_source(&sb, (const char *)src, (size_t)sqlite3_column_bytes(st, 4));
			if (thread)
				strbuf_addf(&sb, " [%s]", thread);
			strbuf_addc(&sb, '\n');
		}
		n++;
	}
	if (json)
		strbuf_adds(&sb, n ? "\n]\n" : "]\n");
	if (json)
		fwrite(sb.buf, 1, sb.len, stdout);
	else
		text_write_raw(stdout, sb.buf, sb.len);
	strbuf_release(&sb);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	sqlite3_finalize(st);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_list_entry = { "list", cmd_list, list_usage, "list the stored profiles" };
