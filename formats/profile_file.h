/* Reading a profile file from disk: the bytes (gzip inflated on the fly), their
 * content hash, the format detected from the content, and the reader for it. */
#ifndef PV_PROFILE_FILE_H
#define PV_PROFILE_FILE_H
#include "../analysis/error.h"
#include "../analysis/profile.h"
#include <stdint.h>
#include <sys/types.h>

struct file_facts {
	char *abspath;		/* realpath(), malloc'd */
	int64_t size;
	int64_t mtime;		/* seconds */
	int64_t mtime_ns;	/* full precision, for the stat cache */
};

/* stat() facts of a regular file; -1 with err when it is not one. */
int profile_file_facts(const char *path, struct file_facts *f, struct pv_error *err);
void file_facts_release(struct file_facts *f);

enum profile_format { FORMAT_AUTO, FORMAT_PSTATS, FORMAT_FOLDED, FORMAT_SPEEDSCOPE };

struct read_options {
	enum profile_format format;	/* FORMAT_AUTO: decided by the content */
	int lenient;		/* speedscope: repair broken event streams; folded: keep the
				 * stacks of a file whose lines mostly are none */
	int merge;		/* several profiles (threads) in one file: one tree */
	/* folded stacks: the unit of the counts (import --unit; canonical, from
	 * unit_parse_input()) and the factor to it; NULL: the file's own */
	const char *unit;
	double unit_scale;
	int metric;		/* an Austin file's metric (import --metric): enum austin_metric, 0 default */
	/* called now and then while a big file streams in; may be NULL */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/* Formats by name: "auto", "pstats", "folded", "speedscope"; -1 when unknown. */
int profile_format_parse(const char *name);

/* The first bytes of the content that decide its format. */
#define PROFILE_HEAD ((size_t)65536)

/* Files read whole (pstats) are refused beyond this size; speedscope and
 * folded stacks stream. */
#define PROFILE_MAX_WHOLE ((size_t)1 << 30)

/* Reads and parses path into one profile per profile in the file, each carrying
 * source (= path as given), source_mtime, content_hash, format, part/nparts.
 * With a unit or metric given, content_hash is the hash of the content and of
 * those options: another reading of the same file is another profile.
 * Errors name the file; on error out is unchanged. */
int profile_read_path(const char *path, const struct read_options *o, struct profile_list *out,
		      struct pv_error *err);
/* Does o read files other than their content alone decides (unit, metric)? */
int read_options_reinterpret(const struct read_options *o);

/* The same from bytes in memory (fuzzers, tests); no hash or source. */
int profile_read_buffer(const uint8_t *buf, size_t len, const struct read_options *o, struct profile_list *out,
			struct pv_error *err);

#endif
