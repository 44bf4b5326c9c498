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
	"  --format FMT   text (aligned columns, default), csv or json (array of objects)\n"
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

/* Aligned columns: every row is read first to size them. */
static int sql_print_text(sqlite3_stmt *st, int ncol, struct strbuf *out)
{
	size_t cap = 0, n = 0, *width = xcalloc((size_t)ncol, sizeof(size_t));
	struct strbuf *cells = NULL;
	int step;
	for (int c = 0; c < ncol; c++)
		width[c] = strlen(sqlite3_column_name(st, c));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow((void **)&cells, &cap, n + (size_t)ncol, sizeof(*cells));
		for (int c = 0; c < ncol; c++) {
			struct strbuf *cell = &cells[n + (size_t)c];
			*cell = (struct strbuf)STRBUF_INIT;
			sql_cell_text(st, c, cell);
			if (cell->len > width[c])
				width[c] = cell->len;
		}
		n += (size_t)ncol;
	}
	for (int c = 0; c < ncol; c++)
		strbuf_addf(out, "%-*s%s", c + 1 < ncol ? (int)width[c] : 0, sqlite3_column_name(st, c),
			    c + 1 < ncol ? "  " : "\n");
	for (int c = 0; c < ncol; c++) {
		for (size_t k = 0; k < width[c]; k++)
			strbuf_addc(out, '-');
		strbuf_adds(out, c + 1 < ncol ? "  " : "\n");
	}
	for (size_t r = 0; r < n; r += (size_t)ncol)
		for (int c = 0; c < ncol; c++) {
			struct strbuf *cell = &cells[r + (size_t)c];
			strbuf_add(out, strbuf_str(cell), cell->len);
			if (c + 1 < ncol)
				for (size_t k = cell->len; k < width[c] + 2; k++)
					strbuf_addc(out, ' ');
			else
				strbuf_addc(out, '\n');
			strbuf_release(cell);
		}
	free(cells);
	free(width);
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
	struct strbuf out = STRBUF_INIT;
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
	int ncol = sqlite3_column_count(st), step = SQLITE_DONE;
	if (strcmp(format, "text") == 0) {
		if (ncol && sql_print_text(st, ncol, &out))
			step = SQLITE_ERROR;
	} else if (strcmp(format, "csv") == 0) {
		for (int c = 0; c < ncol; c++) {
			const char *name = sqlite3_column_name(st, c);
			text_csv_field(&out, name, strlen(name));
			strbuf_adds(&out, c + 1 < ncol ? "," : "\r\n");
		}
		while ((step = sqlite3_step(st)) == SQLITE_ROW)
			for (int c = 0; c < ncol; c++) {
				struct strbuf cell = STRBUF_INIT;
				if (sqlite3_column_type(st, c) != SQLITE_NULL)
					sql_cell_text(st, c, &cell);
				text_csv_field(&out, strbuf_str(&cell), cell.len);
				strbuf_release(&cell);
				strbuf_adds(&out, c + 1 < ncol ? "," : "\r\n");
			}
	} else {
		int n = 0;
		strbuf_addc(&out, '[');
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			strbuf_adds(&out, n++ ? ",\n {" : "\n {");
			for (int c = 0; c < ncol; c++) {
				const char *name = sqlite3_column_name(st, c);
				if (c)
					strbuf_adds(&out, ", ");
				text_json_string(&out, name, strlen(name));
				strbuf_adds(&out, ": ");
				sql_cell_json(st, c, &out);
			}
			strbuf_addc(&out, '}');
		}
		strbuf_adds(&out, n ? "\n]\n" : "]\n");
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		pv_error_set(&err, "%s", sqlite3_errmsg(store->db));
		goto fail;
	}
	text_write_raw(stdout, strbuf_str(&out), out.len);
	rc = EXIT_OK;
	goto cleanup;
fail:
	if (!err.subject[0])
		pv_error_subject(&err, "sql");
	rc = cmd_fail(&err);
cleanup:
	strbuf_release(&out);
	sqlite3_finalize(st);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_sql_entry = { "sql", cmd_sql, sql_usage, "run a read-only SQL query on the store" };
