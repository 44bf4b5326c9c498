/* Python 2.7 iterates a dict in hash-table slot order, and pstats' sorts are stable,
 * so ties (and the unsorted listing) come out in that order, not the file's. This
 * replays CPython 2.7's dict insertions (its str/int/tuple hashes, probe sequence
 * and resize policy) to find the order a Python 2 pstats sees. */
#ifndef PV_PY2_ORDER_H
#define PV_PY2_ORDER_H
#include "profile.h"

/* Reorders p's stats entries from insertion order into Python 2.7 dict order. */
void py2_dict_reorder(struct profile *p);

#endif
