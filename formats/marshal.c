#include "marshal.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_REF 0x80

/* Code-object layouts differ by Python version; the file does not say which wrote it. */
enum code_layout {
	CODE_PY311,	/* 5 ints; code consts names localsplusnames localspluskinds filename name qualname; line; linetable exctable */
	CODE_PY38,	/* 6 ints; code consts names varnames freevars cellvars filename name; line; lnotab */
	CODE_PY30,	/* 5 ints; same objects as PY38 */
	CODE_PY27,	/* 4 ints; same objects as PY38 */
	CODE_LAYOUTS,
	CODE_UNKNOWN = CODE_LAYOUTS,
};

struct ref_slot {
	struct mval v;
	int ready;
};

struct marshal_dec {
	const uint8_t *buf;
	size_t len, pos;
	struct arena *arena;
	struct pv_error *err;
	struct ref_slot *refs;	/* FLAG_REF objects, by index */
	size_t nrefs, cap_refs;
	struct mval *interned;	/* Python 2 't' strings, for 'R' */
	size_t ninterned, cap_interned;
	unsigned flags;
	int depth;
	enum code_layout layout;
};

static int marshal_value(struct marshal_dec *d, struct mval *out, int allow_null);

static int marshal_truncated(struct marshal_dec *d)
{
	return pv_error_at(d->err, d->len, "truncated marshal data");
}

static int marshal_need(struct marshal_dec *d, size_t n)
{
	if (d->len - d->pos < n)
		return marshal_truncated(d);
	return 0;
}

static int marshal_u8(struct marshal_dec *d, uint8_t *v)
{
	if (marshal_need(d, 1))
		return -1;
	*v = d->buf[d->pos++];
	return 0;
}

static int marshal_i32(struct marshal_dec *d, int32_t *v)
{
	if (marshal_need(d, 4))
		return -1;
	const uint8_t *b = d->buf + d->pos;
	*v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	d->pos += 4;
	return 0;
}

/* A count read from the file: non-negative, and no larger than what the bytes left
 * could hold at min_item bytes an item, so no allocation is ever driven by a lie. */
static int marshal_count(struct marshal_dec *d, uint64_t at, int short_form, size_t min_item, uint32_t *n)
{
	if (short_form) {
		uint8_t b;
		if (marshal_u8(d, &b))
			return -1;
		*n = b;
	} else {
		int32_t v;
		if (marshal_i32(d, &v))
			return -1;
		if (v < 0)
			return pv_error_at(d->err, at, "negative size %d in marshal data", v);
		*n = (uint32_t)v;
	}
	if (min_item && (uint64_t)*n * min_item > d->len - d->pos) {
		if (min_item == 1)
			return pv_error_at(d->err, at, "size %u exceeds the %zu bytes left (truncated or corrupt)",
					   *n, d->len - d->pos);
		return pv_error_at(d->err, at, "%u items cannot fit in the %zu bytes left (truncated or corrupt)",
				   *n, d->len - d->pos);
	}
	return 0;
}

static size_t marshal_ref_reserve(struct marshal_dec *d)
{
	xgrow((void **)&d->refs, &d->cap_refs, d->nrefs + 1, sizeof(*d->refs));
	d->refs[d->nrefs].ready = 0;
	return d->nrefs++;
}

static void marshal_ref_fill(struct marshal_dec *d, size_t idx, const struct mval *v)
{
	d->refs[idx].v = *v;
	d->refs[idx].ready = 1;
}

static int marshal_long(struct marshal_dec *d, struct mval *out)
{
	int32_t nd;
	if (marshal_i32(d, &nd))
		return -1;
	if (nd == INT32_MIN)
		return pv_error_at(d->err, out->off, "bad long size in marshal data");
	uint32_t n = (uint32_t)(nd < 0 ? -nd : nd);
	if ((uint64_t)n * 2 > d->len - d->pos)
		return pv_error_at(d->err, out->off, "long of %u digits exceeds the bytes left (truncated or corrupt)", n);
	uint64_t mag = 0;
	double approx = 0.0;
	int overflow = 0;
	for (uint32_t k = 0; k < n; k++) {
		const uint8_t *b = d->buf + d->pos + 2 * (size_t)k;
		uint32_t digit = (uint32_t)b[0] | (uint32_t)b[1] << 8;
		if (digit >= 0x8000)
			return pv_error_at(d->err, d->pos + 2 * (uint64_t)k, "bad digit in marshal long");
		approx += ldexp((double)digit, 15 * (int)k);
		if (digit && (15 * k >= 64 || (15 * k > 48 && (uint64_t)digit >> (64 - 15 * k))))
			overflow = 1;
		else if (digit)
			mag |= (uint64_t)digit << (15 * k);
	}
	if (n && d->buf[d->pos + 2 * (size_t)n - 2] == 0 && d->buf[d->pos + 2 * (size_t)n - 1] == 0)
		return pv_error_at(d->err, out->off, "unnormalized long in marshal data");
	d->pos += 2 * (size_t)n;
	if (!overflow && (mag <= (uint64_t)INT64_MAX || (nd < 0 && mag == (uint64_t)INT64_MAX + 1))) {
		out->type = MV_INT;
		out->u.i = nd < 0 ? (int64_t)(0 - mag) : (int64_t)mag;
	} else {
		out->type = MV_BIGINT;
		out->u.d = nd < 0 ? -approx : approx;
	}
	return 0;
}

static int marshal_text_float(struct marshal_dec *d, uint64_t at, double *v)
{
	uint8_t n;
	if (marshal_u8(d, &n) || marshal_need(d, n))
		return -1;
	char tmp[257];
	memcpy(tmp, d->buf + d->pos, n);
	tmp[n] = '\0';
	d->pos += n;
	char *end;
	*v = strtod(tmp, &end);
	if (n == 0 || *end)
		return pv_error_at(d->err, at, "bad float text in marshal data");
	return 0;
}

static int marshal_binary_float(struct marshal_dec *d, double *v)
{
	if (marshal_need(d, 8))
		return -1;
	uint64_t bits = 0;
	for (int k = 7; k >= 0; k--)
		bits = bits << 8 | d->buf[d->pos + (size_t)k];
	memcpy(v, &bits, sizeof(*v));
	d->pos += 8;
	return 0;
}

static int marshal_items(struct marshal_dec *d, struct mval *out, uint32_t n)
{
	out->n = n;
	out->u.items = n ? arena_alloc(d->arena, (size_t)n * sizeof(struct mval)) : NULL;
	for (uint32_t k = 0; k < n; k++)
		if (marshal_value(d, &out->u.items[k], 0))
			return -1;
	return 0;
}

static int marshal_dict(struct marshal_dec *d, struct mval *out)
{
	size_t cap = 0, n = 0;
	struct mval *items = NULL;
	for (;;) {
		struct mval key;
		if (marshal_value(d, &key, 1))
			return -1;
		if (key.type == MV_NULL)
			break;
		if (n + 1 > UINT32_MAX / 2)
			return pv_error_at(d->err, key.off, "dict too large in marshal data");
		if (2 * n + 2 > cap) {
			/* doubling inside the arena wastes at most the final size */
			size_t ncap = cap ? cap * 2 : 16;
			struct mval *bigger = arena_alloc(d->arena, ncap * sizeof(*bigger));
			if (n)
				memcpy(bigger, items, 2 * n * sizeof(*items));
			items = bigger;
			cap = ncap;
		}
		items[2 * n] = key;
		if (marshal_value(d, &items[2 * n + 1], 0))
			return -1;
		n++;
	}
	out->n = (uint32_t)n;
	out->u.items = items;
	return 0;
}

static int marshal_is_str(const struct mval *v)
{
	return v->type == MV_STR;
}

/* Reads the body of a code object in one layout; keeps filename, name, firstlineno. */
static int marshal_code_as(struct marshal_dec *d, struct mval *out, enum code_layout layout)
{
	static const int nints[CODE_LAYOUTS] = { 5, 6, 5, 4 };
	for (int k = 0; k < nints[layout]; k++) {
		int32_t ignored;
		if (marshal_i32(d, &ignored))
			return -1;
	}
	struct mval v, filename, name;
	int32_t firstlineno;
	/* co_code must be bytes; this is what tells the layouts apart */
	uint64_t at = d->pos;
	if (marshal_value(d, &v, 0))
		return -1;
	if (!marshal_is_str(&v) || (v.kind != 's'))
		return pv_error_at(d->err, at, "bad code object in marshal data");
	int before_name = layout == CODE_PY311 ? 4 : 5;	/* objects between co_code and co_filename */
	for (int k = 0; k < before_name; k++)
		if (marshal_value(d, &v, 0))
			return -1;
	at = d->pos;
	if (marshal_value(d, &filename, 0) || marshal_value(d, &name, 0))
		return -1;
	if (!marshal_is_str(&filename) || !marshal_is_str(&name))
		return pv_error_at(d->err, at, "bad code object in marshal data");
	if (layout == CODE_PY311 && marshal_value(d, &v, 0))	/* co_qualname */
		return -1;
	if (marshal_i32(d, &firstlineno))
		return -1;
	int after = layout == CODE_PY311 ? 2 : 1;
	for (int k = 0; k < after; k++)
		if (marshal_value(d, &v, 0))
			return -1;
	out->type = MV_CODE;
	out->n = 3;
	out->u.items = arena_alloc(d->arena, 3 * sizeof(struct mval));
	out->u.items[0] = filename;
	out->u.items[1] = name;
	memset(&out->u.items[2], 0, sizeof(struct mval));
	out->u.items[2].type = MV_INT;
	out->u.items[2].u.i = firstlineno;
	return 0;
}

static int marshal_code(struct marshal_dec *d, struct mval *out)
{
	if (d->layout != CODE_UNKNOWN)
		return marshal_code_as(d, out, d->layout);
	/* First code object in the file: try each layout, keep the one that parses;
	 * nested code objects then use it, so the trials cost at most one pass each. */
	size_t pos = d->pos, nrefs = d->nrefs, ninterned = d->ninterned;
	struct pv_error first;
	for (int l = 0; l < CODE_LAYOUTS; l++) {
		d->pos = pos;
		d->nrefs = nrefs;
		d->ninterned = ninterned;
		d->layout = (enum code_layout)l;
		if (marshal_code_as(d, out, (enum code_layout)l) == 0)
			return 0;
		if (l == 0)
			first = *d->err;
	}
	d->layout = CODE_UNKNOWN;
	*d->err = first;
	return -1;
}

static int marshal_value(struct marshal_dec *d, struct mval *out, int allow_null)
{
	uint8_t code;
	memset(out, 0, sizeof(*out));
	out->off = d->pos;
	if (marshal_u8(d, &code))
		return -1;
	int flag = code & FLAG_REF;
	uint8_t type = code & (uint8_t)~FLAG_REF;
	size_t ref = 0;
	if (flag)
		ref = marshal_ref_reserve(d);
	if (++d->depth > MARSHAL_MAX_DEPTH) {
		d->depth--;
		return pv_error_at(d->err, out->off, "marshal data nested deeper than %d levels", MARSHAL_MAX_DEPTH);
	}
	int rc = 0;
	uint32_t n;
	switch (type) {
	case '0':
		if (!allow_null)
			rc = pv_error_at(d->err, out->off, "unexpected null in marshal data");
		out->type = MV_NULL;
		break;
	case 'N':
		out->type = MV_NONE;
		break;
	case 'F':
	case 'T':
		out->type = MV_BOOL;
		out->u.i = type == 'T';
		break;
	case 'S':
	case '.':
		out->type = MV_OTHER;
		break;
	case 'i': {
		int32_t v = 0;	/* a failed read leaves it unset; gcc -O3 sees that */
		rc = marshal_i32(d, &v);
		out->type = MV_INT;
		out->u.i = v;
		break;
	}
	case 'I': {
		int32_t lo = 0, hi = 0;
		rc = marshal_i32(d, &lo) || marshal_i32(d, &hi) ? -1 : 0;
		out->type = MV_INT;
		out->u.i = (int64_t)(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
		d->flags |= MARSHAL_SAW_PY2_STR;
		break;
	}
	case 'l':
		rc = marshal_long(d, out);
		break;
	case 'f':
		out->type = MV_FLOAT;
		rc = marshal_text_float(d, out->off, &out->u.d);
		break;
	case 'g':
		out->type = MV_FLOAT;
		rc = marshal_binary_float(d, &out->u.d);
		break;
	case 'x': {
		double im;
		out->type = MV_OTHER;
		rc = marshal_text_float(d, out->off, &out->u.d) || marshal_text_float(d, out->off, &im) ? -1 : 0;
		break;
	}
	case 'y': {
		double im;
		out->type = MV_OTHER;
		rc = marshal_binary_float(d, &out->u.d) || marshal_binary_float(d, &im) ? -1 : 0;
		break;
	}
	case 's':
	case 't':
	case 'u':
	case 'a':
	case 'A':
	case 'z':
	case 'Z':
		if (marshal_count(d, out->off, type == 'z' || type == 'Z', 1, &n)) {
			rc = -1;
			break;
		}
		out->type = MV_STR;
		out->kind = type;
		out->n = n;
		out->u.s = d->buf + d->pos;
		d->pos += n;
		if (type != 's' && type != 't')
			d->flags |= MARSHAL_SAW_UNICODE;
		if (type == 't') {
			xgrow((void **)&d->interned, &d->cap_interned, d->ninterned + 1, sizeof(*d->interned));
			d->interned[d->ninterned++] = *out;
		}
		break;
	case 'R': {
		int32_t idx;
		if (marshal_i32(d, &idx)) {
			rc = -1;
			break;
		}
		if (idx < 0 || (size_t)idx >= d->ninterned) {
			rc = pv_error_at(d->err, out->off, "bad string reference %d in marshal data", idx);
			break;
		}
		uint64_t off = out->off;
		*out = d->interned[idx];
		out->off = off;
		d->flags |= MARSHAL_SAW_PY2_STR;
		break;
	}
	case 'r': {
		int32_t idx;
		if (marshal_i32(d, &idx)) {
			rc = -1;
			break;
		}
		if (idx < 0 || (size_t)idx >= d->nrefs || !d->refs[idx].ready) {
			rc = pv_error_at(d->err, out->off, "bad object reference %d in marshal data", idx);
			break;
		}
		*out = d->refs[idx].v;
		break;
	}
	case '(':
	case ')':
	case '[':
	case '<':
	case '>':
		if (marshal_count(d, out->off, type == ')', 1, &n)) {
			rc = -1;
			break;
		}
		out->type = type == '[' ? MV_LIST : (type == '<' || type == '>') ? MV_SET : MV_TUPLE;
		rc = marshal_items(d, out, n);
		break;
	case '{':
		out->type = MV_DICT;
		rc = marshal_dict(d, out);
		break;
	case 'c':
		rc = marshal_code(d, out);
		break;
	default:
		rc = pv_error_at(d->err, out->off, "unknown marshal type code 0x%02x", code);
		break;
	}
	d->depth--;
	if (rc == 0 && flag)
		marshal_ref_fill(d, ref, out);
	return rc;
}

int marshal_decode(const uint8_t *buf, size_t len, struct arena *a, struct marshal_result *out,
		   struct pv_error *err)
{
	struct marshal_dec d;
	memset(&d, 0, sizeof(d));
	d.buf = buf;
	d.len = len;
	d.arena = a;
	d.err = err;
	d.layout = CODE_UNKNOWN;
	int rc = -1;
	if (len == 0) {
		pv_error_at(err, 0, "empty file, not marshal data");
		goto cleanup;
	}
	if (marshal_value(&d, &out->value, 0))
		goto cleanup;
	out->end = d.pos;
	out->flags = d.flags;
	rc = 0;
cleanup:
	free(d.refs);
	free(d.interned);
	return rc;
}
