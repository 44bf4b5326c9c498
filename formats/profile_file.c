#include "profile_file.h"
#include "detect.h"
#include "folded_read.h"
#include "input.h"
#include "prof_read.h"
#include "speedscope_read.h"
#include "../analysis/sha256.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int profile_file_facts(const char *path, struct file_facts *f, struct pv_error *err)
{
	struct stat st;
	memset(f, 0, sizeof(*f));
	if (stat(path, &st) != 0) {
		pv_error_subject(err, path);
		return pv_error_set(err, "%s", strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		pv_error_subject(err, path);
		return pv_error_set(err, "not a regular file");
	}
	char buf[PATH_MAX];
	f->abspath = xstrdup(realpath(path, buf) ? buf : path);
	f->size = (int64_t)st.st_size;
	f->mtime = (int64_t)st.st_mtim.tv_sec;
	f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

void file_facts_release(struct file_facts *f)
{
	free(f->abspath);
	f->abspath = NULL;
}

int profile_format_parse(const char *name)
{
	static const char *const names[] = { "auto", "pstats", "folded", "speedscope" };
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

/* The format from the first bytes of the (decompressed) content (complete: all
 * of it), by evidence: known foreign formats are refused by name (path and
 * gzipped for the advice), text is folded only when its lines are mostly stacks. */
static int profile_detect(const uint8_t *head, size_t n, int complete, const char *path, int gzipped,
			  enum profile_format *f, struct pv_error *err)
{
	if (n == 0)
		return pv_error_set(err, "empty file");
	if (detect_foreign(head, n, complete, path, gzipped, err))
		return -1;
	/* JSON first: its "{" + whitespace or quote is never a marshalled dict */
	if (speedscope_looks_like(head, n))
		*f = FORMAT_SPEEDSCOPE;
	else if (prof_looks_like_marshal(head, n) && !folded_first_line_is_stack(head, n))
		*f = FORMAT_PSTATS;
	else if (folded_looks_like(head, n))
		return folded_head_is_stacks(head, n, complete, err) ? -1 : (*f = FORMAT_FOLDED, 0);
	else
		return pv_error_at(err, 0, "unrecognised format: not a cProfile/pstats file, folded stacks or "
					   "speedscope JSON");
	return 0;
}

int read_options_reinterpret(const struct read_options *o)
{
	return o->unit != NULL || o->metric != 0;
}

/* --unit and --metric say how to read folded stacks; other formats state
 * their own units. */
static int profile_check_options(enum profile_format f, const struct read_options *o, struct pv_error *err)
{
	if (f == FORMAT_FOLDED || !read_options_reinterpret(o))
		return 0;
	return pv_error_set(err, "%s applies to folded stacks: this is a %s file", o->unit ? "--unit" : "--metric",
			    f == FORMAT_PSTATS ? "cProfile/pstats" : "speedscope");
}

/* The content hash of a file read with a unit or metric of its own: the same
 * bytes read another way are another profile, found again by the same options. */
static void profile_reading_hash(const struct read_options *o, char hex[65])
{
	struct sha256 h;
	char buf[160];
	int n = snprintf(buf, sizeof(buf), "profview import\n%s\nunit=%s %.17g\nmetric=%d\n", hex,
			 o->unit ? o->unit : "", o->unit_scale, o->metric);
	sha256_init(&h);
	sha256_update(&h, buf, (size_t)n);
	sha256_final_hex(&h, hex);
}

static struct folded_options profile_folded_options(const struct read_options *o)
{
	struct folded_options fo = { o->unit, o->unit_scale, o->metric, o->merge, o->lenient };
	return fo;
}

/* Parses a whole buffer: pstats (buf[len] must be a readable NUL) or speedscope. */
static int profile_parse_whole(enum profile_format f, const uint8_t *buf, size_t len, const struct read_options *o,
			       struct profile_list *out, struct pv_error *err)
{
	if (f == FORMAT_SPEEDSCOPE) {
		struct speedscope_options so = { o->lenient, o->merge };
		return speedscope_read(buf, len, &so, out, err);
	}
	if (len == 0)
		return pv_error_set(err, "empty file");
	struct profile *p = profile_new();
	if (prof_read_marshal(buf, len, p, err)) {
		profile_free(p);
		return -1;
	}
	p->nparts = 1;
	profile_list_push(out, p);
	return 0;
}

int profile_read_buffer(const uint8_t *buf, size_t len, const struct read_options *o, struct profile_list *out,
			struct pv_error *err)
{
	enum profile_format f = o->format;
	/* the same head as a file's, so both ways decide alike */
	if ((f == FORMAT_AUTO && profile_detect(buf, len < PROFILE_HEAD ? len : PROFILE_HEAD, len < PROFILE_HEAD, NULL,
						0, &f, err)) ||
	    profile_check_options(f, o, err))
		return -1;
	if (f == FORMAT_PSTATS) {
		/* the reader wants a terminating NUL after the data */
		uint8_t *copy = xmalloc(len + 1);
		memcpy(copy, buf, len);
		copy[len] = 0;
		int rc = profile_parse_whole(f, copy, len, o, out, err);
		free(copy);
		return rc;
	}
	if (f == FORMAT_SPEEDSCOPE)
		return profile_parse_whole(f, buf, len, o, out, err);
	struct folded_options fo = profile_folded_options(o);
	struct folded_reader *r = folded_reader_new(&fo);
	int rc = folded_reader_feed(r, buf, len, err) || folded_reader_finish(r, out, err) ? -1 : 0;
	folded_reader_free(r);
	return rc;
}

/* The content after the head already read: the head, then the rest of in. */
struct profile_stream {
	struct input *in;
	const uint8_t *head;
	size_t n, pos;
	const struct read_options *o;
};

static ssize_t profile_stream_read(void *ctx, uint8_t *buf, size_t cap, struct pv_error *err)
{
	struct profile_stream *st = ctx;
	if (st->pos < st->n) {
		size_t k = st->n - st->pos < cap ? st->n - st->pos : cap;
		memcpy(buf, st->head + st->pos, k);
		st->pos += k;
		return (ssize_t)k;
	}
	ssize_t got = input_read(st->in, buf, cap, err);
	if (got > 0 && st->o->progress)
		st->o->progress(st->o->progress_ctx, st->in->raw_read, st->in->size);
	return got;
}

/* Streams the rest of in through the speedscope reader; what follows the JSON
 * value is read too (it is not looked at), for the content hash and to find
 * damaged gzip data. */
static int profile_stream_speedscope(struct input *in, const uint8_t *head, size_t n, const struct read_options *o,
				     struct profile_list *out, struct pv_error *err)
{
	struct profile_stream st = { in, head, n, 0, o };
	struct json_source src = { profile_stream_read, &st, NULL, 0 };
	struct speedscope_options so = { o->lenient, o->merge };
	struct profile_list got = { 0 };
	int rc = -1;
	if (speedscope_read_stream(&src, &so, &got, err))
		goto cleanup;
	uint8_t *rest = xmalloc(INPUT_CHUNK);
	ssize_t r;
	while ((r = input_read(in, rest, INPUT_CHUNK, err)) > 0)
		;
	free(rest);
	if (r < 0)
		goto cleanup;
	profile_list_take(out, &got);
	rc = 0;
cleanup:
	profile_list_release(&got);
	return rc;
}

/* Streams the rest of in through the folded reader. */
static int profile_stream_folded(struct input *in, const uint8_t *head, size_t n, const struct read_options *o,
				 struct profile_list *out, struct pv_error *err)
{
	struct folded_options fo = profile_folded_options(o);
	struct folded_reader *r = folded_reader_new(&fo);
	uint8_t *buf = xmalloc(INPUT_CHUNK);
	int rc = -1;
	if (folded_reader_feed(r, head, n, err))
		goto cleanup;
	for (;;) {
		ssize_t got = input_read(in, buf, INPUT_CHUNK, err);
		if (got < 0)
			goto cleanup;
		if (got == 0)
			break;
		if (folded_reader_feed(r, buf, (size_t)got, err))
			goto cleanup;
		if (o->progress)
			o->progress(o->progress_ctx, in->raw_read, in->size);
	}
	if (folded_reader_finish(r, out, err))
		goto cleanup;
	rc = 0;
cleanup:
	folded_reader_free(r);
	free(buf);
	return rc;
}

/* Streams a plain .prof (its size known) through the reader, which holds a
 * window of it and the profile, not the file; what follows the marshalled dict
 * is read too (not looked at), for the content hash. */
static int profile_stream_pstats(struct input *in, const uint8_t *head, size_t n, const struct read_options *o,
				 struct profile_list *out, struct pv_error *err)
{
	if (n == 0)
		return pv_error_set(err, "empty file");
	uint64_t len = in->size > n ? in->size : n;
	/* a file the room cannot hold is refused before it is read */
	size_t limit = xalloc_room() / PROF_READ_MEMORY;
	if (limit > PROFILE_MAX_WHOLE)
		limit = PROFILE_MAX_WHOLE;
	if (len > limit) {
		if (len <= PROFILE_MAX_WHOLE)
			return xalloc_need_error(err, len * PROF_READ_MEMORY);
		return pv_error_set(err, "more than %zu MiB of data: too big to read whole", limit >> 20);
	}
	struct profile_stream st = { in, head, n, 0, o };
	struct profile *p = profile_new();
	if (prof_read_stream(head, n, len, profile_stream_read, &st, 0, p, err)) {
		profile_free(p);
		return -1;
	}
	uint8_t *rest = xmalloc(INPUT_CHUNK);
	ssize_t r;
	while ((r = input_read(in, rest, INPUT_CHUNK, err)) > 0)
		;
	free(rest);
	if (r < 0) {
		profile_free(p);
		return -1;
	}
	p->nparts = 1;
	profile_list_push(out, p);
	return 0;
}

int profile_read_path(const char *path, const struct read_options *o, struct profile_list *out,
		      struct pv_error *err)
{
	struct input in;
	struct profile_list got = { 0 };
	uint8_t *head = NULL, *whole = NULL;
	size_t n = 0;
	int rc = -1;
	if (input_open(&in, path, err))
		goto fail;
	/* enough of the content to recognise its format */
	head = xmalloc(PROFILE_HEAD + 1);
	while (n < PROFILE_HEAD) {
		ssize_t got = input_read(&in, head + n, PROFILE_HEAD - n, err);
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	enum profile_format f = o->format;
	if ((f == FORMAT_AUTO && profile_detect(head, n, n < PROFILE_HEAD, path, in.gzip, &f, err)) ||
	    profile_check_options(f, o, err))
		goto fail;
	if (f == FORMAT_FOLDED) {
		if (profile_stream_folded(&in, head, n, o, &got, err))
			goto fail;
	} else if (f == FORMAT_SPEEDSCOPE) {
		input_limit_ratio(&in);
		if (profile_stream_speedscope(&in, head, n, o, &got, err))
			goto fail;
	} else if (in.gzip) {
		input_limit_ratio(&in);
		size_t len;
		/* read whole (its size is known at the end only), the data held too */
		size_t limit = xalloc_room() / (PROF_READ_MEMORY + 1);
		if (limit > PROFILE_MAX_WHOLE)
			limit = PROFILE_MAX_WHOLE;
		if (input_read_all(&in, head, n, &whole, &len, limit, err) ||
		    profile_parse_whole(f, whole, len, o, &got, err))
			goto fail;
	} else if (profile_stream_pstats(&in, head, n, o, &got, err)) {
		goto fail;
	}
	char hex[65];
	input_hash_hex(&in, hex);
	if (read_options_reinterpret(o))
		profile_reading_hash(o, hex);
	struct stat st;
	int64_t mtime = stat(path, &st) == 0 ? (int64_t)st.st_mtim.tv_sec : -1;
	for (size_t i = 0; i < got.n; i++) {
		struct profile *p = got.v[i];
		p->content_hash = arena_strdup(&p->arena, hex);
		p->source = arena_strdup(&p->arena, path);
		p->source_mtime = mtime;
		if (!p->format)
			p->format = "pstats";
		if (o->merge && p->nparts > 1)
			p->nparts = 1;
		profile_list_push(out, p);
	}
	free(got.v);
	got.v = NULL;
	got.n = 0;
	rc = 0;
fail:
	if (rc)
		pv_error_subject(err, path);
	profile_list_release(&got);
	input_close(&in);
	free(head);
	free(whole);
	return rc;
}
