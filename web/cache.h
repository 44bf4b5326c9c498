/* The server's answer cache. A stored profile never changes (content-hashed;
 * a removed id that comes back holds other content, so keys name each
 * profile's id and hash), so an answer computed once serves every identical
 * request: the same view opened again, or by another browser tab. Bounded in
 * bytes, least recently used first out, shared by the worker threads. */
#ifndef PV_WEB_CACHE_H
#define PV_WEB_CACHE_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct answer_cache_entry;

struct answer_cache {
	pthread_mutex_t lock;
	struct answer_cache_entry **slots;	/* chained hash table */
	size_t nslots;
	struct answer_cache_entry *lru_head, *lru_tail;	/* most recent first */
	size_t bytes, max_bytes, max_entry;
	uint64_t seed;
};

void answer_cache_init(struct answer_cache *c, size_t max_bytes);
void answer_cache_release(struct answer_cache *c);
/* A copy of the answer stored under key (malloc'd, the caller frees), or NULL. */
char *answer_cache_get(struct answer_cache *c, const char *key, size_t *len, const char **content_type);
/* Stores a copy; answers larger than a sixteenth of the cache are not kept. */
void answer_cache_put(struct answer_cache *c, const char *key, const char *body, size_t len,
		      const char *content_type);

#endif
