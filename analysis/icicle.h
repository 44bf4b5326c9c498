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

#include "cancel.h"
#include "error.h"
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
	struct estimate_cut est_cut;	/* what the estimate's budget left out */
	size_t cut_nodes;
	double cut_min_weight;
	/* differential: BASE's self and total of the same stack, scaled by diff_scale */
	double *base_self, *base_total;
	double diff_scale, base_weight;
	int diff_normalized;
	/* a focused chart (icicle_focus): the stack above node 1, and the depth cut */
	uint32_t *root_path;		/* functions from the top down; NULL: the whole tree */
	double *root_path_total;	/* each of those stacks' total weight */
	size_t nroot_path;
	long depth;			/* levels kept below the root; -1: all */
	size_t depth_cut;		/* nodes the depth limit folded away */
	struct pv_cancel *cancel;	/* the build's, for icicle_sandwich() */
};

struct icicle_options {
	size_t max_nodes;	/* more nodes than this: the lightest are folded into their parent */
	struct pv_cancel *cancel;	/* NULL: run to the end */
};

/* Builds the chart of p (any kind; cProfile data gets its estimated tree).
 * -1 when o->cancel stopped it: then nothing is left to release. */
int icicle_build(struct icicle *ic, const struct profile *p, const struct icicle_options *o);
/* Adds BASE's weights of the same stacks (matched by function key, lines
 * ignored when one side is cProfile data and the other is not). normalize:
 * scale BASE to NEW's total. base must outlive the call only. */
void icicle_diff(struct icicle *ic, const struct profile *base, int normalize);
void icicle_release(struct icicle *ic);
/* v (one value per node) summed over each node's subtree: totals from self
 * weights, samples through a node from samples ending there. malloc'd. */
double *icicle_subtree_sums(const struct icicle *ic, const double *v);

/* Narrows a built chart to the subtree of one stack (path: functions from the
 * top down; npath 0 for the whole tree) and/or to depth levels below its root
 * (-1: all). The stack's node becomes node 1 under an empty root; deeper nodes
 * fold into their ancestor at the last level, which is flagged CUT. Returns -1
 * with a message when the stack is not in the chart. */
int icicle_focus(struct icicle *ic, const uint32_t *path, size_t npath, long depth, struct pv_error *err);

/* The sandwich of function f over a built chart: callees, the merged subtrees
 * below f's outermost frames; callers, the stacks above them inverted (node 1 is
 * f, its children f's callers, up to each stack's top, where the stack's weight
 * is self). Both borrow ic->tree, so ic must outlive them. Returns -1 when
 * building would take more than max_work steps (stacks too deep and varied),
 * or when ic->cancel stops it. */
int icicle_sandwich(const struct icicle *ic, uint32_t f, size_t max_work, struct icicle *callers,
		    struct icicle *callees, struct pv_error *err);

#endif
