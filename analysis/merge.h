/* Summing profiles (docs/profview-merge.md): pstats.Stats.add for cProfile
 * data, one call tree for sampled and evented data. */
#ifndef PV_MERGE_H
#define PV_MERGE_H

#include "error.h"
#include "profile.h"

/* A new profile, owned by the caller, that sums v[0..n) in order; NULL with err
 * set when they cannot be summed (cProfile with sampled data, different units,
 * profile-module counts with cProfile tuples). source_lines: what pstats' header
 * shows for each input (its "ctime    path" line), NULL for the input's source. */
struct profile *profile_merge(struct profile *const *v, size_t n, const char *const *source_lines,
			      struct pv_error *err);

#endif
