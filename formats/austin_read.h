/* Austin's sample lines (the frame stack sampler for CPython), read inside the
 * folded reader once it knows the file is Austin's: the thread that leads each
 * line, the frames with their line numbers (a frame of its own "L42" joins the
 * frame before it), the one or three metrics at the end, and Austin 3's
 * "# key: value" metadata. docs/profview-import.md (Austin) names the document
 * each rule comes from:
 *
 *   1.x  Thread <tid>;<func> (<file>);L<line>;... <us>        (-a: <func> (<file>:<line>))
 *        [Process <pid>;]Thread ..., -m: one metric in KiB, -f: "<us> <+KiB> <-KiB>"
 *   2.x  P<pid>;T<tid>;<func> (<file>);L<line>;... <us>       memory in bytes
 *   3.x  # austin: 3.4.1 / # interval: 100 / # mode: wall|cpu|memory|full
 *        P<pid>;T<tid>;<file>:<func>:<line>;... <us>          (-a: <file>:<func>;L<line>)
 *        full mode: "<us>,<idle 0|1>,<memory delta, bytes>"
 *
 * Ownership: struct austin_reader owns its scratch buffer; austin_reader_release()
 * frees it. Samples point into that buffer or into the line given.
 */
#ifndef PV_AUSTIN_READ_H
#define PV_AUSTIN_READ_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include "../analysis/strbuf.h"
#include <stddef.h>

/* Which of a sample's metrics becomes the weight (import --metric). */
enum austin_metric {
	AUSTIN_METRIC_DEFAULT = 0,	/* time, or allocations for a memory-mode file */
	AUSTIN_METRIC_TIME,		/* wall-clock time of each sample (us) */
	AUSTIN_METRIC_CPU,		/* time of the samples not idle (Austin 3 full mode) */
	AUSTIN_METRIC_ALLOC,		/* memory growth (bytes) */
	AUSTIN_METRIC_DEALLOC,		/* memory released (bytes, as positive numbers) */
};
/* "time", "cpu", "alloc", "dealloc"; -1 when unknown. */
int austin_metric_parse(const char *name);

enum austin_mode { AUSTIN_MODE_UNKNOWN, AUSTIN_MODE_WALL, AUSTIN_MODE_CPU, AUSTIN_MODE_MEMORY, AUSTIN_MODE_FULL };

struct austin_reader {
	/* what the command asked for: the unit of values (NULL: the file's own)
	 * and the factor to it (KiB -> bytes), the metric */
	const char *unit;
	double unit_scale;
	enum austin_metric metric;

	char version[32];	/* "# austin: X", empty when the file has no header */
	enum austin_mode header_mode;	/* "# mode: ..." */
	int started;		/* the first sample fixed what follows */
	int thread_led;		/* 1.x ("Thread ...") rather than "P<pid>;T<tid>" */
	int full;		/* samples carry three metrics */
	int memory;		/* the weight is memory (bytes), else time */
	enum austin_metric use;	/* the metric the weights come from */
	const char *weight_unit;	/* canonical */
	double memory_scale;	/* file's memory values -> bytes */
	double value_scale;	/* a single-metric file's values -> weight_unit */
	struct strbuf frames;	/* the line's frames, "L<line>" frames joined */
};

/* One sample: the thread (the line's leading "Thread ..." or "P..;T.."), the
 * frames root first, ';'-separated (empty: a sample of a thread with no
 * Python frame), and its weight in austin_unit(). */
struct austin_sample {
	const char *thread, *stack;
	size_t thread_len, stack_len;
	double weight;
};

void austin_reader_init(struct austin_reader *a, const char *unit, double unit_scale, enum austin_metric metric);
void austin_reader_release(struct austin_reader *a);

/* Takes a "# key: value" line seen before the first sample (austin, mode). */
void austin_meta(struct austin_reader *a, const char *s, size_t n);
/* Is this sample line led by Austin's thread frame ("Thread 7f3a...;",
 * "Process 12;Thread ...", "P12;T34;")? */
int austin_line_shape(const char *s, size_t n);
/* One line: 0 a sample in *out, 1 a line Austin writes that is no sample
 * (a bare "Bad sample N"), -1 malformed, -2 err set: the options do not fit
 * this file (checked at the first sample). */
int austin_sample_parse(struct austin_reader *a, const char *s, size_t n, struct austin_sample *out,
			struct pv_error *err);
/* The name of the thread a sample's thread frame leads: "<pid>:<tid>", or
 * "<tid>" when the line names no process (1.x without -C), as Austin's own
 * austin2speedscope names its profiles. Into label (reset first). */
void austin_thread_label(const char *thread, size_t n, struct strbuf *label);
/* A frame of austin_sample.stack as a function of p: name, file and line. */
uint32_t austin_frame_func(struct profile *p, const char *f, size_t len);
/* The unit of the weights ("microseconds", "bytes", or --unit's): static. */
const char *austin_unit(const struct austin_reader *a);
/* "austin 3.4.1" from the header, else "austin (1.x format)" or "austin (2.x format)". */
void austin_producer(const struct austin_reader *a, char *buf, size_t size);

#endif
