#include "input.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int input_open(struct input *in, const char *path, struct pv_error *err)
{
	struct stat st;
	memset(in, 0, sizeof(*in));
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0 || fstat(in->fd, &st) != 0) {
		pv_error_set(err, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pv_error_set(err, "not a regular file");
		goto fail;
	}
	in->size = (uint64_t)st.st_size;
	in->raw = xmalloc(INPUT_CHUNK + 16);	/* room to carry a split gzip magic */
	sha256_init(&in->hash);
	return 0;
fail:
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	return -1;
}

void input_close(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	if (in->gzip)
		inflateEnd(&in->z);
	in->gzip = 0;
	free(in->raw);
	in->raw = NULL;
}

/* Refills the raw buffer; 0 with raw_eof set at the end of the file. */
static int input_fill(struct input *in, struct pv_error *err)
{
	in->raw_pos = in->raw_len = 0;
	for (;;) {
		ssize_t r = read(in->fd, in->raw, INPUT_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pv_error_set(err, "read error: %s", strerror(errno));
		if (r == 0)
			in->raw_eof = 1;
		in->raw_len = (size_t)r;
		in->raw_read += (uint64_t)r;
		sha256_update(&in->hash, in->raw, (size_t)r);
		return 0;
	}
}

static ssize_t input_inflate(struct input *in, uint8_t *buf, size_t cap, struct pv_error *err)
{
	in->z.next_out = buf;
	in->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
	while (in->z.avail_out > 0) {
		if (in->raw_pos == in->raw_len && !in->raw_eof && input_fill(in, err))
			return -1;
		if (in->z_end) {
			/* gzip allows several members back to back; anything else after
			 * the end is damage */
			if (in->raw_pos == in->raw_len && in->raw_eof)
				break;
			if (in->raw_len - in->raw_pos < 2 && !in->raw_eof) {
				/* the next member's magic may straddle chunks: keep it */
				uint8_t keep = in->raw[in->raw_pos];
				if (input_fill(in, err))
					return -1;
				memmove(in->raw + 1, in->raw, in->raw_len);
				in->raw[0] = keep;
				in->raw_len++;
			}
			if (!input_is_gzip(in->raw + in->raw_pos, in->raw_len - in->raw_pos))
				return pv_error_at(err, in->raw_read - (in->raw_len - in->raw_pos),
						   "data after the end of the gzip stream");
			inflateReset(&in->z);
			in->z_end = 0;
		}
		in->z.next_in = in->raw + in->raw_pos;
		in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
		int rc = inflate(&in->z, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->z.avail_in;
		if (rc == Z_STREAM_END) {
			in->z_end = 1;
			continue;
		}
		if (rc == Z_BUF_ERROR && in->raw_eof && in->raw_pos == in->raw_len)
			return pv_error_at(err, in->raw_read, "truncated gzip data");
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return pv_error_at(err, in->raw_read - (in->raw_len - in->raw_pos), "corrupt gzip data: %s",
					   in->z.msg ? in->z.msg : "inflate failed");
	}
	return (ssize_t)(cap - in->z.avail_out);
}

ssize_t input_read(struct input *in, uint8_t *buf, size_t cap, struct pv_error *err)
{
	if (in->out == 0 && in->raw_len == 0 && !in->raw_eof) {
		if (input_fill(in, err))
			return -1;
		if (input_is_gzip(in->raw, in->raw_len)) {
			if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
				return pv_error_set(err, "cannot start gzip decompression");
			in->gzip = 1;
		}
	}
	ssize_t n;
	if (in->gzip) {
		n = input_inflate(in, buf, cap, err);
	} else {
		if (in->raw_pos == in->raw_len && !in->raw_eof && input_fill(in, err))
			return -1;
		size_t avail = in->raw_len - in->raw_pos;
		n = (ssize_t)(avail < cap ? avail : cap);
		memcpy(buf, in->raw + in->raw_pos, (size_t)n);
		in->raw_pos += (size_t)n;
	}
	if (n > 0)
		in->out += (uint64_t)n;
	return n;
}

int input_read_all(struct input *in, const uint8_t *head, size_t len, uint8_t **buf, size_t *total,
		   size_t limit, struct pv_error *err)
{
	size_t cap = len + INPUT_CHUNK;
	if (!in->gzip && in->size + 1 > cap && in->size < limit)
		cap = (size_t)in->size + 1;	/* a hint only: the loop reads to the end */
	uint8_t *b = xmalloc(cap);
	memcpy(b, head, len);
	for (;;) {
		if (cap - len < INPUT_CHUNK)
			xgrow((void **)&b, &cap, len + INPUT_CHUNK, 1);
		ssize_t r = input_read(in, b + len, cap - len - 1, err);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > limit) {
			pv_error_set(err, "more than %zu MiB of %sdata: too big to read whole", limit >> 20,
				     in->gzip ? "decompressed " : "");
			goto fail;
		}
	}
	b[len] = 0;
	*buf = b;
	*total = len;
	return 0;
fail:
	free(b);
	return -1;
}

void input_hash_hex(struct input *in, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[32];
	sha256_final(&in->hash, d);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}
