/* Narrowing a chart to one stack's subtree and to a number of levels, so that a
 * large tree can be fetched a piece at a time (serve's icicle endpoint). */
#include "icicle.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Subtree sizes: in pre-order node i's subtree is [i, i + size[i]). */
static uint32_t *icicle_sizes(const struct icicle *ic)
{
	uint32_t *size = xmalloc(ic->n * sizeof(uint32_t));
	for (size_t i = 0; i < ic->n; i++)
		size[i] = 1;
	for (size_t i = ic->n; i-- > 1;)
		size[ic->parent[i]] += size[i];
	return size;
}

/* The node of the stack path (functions from the top down), or -1. */
static int64_t icicle_find_stack(const struct icicle *ic, const uint32_t *size, const uint32_t *path, size_t npath,
				 uint32_t *chain)
{
	uint32_t at = 0;
	for (size_t k = 0; k < npath; k++) {
		uint32_t c = at + 1, end = at + size[at];
		while (c < end && ic->func[c] != path[k])
			c += size[c];
		if (c >= end)
			return -1;
		chain[k] = at = c;
	}
	return at;
}

int icicle_focus(struct icicle *ic, const uint32_t *path, size_t npath, long depth, struct pv_error *err)
{
	if (!npath && depth < 0)
		return 0;
	uint32_t *size = icicle_sizes(ic);
	uint32_t *chain = xmalloc((npath ? npath : 1) * sizeof(uint32_t));
	int64_t found = icicle_find_stack(ic, size, path, npath, chain);
	if (found < 0) {
		free(size);
		free(chain);
		return pv_error_set(err, "no such stack in this profile's tree");
	}
	uint32_t at = (uint32_t)found;
	double *total = icicle_subtree_sums(ic, ic->self);
	double *through = ic->count_is_samples ? icicle_subtree_sums(ic, ic->count) : NULL;

	size_t cap = size[at] + 1, n = 0;
	uint32_t *parent = xmalloc(cap * sizeof(uint32_t)), *func = xmalloc(cap * sizeof(uint32_t));
	uint8_t *flags = xmalloc(cap);
	double *self = xmalloc(cap * sizeof(double)), *count = xmalloc(cap * sizeof(double));
	double *bself = ic->base_self ? xmalloc(cap * sizeof(double)) : NULL;
	double *btotal = ic->base_self ? xmalloc(cap * sizeof(double)) : NULL;
	uint32_t *level = xmalloc(cap * sizeof(uint32_t));
	uint32_t *renum = xmalloc(ic->n * sizeof(uint32_t));
	if (npath) {
		/* an empty root above the stack's node, which becomes node 1 */
		parent[0] = 0;
		func[0] = PV_NO_FUNC;
		flags[0] = 0;
		self[0] = count[0] = 0;
		if (bself) {
			bself[0] = 0;
			btotal[0] = ic->base_total[at];
		}
		level[0] = 0;
		n = 1;
	}
	size_t cut = 0;
	for (uint32_t i = at; i < at + size[at];) {
		uint32_t me = (uint32_t)n++;
		renum[i] = me;
		parent[me] = i == at ? 0 : renum[ic->parent[i]];
		level[me] = me == 0 ? 0 : level[parent[me]] + 1;
		func[me] = ic->func[i];
		flags[me] = ic->flags[i];
		self[me] = ic->self[i];
		count[me] = ic->count[i];
		if (bself) {
			bself[me] = ic->base_self[i];
			btotal[me] = ic->base_total[i];
		}
		if (depth >= 0 && level[me] >= (uint32_t)depth && size[i] > 1) {
			/* the last level kept: what is below folds into it */
			self[me] = total[i];
			if (through)
				count[me] = through[i];
			if (bself)
				bself[me] = btotal[me];
			flags[me] |= ICICLE_CUT;
			cut += size[i] - 1;
			i += size[i];
			continue;
		}
		i++;
	}
	free(ic->parent);
	free(ic->func);
	free(ic->flags);
	free(ic->self);
	free(ic->count);
	free(ic->base_self);
	free(ic->base_total);
	ic->parent = parent;
	ic->func = func;
	ic->flags = flags;
	ic->self = self;
	ic->count = count;
	ic->base_self = bself;
	ic->base_total = btotal;
	ic->n = n;
	ic->depth = depth;
	ic->depth_cut = cut;
	free(ic->root_path);
	free(ic->root_path_total);
	ic->root_path = NULL;
	ic->root_path_total = NULL;
	ic->nroot_path = npath;
	if (npath) {
		ic->root_path = xmalloc(npath * sizeof(uint32_t));
		ic->root_path_total = xmalloc(npath * sizeof(double));
		for (size_t k = 0; k < npath; k++) {
			ic->root_path[k] = path[k];
			ic->root_path_total[k] = total[chain[k]];
		}
	}
	free(level);
	free(renum);
	free(size);
	free(chain);
	free(total);
	free(through);
	return 0;
}
