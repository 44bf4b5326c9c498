#include "cmd.h"
#include "../analysis/pyrepr.h"
#include "../analysis/stat_table.h"
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

/* Reading only: the authorizer refuses every action that is not a read. */
static int sql_authorize(void *ctx, int action, const char *a, const char *b, const char *db, const char *trigger)
{
	(void)ctx;
	(void)b;
	(void)db;
	(void)trigger;
	static const char *const pragmas[] = { "table_info", "table_xinfo", "table_list", "index_list", "index_info",
					       "index_xinfo", "foreign_key_list", "user_version", "schema_version" };
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
			if (a && strcasecmp(a, pragmas[i]) == 0 && (i < 7 || !b))
				return SQLITE_OK;
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static void sql_cell_text(sqlite3_stmt *st, int c, struct strbuf *out)
{
	char num[40];
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		strbuf_adds(out, "NULL");
		break;
	case SQLITE_INTEGER:
		strbuf_addf(out, "%lld", (long long)sqlite3_column_int64(st, c));
		break;
	case SQLITE_FLOAT:
		pyrepr_float(sqlite3_column_double(st, c), num);
		strbuf_adds(out, num);
		break;
	case SQLITE_BLOB: {
		const unsigned char *b = sqlite3_column_blob(st, c);
		int n = sqlite3_column_bytes(st, c);
		strbuf_adds(out, "x'");
		for (int i = 0; i < n; i++)
			strbuf_addf(out, "%02x", b[i]);
		strbuf_addc(out, '\'');
		break;
	}
	default:
		strbuf_add(out, sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
	}
}

static void sql_cell_json(sqlite3_stmt *st, int c, struct strbuf *out)
{
	int t = sqlite3_column_type(st, c);
	if (t == SQLITE_NULL) {
		strbuf_adds(out, "null");
	} else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
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

static void sql_text_head(struct strbuf *sb, sqlite3_stmt *st, int ncol, const size_t *width)
{
	for (int c = 0; c < ncol; c++)
		strbuf_addf(sb, "%-*s%s", c + 1 < ncol ? (int)width[c] : 0, sqlite3_column_name(st, c),
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
 * the caller holds a read transaction) prints. first is the result of the
 * statement's first step. */
static int sql_print_text(sqlite3_stmt *st, int ncol, int first, FILE *out)
{
	size_t *width = xcalloc((size_t)ncol, sizeof(size_t));
	size_t *len = xmalloc((size_t)ncol * sizeof(size_t)), *lens = NULL, nlens = 0, cap_lens = 0;
	const char **cell = xmalloc((size_t)ncol * sizeof(char *));
	struct strbuf kept = STRBUF_INIT, one = STRBUF_INIT, sb = STRBUF_INIT;
	int step = first, buffered = 1;
	for (int c = 0; c < ncol; c++)
		width[c] = strlen(sqlite3_column_name(st, c));
	for (; step == SQLITE_ROW; step = sqlite3_step(st)) {
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
	if (step != SQLITE_DONE)
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
		sqlite3_reset(st);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
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
	return step == SQLITE_DONE ? 0 : -1;
}

/* CSV (RFC 4180, CRLF), one row at a time: text cells through text_csv_field()
 * (formulas neutralised, bytes that are not UTF-8 as \udcXX), numbers as they
 * are, NULL empty. */
static int sql_print_csv(sqlite3_stmt *st, int ncol, int first, FILE *out)
{
	struct strbuf sb = STRBUF_INIT, cell = STRBUF_INIT;
	int step = first;
	for (int c = 0; c < ncol; c++) {
		const char *name = sqlite3_column_name(st, c);
		text_csv_field(&sb, name, strlen(name));
		strbuf_adds(&sb, c + 1 < ncol ? "," : "\r\n");
	}
	for (; step == SQLITE_ROW; step = sqlite3_step(st)) {
		for (int c = 0; c < ncol; c++) {
			int type = sqlite3_column_type(st, c);
			if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
				sql_cell_text(st, c, &sb);
			} else if (type != SQLITE_NULL) {
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
	return step == SQLITE_DONE ? 0 : -1;
}

/* A JSON array of objects, one row at a time. */
static int sql_print_json(sqlite3_stmt *st, int ncol, int first, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;
	int step = first, n = 0;
	strbuf_addc(&sb, '[');
	for (; step == SQLITE_ROW; step = sqlite3_step(st)) {
		strbuf_adds(&sb, n++ ? ",\n {" : "\n {");
		for (int c = 0; c < ncol; c++) {
			const char *name = sqlite3_column_name(st, c);
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
	if (step == SQLITE_DONE)
		fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	return step == SQLITE_DONE ? 0 : -1;
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
	sqlite3_stmt *st = NULL;
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
	if (cmd_open_store(ctx, &store, &err))
		goto fail;
	if (store_is_missing(store)) {
		pv_error_subject(&err, store->path);
		pv_error_set(&err, "no store here yet, nothing to query ('profview import FILE' makes one)");
		goto fail;
	}
	stat_table_register_sql(store->db);
	sqlite3_exec(store->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	/* one snapshot for the whole output (the text format may read the rows
	 * twice); closing the connection ends it */
	sqlite3_exec(store->db, "BEGIN", NULL, NULL, NULL);
	sqlite3_set_authorizer(store->db, sql_authorize, NULL);
	const char *tail = NULL;
	if (sqlite3_prepare_v2(store->db, query, -1, &st, &tail) != SQLITE_OK || !st) {
		if (sqlite3_errcode(store->db) == SQLITE_AUTH)
			pv_error_set(&err, "refused: queries here only read (no writes, ATTACH or PRAGMAs that set)");
		else
			pv_error_set(&err, "%s", sqlite3_errcode(store->db) != SQLITE_OK ? sqlite3_errmsg(store->db)
											 : "empty query");
		goto fail;
	}
	for (; *tail; tail++)
		if (!isspace((unsigned char)*tail) && *tail != ';') {
			pv_error_set(&err, "one statement at a time");
			goto fail;
		}
	if (!sqlite3_stmt_readonly(st)) {
		pv_error_set(&err, "the store is read-only here: only queries that read");
		goto fail;
	}
	/* rows are written as they come (memory bounded by a row, not the result);
	 * nothing is written when the first step fails */
	int ncol = sqlite3_column_count(st), step = sqlite3_step(st), failed;
	if (step != SQLITE_DONE && step != SQLITE_ROW)
		failed = 1;
	else if (strcmp(format, "text") == 0)
		failed = ncol && sql_print_text(st, ncol, step, stdout);
	else if (strcmp(format, "csv") == 0)
		failed = sql_print_csv(st, ncol, step, stdout);
	else
		failed = sql_print_json(st, ncol, step, stdout);
	if (failed) {
		pv_error_set(&err, "%s", sqlite3_errmsg(store->db));
		goto fail;
	}
	rc = EXIT_OK;
	goto cleanup;
fail:
	if (!err.subject[0])
		pv_error_subject(&err, "sql");
	rc = cmd_fail(&err);
cleanup:
	sqlite3_finalize(st);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_sql_entry = { "sql", cmd_sql, sql_usage, "run a read-only SQL query on the store" };
