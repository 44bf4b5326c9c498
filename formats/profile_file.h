/* Reading a profile file from disk: the bytes, their content hash, the format
 * detected from the content, and the reader for it. */
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

/* Reads and parses path. The new profile carries source (= path as given),
 * source_mtime and content_hash. Errors name the file. */
int profile_read_file(const char *path, struct profile **out, struct pv_error *err);
/* The same from bytes already in memory (fuzzers, tests). */
int profile_read_bytes(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err);

#endif
