#include "folded_read.h"
#include "austin_read.h"
#include "folded_frame.h"
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
/* Memory held below which the reader does not weigh it against the room. */
#define FOLDED_CHECK_FROM ((uint64_t)64 << 20)
/* Raw frames remembered with their function, per profile: beyond this many,
 * only while most frames walked are found there. A file whose every line names
 * new functions would otherwise keep each frame a second time, whole, next to
 * its parts; there a frame is split each time it is walked. */
#define FOLDED_MEMO_FREE ((size_t)1 << 16)

enum folded_encoding { ENC_UNKNOWN, ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE };

/* One profile being built: a file's only one, or one thread of an Austin file. */
struct folded_part {
	struct profile *p;
	char *key;		/* the thread frame that leads its lines (Austin) */
	size_t key_len;

	/* The previous line's stack with a ';' after its last frame, the node
	 * reached at each depth and where each frame's ';' is: a line that shares
	 * a prefix with the one before (sorted folded files mostly do) walks only
	 * its new frames. */
	char *prev;
	size_t prev_len, prev_cap;
	uint32_t *node_at, *end_at;
	size_t depth, cap_depth;

	/* string id of a raw frame -> function, PV_NO_FUNC until first seen */
	uint32_t *frame_func;
	size_t cap_frame_func;
	size_t memo_n;		/* raw frames interned for it */
	uint64_t memo_walks, memo_new;	/* frames walked, and of them new to the memo */

	/* Whole stacks seen before -> their leaf node: an unsorted file repeats
	 * stacks far apart, and one lookup beats a walk of every frame. Memory
	 * grows with the distinct stacks, as the tree does. */
	struct folded_seen *seen;
	size_t seen_cap, seen_n;
	struct strbuf seen_bytes;
	uint64_t lookups, hits;
	int seen_off;		/* the file does not repeat stacks: stop looking */
};

struct folded_reader {
	struct folded_options o;
	enum folded_encoding enc;
	uint8_t carry[4];	/* bytes of a unit or BOM split across chunks */
	size_t ncarry;
	uint32_t high;		/* a UTF-16 high surrogate waiting for its pair */
	struct strbuf u8;	/* a UTF-16 chunk as UTF-8 */
	struct strbuf label;	/* a thread's name */
	struct strbuf partial;	/* a line split across chunks */
	int64_t line_no, lines_ok;
	int64_t lines_metrics;	/* stacks with Austin-style metrics outside an Austin file: evidence, not read */
	int64_t first_bad;	/* the first line that is no stack at all */
	int64_t total_count;	/* samples so far: the sum must fit int64 */
	int64_t overflow_line;	/* ... and when it would not, the line where */
	int64_t skipped_lines, first_skipped_line;
	int skipping;		/* inside a line longer than FOLDED_MAX_LINE */
	uint64_t byte_pos;	/* of the decoded text, for error positions */

	char *cur;		/* the line's stack being walked; becomes a part's prev */
	size_t cur_cap;

	struct folded_part *parts;
	size_t nparts, cap_parts;
	uint32_t *part_index;	/* open addressing on the thread frame: part + 1, 0 empty */
	size_t part_index_cap;
	size_t last_part;	/* the part of the line before */

	int threads_merged;	/* --merge-threads joined more than one thread */
	int started;		/* the first stack line decided what the file is */
	int austin;		/* ... Austin's: austin_read.c parses its lines */
	struct austin_reader ar;
	uint32_t (*frame_func)(struct profile *p, const char *f, size_t len);
	struct pv_error fail;	/* the file cannot be read this way: every later feed fails */
	int failed;
	size_t room;		/* xalloc_room(), once the reader holds FOLDED_CHECK_FROM */
};

struct folded_seen {
	uint64_t hash;
	uint64_t off;		/* the stack's bytes in seen_bytes */
	uint32_t len, leaf;
};

static uint32_t folded_frame_func(struct profile *p, const char *f, size_t len);

struct folded_reader *folded_reader_new(const struct folded_options *o)
{
	struct folded_reader *r = xcalloc(1, sizeof(*r));
	if (o)
		r->o = *o;
	if (r->o.unit_scale <= 0)
		r->o.unit_scale = 1.0;
	austin_reader_init(&r->ar, r->o.unit, r->o.unit_scale, (enum austin_metric)r->o.metric);
	r->frame_func = folded_frame_func;
	pv_error_clear(&r->fail);
	return r;
}

static void folded_part_release(struct folded_part *t)
{
	free(t->key);
	free(t->prev);
	free(t->node_at);
	free(t->end_at);
	free(t->frame_func);
	free(t->seen);
	strbuf_release(&t->seen_bytes);
	profile_free(t->p);
}

void folded_reader_free(struct folded_reader *r)
{
	if (!r)
		return;
	strbuf_release(&r->u8);
	strbuf_release(&r->label);
	strbuf_release(&r->partial);
	free(r->cur);
	for (size_t i = 0; i < r->nparts; i++)
		folded_part_release(&r->parts[i]);
	free(r->parts);
	free(r->part_index);
	austin_reader_release(&r->ar);
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
static struct folded_seen *folded_seen_slot(struct folded_part *t, uint64_t h, const char *s, size_t n)
{
	size_t mask = t->seen_cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct folded_seen *e = &t->seen[i];
		if (!e->hash || (e->hash == h && e->len == n && memcmp(t->seen_bytes.buf + e->off, s, n) == 0))
			return e;
	}
}

static void folded_seen_add(struct folded_part *t, struct folded_seen *slot, uint64_t h, const char *s, size_t n,
			    uint32_t leaf)
{
	slot->hash = h;
	slot->off = t->seen_bytes.len;
	slot->len = (uint32_t)n;
	slot->leaf = leaf;
	strbuf_add(&t->seen_bytes, s, n);
	if (++t->seen_n * 2 <= t->seen_cap)
		return;
	struct folded_seen *old = t->seen;
	size_t oldcap = t->seen_cap;
	t->seen_cap *= 2;
	t->seen = xcalloc(t->seen_cap, sizeof(*t->seen));
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].hash)
			continue;
		size_t j = old[i].hash & (t->seen_cap - 1);
		while (t->seen[j].hash)
			j = (j + 1) & (t->seen_cap - 1);
		t->seen[j] = old[i];
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

/* The function of a frame: name, file, line and annotation split by the one
 * rule of folded_frame.c ("name (file:line)" as py-spy writes it, the _[k]
 * _[j] _[i] _[w] suffixes of perf/inferno). */
static uint32_t folded_frame_func(struct profile *p, const char *f, size_t len)
{
	struct folded_frame fr;
	folded_frame_split(f, len, &fr);
	int added;
	uint32_t k = profile_func(p, profile_intern(p, fr.file, fr.file_len), fr.line,
				  profile_intern(p, fr.name, fr.name_len), &added);
	if (added)
		p->funcs[k].annotation = fr.annotation;
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

size_t folded_line_start(const char *s, size_t *n)
{
	if (*n && s[*n - 1] == '\r')
		(*n)--;
	size_t lead = 0;
	while (lead < *n && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	return lead;
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

/* A line that is not read: bad (no stack at all) or a stack with metrics. */
static void folded_skip(struct folded_reader *r, int bad)
{
	if (r->skipped_lines++ == 0)
		r->first_skipped_line = r->line_no;
	if (bad && !r->first_bad)
		r->first_bad = r->line_no;
}

static void folded_depth(struct folded_part *t, size_t need)
{
	if (need <= t->cap_depth)
		return;
	size_t cap = t->cap_depth;
	xgrow((void **)&t->node_at, &cap, need, sizeof(uint32_t));
	cap = t->cap_depth;
	xgrow((void **)&t->end_at, &cap, need, sizeof(uint32_t));
	t->cap_depth = cap;
}

/* One line's weight and sample count land on the stack's leaf. */
static void folded_credit(struct profile *p, uint32_t leaf, double w, int64_t count)
{
	p->nodes[leaf].self += w;
	p->nodes[leaf].count += count;
}

/* The function of a raw frame, remembered by its text (FOLDED_MEMO_FREE). */
static uint32_t folded_frame_memo(struct folded_reader *r, struct folded_part *t, const char *f, size_t len)
{
	struct profile *p = t->p;
	int64_t sid;
	t->memo_walks++;
	if (t->memo_n < FOLDED_MEMO_FREE || t->memo_new * 2 < t->memo_walks) {
		size_t before = p->nstrs;
		sid = profile_intern(p, f, len);
		if (p->nstrs != before) {
			t->memo_n++;
			t->memo_new++;
		}
	} else {
		/* only what is remembered already: the table stops growing */
		sid = profile_find_str(p, f, len);
		if (sid < 0 || (size_t)sid >= t->cap_frame_func) {
			t->memo_new++;
			return r->frame_func(p, f, len);
		}
	}
	if ((size_t)sid >= t->cap_frame_func) {
		size_t old = t->cap_frame_func;
		xgrow((void **)&t->frame_func, &t->cap_frame_func, (size_t)sid + 1, sizeof(uint32_t));
		for (size_t i = old; i < t->cap_frame_func; i++)
			t->frame_func[i] = PV_NO_FUNC;
	}
	if (t->frame_func[sid] == PV_NO_FUNC)
		t->frame_func[sid] = r->frame_func(p, f, len);
	return t->frame_func[sid];
}

static void folded_stack(struct folded_reader *r, struct folded_part *t, const char *s, size_t n, double w,
			 int64_t count)
{
	struct profile *p = t->p;
	struct folded_seen *slot = NULL;
	uint64_t h = 0;
	if (n == 0) {
		/* a sample of a thread with no frame: the root's own weight */
		folded_credit(p, 0, w, count);
		return;
	}
	if (t->depth && n + 1 == t->prev_len && memcmp(s, t->prev, n) == 0) {
		/* the same stack as the line before (sorted input) */
		folded_credit(p, t->node_at[t->depth - 1], w, count);
		return;
	}
	if (!t->seen_off) {
		if (!t->seen) {
			t->seen_cap = 1024;
			t->seen = xcalloc(t->seen_cap, sizeof(*t->seen));
		}
		h = folded_hash(p->hash_seed, s, n);
		slot = folded_seen_slot(t, h, s, n);
		t->lookups++;
		if (slot->hash) {
			t->hits++;
			folded_credit(p, slot->leaf, w, count);
			return;
		}
		/* already aggregated files (stackcollapse, py-spy) never repeat a
		 * stack: there the lookups only cost time and memory */
		if (t->lookups == 65536 && t->hits < t->lookups / 8) {
			t->seen_off = 1;
			free(t->seen);
			t->seen = NULL;
			strbuf_release(&t->seen_bytes);
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
	size_t common = 0, lim = len < t->prev_len ? len : t->prev_len;
	while (common + 8 <= lim) {
		uint64_t a, b;
		memcpy(&a, r->cur + common, 8);
		memcpy(&b, t->prev + common, 8);
		if (a != b)
			break;
		common += 8;
	}
	while (common < lim && r->cur[common] == t->prev[common])
		common++;
	size_t depth = 0;
	while (depth < t->depth && t->end_at[depth] < common)
		depth++;
	uint32_t node = depth ? t->node_at[depth - 1] : 0;
	size_t at = depth ? t->end_at[depth - 1] + 1 : 0;
	while (at < len) {
		const char *semi = memchr(r->cur + at, ';', len - at);
		size_t end = (size_t)(semi - r->cur);
		node = profile_tree_child(p, node, folded_frame_memo(r, t, r->cur + at, end - at));
		folded_depth(t, depth + 1);
		t->node_at[depth] = node;
		t->end_at[depth] = (uint32_t)end;
		depth++;
		at = end + 1;
	}
	t->depth = depth;
	/* the trie shares prefixes, these copies do not: cap them */
	if (slot && t->seen_bytes.len + n <= FOLDED_MAX_SEEN)
		folded_seen_add(t, slot, h, s, n, node);
	folded_credit(p, node, w, count);
	char *tmp = t->prev;
	t->prev = r->cur;
	r->cur = tmp;
	size_t tc = t->prev_cap;
	t->prev_cap = r->cur_cap;
	r->cur_cap = tc;
	t->prev_len = len;
}

static struct folded_part *folded_part_add(struct folded_reader *r, const char *key, size_t key_len)
{
	if (r->nparts == r->cap_parts)
		xgrow((void **)&r->parts, &r->cap_parts, r->nparts + 1, sizeof(*r->parts));
	struct folded_part *t = &r->parts[r->nparts++];
	memset(t, 0, sizeof(*t));
	t->p = profile_new();
	profile_tree_begin(t->p, PV_KIND_SAMPLED);
	if (key_len) {
		t->key = xmalloc(key_len);
		memcpy(t->key, key, key_len);
		t->key_len = key_len;
		austin_thread_label(key, key_len, &r->label);
		t->p->thread = arena_strndup(&t->p->arena, strbuf_str(&r->label), r->label.len);
	}
	return t;
}

/* The part for the thread frame that leads a line: one per thread, in the
 * order they first appear (all in one when merging). NULL with r->fail set
 * when the file has more threads than one import may store apart. */
static struct folded_part *folded_part_for(struct folded_reader *r, const char *key, size_t n)
{
	if (r->o.merge || !r->austin) {
		if (!r->nparts)
			return folded_part_add(r, key, n);
		struct folded_part *t = &r->parts[0];
		/* a merged profile names its thread only when the file has one */
		if (r->austin && !r->threads_merged && (t->key_len != n || memcmp(t->key, key, n) != 0))
			r->threads_merged = 1;
		return t;
	}
	if (!r->nparts)
		return folded_part_add(r, key, n);
	struct folded_part *last = &r->parts[r->last_part];
	if (last->key_len == n && memcmp(last->key, key, n) == 0)
		return last;
	/* the first profile's random seed: thread names must not steer every key
	 * into one probe chain */
	uint64_t seed = r->parts[0].p->hash_seed;
	uint64_t h = folded_hash(seed, key, n);
	size_t mask = r->part_index_cap - 1;
	for (size_t i = r->part_index_cap ? h & mask : 0; r->part_index_cap; i = (i + 1) & mask) {
		uint32_t k = r->part_index[i];
		if (!k)
			break;
		struct folded_part *t = &r->parts[k - 1];
		if (t->key_len == n && memcmp(t->key, key, n) == 0) {
			r->last_part = k - 1;
			return t;
		}
	}
	if (r->nparts == PV_MAX_PARTS) {
		r->failed = 1;
		pv_error_set(&r->fail, "more than %d threads in one file: import them merged (--merge-threads)",
			     PV_MAX_PARTS);
		return NULL;
	}
	if ((r->nparts + 1) * 2 > r->part_index_cap) {
		free(r->part_index);
		r->part_index_cap = r->part_index_cap ? r->part_index_cap * 2 : 16;
		r->part_index = xcalloc(r->part_index_cap, sizeof(uint32_t));
		mask = r->part_index_cap - 1;
		for (size_t k = 0; k < r->nparts; k++) {
			struct folded_part *t = &r->parts[k];
			size_t i = folded_hash(seed, t->key, t->key_len) & mask;
			while (r->part_index[i])
				i = (i + 1) & mask;
			r->part_index[i] = (uint32_t)k + 1;
		}
	}
	struct folded_part *t = folded_part_add(r, key, n);
	size_t i = h & mask;
	while (r->part_index[i])
		i = (i + 1) & mask;
	r->part_index[i] = (uint32_t)r->nparts;
	r->last_part = r->nparts - 1;
	return t;
}

/* A sample line of an Austin file: its thread's part, its frames and weight
 * from austin_read.c. Each line is one sample. */
static void folded_austin_line(struct folded_reader *r, const char *s, size_t n)
{
	struct austin_sample smp;
	int rc = austin_sample_parse(&r->ar, s, n, &smp, &r->fail);
	if (rc == -2) {
		r->failed = 1;
		return;
	}
	if (rc > 0)
		return;
	if (rc < 0 || (uint64_t)smp.stack_len >= UINT32_MAX - 1) {
		folded_skip(r, 1);
		return;
	}
	r->lines_ok++;
	struct folded_part *t = folded_part_for(r, smp.thread, smp.thread_len);
	if (!t)
		return;
	r->total_count++;
	if (smp.weight > 0)
		folded_stack(r, t, smp.stack, smp.stack_len, smp.weight, 1);
}

static void folded_line(struct folded_reader *r, const char *s, size_t n)
{
	r->line_no++;
	if (r->failed)
		return;
	size_t whole = n;	/* folded_line_parse() drops the '\r' itself, once */
	size_t lead = folded_line_start(s, &n);
	if (lead == n)
		return;
	if (s[lead] == '#') {
		/* a comment; before the samples Austin 3 writes "# key: value" metadata */
		if (!r->started)
			austin_meta(&r->ar, s + lead, n - lead);
		return;
	}
	if (!r->started) {
		r->started = 1;
		/* Austin's by its lines: its header alone does not make a file Austin's */
		r->austin = austin_line_shape(s, n);
		if (r->austin)
			r->frame_func = austin_frame_func;
		else if (r->o.metric) {
			r->failed = 1;
			pv_error_set(&r->fail, "--metric applies to Austin files: this is not one");
			return;
		}
	}
	if (r->austin) {
		folded_austin_line(r, s, n);
		return;
	}
	struct folded_line fl;
	enum folded_line_kind kind = folded_line_parse(s, whole, &fl);
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
	/* counts in another unit (import --unit): a line is one sample of that weight */
	int64_t count = r->o.unit && strcmp(r->o.unit, "samples") != 0 ? 1 : (int64_t)llround(w);
	w *= r->o.unit_scale;
	if (r->total_count > INT64_MAX / 2 - count) {
		if (!r->overflow_line)
			r->overflow_line = r->line_no;
		return;
	}
	r->total_count += count;
	if (w > 0)
		folded_stack(r, folded_part_for(r, NULL, 0), s, stack_len, w, count);
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

/* Copies the reader's sticky failure into err: -1, or 0 when there is none. */
static int folded_failed(const struct folded_reader *r, struct pv_error *err)
{
	if (!r->failed)
		return 0;
	pv_error_set(err, "%s", r->fail.message);
	return -1;
}

/* Bytes the reader and its profiles hold, and what finishing them needs on top
 * (one after the other). */
static uint64_t folded_memory(const struct folded_reader *r)
{
	uint64_t held = r->u8.cap + r->partial.cap + r->cur_cap + r->cap_parts * sizeof(*r->parts) +
			r->part_index_cap * sizeof(uint32_t), finish = 0;
	for (size_t i = 0; i < r->nparts; i++) {
		const struct folded_part *t = &r->parts[i];
		held += profile_memory(t->p) + t->prev_cap + t->cap_depth * 2 * sizeof(uint32_t) +
			t->cap_frame_func * sizeof(uint32_t) + t->seen_cap * sizeof(struct folded_seen) + t->seen_bytes.cap;
		uint64_t f = profile_tree_finish_memory(t->p);
		if (f > finish)
			finish = f;
	}
	return held + finish;
}

/* An input that will not fit is refused as it grows, with what it needs so far,
 * rather than by the kernel or a failed allocation half-way. */
static int folded_check_memory(struct folded_reader *r, struct pv_error *err)
{
	uint64_t need = folded_memory(r);
	if (need < FOLDED_CHECK_FROM)
		return 0;
	if (!r->room)
		r->room = xalloc_room();
	if (xalloc_check(need, r->room, &r->fail) == 0)
		return 0;
	r->failed = 1;
	return folded_failed(r, err);
}

int folded_reader_feed(struct folded_reader *r, const uint8_t *buf, size_t len, struct pv_error *err)
{
	if (r->failed)
		return folded_failed(r, err);
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
	if (len) {
		if (r->enc == ENC_UTF8)
			folded_text(r, (const char *)buf, len);
		else
			folded_utf16(r, buf, len);
	}
	return folded_failed(r, err) || folded_check_memory(r, err) ? -1 : 0;
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

/* Stack lines (with a count, Austin's samples, or metrics) and the other lines, so far. */
static void folded_reader_counts(const struct folded_reader *r, int64_t *stacks, int64_t *other)
{
	*stacks = r->lines_ok + r->lines_metrics;
	*other = r->skipped_lines - r->lines_metrics;
}

int folded_head_is_stacks(const uint8_t *buf, size_t len, int complete, struct pv_error *err)
{
	struct folded_reader *r = folded_reader_new(NULL);
	int64_t stacks, other;
	struct pv_error ignored;
	pv_error_clear(&ignored);
	folded_reader_feed(r, buf, len, &ignored);
	if (complete)
		folded_reader_end_input(r);
	folded_reader_counts(r, &stacks, &other);
	int rc = folded_evidence_ok(stacks, other) ? 0 : folded_evidence_error(err, stacks, other, r->first_bad, complete);
	folded_reader_free(r);
	return rc;
}

int folded_reader_finish(struct folded_reader *r, struct profile_list *out, struct pv_error *err)
{
	folded_reader_end_input(r);
	int64_t stacks, other;
	folded_reader_counts(r, &stacks, &other);
	if (folded_failed(r, err))
		return -1;
	if (r->overflow_line)
		return pv_error_set(err, "the sample counts add up beyond 2^62 at line %lld", (long long)r->overflow_line);
	if (r->lines_ok == 0) {
		if (r->skipped_lines)
			return pv_error_set(err, "no line holds a stack and a count: %lld malformed lines, the first at line %lld",
					    (long long)r->skipped_lines, (long long)r->first_skipped_line);
		return pv_error_set(err, "no stacks: the file has no 'frame;frame COUNT' lines");
	}
	if (!r->o.lenient && !folded_evidence_ok(stacks, other))
		return folded_evidence_error(err, stacks, other, r->first_bad, 1);
	if (r->nparts == 0)
		folded_part_add(r, NULL, 0);	/* every line weighed 0 */
	char producer[64] = "";
	if (r->austin)
		austin_producer(&r->ar, producer, sizeof(producer));
	for (size_t i = 0; i < r->nparts; i++) {
		struct profile *p = r->parts[i].p;
		p->format = "folded";
		p->unit = r->austin ? austin_unit(&r->ar) : r->o.unit ? r->o.unit : "samples";
		if (producer[0])
			p->producer = arena_strdup(&p->arena, producer);
		p->part = r->o.merge && r->threads_merged ? -1 : (int)i;
		p->nparts = (int)r->nparts;
		if (r->threads_merged)
			p->thread = NULL;
		if (i == 0) {
			p->skipped_lines = r->skipped_lines;
			p->first_skipped_line = r->first_skipped_line;
		}
		profile_drop_indexes(p);	/* all its functions are in */
		profile_tree_finish(p);
	}
	for (size_t i = 0; i < r->nparts; i++) {
		profile_list_push(out, r->parts[i].p);
		r->parts[i].p = NULL;
	}
	return 0;
}
