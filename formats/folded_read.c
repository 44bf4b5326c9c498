#include "folded_read.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Longer lines (a stack of a million frames) are skipped as malformed rather than
 * buffered: a file of NUL bytes or a missing newline must not take memory
 * proportional to its size. */
#define FOLDED_MAX_LINE ((size_t)64 << 20)
/* Bytes of whole stacks kept for the repeat lookup. */
#define FOLDED_MAX_SEEN ((size_t)64 << 20)

enum folded_encoding { ENC_UNKNOWN, ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

struct folded_reader {
	struct profile *p;
	enum folded_encoding enc;
	uint8_t carry[4];	/* bytes of a unit or BOM split across chunks */
	size_t ncarry;
	uint32_t high;		/* a UTF-16 high surrogate waiting for its pair */
	struct strbuf u8;	/* a UTF-16 chunk as UTF-8 */
	struct strbuf partial;	/* a line split across chunks */
	int64_t line_no, lines_ok;
	int64_t lines_metrics;	/* stacks with Austin-style metrics: evidence, not read yet */
	int64_t first_bad;	/* the first line that is no stack at all */
	int lenient;		/* keep what holds a stack however much does not */
	int64_t total_count;	/* samples so far: the sum must fit int64 */
	int64_t overflow_line;	/* ... and when it would not, the line where */
	int skipping;		/* inside a line longer than FOLDED_MAX_LINE */
	uint64_t byte_pos;	/* of the decoded text, for error positions */

	/* The previous line's stack with a ';' after its last frame, the node
	 * reached at each depth and where each frame's ';' is: a line that shares
	 * a prefix with the one before (sorted folded files mostly do) walks only
	 * its new frames. */
	char *prev, *cur;
	size_t prev_len, prev_cap, cur_cap;
	uint32_t *node_at, *end_at;
	size_t depth, cap_depth;

	/* string id of a raw frame -> function, PV_NO_FUNC until first seen */
	uint32_t *frame_func;
	size_t cap_frame_func;

	/* Whole stacks seen before -> their leaf node: an unsorted file repeats
	 * stacks far apart, and one lookup beats a walk of every frame. Memory
	 * grows with the distinct stacks, as the tree does. */
	struct folded_seen *seen;
	size_t seen_cap, seen_n;
	struct strbuf seen_bytes;
	uint64_t lookups, hits;
	int seen_off;		/* the file does not repeat stacks: stop looking */
};

struct folded_seen {
	uint64_t hash;
	uint64_t off;		/* the stack's bytes in seen_bytes */
	uint32_t len, leaf;
};

struct folded_reader *folded_reader_new(struct profile *p)
{
	struct folded_reader *r = xcalloc(1, sizeof(*r));
	r->p = p;
	profile_tree_begin(p, PV_KIND_SAMPLED);
	return r;
}

void folded_reader_free(struct folded_reader *r)
{
	if (!r)
		return;
	strbuf_release(&r->u8);
	strbuf_release(&r->partial);
	free(r->prev);
	free(r->cur);
	free(r->node_at);
	free(r->end_at);
	free(r->frame_func);
	free(r->seen);
	strbuf_release(&r->seen_bytes);
	free(r);
}

static uint64_t folded_hash(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	uint64_t tail = 0;
	memcpy(&tail, s + i, n - i);
	h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return h | 1;	/* 0 marks an empty slot */
}

/* The slot for this stack: its entry, or the empty slot where it goes. */
static struct folded_seen *folded_seen_slot(struct folded_reader *r, uint64_t h, const char *s, size_t n)
{
	size_t mask = r->seen_cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct folded_seen *e = &r->seen[i];
		if (!e->hash || (e->hash == h && e->len == n && memcmp(r->seen_bytes.buf + e->off, s, n) == 0))
			return e;
	}
}

static void folded_seen_add(struct folded_reader *r, struct folded_seen *slot, uint64_t h, const char *s, size_t n,
			    uint32_t leaf)
{
	slot->hash = h;
	slot->off = r->seen_bytes.len;
	slot->len = (uint32_t)n;
	slot->leaf = leaf;
	strbuf_add(&r->seen_bytes, s, n);
	if (++r->seen_n * 2 <= r->seen_cap)
		return;
	struct folded_seen *old = r->seen;
	size_t oldcap = r->seen_cap;
	r->seen_cap *= 2;
	r->seen = xcalloc(r->seen_cap, sizeof(*r->seen));
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].hash)
			continue;
		size_t j = old[i].hash & (r->seen_cap - 1);
		while (r->seen[j].hash)
			j = (j + 1) & (r->seen_cap - 1);
		r->seen[j] = old[i];
	}
	free(old);
}

int folded_first_line_is_stack(const uint8_t *buf, size_t len)
{
	const uint8_t *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;
	if (n && buf[n - 1] == '\r')
		n--;
	size_t i = n, digits = 0;
	while (i > 0 && ((buf[i - 1] >= '0' && buf[i - 1] <= '9') || memchr(".eE+-", buf[i - 1], 5)))
		digits += buf[--i] >= '0' && buf[i] <= '9';
	if (!digits || i < 2 || (buf[i - 1] != ' ' && buf[i - 1] != '\t'))
		return 0;
	for (size_t k = 0; k < i; k++)
		if (buf[k] < 0x20 && buf[k] != '\t')
			return 0;
	return 1;
}

int folded_looks_like(const uint8_t *buf, size_t len)
{
	if (len >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff)))
		return 1;
	size_t n = len < 4096 ? len : 4096;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != '\v'))
			return 0;
	}
	return 1;
}

/* Splits a frame into name, file, line and annotation: "name (file:line)" as
 * py-spy writes, and the _[k] _[j] _[i] _[w] suffixes of perf/inferno. */
static uint32_t folded_frame_func(struct folded_reader *r, const char *f, size_t len)
{
	struct profile *p = r->p;
	char annotation = 0;
	if (len >= 4 && f[len - 4] == '_' && f[len - 3] == '[' && f[len - 1] == ']' &&
	    memchr("kjiw", f[len - 2], 4)) {
		annotation = f[len - 2];
		len -= 4;
	}
	const char *name = f, *file = "";
	size_t name_len = len, file_len = 0;
	int64_t line = 0;
	if (len >= 5 && f[len - 1] == ')') {
		size_t open = len - 1;
		while (open > 0 && f[open] != '(')
			open--;
		if (open >= 2 && f[open] == '(' && f[open - 1] == ' ') {
			const char *in = f + open + 1;
			size_t in_len = len - 1 - (open + 1);
			size_t colon = in_len, digits = 0;
			while (colon > 0 && in[colon - 1] >= '0' && in[colon - 1] <= '9')
				colon--, digits++;
			if (digits > 0 && digits <= 15 && colon >= 2 && in[colon - 1] == ':') {
				file = in;
				file_len = colon - 1;
				for (size_t i = colon; i < in_len; i++)
					line = line * 10 + (in[i] - '0');
			} else if (in_len > 3 && memcmp(in + in_len - 3, ".py", 3) == 0) {
				file = in;
				file_len = in_len;
			}
			if (file_len)
				name_len = open - 1;
		}
	}
	int added;
	uint32_t k = profile_func(p, profile_intern(p, file, file_len), line, profile_intern(p, name, name_len), &added);
	if (added)
		p->funcs[k].annotation = annotation;
	return k;
}

/* The count after the last space: a non-negative decimal (fractions allowed).
 * Returns 0 when it is not one. */
static int folded_count(const char *s, size_t n, double *w)
{
	if (n == 0)
		return 0;
	uint64_t v = 0;
	size_t i = 0;
	/* up to 15 digits is below 2^53: exact; longer goes the checked way */
	while (i < n && i < 15 && s[i] >= '0' && s[i] <= '9')
		v = v * 10 + (uint64_t)(s[i++] - '0');
	if (i == n) {
		*w = (double)v;
		return 1;
	}
	if (i == 15 && n <= 19) {
		/* a long digit run: exact up to 2^53, refused beyond (not rounded) */
		size_t k = 15;
		while (k < n && s[k] >= '0' && s[k] <= '9')
			v = v * 10 + (uint64_t)(s[k++] - '0');
		if (k == n) {
			if (v > 9007199254740992ull)
				return 0;
			*w = (double)v;
			return 1;
		}
	}
	/* the rare forms: fractions, exponents, very long digit runs */
	char buf[64];
	if (n >= sizeof(buf))
		return 0;
	int digits = 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			digits = 1;
		else if (!(c == '.' || ((c == 'e' || c == 'E') && digits) || ((c == '+' || c == '-') && i > 0 &&
									   (s[i - 1] == 'e' || s[i - 1] == 'E'))))
			return 0;
	}
	if (!digits)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	double d = strtod(buf, &end);
	/* beyond 2^53 a count is no longer exact: treat it as damage */
	if (*end || !isfinite(d) || d < 0 || d > 9007199254740992.0)
		return 0;
	*w = d;
	return 1;
}

/* Austin's metrics where a folded count would be: a negative integer (memory
 * freed, or the last of "time +mem -mem") or a comma list ("432,0,-1024"). */
static int folded_austin_metrics(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	int commas = 0, minus = 0;
	size_t digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			digits++;
		} else if (s[i] == '-' && (i == 0 || s[i - 1] == ',')) {
			minus = 1;
		} else if (s[i] == ',' && digits && i + 1 < n) {
			commas++;
			digits = 0;
		} else {
			return 0;
		}
	}
	return digits && (commas || minus);
}

enum folded_line_kind folded_line_parse(const char *s, size_t n, struct folded_line *out)
{
	if (n && s[n - 1] == '\r')
		n--;
	size_t lead = 0;
	while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	if (lead == n || s[lead] == '#')
		return FOLDED_LINE_NONE;	/* blank, or a comment (Austin writes "# key: value" headers) */
	size_t sp = n;
	while (sp > lead && s[sp - 1] != ' ' && s[sp - 1] != '\t')
		sp--;
	if (sp == lead)
		return FOLDED_LINE_BAD;
	size_t stack_len = sp - 1;
	while (stack_len > 0 && (s[stack_len - 1] == ' ' || s[stack_len - 1] == '\t'))
		stack_len--;
	if (stack_len == 0 || (uint64_t)stack_len >= UINT32_MAX - 1)
		return FOLDED_LINE_BAD;
	out->stack_len = stack_len;
	out->metrics = s + sp;
	out->metrics_len = n - sp;
	out->count = 0;
	if (folded_count(s + sp, n - sp, &out->count))
		return FOLDED_LINE_STACK;
	return folded_austin_metrics(s + sp, n - sp) ? FOLDED_LINE_METRICS : FOLDED_LINE_BAD;
}

int folded_evidence_ok(int64_t stacks, int64_t other)
{
	return other * 9 <= stacks || (other <= 2 && stacks >= 2 * other);
}

int folded_evidence_error(struct pv_error *err, int64_t stacks, int64_t other, int64_t first_other, int whole)
{
	if (stacks == 0 && whole)
		return pv_error_set(err, "no line holds a stack and a count: %lld malformed lines, the first at line %lld",
				    (long long)other, (long long)first_other);
	if (stacks == 0)
		return pv_error_set(err, "not folded stacks: none of the first %lld lines holds a stack and a count",
				    (long long)other);
	return pv_error_set(err, "not folded stacks: only %lld of %s%lld lines hold a stack and a count, the first "
			    "that does not is line %lld (--format folded --lenient imports those)",
			    (long long)stacks, whole ? "" : "the first ", (long long)(stacks + other),
			    (long long)first_other);
}

void folded_reader_set_lenient(struct folded_reader *r, int lenient)
{
	r->lenient = lenient;
}

/* A line that is not read: bad (no stack at all) or a stack with metrics. */
static void folded_skip(struct folded_reader *r, int bad)
{
	if (r->p->skipped_lines++ == 0)
		r->p->first_skipped_line = r->line_no;
	if (bad && !r->first_bad)
		r->first_bad = r->line_no;
}

static void folded_depth(struct folded_reader *r, size_t need)
{
	if (need <= r->cap_depth)
		return;
	size_t cap = r->cap_depth;
	xgrow((void **)&r->node_at, &cap, need, sizeof(uint32_t));
	cap = r->cap_depth;
	xgrow((void **)&r->end_at, &cap, need, sizeof(uint32_t));
	r->cap_depth = cap;
}

/* One line's weight and sample count land on the stack's leaf. */
static void folded_credit(struct profile *p, uint32_t leaf, double w, int64_t count)
{
	p->nodes[leaf].self += w;
	p->nodes[leaf].count += count;
}

static void folded_stack(struct folded_reader *r, const char *s, size_t n, double w, int64_t count)
{
	struct profile *p = r->p;
	struct folded_seen *slot = NULL;
	uint64_t h = 0;
	if (r->depth && n + 1 == r->prev_len && memcmp(s, r->prev, n) == 0) {
		/* the same stack as the line before (sorted input) */
		folded_credit(p, r->node_at[r->depth - 1], w, count);
		return;
	}
	if (!r->seen_off) {
		if (!r->seen) {
			r->seen_cap = 1024;
			r->seen = xcalloc(r->seen_cap, sizeof(*r->seen));
		}
		h = folded_hash(p->hash_seed, s, n);
		slot = folded_seen_slot(r, h, s, n);
		r->lookups++;
		if (slot->hash) {
			r->hits++;
			folded_credit(p, slot->leaf, w, count);
			return;
		}
		/* already aggregated files (stackcollapse, py-spy) never repeat a
		 * stack: there the lookups only cost time and memory */
		if (r->lookups == 65536 && r->hits < r->lookups / 8) {
			r->seen_off = 1;
			free(r->seen);
			r->seen = NULL;
			strbuf_release(&r->seen_bytes);
			slot = NULL;
		}
	}
	if (r->cur_cap < n + 1)
		xgrow((void **)&r->cur, &r->cur_cap, n + 1, 1);
	memcpy(r->cur, s, n);
	r->cur[n] = ';';
	size_t len = n + 1;

	/* frames shared with the previous line: those whose ';' lies inside the
	 * common prefix */
	size_t common = 0, lim = len < r->prev_len ? len : r->prev_len;
	while (common + 8 <= lim) {
		uint64_t a, b;
		memcpy(&a, r->cur + common, 8);
		memcpy(&b, r->prev + common, 8);
		if (a != b)
			break;
		common += 8;
	}
	while (common < lim && r->cur[common] == r->prev[common])
		common++;
	size_t depth = 0;
	while (depth < r->depth && r->end_at[depth] < common)
		depth++;
	uint32_t node = depth ? r->node_at[depth - 1] : 0;
	size_t at = depth ? r->end_at[depth - 1] + 1 : 0;
	while (at < len) {
		const char *semi = memchr(r->cur + at, ';', len - at);
		size_t end = (size_t)(semi - r->cur);
		uint32_t sid = profile_intern(p, r->cur + at, end - at);
		if (sid >= r->cap_frame_func) {
			size_t old = r->cap_frame_func;
			xgrow((void **)&r->frame_func, &r->cap_frame_func, (size_t)sid + 1, sizeof(uint32_t));
			for (size_t i = old; i < r->cap_frame_func; i++)
				r->frame_func[i] = PV_NO_FUNC;
		}
		if (r->frame_func[sid] == PV_NO_FUNC)
			r->frame_func[sid] = folded_frame_func(r, r->cur + at, end - at);
		node = profile_tree_child(p, node, r->frame_func[sid]);
		folded_depth(r, depth + 1);
		r->node_at[depth] = node;
		r->end_at[depth] = (uint32_t)end;
		depth++;
		at = end + 1;
	}
	r->depth = depth;
	/* the trie shares prefixes, these copies do not: cap them */
	if (slot && r->seen_bytes.len + n <= FOLDED_MAX_SEEN)
		folded_seen_add(r, slot, h, s, n, node);
	folded_credit(p, node, w, count);
	char *t = r->prev;
	r->prev = r->cur;
	r->cur = t;
	size_t tc = r->prev_cap;
	r->prev_cap = r->cur_cap;
	r->cur_cap = tc;
	r->prev_len = len;
}

static void folded_line(struct folded_reader *r, const char *s, size_t n)
{
	r->line_no++;
	struct folded_line fl;
	enum folded_line_kind kind = folded_line_parse(s, n, &fl);
	if (kind == FOLDED_LINE_NONE)
		return;
	if (kind == FOLDED_LINE_METRICS)
		r->lines_metrics++;
	if (kind != FOLDED_LINE_STACK) {
		folded_skip(r, kind == FOLDED_LINE_BAD);
		return;
	}
	size_t stack_len = fl.stack_len;
	double w = fl.count;
	r->lines_ok++;
	int64_t count = (int64_t)llround(w);
	if (r->total_count > INT64_MAX / 2 - count) {
		if (!r->overflow_line)
			r->overflow_line = r->line_no;
		return;
	}
	r->total_count += count;
	if (w > 0)
		folded_stack(r, s, stack_len, w, count);
}

/* Splits UTF-8 text into lines; a line cut by the chunk end waits in partial. */
static void folded_text(struct folded_reader *r, const char *s, size_t n)
{
	r->byte_pos += n;
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) : n;
		if (!r->skipping && r->partial.len + len > FOLDED_MAX_LINE) {
			r->skipping = 1;
			strbuf_release(&r->partial);
		}
		if (r->skipping) {
			if (!nl)
				return;
			r->skipping = 0;
			r->line_no++;
			folded_skip(r, 1);
			s = nl + 1;
			n -= len + 1;
			continue;
		}
		if (!nl) {
			strbuf_add(&r->partial, s, n);
			return;
		}
		if (r->partial.len) {
			strbuf_add(&r->partial, s, len);
			folded_line(r, r->partial.buf, r->partial.len);
			strbuf_reset(&r->partial);
		} else {
			folded_line(r, s, len);
		}
		s = nl + 1;
		n -= len + 1;
	}
}

static void folded_put_utf8(struct strbuf *sb, uint32_t c)
{
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* One UTF-16 code unit; unpaired surrogates become U+FFFD. */
static void folded_utf16_unit(struct folded_reader *r, uint32_t u)
{
	if (r->high) {
		if (u >= 0xdc00 && u <= 0xdfff) {
			folded_put_utf8(&r->u8, 0x10000 + ((r->high - 0xd800) << 10) + (u - 0xdc00));
			r->high = 0;
			return;
		}
		folded_put_utf8(&r->u8, 0xfffd);
		r->high = 0;
	}
	if (u >= 0xd800 && u <= 0xdbff)
		r->high = u;
	else
		folded_put_utf8(&r->u8, u >= 0xdc00 && u <= 0xdfff ? 0xfffd : u);
}

static void folded_utf16(struct folded_reader *r, const uint8_t *b, size_t n)
{
	strbuf_reset(&r->u8);
	size_t i = 0;
	if (r->ncarry && n) {
		uint8_t pair[2] = { r->carry[0], b[0] };
		folded_utf16_unit(r, r->enc == ENC_UTF16LE ? (uint32_t)(pair[0] | pair[1] << 8)
							    : (uint32_t)(pair[0] << 8 | pair[1]));
		r->ncarry = 0;
		i = 1;
	}
	for (; i + 2 <= n; i += 2)
		folded_utf16_unit(r, r->enc == ENC_UTF16LE ? (uint32_t)(b[i] | b[i + 1] << 8)
							   : (uint32_t)(b[i] << 8 | b[i + 1]));
	if (i < n)
		r->carry[r->ncarry++] = b[i];
	folded_text(r, r->u8.buf ? r->u8.buf : "", r->u8.len);
}

int folded_reader_feed(struct folded_reader *r, const uint8_t *buf, size_t len, struct pv_error *err)
{
	(void)err;
	if (r->enc == ENC_UNKNOWN) {
		/* the BOM decides; wait for three bytes to see it whole */
		while (len && r->ncarry < 3) {
			r->carry[r->ncarry++] = *buf++;
			len--;
		}
		if (r->ncarry < 3)
			return 0;
		uint8_t head[3];
		size_t nhead = r->ncarry;
		memcpy(head, r->carry, nhead);
		r->ncarry = 0;
		if (head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) {
			r->enc = ENC_UTF8;
			nhead = 0;
		} else if (head[0] == 0xff && head[1] == 0xfe) {
			r->enc = ENC_UTF16LE;
			folded_utf16(r, head + 2, 1);
			nhead = 0;
		} else if (head[0] == 0xfe && head[1] == 0xff) {
			r->enc = ENC_UTF16BE;
			folded_utf16(r, head + 2, 1);
			nhead = 0;
		} else {
			r->enc = ENC_UTF8;
		}
		if (nhead)
			folded_text(r, (const char *)head, nhead);
	}
	if (!len)
		return 0;
	if (r->enc == ENC_UTF8)
		folded_text(r, (const char *)buf, len);
	else
		folded_utf16(r, buf, len);
	return 0;
}

/* The end of the input: what waits for more bytes (a BOM, a UTF-16 unit, the
 * last line) is read as it is. */
static void folded_reader_end_input(struct folded_reader *r)
{
	if (r->enc == ENC_UNKNOWN && r->ncarry) {
		/* fewer than three bytes in all */
		r->enc = ENC_UTF8;
		folded_text(r, (const char *)r->carry, r->ncarry);
		r->ncarry = 0;
	}
	if (r->enc != ENC_UTF8 && (r->high || r->ncarry)) {
		strbuf_reset(&r->u8);
		folded_put_utf8(&r->u8, 0xfffd);
		folded_text(r, r->u8.buf, r->u8.len);
	}
	if (r->skipping) {
		r->line_no++;
		r->skipping = 0;
		folded_skip(r, 1);
	} else if (r->partial.len) {
		folded_line(r, r->partial.buf, r->partial.len);
		strbuf_reset(&r->partial);
	}
}

/* Stack lines (with a count or Austin's metrics) and the other lines, so far. */
static void folded_reader_counts(const struct folded_reader *r, int64_t *stacks, int64_t *other)
{
	*stacks = r->lines_ok + r->lines_metrics;
	*other = r->p->skipped_lines - r->lines_metrics;
}

int folded_head_is_stacks(const uint8_t *buf, size_t len, int complete, struct pv_error *err)
{
	struct profile *p = profile_new();
	struct folded_reader *r = folded_reader_new(p);
	int64_t stacks, other;
	folded_reader_feed(r, buf, len, err);
	if (complete)
		folded_reader_end_input(r);
	folded_reader_counts(r, &stacks, &other);
	int rc = folded_evidence_ok(stacks, other) ? 0 : folded_evidence_error(err, stacks, other, r->first_bad, complete);
	folded_reader_free(r);
	profile_free(p);
	return rc;
}

int folded_reader_finish(struct folded_reader *r, struct pv_error *err)
{
	folded_reader_end_input(r);
	struct profile *p = r->p;
	int64_t stacks, other;
	folded_reader_counts(r, &stacks, &other);
	if (r->overflow_line)
		return pv_error_set(err, "the sample counts add up beyond 2^62 at line %lld", (long long)r->overflow_line);
	if (r->lines_ok == 0) {
		if (p->skipped_lines)
			return pv_error_set(err, "no line holds a stack and a count: %lld malformed lines, the first at line %lld",
					    (long long)p->skipped_lines, (long long)p->first_skipped_line);
		return pv_error_set(err, "no stacks: the file has no 'frame;frame COUNT' lines");
	}
	if (!r->lenient && !folded_evidence_ok(stacks, other))
		return folded_evidence_error(err, stacks, other, r->first_bad, 1);
	p->format = "folded";
	p->unit = "samples";
	profile_tree_finish(p);
	return 0;
}
