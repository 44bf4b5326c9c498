/* Function keys across profiles, hashed once per side and verified on a hit. */
#include "func_match.h"
#include "u64map.h"
#include "xalloc.h"

#include <string.h>

static uint64_t func_match_bytes(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static uint64_t func_match_key(const struct profile *p, uint32_t f, int ignore_lines)
{
	const struct pv_func *fn = &p->funcs[f];
	const struct pv_str *file = profile_str(p, fn->file), *name = profile_str(p, fn->name);
	uint64_t h = func_match_bytes(0xcbf29ce484222325ull, file->s, file->len);
	h = func_match_bytes(h * 31 + 0x9e37, name->s, name->len);
	int64_t line = ignore_lines ? 0 : fn->line;
	return func_match_bytes(h, (const char *)&line, sizeof(line));
}

static int func_match_same(const struct profile *a, uint32_t fa, const struct profile *b, uint32_t fb,
			   int ignore_lines)
{
	const struct pv_func *x = &a->funcs[fa], *y = &b->funcs[fb];
	const struct pv_str *xf = profile_str(a, x->file), *yf = profile_str(b, y->file);
	const struct pv_str *xn = profile_str(a, x->name), *yn = profile_str(b, y->name);
	return (ignore_lines || x->line == y->line) && xf->len == yf->len && xn->len == yn->len &&
	       !memcmp(xf->s, yf->s, xf->len) && !memcmp(xn->s, yn->s, xn->len);
}

int64_t *func_match(const struct profile *a, const struct profile *b, int ignore_lines)
{
	struct u64_map keys;
	u64_map_init(&keys, b->nfuncs);
	for (size_t f = 0; f < b->nfuncs; f++) {
		uint64_t k = func_match_key(b, (uint32_t)f, ignore_lines);
		if (u64_map_get(&keys, k) < 0)	/* the first of functions that coincide without lines */
			u64_map_put(&keys, k, (int64_t)f);
	}
	int64_t *map = xmalloc((a->nfuncs ? a->nfuncs : 1) * sizeof(int64_t));
	for (size_t f = 0; f < a->nfuncs; f++) {
		int64_t g = u64_map_get(&keys, func_match_key(a, (uint32_t)f, ignore_lines));
		map[f] = g >= 0 && func_match_same(a, (uint32_t)f, b, (uint32_t)g, ignore_lines) ? g : -1;
	}
	u64_map_release(&keys);
	return map;
}
