/* The function-stats table that `sort` prints: rows in pstats order after the
 * restrictions, plus the header facts pstats prints above them. Built from an
 * in-memory profile, or from a stored one (its functions loaded, not its edges).
 *
 * Ownership: a stat_table owns its rows and strings (its arena); release with
 * stat_table_release().
 */
#ifndef PV_STAT_TABLE_H
#define PV_STAT_TABLE_H

#include "arena.h"
#include "error.h"
#include "profile.h"
#include "restrict.h"
#include "store.h"
#include "strbuf.h"

struct stat_row {
	int64_t idx;		/* entry order */
	const char *file, *name;
	uint32_t file_len, name_len;
	int64_t line, pcalls, calls;
	double tottime, cumtime;
	char annotation;	/* sampled frames: k j i w, or 0 */
};

struct stat_query {
	const char *by;		/* pstats sort keys, NULL for file order */
	int strip_dirs, reverse;
	const struct restriction *restrictions;
	size_t nrestrictions;
	const int64_t *func;	/* list only the function of this index (before the restrictions); NULL: all */
	struct pv_cancel *cancel;	/* NULL: run to the end */
};

struct stat_table {
	struct arena arena;
	/* header */
	const char *source;	/* NULL when unknown */
	int64_t source_mtime;	/* -1 when unknown */
	const char **top_level;
	size_t ntop_level;
	int64_t total_calls, prim_calls;
	double total_tt;
	int sorted;
	char sort_type[512];
	size_t nentries;	/* functions before restrictions */
	struct strbuf msg;	/* "   Ordered by: ...\n" and the reductions */
	/* profile facts for machine formats */
	int64_t profile_id;
	const char *profile_name, *format, *thread;
	const char *unit;	/* profile_unit(): never NULL */
	/* what the numbers mean (profile.h): for the tree kinds tottime/cumtime are
	 * self/total weight and calls/pcalls are sample or open counts */
	enum pv_kind kind;
	int py2;		/* written by Python 2: byte strings, Python 2's repr() */
	double total_weight;
	int64_t total_samples, node_count;
	/* rows */
	struct stat_row *rows;
	size_t nrows;
};

void stat_table_release(struct stat_table *t);
/* Both fill t, or fail with err set and nothing left to release. */
int stat_table_from_profile(const struct profile *p, const struct stat_query *q, struct stat_table *t,
			    struct pv_error *err);
int stat_table_from_store(struct store *s, int64_t id, const struct stat_query *q, struct stat_table *t,
			  struct pv_error *err);
/* A summary's two tables (`show`, /api/profiles/{ref}): the first limit rows by
 * tottime (self) and by cumulative (total). On failure neither is left to release. */
int stat_table_tops(struct store *s, int64_t id, long long limit, struct stat_table *by_self,
		    struct stat_table *by_total, struct pv_error *err);
/* The sort keys for a profile of this kind: sampled profiles also take self,
 * total and samples (for tottime, cumulative and calls), and sort by self when
 * no key is given. Writes into buf; returns NULL for "no sort". */
const char *stat_sort_keys(const char *by, enum pv_kind kind, char *buf, size_t size);

#endif
