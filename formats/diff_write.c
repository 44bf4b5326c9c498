#include "diff_write.h"
#include "text_bytes.h"
#include "../analysis/pyrepr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const diff_status_words[] = { "both", "added", "removed" };
static const char *const diff_match_words[] = { NULL, "exact", "file+name", "name" };

static int diff_unit_is_seconds(const struct profile *p)
{
	return strcmp(profile_unit(p), "seconds") == 0;
}

/* Times with enough decimals to show the total with 3 significant digits
 * (pstats' 3 decimals for anything over 0.1 s); other weights and counts
 * whole when they are, else with one decimal (normalized counts). decimals < 0:
 * not a time. */
static void diff_fmt(char *buf, size_t size, double v, int decimals, int sign)
{
	if (decimals >= 0)
		snprintf(buf, size, sign ? "%+.*f" : "%.*f", decimals, v);
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, sign ? "%+.0f" : "%.0f", v);
	else
		snprintf(buf, size, sign ? "%+.1f" : "%.1f", v);
}

static int diff_decimals(const struct diff *d)
{
	if (!diff_unit_is_seconds(d->base))
		return -1;
	double t = fmax(fabs(d->time_before), fabs(d->time_after));
	if (!(t > 0) || t >= 0.1)
		return 3;
	int dec = 2 - (int)floor(log10(t));
	return dec > 9 ? 9 : dec;
}

static void diff_fmt_pct(char *buf, size_t size, const struct diff_row *r, int col)
{
	double b = r->before[col], a = r->after[col];
	if (r->status == DIFF_ADDED)
		snprintf(buf, size, "new");
	else if (r->status == DIFF_REMOVED)
		snprintf(buf, size, "gone");
	else if (b == 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%+.1f%%", (a - b) / b * 100.0);
}

static void diff_write_side(FILE *out, const char *tag, const struct diff_side_label *l, const struct profile *p)
{
	fprintf(out, "%s %lld", tag, (long long)l->id);
	if (l->name) {
		fputs(" (", out);
		text_write_raw(out, l->name, strlen(l->name));
		fputc(')', out);
	}
	if (l->source) {
		fputs(" ", out);
		text_write_raw(out, l->source, strlen(l->source));
	}
	fprintf(out, "  [%s, %s]\n", p->format ? p->format : "?", profile_unit(p));
}

/* One group of four cells: before, after, delta, %. */
static void diff_write_cells(FILE *out, const char *b, const char *a, const char *dl, const char *pct, int w)
{
	/* a space before every cell, however wide its text */
	fprintf(out, " %*s %*s %*s %8s", w - 1, b, w - 1, a, w - 1, dl, pct);
}

void diff_write_text(FILE *out, const struct diff *d, const struct diff_side_label *base,
		     const struct diff_side_label *new)
{
	int dec = diff_decimals(d);
	int calls_kind = d->base->kind == PV_KIND_CALLS;
	const char *unit = profile_unit(d->base);
	/* time cells grow with their decimals; counts take 10 */
	int tw = dec + 7 > 10 ? dec + 7 : 10, cw = 10;
	char b[64], a[64], dl[64], pct[32];
	diff_write_side(out, "BASE", base, d->base);
	diff_write_side(out, "NEW ", new, d->new);
	if (d->normalized)
		fprintf(out, "NEW scaled by %.6g to BASE's total%s\n", d->scale,
			d->units_differ ? " (the units differ)" : " (--normalize)");
	if (d->lines_dropped)
		fputs("Line numbers ignored when matching functions\n", out);
	diff_fmt(b, sizeof(b), d->time_before, dec, 0);
	diff_fmt(a, sizeof(a), d->time_after, dec, 0);
	diff_fmt(dl, sizeof(dl), d->time_after - d->time_before, dec, 1);
	fprintf(out, "\nTotal %s: %s -> %s %s (%s", calls_kind ? "time" : "weight", b, a, unit, dl);
	if (d->time_before != 0)
		fprintf(out, ", %+.1f%%", (d->time_after - d->time_before) / d->time_before * 100.0);
	fprintf(out, ")\nFunctions: %zu in both, %zu added, %zu removed", d->matched, d->added, d->removed);
	if (d->nlist < d->nrows)
		fprintf(out, "; %zu listed", d->nlist);
	fprintf(out, "\n   Ordered by: %s\n\n", d->ordered_label);

	static const char *const calls_heads[DIFF_NCOLS] = { "tottime", "cumtime", "ncalls" };
	static const char *const tree_heads[DIFF_NCOLS] = { "self", "total", "samples" };
	const char *const *heads = calls_kind ? calls_heads : tree_heads;
	/* group titles centred over their four cells */
	int pending = 0;
	for (int c = 0; c < DIFF_NCOLS; c++) {
		int w = 3 * (c == DIFF_CALLS ? cw : tw) + 9, len = (int)strlen(heads[c]);
		int left = (w - len) / 2;
		fprintf(out, "%*s%s", pending + left, "", heads[c]);
		pending = w - left - len;
	}
	fputc('\n', out);
	for (int c = 0; c < DIFF_NCOLS; c++) {
		int w = c == DIFF_CALLS ? cw : tw;
		diff_write_cells(out, "before", "after", "delta", "%", w);
	}
	fputs("  function\n", out);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < d->nlist; i++) {
		const struct diff_row *r = &d->rows[d->list[i]];
		for (int c = 0; c < DIFF_NCOLS; c++) {
			int cd = c == DIFF_CALLS ? -1 : dec;
			diff_fmt(b, sizeof(b), r->before[c], cd, 0);
			diff_fmt(a, sizeof(a), r->after[c], cd, 0);
			diff_fmt(dl, sizeof(dl), r->after[c] - r->before[c], cd, 1);
			diff_fmt_pct(pct, sizeof(pct), r, c);
			if (r->status == DIFF_ADDED)
				snprintf(b, sizeof(b), "-");
			if (r->status == DIFF_REMOVED)
				snprintf(a, sizeof(a), "-");
			diff_write_cells(out, b, a, dl, pct, c == DIFF_CALLS ? cw : tw);
		}
		fputs("  ", out);
		size_t len = diff_row_name(d, r, &buf, &cap);
		text_write_raw(out, buf, len);
		if (r->status == DIFF_BOTH && r->match != DIFF_MATCH_EXACT) {
			const struct pv_func *f = &d->new->funcs[r->new];
			size_t nlen = profile_display_name_buf(d->new, f, &buf, &cap);
			fputs("  => ", out);
			text_write_raw(out, buf, nlen);
		}
		fputc('\n', out);
	}
	free(buf);
	/* totals: the time under tottime, the calls under ncalls */
	diff_fmt(b, sizeof(b), d->time_before, dec, 0);
	diff_fmt(a, sizeof(a), d->time_after, dec, 0);
	diff_fmt(dl, sizeof(dl), d->time_after - d->time_before, dec, 1);
	pct[0] = '\0';
	if (d->time_before != 0)
		snprintf(pct, sizeof(pct), "%+.1f%%", (d->time_after - d->time_before) / d->time_before * 100.0);
	diff_write_cells(out, b, a, dl, pct, tw);
	diff_write_cells(out, "", "", "", "", tw);
	diff_fmt(b, sizeof(b), d->calls_before, -1, 0);
	diff_fmt(a, sizeof(a), d->calls_after, -1, 0);
	diff_fmt(dl, sizeof(dl), d->calls_after - d->calls_before, -1, 1);
	pct[0] = '\0';
	if (d->calls_before != 0)
		snprintf(pct, sizeof(pct), "%+.1f%%", (d->calls_after - d->calls_before) / d->calls_before * 100.0);
	diff_write_cells(out, b, a, dl, pct, cw);
	fputs("  (total)\n", out);
}

static void diff_json_change(struct strbuf *sb, double before, double after)
{
	strbuf_adds(sb, "{\"before\": ");
	text_json_number(sb, before);
	strbuf_adds(sb, ", \"after\": ");
	text_json_number(sb, after);
	strbuf_adds(sb, ", \"delta\": ");
	text_json_number(sb, after - before);
	strbuf_adds(sb, ", \"pct\": ");
	if (before != 0)
		text_json_number(sb, (after - before) / before * 100.0);
	else
		strbuf_adds(sb, "null");
	strbuf_addc(sb, '}');
}

static const char *diff_kind_word(const struct profile *p)
{
	return p->kind == PV_KIND_CALLS ? "calls" : p->kind == PV_KIND_EVENTED ? "evented" : "sampled";
}

static void diff_json_side(struct strbuf *sb, const struct diff_side_label *l, const struct profile *p)
{
	strbuf_addf(sb, "{\"id\": %lld, \"name\": ", (long long)l->id);
	text_json_opt_string(sb, l->name);
	strbuf_adds(sb, ", \"source\": ");
	text_json_opt_string(sb, l->source);
	strbuf_adds(sb, ", \"format\": ");
	text_json_opt_string(sb, p->format);
	strbuf_adds(sb, ", \"kind\": ");
	text_json_opt_string(sb, diff_kind_word(p));
	strbuf_adds(sb, ", \"unit\": ");
	text_json_opt_string(sb, profile_unit(p));
	strbuf_adds(sb, ", \"total_time\": ");
	text_json_number(sb, p->kind == PV_KIND_CALLS ? p->total_tt : p->total_weight);
	strbuf_addf(sb, ", \"total_calls\": %lld, \"functions\": %zu}",
		    (long long)(p->kind == PV_KIND_CALLS ? p->total_calls : p->total_samples), p->nstats);
}

static void diff_json_key(struct strbuf *sb, const struct profile *p, const struct pv_func *f, const char *prefix)
{
	const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
	strbuf_addf(sb, "\"%sfile\": ", prefix);
	text_json_string(sb, file->s, file->len);
	strbuf_addf(sb, ", \"%sline\": %lld, \"%sname\": ", prefix, (long long)f->line, prefix);
	text_json_string(sb, name->s, name->len);
}

void diff_write_json(FILE *out, const struct diff *d, const struct diff_side_label *base,
		     const struct diff_side_label *new, const struct diff_gate *gate)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "{\"base\": ");
	diff_json_side(&sb, base, d->base);
	strbuf_adds(&sb, ",\n \"new\": ");
	diff_json_side(&sb, new, d->new);
	strbuf_addf(&sb, ",\n \"normalized\": %s, \"scale\": ", d->normalized ? "true" : "false");
	text_json_number(&sb, d->scale);
	strbuf_adds(&sb, ", \"calls_scale\": ");
	text_json_number(&sb, d->calls_scale);
	strbuf_addf(&sb, ", \"lines_ignored\": %s, \"ordered_by\": ", d->lines_dropped ? "true" : "false");
	text_json_opt_string(&sb, d->ordered_by);
	strbuf_addf(&sb, ",\n \"matched\": %zu, \"added\": %zu, \"removed\": %zu, \"listed\": %zu,\n \"total\": {\"time\": ",
		    d->matched, d->added, d->removed, d->nlist);
	diff_json_change(&sb, d->time_before, d->time_after);
	strbuf_adds(&sb, ", \"calls\": ");
	diff_json_change(&sb, d->calls_before, d->calls_after);
	strbuf_adds(&sb, "},\n \"gate\": ");
	if (!gate || !gate->active) {
		strbuf_adds(&sb, "null");
	} else {
		strbuf_addf(&sb, "{\"what\": \"%s\", \"function\": ", gate->on_function ? "function" : "total");
		text_json_opt_string(&sb, gate->on_function ? gate->function : NULL);
		strbuf_adds(&sb, ", \"before\": ");
		text_json_number(&sb, gate->before);
		strbuf_adds(&sb, ", \"after\": ");
		text_json_number(&sb, gate->after);
		strbuf_adds(&sb, ", \"pct\": ");
		text_json_number(&sb, gate->pct);
		strbuf_adds(&sb, ", \"limit\": ");
		text_json_number(&sb, gate->limit);
		strbuf_addf(&sb, ", \"failed\": %s}", gate->failed ? "true" : "false");
	}
	strbuf_adds(&sb, ",\n \"functions\": [");
	for (size_t i = 0; i < d->nlist; i++) {
		const struct diff_row *r = &d->rows[d->list[i]];
		strbuf_addf(&sb, "%s{\"status\": \"%s\", \"match\": ", i ? ",\n  " : "\n  ", diff_status_words[r->status]);
		text_json_opt_string(&sb, diff_match_words[r->match]);
		strbuf_adds(&sb, ", ");
		diff_json_key(&sb, diff_row_profile(d, r), diff_row_func(d, r), "");
		if (r->status == DIFF_BOTH && r->match != DIFF_MATCH_EXACT) {
			strbuf_adds(&sb, ", ");
			diff_json_key(&sb, d->new, &d->new->funcs[r->new], "new_");
		}
		static const char *const cols[DIFF_NCOLS] = { "tottime", "cumtime", "calls" };
		for (int c = 0; c < DIFF_NCOLS; c++) {
			strbuf_addf(&sb, ", \"%s\": ", cols[c]);
			diff_json_change(&sb, r->before[c], r->after[c]);
		}
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "\n ]}\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
}

static void diff_csv_num(struct strbuf *sb, double v)
{
	char num[32];
	pyrepr_float(v, num);
	strbuf_adds(sb, num);
}

void diff_write_csv(FILE *out, const struct diff *d)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "status,match,file,line,name");
	static const char *const cols[DIFF_NCOLS] = { "tottime", "cumtime", "calls" };
	for (int c = 0; c < DIFF_NCOLS; c++)
		strbuf_addf(&sb, ",%s_before,%s_after,%s_delta,%s_pct", cols[c], cols[c], cols[c], cols[c]);
	strbuf_adds(&sb, "\r\n");
	for (size_t i = 0; i < d->nlist; i++) {
		const struct diff_row *r = &d->rows[d->list[i]];
		const struct profile *p = diff_row_profile(d, r);
		const struct pv_func *f = diff_row_func(d, r);
		strbuf_addf(&sb, "%s,%s,", diff_status_words[r->status],
			    diff_match_words[r->match] ? diff_match_words[r->match] : "");
		text_csv_field(&sb, profile_str(p, f->file)->s, profile_str(p, f->file)->len);
		strbuf_addf(&sb, ",%lld,", (long long)f->line);
		text_csv_field(&sb, profile_str(p, f->name)->s, profile_str(p, f->name)->len);
		for (int c = 0; c < DIFF_NCOLS; c++) {
			double b = r->before[c], a = r->after[c];
			strbuf_addc(&sb, ',');
			diff_csv_num(&sb, b);
			strbuf_addc(&sb, ',');
			diff_csv_num(&sb, a);
			strbuf_addc(&sb, ',');
			diff_csv_num(&sb, a - b);
			strbuf_addc(&sb, ',');
			if (b != 0)
				diff_csv_num(&sb, (a - b) / b * 100.0);
		}
		strbuf_adds(&sb, "\r\n");
		text_spill(out, &sb);
	}
	fwrite(strbuf_str(&sb), 1, sb.len, out);
	strbuf_release(&sb);
}
