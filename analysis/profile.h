/* The one in-memory model every format reads into and every command works on.
 *
 * Ownership: everything reachable from a struct profile (strings, functions, edges,
 * metadata text) lives in profile->arena or in arrays the profile owns; profile_free()
 * releases it all. Pointers into a profile stay valid until then, except that the
 * funcs/edges arrays may move while a reader is still adding to them.
 */
#ifndef PV_PROFILE_H
#define PV_PROFILE_H

#include "arena.h"
#include <stddef.h>
#include <stdint.h>

/* A string held by the profile; bytes are not necessarily UTF-8 (Python 2 paths). */
struct pv_str {
	const char *s;	/* NUL-terminated copy in the arena */
	uint32_t len;
};

enum pv_func_flags {
	PV_FUNC_IN_STATS = 1,	/* an entry of the stats table (not only named as a caller) */
	PV_FUNC_TOP_LEVEL = 2,	/* called by ("jprofile", 0, "profiler"): pstats' top_level */
};

/* One function and its own stats, in the units of the profile. For cProfile data
 * pcalls/calls/tottime/cumtime are pstats' cc/nc/tt/ct. */
struct pv_func {
	uint32_t file, name;	/* string ids */
	int64_t line;
	int64_t pcalls, calls;
	double tottime, cumtime;
	uint32_t flags;
	char annotation;	/* folded-stack suffix _[k] _[j] _[i] _[w]: 'k' 'j' 'i' 'w', or 0 */
};

enum pv_edge_kind {
	PV_EDGE_TIMED = 0,	/* cProfile: (nc, cc, tt, ct) */
	PV_EDGE_COUNT = 1,	/* the pure-Python profile module: a bare call count */
};

/* caller -> callee with the stats of the calls along that edge. */
struct pv_edge {
	uint32_t caller, callee;	/* function indexes */
	int64_t calls, pcalls;
	double tottime, cumtime;
	uint32_t kind;
	uint32_t aux;	/* scratch for algorithms that rebuild edge lists; 0 at rest */
};

/* What the numbers mean. For PV_KIND_CALLS (cProfile) pv_func and pv_edge hold
 * pstats' (cc, nc, tt, ct). For the tree kinds they are derived from the tree by
 * profile_tree_finish():
 *   tottime = self weight, cumtime = total weight counted once per stack,
 *   sampled: calls = samples with the function on the stack (once per stack),
 *            pcalls = samples with the function as the leaf;
 *   evented: calls = times the frame was opened, pcalls = opens not nested in
 *            an open of the same frame (pstats' primitive calls). */
enum pv_kind {
	PV_KIND_CALLS = 0,	/* deterministic caller->callee stats (cProfile, profile) */
	PV_KIND_SAMPLED = 1,	/* whole stacks with weights (folded, speedscope sampled) */
	PV_KIND_EVENTED = 2,	/* open/close events (speedscope evented) */
};

#define PV_NO_FUNC UINT32_MAX
/* Profiles one file may hold (threads); more must be merged on import. */
#define PV_MAX_PARTS 4096

/* A node of the call tree (a trie of stacks). Node 0 is the root: func
 * PV_NO_FUNC, parent 0; its self weight is what samples with an empty stack
 * weigh. Children always have larger indexes than their parent. */
struct pv_node {
	uint32_t parent, func;
	double self, total;	/* weight ending here / in the whole subtree */
	/* sampled: samples ending here; evented: times this stack was entered */
	int64_t count;
};

enum pv_dialect {
	PV_DIALECT_PY3 = 0,	/* dict order = file order */
	PV_DIALECT_PY2 = 1,	/* written by Python 2 (byte strings) */
};

struct profile {
	struct arena arena;

	struct pv_str *strs;
	size_t nstrs, cap_strs;
	uint32_t *str_index;	/* open addressing: string id + 1, 0 = empty */
	size_t str_index_cap;

	/* Functions in entry order: the stats entries first (nstats of them, in
	 * the order of the file), then functions named only as callers. */
	struct pv_func *funcs;
	size_t nfuncs, cap_funcs, nstats;
	uint32_t *func_index;	/* open addressing on (file, line, name) */
	size_t func_index_cap;
	/* Random per profile: file contents choose line numbers and names freely,
	 * and must not be able to steer every key into one probe chain. */
	uint64_t hash_seed;

	struct pv_edge *edges;	/* grouped by callee, in each callee's callers order */
	size_t nedges, cap_edges;

	/* What pstats computes at load: sums over the stats entries in entry order. */
	int64_t total_calls, prim_calls;
	double total_tt;

	/* Metadata; strings in the arena, may be NULL. */
	const char *name, *source, *format, *producer, *unit, *content_hash;
	int64_t source_mtime;	/* seconds since the epoch, -1 unknown */
	const char *source_abspath;	/* for the store's stat cache; may be NULL */
	int64_t source_size, source_mtime_ns;
	int64_t id;		/* store id, 0 when not stored */
	enum pv_dialect dialect;

	/* The call tree, for the tree kinds (nnodes == 0 for cProfile data). */
	enum pv_kind kind;
	struct pv_node *nodes;
	size_t nnodes, cap_nodes;
	uint32_t *child_index;	/* open addressing on (parent, func) while building */
	size_t child_index_cap;
	int64_t stored_nodes;	/* loaded from the store without its tree: how many nodes it has */
	double total_weight;	/* root total: every sample or event's weight */
	int64_t total_samples;	/* sampled: number of samples; evented: opens */

	/* Facts a reader reports for the command to print (never fatal). */
	int64_t skipped_lines, first_skipped_line;	/* folded: lines without a count */
	int64_t repaired_events;	/* speedscope --lenient: events fixed */
	const char *thread;	/* the profile's name inside a multi-profile file */
	int part, nparts;	/* this profile's place in its file (0 of 1 usually) */
};

struct profile *profile_new(void);
void profile_free(struct profile *p);
/* A new random hash seed, as each profile gets one (hash_seed). */
uint64_t profile_random_seed(void);
/* Frees the string and function hash tables: a reader's step before the tree is
 * finished, when no more are added, so that they do not add to the peak of a big
 * import. The next profile_intern() or profile_func() rebuilds them;
 * profile_find_str() and profile_find_func() search without them, slowly. */
void profile_drop_indexes(struct profile *p);
/* Builds the string and function hash tables when they are not there (a
 * profile loaded from the store comes without them): what a command does
 * before it looks many names up with profile_find_str()/profile_find_func(). */
void profile_build_indexes(struct profile *p);
/* Bytes the profile holds (its arrays as allocated, hash tables, arena): what a
 * reader weighs against xalloc_room() as the profile grows. */
uint64_t profile_memory(const struct profile *p);

/* The profiles one file holds (a speedscope file has one per thread). The list
 * owns them; profile_list_release() frees them all. */
struct profile_list {
	struct profile **v;
	size_t n, cap;
};
void profile_list_push(struct profile_list *l, struct profile *p);
/* Moves every profile of src to the end of l, leaving src empty. */
void profile_list_take(struct profile_list *l, struct profile_list *src);
void profile_list_release(struct profile_list *l);

/* Interns bytes and returns the string id. */
uint32_t profile_intern(struct profile *p, const char *s, size_t len);
/* The id of these bytes when interned already, else -1. */
int64_t profile_find_str(const struct profile *p, const char *s, size_t len);
static inline const struct pv_str *profile_str(const struct profile *p, uint32_t id)
{
	return &p->strs[id];
}

/* Finds the function (file, line, name); adds it (zero stats, no flags) when absent
 * and *added is set. Returns its index. */
uint32_t profile_func(struct profile *p, uint32_t file, int64_t line, uint32_t name, int *added);
/* Sizes the function and string tables for this many, so that a loader that
 * knows its counts does not rehash on the way. */
void profile_reserve(struct profile *p, size_t nfuncs, size_t nstrs);
/* dst's function with src's f's key (file, line, name), found or added as
 * profile_func() does: how derived profiles copy functions across. */
uint32_t profile_func_like(struct profile *dst, const struct profile *src, const struct pv_func *f, int *added);
/* Looks up without adding; returns -1 when absent. */
int64_t profile_find_func(const struct profile *p, uint32_t file, int64_t line, uint32_t name);

/* Copies src's strings and function keys (file, line, name, annotation; no
 * stats, no flags) into dst, which holds none yet, under the same ids: how a
 * derived profile that keeps every function starts, without a hash per key. */
void profile_copy_funcs(struct profile *dst, const struct profile *src);
/* Adds the function (file, line, name), strings included, and returns its
 * index; -1 when p has it already. Without the hash tables when they were
 * dropped (a lookup then scans: for adding one or two functions to a big
 * profile that profile_copy_funcs() made). */
int64_t profile_append_func(struct profile *p, const char *file, int64_t line, const char *name);
struct pv_edge *profile_add_edge(struct profile *p, uint32_t caller, uint32_t callee);
/* The cumulative time along a caller->callee edge: cProfile's own; for the
 * profile module's bare counts, the callee's cumtime shared in proportion to
 * the calls (as gprof2dot does). */
double profile_edge_cumtime(const struct profile *p, const struct pv_edge *e);

/* What the weights are in: seconds for cProfile data, else the reader's unit,
 * "samples" when none was recorded. Static or profile-owned. The one answer to
 * "what is this profile's unit": every output asks it (or profile_unit_of()). */
const char *profile_unit(const struct profile *p);
/* The same rule for a profile known only by its kind and the unit recorded for
 * it (a row of the store read without loading the profile). Static or recorded. */
const char *profile_unit_of(enum pv_kind kind, const char *recorded);
/* What a picture calls the profile: its name, else its source's base name,
 * else "profile". Profile-owned or static. */
const char *profile_label(const struct profile *p);

/* Recomputes total_calls/prim_calls/total_tt the way pstats does at load. */
void profile_compute_totals(struct profile *p);

/* The magnitudes of a profile's int64 counts, summed: for cProfile data the
 * functions' calls and primitive calls, the edges' the same; for a tree its
 * nodes' counts (its functions' and edges' counts are made from them); and the
 * totals total_calls, prim_calls and total_samples, each on its own. Every sum
 * of counts the analysis makes (totals, strip-dirs and merge folds, subtree
 * counts, a function's or edge's count from a tree) is bounded by one of these,
 * so while each fits in int64 nothing overflows. The readers refuse files whose
 * counts pass it (prof_read.c, folded_read.c), the store refuses to load such a
 * profile (only tampering makes one) and merge refuses inputs whose sums would
 * pass it. */
struct pv_count_sums {
	uint64_t funcs, edges, nodes, calls, pcalls, samples;
};
/* Adds p's counts to s (zeroed to start); -1 when a sum passes INT64_MAX. */
int profile_count_sums_add(struct pv_count_sums *s, const struct profile *p);

/* Renumbers functions: order is a permutation of 0..nfuncs-1, order[k] = the old
 * index that becomes k. Edges follow. */
void profile_reorder(struct profile *p, const uint32_t *order);

/* pstats' func_std_string: "file:line(name)", or the builtin forms for ('~', 0, x). */
char *profile_std_name(const struct profile *p, const struct pv_func *f, struct arena *a);
/* The same from raw fields, into a caller-owned growable buffer; returns the length. */
size_t pv_std_name_raw(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, char **buf,
		       size_t *cap);
/* Same, appended to a caller-owned buffer; returns length. */
size_t profile_std_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap);

/* The edges of each function: edge[start[f] .. start[f+1]) index p->edges, in their
 * original order. */
struct pv_edge_index {
	size_t *start;		/* nfuncs + 1 */
	uint32_t *edge;		/* nedges */
};
void profile_index_edges(const struct profile *p, struct pv_edge_index *ix, int by_callee);
void pv_edge_index_release(struct pv_edge_index *ix);

/* Call tree (analysis/tree.c). Begin, add children, finish: finish computes node
 * totals, then the per-function stats, edges and profile totals from the tree. */
void profile_tree_begin(struct profile *p, enum pv_kind kind);
/* The child of parent for func, added (zero weights) when absent. */
uint32_t profile_tree_child(struct profile *p, uint32_t parent, uint32_t func);
void profile_tree_finish(struct profile *p);
/* A new child of parent for func, without looking for one that exists: for a
 * builder that makes each (parent, func) once (the estimated tree), which then
 * must not call profile_tree_child() on the same tree. */
uint32_t profile_tree_append(struct profile *p, uint32_t parent, uint32_t func);
/* Finishes only the nodes: their totals, and total_weight; functions keep
 * zero stats and no edges are derived (a tree only drawn or written out). */
void profile_tree_finish_nodes(struct profile *p);
/* At most how many bytes profile_tree_finish() needs on top of the profile:
 * the walk's arrays and the edges it derives (at most one per node). */
uint64_t profile_tree_finish_memory(const struct profile *p);
/* Rebuilds the tree of src through map (old function -> new function of dst, or
 * PV_NO_FUNC to splice the frame out, its children joining its parent) into
 * dst, which must have its functions already; then finishes dst. */
void profile_tree_remap(const struct profile *src, struct profile *dst, const uint32_t *map);
/* One node s of a tree of kind src_kind, placed under dst's node parent: as
 * the child for func, or onto parent itself when func is PV_NO_FUNC (the frame
 * is spliced out). Its weight is added unless s is NULL. Returns the node. */
uint32_t profile_tree_fold(struct profile *dst, uint32_t parent, uint32_t func, const struct pv_node *s,
			   enum pv_kind src_kind);
/* The same without begin and finish: adds src's stacks to dst's tree (begun),
 * equal stacks summing; several sources make one tree (merge). */
void profile_tree_add(const struct profile *src, struct profile *dst, const uint32_t *map);
/* Child lists for walking the tree: first[n] is n's first child, next[c] the
 * child after c, 0 meaning none (the root is nobody's child). Both malloc'd. */
void profile_tree_links(const struct profile *p, uint32_t **first, uint32_t **next);
/* An estimated call tree for cProfile data, built from its caller->callee edges
 * as snakeviz does (analysis/tree_estimate.c, docs/estimated-tree.md): a new
 * sampled profile in seconds whose node splits are proportional where a
 * function has several callers. Recursion stops at the first repeat of a
 * function on the path. Boxes are made heaviest first until they hold
 * max_frames frames (each box counts its depth: what the folded and speedscope
 * texts write); 0 takes profile_estimate_frames(p). Every function's tottime is
 * in its boxes, whatever the budget left out. */
struct profile *profile_estimate_tree(const struct profile *p, size_t max_frames);
/* The default budget: linear in the profile's functions and edges. */
size_t profile_estimate_frames(const struct profile *p);
/* What the budget left out of an estimated tree: the boxes the expansion would
 * still have made under the ones it made (not what would have hung below
 * them), each lighter than every box made. Their functions' time is in their
 * other boxes. boxes == 0: nothing was left out. */
struct estimate_cut {
	size_t boxes;
	double weight;		/* theirs in all */
	double min_weight;	/* the heaviest of them */
	size_t max_frames;	/* the budget */
};
/* The one wording of a cut, for notes and names: "folded away: N boxes under W
 * (X in all)" (weights in unit). */
void estimate_cut_describe(const struct estimate_cut *c, const char *unit, char *buf, size_t size);
struct estimate_options {
	size_t max_frames;	/* 0: profile_estimate_frames(p) */
	int nodes_only;		/* finish the nodes only (profile_tree_finish_nodes) */
};
/* What the estimate knows about each node (indexed like the tree's nodes;
 * malloc'd, the caller frees both): whether its weight is a proportional split
 * (docs/icicle-data.md, ESTIMATED) and the calls along its path (scaled the
 * same way). */
struct estimate_marks {
	uint8_t *estimated;
	double *calls;
};
/* The same with options; marks and cut (what the budget left out) are filled
 * when not NULL. */
struct profile *profile_estimate_tree_marked(const struct profile *p, const struct estimate_options *o,
					     struct estimate_marks *marks, struct estimate_cut *cut);
/* "name (file:line)" the way sampled profiles show a function (annotation not
 * included), into a caller-owned buffer; returns the length. */
size_t profile_frame_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap);
size_t pv_frame_name_raw(const char *file, size_t flen, int64_t line, const char *name, size_t nlen, char **buf,
			 size_t *cap);
/* The name every command shows for a function of a profile of this kind:
 * pstats' file:line(name) for cProfile data, name (file:line) for the tree
 * kinds. Same conventions as above. */
size_t pv_display_name_raw(enum pv_kind kind, const char *file, size_t flen, int64_t line, const char *name,
			   size_t nlen, char **buf, size_t *cap);
size_t profile_display_name_buf(const struct profile *p, const struct pv_func *f, char **buf, size_t *cap);

/* pstats' strip_dirs(): a new profile whose files are basenames, functions that then
 * coincide merged (stats and callers summed like pstats.add_func_stats). */
struct profile *profile_strip_dirs(const struct profile *p);
/* The same merge under other keys: files as basenames and/or lines dropped
 * (every line 0), as `diff` needs to match profiles across machines and formats. */
enum { PV_REKEY_STRIP_DIRS = 1, PV_REKEY_DROP_LINES = 2 };
struct profile *profile_rekey(const struct profile *p, unsigned flags);

/* The hash of an ordered pair of 32-bit indexes (a tree node's parent and
 * function, an edge's caller and callee) under a per-profile seed: the one mix
 * every table keyed by such a pair uses. */
uint64_t profile_hash_pair(uint64_t seed, uint32_t a, uint32_t b);

#endif
