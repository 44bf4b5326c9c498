/* Allocation that cannot fail: on exhaustion the process aborts with a message,
 * so callers never check for NULL (DESIGN.md §4). */
#ifndef PV_XALLOC_H
#define PV_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *p (an array of *cap elements of size elem) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);

/* Bytes this process can sensibly use: 60% of the smaller of its address-space
 * limit and the machine's memory. Readers that must hold a whole file (or a
 * parsed tree many times its size) refuse beyond it instead of aborting. */
size_t xalloc_room(void);

#endif
