/* The tree an icicle chart draws (docs/icicle-data.md): a profile's call tree in
 * pre-order, with the marks the page shows (estimated boxes, cut-offs) and, for
 * a differential chart, BASE's weights of the same stacks.
 *
 * Ownership: an icicle owns its arrays and the estimated tree it may build
 * (for cProfile data); it borrows the profiles handed to it, which must outlive
 * it. icicle_release() frees what it owns.
 */
#ifndef PV_ICICLE_H
#define PV_ICICLE_H

#include "profile.h"

enum icicle_flags {
	ICICLE_ESTIMATED = 1,
	ICICLE_CUT = 2,
	ICICLE_NEW = 4,
};

struct icicle {
	const struct profile *tree;	/* functions and strings of the nodes */
	struct profile *owned;		/* the estimate, for cProfile data */
	size_t n;			/* nodes, root (index 0) included, in pre-order */
	uint32_t *parent, *func;	/* func: PV_NO_FUNC for the root */
	uint8_t *flags;
	double *self;
	double *count;			/* calls along the path, or samples ending here */
	int count_is_samples;
	int estimated;			/* built from cProfile edges */
	size_t cut_nodes;
	double cut_min_weight;
	/* differential: BASE's self and total of the same stack, scaled by diff_scale */
	double *base_self, *base_total;
	double diff_scale, base_weight;
	int diff_normalized;
};

struct icicle_options {
	size_t max_nodes;	/* more nodes than this: the lightest are folded into their parent */
};

/* Builds the chart of p (any kind; cProfile data gets its estimated tree). */
void icicle_build(struct icicle *ic, const struct profile *p, const struct icicle_options *o);
/* Adds BASE's weights of the same stacks (matched by function key, lines
 * ignored when one side is cProfile data and the other is not). normalize:
 * scale BASE to NEW's total. base must outlive the call only. */
void icicle_diff(struct icicle *ic, const struct profile *base, int normalize);
void icicle_release(struct icicle *ic);

#endif
