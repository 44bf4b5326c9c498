/* A profile file read in chunks: the raw bytes are hashed as they pass (the
 * store's content hash) and gzip input, recognised by its magic bytes, is
 * inflated on the fly, so a reader sees the same bytes either way.
 *
 * Ownership: struct input owns its descriptor, zlib state and buffer;
 * input_close() releases them.
 */
#ifndef PV_INPUT_H
#define PV_INPUT_H
#include "../analysis/error.h"
#include "../analysis/sha256.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

#define INPUT_CHUNK (1u << 20)

struct input_pump;

struct input {
	int fd;
	struct input_pump *pump;	/* big files: read and hashed on another thread */
	int gzip;		/* inflating */
	int raw_eof, z_end;
	z_stream z;
	uint8_t *raw;		/* INPUT_CHUNK bytes of file data */
	size_t raw_len, raw_pos;
	struct sha256 hash;
	uint64_t raw_read;	/* bytes read from the file so far */
	uint64_t size;		/* the file's size when opened, for progress */
	uint64_t out;		/* bytes handed out so far */
	unsigned max_ratio;	/* see input_limit_ratio(); 0: none */
};

/* gzip input whose reader keeps memory in step with the decompressed bytes
 * (a .prof read whole, speedscope's samples and events) is refused once past
 * INPUT_RATIO_FROM bytes it inflates to more than INPUT_MAX_RATIO times the
 * compressed bytes it came from: a decompression bomb (deflate reaches about
 * 1,000-fold on repeated bytes; real profiles stay below 20-fold) stops there,
 * with the memory that far. Folded stacks need no such bound: their memory
 * follows the distinct stacks, which compression cannot multiply. */
#define INPUT_MAX_RATIO 100
#define INPUT_RATIO_FROM ((uint64_t)64 << 20)

int input_open(struct input *in, const char *path, struct pv_error *err);
/* From now on gzip input is held to INPUT_MAX_RATIO (above). */
void input_limit_ratio(struct input *in);
/* Reads up to cap bytes (decompressed); returns the count, 0 at the end, -1 on
 * error (err says what, with the decompressed offset). */
ssize_t input_read(struct input *in, uint8_t *buf, size_t cap, struct pv_error *err);
/* Reads everything left into *buf (malloc'd, NUL-terminated) after the len
 * bytes of head already read; refuses more than limit bytes in total, at once
 * when a gzip file's trailer says its last member alone is more. */
int input_read_all(struct input *in, const uint8_t *head, size_t len, uint8_t **buf, size_t *total,
		   size_t limit, struct pv_error *err);
/* The SHA-256 of the raw file, valid once input_read() returned 0. */
void input_hash_hex(struct input *in, char hex[65]);
void input_close(struct input *in);

/* gzip magic: 1f 8b */
static inline int input_is_gzip(const uint8_t *b, size_t n)
{
	return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

#endif
