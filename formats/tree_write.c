#include "tree_write.h"
#include "folded_frame.h"
#include "text_bytes.h"
#include "../analysis/pyrepr.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Integral weights print as integers (sample counts), others at full precision. */
static void tree_weight(struct strbuf *sb, double w)
{
	if (w == floor(w) && fabs(w) < 9007199254740992.0) {
		strbuf_addf(sb, "%.0f", w);
	} else {
		char num[32];
		pyrepr_float(w, num);
		strbuf_adds(sb, num);
	}
}

/* Which stacks the writers write: positive finite weight (speedscope refuses
 * negative weights, and JSON has no inf or nan). */
static int tree_weight_written(double w)
{
	return w > 0 && isfinite(w);
}

/* Function f's frame text, made once by folded_frame.c's rule and with its
 * escaped bytes raw again (text_unescape_raw: what text_write_raw() would
 * write): frames holds it at at[f], len[f] bytes; how[f] is 1 + what
 * folded_frame_write() said. */
static void folded_frame_text(const struct profile *p, uint32_t f, struct strbuf *frames, size_t *at, size_t *len,
			      char *how)
{
	const struct pv_func *fn = &p->funcs[f];
	const struct pv_str *name = profile_str(p, fn->name), *file = profile_str(p, fn->file);
	struct folded_frame fr = { name->s, file->s, name->len, file->len, fn->line, fn->annotation };
	at[f] = frames->len;
	how[f] = (char)(1 + folded_frame_write(frames, &fr));
	frames->len = at[f] + text_unescape_raw(frames->buf + at[f], frames->len - at[f]);
	len[f] = frames->len - at[f];
}

/* A whole count as "%.0f" writes it, without printf below 2^53. */
static void tree_count(struct strbuf *sb, double count)
{
	if (count >= 0 && count < 9007199254740992.0)
		strbuf_addu(sb, (uint64_t)count);
	else
		strbuf_addf(sb, "%.0f", count);
}

/* How much output is gathered before it goes to the stream in one write. */
#define TREE_WRITE_CHUNK (1u << 20)

/* Whether every stack's own weight is a whole number already. */
static int tree_weights_whole(const struct profile *p)
{
	for (size_t i = 0; i < p->nnodes; i++) {
		double w = p->nodes[i].self;
		if (w > 0 && w != floor(w))
			return 0;
	}
	return 1;
}

int folded_counts_choose(const struct profile *p, const char *want, struct folded_counts *c,
			 struct pv_error *err)
{
	const char *unit = profile_unit(p);
	double s = unit_seconds(unit);
	if (s > 0) {
		if (!want) {
			int own = strcmp(unit, "nanoseconds") == 0 ||
				  ((strcmp(unit, "microseconds") == 0 || strcmp(unit, "milliseconds") == 0) &&
				   tree_weights_whole(p));
			want = own ? unit : "microseconds";
		}
		if (strcmp(want, "seconds") == 0)
			return pv_error_usage(err, "--unit s: whole seconds would lose everything shorter; use ns, us or ms");
		if (!(unit_seconds(want) > 0))
			return pv_error_usage(err, "--unit %s does not fit: the profile's weights are time (%s); use ns, us or ms",
					      unit_short(want), unit);
		c->unit = want;
		/* units of time differ by powers of 1000: round the ratio so that whole
		 * milliseconds become exactly whole microseconds (1e-3 / 1e-6 is not 1000) */
		double to = unit_seconds(want);
		c->scale = s >= to ? round(s / to) : 1.0 / round(to / s);
		return 0;
	}
	if (want && strcmp(want, unit) != 0)
		return pv_error_usage(err, "--unit %s does not fit: the profile's weights are %s%s", unit_short(want), unit,
				      unit_seconds(want) > 0 ? ", not time" : "");
	c->unit = unit;
	c->scale = 1.0;
	return 0;
}

void folded_write(FILE *out, const struct profile *p, const struct folded_counts *c, struct folded_stats *st)
{
	uint32_t *first, *next;
	profile_tree_links(p, &first, &next);
	size_t n = p->nnodes;
	uint32_t *cursor = xmalloc((n ? n : 1) * sizeof(uint32_t));
	size_t *len_at = xmalloc((n ? n : 1) * sizeof(size_t));
	/* each function's frame text, made when first met: how[f] is 0 until then,
	 * else 1 + what folded_frame_write() said */
	size_t nf = p->nfuncs ? p->nfuncs : 1;
	size_t *frame_at = xmalloc(nf * sizeof(size_t)), *frame_len = xmalloc(nf * sizeof(size_t));
	char *how = xcalloc(nf, 1);
	struct strbuf frames = STRBUF_INIT;
	/* per function: the part of its self weight (in counts) not written yet */
	double *carry = xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof(double));
	struct strbuf path = STRBUF_INIT, lines = STRBUF_INIT;
	size_t depth = 1;
	memset(st, 0, sizeof(*st));
	cursor[0] = n ? first[0] : 0;
	len_at[0] = 0;
	while (depth) {
		uint32_t k = cursor[depth - 1];
		if (k == 0) {
			depth--;
			continue;
		}
		cursor[depth - 1] = next[k];
		path.len = len_at[depth - 1];
		if (depth > 1)
			strbuf_addc(&path, ';');
		const struct pv_node *node = &p->nodes[k];
		if (!how[node->func])
			folded_frame_text(p, node->func, &frames, frame_at, frame_len, how);
		strbuf_add(&path, frames.buf + frame_at[node->func], frame_len[node->func]);
		if (tree_weight_written(node->self)) {
			double exact = node->self * c->scale, want = exact + carry[node->func];
			double count = floor(want + 0.5);
			carry[node->func] = want - count;
			st->rounded += count != exact;
			st->exact += exact;
			st->written += count;
			if (count >= 1) {
				strbuf_add(&lines, path.buf, path.len);
				/* a leaf the line would lose (an empty name alone, a name
				 * ending in a blank before the count: only a bare name
				 * ends so) is written with " (:0)", read as the same */
				if (!path.len || path.buf[path.len - 1] == ' ' || path.buf[path.len - 1] == '\t')
					strbuf_adds(&lines, " (:0)");
				strbuf_addc(&lines, ' ');
				tree_count(&lines, count);
				strbuf_addc(&lines, '\n');
				st->lines++;
				if (lines.len >= TREE_WRITE_CHUNK) {
					fwrite(lines.buf, 1, lines.len, out);
					strbuf_reset(&lines);
				}
			} else {
				st->carried++;
			}
		}
		cursor[depth] = first[k];
		len_at[depth] = path.len;
		depth++;
	}
	fwrite(lines.buf, 1, lines.len, out);
	for (size_t f = 0; f < p->nfuncs; f++) {
		st->renamed += how[f] == 1 + FOLDED_FRAME_RENAMED;
		st->ambiguous += how[f] == 1 + FOLDED_FRAME_AMBIGUOUS;
	}
	strbuf_release(&path);
	strbuf_release(&lines);
	strbuf_release(&frames);
	free(cursor);
	free(len_at);
	free(frame_at);
	free(frame_len);
	free(how);
	free(carry);
	free(first);
	free(next);
}

int speedscope_write(FILE *out, const struct profile *p, const char *version, const char *note, struct pv_error *err)
{
	/* endValue: every weight written, the root's own (evented idle time) too,
	 * which goes as a sample with an empty stack */
	double total = 0;
	for (size_t i = 0; i < p->nnodes; i++)
		if (tree_weight_written(p->nodes[i].self))
			total += p->nodes[i].self;
	if (!isfinite(total))
		return pv_error_set(err, "the weights add up beyond the largest number a double holds: speedscope "
					 "JSON cannot hold their total (endValue)");
	struct strbuf sb = STRBUF_INIT;
	const char *name = p->name ? p->name : p->thread ? p->thread : p->source ? p->source : "profile";
	strbuf_adds(&sb, "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n \"exporter\": ");
	strbuf_addf(&sb, "\"profview@%s\", \"name\": ", version);
	text_json_string(&sb, name, strlen(name));
	strbuf_adds(&sb, ", \"activeProfileIndex\": 0,\n \"shared\": {\"frames\": [");
	for (size_t f = 0; f < p->nfuncs; f++) {
		const struct pv_func *fn = &p->funcs[f];
		const struct pv_str *nm = profile_str(p, fn->name), *file = profile_str(p, fn->file);
		strbuf_adds(&sb, f ? ",\n  {\"name\": " : "\n  {\"name\": ");
		text_json_string(&sb, nm->s, nm->len);
		if (file->len) {
			strbuf_adds(&sb, ", \"file\": ");
			text_json_string(&sb, file->s, file->len);
		}
		if (fn->line > 0) {
			strbuf_adds(&sb, ", \"line\": ");
			strbuf_addi(&sb, fn->line);
		}
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "]},\n \"profiles\": [{\"type\": \"sampled\", \"name\": ");
	const char *pname = p->thread ? p->thread : name;
	if (note) {
		/* where the speedscope app shows it, beside the profile's name */
		struct strbuf nm = STRBUF_INIT;
		strbuf_adds(&nm, pname);
		strbuf_adds(&nm, " [");
		strbuf_adds(&nm, note);
		strbuf_addc(&nm, ']');
		text_json_string(&sb, nm.buf, nm.len);
		strbuf_release(&nm);
	} else {
		text_json_string(&sb, pname, strlen(pname));
	}
	const char *unit = unit_measured(profile_unit(p));	/* samples go as "none" */
	strbuf_addf(&sb, ", \"unit\": \"%s\", \"startValue\": 0, \"endValue\": ", unit ? unit : "none");
	tree_weight(&sb, total);
	strbuf_adds(&sb, ",\n  \"samples\": [");
	/* depth first, each stack's text ("3,17,4") the prefix of its children's;
	 * the weights in the same order, gathered beside */
	uint32_t *first, *next;
	profile_tree_links(p, &first, &next);
	size_t n = p->nnodes;
	uint32_t *cursor = xmalloc((n ? n : 1) * sizeof(uint32_t));
	size_t *len_at = xmalloc((n ? n : 1) * sizeof(size_t));
	struct strbuf path = STRBUF_INIT, weights = STRBUF_INIT;
	int firstw = 1;
	size_t depth = 1;
	cursor[0] = n ? first[0] : 0;
	len_at[0] = 0;
	for (uint32_t k = 0; n;) {
		if (tree_weight_written(p->nodes[k].self)) {
			strbuf_adds(&sb, firstw ? "\n   [" : ",\n   [");
			strbuf_add(&sb, path.buf, path.len);
			strbuf_addc(&sb, ']');
			if (!firstw)
				strbuf_addc(&weights, ',');
			tree_weight(&weights, p->nodes[k].self);
			firstw = 0;
			if (sb.len >= TREE_WRITE_CHUNK) {
				fwrite(sb.buf, 1, sb.len, out);
				strbuf_reset(&sb);
			}
		}
		if (k) {
			cursor[depth] = first[k];
			len_at[depth] = path.len;
			depth++;
		}
		/* the next node depth first (the root came first: its own weight is a
		 * sample with an empty stack) */
		while (depth && !cursor[depth - 1])
			depth--;
		if (!depth)
			break;
		k = cursor[depth - 1];
		cursor[depth - 1] = next[k];
		path.len = len_at[depth - 1];
		if (depth > 1)
			strbuf_addc(&path, ',');
		strbuf_addu(&path, p->nodes[k].func);
	}
	strbuf_adds(&sb, "],\n  \"weights\": [");
	fwrite(sb.buf, 1, sb.len, out);
	fwrite(weights.buf, 1, weights.len, out);
	fputs("]}]}\n", out);
	free(cursor);
	free(len_at);
	free(first);
	free(next);
	strbuf_release(&path);
	strbuf_release(&weights);
	strbuf_release(&sb);
	return 0;
}
