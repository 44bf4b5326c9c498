#include "py2_order.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* CPython 2.7 string_hash() on a 64-bit build with hash randomization off. For a
 * unicode object the same loop runs over code points; ASCII gives equal hashes. */
static int64_t py2_str_hash(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	uint64_t x = (uint64_t)s[0] << 7;
	for (size_t i = 0; i < n; i++)
		x = (1000003u * x) ^ s[i];
	x ^= (uint64_t)n;
	int64_t h = (int64_t)x;
	return h == -1 ? -2 : h;
}

static int64_t py2_int_hash(int64_t v)
{
	return v == -1 ? -2 : v;
}

/* tuplehash() over (file, line, name) */
static int64_t py2_key_hash(const struct profile *p, const struct pv_func *f)
{
	const struct pv_str *file = profile_str(p, f->file), *name = profile_str(p, f->name);
	int64_t items[3] = { py2_str_hash((const unsigned char *)file->s, file->len), py2_int_hash(f->line),
			     py2_str_hash((const unsigned char *)name->s, name->len) };
	uint64_t x = 0x345678u, mult = 1000003u;
	for (int k = 0, len = 3; k < 3; k++) {
		len--;
		x = (x ^ (uint64_t)items[k]) * mult;
		mult += (uint64_t)(82520 + len + len);
	}
	x += 97531u;
	int64_t h = (int64_t)x;
	return h == -1 ? -2 : h;
}

struct py2_dict {
	int64_t *slot;		/* entry index + 1, 0 empty */
	uint64_t *hash;
	size_t mask, used;
};

static void py2_place(struct py2_dict *d, uint64_t h, int64_t entry)
{
	/* lookdict: i = hash & mask, then i = 5i + perturb + 1, perturb >>= 5 */
	size_t i = (size_t)h & d->mask;
	if (d->slot[i]) {
		for (uint64_t perturb = h;; perturb >>= 5) {
			i = (i << 2) + i + (size_t)perturb + 1;
			if (!d->slot[i & d->mask])
				break;
		}
		i &= d->mask;
	}
	d->slot[i] = entry + 1;
	d->hash[i] = h;
}

static void py2_resize(struct py2_dict *d, size_t minused)
{
	size_t newsize = 8;
	while (newsize <= minused)
		newsize <<= 1;
	struct py2_dict n = { xcalloc(newsize, sizeof(int64_t)), xcalloc(newsize, sizeof(uint64_t)), newsize - 1,
			      d->used };
	/* dictresize re-inserts the old table's entries in slot order */
	for (size_t i = 0; i <= d->mask; i++)
		if (d->slot[i])
			py2_place(&n, d->hash[i], d->slot[i] - 1);
	free(d->slot);
	free(d->hash);
	*d = n;
}

void py2_dict_reorder(struct profile *p)
{
	struct py2_dict d = { xcalloc(8, sizeof(int64_t)), xcalloc(8, sizeof(uint64_t)), 7, 0 };
	size_t fill = 0;
	for (size_t e = 0; e < p->nstats; e++) {
		py2_place(&d, (uint64_t)py2_key_hash(p, &p->funcs[e]), (int64_t)e);
		d.used++;
		fill++;
		if (fill * 3 >= (d.mask + 1) * 2) {
			py2_resize(&d, (d.used > 50000 ? 2 : 4) * d.used);
			fill = d.used;
		}
	}
	uint32_t *order = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	size_t k = 0;
	for (size_t i = 0; i <= d.mask; i++)
		if (d.slot[i])
			order[k++] = (uint32_t)(d.slot[i] - 1);
	for (size_t i = p->nstats; i < p->nfuncs; i++)
		order[k++] = (uint32_t)i;
	free(d.slot);
	free(d.hash);
	profile_reorder(p, order);
	free(order);
}
