/* The speedscope JSON reader (https://www.speedscope.app/file-format-schema.json):
 * shared frames, and profiles of type "sampled" (stacks with weights) or
 * "evented" (open/close events), one stored profile per profile in the file.
 */
#ifndef PV_SPEEDSCOPE_READ_H
#define PV_SPEEDSCOPE_READ_H
#include "json_pull.h"
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

/* Reads a speedscope file from src in one pass (what follows its JSON value is
 * not read) and appends its profiles to out. On error nothing is appended.
 * Memory follows the samples and events (12 and 16 bytes each) and the
 * distinct stacks, not the text; an input that will not fit the room
 * (xalloc_room()) is refused while it is read. */
int speedscope_read_stream(const struct json_source *src, const struct speedscope_options *o,
			   struct profile_list *out, struct pv_error *err);
/* The same from len bytes in memory. */
int speedscope_read(const uint8_t *buf, size_t len, const struct speedscope_options *o, struct profile_list *out,
		    struct pv_error *err);

#endif
