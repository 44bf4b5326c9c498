/* A decoder for Python's marshal format, versions 0-4 as written by Python 2.7 and
 * every Python 3: enough of it to read profiles (.prof files) and to skip over
 * anything else a producer put in them (code objects, sets, complex numbers).
 *
 * Two ways to use it. marshal_decode() builds a tree of values (tests, tools).
 * The reader (struct marshal_reader) hands out one value at a time, in file
 * order, from a buffer or from a stream, without a tree: the .prof reader
 * builds its profile straight from it (prof_read.c).
 *
 * Ownership: decoded values and their arrays live in the arena passed in; string
 * values point into the input buffer, which must outlive them. A reader owns its
 * window, its tables and the bytes it keeps; marshal_reader_release() frees them.
 */
#ifndef PV_MARSHAL_H
#define PV_MARSHAL_H

#include "../analysis/arena.h"
#include "../analysis/error.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum mval_type {
	MV_NULL,	/* the '0' terminator; never returned as a value */
	MV_NONE,
	MV_BOOL,
	MV_INT,		/* fits int64 */
	MV_BIGINT,	/* an 'l' long outside int64; u.d holds an approximation */
	MV_FLOAT,
	MV_STR,		/* any string or bytes; kind holds the type byte */
	MV_TUPLE,
	MV_LIST,
	MV_DICT,	/* items hold n key/value pairs: 2n values */
	MV_SET,
	MV_CODE,	/* a code object: items hold filename, name, firstlineno */
	MV_OTHER,	/* complex, Ellipsis, StopIteration: decoded and ignored */
};

struct mval {
	uint8_t type;
	uint8_t kind;	/* for MV_STR: 's','u','t','a','A','z','Z' */
	uint16_t pad;
	uint32_t n;	/* string length, or number of items (pairs for dicts) */
	uint64_t off;	/* byte offset of the value's type code in the input */
	union {
		int64_t i;
		double d;
		const uint8_t *s;
		struct mval *items;
	} u;
};

enum marshal_flags {
	MARSHAL_SAW_PY2_STR = 1,	/* 'R' string refs or 'I' ints: only Python 2 writes them */
	MARSHAL_SAW_UNICODE = 2,	/* 'u','a','A','z','Z': only Python 3 writes str this way */
};

struct marshal_result {
	struct mval value;
	uint64_t end;		/* bytes consumed */
	unsigned flags;		/* enum marshal_flags */
};

#define MARSHAL_MAX_DEPTH 200

/* Decodes one value from buf[0..len). Returns 0, or -1 with err set
 * ("truncated marshal data at byte N", "unknown marshal type code 0x.. at byte N"...). */
int marshal_decode(const uint8_t *buf, size_t len, struct arena *a, struct marshal_result *out,
		   struct pv_error *err);

/* ---- the reader: one value at a time ----
 *
 * marshal_head() reads the next value. Scalars and strings come whole. A
 * container comes as its head: its items are the next values (a dict's keys
 * and values alternate, up to a key of type MV_NULL), and marshal_close() ends
 * it, skipping whatever of it was not read. A code object comes whole, with its
 * filename, name and first line.
 *
 * References ('r', and Python 2's 'R'): a value reached through one comes with
 * ref set and the offset of the object it names. A scalar or string comes whole
 * again; a container does not bring its items along: marshal_enter() reads them
 * where they are, marshal_leave() comes back. Every object that can be referred
 * to has a memo cell (marshal_memo(): 0 until the caller sets it), shared by all
 * its references: a caller that has turned the object into an answer of its own
 * (a string id, a function index) stores it there, and from then on the reader
 * keeps nothing of the object but its head: its string bytes and items cannot be
 * asked for again (and a code object reached through a reference then comes
 * without its fields).
 *
 * Streaming, the reader holds a window of the input and what references may
 * still need of the bytes before it, so its memory follows the references, not
 * the input. */

/* Where a streamed input comes from, as read(2): bytes, 0 at the end, -1 with
 * err set. */
typedef ssize_t (*marshal_read_fn)(void *ctx, uint8_t *buf, size_t cap, struct pv_error *err);

struct marshal_str {
	uint64_t off;	/* where its type code is (a Python 2 'R': the reference's) */
	uint64_t at;	/* where its bytes are: marshal_bytes() */
	uint32_t n;
	uint8_t kind;	/* the type code: 's','t','u','a','A','z','Z' */
	int64_t memo;	/* its memo cell, -1 when it has none */
};

struct marshal_head {
	uint8_t type;	/* enum mval_type */
	uint8_t ref;	/* reached through a reference */
	uint32_t n;	/* tuple, list, set: the number of items */
	uint64_t off;	/* where its type code is (for a reference: the object's) */
	int64_t memo;	/* its memo cell, -1 when it has none */
	union {
		int64_t i;
		double d;
	} u;			/* MV_BOOL, MV_INT (i); MV_FLOAT, MV_BIGINT (d) */
	struct marshal_str str;	/* MV_STR */
	struct marshal_str file, name;	/* MV_CODE: co_filename, co_name */
	int64_t line;		/* MV_CODE: co_firstlineno */
};

/* The reader's own (here for the inline fast paths below). A FLAG_REF object:
 * where it is, what it is, and its value (scalars) or its size and memo cell
 * (strings, containers, code objects). A flagged reference ('r' or 'R' with
 * FLAG_REF, which no Python writes) is an alias: code 'r' or 'R', the object
 * it names in v.c.n. */
struct marshal_slot {
	uint64_t tag;	/* offset: bits 0-47; type code: 48-55; enum mval_type: 56-59; ready: 63 */
	union {
		int64_t i;
		double d;
		struct {
			uint32_t n, memo;
		} c;
	} v;
	uint32_t aux;	/* marshal_aux() */
};
#define MARSHAL_SLOT_READY (1ull << 63)

/* A container being read. */
struct marshal_open {
	uint64_t off;
	uint64_t read;		/* values read inside it */
	uint32_t n;
	int64_t slot;		/* FLAG_REF slot, -1 none */
	uint8_t type, fresh, done, pin;
};

/* A referable object met in the window since it last moved: when the window
 * moves past it, its bytes are kept unless its memo is set. */
struct marshal_pending {
	uint64_t off, end;
	uint32_t index;
	uint8_t interned;
};

struct marshal_interned;
struct marshal_kept;

struct marshal_reader {
	/* the bytes [base, end) of the input at buf: the window, or while a
	 * reference is read again, wherever its object is */
	const uint8_t *buf;
	uint64_t base, end, pos;
	uint64_t len;		/* the input's size: counts are checked against it */
	uint64_t hold;		/* the start of the value being read */
	/* the window proper */
	const uint8_t *wbuf;
	uint64_t wbase, wend;
	uint8_t *own;		/* streaming: the window's memory */
	size_t cap;
	marshal_read_fn read;
	void *ctx;
	struct pv_error *err;
	int failed;		/* the input cannot be read on */
	unsigned flags;		/* enum marshal_flags */
	int depth;
	int layout;		/* of code objects, once the first one told */
	int replaying;
	uint64_t replay_next;	/* the slot the next FLAG_REF object read again has */
	struct marshal_slot *slots;	/* FLAG_REF objects, by index */
	size_t nslots, cap_slots;
	struct marshal_interned *interned;	/* Python 2 't' strings, for 'R' */
	size_t ninterned, cap_interned;
	struct marshal_pending *pending;	/* referable objects in the window */
	size_t npending, cap_pending;
	struct marshal_kept *kept;	/* bytes kept for references, by offset */
	size_t nkept, cap_kept;
	struct arena kept_bytes;
	struct marshal_open *open;	/* containers being read, innermost last */
	size_t nopen, cap_open;
};

/* Where a reader was before marshal_enter(). */
struct marshal_replay {
	const uint8_t *buf;
	uint64_t base, end, pos, replay_next;
	int depth, replaying;
	size_t nopen;
};

/* A reader of buf[0..len), which must outlive it. */
void marshal_reader_init(struct marshal_reader *m, const uint8_t *buf, size_t len, struct pv_error *err);
/* A reader of the len bytes read() gives (read no further), through a window
 * of about window bytes (0: the default, some MiB; tests make it tiny). */
void marshal_reader_init_stream(struct marshal_reader *m, uint64_t len, marshal_read_fn read, void *ctx,
				size_t window, struct pv_error *err);
void marshal_reader_release(struct marshal_reader *m);
/* Reads the next value (allow_null: where a dict key may be, so its end may
 * come). 0, or -1 with err set; after an error the reader is done. */
static inline int marshal_head(struct marshal_reader *m, struct marshal_head *h, int allow_null);
/* Ends the innermost container being read, reading past what is left of it. */
static inline int marshal_close(struct marshal_reader *m);
/* Ends every container being read: the rest of the input's value is read
 * (checked) without being looked at. */
int marshal_close_all(struct marshal_reader *m);
/* A string's bytes: valid until the next call on the reader; not for a string
 * whose memo is set. */
const uint8_t *marshal_bytes(struct marshal_reader *m, const struct marshal_str *s);
/* The memo cell memo (a head's or a string's); valid until the next call. */
static inline uint32_t *marshal_memo(struct marshal_reader *m, int64_t memo);
/* A second cell of the same object, 0 at first, for the caller's own use: it
 * does not decide what the reader keeps. */
uint32_t *marshal_aux(struct marshal_reader *m, int64_t memo);
/* Reads again the container ref names (a head with ref set and its memo 0):
 * h gets its head, its items follow; marshal_close() it, then marshal_leave(). */
int marshal_enter(struct marshal_reader *m, const struct marshal_head *ref, struct marshal_head *h,
		  struct marshal_replay *save);
void marshal_leave(struct marshal_reader *m, const struct marshal_replay *save);
/* 1 when the code objects read so far have Python 2's layout. */
int marshal_py2_code(const struct marshal_reader *m);
/* Bytes the reader holds now (window, tables, kept bytes). */
uint64_t marshal_reader_memory(const struct marshal_reader *m);

/* ---- the common cases inline: a profile is millions of small values ---- */

int marshal_head_slow(struct marshal_reader *m, struct marshal_head *h, int allow_null);
int marshal_head_short_str(struct marshal_reader *m, struct marshal_head *h, int allow_null);
int marshal_close_slow(struct marshal_reader *m);

static inline uint64_t marshal_le(const uint8_t *b, int n)
{
	uint64_t v = 0;
	for (int k = n - 1; k >= 0; k--)
		v = v << 8 | b[k];
	return v;
}

/* Inside a container, with the bytes at hand: an int, a float, a reference to
 * anything but a code object (or an alias or a null), a small tuple without
 * FLAG_REF. The rest, and every error, is marshal_head_slow()'s. */
static inline int marshal_head(struct marshal_reader *m, struct marshal_head *h, int allow_null)
{
	uint64_t off = m->pos;
	if (m->end - off < 9 || !m->nopen || m->depth >= MARSHAL_MAX_DEPTH || m->failed)
		return marshal_head_slow(m, h, allow_null);
	const uint8_t *b = m->buf + (off - m->base);
	h->off = off;
	h->ref = 0;
	h->memo = -1;
	h->n = 0;
	switch (b[0]) {
	case 'i':
		h->type = MV_INT;
		h->u.i = (int32_t)(uint32_t)marshal_le(b + 1, 4);
		m->pos = off + 5;
		break;
	case 'g': {
		uint64_t bits = marshal_le(b + 1, 8);
		h->type = MV_FLOAT;
		__builtin_memcpy(&h->u.d, &bits, sizeof(h->u.d));
		m->pos = off + 9;
		break;
	}
	case 'r': {
		uint32_t idx = (uint32_t)marshal_le(b + 1, 4);
		if (idx >= m->nslots)
			return marshal_head_slow(m, h, allow_null);
		const struct marshal_slot *s = &m->slots[idx];
		uint64_t tag = s->tag;
		uint8_t code = (uint8_t)(tag >> 48);
		unsigned type = (unsigned)(tag >> 56) & 0x0fu;
		if (!(tag & MARSHAL_SLOT_READY) || code == 'r' || code == 'R' || type == MV_CODE || type == MV_NULL)
			return marshal_head_slow(m, h, allow_null);
		h->type = (uint8_t)type;
		h->off = tag & 0xffffffffffffull;
		h->ref = 1;
		if (type == MV_STR) {
			h->memo = idx;
			h->str.off = h->off;
			h->str.at = h->off + 1 + (code == 'z' || code == 'Z' ? 1 : 4);
			h->str.n = s->v.c.n;
			h->str.kind = code;
			h->str.memo = idx;
		} else if (type >= MV_TUPLE && type <= MV_SET) {
			h->memo = idx;
			h->n = s->v.c.n;
		} else {
			h->u.i = s->v.i;
		}
		m->pos = off + 5;
		break;
	}
	case ')':
	case '{': {
		uint32_t n = b[0] == ')' ? b[1] : 0;
		if (n > m->len - (off + 2) || m->nopen >= m->cap_open)
			return marshal_head_slow(m, h, allow_null);
		struct marshal_open *o = &m->open[m->nopen++];
		o->off = off;
		o->read = 0;
		o->n = n;
		o->slot = -1;
		o->type = b[0] == ')' ? MV_TUPLE : MV_DICT;
		o->fresh = !m->replaying;
		o->done = 0;
		o->pin = 0;
		h->type = o->type;
		h->n = n;
		m->depth++;
		m->open[m->nopen - 2].read++;
		m->pos = off + (b[0] == ')' ? 2 : 1);
		m->hold = off;
		return 0;
	}
	case 'z' | 0x80:
	case 'Z' | 0x80:
		/* a short string with FLAG_REF (names, files): a new slot */
		return marshal_head_short_str(m, h, allow_null);
	case '0': {
		struct marshal_open *o = &m->open[m->nopen - 1];
		if (!allow_null)
			return marshal_head_slow(m, h, allow_null);
		h->type = MV_NULL;
		m->pos = off + 1;
		if (o->type == MV_DICT && !(o->read & 1))
			o->done = 1;	/* a dict's end (read odd after this key) */
		break;
	}
	default:
		return marshal_head_slow(m, h, allow_null);
	}
	m->open[m->nopen - 1].read++;
	m->hold = off;
	return 0;
}

/* A number as marshal_scalars() reads it: MV_INT, MV_BOOL (u.i), MV_FLOAT,
 * MV_BIGINT (u.d). */
struct marshal_num {
	uint8_t type;
	union {
		int64_t i;
		double d;
	} u;
};

/* The next k values of the container being read, when each is a number the
 * fast way reads ('i', 'g', or a reference to a number): 1 with them in out,
 * else 0 and nothing read (marshal_head() them one by one). */
static inline int marshal_scalars(struct marshal_reader *m, int k, struct marshal_num *out)
{
	if (!m->nopen || m->depth >= MARSHAL_MAX_DEPTH || m->failed)
		return 0;
	const uint8_t *b = m->buf + (m->pos - m->base), *p = b, *end = m->buf + (m->end - m->base);
	const struct marshal_slot *slots = m->slots;
	size_t nslots = m->nslots;
	for (int j = 0; j < k; j++) {
		if (end - p < 9)
			return 0;
		if (*p == 'g') {
			uint64_t bits = marshal_le(p + 1, 8);
			out[j].type = MV_FLOAT;
			__builtin_memcpy(&out[j].u.d, &bits, sizeof(out[j].u.d));
			p += 9;
		} else if (*p == 'i') {
			out[j].type = MV_INT;
			out[j].u.i = (int32_t)(uint32_t)marshal_le(p + 1, 4);
			p += 5;
		} else if (*p == 'r') {
			uint32_t idx = (uint32_t)marshal_le(p + 1, 4);
			if (idx >= nslots)
				return 0;
			uint64_t tag = slots[idx].tag;
			uint8_t code = (uint8_t)(tag >> 48);
			unsigned type = (unsigned)(tag >> 56) & 0x0fu;
			if (!(tag & MARSHAL_SLOT_READY) || code == 'r' || code == 'R' ||
			    (type != MV_INT && type != MV_BOOL && type != MV_FLOAT && type != MV_BIGINT))
				return 0;
			out[j].type = (uint8_t)type;
			out[j].u.i = slots[idx].v.i;
			p += 5;
		} else {
			return 0;
		}
	}
	m->pos += (uint64_t)(p - b);
	m->hold = m->pos;
	m->open[m->nopen - 1].read += (uint64_t)k;
	return 1;
}

uint32_t *marshal_memo_interned(struct marshal_reader *m, int64_t memo);

static inline uint32_t *marshal_memo(struct marshal_reader *m, int64_t memo)
{
	if (memo >= 0)
		return &m->slots[memo].v.c.memo;
	return marshal_memo_interned(m, memo);
}

static inline int marshal_close(struct marshal_reader *m)
{
	struct marshal_open *o = &m->open[m->nopen - 1];
	if (m->failed || o->slot >= 0 || o->type == MV_CODE || (o->type == MV_DICT ? !o->done : o->read < o->n))
		return marshal_close_slow(m);
	m->nopen--;
	m->depth--;
	return 0;
}

#endif
