#include "u64map.h"
#include "xalloc.h"

#include <stdlib.h>

static size_t u64_map_slot(uint64_t k, size_t mask)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & mask;
}

void u64_map_init(struct u64_map *m, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2)
		cap *= 2;
	m->keys = xmalloc(cap * sizeof(uint64_t));
	m->vals = xmalloc(cap * sizeof(int64_t));
	m->used = xcalloc(cap, 1);
	m->cap = cap;
	m->n = 0;
}

void u64_map_release(struct u64_map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	m->keys = NULL;
	m->vals = NULL;
	m->used = NULL;
	m->cap = m->n = 0;
}

int64_t u64_map_get(const struct u64_map *m, uint64_t key)
{
	size_t mask = m->cap - 1;
	for (size_t j = u64_map_slot(key, mask); m->used[j]; j = (j + 1) & mask)
		if (m->keys[j] == key)
			return m->vals[j];
	return -1;
}

static void u64_map_grow(struct u64_map *m)
{
	struct u64_map big;
	u64_map_init(&big, m->cap);
	for (size_t j = 0; j < m->cap; j++)
		if (m->used[j])
			u64_map_put(&big, m->keys[j], m->vals[j]);
	u64_map_release(m);
	*m = big;
}

void u64_map_put(struct u64_map *m, uint64_t key, int64_t val)
{
	if ((m->n + 1) * 2 > m->cap)
		u64_map_grow(m);
	size_t mask = m->cap - 1;
	size_t j = u64_map_slot(key, mask);
	for (; m->used[j]; j = (j + 1) & mask)
		if (m->keys[j] == key) {
			m->vals[j] = val;
			return;
		}
	m->used[j] = 1;
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
}
