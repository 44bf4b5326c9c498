#include "input.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reading and hashing take a third of a big import's time on one core; a second
 * thread does both, a few chunks ahead of the parser. The parser holds one
 * buffer (in->raw) while the thread fills the others. */
#define PUMP_N 4

struct input_pump {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[PUMP_N];
	size_t len[PUMP_N];
	size_t head, tail, filled;	/* ready buffers: [tail, tail + filled) */
	int eof, error, stop;
	int fd;
	struct sha256 *hash;
};

static void *input_pump_run(void *arg)
{
	struct input_pump *pm = arg;
	for (;;) {
		pthread_mutex_lock(&pm->mu);
		while (pm->filled == PUMP_N - 1 && !pm->stop)
			pthread_cond_wait(&pm->cv, &pm->mu);
		size_t slot = pm->head;
		int stop = pm->stop;
		pthread_mutex_unlock(&pm->mu);
		if (stop)
			return NULL;
		size_t n = 0;
		int error = 0;
		while (n < INPUT_CHUNK) {
			ssize_t r = read(pm->fd, pm->buf[slot] + n, INPUT_CHUNK - n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				error = errno;
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		sha256_update(pm->hash, pm->buf[slot], n);
		pthread_mutex_lock(&pm->mu);
		pm->len[slot] = n;
		pm->head = (slot + 1) % PUMP_N;
		pm->filled++;
		pm->error = error;
		pm->eof = n == 0 || error;
		int done = pm->eof;
		pthread_cond_broadcast(&pm->cv);
		pthread_mutex_unlock(&pm->mu);
		if (done)
			return NULL;
	}
}

static int input_pump_start(struct input *in)
{
	struct input_pump *pm = xcalloc(1, sizeof(*pm));
	for (int i = 0; i < PUMP_N; i++)
		pm->buf[i] = xmalloc(INPUT_CHUNK + 16);
	pm->fd = in->fd;
	pm->hash = &in->hash;
	pthread_mutex_init(&pm->mu, NULL);
	pthread_cond_init(&pm->cv, NULL);
	pm->tail = 0;
	if (pthread_create(&pm->thread, NULL, input_pump_run, pm) != 0) {
		for (int i = 0; i < PUMP_N; i++)
			free(pm->buf[i]);
		pthread_mutex_destroy(&pm->mu);
		pthread_cond_destroy(&pm->cv);
		free(pm);
		return -1;
	}
	in->pump = pm;
	return 0;
}

static void input_pump_stop(struct input *in)
{
	struct input_pump *pm = in->pump;
	if (!pm)
		return;
	pthread_mutex_lock(&pm->mu);
	pm->stop = 1;
	pthread_cond_broadcast(&pm->cv);
	pthread_mutex_unlock(&pm->mu);
	pthread_join(pm->thread, NULL);
	for (int i = 0; i < PUMP_N; i++)
		free(pm->buf[i]);
	pthread_mutex_destroy(&pm->mu);
	pthread_cond_destroy(&pm->cv);
	free(pm);
	in->pump = NULL;
	in->raw = NULL;
}

/* The next chunk from the thread becomes in->raw; the one held before goes back. */
static int input_pump_take(struct input *in, struct pv_error *err)
{
	struct input_pump *pm = in->pump;
	pthread_mutex_lock(&pm->mu);
	while (pm->filled == 0)
		pthread_cond_wait(&pm->cv, &pm->mu);
	size_t slot = pm->tail;
	pm->tail = (slot + 1) % PUMP_N;
	pm->filled--;
	size_t n = pm->len[slot];
	int error = pm->filled == 0 && pm->eof ? pm->error : 0;
	pthread_cond_broadcast(&pm->cv);
	pthread_mutex_unlock(&pm->mu);
	if (error)
		return pv_error_set(err, "read error: %s", strerror(error));
	in->raw = pm->buf[slot];
	in->raw_pos = 0;
	in->raw_len = n;
	in->raw_read += n;
	if (n == 0)
		in->raw_eof = 1;
	return 0;
}

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
	sha256_init(&in->hash);
	if (in->size > 4 * INPUT_CHUNK && input_pump_start(in) == 0)
		return 0;
	in->raw = xmalloc(INPUT_CHUNK + 16);	/* room to carry a split gzip magic */
	return 0;
fail:
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	return -1;
}

void input_close(struct input *in)
{
	input_pump_stop(in);	/* before the descriptor it reads goes */
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
	if (in->pump)
		return input_pump_take(in, err);
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

void input_limit_ratio(struct input *in)
{
	in->max_ratio = INPUT_MAX_RATIO;
}

/* Compressed bytes inflate has taken so far. */
static uint64_t input_consumed(const struct input *in)
{
	return in->raw_read - (in->raw_len - in->raw_pos);
}

static int input_check_ratio(struct input *in, uint64_t out, struct pv_error *err)
{
	uint64_t used = input_consumed(in);
	if (!in->max_ratio || out <= INPUT_RATIO_FROM || out <= (uint64_t)in->max_ratio * used)
		return 0;
	return pv_error_set(err,
			    "gzip data inflating more than %u-fold (%llu MiB from %llu KiB): refused as a decompression "
			    "bomb (gunzip it first if it is genuine)",
			    in->max_ratio, (unsigned long long)(out >> 20), (unsigned long long)(used >> 10));
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
		if (input_check_ratio(in, in->out + (cap - in->z.avail_out), err))
			return -1;
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

/* What a gzip file's trailer says of its last member: its size mod 2^32 (ISIZE),
 * 0 when it cannot be read. */
static uint64_t input_gzip_isize(const struct input *in)
{
	uint8_t b[4];
	if (in->size < 18 || pread(in->fd, b, 4, (off_t)in->size - 4) != 4)
		return 0;
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
}

int input_read_all(struct input *in, const uint8_t *head, size_t len, uint8_t **buf, size_t *total,
		   size_t limit, struct pv_error *err)
{
	/* a member bigger than the limit is refused before it is inflated */
	uint64_t claim = in->gzip ? input_gzip_isize(in) : 0;
	if (claim > limit)
		return pv_error_set(err, "the gzip trailer says %llu MiB of decompressed data, more than %zu MiB: too big "
					 "to read whole",
				    (unsigned long long)(claim >> 20), limit >> 20);
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
	/* the thread has posted the end, so it is done with the hash */
	input_pump_stop(in);
	sha256_final_hex(&in->hash, hex);
}
