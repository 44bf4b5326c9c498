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
	/* keep every line that holds a stack however many do not (--lenient);
	 * without it the file must pass folded_evidence_ok() at the end */
	int lenient;
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

/* What one line of folded text is. The one rule for "is this a stack line",
 * used by the reader and by format detection. */
enum folded_line_kind {
	FOLDED_LINE_NONE,	/* blank or a '#' comment */
	FOLDED_LINE_STACK,	/* "frame;frame COUNT": count is a folded count */
	FOLDED_LINE_METRICS,	/* a stack with Austin's metrics instead ("... 432,0,-1024", "... -164"):
				 * evidence of folded stacks; the reader skips them for now */
	FOLDED_LINE_BAD,	/* anything else */
};
struct folded_line {
	size_t stack_len;	/* the stack is the line's first stack_len bytes */
	const char *metrics;	/* the text after the last blank */
	size_t metrics_len;
	double count;		/* FOLDED_LINE_STACK: the count */
};
/* Drops a line's trailing '\r' from *n and returns where its text starts past
 * leading blanks (spaces, tabs); *n when the line is blank. The reader and
 * format detection skip the same lines by it. */
size_t folded_line_start(const char *s, size_t *n);
/* Classifies one line (without its '\n'; a trailing '\r' is dropped). */
enum folded_line_kind folded_line_parse(const char *s, size_t n, struct folded_line *out);

/* The one rule for "this text is folded stacks", on the lines that are not blank or
 * comments: the stack lines outnumber the others nine to one (>= 90 %), or, in a
 * small file, at most two lines are other lines and at least twice as many are stacks. */
int folded_evidence_ok(int64_t stacks, int64_t other);
/* The refusal when it does not hold: -1 with err set. whole: the counts are of the
 * whole file, not of its first bytes. */
int folded_evidence_error(struct pv_error *err, int64_t stacks, int64_t other, int64_t first_other, int whole);
/* Do these first bytes of a file (complete: all of it) hold folded stacks by
 * folded_evidence_ok()? Lines cut by the end of an incomplete head do not count.
 * 0 when they do (or when no whole line is there to judge), else -1 with err. */
int folded_head_is_stacks(const uint8_t *buf, size_t len, int complete, struct pv_error *err);

/* Is the first line "stack COUNT"? (Frames may begin with '{', as marshal does.) */
int folded_first_line_is_stack(const uint8_t *buf, size_t len);
/* Does this start of a file look like folded text (not binary)? */
int folded_looks_like(const uint8_t *buf, size_t len);

#endif
