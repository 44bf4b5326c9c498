/* Writers for a profile's call tree: folded stacks and speedscope JSON. The
 * profile must have a tree (sampled or evented; for cProfile data make one
 * with profile_estimate_tree()). */
#ifndef PV_TREE_WRITE_H
#define PV_TREE_WRITE_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stdio.h>

/* Folded text holds whole counts (flamegraph.pl and speedscope read nothing
 * else reliably): the unit they count and the factor from the profile's weights. */
struct folded_counts {
	const char *unit;	/* canonical name (units.h): "microseconds", "samples", ... */
	double scale;		/* count = profile weight x scale */
};
/* The unit folded_write() counts p's weights in. want is a unit_parse() name,
 * or NULL for the default: for time, nanoseconds when p is in nanoseconds, p's
 * own unit when it is microseconds or milliseconds holding whole numbers
 * already, microseconds otherwise (cProfile's seconds); any other unit
 * (samples, bytes, none) as it is. Fails (a usage error in err) when want does
 * not fit: only ns, us and ms for time, only the profile's own unit otherwise. */
int folded_counts_choose(const struct profile *p, const char *want, struct folded_counts *c,
			 struct pv_error *err);

/* What folded_write() did besides writing. */
struct folded_stats {
	size_t renamed;		/* functions whose names held ';' or line breaks */
	size_t ambiguous;	/* functions whose frames read back as other functions
				 * (parentheses "name (file:line)" cannot tell apart) */
	size_t lines;		/* lines written */
	size_t rounded;		/* stacks whose count is not their exact weight x scale */
	size_t carried;		/* stacks under one count, whose weight went to a later line */
	double exact, written;	/* total weight x scale; total of the counts written */
};
/* One "frame;frame COUNT" line per stack that has weight of its own, frames as
 * folded_frame_write() writes them ("name (file:line)" plus their _[x]
 * annotation, so that the reader splits them back), COUNT = the weight x c->scale
 * rounded to a whole number. Rounding conserves: each function's remainder is
 * carried to its next stack (the function the stack ends in owns its self
 * weight), so every function's written total is within half a count of its
 * real one, and stacks that round to 0 are left out only with their weight
 * carried on. Folded text cannot hold ';' or line breaks in a name: they become
 * ',' and ' '; and a few names and files with unbalanced parentheses cannot be
 * told apart (st->renamed and st->ambiguous are 0 when the file re-imports to
 * the same tree). */
void folded_write(FILE *out, const struct profile *p, const struct folded_counts *c, struct folded_stats *st);

/* A speedscope file (file-format-schema.json) with one "sampled" profile: a
 * sample per stack with weight of its own (positive and finite: JSON holds no
 * inf or nan), depth first. note: NULL, or what the profile's name carries in
 * brackets where the speedscope app shows it (what an estimated tree's budget
 * left out). -1 with err set, before anything is written, when those weights
 * add up to more than a double holds (endValue would be inf). */
int speedscope_write(FILE *out, const struct profile *p, const char *version, const char *note,
		     struct pv_error *err);

#endif
