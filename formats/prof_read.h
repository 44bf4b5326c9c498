/* Reads cProfile / profile-module output (a marshalled pstats dict) into a profile,
 * straight off the marshal stream: no tree of the file's values is built. */
#ifndef PV_PROF_READ_H
#define PV_PROF_READ_H

#include "marshal.h"
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stddef.h>
#include <stdint.h>

/* True when buf looks like a marshalled dict (what pstats.Stats loads). */
int prof_looks_like_marshal(const uint8_t *buf, size_t len);

/* About how many bytes of memory reading a .prof takes per byte of it: the
 * profile it makes and the reader's tables (measured: 2.2 for a real 200k-function
 * profile, 3.6 for a dense synthetic one); a file read whole (gzip) holds its data
 * too. */
#define PROF_READ_MEMORY 4

/* Fills p (fresh from profile_new()) from buf. On error returns -1 with err set
 * (the subject is left for the caller to fill with the file name). */
int prof_read_marshal(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err);
/* The same from a stream of len bytes that read() gives from the start (the
 * first nfirst of them, already read, are at first), held a window at a time
 * (window bytes; 0: the default). */
int prof_read_stream(const uint8_t *first, size_t nfirst, uint64_t len, marshal_read_fn read, void *ctx,
		     size_t window, struct profile *p, struct pv_error *err);

#endif
