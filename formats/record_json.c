#include "record_json.h"
#include "text_bytes.h"

#include <stdlib.h>
#include <string.h>

void record_json_profile(struct strbuf *sb, const struct store_meta *m)
{
	strbuf_addf(sb, "{\"id\": %lld, \"name\": ", (long long)m->id);
	text_json_opt_string(sb, m->name);
	strbuf_adds(sb, ", \"names\": [");
	for (size_t i = 0; i < m->nnames; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		text_json_opt_string(sb, m->names[i]);
	}
	strbuf_addc(sb, ']');
	strbuf_adds(sb, ", \"source\": ");
	text_json_opt_string(sb, m->source);
	strbuf_adds(sb, ", \"format\": ");
	text_json_opt_string(sb, m->format);
	strbuf_adds(sb, ", \"producer\": ");
	text_json_opt_string(sb, m->producer);
	strbuf_adds(sb, ", \"kind\": ");
	text_json_opt_string(sb, m->kind);
	strbuf_adds(sb, ", \"unit\": ");
	text_json_opt_string(sb, m->unit);
	strbuf_adds(sb, ", \"thread\": ");
	text_json_opt_string(sb, m->thread);
	strbuf_addf(sb, ", \"part\": %lld, \"group_id\": ", (long long)m->part);
	if (m->group_id)
		strbuf_addf(sb, "%lld", (long long)m->group_id);
	else
		strbuf_adds(sb, "null");
	strbuf_adds(sb, ", \"imported_at\": ");
	text_json_opt_string(sb, m->imported_at);
	strbuf_adds(sb, ", \"content_hash\": ");
	text_json_opt_string(sb, m->content_hash);
	strbuf_addf(sb, ", \"function_count\": %lld, \"edge_count\": %lld, \"node_count\": %lld",
		    (long long)m->function_count, (long long)m->edge_count, (long long)m->node_count);
	strbuf_addf(sb, ", \"total_calls\": %lld, \"primitive_calls\": %lld, \"total_time\": ", (long long)m->total_calls,
		    (long long)m->primitive_calls);
	text_json_number(sb, m->total_time);
	strbuf_adds(sb, ", \"total_weight\": ");
	text_json_number(sb, m->total_weight);
	strbuf_addf(sb, ", \"total_samples\": %lld, \"total\": ", (long long)m->total_samples);
	/* the profile's 100 %, in unit: total_weight is cProfile's total_time too (docs/schema.md) */
	text_json_number(sb, m->total_weight);
	/* the names `list --format json` documented before PROFILE was one record */
	strbuf_addf(sb, ", \"functions\": %lld, \"calls\": %lld, \"samples\": %lld, \"group\": ",
		    (long long)m->function_count, (long long)m->total_calls, (long long)m->total_samples);
	if (m->group_id)
		strbuf_addf(sb, "%lld}", (long long)m->group_id);
	else
		strbuf_adds(sb, "null}");
}

void record_json_func(struct strbuf *sb, enum pv_kind kind, const struct stat_row *r)
{
	char *buf = NULL;
	size_t cap = 0;
	strbuf_addf(sb, "{\"index\": %lld, \"file\": ", (long long)r->idx);
	text_json_string(sb, r->file, r->file_len);
	strbuf_addf(sb, ", \"line\": %lld, \"name\": ", (long long)r->line);
	text_json_string(sb, r->name, r->name_len);
	size_t len = pv_std_name_raw(r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
	strbuf_adds(sb, ", \"stdname\": ");
	text_json_string(sb, buf, len);
	len = pv_display_name_raw(kind, r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
	strbuf_adds(sb, ", \"display\": ");
	text_json_string(sb, buf, len);
	strbuf_addf(sb, ", \"calls\": %lld, \"primitive_calls\": %lld, \"self\": ", (long long)r->calls,
		    (long long)r->pcalls);
	text_json_number(sb, r->tottime);
	strbuf_adds(sb, ", \"total\": ");
	text_json_number(sb, r->cumtime);
	strbuf_addc(sb, '}');
	free(buf);
}

static void record_json_funcs(struct strbuf *sb, const char *key, const struct stat_table *t)
{
	strbuf_addf(sb, ",\n \"%s\": [", key);
	for (size_t i = 0; i < t->nrows; i++) {
		strbuf_adds(sb, i ? ",\n  " : "\n  ");
		record_json_func(sb, t->kind, &t->rows[i]);
	}
	strbuf_adds(sb, "]");
}

void record_json_summary(struct strbuf *sb, const struct store_meta *m, const struct stat_table *by_self,
			 const struct stat_table *by_total)
{
	strbuf_adds(sb, "{\"profile\": ");
	record_json_profile(sb, m);
	strbuf_adds(sb, ",\n \"top_level\": [");
	for (size_t i = 0; i < by_self->ntop_level; i++) {
		strbuf_adds(sb, i ? ", " : "");
		text_json_opt_string(sb, by_self->top_level[i]);
	}
	strbuf_adds(sb, "]");
	record_json_funcs(sb, "top_self", by_self);
	record_json_funcs(sb, "top_total", by_total);
	strbuf_adds(sb, "}\n");
}

void record_json_profile_func(struct strbuf *sb, const struct profile *p, uint32_t f)
{
	const struct pv_func *fn = &p->funcs[f];
	const struct pv_str *file = profile_str(p, fn->file), *name = profile_str(p, fn->name);
	struct stat_row r = {
		.idx = f, .file = file->s, .name = name->s, .file_len = file->len, .name_len = name->len,
		.line = fn->line, .pcalls = fn->pcalls, .calls = fn->calls, .tottime = fn->tottime,
		.cumtime = fn->cumtime, .annotation = fn->annotation,
	};
	record_json_func(sb, p->kind, &r);
}

void record_json_error(struct strbuf *sb, int status, const char *message)
{
	strbuf_addf(sb, "{\"error\": {\"status\": %d, \"message\": ", status);
	text_json_opt_string(sb, message);
	strbuf_adds(sb, "}}");
}
