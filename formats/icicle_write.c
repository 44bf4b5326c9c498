/* One self-contained HTML page for an icicle chart: the embedded template,
 * style and script, and the chart's data (docs/icicle-data.md). */
#include "icicle_write.h"
#include "text_bytes.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"
#include "../web/assets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ICICLE_MAX_INT 9007199254740992.0	/* 2^53: exact in a double and in JS */

/* Writers into a buffer with room for the record (ICICLE_RECORD_MAX): they
 * return the byte after what they wrote. */
static unsigned char *icicle_varint_u(unsigned char *o, uint64_t x)
{
	do {
		unsigned char c = x & 0x7f;
		x >>= 7;
		*o++ = c | (x ? 0x80 : 0);
	} while (x);
	return o;
}

static unsigned char *icicle_varint(unsigned char *o, double v)
{
	return icicle_varint_u(o, v > 0 ? (v < ICICLE_MAX_INT ? (uint64_t)llround(v) : (uint64_t)ICICLE_MAX_INT) : 0);
}

static unsigned char *icicle_weight(unsigned char *o, double v, int ints)
{
	if (ints)
		return icicle_varint(o, v);
	uint64_t u;
	memcpy(&u, &v, 8);
	for (int i = 0; i < 8; i++)
		*o++ = (unsigned char)(u >> (8 * i));
	return o;
}

/* A record's most bytes: five varints of at most 10 bytes, two weights of 10. */
#define ICICLE_RECORD_MAX 70

static int icicle_is_int(double v)
{
	return v >= 0 && v < ICICLE_MAX_INT && v == floor(v);
}

/* Whether every weight of the chart is a whole number (then varints). */
static int icicle_weights_int(const struct icicle *ic)
{
	for (size_t i = 0; i < ic->n; i++) {
		if (!icicle_is_int(ic->self[i]))
			return 0;
		if (ic->base_self && (!icicle_is_int(ic->base_self[i]) || !icicle_is_int(ic->base_total[i])))
			return 0;
	}
	return 1;
}

static void icicle_base64(struct strbuf *out, const unsigned char *s, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char buf[4096];
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		buf[k++] = abc[(v >> 18) & 63];
		buf[k++] = abc[(v >> 12) & 63];
		buf[k++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		buf[k++] = i + 2 < n ? abc[v & 63] : '=';
		if (k + 4 > sizeof(buf)) {
			strbuf_add(out, buf, k);
			k = 0;
		}
	}
	strbuf_add(out, buf, k);
}

static void icicle_html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void icicle_json_key_str(struct strbuf *sb, const char *key, const char *v)
{
	strbuf_addf(sb, "\"%s\":", key);
	if (v)
		text_json_string_html(sb, v, strlen(v));
	else
		strbuf_adds(sb, "null");
	strbuf_addc(sb, ',');
}

static const char *icicle_kind_name(enum pv_kind k)
{
	return k == PV_KIND_CALLS ? "calls" : k == PV_KIND_SAMPLED ? "sampled" : "evented";
}

/* Where a focused chart sits (icicle_focus): the stack above it, whole
 * frames since the functions up there need not be in "funcs". */
static void icicle_meta_focus(struct strbuf *sb, const struct icicle *ic)
{
	const struct profile *t = ic->tree;
	strbuf_adds(sb, "\"root_path\":[");
	for (size_t k = 0; k < ic->nroot_path; k++) {
		const struct pv_func *fn = &t->funcs[ic->root_path[k]];
		const struct pv_str *file = profile_str(t, fn->file), *name = profile_str(t, fn->name);
		strbuf_addf(sb, "%s{\"index\":%lu,\"name\":", k ? "," : "", (unsigned long)ic->root_path[k]);
		text_json_string_html(sb, name->s, name->len);
		strbuf_adds(sb, ",\"file\":");
		text_json_string_html(sb, file->s, file->len);
		strbuf_addf(sb, ",\"line\":%lld,\"total\":", (long long)fn->line);
		text_json_number(sb, ic->root_path_total[k]);
		strbuf_addc(sb, '}');
	}
	strbuf_adds(sb, "],\"depth\":");
	if (ic->depth >= 0)
		strbuf_addf(sb, "%ld", ic->depth);
	else
		strbuf_adds(sb, "null");
	strbuf_addf(sb, ",\"depth_cut\":%zu,", ic->depth_cut);
}

/* The meta object; returns each function's index in its "funcs" (-1 unused),
 * malloc'd. */
static int64_t *icicle_meta(struct strbuf *sb, const struct icicle *ic, const struct icicle_page *pg, int ints)
{
	const struct profile *t = ic->tree;
	strbuf_adds(sb, "{\"version\":1,");
	icicle_json_key_str(sb, "title", pg->title);
	icicle_json_key_str(sb, "source", pg->profile->source);
	icicle_json_key_str(sb, "profile_format", pg->profile->format);
	icicle_json_key_str(sb, "kind", icicle_kind_name(pg->profile->kind));
	icicle_json_key_str(sb, "unit", profile_unit(t));
	strbuf_addf(sb, "\"estimated\":%s,\"count\":\"%s\",\"nodes\":%zu,\"weights\":\"%s\",",
		    ic->estimated ? "true" : "false", ic->count_is_samples ? "samples" : "calls", ic->n,
		    ints ? "int" : "f64");

	/* only the functions and files the nodes use, in first-use order */
	int64_t *fid = xmalloc((t->nfuncs ? t->nfuncs : 1) * sizeof(int64_t));
	int64_t *sid = xmalloc((t->nstrs ? t->nstrs : 1) * sizeof(int64_t));
	memset(fid, 0xff, (t->nfuncs ? t->nfuncs : 1) * sizeof(int64_t));
	memset(sid, 0xff, (t->nstrs ? t->nstrs : 1) * sizeof(int64_t));
	uint32_t *used = xmalloc((t->nfuncs ? t->nfuncs : 1) * sizeof(uint32_t));
	size_t nused = 0, nfiles = 0;
	struct strbuf files = STRBUF_INIT, names = STRBUF_INIT, ffile = STRBUF_INIT, lines = STRBUF_INIT;
	struct strbuf index = STRBUF_INIT;
	for (size_t i = 1; i < ic->n; i++) {
		uint32_t f = ic->func[i];
		if (fid[f] >= 0)
			continue;
		fid[f] = (int64_t)nused;
		used[nused++] = f;
		const struct pv_func *fn = &t->funcs[f];
		if (sid[fn->file] < 0) {
			sid[fn->file] = (int64_t)nfiles++;
			const struct pv_str *s = profile_str(t, fn->file);
			strbuf_adds(&files, nfiles > 1 ? "," : "");
			text_json_string_html(&files, s->s, s->len);
		}
		const struct pv_str *nm = profile_str(t, fn->name);
		strbuf_adds(&names, nused > 1 ? "," : "");
		text_json_string_html(&names, nm->s, nm->len);
		if (nused > 1) {
			strbuf_addc(&ffile, ',');
			strbuf_addc(&lines, ',');
			strbuf_addc(&index, ',');
		}
		strbuf_addi(&ffile, sid[fn->file]);
		strbuf_addi(&lines, fn->line);
		strbuf_addu(&index, f);
	}
	strbuf_addf(sb, "\"files\":[%s],\"funcs\":{\"name\":[%s],\"file\":[%s],\"line\":[%s],\"index\":[%s]},",
		    strbuf_str(&files), strbuf_str(&names), strbuf_str(&ffile), strbuf_str(&lines), strbuf_str(&index));
	strbuf_release(&index);
	icicle_meta_focus(sb, ic);
	strbuf_release(&files);
	strbuf_release(&names);
	strbuf_release(&ffile);
	strbuf_release(&lines);
	free(used);
	free(sid);
	if (ic->est_cut.boxes) {
		strbuf_addf(sb, "\"folded\":{\"boxes\":%zu,\"weight\":", ic->est_cut.boxes);
		text_json_number(sb, ic->est_cut.weight);
		strbuf_adds(sb, ",\"min_weight\":");
		text_json_number(sb, ic->est_cut.min_weight);
		strbuf_addf(sb, ",\"max_frames\":%zu},", ic->est_cut.max_frames);
	} else {
		strbuf_adds(sb, "\"folded\":null,");
	}
	if (ic->cut_nodes) {
		strbuf_addf(sb, "\"cut\":{\"nodes\":%zu,\"min_weight\":", ic->cut_nodes);
		text_json_number(sb, ic->cut_min_weight);
		strbuf_adds(sb, "},");
	} else {
		strbuf_adds(sb, "\"cut\":null,");
	}
	if (ic->base_self) {
		strbuf_adds(sb, "\"diff\":{");
		icicle_json_key_str(sb, "base_title", pg->base_title);
		strbuf_adds(sb, "\"base_total\":");
		text_json_number(sb, ic->base_weight);
		strbuf_adds(sb, ",\"scale\":");
		text_json_number(sb, ic->diff_scale);
		strbuf_addf(sb, ",\"normalized\":%s}", ic->diff_normalized ? "true" : "false");
	} else {
		strbuf_adds(sb, "\"diff\":null");
	}
	strbuf_addc(sb, '}');
	return fid;
}

/* The node stream of docs/icicle-data.md. */
static void icicle_nodes(struct strbuf *b, const struct icicle *ic, const int64_t *fid, int ints)
{
	for (size_t i = 0; i < ic->n; i++) {
		xgrow((void **)&b->buf, &b->cap, b->len + ICICLE_RECORD_MAX + 1, 1);
		unsigned char *start = (unsigned char *)b->buf + b->len, *o = start;
		o = icicle_varint_u(o, i ? i - ic->parent[i] : 0);
		o = icicle_varint_u(o, i ? (uint64_t)fid[ic->func[i]] + 1 : 0);
		o = icicle_varint_u(o, ic->flags[i]);
		o = icicle_weight(o, ic->self[i], ints);
		o = icicle_varint(o, ic->count[i]);
		if (ic->base_self) {
			o = icicle_weight(o, ic->base_self[i], ints);
			o = icicle_weight(o, ic->base_total[i], ints);
		}
		b->len += (size_t)(o - start);
	}
	if (b->buf)
		b->buf[b->len] = '\0';
}

/* The meta JSON and the base64 node stream. */
static void icicle_data(struct strbuf *meta, struct strbuf *b64, const struct icicle *ic, const struct icicle_page *pg)
{
	int ints = icicle_weights_int(ic);
	struct strbuf nodes = STRBUF_INIT;
	int64_t *fid = icicle_meta(meta, ic, pg, ints);
	icicle_nodes(&nodes, ic, fid, ints);
	free(fid);
	icicle_base64(b64, (const unsigned char *)nodes.buf, nodes.len);
	strbuf_release(&nodes);
}

void icicle_write_json(struct strbuf *out, const struct icicle *ic, const struct icicle_page *pg)
{
	struct strbuf meta = STRBUF_INIT, nodes = STRBUF_INIT;
	icicle_data(&meta, &nodes, ic, pg);
	strbuf_adds(out, "{\"meta\":");
	strbuf_add(out, meta.buf, meta.len);
	strbuf_adds(out, ",\"nodes\":\"");
	strbuf_add(out, nodes.buf, nodes.len);
	strbuf_adds(out, "\"}");
	strbuf_release(&meta);
	strbuf_release(&nodes);
}

/* Copies tmpl to out up to the marker line; returns the text after it. */
static const char *icicle_copy_to(FILE *out, const char *tmpl, const char *marker)
{
	const char *m = strstr(tmpl, marker);
	if (!m)
		return NULL;
	fwrite(tmpl, 1, (size_t)(m - tmpl), out);
	return m + strlen(marker);
}

int icicle_write_html(FILE *out, const struct icicle *ic, const struct icicle_page *pg, struct pv_error *err)
{
	const struct pv_web_asset *html = pv_web_asset_find("icicle.html"), *css = pv_web_asset_find("icicle.css"),
				  *js = pv_web_asset_find("icicle.js");
	if (!html || !css || !js)
		return pv_error_set(err, "the icicle page's assets are missing from this build");
	struct strbuf meta = STRBUF_INIT, nodes = STRBUF_INIT;
	icicle_data(&meta, &nodes, ic, pg);

	const char *rest = (const char *)html->data;
	static const char *const markers[] = { "<!--PV:TITLE-->", "<!--PV:STYLE-->", "<!--PV:DATA-->",
					       "<!--PV:SCRIPT-->" };
	for (size_t k = 0; k < sizeof(markers) / sizeof(*markers); k++) {
		rest = icicle_copy_to(out, rest, markers[k]);
		if (!rest) {
			strbuf_release(&meta);
			strbuf_release(&nodes);
			return pv_error_set(err, "the icicle page template lacks %s", markers[k]);
		}
		switch (k) {
		case 0:
			icicle_html_text(out, pg->title ? pg->title : "profile");
			break;
		case 1:
			fputs("<style>\n", out);
			fwrite(css->data, 1, css->len, out);
			fputs("</style>", out);
			break;
		case 2:
			fputs("<script type=\"application/json\" id=\"pv-meta\">", out);
			fwrite(meta.buf, 1, meta.len, out);
			fputs("</script>\n<script type=\"text/plain\" id=\"pv-nodes\">", out);
			fwrite(nodes.buf, 1, nodes.len, out);
			fputs("</script>", out);
			break;
		case 3:
			fputs("<script>\n", out);
			fwrite(js->data, 1, js->len, out);
			fputs("</script>", out);
			break;
		}
	}
	fputs(rest, out);
	strbuf_release(&meta);
	strbuf_release(&nodes);
	return 0;
}
