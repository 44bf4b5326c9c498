/* What a file is when it is not a profile profview reads: recognisers for the
 * formats people try to import (callgrind, pprof, perf, Chrome/V8, Austin MOJO,
 * Python source, reports printed by profilers, pictures, archives), each with a
 * refusal that names the format and says what to do instead.
 *
 * Only the first bytes of the content are looked at (decompressed: a gzipped
 * pprof file is recognised by its protobuf). A recogniser claims a file only on
 * evidence that no folded, speedscope or cProfile file has, so it runs before
 * the readers' own tests.
 */
#ifndef PV_DETECT_H
#define PV_DETECT_H
#include "../analysis/error.h"
#include <stddef.h>
#include <stdint.h>

/* 1 when head (n bytes; complete: the whole content) is a known foreign format:
 * err then says what it is and what to do, as a predicate of the file
 * ("is Python source: profile it with ..."), naming path where the advice needs
 * it (NULL: FILE); gzipped: the content was gzip-compressed, so the advice begins
 * with decompressing it. 0, err untouched, when it is none of them. */
int detect_foreign(const uint8_t *head, size_t n, int complete, const char *path, int gzipped,
		   struct pv_error *err);

#endif
