/* Writes a profile as a cProfile .prof file: the marshalled dict that
 * pstats.Stats loads, {(file, line, name): (cc, nc, tt, ct, {caller: stats})}. */
#ifndef PV_PROF_WRITE_H
#define PV_PROF_WRITE_H
#include "../analysis/profile.h"
#include "../analysis/strbuf.h"

/* Appends the file's bytes to out. cProfile data is written back as read
 * (entry order, callers order, the profile module's bare-count callers). For
 * sampled and evented profiles nc = samples or calls, cc = nc or primitive
 * calls, tt/ct = self/total weight times scale (1 for counts, the unit's
 * seconds for times). */
void prof_write(struct strbuf *out, const struct profile *p, double scale);

#endif
