#include "diff.h"
#include "pv_regex.h"
#include "store.h"
#include "u64map.h"
#include "xalloc.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void diff_release(struct diff *d)
{
	profile_free(d->base);
	profile_free(d->new);
	free(d->rows);
	free(d->list);
	memset(d, 0, sizeof(*d));
}

static void diff_values(const struct profile *p, uint32_t f, double scale, double calls_scale, double *v)
{
	const struct pv_func *fn = &p->funcs[f];
	v[DIFF_TOTTIME] = fn->tottime * scale;
	v[DIFF_CUMTIME] = fn->cumtime * scale;
	v[DIFF_CALLS] = (double)fn->calls * calls_scale;
}

static double diff_total_time(const struct profile *p)
{
	return p->kind == PV_KIND_CALLS ? p->total_tt : p->total_weight;
}

static double diff_total_calls(const struct profile *p)
{
	return (double)(p->kind == PV_KIND_CALLS ? p->total_calls : p->total_samples);
}

/* While matching: NEW's string ids as BASE's, all looked up first
 * (diff_lookup_all()). */
struct diff_matcher {
	const struct diff *d;
	int64_t *base_str;	/* -1: BASE has no such string */
};

static int64_t diff_base_str(struct diff_matcher *m, uint32_t new_id)
{
	return m->base_str[new_id];
}

/* The exact matching's lookups, which are most of a big diff's time, are
 * read-only on BASE: half of them go to a second thread. Phase 0 looks every
 * string of NEW up in BASE (base_str), phase 1 every stats entry of NEW by
 * (file, line, name) (cand: BASE's index, or -1). */
struct diff_lookup {
	const struct profile *base, *new;
	int64_t *base_str, *cand;
	size_t from, to;
	int phase;
};

static void *diff_lookup_run(void *arg)
{
	struct diff_lookup *l = arg;
	for (size_t i = l->from; i < l->to; i++) {
		if (l->phase == 0) {
			const struct pv_str *s = profile_str(l->new, (uint32_t)i);
			l->base_str[i] = profile_find_str(l->base, s->s, s->len);
			continue;
		}
		const struct pv_func *f = &l->new->funcs[i];
		int64_t file = l->base_str[f->file], name = l->base_str[f->name];
		l->cand[i] = file < 0 || name < 0 ? -1 : profile_find_func(l->base, (uint32_t)file, f->line, (uint32_t)name);
	}
	return NULL;
}

static void diff_lookup_all(const struct profile *base, const struct profile *new, int64_t *base_str, int64_t *cand)
{
	for (int phase = 0; phase < 2; phase++) {
		size_t n = phase == 0 ? new->nstrs : new->nstats, half = n / 2;
		struct diff_lookup a = { base, new, base_str, cand, 0, half, phase };
		struct diff_lookup b = { base, new, base_str, cand, half, n, phase };
		pthread_t t;
		/* small inputs are not worth a thread; without one, all on this one */
		int threaded = n >= 4096 && pthread_create(&t, NULL, diff_lookup_run, &b) == 0;
		diff_lookup_run(&a);
		if (threaded)
			pthread_join(t, NULL);
		else
			diff_lookup_run(&b);
	}
}

/* NEW's function under a coarser key, in BASE's string ids: (file, name) or
 * name alone. 0 when BASE has no such strings (so nothing can match). */
static int diff_new_key(struct diff_matcher *m, const struct pv_func *f, int with_file, uint64_t *key)
{
	int64_t file = with_file ? diff_base_str(m, f->file) : -1, name = diff_base_str(m, f->name);
	if (name < 0 || (with_file && file < 0))
		return 0;
	*key = ((uint64_t)(with_file ? file + 1 : 0) << 32) | (uint64_t)name;
	return 1;
}

/* Matching by a coarser key among the still unmatched functions: a key that
 * is unique on both sides pairs its two functions. */
static void diff_match_unique(struct diff_matcher *m, uint32_t *base_of_new, unsigned char *base_taken, int with_file,
			      enum diff_match kind)
{
	const struct profile *base = m->d->base, *new = m->d->new;
	struct u64_map bk, nk;
	uint64_t key;
	u64_map_init(&bk, base->nstats);
	u64_map_init(&nk, new->nstats);
	for (size_t i = 0; i < base->nstats; i++) {
		if (base_taken[i])
			continue;
		const struct pv_func *f = &base->funcs[i];
		key = ((uint64_t)(with_file ? f->file + 1 : 0) << 32) | f->name;
		u64_map_put(&bk, key, u64_map_get(&bk, key) == -1 ? (int64_t)i : -2);
	}
	for (size_t j = 0; j < new->nstats; j++)
		if (base_of_new[j] == PV_NO_FUNC && diff_new_key(m, &new->funcs[j], with_file, &key))
			u64_map_put(&nk, key, u64_map_get(&nk, key) == -1 ? (int64_t)j : -2);
	for (size_t j = 0; j < new->nstats; j++) {
		if (base_of_new[j] != PV_NO_FUNC || !diff_new_key(m, &new->funcs[j], with_file, &key))
			continue;
		int64_t b = u64_map_get(&bk, key);
		if (b >= 0 && u64_map_get(&nk, key) == (int64_t)j) {
			base_of_new[j] = (uint32_t)b;
			base_taken[b] = (unsigned char)kind;
		}
	}
	u64_map_release(&bk);
	u64_map_release(&nk);
}

unsigned diff_store_parts(const struct diff_options *o, enum pv_kind base, enum pv_kind new)
{
	int rekey = o->strip_dirs || o->ignore_lines || ((base == PV_KIND_CALLS) != (new == PV_KIND_CALLS));
	return rekey ? STORE_LOAD_TREE : 0;
}

int diff_profiles(struct profile *base, struct profile *new, const struct diff_options *o, struct diff *d,
		  struct pv_error *err)
{
	(void)err;
	memset(d, 0, sizeof(*d));
	unsigned rekey = o->strip_dirs ? PV_REKEY_STRIP_DIRS : 0;
	/* cProfile keys a function by its def line, sampled frames by the line
	 * running: across the two only (file, name) can agree */
	if (o->ignore_lines || ((base->kind == PV_KIND_CALLS) != (new->kind == PV_KIND_CALLS))) {
		rekey |= PV_REKEY_DROP_LINES;
		d->lines_dropped = 1;
	}
	if (rekey) {
		struct profile *b = profile_rekey(base, rekey), *n = profile_rekey(new, rekey);
		profile_free(base);
		profile_free(new);
		base = b;
		new = n;
	}
	d->base = base;
	d->new = new;
	d->cancel = o->cancel;
	d->scale = d->calls_scale = 1.0;
	d->units_differ = strcmp(profile_unit(base), profile_unit(new)) != 0;
	d->time_before = diff_total_time(base);
	d->calls_before = diff_total_calls(base);
	double time_new = diff_total_time(new), calls_new = diff_total_calls(new);
	if (o->normalize || d->units_differ) {
		d->normalized = 1;
		if (time_new != 0)
			d->scale = d->time_before / time_new;
		if (base->kind == PV_KIND_SAMPLED && new->kind == PV_KIND_SAMPLED && calls_new != 0)
			d->calls_scale = d->calls_before / calls_new;
	}
	d->time_after = time_new * d->scale;
	d->calls_after = calls_new * d->calls_scale;

	profile_build_indexes(base);	/* looked up once per function of new */
	struct diff_matcher m = { d, xmalloc((new->nstrs ? new->nstrs : 1) * sizeof(int64_t)) };
	int64_t *cand = xmalloc((new->nstats ? new->nstats : 1) * sizeof(int64_t));
	diff_lookup_all(base, new, m.base_str, cand);
	/* 1: exact (file, line, name), in NEW's order: a BASE function is taken once */
	uint32_t *base_of_new = xmalloc((new->nstats ? new->nstats : 1) * sizeof(uint32_t));
	unsigned char *base_taken = xcalloc(base->nstats ? base->nstats : 1, 1);
	for (size_t j = 0; j < new->nstats; j++) {
		int64_t b = cand[j];
		if (b >= 0 && (size_t)b < base->nstats && !base_taken[b]) {
			base_of_new[j] = (uint32_t)b;
			base_taken[b] = DIFF_MATCH_EXACT;
		} else {
			base_of_new[j] = PV_NO_FUNC;
		}
	}
	free(cand);
	/* 2: (file, name) unique among the unmatched; 3: name alone, when asked */
	diff_match_unique(&m, base_of_new, base_taken, 1, DIFF_MATCH_FILE_NAME);
	if (o->match_names)
		diff_match_unique(&m, base_of_new, base_taken, 0, DIFF_MATCH_NAME);

	/* rows: BASE's functions in entry order, then NEW's added ones */
	uint32_t *new_of_base = xmalloc((base->nstats ? base->nstats : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < base->nstats; i++)
		new_of_base[i] = PV_NO_FUNC;
	for (size_t j = 0; j < new->nstats; j++)
		if (base_of_new[j] != PV_NO_FUNC)
			new_of_base[base_of_new[j]] = (uint32_t)j;
	d->rows = xcalloc(base->nstats + new->nstats + 1, sizeof(*d->rows));
	for (size_t i = 0; i < base->nstats; i++) {
		struct diff_row *r = &d->rows[d->nrows++];
		r->base = (uint32_t)i;
		r->new = new_of_base[i];
		diff_values(base, r->base, 1.0, 1.0, r->before);
		if (r->new != PV_NO_FUNC) {
			r->status = DIFF_BOTH;
			r->match = (enum diff_match)base_taken[i];
			diff_values(new, r->new, d->scale, d->calls_scale, r->after);
			d->matched++;
		} else {
			r->status = DIFF_REMOVED;
			d->removed++;
		}
	}
	for (size_t j = 0; j < new->nstats; j++) {
		if (base_of_new[j] != PV_NO_FUNC)
			continue;
		struct diff_row *r = &d->rows[d->nrows++];
		r->status = DIFF_ADDED;
		r->base = PV_NO_FUNC;
		r->new = (uint32_t)j;
		diff_values(new, r->new, d->scale, d->calls_scale, r->after);
		d->added++;
	}
	free(base_of_new);
	free(base_taken);
	free(new_of_base);
	free(m.base_str);
	d->list = xmalloc((d->nrows ? d->nrows : 1) * sizeof(size_t));
	for (size_t i = 0; i < d->nrows; i++)
		d->list[i] = i;
	d->nlist = d->nrows;
	snprintf(d->ordered_by, sizeof(d->ordered_by), "none");
	snprintf(d->ordered_label, sizeof(d->ordered_label), "entry order");
	return 0;
}

const struct profile *diff_row_profile(const struct diff *d, const struct diff_row *r)
{
	return r->base != PV_NO_FUNC ? d->base : d->new;
}

const struct pv_func *diff_row_func(const struct diff *d, const struct diff_row *r)
{
	return r->base != PV_NO_FUNC ? &d->base->funcs[r->base] : &d->new->funcs[r->new];
}

size_t diff_row_name(const struct diff *d, const struct diff_row *r, char **buf, size_t *cap)
{
	return profile_display_name_buf(diff_row_profile(d, r), diff_row_func(d, r), buf, cap);
}

/* ---- ordering ---- */

enum diff_key { KEY_CUM, KEY_TOT, KEY_CALLS, KEY_CUM_PCT, KEY_TOT_PCT, KEY_CALLS_PCT, KEY_NAME };

/* |delta| or |pct| for sorting. Added rows have no percentage and come first
 * (infinity); then matched rows that grew from nothing. */
static double diff_sort_value(const struct diff_row *r, enum diff_key key)
{
	int col = key == KEY_CUM || key == KEY_CUM_PCT ? DIFF_CUMTIME
		  : key == KEY_TOT || key == KEY_TOT_PCT ? DIFF_TOTTIME : DIFF_CALLS;
	double delta = r->after[col] - r->before[col];
	if (key == KEY_CUM || key == KEY_TOT || key == KEY_CALLS)
		return fabs(delta);
	if (r->status == DIFF_ADDED)
		return INFINITY;
	if (r->before[col] == 0)
		return delta == 0 ? 0 : DBL_MAX;
	return fabs(delta / r->before[col] * 100.0);
}

struct diff_sort_ctx {
	const struct diff *d;
	enum diff_key key;
	double *value;	/* per row: what the key sorts by */
	char **names;	/* per row, made when a tie or the key needs it */
	size_t *name_lens;
};

static void diff_sort_name(struct diff_sort_ctx *c, size_t r)
{
	if (!c->names[r]) {
		size_t cap = 0;
		c->name_lens[r] = diff_row_name(c->d, &c->d->rows[r], &c->names[r], &cap);
	}
}

/* <0 when row a comes before row b */
static int diff_row_cmp(const void *pa, const void *pb, void *arg)
{
	struct diff_sort_ctx *c = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct diff_row *ra = &c->d->rows[a], *rb = &c->d->rows[b];
	if (c->key != KEY_NAME) {
		double va = c->value[a], vb = c->value[b];
		if (va != vb)
			return va > vb ? -1 : 1;
		double ma = fmax(ra->before[DIFF_CUMTIME], ra->after[DIFF_CUMTIME]);
		double mb = fmax(rb->before[DIFF_CUMTIME], rb->after[DIFF_CUMTIME]);
		if (ma != mb)
			return ma > mb ? -1 : 1;
	}
	diff_sort_name(c, a);
	diff_sort_name(c, b);
	size_t la = c->name_lens[a], lb = c->name_lens[b];
	int k = memcmp(c->names[a], c->names[b], la < lb ? la : lb);
	if (k)
		return k;
	if (la != lb)
		return la < lb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* The first n of list in order, without sorting the rest: a heap keeps the
 * best n seen, its worst on top. */
static void diff_top(size_t *list, size_t len, size_t n, struct diff_sort_ctx *c)
{
	size_t *heap = xmalloc((n ? n : 1) * sizeof(size_t)), h = 0;
	for (size_t i = 0; i < len && n; i++) {
		size_t x = list[i];
		if (h == n) {
			if (diff_row_cmp(&x, &heap[0], c) >= 0)
				continue;
			heap[0] = heap[--h];
			for (size_t j = 0;;) {	/* sift down: worst (largest) on top */
				size_t l = 2 * j + 1, r = l + 1, w = j;
				if (l < h && diff_row_cmp(&heap[l], &heap[w], c) > 0)
					w = l;
				if (r < h && diff_row_cmp(&heap[r], &heap[w], c) > 0)
					w = r;
				if (w == j)
					break;
				size_t t = heap[j];
				heap[j] = heap[w];
				heap[w] = t;
				j = w;
			}
		}
		size_t j = h++;
		heap[j] = x;
		while (j && diff_row_cmp(&heap[j], &heap[(j - 1) / 2], c) > 0) {	/* sift up */
			size_t p = (j - 1) / 2, t = heap[j];
			heap[j] = heap[p];
			heap[p] = t;
			j = p;
		}
	}
	qsort_r(heap, h, sizeof(size_t), diff_row_cmp, c);
	memcpy(list, heap, h * sizeof(size_t));
	free(heap);
}

static int diff_filter(struct diff *d, const char *const *regexes, size_t nregexes, struct pv_cancel *cancel,
		       struct pv_error *err)
{
	struct pv_regex **res = xcalloc(nregexes + 1, sizeof(*res));
	int py2 = d->base->dialect == PV_DIALECT_PY2;
	int rc = 0;
	for (size_t k = 0; k < nregexes; k++) {
		char why[300];
		res[k] = pv_regex_compile(regexes[k], py2, why, sizeof(why));
		if (!res[k]) {
			err->usage = 1;
			rc = pv_error_set(err, "bad --match '%s': %s", regexes[k], why);
			goto done;
		}
	}
	char *buf = NULL;
	size_t cap = 0, w = 0;
	for (size_t i = 0; i < d->nlist; i++) {
		size_t len = nregexes ? diff_row_name(d, &d->rows[d->list[i]], &buf, &cap) : 0;
		size_t k = 0;
		int found = 1;
		while (k < nregexes && (found = pv_regex_search(res[k], buf, len)) > 0)
			k++;
		if (found < 0) {
			rc = pv_regex_fail(res[k], regexes[k], err);
			break;
		}
		if (pv_cancelled(cancel)) {
			rc = pv_cancel_fail(err);
			break;
		}
		if (k == nregexes)
			d->list[w++] = d->list[i];
	}
	free(buf);
	if (!rc)
		d->nlist = w;
done:
	for (size_t k = 0; k < nregexes; k++)
		pv_regex_free(res[k]);
	free(res);
	return rc;
}

int diff_order(struct diff *d, const char *by, const char *const *regexes, size_t nregexes, long long limit,
	       struct pv_error *err)
{
	static const struct { const char *word; enum diff_key key; } keys[] = {
		{ "cumtime", KEY_CUM }, { "cumulative", KEY_CUM }, { "cum", KEY_CUM }, { "total", KEY_CUM },
		{ "tottime", KEY_TOT }, { "time", KEY_TOT }, { "self", KEY_TOT },
		{ "calls", KEY_CALLS }, { "ncalls", KEY_CALLS }, { "samples", KEY_CALLS },
		{ "cumtime%", KEY_CUM_PCT }, { "tottime%", KEY_TOT_PCT }, { "calls%", KEY_CALLS_PCT },
		{ "name", KEY_NAME },
	};
	/* by enum diff_key: the canonical word (JSON) and the words for people */
	static const char *const names[][2] = {
		{ "cumtime", "absolute change in cumtime" }, { "tottime", "absolute change in tottime" },
		{ "calls", "absolute change in calls" }, { "cumtime%", "absolute % change in cumtime" },
		{ "tottime%", "absolute % change in tottime" }, { "calls%", "absolute % change in calls" },
		{ "name", "function name" },
	};
	if (!by)
		by = "cumtime";
	size_t k = 0, nkeys = sizeof(keys) / sizeof(keys[0]);
	while (k < nkeys && strcmp(keys[k].word, by) != 0)
		k++;
	if (k == nkeys) {
		err->usage = 1;
		return pv_error_set(err, "unknown --by '%s' (cumtime, tottime, calls, cumtime%%, tottime%%, calls%%, name)",
				    by);
	}
	if (diff_filter(d, regexes, nregexes, d->cancel, err))
		return -1;
	snprintf(d->ordered_by, sizeof(d->ordered_by), "%s", names[keys[k].key][0]);
	snprintf(d->ordered_label, sizeof(d->ordered_label), "%s", names[keys[k].key][1]);
	struct diff_sort_ctx c = { d, keys[k].key, xmalloc((d->nrows + 1) * sizeof(double)),
				   xcalloc(d->nrows + 1, sizeof(char *)), xcalloc(d->nrows + 1, sizeof(size_t)) };
	for (size_t i = 0; i < d->nlist; i++)
		c.value[d->list[i]] = diff_sort_value(&d->rows[d->list[i]], c.key);
	if (limit >= 0 && (size_t)limit < d->nlist) {
		diff_top(d->list, d->nlist, (size_t)limit, &c);
		d->nlist = (size_t)limit;
	} else {
		qsort_r(d->list, d->nlist, sizeof(size_t), diff_row_cmp, &c);
	}
	for (size_t i = 0; i < d->nrows; i++)
		free(c.names[i]);
	free(c.names);
	free(c.name_lens);
	free(c.value);
	return 0;
}

int64_t diff_find_function(const struct diff *d, const char *name, struct pv_error *err)
{
	size_t want = strlen(name);
	char *buf = NULL;
	size_t cap = 0;
	int64_t found = -1;
	size_t nfound = 0;
	/* a full display name of either side first, then a bare function name */
	for (int pass = 0; pass < 2 && !nfound; pass++) {
		for (size_t i = 0; i < d->nrows; i++) {
			const struct diff_row *r = &d->rows[i];
			int hit = 0;
			for (int side = 0; side < 2 && !hit; side++) {
				const struct profile *p = side ? d->new : d->base;
				uint32_t f = side ? r->new : r->base;
				if (f == PV_NO_FUNC)
					continue;
				if (pass == 0) {
					size_t len = profile_display_name_buf(p, &p->funcs[f], &buf, &cap);
					hit = len == want && memcmp(buf, name, len) == 0;
				} else {
					const struct pv_str *s = profile_str(p, p->funcs[f].name);
					hit = s->len == want && memcmp(s->s, name, want) == 0;
				}
			}
			if (hit) {
				found = (int64_t)i;
				nfound++;
			}
		}
	}
	free(buf);
	if (nfound == 0) {
		pv_error_set(err, "no function '%s' in either profile", name);
		return -1;
	}
	if (nfound > 1) {
		pv_error_set(err, "%zu functions are named '%s'; give it as file:line(name)", nfound, name);
		return -1;
	}
	return found;
}
