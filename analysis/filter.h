/* pprof-style derived profiles (docs/profview-filter.md): focus, ignore, root,
 * hide and prune-below, exact on call trees; on cProfile data hide and prune
 * are exact and the others work on the estimated call tree. */
#ifndef PV_FILTER_H
#define PV_FILTER_H

#include "error.h"
#include "profile.h"

struct filter_options {
	const char *const *focus, *const *ignore, *const *hide;
	size_t nfocus, nignore, nhide;
	const char *root;		/* NULL: none */
	double prune_below;		/* percent of the total; < 0: none */
};

/* A new profile (the caller's) or NULL with err set (a usage error for a bad
 * regex). *estimated is set when cProfile data went through the estimated tree. */
struct profile *profile_filter(const struct profile *p, const struct filter_options *o, int *estimated,
			       struct pv_error *err);

#endif
