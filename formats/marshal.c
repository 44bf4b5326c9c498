#include "marshal.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
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

#define SLOT_OFF(t) ((t) & 0xffffffffffffull)
#define SLOT_CODE(t) ((uint8_t)((t) >> 48))
#define SLOT_TYPE(t) ((unsigned)((t) >> 56) & 0x0fu)
#define SLOT_READY MARSHAL_SLOT_READY

/* A Python 2 interned string ('t'), which 'R' names by its number. */
struct marshal_interned {
	uint64_t at;	/* its bytes */
	uint32_t n, memo, aux;
	int64_t slot;	/* its FLAG_REF slot, whose memo cell it shares; -1 none */
};

struct marshal_kept {
	uint64_t start, end;
	const uint8_t *bytes;
};

/* The window a stream is read into, at first; it grows for a longer object. */
#define MARSHAL_WINDOW ((size_t)4 << 20)

static int mr_fail_at(struct marshal_reader *m, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int mr_fail_at(struct marshal_reader *m, uint64_t at, const char *fmt, ...)
{
	char msg[sizeof(m->err->message)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m->failed = 1;
	return pv_error_at(m->err, at, "%s", msg);
}

static int mr_truncated(struct marshal_reader *m)
{
	return mr_fail_at(m, m->len, "truncated marshal data");
}

static void mr_init_common(struct marshal_reader *m, struct pv_error *err)
{
	memset(m, 0, sizeof(*m));
	m->err = err;
	m->layout = CODE_UNKNOWN;
	arena_init(&m->kept_bytes);
}

void marshal_reader_init(struct marshal_reader *m, const uint8_t *buf, size_t len, struct pv_error *err)
{
	mr_init_common(m, err);
	m->buf = m->wbuf = buf;
	m->end = m->wend = m->len = len;
}

void marshal_reader_init_stream(struct marshal_reader *m, uint64_t len, marshal_read_fn read, void *ctx,
				size_t window, struct pv_error *err)
{
	mr_init_common(m, err);
	m->len = len;
	m->read = read;
	m->ctx = ctx;
	if (!window)
		window = MARSHAL_WINDOW;
	m->cap = len < window ? (size_t)len + 1 : window;
	m->own = xmalloc(m->cap);
	m->buf = m->wbuf = m->own;
}

void marshal_reader_release(struct marshal_reader *m)
{
	free(m->own);
	free(m->slots);
	free(m->interned);
	free(m->pending);
	free(m->kept);
	free(m->open);
	arena_release(&m->kept_bytes);
	memset(m, 0, sizeof(*m));
}

int marshal_py2_code(const struct marshal_reader *m)
{
	return m->layout == CODE_PY27;
}

uint64_t marshal_reader_memory(const struct marshal_reader *m)
{
	return m->cap + m->cap_slots * sizeof(*m->slots) + m->cap_interned * sizeof(*m->interned) +
	       m->cap_pending * sizeof(*m->pending) + m->cap_kept * sizeof(*m->kept) + m->kept_bytes.total +
	       m->cap_open * sizeof(*m->open);
}

/* ---- the window ---- */

static uint32_t mr_memo_of(const struct marshal_reader *m, const struct marshal_pending *e)
{
	if (!e->interned)
		return m->slots[e->index].v.c.memo;
	const struct marshal_interned *s = &m->interned[e->index];
	return s->slot >= 0 ? m->slots[s->slot].v.c.memo : s->memo;
}

static int mr_cmp_region(const void *a, const void *b)
{
	const struct marshal_pending *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;	/* the outer one first */
}

/* The first byte the window must still hold: the start of the value being
 * read (its bytes are kept from its type code on), or the start of an
 * open container a reference may name (all but the outermost, which nothing
 * can name before it ends) or of a code object (whose layout may be tried
 * again from its start). */
static uint64_t mr_low(const struct marshal_reader *m)
{
	for (size_t i = 0; i < m->nopen; i++)
		if (m->open[i].pin)
			return m->open[i].off < m->hold ? m->open[i].off : m->hold;
	return m->hold;
}

/* Drops the window's bytes before mr_low(), keeping (once, outermost regions
 * only) those of referable objects whose memo is still 0. */
static void mr_slide(struct marshal_reader *m)
{
	uint64_t low = mr_low(m);
	if (low <= m->wbase)
		return;
	size_t w = 0, nkeep = 0;
	struct marshal_pending *keep = NULL;
	size_t cap_keep = 0;
	for (size_t i = 0; i < m->npending; i++) {
		struct marshal_pending e = m->pending[i];
		if (e.end > low) {
			m->pending[w++] = e;
			continue;
		}
		if (mr_memo_of(m, &e) != 0)
			continue;
		xgrow((void **)&keep, &cap_keep, nkeep + 1, sizeof(*keep));
		keep[nkeep++] = e;
	}
	m->npending = w;
	if (nkeep > 1)
		qsort(keep, nkeep, sizeof(*keep), mr_cmp_region);
	uint64_t covered = 0;
	for (size_t i = 0; i < nkeep; i++) {
		if (keep[i].off < covered)
			continue;	/* inside the region kept just before */
		size_t n = (size_t)(keep[i].end - keep[i].off);
		uint8_t *b = arena_alloc(&m->kept_bytes, n ? n : 1);
		memcpy(b, m->own + (keep[i].off - m->wbase), n);
		xgrow((void **)&m->kept, &m->cap_kept, m->nkept + 1, sizeof(*m->kept));
		m->kept[m->nkept++] = (struct marshal_kept){ keep[i].off, keep[i].end, b };
		covered = keep[i].end;
	}
	free(keep);
	memmove(m->own, m->own + (low - m->wbase), (size_t)(m->wend - low));
	m->wbase = low;
	m->buf = m->wbuf = m->own;
	m->base = m->wbase;
}

/* Makes n bytes from pos readable, reading on (and sliding the window) when
 * streaming. */
static int mr_refill(struct marshal_reader *m, size_t n)
{
	if (m->len - m->pos < n || !m->read || m->replaying)
		return mr_truncated(m);
	mr_slide(m);
	uint64_t want = m->pos + n - m->wbase;
	if (want > m->cap) {
		size_t cap = m->cap * 2 > want ? m->cap * 2 : (size_t)want;
		if (cap > m->len - m->wbase + 1)
			cap = (size_t)(m->len - m->wbase + 1);
		m->own = xrealloc(m->own, cap);
		m->cap = cap;
		m->buf = m->wbuf = m->own;
	}
	while (m->wend - m->pos < n) {
		size_t room = m->cap - (size_t)(m->wend - m->wbase);
		if (room > m->len - m->wend)
			room = (size_t)(m->len - m->wend);
		ssize_t r = m->read(m->ctx, m->own + (m->wend - m->wbase), room, m->err);
		if (r < 0) {
			m->failed = 1;
			return -1;
		}
		if (r == 0) {
			m->len = m->wend;	/* shorter than it said */
			m->end = m->wend;
			return mr_truncated(m);
		}
		m->wend += (uint64_t)r;
		m->end = m->wend;
	}
	return 0;
}

static inline int mr_need(struct marshal_reader *m, size_t n)
{
	if (m->end - m->pos >= n)
		return 0;
	return mr_refill(m, n);
}

static inline const uint8_t *mr_at(const struct marshal_reader *m)
{
	return m->buf + (m->pos - m->base);
}

/* Points buf/base/end at bytes holding offset off: the window, or bytes kept. */
static int mr_view(struct marshal_reader *m, uint64_t off)
{
	if (off >= m->wbase) {
		m->buf = m->wbuf;
		m->base = m->wbase;
		m->end = m->wend;
		return 0;
	}
	size_t lo = 0, hi = m->nkept;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->kept[mid].start <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || off >= m->kept[lo - 1].end)
		return mr_fail_at(m, off, "marshal data referred to again is no longer held");
	m->buf = m->kept[lo - 1].bytes;
	m->base = m->kept[lo - 1].start;
	m->end = m->kept[lo - 1].end;
	return 0;
}

/* Reads again from off (slot: the FLAG_REF slot of the object there). */
static int mr_replay_begin(struct marshal_reader *m, uint64_t off, uint64_t slot, struct marshal_replay *save)
{
	save->buf = m->buf;
	save->base = m->base;
	save->end = m->end;
	save->pos = m->pos;
	save->replay_next = m->replay_next;
	save->depth = m->depth;
	save->replaying = m->replaying;
	save->nopen = m->nopen;
	if (mr_view(m, off))
		return -1;
	m->pos = off;
	m->replaying = 1;
	m->replay_next = slot;
	m->depth = 0;	/* its depth was checked when it was first read */
	return 0;
}

void marshal_leave(struct marshal_reader *m, const struct marshal_replay *save)
{
	m->buf = save->buf;
	m->base = save->base;
	m->end = save->end;
	m->pos = save->pos;
	m->replay_next = save->replay_next;
	m->depth = save->depth;
	m->replaying = save->replaying;
	m->nopen = save->nopen;
}

const uint8_t *marshal_bytes(struct marshal_reader *m, const struct marshal_str *s)
{
	if (s->at >= m->base && s->at + s->n <= m->end)
		return m->buf + (s->at - m->base);
	const uint8_t *buf = m->buf;
	uint64_t base = m->base, end = m->end;
	const uint8_t *b = NULL;
	if (mr_view(m, s->at) == 0 && s->at + s->n <= m->end)
		b = m->buf + (s->at - m->base);
	m->buf = buf;
	m->base = base;
	m->end = end;
	static const uint8_t none[1];
	return b ? b : none;	/* never: the bytes of a string without memo are held */
}

uint32_t *marshal_aux(struct marshal_reader *m, int64_t memo)
{
	if (memo >= 0)
		return &m->slots[memo].aux;
	struct marshal_interned *s = &m->interned[-2 - memo];
	return s->slot >= 0 ? &m->slots[s->slot].aux : &s->aux;
}

uint32_t *marshal_memo_interned(struct marshal_reader *m, int64_t memo)
{
	struct marshal_interned *s = &m->interned[-2 - memo];
	return s->slot >= 0 ? &m->slots[s->slot].v.c.memo : &s->memo;
}

/* ---- tables ---- */

static void mr_pend(struct marshal_reader *m, uint64_t off, uint64_t end, uint32_t index, int interned)
{
	if (m->npending == m->cap_pending)
		xgrow((void **)&m->pending, &m->cap_pending, m->npending + 1, sizeof(*m->pending));
	m->pending[m->npending++] = (struct marshal_pending){ off, end, index, (uint8_t)interned };
}

/* The slot of a FLAG_REF object starting at off: a new one, or when reading
 * again the one it had. */
static int64_t mr_slot_take(struct marshal_reader *m)
{
	if (m->replaying)
		return m->replay_next < m->nslots ? (int64_t)m->replay_next++ : -1;
	if (m->nslots == m->cap_slots)
		xgrow((void **)&m->slots, &m->cap_slots, m->nslots + 1, sizeof(*m->slots));
	m->slots[m->nslots].tag = 0;
	m->slots[m->nslots].v.i = 0;
	m->slots[m->nslots].aux = 0;
	return (int64_t)m->nslots++;
}

/* Fills a slot read for the first time (not when read again). */
static void mr_slot_fill(struct marshal_reader *m, int64_t slot, uint64_t off, uint8_t code, unsigned type)
{
	if (slot < 0 || m->replaying)
		return;
	m->slots[slot].tag = (off & 0xffffffffffffull) | (uint64_t)code << 48 | (uint64_t)type << 56 | SLOT_READY;
}

static void mr_open(struct marshal_reader *m, uint64_t off, uint8_t type, uint32_t n, int64_t slot)
{
	if (m->nopen == m->cap_open)
		xgrow((void **)&m->open, &m->cap_open, m->nopen + 1, sizeof(*m->open));
	struct marshal_open *o = &m->open[m->nopen];
	o->off = off;
	o->read = 0;
	o->n = n;
	o->slot = slot;
	o->type = type;
	o->fresh = !m->replaying;
	o->done = 0;
	o->pin = type == MV_CODE || (slot >= 0 && m->nopen > 0);
	m->nopen++;
}

/* ---- values ---- */

static int mr_u8(struct marshal_reader *m, uint8_t *v)
{
	if (mr_need(m, 1))
		return -1;
	*v = *mr_at(m);
	m->pos++;
	return 0;
}

static int mr_i32(struct marshal_reader *m, int32_t *v)
{
	if (mr_need(m, 4))
		return -1;
	const uint8_t *b = mr_at(m);
	*v = (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	m->pos += 4;
	return 0;
}

/* A count read from the file: non-negative, and no larger than what the bytes left
 * could hold at min_item bytes an item, so no allocation is ever driven by a lie. */
static int mr_count(struct marshal_reader *m, uint64_t at, int short_form, size_t min_item, uint32_t *n)
{
	if (short_form) {
		uint8_t b;
		if (mr_u8(m, &b))
			return -1;
		*n = b;
	} else {
		int32_t v;
		if (mr_i32(m, &v))
			return -1;
		if (v < 0)
			return mr_fail_at(m, at, "negative size %d in marshal data", v);
		*n = (uint32_t)v;
	}
	if (min_item && (uint64_t)*n * min_item > m->len - m->pos) {
		if (min_item == 1)
			return mr_fail_at(m, at, "size %u exceeds the %llu bytes left (truncated or corrupt)", *n,
					  (unsigned long long)(m->len - m->pos));
		return mr_fail_at(m, at, "%u items cannot fit in the %llu bytes left (truncated or corrupt)", *n,
				  (unsigned long long)(m->len - m->pos));
	}
	return 0;
}

static int mr_long(struct marshal_reader *m, struct marshal_head *h)
{
	int32_t nd;
	if (mr_i32(m, &nd))
		return -1;
	if (nd == INT32_MIN)
		return mr_fail_at(m, h->off, "bad long size in marshal data");
	uint32_t n = (uint32_t)(nd < 0 ? -nd : nd);
	if ((uint64_t)n * 2 > m->len - m->pos)
		return mr_fail_at(m, h->off, "long of %u digits exceeds the bytes left (truncated or corrupt)", n);
	if (mr_need(m, 2 * (size_t)n))
		return -1;
	const uint8_t *d = mr_at(m);
	uint64_t mag = 0;
	double approx = 0.0;
	int overflow = 0;
	for (uint32_t k = 0; k < n; k++) {
		const uint8_t *b = d + 2 * (size_t)k;
		uint32_t digit = (uint32_t)b[0] | (uint32_t)b[1] << 8;
		if (digit >= 0x8000)
			return mr_fail_at(m, m->pos + 2 * (uint64_t)k, "bad digit in marshal long");
		approx += ldexp((double)digit, 15 * (int)k);
		if (digit && (15 * k >= 64 || (15 * k > 48 && (uint64_t)digit >> (64 - 15 * k))))
			overflow = 1;
		else if (digit)
			mag |= (uint64_t)digit << (15 * k);
	}
	if (n && d[2 * (size_t)n - 2] == 0 && d[2 * (size_t)n - 1] == 0)
		return mr_fail_at(m, h->off, "unnormalized long in marshal data");
	m->pos += 2 * (size_t)n;
	if (!overflow && (mag <= (uint64_t)INT64_MAX || (nd < 0 && mag == (uint64_t)INT64_MAX + 1))) {
		h->type = MV_INT;
		h->u.i = nd < 0 ? (int64_t)(0 - mag) : (int64_t)mag;
	} else {
		h->type = MV_BIGINT;
		h->u.d = nd < 0 ? -approx : approx;
	}
	return 0;
}

static int mr_text_float(struct marshal_reader *m, uint64_t at, double *v)
{
	uint8_t n;
	if (mr_u8(m, &n) || mr_need(m, n))
		return -1;
	char tmp[257];
	memcpy(tmp, mr_at(m), n);
	tmp[n] = '\0';
	m->pos += n;
	char *end;
	*v = strtod(tmp, &end);
	if (n == 0 || *end)
		return mr_fail_at(m, at, "bad float text in marshal data");
	return 0;
}

static int mr_binary_float(struct marshal_reader *m, double *v)
{
	if (mr_need(m, 8))
		return -1;
	const uint8_t *b = mr_at(m);
	uint64_t bits = 0;
	for (int k = 7; k >= 0; k--)
		bits = bits << 8 | b[k];
	memcpy(v, &bits, sizeof(*v));
	m->pos += 8;
	return 0;
}

static int mr_head(struct marshal_reader *m, struct marshal_head *h, int allow_null, int counted);

/* Reads one value and, a container, all of it. */
static int mr_skip_value(struct marshal_reader *m, int allow_null, struct marshal_head *h)
{
	if (mr_head(m, h, allow_null, 1))
		return -1;
	if (!h->ref && h->type >= MV_TUPLE && h->type <= MV_SET)
		return marshal_close(m);
	return 0;
}

/* Reads the body of a code object in one layout; keeps filename, name, firstlineno. */
static int mr_code_as(struct marshal_reader *m, struct marshal_head *h, enum code_layout layout)
{
	static const int nints[CODE_LAYOUTS] = { 5, 6, 5, 4 };
	for (int k = 0; k < nints[layout]; k++) {
		int32_t ignored;
		if (mr_i32(m, &ignored))
			return -1;
	}
	struct marshal_head v, file, name;
	int32_t firstlineno;
	/* co_code must be bytes; this is what tells the layouts apart */
	uint64_t at = m->pos;
	if (mr_skip_value(m, 0, &v))
		return -1;
	if (v.type != MV_STR || v.str.kind != 's')
		return mr_fail_at(m, at, "bad code object in marshal data");
	int before_name = layout == CODE_PY311 ? 4 : 5;	/* objects between co_code and co_filename */
	for (int k = 0; k < before_name; k++)
		if (mr_skip_value(m, 0, &v))
			return -1;
	at = m->pos;
	if (mr_skip_value(m, 0, &file) || mr_skip_value(m, 0, &name))
		return -1;
	if (file.type != MV_STR || name.type != MV_STR)
		return mr_fail_at(m, at, "bad code object in marshal data");
	if (layout == CODE_PY311 && mr_skip_value(m, 0, &v))	/* co_qualname */
		return -1;
	if (mr_i32(m, &firstlineno))
		return -1;
	int after = layout == CODE_PY311 ? 2 : 1;
	for (int k = 0; k < after; k++)
		if (mr_skip_value(m, 0, &v))
			return -1;
	h->type = MV_CODE;
	h->n = 3;
	h->file = file.str;
	h->name = name.str;
	h->line = firstlineno;
	return 0;
}

static int mr_code(struct marshal_reader *m, struct marshal_head *h)
{
	if (m->layout != CODE_UNKNOWN)
		return mr_code_as(m, h, (enum code_layout)m->layout);
	/* First code object in the file: try each layout, keep the one that parses;
	 * nested code objects then use it, so the trials cost at most one pass each. */
	uint64_t pos = m->pos;
	size_t nslots = m->nslots, ninterned = m->ninterned, nopen = m->nopen;
	int depth = m->depth;
	struct pv_error first;
	for (int l = 0; l < CODE_LAYOUTS; l++) {
		m->pos = pos;
		m->nslots = nslots;
		m->ninterned = ninterned;
		m->nopen = nopen;
		m->depth = depth;
		while (m->npending) {
			const struct marshal_pending *e = &m->pending[m->npending - 1];
			if (e->index < (e->interned ? ninterned : nslots))
				break;
			m->npending--;	/* read by the layout that failed */
		}
		m->failed = 0;
		m->layout = l;
		if (mr_code_as(m, h, (enum code_layout)l) == 0)
			return 0;
		if (l == 0)
			first = *m->err;
	}
	m->layout = CODE_UNKNOWN;
	*m->err = first;
	m->failed = 1;
	return -1;
}

/* A value reached through 'r' to slot idx (an alias already followed). */
static int mr_from_slot(struct marshal_reader *m, struct marshal_head *h, uint64_t idx)
{
	const struct marshal_slot *s = &m->slots[idx];
	uint8_t code = SLOT_CODE(s->tag);
	h->type = (uint8_t)SLOT_TYPE(s->tag);
	h->off = SLOT_OFF(s->tag);
	h->ref = 1;
	switch (h->type) {
	case MV_STR:
		h->memo = (int64_t)idx;
		h->str.off = h->off;
		h->str.at = h->off + 1 + (code == 'z' || code == 'Z' ? 1 : 4);
		h->str.n = s->v.c.n;
		h->str.kind = code;
		h->str.memo = (int64_t)idx;
		break;
	case MV_TUPLE:
	case MV_LIST:
	case MV_SET:
	case MV_DICT:
		h->memo = (int64_t)idx;
		h->n = s->v.c.n;
		break;
	case MV_CODE: {
		h->memo = (int64_t)idx;
		if (s->v.c.memo)
			break;	/* answered by the memo: no fields */
		struct marshal_replay save;
		if (mr_replay_begin(m, h->off, idx, &save))
			return -1;
		struct marshal_head c;
		int rc = mr_head(m, &c, 0, 0);
		marshal_leave(m, &save);
		if (rc)
			return -1;
		h->file = c.file;
		h->name = c.name;
		h->line = c.line;
		h->n = 3;
		break;
	}
	default:
		h->u.i = s->v.i;	/* a scalar: the bits of its value */
		break;
	}
	return 0;
}

/* A string of type t at off (bytes at h->str.at), read for the first time or again. */
static void mr_string_read(struct marshal_reader *m, struct marshal_head *h, uint8_t t, int64_t slot)
{
	h->type = MV_STR;
	h->str.off = h->off;
	h->str.kind = t;
	h->str.memo = slot;
	h->memo = slot;
	if (t != 's' && t != 't')
		m->flags |= MARSHAL_SAW_UNICODE;
	if (m->replaying)
		return;
	if (slot >= 0) {
		m->slots[slot].v.c.n = h->str.n;
		m->slots[slot].v.c.memo = 0;
		mr_pend(m, h->off, m->pos, (uint32_t)slot, 0);
	}
	if (t == 't') {
		xgrow((void **)&m->interned, &m->cap_interned, m->ninterned + 1, sizeof(*m->interned));
		struct marshal_interned *s = &m->interned[m->ninterned];
		s->at = h->str.at;
		s->n = h->str.n;
		s->memo = 0;
		s->aux = 0;
		s->slot = slot;
		if (slot < 0) {
			mr_pend(m, h->off, m->pos, (uint32_t)m->ninterned, 1);
			h->memo = h->str.memo = -2 - (int64_t)m->ninterned;
		}
		m->ninterned++;
	}
}

static int mr_head(struct marshal_reader *m, struct marshal_head *h, int allow_null, int counted)
{
	size_t parent = counted ? m->nopen : 0;	/* the container it is in, + 1; 0 none */
	if (parent)
		m->open[parent - 1].read++;
	uint64_t off = m->pos;
	m->hold = off;
	h->off = off;
	h->ref = 0;
	h->memo = -1;
	h->n = 0;
	h->u.i = 0;
	if (mr_need(m, 1))
		return -1;
	uint8_t code = *mr_at(m);
	m->pos++;
	int flag = code & FLAG_REF;
	uint8_t type = code & (uint8_t)~FLAG_REF;
	int64_t slot = -1;
	if (flag)
		slot = mr_slot_take(m);
	if (flag && slot < 0)
		return mr_fail_at(m, off, "marshal data read again differs");	/* never */
	if (++m->depth > MARSHAL_MAX_DEPTH) {
		m->depth--;
		return mr_fail_at(m, off, "marshal data nested deeper than %d levels", MARSHAL_MAX_DEPTH);
	}
	int rc = 0;
	uint32_t n;
	switch (type) {
	case '0':
		if (!allow_null)
			rc = mr_fail_at(m, off, "unexpected null in marshal data");
		h->type = MV_NULL;
		break;
	case 'N':
		h->type = MV_NONE;
		break;
	case 'F':
	case 'T':
		h->type = MV_BOOL;
		h->u.i = type == 'T';
		break;
	case 'S':
	case '.':
		h->type = MV_OTHER;
		break;
	case 'i': {
		int32_t v = 0;	/* a failed read leaves it unset; gcc -O3 sees that */
		rc = mr_i32(m, &v);
		h->type = MV_INT;
		h->u.i = v;
		break;
	}
	case 'I': {
		int32_t lo = 0, hi = 0;
		rc = mr_i32(m, &lo) || mr_i32(m, &hi) ? -1 : 0;
		h->type = MV_INT;
		h->u.i = (int64_t)(((uint64_t)(uint32_t)hi << 32) | (uint32_t)lo);
		m->flags |= MARSHAL_SAW_PY2_STR;
		break;
	}
	case 'l':
		rc = mr_long(m, h);
		break;
	case 'f':
		h->type = MV_FLOAT;
		rc = mr_text_float(m, off, &h->u.d);
		break;
	case 'g':
		h->type = MV_FLOAT;
		rc = mr_binary_float(m, &h->u.d);
		break;
	case 'x': {
		double im;
		h->type = MV_OTHER;
		rc = mr_text_float(m, off, &h->u.d) || mr_text_float(m, off, &im) ? -1 : 0;
		break;
	}
	case 'y': {
		double im;
		h->type = MV_OTHER;
		rc = mr_binary_float(m, &h->u.d) || mr_binary_float(m, &im) ? -1 : 0;
		break;
	}
	case 's':
	case 't':
	case 'u':
	case 'a':
	case 'A':
	case 'z':
	case 'Z':
		if (mr_count(m, off, type == 'z' || type == 'Z', 1, &n) || mr_need(m, n)) {
			rc = -1;
			break;
		}
		h->str.at = m->pos;
		h->str.n = n;
		m->pos += n;
		mr_slot_fill(m, slot, off, type, MV_STR);
		mr_string_read(m, h, type, slot);
		m->depth--;
		goto done;
	case 'R': {
		int32_t idx;
		if (mr_i32(m, &idx)) {
			rc = -1;
			break;
		}
		if (idx < 0 || (size_t)idx >= m->ninterned) {
			rc = mr_fail_at(m, off, "bad string reference %d in marshal data", idx);
			break;
		}
		const struct marshal_interned *s = &m->interned[idx];
		h->type = MV_STR;
		h->ref = 1;
		h->str.off = off;
		h->str.at = s->at;
		h->str.n = s->n;
		h->str.kind = 't';
		h->memo = h->str.memo = s->slot >= 0 ? s->slot : -2 - (int64_t)idx;
		m->flags |= MARSHAL_SAW_PY2_STR;
		if (slot >= 0 && !m->replaying) {
			/* an alias, read as the reference itself was */
			m->slots[slot].v.c.n = (uint32_t)idx;
			mr_slot_fill(m, slot, off, 'R', MV_STR);
		}
		break;
	}
	case 'r': {
		int32_t idx;
		if (mr_i32(m, &idx)) {
			rc = -1;
			break;
		}
		if (idx < 0 || (size_t)idx >= m->nslots || !(m->slots[idx].tag & SLOT_READY)) {
			rc = mr_fail_at(m, off, "bad object reference %d in marshal data", idx);
			break;
		}
		uint64_t target = (uint64_t)idx;
		uint8_t tcode = SLOT_CODE(m->slots[target].tag);
		if (tcode == 'R') {
			/* an alias of a Python 2 reference: that string, at that reference */
			const struct marshal_interned *s = &m->interned[m->slots[target].v.c.n];
			h->type = MV_STR;
			h->ref = 1;
			h->off = h->str.off = SLOT_OFF(m->slots[target].tag);
			h->str.at = s->at;
			h->str.n = s->n;
			h->str.kind = 't';
			h->memo = h->str.memo = s->slot >= 0 ? s->slot : -2 - (int64_t)m->slots[target].v.c.n;
		} else {
			if (tcode == 'r')
				target = m->slots[target].v.c.n;
			rc = mr_from_slot(m, h, target);
		}
		if (rc == 0 && slot >= 0 && !m->replaying) {
			struct marshal_slot *s = &m->slots[slot];
			if (tcode == 'R') {
				*s = m->slots[idx];
				s->aux = 0;
			} else if (h->type == MV_STR || (h->type >= MV_TUPLE && h->type <= MV_CODE)) {
				s->v.c.n = (uint32_t)target;
				mr_slot_fill(m, slot, h->off, 'r', h->type);
			} else {
				*s = m->slots[target];	/* a scalar: the value itself */
				s->aux = 0;
			}
		}
		m->depth--;
		goto done;
	}
	case '(':
	case ')':
	case '[':
	case '<':
	case '>':
		if (mr_count(m, off, type == ')', 1, &n)) {
			rc = -1;
			break;
		}
		h->type = type == '[' ? MV_LIST : (type == '<' || type == '>') ? MV_SET : MV_TUPLE;
		h->n = n;
		h->memo = slot;
		if (slot >= 0 && !m->replaying)
			m->slots[slot].v.c.n = n;
		mr_open(m, off, h->type, n, slot);
		return 0;	/* the depth stays until marshal_close() */
	case '{':
		h->type = MV_DICT;
		h->memo = slot;
		mr_open(m, off, MV_DICT, 0, slot);
		return 0;
	case 'c':
		mr_open(m, off, MV_CODE, 0, slot);
		rc = mr_code(m, h);
		m->nopen--;
		if (rc == 0 && slot >= 0 && !m->replaying) {
			h->memo = slot;
			m->slots[slot].v.c.memo = 0;
			mr_slot_fill(m, slot, off, 'c', MV_CODE);
			mr_pend(m, off, m->pos, (uint32_t)slot, 0);
		} else if (rc == 0) {
			h->memo = slot;
		}
		break;
	default:
		rc = mr_fail_at(m, off, "unknown marshal type code 0x%02x", code);
		break;
	}
	m->depth--;
	if (rc)
		return -1;
	if (slot >= 0 && !m->replaying && type != 'c' && type != 'R') {
		/* a scalar (or null): its value is its slot */
		struct marshal_slot *s = &m->slots[slot];
		if (h->type == MV_FLOAT || h->type == MV_BIGINT)
			s->v.d = h->u.d;
		else
			s->v.i = h->u.i;
		mr_slot_fill(m, slot, off, type, h->type);
	}
done:
	if (h->type == MV_NULL && parent && parent == m->nopen && m->open[parent - 1].type == MV_DICT &&
	    (m->open[parent - 1].read & 1))
		m->open[parent - 1].done = 1;	/* a dict's end */
	return 0;
}

int marshal_head_slow(struct marshal_reader *m, struct marshal_head *h, int allow_null)
{
	if (m->failed)
		return -1;
	return mr_head(m, h, allow_null, 1);
}

/* marshal_head() of a short string with FLAG_REF, when it is whole in the
 * window and the tables have room: what mr_head() does, without the rest. */
int marshal_head_short_str(struct marshal_reader *m, struct marshal_head *h, int allow_null)
{
	uint64_t off = m->pos;
	const uint8_t *b = mr_at(m);
	uint32_t n = b[1];
	uint64_t end = off + 2 + n;
	if (m->end < end || m->replaying || m->nslots >= m->cap_slots || m->npending >= m->cap_pending)
		return marshal_head_slow(m, h, allow_null);
	uint8_t type = b[0] & 0x7f;
	struct marshal_slot *s = &m->slots[m->nslots];
	s->tag = (off & 0xffffffffffffull) | (uint64_t)type << 48 | (uint64_t)MV_STR << 56 | SLOT_READY;
	s->v.c.n = n;
	s->v.c.memo = 0;
	s->aux = 0;
	m->pending[m->npending++] = (struct marshal_pending){ off, end, (uint32_t)m->nslots, 0 };
	h->type = MV_STR;
	h->memo = (int64_t)m->nslots;
	h->str.off = off;
	h->str.at = off + 2;
	h->str.n = n;
	h->str.kind = type;
	h->str.memo = h->memo;
	m->nslots++;
	m->flags |= MARSHAL_SAW_UNICODE;
	m->pos = end;
	m->open[m->nopen - 1].read++;
	m->hold = off;
	return 0;
}

int marshal_close_slow(struct marshal_reader *m)
{
	if (m->failed)
		return -1;
	size_t i = m->nopen - 1;
	struct marshal_head h;
	if (m->open[i].type == MV_DICT) {
		if (!m->open[i].done && (m->open[i].read & 1) && mr_skip_value(m, 0, &h))
			return -1;
		while (!m->open[i].done) {
			if (mr_skip_value(m, 1, &h))
				return -1;
			if (h.type == MV_NULL)
				break;
			if (mr_skip_value(m, 0, &h))
				return -1;
		}
	} else {
		while (m->open[i].read < m->open[i].n)
			if (mr_skip_value(m, 0, &h))
				return -1;
	}
	struct marshal_open o = m->open[i];
	m->nopen = i;
	m->depth--;
	if (o.slot >= 0 && o.fresh) {
		m->slots[o.slot].v.c.memo = 0;
		mr_slot_fill(m, o.slot, o.off, o.type == MV_DICT ? '{' : '(', o.type);
		mr_pend(m, o.off, m->pos, (uint32_t)o.slot, 0);
	}
	return 0;
}

int marshal_close_all(struct marshal_reader *m)
{
	while (m->nopen)
		if (marshal_close(m))
			return -1;
	return 0;
}

int marshal_enter(struct marshal_reader *m, const struct marshal_head *ref, struct marshal_head *h,
		  struct marshal_replay *save)
{
	if (m->failed)
		return -1;
	if (mr_replay_begin(m, ref->off, (uint64_t)ref->memo, save))
		return -1;
	if (mr_head(m, h, 0, 0)) {
		marshal_leave(m, save);
		return -1;
	}
	return 0;
}

/* ---- the tree ---- */

struct mtree {
	struct marshal_reader m;
	struct arena *arena;
	struct mval *slotv;	/* what each FLAG_REF slot holds */
	size_t cap_slotv;
};

static void mtree_str(struct mtree *t, struct mval *out, const struct marshal_str *s)
{
	out->type = MV_STR;
	out->kind = s->kind;
	out->n = s->n;
	out->off = s->off;
	out->u.s = marshal_bytes(&t->m, s);
}

static int mtree_value(struct mtree *t, struct mval *out, int allow_null)
{
	struct marshal_head h;
	memset(out, 0, sizeof(*out));
	if (marshal_head(&t->m, &h, allow_null))
		return -1;
	if (t->m.nslots > t->cap_slotv)
		xgrow((void **)&t->slotv, &t->cap_slotv, t->m.nslots, sizeof(*t->slotv));
	out->off = h.off;
	out->type = h.type;
	switch (h.type) {
	case MV_STR:
		mtree_str(t, out, &h.str);
		break;
	case MV_CODE:
		out->n = 3;
		out->u.items = arena_zalloc(t->arena, 3 * sizeof(struct mval));
		mtree_str(t, &out->u.items[0], &h.file);
		mtree_str(t, &out->u.items[1], &h.name);
		out->u.items[2].type = MV_INT;
		out->u.items[2].u.i = h.line;
		break;
	case MV_TUPLE:
	case MV_LIST:
	case MV_SET:
		if (h.ref) {
			*out = t->slotv[h.memo];
			return 0;
		}
		out->n = h.n;
		out->u.items = h.n ? arena_alloc(t->arena, (size_t)h.n * sizeof(struct mval)) : NULL;
		for (uint32_t k = 0; k < h.n; k++)
			if (mtree_value(t, &out->u.items[k], 0))
				return -1;
		if (marshal_close(&t->m))
			return -1;
		break;
	case MV_DICT: {
		if (h.ref) {
			*out = t->slotv[h.memo];
			return 0;
		}
		size_t cap = 0, n = 0;
		struct mval *items = NULL;
		for (;;) {
			struct mval key;
			if (mtree_value(t, &key, 1))
				return -1;
			if (key.type == MV_NULL)
				break;
			if (n + 1 > UINT32_MAX / 2)
				return pv_error_at(t->m.err, key.off, "dict too large in marshal data");
			if (2 * n + 2 > cap) {
				/* doubling inside the arena wastes at most the final size */
				size_t ncap = cap ? cap * 2 : 16;
				struct mval *bigger = arena_alloc(t->arena, ncap * sizeof(*bigger));
				if (n)
					memcpy(bigger, items, 2 * n * sizeof(*items));
				items = bigger;
				cap = ncap;
			}
			items[2 * n] = key;
			if (mtree_value(t, &items[2 * n + 1], 0))
				return -1;
			n++;
		}
		if (marshal_close(&t->m))
			return -1;
		out->n = (uint32_t)n;
		out->u.items = items;
		break;
	}
	default:
		out->u.i = h.u.i;	/* the union's bits: i or d */
		break;
	}
	if (h.memo >= 0 && !h.ref)
		t->slotv[h.memo] = *out;
	return 0;
}

int marshal_decode(const uint8_t *buf, size_t len, struct arena *a, struct marshal_result *out,
		   struct pv_error *err)
{
	if (len == 0)
		return pv_error_at(err, 0, "empty file, not marshal data");
	struct mtree t;
	memset(&t, 0, sizeof(t));
	marshal_reader_init(&t.m, buf, len, err);
	t.arena = a;
	int rc = mtree_value(&t, &out->value, 0);
	if (rc == 0) {
		out->end = t.m.pos;
		out->flags = t.m.flags;
	}
	free(t.slotv);
	marshal_reader_release(&t.m);
	return rc;
}
