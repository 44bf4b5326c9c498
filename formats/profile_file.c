#include "profile_file.h"
#include "prof_read.h"
#include "../analysis/sha256.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int profile_read_bytes(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err)
{
	if (len == 0)
		return pv_error_set(err, "empty file");
	if (prof_looks_like_marshal(buf, len))
		return prof_read_marshal(buf, len, p, err);
	return pv_error_at(err, 0, "unrecognised format: not a cProfile/pstats file (marshalled dict)");
}

static int profile_slurp(const char *path, uint8_t **out, size_t *len, struct pv_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		pv_error_set(err, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		pv_error_set(err, "not a regular file");
		goto fail;
	}
	/* st_size is a hint only: read until EOF, growing as needed */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			xgrow((void **)&buf, &cap, cap + 1, 1);
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			pv_error_set(err, "read error: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

struct profile_hash_job {
	const uint8_t *buf;
	size_t len;
	char hex[65];
};

static void *profile_hash_thread(void *arg)
{
	struct profile_hash_job *job = arg;
	sha256_hex(job->buf, job->len, job->hex);
	return NULL;
}

int profile_read_file(const char *path, struct profile **out, struct pv_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct profile *p = NULL;
	struct stat st;
	int rc = -1;
	if (profile_slurp(path, &buf, &len, err))
		goto cleanup;
	p = profile_new();
	/* the content hash runs on another core while this one parses */
	struct profile_hash_job job = { buf, len, { 0 } };
	pthread_t hasher;
	int threaded = len > (1u << 20) && pthread_create(&hasher, NULL, profile_hash_thread, &job) == 0;
	int parsed = profile_read_bytes(buf, len, p, err);
	if (threaded)
		pthread_join(hasher, NULL);
	else if (parsed == 0)
		profile_hash_thread(&job);
	if (parsed)
		goto cleanup;
	p->content_hash = arena_strdup(&p->arena, job.hex);
	p->source = arena_strdup(&p->arena, path);
	p->source_mtime = stat(path, &st) == 0 ? (int64_t)st.st_mtim.tv_sec : -1;
	*out = p;
	p = NULL;
	rc = 0;
cleanup:
	if (rc)
		pv_error_subject(err, path);
	profile_free(p);
	free(buf);
	return rc;
}
