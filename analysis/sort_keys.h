/* pstats sort keys: the names, aliases and unique abbreviations pstats accepts, the
 * "Ordered by:" description, and the comparison they define. */
#ifndef PV_SORT_KEYS_H
#define PV_SORT_KEYS_H

#include "error.h"
#include "profile.h"
#include <stddef.h>

/* The fields of pstats' sort tuple (cc, nc, tt, ct, file, line, name, stdname). */
enum sort_field {
	SORT_PCALLS, SORT_CALLS, SORT_TOTTIME, SORT_CUMTIME, SORT_FILE, SORT_LINE, SORT_NAME, SORT_STDNAME,
};

#define SORT_MAX_FIELDS 48

struct sort_spec {
	size_t nfields;
	enum sort_field field[SORT_MAX_FIELDS];
	int dir[SORT_MAX_FIELDS];	/* -1 descending, 1 ascending */
	char sort_type[512];		/* "internal time, call count" */
};

/* Parses "tottime,name" (or a legacy number -1, 0, 1, 2) like sort_stats(*keys).
 * An unknown or ambiguous key is a usage error naming the valid keys. */
int sort_spec_parse(const char *keys, struct sort_spec *spec, struct pv_error *err);

/* Is word a key pstats accepts? Fills the canonical key name. */
int sort_key_lookup(const char *word, const char **canonical);

/* Sorts the stats entries idx[0..n) of p in place, stably, as pstats would. */
void sort_entries(const struct profile *p, const struct sort_spec *spec, uint32_t *idx, size_t n);

/* The SQL ORDER BY for spec over the functions table, ending with the entry order
 * tie-break; reversed when reverse is set. Returns a static-size string. */
void sort_spec_sql(const struct sort_spec *spec, int reverse, char *buf, size_t size);

#endif
