#include "stat_write.h"
#include "text_bytes.h"
#include "../analysis/pyrepr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

size_t stat_ctime(int64_t t, char *buf, size_t size)
{
	time_t mt = (time_t)t;
	struct tm tm;
	buf[0] = '\0';
	if (!localtime_r(&mt, &tm))
		return 0;
	return strftime(buf, size, "%a %b %e %H:%M:%S %Y", &tm);
}

/* pstats' header line: time.ctime(st_mtime) + "    " + the path as given. */
static void stat_write_files_line(FILE *out, const struct stat_table *t)
{
	if (!t->source)
		return;
	char buf[64];
	if (t->source_mtime >= 0 && stat_ctime(t->source_mtime, buf, sizeof(buf)))
		fprintf(out, "%s    ", buf);
	text_write_raw(out, t->source, strlen(t->source));
	fputs("\n\n", out);
}

static void stat_write_f8(FILE *out, double v)
{
	fprintf(out, "%8.3f", v);
}

void stat_write_text(FILE *out, const struct stat_table *t)
{
	if (t->kind != PV_KIND_CALLS) {
		stat_write_sampled_text(out, t);
		return;
	}
	stat_write_files_line(out, t);
	for (size_t i = 0; i < t->ntop_level; i++) {
		fputs("         ", out);
		text_write_raw(out, t->top_level[i], strlen(t->top_level[i]));
		fputc('\n', out);
	}
	fprintf(out, "         %lld function calls ", (long long)t->total_calls);
	if (t->total_calls != t->prim_calls)
		fprintf(out, "(%lld primitive calls) ", (long long)t->prim_calls);
	fprintf(out, "in %.3f seconds\n\n", t->total_tt);
	if (t->nrows == 0)
		return;
	fputs(strbuf_str(&t->msg), out);
	fputc('\n', out);
	fputs("   ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n", out);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		char c[64];
		if (r->calls != r->pcalls)
			snprintf(c, sizeof(c), "%lld/%lld", (long long)r->calls, (long long)r->pcalls);
		else
			snprintf(c, sizeof(c), "%lld", (long long)r->calls);
		fprintf(out, "%9s ", c);
		stat_write_f8(out, r->tottime);
		fputc(' ', out);
		if (r->calls == 0)
			fputs("        ", out);
		else
			stat_write_f8(out, r->tottime / (double)r->calls);
		fputc(' ', out);
		stat_write_f8(out, r->cumtime);
		fputc(' ', out);
		if (r->pcalls == 0)
			fputs("        ", out);
		else
			stat_write_f8(out, r->cumtime / (double)r->pcalls);
		fputc(' ', out);
		size_t len = pv_std_name_raw(r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		text_write_raw(out, buf, len);
		fputc('\n', out);
	}
	free(buf);
	fputs("\n\n", out);
}

/* The JSON pieces the function tables share (stat_write_sampled.c and
 * call_write.c too). */
void stat_json_profile_head(struct strbuf *sb, const struct stat_table *t)
{
	static const char *const kinds[] = { "calls", "sampled", "evented" };
	strbuf_addf(sb, "{\"profile\": {\"id\": %lld, \"name\": ", (long long)t->profile_id);
	text_json_opt_string(sb, t->profile_name);
	strbuf_adds(sb, ", \"source\": ");
	text_json_opt_string(sb, t->source);
	strbuf_adds(sb, ", \"format\": ");
	text_json_opt_string(sb, t->format);
	strbuf_addf(sb, ", \"kind\": \"%s\", \"unit\": ", kinds[t->kind]);
	text_json_opt_string(sb, t->unit);
	strbuf_adds(sb, ", \"thread\": ");
	text_json_opt_string(sb, t->thread);
	strbuf_addc(sb, '}');
}

void stat_json_listing(struct strbuf *sb, const struct stat_table *t)
{
	strbuf_adds(sb, ", \"ordered_by\": ");
	text_json_opt_string(sb, t->sorted ? t->sort_type : NULL);
	strbuf_addf(sb, ", \"functions_total\": %zu, \"functions_listed\": %zu,\n \"functions\": [", t->nentries,
		    t->nrows);
}

void stat_json_row_key(struct strbuf *sb, const struct stat_row *r)
{
	strbuf_adds(sb, "\"file\": ");
	text_json_string(sb, r->file, r->file_len);
	strbuf_addf(sb, ", \"line\": %lld, \"name\": ", (long long)r->line);
	text_json_string(sb, r->name, r->name_len);
	strbuf_addf(sb, ", \"index\": %lld", (long long)r->idx);
}

void stat_write_json(FILE *out, const struct stat_table *t)
{
	if (t->kind != PV_KIND_CALLS) {
		stat_write_sampled_json(out, t);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	char *buf = NULL;
	size_t cap = 0;
	stat_json_profile_head(&sb, t);
	strbuf_addf(&sb, ",\n \"total_calls\": %lld, \"primitive_calls\": %lld, \"total_time\": ",
		    (long long)t->total_calls, (long long)t->prim_calls);
	text_json_number(&sb, t->total_tt);
	stat_json_listing(&sb, t);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		strbuf_adds(&sb, i ? ",\n  {" : "\n  {");
		stat_json_row_key(&sb, r);
		size_t len = pv_std_name_raw(r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		strbuf_adds(&sb, ", \"stdname\": ");
		text_json_string(&sb, buf, len);
		strbuf_addf(&sb, ", \"calls\": %lld, \"primitive_calls\": %lld, \"tottime\": ", (long long)r->calls,
			    (long long)r->pcalls);
		text_json_number(&sb, r->tottime);
		strbuf_adds(&sb, ", \"tottime_per_call\": ");
		if (r->calls)
			text_json_number(&sb, r->tottime / (double)r->calls);
		else
			strbuf_adds(&sb, "null");
		strbuf_adds(&sb, ", \"cumtime\": ");
		text_json_number(&sb, r->cumtime);
		strbuf_adds(&sb, ", \"cumtime_per_call\": ");
		if (r->pcalls)
			text_json_number(&sb, r->cumtime / (double)r->pcalls);
		else
			strbuf_adds(&sb, "null");
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "\n ]}\n");
	fwrite(sb.buf, 1, sb.len, out);
	free(buf);
	strbuf_release(&sb);
}

static void stat_csv_num(struct strbuf *sb, double v)
{
	char num[32];
	pyrepr_float(v, num);
	strbuf_adds(sb, num);
}

void stat_write_csv(FILE *out, const struct stat_table *t)
{
	if (t->kind != PV_KIND_CALLS) {
		stat_write_sampled_csv(out, t);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "calls,primitive_calls,tottime,tottime_per_call,cumtime,cumtime_per_call,file,line,name\r\n");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		strbuf_addf(&sb, "%lld,%lld,", (long long)r->calls, (long long)r->pcalls);
		stat_csv_num(&sb, r->tottime);
		strbuf_addc(&sb, ',');
		if (r->calls)
			stat_csv_num(&sb, r->tottime / (double)r->calls);
		strbuf_addc(&sb, ',');
		stat_csv_num(&sb, r->cumtime);
		strbuf_addc(&sb, ',');
		if (r->pcalls)
			stat_csv_num(&sb, r->cumtime / (double)r->pcalls);
		strbuf_addc(&sb, ',');
		text_csv_field(&sb, r->file, r->file_len);
		strbuf_addf(&sb, ",%lld,", (long long)r->line);
		text_csv_field(&sb, r->name, r->name_len);
		strbuf_adds(&sb, "\r\n");
		text_spill(out, &sb);
	}
	fwrite(strbuf_str(&sb), 1, sb.len, out);
	strbuf_release(&sb);
}

void stat_write_as(FILE *out, const struct stat_table *t, const char *format)
{
	if (strcmp(format, "json") == 0)
		stat_write_json(out, t);
	else if (strcmp(format, "csv") == 0)
		stat_write_csv(out, t);
	else
		stat_write_text(out, t);
}
