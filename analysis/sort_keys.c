#include "sort_keys.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sort_key_def {
	const char *name;
	size_t nfields;
	enum sort_field field[3];
	int dir[3];
	const char *desc;
};

/* pstats.Stats.sort_arg_dict_default, in its source order (Python 3.7+; 3.6 and 2.7
 * also list "file", which makes "file" ambiguous there): the order
 * decides which abbreviations are unique (pstats drops "cum", keeps "cu"). */
static const struct sort_key_def sort_defs[] = {
	{ "calls", 1, { SORT_CALLS }, { -1 }, "call count" },
	{ "ncalls", 1, { SORT_CALLS }, { -1 }, "call count" },
	{ "cumtime", 1, { SORT_CUMTIME }, { -1 }, "cumulative time" },
	{ "cumulative", 1, { SORT_CUMTIME }, { -1 }, "cumulative time" },
	{ "filename", 1, { SORT_FILE }, { 1 }, "file name" },
	{ "line", 1, { SORT_LINE }, { 1 }, "line number" },
	{ "module", 1, { SORT_FILE }, { 1 }, "file name" },
	{ "name", 1, { SORT_NAME }, { 1 }, "function name" },
	{ "nfl", 3, { SORT_NAME, SORT_FILE, SORT_LINE }, { 1, 1, 1 }, "name/file/line" },
	{ "pcalls", 1, { SORT_PCALLS }, { -1 }, "primitive call count" },
	{ "stdname", 1, { SORT_STDNAME }, { 1 }, "standard name" },
	{ "time", 1, { SORT_TOTTIME }, { -1 }, "internal time" },
	{ "tottime", 1, { SORT_TOTTIME }, { -1 }, "internal time" },
};
#define NDEFS (sizeof(sort_defs) / sizeof(sort_defs[0]))

/* get_sort_arg_defs(), simulated: each word and its prefixes, longest first, go into
 * a dict; a prefix already there is marked bad and ends that word's shortening; bad
 * prefixes are deleted at the end. So "cum" is refused while "cu" is accepted. */
static const struct sort_key_def *sort_abbrev_lookup(const char *word)
{
	struct frag {
		const char *s;
		size_t len;
		const struct sort_key_def *def;
		int bad;
	} frags[160];
	size_t nfrags = 0;
	for (size_t i = 0; i < NDEFS; i++) {
		const char *name = sort_defs[i].name;
		for (size_t len = strlen(name); len > 0; len--) {
			struct frag *found = NULL;
			for (size_t j = 0; j < nfrags && !found; j++)
				if (frags[j].len == len && memcmp(frags[j].s, name, len) == 0)
					found = &frags[j];
			if (found) {
				found->bad = 1;
				break;
			}
			frags[nfrags++] = (struct frag){ name, len, &sort_defs[i], 0 };
		}
	}
	size_t wl = strlen(word);
	for (size_t j = 0; j < nfrags; j++)
		if (frags[j].len == wl && memcmp(frags[j].s, word, wl) == 0)
			return frags[j].bad ? NULL : frags[j].def;
	return NULL;
}

int sort_key_lookup(const char *word, const char **canonical)
{
	const struct sort_key_def *d = sort_abbrev_lookup(word);
	if (d && canonical)
		*canonical = d->name;
	return d != NULL;
}

int sort_spec_parse(const char *keys, struct sort_spec *spec, struct pv_error *err)
{
	memset(spec, 0, sizeof(*spec));
	char *copy = xstrdup(keys);
	int rc = -1;
	/* sort_stats(n) with one int: the old profiler's numbers */
	static const char *const legacy[] = { "stdname", "calls", "time", "cumulative" };
	char *end;
	long num = strtol(copy, &end, 10);
	if (*copy && *end == '\0') {
		if (num < -1 || num > 2) {
			pv_error_usage(err, "unknown sort key '%s' (the old numeric keys are -1, 0, 1 and 2)", keys);
			goto cleanup;
		}
		free(copy);
		return sort_spec_parse(legacy[num + 1], spec, err);
	}
	const char *sep = "";
	/* split on every comma: an empty field is a key pstats refuses (KeyError: '') */
	for (char *w = copy, *next;; w = next + 1) {
		next = strchr(w, ',');
		if (next)
			*next = '\0';
		const struct sort_key_def *d = sort_abbrev_lookup(w);
		if (!d) {
			pv_error_usage(err,
				       "unknown sort key '%s' (pstats accepts calls, ncalls, cumtime, cumulative, filename, "
				       "line, module, name, nfl, pcalls, stdname, time, tottime, and their unique "
				       "prefixes; note that pstats refuses 'cum' as ambiguous, use 'cu' or 'cumtime')",
				       w);
			goto cleanup;
		}
		if (spec->nfields + d->nfields > SORT_MAX_FIELDS) {
			pv_error_usage(err, "too many sort keys");
			goto cleanup;
		}
		for (size_t k = 0; k < d->nfields; k++) {
			spec->field[spec->nfields] = d->field[k];
			spec->dir[spec->nfields] = d->dir[k];
			spec->nfields++;
		}
		size_t used = strlen(spec->sort_type);
		snprintf(spec->sort_type + used, sizeof(spec->sort_type) - used, "%s%s", sep, d->desc);
		sep = ", ";
		if (!next)
			break;
	}
	if (spec->nfields == 0) {
		pv_error_usage(err, "empty sort key");
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(copy);
	return rc;
}

struct sort_ctx {
	const struct profile *p;
	const struct sort_spec *spec;
	struct pv_str *stdnames;	/* built only when a key needs them */
};

static int sort_cmp_bytes(const struct pv_str *a, const struct pv_str *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct pv_func *a = &c->p->funcs[ia], *b = &c->p->funcs[ib];
	for (size_t k = 0; k < c->spec->nfields; k++) {
		int r = 0;
		switch (c->spec->field[k]) {
		case SORT_PCALLS:
			r = a->pcalls < b->pcalls ? -1 : a->pcalls > b->pcalls;
			break;
		case SORT_CALLS:
			r = a->calls < b->calls ? -1 : a->calls > b->calls;
			break;
		case SORT_TOTTIME:
			r = a->tottime < b->tottime ? -1 : a->tottime > b->tottime;
			break;
		case SORT_CUMTIME:
			r = a->cumtime < b->cumtime ? -1 : a->cumtime > b->cumtime;
			break;
		case SORT_FILE:
			r = sort_cmp_bytes(profile_str(c->p, a->file), profile_str(c->p, b->file));
			break;
		case SORT_LINE:
			r = a->line < b->line ? -1 : a->line > b->line;
			break;
		case SORT_NAME:
			r = sort_cmp_bytes(profile_str(c->p, a->name), profile_str(c->p, b->name));
			break;
		case SORT_STDNAME:
			r = sort_cmp_bytes(&c->stdnames[ia], &c->stdnames[ib]);
			break;
		}
		if (r)
			return r * c->spec->dir[k];
	}
	/* Python's sort is stable: ties keep entry order */
	return ia < ib ? -1 : ia > ib;
}

void sort_entries(const struct profile *p, const struct sort_spec *spec, uint32_t *idx, size_t n)
{
	struct sort_ctx c = { p, spec, NULL };
	struct arena names;
	arena_init(&names);
	for (size_t k = 0; k < spec->nfields; k++)
		if (spec->field[k] == SORT_STDNAME && !c.stdnames) {
			c.stdnames = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(*c.stdnames));
			char *buf = NULL;
			size_t cap = 0;
			for (size_t i = 0; i < p->nfuncs; i++) {
				size_t len = profile_std_name_buf(p, &p->funcs[i], &buf, &cap);
				c.stdnames[i].s = arena_strndup(&names, buf, len);
				c.stdnames[i].len = (uint32_t)len;
			}
			free(buf);
		}
	qsort_r(idx, n, sizeof(*idx), sort_cmp, &c);
	free(c.stdnames);
	arena_release(&names);
}

void sort_spec_sql(const struct sort_spec *spec, int reverse, char *buf, size_t size)
{
	static const char *const col[] = { "pcalls", "calls", "tottime", "cumtime", "file", "line", "name",
					   "pv_stdname(file, line, name)" };
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < spec->nfields && used < size; k++) {
		int desc = (spec->dir[k] < 0) != (reverse != 0);
		used += (size_t)snprintf(buf + used, size - used, "%s %s, ", col[spec->field[k]], desc ? "DESC" : "ASC");
	}
	if (used < size)
		snprintf(buf + used, size - used, "idx %s", reverse ? "DESC" : "ASC");
}
