/* The call graph through libcgraph (DOT) and libgvc (rendered formats). */
#include "dot_write.h"
#include "text_bytes.h"
#include "../analysis/strbuf.h"
#include "../analysis/units.h"
#include "../analysis/utf8.h"
#include "../analysis/xalloc.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A gprof2dot colour map: HSL ends, gamma, font and pen ranges. */
struct dot_theme {
	double min_hsl[3], max_hsl[3], gamma;
	double min_font, max_font, min_pen, max_pen;
	const char *fontcolor;	/* NULL: white on filled boxes */
	int filled;
};

static const struct dot_theme dot_themes[] = {
	[DOT_COLOR] = { { 2.0 / 3.0, 0.80, 0.25 }, { 0.0, 1.0, 0.5 }, 1.0, 10, 10, 0.5, 4.0, NULL, 1 },
	[DOT_PINK] = { { 0.0, 1.0, 0.90 }, { 0.0, 1.0, 0.5 }, 2.2, 10, 10, 0.5, 4.0, NULL, 1 },
	[DOT_GRAY] = { { 0.0, 0.0, 0.85 }, { 0.0, 0.0, 0.0 }, 2.2, 10, 10, 0.5, 4.0, NULL, 1 },
	[DOT_BW] = { { 0, 0, 0 }, { 0, 0, 0 }, 2.2, 8, 24, 0.1, 8.0, NULL, 1 },
	[DOT_PRINT] = { { 0, 0, 0 }, { 0, 0, 0 }, 2.2, 18, 30, 0.1, 8.0, "black", 0 },
};

int dot_colormap_parse(const char *name)
{
	static const char *const names[] = { "color", "pink", "gray", "bw", "print" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(name, names[i]))
			return i;
	if (!strcmp(name, "colour") || !strcmp(name, "grey"))
		return !strcmp(name, "colour") ? DOT_COLOR : DOT_GRAY;
	return -1;
}

static double dot_hue(double m1, double m2, double h)
{
	if (h < 0)
		h += 1;
	else if (h > 1)
		h -= 1;
	if (h * 6 < 1)
		return m1 + (m2 - m1) * h * 6;
	if (h * 2 < 1)
		return m2;
	if (h * 3 < 2)
		return m1 + (m2 - m1) * (2.0 / 3.0 - h) * 6;
	return m1;
}

static void dot_hex(char out[8], double r, double g, double b)
{
	double c[3] = { r, g, b };
	int v[3];
	for (int i = 0; i < 3; i++)
		v[i] = c[i] <= 0 ? 0 : c[i] >= 1 ? 255 : (int)(255 * c[i] + 0.5);
	snprintf(out, 8, "#%02x%02x%02x", v[0], v[1], v[2]);
}

/* CSS3's HSL to RGB, each channel then raised to gamma (gprof2dot's theme). */
static void dot_hsl(char out[8], double h, double s, double l, double gamma)
{
	h = fmod(h, 1.0);
	if (h < 0)
		h += 1;
	s = s < 0 ? 0 : s > 1 ? 1 : s;
	l = l < 0 ? 0 : l > 1 ? 1 : l;
	double m2 = l <= 0.5 ? l * (s + 1) : l + s - l * s, m1 = l * 2 - m2;
	dot_hex(out, pow(dot_hue(m1, m2, h + 1.0 / 3.0), gamma), pow(dot_hue(m1, m2, h), gamma),
		pow(dot_hue(m1, m2, h - 1.0 / 3.0), gamma));
}

static void dot_color(char out[8], const struct dot_theme *t, double skew, double w)
{
	w = w < 0 ? 0 : w > 1 ? 1 : w;
	double k = skew == 1.0 ? w : (pow(skew, w) - 1) / (skew - 1);
	double hsl[3];
	for (int i = 0; i < 3; i++)
		hsl[i] = t->min_hsl[i] + k * (t->max_hsl[i] - t->min_hsl[i]);
	dot_hsl(out, hsl[0], hsl[1], hsl[2], t->gamma);
}

static double dot_fontsize(const struct dot_theme *t, double w)
{
	double f = w * w * t->max_font;
	return f > t->min_font ? f : t->min_font;
}

static double dot_penwidth(const struct dot_theme *t, double w)
{
	double p = w * t->max_pen;
	return p > t->min_pen ? p : t->min_pen;
}

/* Appends text so that Graphviz shows exactly it: backslashes doubled (labels
 * interpret \n, \N, \G ...), '&' as an entity, control characters and bytes that are not UTF-8
 * shown as \xNN, at most max code points (the middle elided). */
static void dot_text(struct strbuf *out, const char *s, size_t n, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t total = 0;
	for (size_t i = 0; i < n; total++) {
		uint32_t cp;
		size_t l = text_surrogate_at(s + i, n - i) >= 0 ? 3 : utf8_decode(u + i, n - i, &cp);
		i += l ? l : 1;
	}
	size_t head = total > max ? max * 3 / 5 : total, tail_from = total > max ? total - (max - head - 1) : total;
	size_t k = 0;
	for (size_t i = 0; i < n; k++) {
		uint32_t cp = 0;
		int sb = text_surrogate_at(s + i, n - i);
		size_t l = sb >= 0 ? 3 : utf8_decode(u + i, n - i, &cp);
		size_t step = l ? l : 1;
		if (k == head && head < tail_from)
			strbuf_adds(out, "\xe2\x80\xa6");	/* … */
		if (k >= head && k < tail_from) {
			i += step;
			continue;
		}
		if (sb >= 0 || !l)
			strbuf_addf(out, "\\\\x%02x", sb >= 0 ? sb : u[i]);
		else if (cp == '\\')
			strbuf_adds(out, "\\\\");
		else if (cp == '&')	/* Graphviz decodes entities in labels and tooltips */
			strbuf_adds(out, "&amp;");
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_addf(out, "\\\\x%02x", cp);
		else
			strbuf_add(out, s + i, l);
		i += step;
	}
}

/* The name line of a node: gprof2dot's module:line:name (module = the file's
 * base name without extension), the bare name for built-ins and frames
 * without a file. */
static void dot_short_name(struct strbuf *out, const struct profile *p, const struct pv_func *f)
{
	const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
	int builtin = (file->len == 1 && file->s[0] == '~' && f->line == 0) || file->len == 0;
	if (!builtin) {
		const char *base = file->s, *slash = memrchr(file->s, '/', file->len);
		if (slash)
			base = slash + 1;
		size_t blen = (size_t)(file->s + file->len - base);
		const char *dot = memrchr(base, '.', blen);
		if (dot && dot > base && base[0] != '<')	/* keep <frozen importlib._bootstrap> whole */
			blen = (size_t)(dot - base);
		dot_text(out, base, blen, 80);
		if (f->line)
			strbuf_addf(out, ":%" PRId64, f->line);
		strbuf_addc(out, ':');
	}
	dot_text(out, name->s, name->len, 160);
}

static void dot_set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, (char *)"");
}

static void dot_setf(void *obj, const char *name, double v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.2f", v);
	dot_set(obj, name, buf);
}

/* A node's colours for --diff: red grew, blue shrank, pale when unchanged,
 * saturating at the largest change in the graph; black text on pale boxes. */
static void dot_diff_colors(const struct cg_node *n, double max_change, char fill[8], char font[8])
{
	if (n->diff == CG_DIFF_NEW) {
		dot_hsl(fill, 0.8, 0.55, 0.42, 1.0);	/* purple: apart from the red scale */
		snprintf(font, 8, "#ffffff");
		return;
	}
	double change = n->total - n->base_total;
	double w = max_change > 0 ? fabs(change) / max_change : 0;
	w = w > 1 ? 1 : w;
	double light = 0.95 - 0.55 * w;
	dot_hsl(fill, change > 0 ? 0.0 : 2.0 / 3.0, 0.85, light, 1.0);
	snprintf(font, 8, light < 0.6 ? "#ffffff" : "#000000");
}

/* The graph's note: what 100 % is, what is shown and what pruning removed. */
static void dot_note(struct strbuf *sb, const struct callgraph *g, const struct dot_style *st)
{
	char total[32];
	unit_format(g->total, g->unit, total, sizeof(total));
	if (st->title) {
		dot_text(sb, st->title, strlen(st->title), 200);
		strbuf_adds(sb, "\\n");
	}
	strbuf_addf(sb, "100%% = %s", total);
	if (g->p->kind == PV_KIND_CALLS)
		strbuf_adds(sb, " (cProfile)");
	strbuf_addf(sb, ". Shown: %zu of %zu functions, %zu of %zu calls", g->nnodes, g->funcs_in, g->nedges,
		    g->edges_in);
	strbuf_adds(sb, "\\n");
	if (st->pruning) {
		dot_text(sb, st->pruning, strlen(st->pruning), 400);
		strbuf_adds(sb, "\\n");
	}
	strbuf_addf(sb, "pruned: %zu functions below the node threshold, %zu calls below the edge threshold",
		    g->cut_node_thres, g->cut_edge_thres);
	if (g->cut_root)
		strbuf_addf(sb, ", %zu not reached from --root", g->cut_root);
	if (g->cut_leaf)
		strbuf_addf(sb, ", %zu not reaching --leaf", g->cut_leaf);
	if (g->cut_depth)
		strbuf_addf(sb, ", %zu beyond --depth", g->cut_depth);
	if (g->nodes && g->nnodes && g->nodes[0].diff != CG_DIFF_NONE)
		strbuf_addf(sb, "\\ncolour: change against BASE%s (red slower, blue faster, purple only in this profile)",
			    g->diff_normalized ? ", BASE scaled to this total" : "");
}

static Agraph_t *dot_build(const struct callgraph *g, const struct dot_style *st)
{
	const struct dot_theme *t = &dot_themes[st->colormap];
	Agraph_t *ag = agopen((char *)"callgraph", Agdirected, NULL);
	agattr(ag, AGRAPH, (char *)"fontname", (char *)"Arial");
	agattr(ag, AGRAPH, (char *)"nodesep", (char *)"0.125");
	agattr(ag, AGRAPH, (char *)"ranksep", (char *)"0.25");
	agattr(ag, AGNODE, (char *)"fontcolor", (char *)(t->fontcolor ? t->fontcolor : "white"));
	agattr(ag, AGNODE, (char *)"fontname", (char *)"Arial");
	agattr(ag, AGNODE, (char *)"height", (char *)"0");
	agattr(ag, AGNODE, (char *)"shape", (char *)"box");
	agattr(ag, AGNODE, (char *)"style", (char *)(t->filled ? "filled" : "solid"));
	agattr(ag, AGNODE, (char *)"width", (char *)"0");
	agattr(ag, AGEDGE, (char *)"fontname", (char *)"Arial");

	const struct profile *p = g->p;
	int diff = g->nnodes && g->nodes[0].diff != CG_DIFF_NONE;
	double max_self = 0, max_change = 0;
	for (size_t k = 0; k < g->nnodes; k++) {
		if (g->nodes[k].self_ratio > max_self)
			max_self = g->nodes[k].self_ratio;
		if (g->nodes[k].diff == CG_DIFF_BOTH && fabs(g->nodes[k].total - g->nodes[k].base_total) > max_change)
			max_change = fabs(g->nodes[k].total - g->nodes[k].base_total);
	}
	Agnode_t **an = xmalloc((g->nnodes ? g->nnodes : 1) * sizeof(*an));
	struct strbuf sb = STRBUF_INIT;
	char id[32], color[8], font[8];
	for (size_t k = 0; k < g->nnodes; k++) {
		const struct cg_node *n = &g->nodes[k];
		const struct pv_func *f = &p->funcs[n->func];
		snprintf(id, sizeof(id), "%zu", k + 1);
		an[k] = agnode(ag, id, 1);
		double w = st->color_by_self ? (max_self > 0 ? n->self_ratio / max_self : 1) : n->total_ratio;
		strbuf_reset(&sb);
		dot_short_name(&sb, p, f);
		strbuf_addf(&sb, "\\n%.2f%%\\n(%.2f%%)", n->total_ratio * 100, n->self_ratio * 100);
		if (n->calls >= 0)
			strbuf_addf(&sb, "\\n%" PRId64 "\xc3\x97", n->calls);
		if (n->diff == CG_DIFF_NEW) {
			strbuf_adds(&sb, "\\nnew: not in BASE");
		} else if (n->diff == CG_DIFF_BOTH) {
			char a[32], b[32];
			unit_format(n->base_total, g->unit, a, sizeof(a));
			unit_format(n->total, g->unit, b, sizeof(b));
			if (n->base_total > 0)
				strbuf_addf(&sb, "\\n%+.1f%% (%s \xe2\x86\x92 %s)",
					    (n->total - n->base_total) / n->base_total * 100, a, b);
			else
				strbuf_addf(&sb, "\\n(%s \xe2\x86\x92 %s)", a, b);
		}
		dot_set(an[k], "label", strbuf_str(&sb));
		/* the SVG group's id: serve's page maps a box back to its function */
		snprintf(id, sizeof(id), "pvf%" PRIu32, n->func);
		dot_set(an[k], "id", id);
		if (diff) {
			dot_diff_colors(n, max_change, color, font);
			dot_set(an[k], "color", color);
			dot_set(an[k], "fontcolor", font);
			if (!t->filled)
				dot_set(an[k], "style", "filled");
		} else {
			dot_color(color, t, st->skew, w);
			dot_set(an[k], "color", color);
			dot_set(an[k], "fontcolor", t->filled ? "#ffffff" : color);
		}
		dot_setf(an[k], "fontsize", dot_fontsize(t, w));
		strbuf_reset(&sb);
		char *full = NULL;
		size_t cap = 0, len = profile_display_name_buf(p, f, &full, &cap);
		dot_text(&sb, full, len, 4000);
		free(full);
		dot_set(an[k], "tooltip", strbuf_str(&sb));
	}
	for (size_t k = 0; k < g->nedges; k++) {
		const struct cg_edge *e = &g->edges[k];
		Agedge_t *ae = agedge(ag, an[e->from], an[e->to], NULL, 1);
		double w = e->ratio;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%.2f%%", e->ratio * 100);
		if (e->calls >= 0)
			strbuf_addf(&sb, "\\n%" PRId64 "\xc3\x97", e->calls);
		double pen = dot_penwidth(t, w);
		dot_color(color, t, st->skew, w);
		dot_setf(ae, "arrowsize", 0.5 * sqrt(pen));
		dot_set(ae, "color", color);
		dot_set(ae, "fontcolor", color);
		dot_setf(ae, "fontsize", dot_fontsize(t, w));
		dot_set(ae, "label", strbuf_str(&sb));
		dot_setf(ae, "labeldistance", pen);
		dot_setf(ae, "penwidth", pen);
	}
	strbuf_reset(&sb);
	dot_note(&sb, g, st);
	dot_set(ag, "label", strbuf_str(&sb));
	dot_set(ag, "labelloc", "b");
	dot_set(ag, "fontsize", "10");
	strbuf_release(&sb);
	free(an);
	return ag;
}

GVC_t *dot_context_new(void)
{
	return gvContext();
}

void dot_context_free(GVC_t *gvc)
{
	if (gvc)
		gvFreeContext(gvc);
}

int dot_write(FILE *out, const struct callgraph *g, const struct dot_style *st, const char *format, GVC_t *shared,
	      struct pv_error *err)
{
	Agraph_t *ag = dot_build(g, st);
	int rc = 0;
	if (!strcmp(format, "dot") || !strcmp(format, "gv")) {
		if (agwrite(ag, out) != 0)
			rc = pv_error_set(err, "cannot write the graph");
		agclose(ag);
		return rc;
	}
	agseterr(AGMAX);	/* profview says what failed, once */
	GVC_t *gvc = shared ? shared : gvContext();
	if (gvLayout(gvc, ag, "dot") != 0) {
		rc = pv_error_set(err, "graphviz could not lay out the graph");
	} else {
		if (gvRender(gvc, ag, format, out) != 0)
			rc = pv_error_set(err, "graphviz cannot render '%s' here (see `dot -T?` for the formats installed)",
					  format);
		gvFreeLayout(gvc, ag);
	}
	agclose(ag);
	if (!shared)
		gvFreeContext(gvc);
	return rc;
}
