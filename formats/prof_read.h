/* Reads cProfile / profile-module output (a marshalled pstats dict) into a profile. */
#ifndef PV_PROF_READ_H
#define PV_PROF_READ_H

#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stddef.h>
#include <stdint.h>

/* True when buf looks like a marshalled dict (what pstats.Stats loads). */
int prof_looks_like_marshal(const uint8_t *buf, size_t len);

/* About how many bytes of memory reading a .prof takes per byte of it: the data,
 * its marshal objects decoded (some ten times the data) and the profile. */
#define PROF_READ_MEMORY 12

/* Fills p (fresh from profile_new()) from buf. On error returns -1 with err set
 * (the subject is left for the caller to fill with the file name). */
int prof_read_marshal(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err);

#endif
