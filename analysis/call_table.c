#include "call_table.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void call_table_release(struct call_table *c)
{
	stat_table_release(&c->stats);
	free(c->entries);
	free(c->start);
	memset(c, 0, sizeof(*c));
}

/* Python compares str by code point and bytes by byte: for UTF-8 both are the
 * byte order, a prefix first. */
static int call_str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* sorted(call_dict.keys()): (file, line, name) tuples */
static int call_entry_cmp(const void *pa, const void *pb)
{
	const struct call_entry *a = pa, *b = pb;
	int c = call_str_cmp(a->file, a->file_len, b->file, b->file_len);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return call_str_cmp(a->name, a->name_len, b->name, b->name_len);
}

/* Sorts each row's entries and sizes the name column (get_print_list: the
 * longest name of the listed functions, + 2). */
static void call_table_finish(struct call_table *c)
{
	struct stat_table *t = &c->stats;
	char *buf = NULL;
	size_t cap = 0, width = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		size_t n = c->start[i + 1] - c->start[i];
		if (n > 1)
			qsort(c->entries + c->start[i], n, sizeof(*c->entries), call_entry_cmp);
		/* len(func_std_string(func)), or of the frame name sampled data shows */
		const struct stat_row *r = &t->rows[i];
		size_t len = pv_display_name_raw(t->kind, r->file, r->file_len, r->line, r->name, r->name_len, &buf, &cap);
		size_t w = utf8_width(buf, len, c->stats.py2);
		if (w > width)
			width = w;
	}
	free(buf);
	c->width = width + 2;
}

static void call_table_init(struct call_table *c, enum call_direction dir)
{
	memset(c, 0, sizeof(*c));
	c->direction = dir;
}

int call_table_from_profile(const struct profile *p0, const struct stat_query *q0, enum call_direction dir,
			    struct call_table *c, struct pv_error *err)
{
	call_table_init(c, dir);
	/* strip first so that the rows and the edges speak of the same functions */
	struct profile *stripped = q0->strip_dirs ? profile_strip_dirs(p0) : NULL;
	const struct profile *p = stripped ? stripped : p0;
	struct stat_query q = *q0;
	q.strip_dirs = 0;
	if (stat_table_from_profile(p, &q, &c->stats, err)) {
		profile_free(stripped);
		return -1;
	}
	struct stat_table *t = &c->stats;
	c->subheader = p->nedges > 0 && p->edges[0].kind == PV_EDGE_TIMED;
	struct pv_edge_index ix;
	profile_index_edges(p, &ix, dir == CALL_CALLERS);
	c->start = xmalloc((t->nrows + 1) * sizeof(size_t));
	size_t total = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		size_t f = (size_t)t->rows[i].idx;
		c->start[i] = total;
		total += ix.start[f + 1] - ix.start[f];
	}
	c->start[t->nrows] = total;
	c->entries = xmalloc((total ? total : 1) * sizeof(*c->entries));
	for (size_t i = 0; i < t->nrows; i++) {
		size_t f = (size_t)t->rows[i].idx, k = c->start[i];
		for (size_t j = ix.start[f]; j < ix.start[f + 1]; j++) {
			const struct pv_edge *e = &p->edges[ix.edge[j]];
			const struct pv_func *o = &p->funcs[dir == CALL_CALLERS ? e->caller : e->callee];
			const struct pv_str *file = profile_str(p, o->file), *name = profile_str(p, o->name);
			c->entries[k++] = (struct call_entry){
				.file = arena_strndup(&t->arena, file->s, file->len),
				.file_len = file->len,
				.name = arena_strndup(&t->arena, name->s, name->len),
				.name_len = name->len,
				.line = o->line,
				.idx = dir == CALL_CALLERS ? e->caller : e->callee,
				.timed = e->kind == PV_EDGE_TIMED,
				.calls = e->calls,
				.pcalls = e->pcalls,
				.tottime = e->tottime,
				.cumtime = e->cumtime,
				.other_cumtime = o->cumtime,
			};
		}
	}
	pv_edge_index_release(&ix);
	profile_free(stripped);
	call_table_finish(c);
	return 0;
}

int call_table_from_store(struct store *s, int64_t id, const struct stat_query *q, enum call_direction dir,
			  struct call_table *c, struct pv_error *err)
{
	struct profile *p;
	/* strip-dirs merges a tree's functions and edges through the tree */
	if (store_load_profile_parts(s, id, STORE_LOAD_EDGES | (q->strip_dirs ? STORE_LOAD_TREE : 0), &p, err))
		return -1;
	int rc = call_table_from_profile(p, q, dir, c, err);
	profile_free(p);
	return rc;
}
