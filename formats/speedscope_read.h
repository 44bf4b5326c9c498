/* The speedscope JSON reader (https://www.speedscope.app/file-format-schema.json):
 * shared frames, and profiles of type "sampled" (stacks with weights) or
 * "evented" (open/close events), one stored profile per profile in the file.
 */
#ifndef PV_SPEEDSCOPE_READ_H
#define PV_SPEEDSCOPE_READ_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stddef.h>
#include <stdint.h>

struct speedscope_options {
	int lenient;		/* repair broken event streams instead of refusing them */
	int merge;		/* all profiles into one tree */
};

/* Does this start of a file look like JSON (an object)? */
int speedscope_looks_like(const uint8_t *buf, size_t len);

/* Parses buf (NUL-terminated at buf[len]) and appends the profiles to out. On
 * error nothing is appended. */
int speedscope_read(const uint8_t *buf, size_t len, const struct speedscope_options *o, struct profile_list *out,
		    struct pv_error *err);

#endif
