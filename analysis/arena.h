/* A bump allocator: every block handed out lives until arena_release(), which frees
 * them all at once. One arena per loaded profile owns all of its strings, functions
 * and edges, so a profile is dropped with a single call. */
#ifndef PV_ARENA_H
#define PV_ARENA_H
#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	char *cur, *end;
	size_t total;	/* bytes obtained from malloc, for reporting */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* Aligned to 16 bytes; never returns NULL (aborts on exhaustion). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
/* Copy n bytes and add a NUL terminator. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
