/* Allocation that cannot fail: on exhaustion the process ends (the command line's
 * handler says which file was too large and exits 1; without one it aborts with a
 * message), so callers never check for NULL (DESIGN.md §4). */
#ifndef PV_XALLOC_H
#define PV_XALLOC_H
#include <stddef.h>
#include <stdint.h>

struct pv_error;

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of *cap elements of size elem) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

/* Bytes this process can sensibly use: 60% of the smallest of its address-space
 * and data limits (ulimit -v, -d), its cgroup's memory limit and the machine's
 * memory. Readers refuse an input that would need more (xalloc_need_error())
 * rather than fail half-way, or be killed by the kernel when memory is
 * overcommitted. */
size_t xalloc_room(void);
/* The refusal of an input that needs more than xalloc_room(): "too large for
 * the memory available (about N MiB needed)", the one wording for it. -1. */
int xalloc_need_error(struct pv_error *err, uint64_t need);
/* 0 when need bytes fit room, else xalloc_need_error(). */
int xalloc_check(uint64_t need, size_t room, struct pv_error *err);
/* Heap bytes in use now (allocated and not freed), as the C library counts them;
 * 0 where it cannot tell. */
size_t xalloc_in_use(void);

/* What an allocation failure does instead of printing "fatal: out of memory"
 * and aborting: fn(ctx, n) with the size that failed; fn must not return. The
 * one process-wide setting here, made once by main() before any thread starts:
 * a failure ends the process whichever thread meets it. */
void xalloc_on_failure(void (*fn)(void *ctx, size_t n), void *ctx);

#endif
