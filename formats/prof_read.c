#include "prof_read.h"
#include "marshal.h"
#include "../analysis/py2_order.h"
#include "../analysis/xalloc.h"

#include <stdio.h>

#include <stdlib.h>
#include <math.h>
#include <string.h>

int prof_looks_like_marshal(const uint8_t *buf, size_t len)
{
	/* JSON and folded lines that begin with '{' are told apart by the caller */
	return len > 0 && (buf[0] & 0x7f) == '{';
}

struct prof_reader {
	struct profile *p;
	struct pv_error *err;
	uint32_t *order;	/* stats entries in dict order */
	size_t norder, cap_order;
	uint32_t jprofile_file, profiler_name;	/* pstats' top-level marker key */
	enum pv_dialect dialect;
	/* Per function, for repeated keys (Python keeps the last value):
	 * seen == serial of the entry being read when that function already is a
	 * caller there, at edge edge_at; block_* is the function's own callers
	 * block, retired if its stats key comes again. */
	struct prof_func_state {
		uint32_t seen;
		size_t edge_at, block_start, block_len;
	} *state;
	size_t cap_state;
	uint32_t serial;
	size_t max_edges;	/* shared back-references must not multiply work */
	/* pstats sums counts with Python's unbounded ints; profview keeps int64, so
	 * the sum of all |counts| read must fit, and then every total and every
	 * strip-dirs merge does. */
	uint64_t count_sum, edge_count_sum;
	/* Marshal writes a repeated string or key tuple once and then refers back
	 * to it; both resolve to the same input bytes / item array, so their
	 * interned ids are cached by address. */
	struct prof_str_cache {
		const uint8_t *s;
		uint32_t n, id;
	} str_cache[4096];
};

static int prof_int(const struct mval *v, int64_t *out)
{
	if (v->type == MV_INT || v->type == MV_BOOL) {
		*out = v->u.i;
		return 0;
	}
	return -1;
}

static int prof_num(const struct mval *v, double *out)
{
	if (v->type == MV_FLOAT || v->type == MV_BIGINT) {
		*out = v->u.d;
		/* NaN has no place in SQLite's REAL (it becomes NULL) nor in a sort */
		return isnan(v->u.d) ? -1 : 0;
	}
	if (v->type == MV_INT || v->type == MV_BOOL) {
		*out = (double)v->u.i;
		return 0;
	}
	return -1;
}

static int prof_add_counts(struct prof_reader *r, uint64_t *sum, int64_t a, int64_t b, uint64_t off)
{
	uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
	if (__builtin_add_overflow(*sum, ua, sum) || __builtin_add_overflow(*sum, ub, sum) ||
	    *sum > (uint64_t)INT64_MAX)
		return pv_error_at(r->err, off, "call counts too large: their sum does not fit in 64 bits");
	return 0;
}

/* Makes r->state cover every function read so far (new ones zeroed). */
static void prof_grow_state(struct prof_reader *r)
{
	size_t old = r->cap_state;
	if (r->p->nfuncs <= old)
		return;
	xgrow((void **)&r->state, &r->cap_state, r->p->nfuncs, sizeof(*r->state));
	memset(r->state + old, 0, (r->cap_state - old) * sizeof(*r->state));
}

/* `python -m profile -o` keys its top entry ('profile', 0, <code object>), and
 * pstats prints the code object's repr(), whose address is the loading
 * process's and random. Python compares code objects by value, so the copies
 * of one code object that a Python 2 file holds (no back-references) are one
 * key to pstats; the stand-in address is therefore made from what the code
 * object is (its name, file and first line), written with 12 hex digits like
 * a 64-bit Linux heap address (0x55..., 0x7f...) so that the name is as long
 * as pstats' and print_callers() columns line up. */
static uint32_t prof_code_repr(struct prof_reader *r, const struct mval *code)
{
	const struct mval *file = &code->u.items[0], *name = &code->u.items[1];
	int64_t line = code->u.items[2].u.i;
	/* Python 2 formats with %.100s / %.300s */
	int py2 = r->dialect == PV_DIALECT_PY2;
	int nlen = py2 && name->n > 100 ? 100 : (int)name->n;
	int flen = py2 && file->n > 300 ? 300 : (int)file->n;
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *parts[2] = { (const unsigned char *)name->u.s, (const unsigned char *)file->u.s };
	size_t lens[2] = { name->n, file->n };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < lens[k]; i++)
			h = (h ^ parts[k][i]) * 0x100000001b3ull;
	h = (h ^ (uint64_t)line) * 0x100000001b3ull;
	unsigned long long addr = 0x7f0000000000ull | (h & 0xffffffffffull);
	char *s = arena_printf(&r->p->arena, "<code object %.*s at 0x%012llx, file \"%.*s\", line %lld>", nlen,
			       (const char *)name->u.s, addr, flen, (const char *)file->u.s,
			       (long long)(line ? line : -1));
	return profile_intern(r->p, s, strlen(s));
}

static uint32_t prof_intern(struct prof_reader *r, const struct mval *v)
{
	struct prof_str_cache *c = &r->str_cache[((uintptr_t)v->u.s >> 2) & 4095];
	if (c->s == v->u.s && c->n == v->n)
		return c->id;
	c->s = v->u.s;
	c->n = v->n;
	c->id = profile_intern(r->p, (const char *)v->u.s, v->n);
	return c->id;
}

/* A function key: (file, line, name), or a code object standing for one. */
static int prof_key(struct prof_reader *r, const struct mval *k, uint32_t *index)
{
	const struct mval *file, *line, *name;
	if (k->type == MV_CODE) {
		file = &k->u.items[0];
		name = &k->u.items[1];
		line = &k->u.items[2];
	} else if ((k->type == MV_TUPLE || k->type == MV_LIST) && k->n == 3) {
		/* a key tuple met before (a back-reference to the same items) */
		if (k->u.items[1].type == MV_INT && k->u.items[1].n) {
			*index = k->u.items[1].n - 1;
			return 0;
		}
		file = &k->u.items[0];
		line = &k->u.items[1];
		name = &k->u.items[2];
	} else {
		return pv_error_at(r->err, k->off, "function key is not a (file, line, name) tuple");
	}
	int64_t lineno;
	if (file->type != MV_STR || (name->type != MV_STR && name->type != MV_CODE) || prof_int(line, &lineno))
		return pv_error_at(r->err, k->off, "function key is not a (file, line, name) tuple");
	uint32_t fs = prof_intern(r, file);
	uint32_t ns = name->type == MV_CODE ? prof_code_repr(r, name) : prof_intern(r, name);
	*index = profile_func(r->p, fs, lineno, ns, NULL);
	if (k->type != MV_CODE && line->type == MV_INT)
		((struct mval *)line)->n = *index + 1;	/* the items live in the reader's arena */
	return 0;
}

static int prof_callers(struct prof_reader *r, uint32_t callee, const struct mval *callers)
{
	if (callers->type != MV_DICT)
		return pv_error_at(r->err, callers->off, "callers of a function is not a dict");
	for (uint32_t k = 0; k < callers->n; k++) {
		const struct mval *key = &callers->u.items[2 * k];
		const struct mval *val = &callers->u.items[2 * k + 1];
		uint32_t caller;
		if (prof_key(r, key, &caller))
			return -1;
		struct pv_func *cf = &r->p->funcs[caller];
		if (cf->line == 0 && cf->file == r->jprofile_file && cf->name == r->profiler_name)
			r->p->funcs[callee].flags |= PV_FUNC_TOP_LEVEL;
		/* a repeated key in one dict: the last value wins, as in Python */
		prof_grow_state(r);
		struct prof_func_state *cs = &r->state[caller];
		struct pv_edge *e;
		if (cs->seen == r->serial) {
			e = &r->p->edges[cs->edge_at];
		} else {
			if (r->p->nedges >= r->max_edges)
				return pv_error_at(r->err, key->off,
						   "more caller entries than the file could hold (shared references?)");
			cs->seen = r->serial;
			cs->edge_at = r->p->nedges;
			e = profile_add_edge(r->p, caller, callee);
		}
		if (val->type == MV_INT || val->type == MV_BOOL) {
			/* the pure-Python profile module stores a bare call count */
			e->kind = PV_EDGE_COUNT;
			e->calls = e->pcalls = val->u.i;
			e->tottime = e->cumtime = 0.0;
		} else if ((val->type == MV_TUPLE || val->type == MV_LIST) && val->n == 4) {
			/* cProfile's caller tuple is (nc, cc, tt, ct): not the entry's order */
			e->kind = PV_EDGE_TIMED;
			if (prof_int(&val->u.items[0], &e->calls) || prof_int(&val->u.items[1], &e->pcalls) ||
			    prof_num(&val->u.items[2], &e->tottime) || prof_num(&val->u.items[3], &e->cumtime))
				return pv_error_at(r->err, val->off, "caller stats are not (calls, primitive calls, tottime, cumtime) numbers");
		} else {
			return pv_error_at(r->err, val->off, "caller stats are neither a call count nor a 4-tuple");
		}
		if (prof_add_counts(r, &r->edge_count_sum, e->calls, e->pcalls, val->off))
			return -1;
	}
	return 0;
}

static int prof_entry(struct prof_reader *r, const struct mval *key, const struct mval *val)
{
	uint32_t f;
	if (prof_key(r, key, &f))
		return -1;
	if ((val->type != MV_TUPLE && val->type != MV_LIST) || val->n != 5)
		return pv_error_at(r->err, val->off, "function stats are not a (cc, nc, tt, ct, callers) tuple");
	struct pv_func *fn = &r->p->funcs[f];
	prof_grow_state(r);
	if (fn->flags & PV_FUNC_IN_STATS) {
		/* a repeated key: Python keeps the first position and the last value */
		for (size_t m = r->state[f].block_start; m < r->state[f].block_start + r->state[f].block_len; m++)
			r->p->edges[m].aux = 1;
	} else {
		xgrow((void **)&r->order, &r->cap_order, r->norder + 1, sizeof(*r->order));
		r->order[r->norder++] = f;
	}
	const struct mval *it = val->u.items;
	int64_t cc, nc;
	double tt, ct;
	if (it[0].type == MV_BIGINT || it[1].type == MV_BIGINT)
		return pv_error_at(r->err, val->off, "call count does not fit in 64 bits");
	if (prof_int(&it[0], &cc) || prof_int(&it[1], &nc))
		return pv_error_at(r->err, val->off, "call counts are not integers");
	if (prof_num(&it[2], &tt) || prof_num(&it[3], &ct))
		return pv_error_at(r->err, val->off, "times are not numbers (or are NaN)");
	if (prof_add_counts(r, &r->count_sum, cc, nc, val->off))
		return -1;
	fn = &r->p->funcs[f];
	fn->pcalls = cc;
	fn->calls = nc;
	fn->tottime = tt;
	fn->cumtime = ct;
	fn->flags = (fn->flags & ~(uint32_t)PV_FUNC_TOP_LEVEL) | PV_FUNC_IN_STATS;
	r->serial++;
	size_t start = r->p->nedges;
	if (prof_callers(r, f, &it[4]))
		return -1;
	r->state[f].block_start = start;	/* prof_callers may have grown state */
	r->state[f].block_len = r->p->nedges - start;
	return 0;
}

/* Drops edges replaced by a repeated key, keeping the others' order. */
static void prof_drop_dead_edges(struct profile *p)
{
	size_t w = 0;
	for (size_t i = 0; i < p->nedges; i++)
		if (!p->edges[i].aux)
			p->edges[w++] = p->edges[i];
	p->nedges = w;
}

/* Stats entries first in dict order, then functions only named as callers. */
static void prof_put_in_entry_order(struct prof_reader *r)
{
	struct profile *p = r->p;
	uint32_t *order = xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof(uint32_t));
	size_t k = 0;
	for (size_t i = 0; i < r->norder; i++)
		order[k++] = r->order[i];
	for (size_t i = 0; i < p->nfuncs; i++)
		if (!(p->funcs[i].flags & PV_FUNC_IN_STATS))
			order[k++] = (uint32_t)i;
	profile_reorder(p, order);
	p->nstats = r->norder;
	free(order);
}

/* Python 3 writes str keys as 'u','t','a','A','z','Z' and never as bytes; Python 2
 * writes them as 's' or interned 't' with 'R' back-references. */
static enum pv_dialect prof_dialect(const struct marshal_result *m)
{
	if (m->flags & MARSHAL_SAW_PY2_STR)
		return PV_DIALECT_PY2;
	for (uint32_t k = 0; k < m->value.n; k++) {
		const struct mval *key = &m->value.u.items[2 * k];
		if ((key->type == MV_TUPLE || key->type == MV_LIST) && key->n == 3) {
			const struct mval *file = &key->u.items[0];
			if (file->type == MV_STR && file->kind == 's')
				return PV_DIALECT_PY2;
			if (file->type == MV_STR && file->kind != 't')
				return PV_DIALECT_PY3;
		}
	}
	return PV_DIALECT_PY3;
}

int prof_read_marshal(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err)
{
	struct prof_reader r;
	memset(&r, 0, sizeof(r));	/* also empties the string cache */
	r.p = p;
	r.err = err;
	/* a real caller entry costs at least a 5-byte key reference and a 5-byte value */
	r.max_edges = len / 10 + 16;
	int rc = -1;
	struct arena scratch;
	arena_init(&scratch);
	struct marshal_result m;
	if (!prof_looks_like_marshal(buf, len)) {
		pv_error_at(err, 0, "not a profile: expected a marshalled dict (cProfile/pstats output)");
		goto cleanup;
	}
	if (marshal_decode(buf, len, &scratch, &m, err))
		goto cleanup;
	if (m.value.type != MV_DICT) {
		pv_error_at(err, 0, "not a profile: expected a marshalled dict (cProfile/pstats output)");
		goto cleanup;
	}
	r.dialect = prof_dialect(&m);
	if (m.value.n == 0) {
		/* pstats refuses it too: "Cannot create or construct a Stats object" */
		pv_error_set(err, "empty profile: the stats dict holds no functions");
		goto cleanup;
	}
	r.jprofile_file = profile_intern(p, "jprofile", 8);
	r.profiler_name = profile_intern(p, "profiler", 8);
	for (uint32_t k = 0; k < m.value.n; k++)
		if (prof_entry(&r, &m.value.u.items[2 * k], &m.value.u.items[2 * k + 1]))
			goto cleanup;
	prof_drop_dead_edges(p);
	prof_put_in_entry_order(&r);
	p->dialect = r.dialect;
	if (p->dialect == PV_DIALECT_PY2)
		py2_dict_reorder(p);
	profile_compute_totals(p);
	p->format = "pstats";
	p->unit = "seconds";
	p->producer = "cProfile";
	for (size_t i = 0; i < p->nedges; i++)
		if (p->edges[i].kind == PV_EDGE_COUNT) {
			p->producer = "profile";
			break;
		}
	rc = 0;
cleanup:
	free(r.order);
	free(r.state);
	arena_release(&scratch);
	return rc;
}
