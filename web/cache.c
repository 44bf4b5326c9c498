#include "cache.h"
#include "../analysis/xalloc.h"

#include <stdlib.h>
#include <sys/random.h>
#include <string.h>

struct answer_cache_entry {
	struct answer_cache_entry *chain, *prev, *next;
	uint64_t hash;
	char *key, *body;
	size_t len;
	const char *content_type;	/* static strings only */
};

/* FNV-1a from a random start: keys hold query text, which must not be able
 * to steer every entry into one chain. */
static uint64_t answer_hash(const struct answer_cache *c, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ c->seed;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void answer_cache_init(struct answer_cache *c, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->nslots = 4096;
	c->slots = xcalloc(c->nslots, sizeof(*c->slots));
	c->max_bytes = max_bytes;
	c->max_entry = max_bytes / 16;
	if (getrandom(&c->seed, sizeof(c->seed), 0) != sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c;
}

static void answer_unlink(struct answer_cache *c, struct answer_cache_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void answer_push_front(struct answer_cache *c, struct answer_cache_entry *e)
{
	e->next = c->lru_head;
	e->prev = NULL;
	if (c->lru_head)
		c->lru_head->prev = e;
	c->lru_head = e;
	if (!c->lru_tail)
		c->lru_tail = e;
}

static void answer_drop(struct answer_cache *c, struct answer_cache_entry *e)
{
	struct answer_cache_entry **p = &c->slots[e->hash % c->nslots];
	while (*p != e)
		p = &(*p)->chain;
	*p = e->chain;
	answer_unlink(c, e);
	c->bytes -= e->len + strlen(e->key);
	free(e->key);
	free(e->body);
	free(e);
}

static struct answer_cache_entry *answer_find(struct answer_cache *c, const char *key, uint64_t h)
{
	for (struct answer_cache_entry *e = c->slots[h % c->nslots]; e; e = e->chain)
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

char *answer_cache_get(struct answer_cache *c, const char *key, size_t *len, const char **content_type)
{
	uint64_t h = answer_hash(c, key);
	char *copy = NULL;
	pthread_mutex_lock(&c->lock);
	struct answer_cache_entry *e = answer_find(c, key, h);
	if (e) {
		answer_unlink(c, e);
		answer_push_front(c, e);
		copy = xmalloc(e->len + 1);
		memcpy(copy, e->body, e->len);
		*len = e->len;
		*content_type = e->content_type;
	}
	pthread_mutex_unlock(&c->lock);
	return copy;
}

void answer_cache_put(struct answer_cache *c, const char *key, const char *body, size_t len,
		      const char *content_type)
{
	size_t size = len + strlen(key);
	if (size > c->max_entry)
		return;
	uint64_t h = answer_hash(c, key);
	struct answer_cache_entry *e = xcalloc(1, sizeof(*e));
	e->hash = h;
	e->key = xstrdup(key);
	e->body = xmalloc(len + 1);
	memcpy(e->body, body, len);
	e->len = len;
	e->content_type = content_type;
	pthread_mutex_lock(&c->lock);
	struct answer_cache_entry *old = answer_find(c, key, h);
	if (old)
		answer_drop(c, old);
	while (c->lru_tail && c->bytes + size > c->max_bytes)
		answer_drop(c, c->lru_tail);
	e->chain = c->slots[h % c->nslots];
	c->slots[h % c->nslots] = e;
	answer_push_front(c, e);
	c->bytes += size;
	pthread_mutex_unlock(&c->lock);
}

void answer_cache_release(struct answer_cache *c)
{
	while (c->lru_tail)
		answer_drop(c, c->lru_tail);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
}
