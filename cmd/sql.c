#include "cmd.h"
#include "../analysis/pyrepr.h"
#include "../analysis/store.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"
#include "../formats/text_bytes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char sql_usage[] =
	"usage: profview sql \"SELECT ...\" [--format text|csv|json]\n"
	"\n"
	"Run one read-only SQL query on the store (schema: docs/schema.md) and print the\n"
	"rows. Anything that would change the store, ATTACH, and PRAGMAs other than the\n"
	"schema-reading ones are refused. pv_stdname(file, line, name) gives pstats' name.\n"
	"functions, edges and tree_nodes read each profile's packed arrays: give\n"
	"profile_id = N to read one profile only.\n"
	"\n"
	"  --format FMT   text (aligned columns, default), csv or json (array of objects);\n"
	"                 rows are written as they come. CSV text that a spreadsheet\n"
	"                 would run as a formula (= + - @ first) is led by a ',\n"
	"                 bytes that are not UTF-8 are written \\udcXX\n"
	"\n"
	"Examples:\n"
	"  profview sql \"SELECT id, name, kind, total_weight FROM profiles\"\n"
	"  profview sql \"SELECT name, tottime FROM functions WHERE profile_id = 3\n"
	"                ORDER BY tottime DESC LIMIT 10\" --format csv\n";

enum { OPT_FORMAT = 1 };

static void sql_cell_text(struct store_query *st, int c, struct strbuf *out)
{
	char num[40];
	struct store_cell cell;
	store_query_cell(st, c, &cell);
	switch (cell.type) {
	case STORE_CELL_NULL:
		strbuf_adds(out, "NULL");
		break;
	case STORE_CELL_INT:
		strbuf_addf(out, "%lld", (long long)cell.i);
		break;
	case STORE_CELL_FLOAT:
		pyrepr_float(cell.d, num);
		strbuf_adds(out, num);
		break;
	case STORE_CELL_BLOB: {
		const unsigned char *b = (const unsigned char *)cell.s;
		strbuf_adds(out, "x'");
		for (size_t i = 0; i < cell.len; i++)
			strbuf_addf(out, "%02x", b[i]);
		strbuf_addc(out, '\'');
		break;
	}
	default:
		strbuf_add(out, cell.s, cell.len);
	}
}

static enum store_cell_type sql_cell_type(struct store_query *st, int c)
{
	struct store_cell cell;
	store_query_cell(st, c, &cell);
	return cell.type;
}

static void sql_cell_json(struct store_query *st, int c, struct strbuf *out)
{
	enum store_cell_type t = sql_cell_type(st, c);
	if (t == STORE_CELL_NULL) {
		strbuf_adds(out, "null");
	} else if (t == STORE_CELL_INT || t == STORE_CELL_FLOAT) {
		size_t at = out->len;
		sql_cell_text(st, c, out);
		if (strpbrk(out->buf + at, "in")) {
			/* inf and nan are not JSON */
			out->len = at;
			strbuf_adds(out, "null");
		}
	} else {
		struct strbuf tmp = STRBUF_INIT;
		sql_cell_text(st, c, &tmp);
		text_json_string(out, tmp.buf ? tmp.buf : "", tmp.len);
		strbuf_release(&tmp);
	}
}

/* Bytes of cells the text format keeps to size its columns in one pass; a
 * bigger result is read twice instead (widths, then rows), so that memory stays
 * bounded whatever the number of rows. */
#define SQL_TEXT_BUFFER ((size_t)16 << 20)

/* Writes sb to out (escaped surrogates as their raw bytes) once it holds over
 * 1 MiB, or always when flush is set. */
static void sql_spill_raw(FILE *out, struct strbuf *sb, int flush)
{
	if (flush || sb->len > (1u << 20)) {
		text_write_raw(out, strbuf_str(sb), sb->len);
		strbuf_reset(sb);
	}
}

static void sql_text_row(FILE *out, struct strbuf *sb, const char *const *cell, const size_t *len, int ncol,
			 const size_t *width)
{
	for (int c = 0; c < ncol; c++) {
		strbuf_add(sb, cell[c], len[c]);
		if (c + 1 < ncol)
			for (size_t k = len[c]; k < width[c] + 2; k++)
				strbuf_addc(sb, ' ');
		else
			strbuf_addc(sb, '\n');
	}
	sql_spill_raw(out, sb, 0);
}

static void sql_text_head(struct strbuf *sb, struct store_query *st, int ncol, const size_t *width)
{
	for (int c = 0; c < ncol; c++)
		strbuf_addf(sb, "%-*s%s", c + 1 < ncol ? (int)width[c] : 0, store_query_column_name(st, c),
			    c + 1 < ncol ? "  " : "\n");
	for (int c = 0; c < ncol; c++) {
		for (size_t k = 0; k < width[c]; k++)
			strbuf_addc(sb, '-');
		strbuf_adds(sb, c + 1 < ncol ? "  " : "\n");
	}
}

/* Aligned columns: the widths need every row. Up to SQL_TEXT_BUFFER bytes of
 * cells are kept and printed after one pass; beyond, the kept cells are
 * dropped, a first pass sizes the columns and a second one (the same snapshot:
 * the query holds a read transaction) prints. first is the result of the
 * query's first step (store_query_step()). */
static int sql_print_text(struct store_query *st, int ncol, int first, FILE *out, struct pv_error *err)
{
	size_t *width = xcalloc((size_t)ncol, sizeof(size_t));
	size_t *len = xmalloc((size_t)ncol * sizeof(size_t)), *lens = NULL, nlens = 0, cap_lens = 0;
	const char **cell = xmalloc((size_t)ncol * sizeof(char *));
	struct strbuf kept = STRBUF_INIT, one = STRBUF_INIT, sb = STRBUF_INIT;
	int step = first, buffered = 1;
	for (int c = 0; c < ncol; c++)
		width[c] = strlen(store_query_column_name(st, c));
	for (; step == 1; step = store_query_step(st, err)) {
		for (int c = 0; c < ncol; c++) {
			strbuf_reset(&one);
			sql_cell_text(st, c, &one);
			if (one.len > width[c])
				width[c] = one.len;
			if (!buffered)
				continue;
			strbuf_add(&kept, strbuf_str(&one), one.len);
			if (nlens == cap_lens)
				xgrow((void **)&lens, &cap_lens, nlens + 1, sizeof(size_t));
			lens[nlens++] = one.len;
		}
		if (buffered && kept.len + nlens * sizeof(size_t) > SQL_TEXT_BUFFER) {
			buffered = 0;
			strbuf_release(&kept);
			free(lens);
			lens = NULL;
			nlens = cap_lens = 0;
		}
	}
	if (step != 0)
		goto done;
	sql_text_head(&sb, st, ncol, width);
	if (buffered) {
		size_t at = 0;
		for (size_t k = 0; k < nlens; k += (size_t)ncol) {
			for (int c = 0; c < ncol; c++) {
				cell[c] = strbuf_str(&kept) + at;
				len[c] = lens[k + (size_t)c];
				at += len[c];
			}
			sql_text_row(out, &sb, cell, len, ncol, width);
		}
	} else {
		store_query_rewind(st);
		while ((step = store_query_step(st, err)) == 1) {
			strbuf_reset(&kept);
			for (int c = 0; c < ncol; c++) {
				size_t at = kept.len;
				sql_cell_text(st, c, &kept);
				len[c] = kept.len - at;
			}
			size_t at = 0;
			for (int c = 0; c < ncol; c++) {
				cell[c] = strbuf_str(&kept) + at;
				at += len[c];
			}
			sql_text_row(out, &sb, cell, len, ncol, width);
		}
	}
	sql_spill_raw(out, &sb, 1);
done:
	strbuf_release(&kept);
	strbuf_release(&one);
	strbuf_release(&sb);
	free(lens);
	free(len);
	free(cell);
	free(width);
	return step == 0 ? 0 : -1;
}

/* CSV (RFC 4180, CRLF), one row at a time: text cells through text_csv_field()
 * (formulas neutralised, bytes that are not UTF-8 as \udcXX), numbers as they
 * are, NULL empty. */
static int sql_print_csv(struct store_query *st, int ncol, int first, FILE *out, struct pv_error *err)
{
	struct strbuf sb = STRBUF_INIT, cell = STRBUF_INIT;
	int step = first;
	for (int c = 0; c < ncol; c++) {
		const char *name = store_query_column_name(st, c);
		text_csv_field(&sb, name, strlen(name));
		strbuf_adds(&sb, c + 1 < ncol ? "," : "\r\n");
	}
	for (; step == 1; step = store_query_step(st, err)) {
		for (int c = 0; c < ncol; c++) {
			enum store_cell_type type = sql_cell_type(st, c);
			if (type == STORE_CELL_INT || type == STORE_CELL_FLOAT) {
				sql_cell_text(st, c, &sb);
			} else if (type != STORE_CELL_NULL) {
				strbuf_reset(&cell);
				sql_cell_text(st, c, &cell);
				text_csv_field(&sb, strbuf_str(&cell), cell.len);
			}
			strbuf_adds(&sb, c + 1 < ncol ? "," : "\r\n");
		}
		text_spill(out, &sb);
	}
	fwrite(strbuf_str(&sb), 1, sb.len, out);
	strbuf_release(&sb);
	strbuf_release(&cell);
	return step == 0 ? 0 : -1;
}

/* A JSON array of objects, one row at a time. */
static int sql_print_json(struct store_query *st, int ncol, int first, FILE *out, struct pv_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int step = first, n = 0;
	strbuf_addc(&sb, '[');
	for (; step == 1; step = store_query_step(st, err)) {
		strbuf_adds(&sb, n++ ? ",\n {" : "\n {");
		for (int c = 0; c < ncol; c++) {
			const char *name = store_query_column_name(st, c);
			if (c)
				strbuf_adds(&sb, ", ");
			text_json_string(&sb, name, strlen(name));
			strbuf_adds(&sb, ": ");
			sql_cell_json(st, c, &sb);
		}
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, n ? "\n]\n" : "]\n");
	/* a failed query leaves no half array behind what was written */
	if (step == 0)
		fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	return step == 0 ? 0 : -1;
}

static int cmd_sql(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "text";
	int rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	struct store_query *st = NULL;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_sql_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		if (opt == OPT_FORMAT && (!strcmp(optarg, "text") || !strcmp(optarg, "csv") || !strcmp(optarg, "json"))) {
			format = optarg;
			continue;
		}
		if (opt == OPT_FORMAT)
			return cmd_usage_error(&cmd_sql_entry, "unknown --format '%s' (text, csv or json)", optarg);
		return cmd_usage_error(&cmd_sql_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cmd_usage_error(&cmd_sql_entry, "give one query, quoted");
	const char *query = argv[optind];
	/* read only: a store is not created to be queried */
	if (cmd_open_store(ctx, &store, &err) || store_query_open(store, query, &st, &err))
		goto fail;
	/* rows are written as they come (memory bounded by a row, not the result);
	 * nothing is written when the first step fails */
	int ncol = store_query_columns(st), step = store_query_step(st, &err), failed;
	if (step < 0)
		failed = 1;
	else if (strcmp(format, "text") == 0)
		failed = ncol && sql_print_text(st, ncol, step, stdout, &err);
	else if (strcmp(format, "csv") == 0)
		failed = sql_print_csv(st, ncol, step, stdout, &err);
	else
		failed = sql_print_json(st, ncol, step, stdout, &err);
	if (failed)
		goto fail;
	rc = EXIT_OK;
	goto cleanup;
fail:
	if (!err.subject[0])
		pv_error_subject(&err, "sql");
	rc = cmd_fail(&err);
cleanup:
	store_query_close(st);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_sql_entry = { "sql", cmd_sql, sql_usage, "run a read-only SQL query on the store" };
