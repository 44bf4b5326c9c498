/* What `callers` and `callees` print: the functions of a stat_table (sorted and
 * restricted as for `sort`) and, for each, the functions that call it or that
 * it calls with the stats of that edge, in pstats' order (the call dict's keys
 * sorted as (file, line, name) tuples).
 *
 * Ownership: a call_table owns its stat_table, its entries and their strings
 * (the stat_table's arena); release with call_table_release().
 */
#ifndef PV_CALL_TABLE_H
#define PV_CALL_TABLE_H

#include "stat_table.h"

enum call_direction { CALL_CALLERS = 0, CALL_CALLEES = 1 };

/* One caller (or callee) of a listed function and the stats of the edge. */
struct call_entry {
	const char *file, *name;
	uint32_t file_len, name_len;
	int64_t line;
	int64_t idx;		/* the other function's index */
	int timed;		/* 1: (calls, pcalls, tottime, cumtime); 0: a bare count in calls */
	int64_t calls, pcalls;
	double tottime, cumtime;
	double other_cumtime;	/* the other function's own cumtime: pstats prints it next to bare counts */
};

struct call_table {
	struct stat_table stats;
	enum call_direction direction;
	struct call_entry *entries;
	size_t *start;		/* entries of stats.rows[i]: entries[start[i] .. start[i+1]) */
	int subheader;		/* pstats' "ncalls tottime cumtime" line: the data has timed edges */
	size_t width;		/* the name column: longest listed name + 2, as pstats */
};

void call_table_release(struct call_table *c);
int call_table_from_profile(const struct profile *p, const struct stat_query *q, enum call_direction dir,
			    struct call_table *c, struct pv_error *err);
/* The warm path: only the listed functions' edges are read from the store. */
int call_table_from_store(struct store *s, int64_t id, const struct stat_query *q, enum call_direction dir,
			  struct call_table *c, struct pv_error *err);

#endif
