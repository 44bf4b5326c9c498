/* The call graph gprof2dot draws (docs/profview-callgraph.md): functions with
 * their total and self share, caller->callee edges with theirs, pruned by the
 * documented rules, and what the pruning removed.
 *
 * Ownership: a callgraph owns its node and edge arrays; it borrows the profile
 * (which must outlive it). callgraph_release() frees what it owns.
 */
#ifndef PV_CALLGRAPH_H
#define PV_CALLGRAPH_H

#include "cancel.h"
#include "error.h"
#include "profile.h"

enum cg_diff_status { CG_DIFF_NONE = 0, CG_DIFF_BOTH, CG_DIFF_NEW };

struct cg_node {
	uint32_t func;
	double total, self;	/* in the profile's unit */
	double total_ratio, self_ratio;	/* of the graph's 100 % */
	int64_t calls, pcalls;	/* cProfile and evented data; -1 for sampled */
	/* --diff: BASE's total and self (scaled when normalized) */
	enum cg_diff_status diff;
	double base_total, base_self;
};

struct cg_edge {
	uint32_t from, to;	/* node indexes */
	double total, ratio;
	int64_t calls;		/* -1 for sampled data */
};

struct callgraph_options {
	double node_thres, edge_thres;	/* fractions of the total: prune below */
	const char *const *roots;	/* regexes over display names */
	size_t nroots;
	const char *const *leaves;
	size_t nleaves;
	long depth;		/* edges from a root (or to a leaf); -1 unlimited */
	struct pv_cancel *cancel;	/* NULL: run to the end */
};

struct callgraph {
	const struct profile *p;
	double total;		/* what 100 % is, in the profile's unit */
	const char *unit;
	struct cg_node *nodes;	/* heaviest first (total, then self, then name) */
	size_t nnodes;
	struct cg_edge *edges;	/* by caller node, then callee node */
	size_t nedges;
	/* what pruning removed, for the note in the graph */
	size_t funcs_in, edges_in;
	size_t cut_node_thres, cut_edge_thres, cut_root, cut_leaf, cut_depth;
	double diff_scale;
	int diff_normalized;
};

int callgraph_build(struct callgraph *g, const struct profile *p, const struct callgraph_options *o,
		    struct pv_error *err);
/* Marks each node's change against base (matched by function key; lines ignored
 * across cProfile and sampled data). normalize: compare shares of each total. */
void callgraph_diff(struct callgraph *g, const struct profile *base, int normalize);
void callgraph_release(struct callgraph *g);

#endif
