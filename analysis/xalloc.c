#include "xalloc.h"
#include "error.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <string.h>

/* Written once by main() before any thread starts, read only after (see the
 * header): allocation failure has no caller to return to. */
static struct {
	void (*fn)(void *ctx, size_t n);
	void *ctx;
} xalloc_failure;

void xalloc_on_failure(void (*fn)(void *ctx, size_t n), void *ctx)
{
	xalloc_failure.fn = fn;
	xalloc_failure.ctx = ctx;
}

static void xalloc_fail(size_t n)
{
	if (xalloc_failure.fn)
		xalloc_failure.fn(xalloc_failure.ctx, n);
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

/* Big arrays (a 200k-function profile's functions, edges, strings) are
 * touched once each page: with 4 KB pages, faulting them in cost a warm
 * command more than reading the store. Asking for huge pages where the kernel
 * gives them on request (transparent_hugepage=madvise) cuts those faults ~2.5x.
 * Only its 2 MB-aligned parts can be backed so; a hint, never an error. */
#define XALLOC_HUGE ((size_t)4 << 20)

static void xalloc_hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	if (n < XALLOC_HUGE)
		return;
	/* the whole pages of the block: glibc maps a block this big on its own,
	 * and advising all of its mapping keeps it one mapping that realloc can
	 * still grow in place (mremap refuses a mapping split in two) */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + n + page - 1) & ~(page - 1);
	madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xalloc_fail(n);
	xalloc_hint_huge(p, n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		xalloc_fail(count * size);
	xalloc_hint_huge(p, count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		xalloc_fail(n);
	xalloc_hint_huge(q, n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

void xgrow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t n = *cap ? *cap : 16;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			xalloc_fail(SIZE_MAX);
		n *= 2;
	}
	*p = xrealloc(*p, n * elem);
	*cap = n;
}

/* A whole file's text into buf (NUL-terminated); -1 when it cannot be read. */
static int xalloc_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The memory limit of this process's cgroup (v2 memory.max, v1
 * memory.limit_in_bytes), the smallest along its path up to the root;
 * UINT64_MAX when none is set or none can be read. */
static uint64_t xalloc_cgroup_limit(void)
{
	char self[4096], path[4600], num[64];
	uint64_t limit = UINT64_MAX;
	if (xalloc_read_small("/proc/self/cgroup", self, sizeof(self)))
		return limit;
	char *save = NULL;
	for (char *line = strtok_r(self, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* "0::/path" (v2) or "N:memory:/path" (v1, or with other controllers) */
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		int v2 = c2 == c1 + 1;
		*c2 = '\0';
		if (!v2 && !strstr(c1 + 1, "memory"))
			continue;
		char *cg = c2 + 1;
		size_t len = strlen(cg);
		for (;;) {
			snprintf(path, sizeof(path), v2 ? "/sys/fs/cgroup%.*s/memory.max"
							: "/sys/fs/cgroup/memory%.*s/memory.limit_in_bytes",
				 (int)len, cg);
			char *end;
			if (xalloc_read_small(path, num, sizeof(num)) == 0 && num[0] >= '0' && num[0] <= '9') {
				unsigned long long v = strtoull(num, &end, 10);
				if (v < limit)
					limit = v;
			}
			if (len <= 1)
				break;
			while (len > 1 && cg[len - 1] != '/')
				len--;
			if (len > 1)
				len--;	/* the parent: "/a/b" -> "/a", "/a" -> "/" */
		}
	}
	return limit;
}

size_t xalloc_room(void)
{
	uint64_t room = UINT64_MAX;
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		room = (uint64_t)rl.rlim_cur;
	if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (uint64_t)rl.rlim_cur < room)
		room = (uint64_t)rl.rlim_cur;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page < room)
		room = (uint64_t)pages * (uint64_t)page;
	uint64_t cg = xalloc_cgroup_limit();
	if (cg < room)
		room = cg;
	room = room / 10 * 6;
	return room > SIZE_MAX ? SIZE_MAX : (size_t)room;
}

int xalloc_need_error(struct pv_error *err, uint64_t need)
{
	return pv_error_set(err, "too large for the memory available (about %llu MiB needed)",
			    (unsigned long long)((need + (1 << 20) - 1) >> 20));
}

int xalloc_check(uint64_t need, size_t room, struct pv_error *err)
{
	return need <= room ? 0 : xalloc_need_error(err, need);
}

size_t xalloc_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}
