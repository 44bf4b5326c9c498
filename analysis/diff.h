/* Two profiles compared function by function (docs/profview-diff.md): the
 * functions matched across them, each with before/after tottime, cumtime and
 * calls, and the totals.
 *
 * Ownership: a diff owns the two profiles handed to diff_profiles() (or the
 * rekeyed copies it made of them) and its rows; diff_release() frees them.
 */
#ifndef PV_DIFF_H
#define PV_DIFF_H

#include "cancel.h"
#include "error.h"
#include "profile.h"

enum diff_status { DIFF_BOTH = 0, DIFF_ADDED = 1, DIFF_REMOVED = 2 };
enum diff_match { DIFF_MATCH_NONE = 0, DIFF_MATCH_EXACT, DIFF_MATCH_FILE_NAME, DIFF_MATCH_NAME };
enum { DIFF_TOTTIME = 0, DIFF_CUMTIME = 1, DIFF_CALLS = 2, DIFF_NCOLS = 3 };

struct diff_row {
	enum diff_status status;
	enum diff_match match;
	uint32_t base, new;	/* function indexes in diff.base / diff.new; PV_NO_FUNC when absent */
	double before[DIFF_NCOLS], after[DIFF_NCOLS];	/* after: NEW scaled when normalized */
};

struct diff_options {
	int strip_dirs, ignore_lines, match_names, normalize;
	struct pv_cancel *cancel;	/* NULL: run to the end */
};

struct diff {
	struct profile *base, *new;
	struct diff_row *rows;	/* every function of either side */
	size_t nrows;
	size_t *list;		/* the rows to show, in order (after diff_sort and diff_select) */
	size_t nlist;
	size_t matched, added, removed;
	int lines_dropped;	/* lines were dropped on both sides (--ignore-lines, cross-format) */
	int normalized, units_differ;
	double scale, calls_scale;	/* what NEW's times and counts were multiplied by */
	double time_before, time_after, calls_before, calls_after;	/* totals */
	char ordered_by[16];	/* the --by key as given canonically: cumtime, tottime% ... */
	char ordered_label[64];	/* the same for people: "absolute change in cumtime" */
	struct pv_cancel *cancel;	/* the options', for diff_order() */
};

/* What store_load_profile_parts() must load of each side: the functions
 * always; the tree too when functions are merged under new keys (stripped
 * directories, dropped lines, cProfile against sampled data). */
unsigned diff_store_parts(const struct diff_options *o, enum pv_kind base, enum pv_kind new);

/* Compares base with new; takes ownership of both profiles, even on error. */
int diff_profiles(struct profile *base, struct profile *new, const struct diff_options *o, struct diff *d,
		  struct pv_error *err);
void diff_release(struct diff *d);
/* Chooses and orders the rows to show: those whose display name matches every
 * regex, ordered by KEY (docs: cumtime, tottime, calls, their "%" forms, name;
 * NULL for cumtime), the first limit of them (limit < 0: all). A usage error
 * for an unknown key or a bad regex; PV_ERROR_LIMIT for a regex too costly. */
int diff_order(struct diff *d, const char *by, const char *const *regexes, size_t nregexes, long long limit,
	       struct pv_error *err);
/* The row's function: BASE's, or NEW's for an added row. */
const struct profile *diff_row_profile(const struct diff *d, const struct diff_row *r);
const struct pv_func *diff_row_func(const struct diff *d, const struct diff_row *r);
/* The name a row is shown and matched by: file:line(name) for cProfile data,
 * name (file:line) for sampled data. Into a caller-owned buffer; returns the length. */
size_t diff_row_name(const struct diff *d, const struct diff_row *r, char **buf, size_t *cap);
/* The row for --function NAME: a display name of either side or a bare function
 * name, unambiguous. Returns the row index, or -1 with err set. */
int64_t diff_find_function(const struct diff *d, const char *name, struct pv_error *err);

#endif
