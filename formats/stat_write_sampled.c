/* The function table of sampled and evented profiles: pprof's "top" columns
 * (self, self%, sum%, total, total%) in the profile's own unit, not pstats'
 * call columns, which such data does not have. */
#include "stat_write.h"
#include "text_bytes.h"
#include "../analysis/pyrepr.h"
#include "../analysis/units.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void sampled_pct(char *buf, size_t size, double v, double total)
{
	if (total > 0)
		snprintf(buf, size, "%.2f%%", 100.0 * v / total);
	else
		snprintf(buf, size, "-");
}

/* The "samples" column is worth showing when weights are not sample counts. */
static int sampled_has_samples(const struct stat_table *t)
{
	return t->kind == PV_KIND_SAMPLED && strcmp(t->unit, "samples") != 0;
}

enum { COL_CALLS, COL_SELF, COL_SELFP, COL_SUMP, COL_TOTAL, COL_TOTALP, COL_SAMPLES, NCOLS };

void stat_write_sampled_text(FILE *out, const struct stat_table *t)
{
	static const char *const heads[NCOLS] = { "ncalls", "self", "self%", "sum%", "total", "total%", "samples" };
	int show[NCOLS] = { t->kind == PV_KIND_EVENTED, 1, 1, 1, 1, 1, sampled_has_samples(t) };
	char w[32];
	if (t->source) {
		text_write_raw(out, t->source, strlen(t->source));
		fputc('\n', out);
	}
	if (t->thread) {
		fputs("thread ", out);
		text_write_raw(out, t->thread, strlen(t->thread));
		fputc('\n', out);
	}
	if (t->source || t->thread)
		fputc('\n', out);
	unit_format(t->total_weight, t->unit, w, sizeof(w));
	if (t->kind == PV_KIND_EVENTED) {
		fprintf(out, "         %lld calls ", (long long)t->total_calls);
		if (t->total_calls != t->prim_calls)
			fprintf(out, "(%lld primitive) ", (long long)t->prim_calls);
		fprintf(out, "in %s", w);
	} else if (sampled_has_samples(t)) {
		fprintf(out, "         %lld samples, %s", (long long)t->total_samples, w);
	} else {
		fprintf(out, "         %s samples", w);
	}
	if (strcmp(t->unit, "samples") != 0)
		fprintf(out, " (%s)", t->unit);
	fprintf(out, ", %zu functions, %lld call-tree nodes\n\n", t->nentries,
		(long long)(t->node_count > 0 ? t->node_count - 1 : 0));
	if (t->nrows == 0)
		return;
	fputs(strbuf_str(&t->msg), out);
	fputc('\n', out);

	/* cells first, then widths */
	char(*cells)[NCOLS][32] = malloc(t->nrows * sizeof(*cells));
	size_t width[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(heads[c]);
	double sum = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		sum += r->tottime;
		if (r->calls != r->pcalls)
			snprintf(cells[i][COL_CALLS], 32, "%lld/%lld", (long long)r->calls, (long long)r->pcalls);
		else
			snprintf(cells[i][COL_CALLS], 32, "%lld", (long long)r->calls);
		unit_format(r->tottime, t->unit, cells[i][COL_SELF], 32);
		sampled_pct(cells[i][COL_SELFP], 32, r->tottime, t->total_weight);
		sampled_pct(cells[i][COL_SUMP], 32, sum, t->total_weight);
		unit_format(r->cumtime, t->unit, cells[i][COL_TOTAL], 32);
		sampled_pct(cells[i][COL_TOTALP], 32, r->cumtime, t->total_weight);
		snprintf(cells[i][COL_SAMPLES], 32, "%lld", (long long)r->calls);
		for (int c = 0; c < NCOLS; c++)
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	for (int c = 0; c < NCOLS; c++)
		if (show[c])
			fprintf(out, "%*s  ", (int)width[c], heads[c]);
	fputs("function\n", out);
	char *buf = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		for (int c = 0; c < NCOLS; c++)
			if (show[c])
				fprintf(out, "%*s  ", (int)width[c], cells[i][c]);
		size_t len = pv_frame_name_raw(r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		text_write_raw(out, buf, len);
		fputc('\n', out);
	}
	free(buf);
	free(cells);
	fputc('\n', out);
}

void stat_write_sampled_json(FILE *out, const struct stat_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	char *buf = NULL;
	size_t cap = 0;
	stat_json_profile_head(&sb, t);
	strbuf_adds(&sb, ",\n \"total_weight\": ");
	text_json_number(&sb, t->total_weight);
	strbuf_addf(&sb, ", \"total_samples\": %lld, \"total_calls\": %lld, \"primitive_calls\": %lld, \"tree_nodes\": %lld",
		    (long long)(t->kind == PV_KIND_SAMPLED ? t->total_samples : 0), (long long)t->total_calls,
		    (long long)t->prim_calls, (long long)(t->node_count > 0 ? t->node_count - 1 : 0));
	stat_json_listing(&sb, t);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		strbuf_adds(&sb, i ? ",\n  {" : "\n  {");
		stat_json_row_key(&sb, r);
		size_t len = pv_frame_name_raw(r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		strbuf_adds(&sb, ", \"display\": ");
		text_json_string(&sb, buf, len);
		strbuf_adds(&sb, ", \"annotation\": ");
		if (r->annotation)
			strbuf_addf(&sb, "\"%c\"", r->annotation);
		else
			strbuf_adds(&sb, "null");
		strbuf_adds(&sb, ", \"self\": ");
		text_json_number(&sb, r->tottime);
		strbuf_adds(&sb, ", \"total\": ");
		text_json_number(&sb, r->cumtime);
		if (t->kind == PV_KIND_EVENTED)
			strbuf_addf(&sb, ", \"calls\": %lld, \"primitive_calls\": %lld", (long long)r->calls,
				    (long long)r->pcalls);
		else
			strbuf_addf(&sb, ", \"samples\": %lld, \"self_samples\": %lld", (long long)r->calls,
				    (long long)r->pcalls);
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "\n ]}\n");
	fwrite(sb.buf, 1, sb.len, out);
	free(buf);
	strbuf_release(&sb);
}

void stat_write_sampled_csv(FILE *out, const struct stat_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	char num[32];
	int evented = t->kind == PV_KIND_EVENTED;
	strbuf_adds(&sb, evented ? "self,total,calls,primitive_calls,file,line,name,annotation\r\n"
				 : "self,total,samples,self_samples,file,line,name,annotation\r\n");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct stat_row *r = &t->rows[i];
		pyrepr_float(r->tottime, num);
		strbuf_adds(&sb, num);
		strbuf_addc(&sb, ',');
		pyrepr_float(r->cumtime, num);
		strbuf_adds(&sb, num);
		strbuf_addf(&sb, ",%lld,%lld,", (long long)r->calls, (long long)r->pcalls);
		text_csv_field(&sb, r->file, r->file_len);
		strbuf_addf(&sb, ",%lld,", (long long)r->line);
		text_csv_field(&sb, r->name, r->name_len);
		strbuf_addc(&sb, ',');
		if (r->annotation)
			strbuf_addc(&sb, r->annotation);
		strbuf_adds(&sb, "\r\n");
		text_spill(out, &sb);
	}
	fwrite(strbuf_str(&sb), 1, sb.len, out);
	strbuf_release(&sb);
}
