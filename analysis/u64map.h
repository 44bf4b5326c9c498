/* A hash map from uint64 keys to int64 values (open addressing). The map owns its
 * table; u64_map_release() frees it. */
#ifndef PV_U64MAP_H
#define PV_U64MAP_H
#include <stddef.h>
#include <stdint.h>

struct u64_map {
	uint64_t *keys;
	int64_t *vals;
	unsigned char *used;
	size_t cap, n;
};

void u64_map_init(struct u64_map *m, size_t expected);
void u64_map_release(struct u64_map *m);
/* Returns the value, or -1 when absent. */
int64_t u64_map_get(const struct u64_map *m, uint64_t key);
void u64_map_put(struct u64_map *m, uint64_t key, int64_t val);

#endif
