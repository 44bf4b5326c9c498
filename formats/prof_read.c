#include "prof_read.h"
#include "../analysis/py2_order.h"
#include "../analysis/u64map.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prof_looks_like_marshal(const uint8_t *buf, size_t len)
{
	/* JSON and folded lines that begin with '{' are told apart by the caller */
	return len > 0 && (buf[0] & 0x7f) == '{';
}

/* A code object met as a key or as a key's name, by its memo cell: what it is
 * (its strings copied, for the reader keeps nothing of an object once its memo
 * is set) and what it resolved to in each role, + 1 (0: not yet). */
struct prof_code {
	const uint8_t *file, *name;
	uint32_t nfile, nname;
	int64_t line;
	uint32_t func, repr;
};

/* The pstats dict read straight off the marshal reader into the profile: one
 * pass, no tree. Errors of the data (a key that is no tuple...) wait until the
 * rest of the value has been read, as errors of the marshal stream itself come
 * first wherever they are. */
struct prof_reader {
	struct profile *p;
	struct marshal_reader *m;
	struct pv_error bad;	/* the first error of the data */
	uint32_t *order;	/* stats entries in dict order */
	size_t norder, cap_order;
	uint32_t jprofile_file, profiler_name;	/* pstats' top-level marker key */
	uint32_t top_func;	/* its function, PV_NO_FUNC until there is one */
	/* Per function, for repeated keys (Python keeps the last value):
	 * seen == serial of the entry being read when that function already is a
	 * caller there, at edge edge_at; block is the function's own callers
	 * block, retired if its stats key comes again. Apart, as the first is met
	 * at every caller entry, the second at every stats entry. */
	struct prof_caller_state {
		uint32_t seen, edge_at;
	} *state;
	struct prof_block {
		uint32_t start, len;
	} *block;
	size_t cap_state;
	uint32_t serial;
	size_t dead;		/* edges retired so */
	int counted;		/* an edge of bare counts was read: the profile module's */
	/* shared back-references must not multiply work: a real caller entry
	 * costs at least a 5-byte key reference and a 1-byte value, a new edge
	 * some 10 bytes */
	uint64_t max_edges, max_entries, entries;
	/* pstats sums counts with Python's unbounded ints; profview keeps int64, so
	 * the sum of all |counts| read must fit, and then every total and every
	 * strip-dirs merge does. */
	uint64_t count_sum, edge_count_sum;
	struct prof_code *codes;
	size_t ncodes, cap_codes;
	struct arena code_bytes;
	/* Which Python wrote the file (prof_dialect()): the first stats key whose
	 * file is a string other than an interned 't' tells, -1 until then; while
	 * none has, each key tuple's file type by its memo cell. */
	int key_dialect;
	struct u64_map key_kinds;
};

static int prof_int(const struct marshal_head *v, int64_t *out)
{
	if (v->type == MV_INT || v->type == MV_BOOL) {
		*out = v->u.i;
		return 0;
	}
	return -1;
}

static int prof_num(const struct marshal_head *v, double *out)
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

static int prof_num_int(const struct marshal_num *v, int64_t *out)
{
	if (v->type == MV_INT || v->type == MV_BOOL) {
		*out = v->u.i;
		return 0;
	}
	return -1;
}

static int prof_num_num(const struct marshal_num *v, double *out)
{
	if (v->type == MV_FLOAT || v->type == MV_BIGINT) {
		*out = v->u.d;
		return isnan(v->u.d) ? -1 : 0;
	}
	*out = (double)v->u.i;
	return 0;
}

static int prof_is_container(const struct marshal_head *h)
{
	return !h->ref && h->type >= MV_TUPLE && h->type <= MV_SET;
}

static int prof_add_counts(struct prof_reader *r, uint64_t *sum, int64_t a, int64_t b, uint64_t off)
{
	uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
	if (__builtin_add_overflow(*sum, ua, sum) || __builtin_add_overflow(*sum, ub, sum) ||
	    *sum > (uint64_t)INT64_MAX)
		return pv_error_at(&r->bad, off, "call counts too large: their sum does not fit in 64 bits");
	return 0;
}

/* Makes r->state and r->block cover every function read so far (new ones zeroed). */
static void prof_grow_state(struct prof_reader *r)
{
	size_t old = r->cap_state;
	if (r->p->nfuncs <= old)
		return;
	size_t cap = old;
	xgrow((void **)&r->state, &r->cap_state, r->p->nfuncs, sizeof(*r->state));
	xgrow((void **)&r->block, &cap, r->p->nfuncs, sizeof(*r->block));
	memset(r->state + old, 0, (r->cap_state - old) * sizeof(*r->state));
	memset(r->block + old, 0, (r->cap_state - old) * sizeof(*r->block));
}

/* The function of key (file, line, name), noting pstats' top-level marker. */
static uint32_t prof_func(struct prof_reader *r, uint32_t file, int64_t line, uint32_t name)
{
	int added;
	uint32_t f = profile_func(r->p, file, line, name, &added);
	if (added && line == 0 && file == r->jprofile_file && name == r->profiler_name)
		r->top_func = f;
	return f;
}

/* ---- which Python wrote it ---- */

/* Python 3 writes str keys as 'u','t','a','A','z','Z' and never as bytes; Python 2
 * writes them as 's' or interned 't' with 'R' back-references. */
static int prof_dialect(const struct prof_reader *r)
{
	if (r->m->flags & MARSHAL_SAW_PY2_STR)
		return PV_DIALECT_PY2;
	return r->key_dialect;
}

static void prof_key_file_kind(struct prof_reader *r, uint8_t kind)
{
	if (r->key_dialect >= 0)
		return;
	if (kind == 's')
		r->key_dialect = PV_DIALECT_PY2;
	else if (kind != 't')
		r->key_dialect = PV_DIALECT_PY3;
}

/* ---- strings and code objects ---- */

/* A string's id in the profile, interned once per marshal object. */
static uint32_t prof_intern(struct prof_reader *r, const struct marshal_str *s)
{
	if (s->memo != -1) {
		uint32_t c = *marshal_memo(r->m, s->memo);
		if (c)
			return c - 1;
	}
	uint32_t id = profile_intern(r->p, (const char *)marshal_bytes(r->m, s), s->n);
	if (s->memo != -1)
		*marshal_memo(r->m, s->memo) = id + 1;
	return id;
}

/* A string's bytes, from the profile when it has been interned. */
static const uint8_t *prof_str_bytes(struct prof_reader *r, const struct marshal_str *s)
{
	if (s->memo != -1) {
		uint32_t c = *marshal_memo(r->m, s->memo);
		if (c)
			return (const uint8_t *)r->p->strs[c - 1].s;
	}
	return marshal_bytes(r->m, s);
}

/* The code object c as r->codes[*index]; a code object without a memo cell
 * (Python 2 writes each copy whole) gets the scratch entry tmp instead. */
static struct prof_code *prof_code(struct prof_reader *r, const struct marshal_head *c, struct prof_code *tmp)
{
	uint32_t cell = c->memo >= 0 ? *marshal_memo(r->m, c->memo) : 0;
	if (cell)
		return &r->codes[cell - 1];
	struct prof_code k = { 0 };
	k.nfile = c->file.n;
	k.nname = c->name.n;
	k.line = c->line;
	if (c->memo < 0) {
		k.file = prof_str_bytes(r, &c->file);
		k.name = prof_str_bytes(r, &c->name);
		*tmp = k;
		return tmp;
	}
	/* copies: the strings may go with the code object once it has a memo */
	uint8_t *b = arena_alloc(&r->code_bytes, (size_t)k.nfile + k.nname + 1);
	memcpy(b, prof_str_bytes(r, &c->file), k.nfile);
	memcpy(b + k.nfile, prof_str_bytes(r, &c->name), k.nname);
	k.file = b;
	k.name = b + k.nfile;
	xgrow((void **)&r->codes, &r->cap_codes, r->ncodes + 1, sizeof(*r->codes));
	r->codes[r->ncodes++] = k;
	*marshal_memo(r->m, c->memo) = (uint32_t)r->ncodes;
	return &r->codes[r->ncodes - 1];
}

/* `python -m profile -o` keys its top entry ('profile', 0, <code object>), and
 * pstats prints the code object's repr(), whose address is the loading
 * process's and random. Python compares code objects by value, so the copies
 * of one code object that a Python 2 file holds (no back-references) are one
 * key to pstats; the stand-in address is therefore made from what the code
 * object is (its name, file and first line), written with 12 hex digits like
 * a 64-bit Linux heap address (0x55..., 0x7f...) so that the name is as long
 * as pstats' and print_callers() columns line up. */
static uint32_t prof_code_repr(struct prof_reader *r, const struct marshal_head *c)
{
	struct prof_code tmp, *k = prof_code(r, c, &tmp);
	if (k->repr)
		return k->repr - 1;
	/* Python 2 formats with %.100s / %.300s. Which Python wrote the file is
	 * known for sure at its end; before a key or a reference has told, the
	 * code object's own layout says (it differs only for names beyond 100
	 * bytes or files beyond 300). */
	int dialect = prof_dialect(r);
	int py2 = dialect >= 0 ? dialect == PV_DIALECT_PY2 : marshal_py2_code(r->m);
	int nlen = py2 && k->nname > 100 ? 100 : (int)k->nname;
	int flen = py2 && k->nfile > 300 ? 300 : (int)k->nfile;
	uint64_t h = 0xcbf29ce484222325ull;
	const unsigned char *parts[2] = { k->name, k->file };
	size_t lens[2] = { k->nname, k->nfile };
	for (int j = 0; j < 2; j++)
		for (size_t i = 0; i < lens[j]; i++)
			h = (h ^ parts[j][i]) * 0x100000001b3ull;
	h = (h ^ (uint64_t)k->line) * 0x100000001b3ull;
	unsigned long long addr = 0x7f0000000000ull | (h & 0xffffffffffull);
	char *s = arena_printf(&r->p->arena, "<code object %.*s at 0x%012llx, file \"%.*s\", line %lld>", nlen,
			       (const char *)k->name, addr, flen, (const char *)k->file,
			       (long long)(k->line ? k->line : -1));
	uint32_t id = profile_intern(r->p, s, strlen(s));
	if (k != &tmp)
		k->repr = id + 1;
	return id;
}

/* ---- keys ---- */

/* A code object as a key: (co_filename, co_firstlineno, co_name). */
static uint32_t prof_code_key(struct prof_reader *r, const struct marshal_head *c)
{
	struct prof_code tmp, *k = prof_code(r, c, &tmp);
	if (k->func)
		return k->func - 1;
	uint32_t fs = profile_intern(r->p, (const char *)k->file, k->nfile);
	uint32_t ns = profile_intern(r->p, (const char *)k->name, k->nname);
	uint32_t f = prof_func(r, fs, k->line, ns);
	if (k != &tmp)
		k->func = f + 1;
	return f;
}

static int prof_not_key(struct prof_reader *r, const struct marshal_head *k)
{
	return pv_error_at(&r->bad, k->off, "function key is not a (file, line, name) tuple");
}

/* The items of a key tuple k (being read): file, line, name. */
static int prof_key_items(struct prof_reader *r, const struct marshal_head *k, int stats, uint32_t *index)
{
	struct marshal_head file, line, name;
	int64_t lineno;
	if (marshal_head(r->m, &file, 0))
		return -1;
	if (file.type != MV_STR)
		return prof_not_key(r, k);
	if (stats)
		prof_key_file_kind(r, file.str.kind);
	/* interned at once: its bytes may not outlive the next read */
	uint32_t fs = prof_intern(r, &file.str);
	if (marshal_head(r->m, &line, 0))
		return -1;
	if (prof_int(&line, &lineno))
		return prof_not_key(r, k);
	if (marshal_head(r->m, &name, 0))
		return -1;
	uint32_t ns;
	if (name.type == MV_STR)
		ns = prof_intern(r, &name.str);
	else if (name.type == MV_CODE)
		ns = prof_code_repr(r, &name);
	else
		return prof_not_key(r, k);
	if (marshal_close(r->m))
		return -1;
	/* the function last made with this name string object, most often the
	 * one: found without a lookup in the function index */
	int64_t nm = name.type == MV_STR ? name.str.memo : -1;
	uint32_t hint = nm != -1 ? *marshal_aux(r->m, nm) : 0;
	const struct pv_func *g = hint ? &r->p->funcs[hint - 1] : NULL;
	if (g && g->file == fs && g->line == lineno && g->name == ns) {
		*index = hint - 1;
	} else {
		*index = prof_func(r, fs, lineno, ns);
		if (nm != -1)
			*marshal_aux(r->m, nm) = *index + 1;
	}
	if (k->memo >= 0) {
		*marshal_memo(r->m, k->memo) = *index + 1;
		if (prof_dialect(r) < 0)
			u64_map_put(&r->key_kinds, (uint64_t)k->memo, file.str.kind);
	}
	return 0;
}

/* A function key: (file, line, name), or a code object standing for one. A key
 * tuple met before (a back-reference) is known by its memo. */
static int prof_key(struct prof_reader *r, const struct marshal_head *k, int stats, uint32_t *index)
{
	if (k->type == MV_CODE) {
		*index = prof_code_key(r, k);
		return 0;
	}
	if ((k->type != MV_TUPLE && k->type != MV_LIST) || k->n != 3)
		return prof_not_key(r, k);
	if (k->memo >= 0) {
		uint32_t f = *marshal_memo(r->m, k->memo);
		if (f) {
			if (stats && prof_dialect(r) < 0) {
				int64_t kind = u64_map_get(&r->key_kinds, (uint64_t)k->memo);
				if (kind >= 0)
					prof_key_file_kind(r, (uint8_t)kind);
			}
			*index = f - 1;
			return 0;
		}
	}
	if (!k->ref)
		return prof_key_items(r, k, stats, index);
	struct marshal_head t;
	struct marshal_replay save;
	if (marshal_enter(r->m, k, &t, &save))
		return -1;
	int rc = prof_key_items(r, k, stats, index);
	marshal_leave(r->m, &save);
	return rc;
}

/* ---- callers ---- */

/* A caller's stats (v, read) into edge e. */
static int prof_caller_value(struct prof_reader *r, size_t e, const struct marshal_head *v)
{
	struct pv_edge *ed = &r->p->edges[e];
	if (v->type == MV_INT || v->type == MV_BOOL) {
		/* the pure-Python profile module stores a bare call count */
		ed->kind = PV_EDGE_COUNT;
		r->counted = 1;
		ed->calls = ed->pcalls = v->u.i;
		ed->tottime = ed->cumtime = 0.0;
		return 0;
	}
	if ((v->type != MV_TUPLE && v->type != MV_LIST) || v->n != 4)
		return pv_error_at(&r->bad, v->off, "caller stats are neither a call count nor a 4-tuple");
	struct marshal_head t, it;
	struct marshal_replay save;
	if (v->ref && marshal_enter(r->m, v, &t, &save))
		return -1;
	/* cProfile's caller tuple is (nc, cc, tt, ct): not the entry's order */
	int64_t calls = 0, pcalls = 0;
	double tt = 0, ct = 0;
	int rc = -1;
	struct marshal_num num[4];
	if (marshal_scalars(r->m, 4, num)) {
		if (prof_num_int(&num[0], &calls) || prof_num_int(&num[1], &pcalls) || prof_num_num(&num[2], &tt) ||
		    prof_num_num(&num[3], &ct))
			goto bad;
		if (marshal_close(r->m))
			goto done;
		goto set;
	}
	if (marshal_head(r->m, &it, 0))
		goto done;
	if (prof_int(&it, &calls))
		goto bad;
	if (marshal_head(r->m, &it, 0))
		goto done;
	if (prof_int(&it, &pcalls))
		goto bad;
	if (marshal_head(r->m, &it, 0))
		goto done;
	if (prof_num(&it, &tt))
		goto bad;
	if (marshal_head(r->m, &it, 0))
		goto done;
	if (prof_num(&it, &ct))
		goto bad;
	if (marshal_close(r->m))
		goto done;
set:
	ed = &r->p->edges[e];
	ed->kind = PV_EDGE_TIMED;
	ed->calls = calls;
	ed->pcalls = pcalls;
	ed->tottime = tt;
	ed->cumtime = ct;
	rc = 0;
	goto done;
bad:
	pv_error_at(&r->bad, v->off, "caller stats are not (calls, primitive calls, tottime, cumtime) numbers");
done:
	if (v->ref)
		marshal_leave(r->m, &save);
	return rc;
}

/* A callers dict this small is searched for a repeated key among its own
 * edges; a bigger one marks its callers in r->state, whose every access may
 * be a cache miss in a big profile. */
#define PROF_SMALL_DICT 8

static void prof_caller_seen(struct prof_reader *r, uint32_t caller, size_t e)
{
	prof_grow_state(r);
	r->state[caller].seen = r->serial;
	r->state[caller].edge_at = (uint32_t)e;
}

/* The edge of caller in the callers dict being read (its edges from start
 * on), SIZE_MAX when it has none yet. */
static size_t prof_caller_edge(struct prof_reader *r, uint32_t caller, size_t start)
{
	size_t n = r->p->nedges - start;
	if (n < PROF_SMALL_DICT) {
		for (size_t e = start; e < r->p->nedges; e++)
			if (r->p->edges[e].caller == caller)
				return e;
		return SIZE_MAX;
	}
	if (n == PROF_SMALL_DICT)
		for (size_t e = start; e < start + PROF_SMALL_DICT; e++)
			prof_caller_seen(r, r->p->edges[e].caller, e);
	prof_grow_state(r);
	return r->state[caller].seen == r->serial ? r->state[caller].edge_at : SIZE_MAX;
}

/* The entries of a callers dict (being read) of callee, whose edges start at start. */
static int prof_caller_items(struct prof_reader *r, uint32_t callee, size_t start)
{
	for (;;) {
		struct marshal_head key, val;
		if (marshal_head(r->m, &key, 1))
			return -1;
		if (key.type == MV_NULL)
			break;
		uint32_t caller;
		if (prof_key(r, &key, 0, &caller))
			return -1;
		if (caller == r->top_func)
			r->p->funcs[callee].flags |= PV_FUNC_TOP_LEVEL;
		/* a repeated key in one dict: the last value wins, as in Python */
		size_t e = prof_caller_edge(r, caller, start);
		if (e == SIZE_MAX) {
			if (r->p->nedges >= r->max_edges)
				return pv_error_at(&r->bad, key.off,
						   "more caller entries than the file could hold (shared references?)");
			e = r->p->nedges;
			profile_add_edge(r->p, caller, callee);
			if (e - start >= PROF_SMALL_DICT)
				prof_caller_seen(r, caller, e);
		}
		if (++r->entries > r->max_entries)
			return pv_error_at(&r->bad, key.off,
					   "more caller entries than the file could hold (shared references?)");
		if (marshal_head(r->m, &val, 0) || prof_caller_value(r, e, &val))
			return -1;
		const struct pv_edge *ed = &r->p->edges[e];
		if (prof_add_counts(r, &r->edge_count_sum, ed->calls, ed->pcalls, val.off))
			return -1;
	}
	return marshal_close(r->m);
}

static int prof_callers(struct prof_reader *r, uint32_t callee, const struct marshal_head *c)
{
	if (c->type != MV_DICT)
		return pv_error_at(&r->bad, c->off, "callers of a function is not a dict");
	size_t start = r->p->nedges;
	if (!c->ref)
		return prof_caller_items(r, callee, start);
	struct marshal_head t;
	struct marshal_replay save;
	if (marshal_enter(r->m, c, &t, &save))
		return -1;
	int rc = prof_caller_items(r, callee, start);
	marshal_leave(r->m, &save);
	return rc;
}

/* ---- entries ---- */

/* The items of function f's stats tuple v (being read): cc, nc, tt, ct, callers. */
static int prof_entry_items(struct prof_reader *r, uint32_t f, const struct marshal_head *v)
{
	struct pv_func *fn = &r->p->funcs[f];
	prof_grow_state(r);
	if (fn->flags & PV_FUNC_IN_STATS) {
		/* a repeated key: Python keeps the first position and the last value */
		for (size_t m = r->block[f].start; m < (size_t)r->block[f].start + r->block[f].len; m++)
			r->p->edges[m].aux = 1;
		r->dead += r->block[f].len;
	} else {
		if (r->norder == r->cap_order)
			xgrow((void **)&r->order, &r->cap_order, r->norder + 1, sizeof(*r->order));
		r->order[r->norder++] = f;
	}
	struct marshal_num num[4];
	if (!marshal_scalars(r->m, 4, num)) {
		for (int k = 0; k < 4; k++) {
			struct marshal_head it;
			if (marshal_head(r->m, &it, 0))
				return -1;
			if (prof_is_container(&it) && marshal_close(r->m))
				return -1;
			/* only numbers count; anything else is refused below */
			num[k].type = it.type >= MV_BOOL && it.type <= MV_FLOAT ? it.type : MV_NULL;
			num[k].u.i = it.u.i;
		}
	}
	int64_t cc, nc;
	double tt, ct;
	if (num[0].type == MV_BIGINT || num[1].type == MV_BIGINT)
		return pv_error_at(&r->bad, v->off, "call count does not fit in 64 bits");
	if (prof_num_int(&num[0], &cc) || prof_num_int(&num[1], &nc))
		return pv_error_at(&r->bad, v->off, "call counts are not integers");
	if ((num[2].type == MV_NULL || prof_num_num(&num[2], &tt)) || (num[3].type == MV_NULL || prof_num_num(&num[3], &ct)))
		return pv_error_at(&r->bad, v->off, "times are not numbers (or are NaN)");
	if (prof_add_counts(r, &r->count_sum, cc, nc, v->off))
		return -1;
	fn = &r->p->funcs[f];
	fn->pcalls = cc;
	fn->calls = nc;
	fn->tottime = tt;
	fn->cumtime = ct;
	fn->flags = (fn->flags & ~(uint32_t)PV_FUNC_TOP_LEVEL) | PV_FUNC_IN_STATS;
	r->serial++;
	size_t start = r->p->nedges;
	struct marshal_head callers;
	if (marshal_head(r->m, &callers, 0) || prof_callers(r, f, &callers) || marshal_close(r->m))
		return -1;
	r->block[f].start = (uint32_t)start;	/* prof_callers may have grown them */
	r->block[f].len = (uint32_t)(r->p->nedges - start);
	return 0;
}

static int prof_entry(struct prof_reader *r, const struct marshal_head *key)
{
	uint32_t f;
	struct marshal_head v;
	if (prof_key(r, key, 1, &f) || marshal_head(r->m, &v, 0))
		return -1;
	if ((v.type != MV_TUPLE && v.type != MV_LIST) || v.n != 5)
		return pv_error_at(&r->bad, v.off, "function stats are not a (cc, nc, tt, ct, callers) tuple");
	if (!v.ref)
		return prof_entry_items(r, f, &v);
	struct marshal_head t;
	struct marshal_replay save;
	if (marshal_enter(r->m, &v, &t, &save))
		return -1;
	int rc = prof_entry_items(r, f, &v);
	marshal_leave(r->m, &save);
	return rc;
}

/* The whole stats dict. */
static int prof_stats(struct prof_reader *r)
{
	struct marshal_head top, key;
	if (marshal_head(r->m, &top, 0))
		return -1;
	if (top.type != MV_DICT || top.ref)
		return pv_error_at(&r->bad, 0, "not a profile: expected a marshalled dict (cProfile/pstats output)");
	if (marshal_head(r->m, &key, 1))
		return -1;
	if (key.type == MV_NULL)
		/* pstats refuses it too: "Cannot create or construct a Stats object" */
		return pv_error_set(&r->bad, "empty profile: the stats dict holds no functions");
	r->jprofile_file = profile_intern(r->p, "jprofile", 8);
	r->profiler_name = profile_intern(r->p, "profiler", 8);
	while (key.type != MV_NULL)
		if (prof_entry(r, &key) || marshal_head(r->m, &key, 1))
			return -1;
	return marshal_close(r->m);
}

/* Drops edges replaced by a repeated key, keeping the others' order. */
static void prof_drop_dead_edges(struct profile *p, size_t dead)
{
	if (!dead)
		return;
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

/* Reads the stats dict off m (an input of len bytes) into p. */
static int prof_read(struct marshal_reader *m, uint64_t len, struct profile *p, struct pv_error *err)
{
	struct prof_reader r;
	memset(&r, 0, sizeof(r));
	r.p = p;
	r.m = m;
	r.max_edges = len / 10 + 16;
	r.max_entries = len / 6 + 16;
	if (r.max_edges > UINT32_MAX - 1)
		r.max_edges = UINT32_MAX - 1;
	r.key_dialect = -1;
	r.top_func = PV_NO_FUNC;
	arena_init(&r.code_bytes);
	/* real files hold some 130 bytes a function (and as many strings): sized
	 * for that, the tables rarely rehash; a guess bounded by the bytes */
	profile_reserve(p, (size_t)(len / 128), (size_t)(len / 128));
	u64_map_init(&r.key_kinds, 16);
	int rc = -1;
	if (prof_stats(&r)) {
		/* an error of the data: the marshal stream's own, anywhere, comes first */
		if (m->failed || marshal_close_all(m))
			goto cleanup;
		if (r.bad.where == PV_WHERE_BYTE)
			pv_error_at(err, r.bad.pos, "%s", r.bad.message);
		else
			pv_error_set(err, "%s", r.bad.message);
		goto cleanup;
	}
	p->dialect = prof_dialect(&r) == PV_DIALECT_PY2 ? PV_DIALECT_PY2 : PV_DIALECT_PY3;
	free(r.state);
	free(r.block);
	r.state = NULL;
	r.block = NULL;
	u64_map_release(&r.key_kinds);
	marshal_reader_release(m);	/* before the profile takes its last memory */
	prof_drop_dead_edges(p, r.dead);
	prof_put_in_entry_order(&r);
	if (p->dialect == PV_DIALECT_PY2)
		py2_dict_reorder(p);
	profile_compute_totals(p);
	p->format = "pstats";
	p->unit = "seconds";
	p->producer = "cProfile";
	for (size_t i = 0; r.counted && i < p->nedges; i++)
		if (p->edges[i].kind == PV_EDGE_COUNT) {
			p->producer = "profile";
			break;
		}
	rc = 0;
cleanup:
	free(r.order);
	free(r.state);
	free(r.block);
	free(r.codes);
	arena_release(&r.code_bytes);
	u64_map_release(&r.key_kinds);
	return rc;
}

int prof_read_marshal(const uint8_t *buf, size_t len, struct profile *p, struct pv_error *err)
{
	if (!prof_looks_like_marshal(buf, len))
		return pv_error_at(err, 0, "not a profile: expected a marshalled dict (cProfile/pstats output)");
	struct marshal_reader m;
	marshal_reader_init(&m, buf, len, err);
	int rc = prof_read(&m, len, p, err);
	marshal_reader_release(&m);
	return rc;
}

int prof_read_stream(const uint8_t *first, size_t nfirst, uint64_t len, marshal_read_fn read, void *ctx,
		     size_t window, struct profile *p, struct pv_error *err)
{
	if (!prof_looks_like_marshal(first, nfirst))
		return pv_error_at(err, 0, "not a profile: expected a marshalled dict (cProfile/pstats output)");
	struct marshal_reader m;
	marshal_reader_init_stream(&m, len, read, ctx, window, err);
	int rc = prof_read(&m, len, p, err);
	marshal_reader_release(&m);
	return rc;
}
