#include "call_write.h"
#include "stat_write.h"
#include "text_bytes.h"
#include "../analysis/units.h"
#include "../analysis/utf8.h"

#include <stdlib.h>
#include <string.h>

static void call_pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/* func_std_string(f).ljust(width): pads by code points (bytes for Python 2) */
static void call_write_name_ljust(FILE *out, const char *s, size_t len, size_t width, int py2)
{
	size_t cp = utf8_width(s, len, py2);
	text_write_raw(out, s, len);
	if (cp < width)
		call_pad(out, width - cp);
}

/* One "%8.3f"-wide number: pstats' f8 for cProfile data, the unit's own
 * notation for sampled data. */
static void call_write_num(FILE *out, const struct call_table *c, double v)
{
	if (c->stats.kind == PV_KIND_CALLS) {
		fprintf(out, "%8.3f", v);
		return;
	}
	char buf[32];
	unit_format(v, c->stats.unit, buf, sizeof(buf));
	fprintf(out, "%8s", buf);
}

/* print_call_line(): the function, its arrow, then one entry per line, the
 * first on the function's own line. */
static void call_write_line(FILE *out, const struct call_table *c, size_t row, char **buf, size_t *cap)
{
	const struct stat_row *r = &c->stats.rows[row];
	size_t len = pv_display_name_raw(c->stats.kind, r->file, r->file_len, r->line, r->name, r->name_len, buf, cap);
	call_write_name_ljust(out, *buf, len, c->width, c->stats.py2);
	fputs(c->direction == CALL_CALLERS ? "<-" : "->", out);
	size_t first = c->start[row], end = c->start[row + 1];
	if (first == end) {
		/* print(..., end=' ') then print(); Python 2's `print x,` then `print`
		 * leaves the pending soft space unwritten */
		fputs(c->stats.py2 ? "\n" : " \n", out);
		return;
	}
	fputc(' ', out);
	for (size_t k = first; k < end; k++) {
		const struct call_entry *e = &c->entries[k];
		int indent = k > first;
		size_t nlen = pv_display_name_raw(c->stats.kind, e->file, e->file_len, e->line, e->name, e->name_len, buf, cap);
		if (e->timed) {
			char calls[64];
			if (c->stats.kind == PV_KIND_CALLS && e->calls != e->pcalls)
				snprintf(calls, sizeof(calls), "%lld/%lld", (long long)e->calls, (long long)e->pcalls);
			else
				snprintf(calls, sizeof(calls), "%lld", (long long)e->calls);
			if (indent)
				call_pad(out, c->width + 1);
			fprintf(out, "%*s ", indent ? 9 : 7, calls);
			call_write_num(out, c, e->tottime);
			fputc(' ', out);
			call_write_num(out, c, e->cumtime);
			fputs("  ", out);
			text_write_raw(out, *buf, nlen);
		} else {
			if (indent)
				call_pad(out, c->width + 3);
			text_write_raw(out, *buf, nlen);
			fprintf(out, "(%lld) ", (long long)e->calls);
			call_write_num(out, c, e->other_cumtime);
		}
		fputc('\n', out);
	}
}

void call_write_text(FILE *out, const struct call_table *c)
{
	const struct stat_table *t = &c->stats;
	if (t->nrows == 0)
		return;
	fputs(strbuf_str(&t->msg), out);
	fputc('\n', out);
	const char *title = c->direction == CALL_CALLERS ? "was called by..." : "called...";
	fputs("Function ", out);
	if (c->width > 9)
		call_pad(out, c->width - 9);
	fprintf(out, "%s\n", title);
	if (c->subheader) {
		call_pad(out, c->width);
		if (t->kind == PV_KIND_CALLS)
			fputs("    ncalls  tottime  cumtime\n", out);
		else if (t->kind == PV_KIND_EVENTED)
			fputs("    ncalls     self    total\n", out);
		else
			fputs("   samples     self    total\n", out);
	}
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < t->nrows; i++)
		call_write_line(out, c, i, &buf, &cap);
	free(buf);
	fputs("\n\n", out);
}

static void call_json_stats(struct strbuf *sb, const struct stat_table *t, int64_t calls, int64_t pcalls,
			    double tottime, double cumtime)
{
	int calls_kind = t->kind == PV_KIND_CALLS;
	strbuf_addf(sb, calls_kind ? "\"calls\": %lld, \"primitive_calls\": %lld, \"tottime\": "
		    : t->kind == PV_KIND_EVENTED ? "\"calls\": %lld, \"primitive_calls\": %lld, \"self\": "
						 : "\"samples\": %lld, \"self_samples\": %lld, \"self\": ",
		    (long long)calls, (long long)pcalls);
	text_json_number(sb, tottime);
	strbuf_adds(sb, calls_kind ? ", \"cumtime\": " : ", \"total\": ");
	text_json_number(sb, cumtime);
}

void call_write_json(FILE *out, const struct call_table *c)
{
	const struct stat_table *t = &c->stats;
	struct strbuf sb = STRBUF_INIT;
	char *buf = NULL;
	size_t cap = 0;
	const char *list = c->direction == CALL_CALLERS ? "callers" : "callees";
	stat_json_profile_head(&sb, t);
	strbuf_addf(&sb, ",\n \"direction\": \"%s\"", list);
	stat_json_listing(&sb, t);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		strbuf_adds(&sb, i ? ",\n  {" : "\n  {");
		stat_json_row_key(&sb, r);
		size_t len = pv_display_name_raw(c->stats.kind, r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		strbuf_adds(&sb, ", \"display\": ");
		text_json_string(&sb, buf, len);
		strbuf_adds(&sb, ", ");
		call_json_stats(&sb, t, r->calls, r->pcalls, r->tottime, r->cumtime);
		strbuf_addf(&sb, ",\n   \"%s\": [", list);
		for (size_t k = c->start[i]; k < c->start[i + 1]; k++) {
			const struct call_entry *e = &c->entries[k];
			strbuf_adds(&sb, k > c->start[i] ? ",\n    {\"file\": " : "\n    {\"file\": ");
			text_json_string(&sb, e->file, e->file_len);
			strbuf_addf(&sb, ", \"line\": %lld, \"name\": ", (long long)e->line);
			text_json_string(&sb, e->name, e->name_len);
			strbuf_addf(&sb, ", \"index\": %lld", (long long)e->idx);
			len = pv_display_name_raw(c->stats.kind, e->file, e->file_len, e->line, e->name, e->name_len, &buf, &cap);
			strbuf_adds(&sb, ", \"display\": ");
			text_json_string(&sb, buf, len);
			strbuf_adds(&sb, ", ");
			if (e->timed)
				call_json_stats(&sb, t, e->calls, e->pcalls, e->tottime, e->cumtime);
			else
				strbuf_addf(&sb, "\"count\": %lld", (long long)e->calls);
			strbuf_addc(&sb, '}');
		}
		strbuf_adds(&sb, c->start[i] < c->start[i + 1] ? "\n   ]}" : "]}");
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "\n ]}\n");
	fwrite(sb.buf, 1, sb.len, out);
	free(buf);
	strbuf_release(&sb);
}
