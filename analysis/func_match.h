/* The same function in two profiles, by key: (file, line, name), or (file,
 * name) when lines are ignored (cProfile data against sampled data). */
#ifndef PV_FUNC_MATCH_H
#define PV_FUNC_MATCH_H
#include "profile.h"

/* For each function of a, its index in b or -1; malloc'd (a->nfuncs entries,
 * at least one), the caller frees it. */
int64_t *func_match(const struct profile *a, const struct profile *b, int ignore_lines);

#endif
