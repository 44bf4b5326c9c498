/* A call graph as Graphviz: built with libcgraph, written as DOT text or
 * rendered in-process by libgvc (svg, png, pdf, ...). Styled like gprof2dot:
 * its colour maps, label lines and size rules (docs/profview-callgraph.md). */
#ifndef PV_DOT_WRITE_H
#define PV_DOT_WRITE_H
#include "../analysis/callgraph.h"
#include "../analysis/error.h"
#include <stdio.h>

enum dot_colormap { DOT_COLOR = 0, DOT_PINK, DOT_GRAY, DOT_BW, DOT_PRINT };

struct dot_style {
	enum dot_colormap colormap;
	double skew;		/* 1: linear; below 1 spreads the low end */
	int color_by_self;	/* node colour and size by self share (of the heaviest self) */
	const char *title;	/* first line of the graph's note, or NULL */
	const char *pruning;	/* the options in force, for the note */
};

/* The colour map by name (color, pink, gray, bw, print); -1 when unknown. */
int dot_colormap_parse(const char *name);

/* A Graphviz context for many renderings: libgvc's text plugins keep state
 * across contexts, so a process that renders again and again (serve) keeps
 * one, and calls dot_write() under its own lock (libgvc is not thread-safe). */
struct GVC_s;
struct GVC_s *dot_context_new(void);
void dot_context_free(struct GVC_s *gvc);

/* Writes g to out: "dot" (or "gv") as DOT text, anything else rendered by
 * libgvc in that format, through gvc (NULL: a context for this call only).
 * An error when Graphviz cannot render the format. */
int dot_write(FILE *out, const struct callgraph *g, const struct dot_style *st, const char *format,
	      struct GVC_s *gvc, struct pv_error *err);

#endif
