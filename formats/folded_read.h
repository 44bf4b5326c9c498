/* The folded-stacks reader (flamegraph.pl's stackcollapse output, py-spy,
 * Austin, perf, inferno): "frame;frame;frame COUNT" per line, fed in chunks so a
 * file of any size imports in memory proportional to its distinct stacks.
 *
 * Ownership: the reader borrows the profile it fills and owns only its own
 * buffers; folded_reader_free() releases them.
 */
#ifndef PV_FOLDED_READ_H
#define PV_FOLDED_READ_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stddef.h>
#include <stdint.h>

struct folded_reader;

/* Starts reading into p, which must be empty; p becomes a sampled profile. */
struct folded_reader *folded_reader_new(struct profile *p);
/* Feeds the next bytes of the file (any split, any encoding the reader knows:
 * UTF-8 with or without BOM, UTF-16 LE/BE with BOM). */
int folded_reader_feed(struct folded_reader *r, const uint8_t *buf, size_t len, struct pv_error *err);
/* Ends the input, builds the profile's stats; -1 when no line held a stack. */
int folded_reader_finish(struct folded_reader *r, struct pv_error *err);
void folded_reader_free(struct folded_reader *r);

/* Is the first line "stack COUNT"? (Frames may begin with '{', as marshal does.) */
int folded_first_line_is_stack(const uint8_t *buf, size_t len);
/* Does this start of a file look like folded text (not binary)? */
int folded_looks_like(const uint8_t *buf, size_t len);

#endif
