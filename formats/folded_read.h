/* The folded-stacks reader (flamegraph.pl's stackcollapse output, py-spy,
 * Austin, perf, inferno): "frame;frame;frame COUNT" per line, fed in chunks so a
 * file of any size imports in memory proportional to its distinct stacks.
 * Austin's files (a "# austin:" header, or lines led by Austin's thread frame)
 * go through austin_read.c: one profile per thread, frames with their lines,
 * weights in microseconds or bytes.
 *
 * Ownership: the reader owns the profiles it builds until folded_reader_finish()
 * hands them to the caller's list; folded_reader_free() releases the rest.
 */
#ifndef PV_FOLDED_READ_H
#define PV_FOLDED_READ_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stddef.h>
#include <stdint.h>

struct folded_reader;

struct folded_options {
	/* The unit of the counts (import --unit: a canonical unit_parse_input()
	 * name) and the factor to it (KiB -> bytes); NULL: samples, or what an
	 * Austin file says. */
	const char *unit;
	double unit_scale;	/* 0 means 1 */
	int metric;		/* enum austin_metric: the metric of an Austin sample (import --metric) */
	int merge;		/* an Austin file's threads into one profile */
};

/* Starts reading; o may be NULL (plain folded, counts are samples). */
struct folded_reader *folded_reader_new(const struct folded_options *o);
/* Feeds the next bytes of the file (any split, any encoding the reader knows:
 * UTF-8 with or without BOM, UTF-16 LE/BE with BOM). -1 when the file cannot
 * be read with these options (an Austin file that says its own unit, too many
 * threads); every later call fails the same way. */
int folded_reader_feed(struct folded_reader *r, const uint8_t *buf, size_t len, struct pv_error *err);
/* Ends the input, builds the profiles' stats and appends them to out: one, or
 * one per thread of an Austin file (part/nparts/thread set). -1 when no line
 * held a stack; then nothing is appended. */
int folded_reader_finish(struct folded_reader *r, struct profile_list *out, struct pv_error *err);
void folded_reader_free(struct folded_reader *r);

/* Is the first line "stack COUNT"? (Frames may begin with '{', as marshal does.) */
int folded_first_line_is_stack(const uint8_t *buf, size_t len);
/* Does this start of a file look like folded text (not binary)? */
int folded_looks_like(const uint8_t *buf, size_t len);

#endif
