#include "cmd.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../formats/record_json.h"
#include "../formats/text_bytes.h"

#include <string.h>

static const char list_usage[] =
	"usage: profview list [--format text|json]\n"
	"\n"
	"List the stored profiles: id, name, format, source, when imported, total (in the\n"
	"profile's unit), unit and number of functions. Threads of one file share a group\n"
	"(the id of the first). A profile with several names shows its first and how many\n"
	"more ('before +1'); the JSON has them all. With no store yet the list is empty (a\n"
	"note says so); nothing is created.\n"
	"\n"
	"Examples:\n"
	"  profview list\n"
	"  profview list --format json | jq '.[] | select(.kind == \"sampled\")'\n";

enum { OPT_FORMAT = 1 };

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
	struct store_meta *v = NULL;
	size_t n = 0;
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
	if (cmd_open_store(ctx, &store, &err))
		goto fail;
	struct store_list_query q = { NULL, 0, -1, 0 };
	int64_t total;
	if (store_list(store, &q, &v, &n, &total, &err))
		goto fail;
	if (store_is_missing(store) && !ctx->quiet)
		fprintf(stderr, "note: no store at '%s' yet: nothing is stored ('profview import FILE' makes one)\n",
			store_path(store));
	struct strbuf sb = STRBUF_INIT;
	if (json)
		strbuf_adds(&sb, "[");
	else
		strbuf_addf(&sb, "%5s  %-16s %-10s %-8s %-20s %12s %-12s %9s  %s\n", "id", "name", "format", "kind",
			    "imported", "total", "unit", "functions", "source");
	for (size_t i = 0; i < n; i++) {
		const struct store_meta *m = &v[i];
		if (json) {
			strbuf_adds(&sb, i ? ",\n " : "\n ");
			record_json_profile(&sb, m);
			continue;
		}
		char tot[32], when[32];
		unit_format(m->total_weight, m->unit, tot, sizeof(tot));
		snprintf(when, sizeof(when), "%.19s", m->imported_at);
		for (char *c = when; *c; c++)
			if (*c == 'T')
				*c = ' ';
		char label[64];
		if (m->nnames > 1)
			snprintf(label, sizeof(label), "%s +%zu", m->names[0], m->nnames - 1);
		else
			snprintf(label, sizeof(label), "%s", m->nnames ? m->names[0] : "-");
		strbuf_addf(&sb, "%5lld  %-16s %-10s %-8s %-20s %12s %-12s %9lld  ", (long long)m->id, label, m->format,
			    m->kind, when, tot, m->unit, (long long)m->function_count);
		list_source(&sb, m->source, strlen(m->source));
		if (m->thread)
			strbuf_addf(&sb, " [%s]", m->thread);
		strbuf_addc(&sb, '\n');
	}
	if (json) {
		strbuf_adds(&sb, n ? "\n]\n" : "]\n");
		fwrite(sb.buf, 1, sb.len, stdout);
	} else {
		text_write_raw(stdout, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	store_meta_list_free(v, n);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_list_entry = { "list", cmd_list, list_usage, "list the stored profiles" };
