#include "speedscope_read.h"
#include "json_pull.h"
#include "../analysis/arena.h"
#include "../analysis/units.h"
#include "../analysis/xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file is read in one pass (json_pull.c) into compact arrays, because its
 * parts may come in any order (shared.frames after the profiles, a profile's
 * type after its samples); the profiles are built from them afterwards, with
 * every check in the order the file's values have. A sample is kept as the leaf
 * of a trie of the frame indexes it lists (4 bytes, plus 8 for its weight), an
 * event in 16 bytes: a fraction of what its JSON text takes, where a tree of
 * every JSON value took some 20 times the text. */

/* Strings kept (frame names, files) may be this long. */
#define SS_MAX_STRING ((size_t)64 << 20)
/* A frame index that is not a whole number below 2^32 - 1. */
#define SS_BAD_FRAME UINT32_MAX
/* The leaf of a sample that is not an array. */
#define SS_NOT_ARRAY UINT32_MAX
/* Memory held below which the reader does not weigh it against the room. */
#define SS_CHECK_FROM ((uint64_t)64 << 20)

struct ss_frame {
	const char *name, *file;	/* in the reader's arena; NULL: none */
	int64_t line;
};

/* The stacks of one profile's samples, as the file gives them (frame indexes):
 * node 0 is the empty stack; a node's parent comes before it. */
struct ss_trie {
	struct ss_tnode {
		uint32_t parent, frame;
	} *nodes;
	size_t n, cap;
	uint32_t *index;	/* open addressing on (parent, frame): node + 1, 0 empty */
	size_t index_cap;
};

struct ss_event {
	double at;
	uint32_t frame;
	uint8_t type;		/* 'O', 'C', or 0 for anything else */
	uint8_t at_ok;		/* 'at' is a finite number */
};

/* A member of a profile object as the file has it: the first of its name wins. */
enum ss_member { SS_ABSENT, SS_WRONG, SS_OK };

struct ss_prof {
	int is_object;
	char *type, *unit, *name;	/* malloc'd; NULL when absent or not a string */
	double start, end;		/* 0 when absent or not a number */
	unsigned seen;			/* members met already (first wins) */
	enum ss_member samples_are, weights_are, events_are;
	uint32_t *leaf;			/* per sample: its trie node, or SS_NOT_ARRAY */
	size_t nsamples, cap_leaf;
	double *weight;			/* NaN: not a number */
	size_t nweights, cap_weight;
	struct ss_event *ev;
	size_t nev, cap_ev;
	struct ss_trie trie;
};

struct ss_reader {
	const struct speedscope_options *o;
	struct json_pull *j;
	struct strbuf key, str;
	struct arena strings;		/* frame names and files */
	uint64_t seed;

	unsigned root_seen;
	int root_is_object;
	enum ss_member shared_is, frames_are, profiles_are;
	struct ss_frame *frames;
	size_t nframes, cap_frames;
	size_t frame_err;		/* the first frame with a problem + 1, 0 none */
	int frame_err_line;		/* ... its 'line' (not its name) */
	char *exporter;
	struct ss_prof *profs;
	size_t nprof, cap_prof;

	uint64_t held;			/* bytes of the arrays above, as allocated */
	size_t trie_nodes;		/* in all tries */
	size_t room;			/* xalloc_room(), once held reaches SS_CHECK_FROM */

	/* building */
	uint32_t *func_of;		/* frame -> function of the profile being built */
	uint32_t *open_count;		/* evented: how often each frame is open now */
	uint32_t *map;			/* trie node -> profile node, or SS_UNMAPPED / SS_BAD */
	uint32_t *path;
	size_t cap_path;
	double sum;			/* weight so far: must stay finite */
	struct pv_error *err;
	size_t prof;			/* index of the profile being read, for messages */
};

#define SS_UNMAPPED UINT32_MAX
#define SS_BAD (UINT32_MAX - 1)

static size_t ss_skip_space(const uint8_t *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i;
}

int speedscope_looks_like(const uint8_t *buf, size_t len)
{
	size_t i = len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;
	i = ss_skip_space(buf, len, i);
	if (i >= len || buf[i] != '{')
		return 0;
	i = ss_skip_space(buf, len, i + 1);
	return i < len && (buf[i] == '"' || buf[i] == '}');
}

__attribute__((format(printf, 2, 3))) static int ss_fail(struct ss_reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pv_error_set(r->err, "profile %zu: %s", r->prof, msg);
}

/* What building the profiles will need on top of what is held: a tree node, an
 * index slot and finish's share per trie node (the biggest profile finished at
 * a time), and a function per frame per profile at most. */
static uint64_t ss_need(const struct ss_reader *r)
{
	size_t most = 0;
	for (size_t i = 0; i < r->nprof; i++)
		if (r->profs[i].trie.n > most)
			most = r->profs[i].trie.n;
	uint64_t funcs = (uint64_t)r->nframes * (r->o->merge || r->nprof < 2 ? 1 : 2);
	return r->held + (uint64_t)r->trie_nodes * (sizeof(struct pv_node) + 16) + (uint64_t)most * 128 +
	       funcs * (sizeof(struct pv_func) + 64);
}

/* An input that will not fit is refused while it is read, rather than by the
 * kernel or a failed allocation half-way. */
static int ss_check_memory(struct ss_reader *r)
{
	uint64_t need = ss_need(r);
	if (need < SS_CHECK_FROM)
		return 0;
	if (!r->room)
		r->room = xalloc_room();
	if (xalloc_check(need, r->room, r->err) == 0)
		return 0;
	r->j->failed = 1;	/* the parse stops here */
	return -1;
}

/* xgrow() with the bytes counted (and weighed when they grew). */
static int ss_grow(struct ss_reader *r, void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t before = *cap;
	xgrow(p, cap, need, elem);
	r->held += (uint64_t)(*cap - before) * elem;
	return ss_check_memory(r);
}

static void ss_trie_index(struct ss_reader *r, struct ss_trie *t, size_t cap)
{
	r->held += (uint64_t)(cap - t->index_cap) * sizeof(uint32_t);
	free(t->index);
	t->index = xcalloc(cap, sizeof(uint32_t));
	t->index_cap = cap;
	for (size_t i = 1; i < t->n; i++) {
		size_t slot = profile_hash_pair(r->seed, t->nodes[i].parent, t->nodes[i].frame) & (cap - 1);
		while (t->index[slot])
			slot = (slot + 1) & (cap - 1);
		t->index[slot] = (uint32_t)i + 1;
	}
}

/* The trie's root (the empty stack), made when it is not there yet. */
static int ss_trie_root(struct ss_reader *r, struct ss_trie *t)
{
	if (t->index_cap)
		return 0;
	if (ss_grow(r, (void **)&t->nodes, &t->cap, 64, sizeof(*t->nodes)))
		return -1;
	t->nodes[0] = (struct ss_tnode){ 0, SS_BAD_FRAME };
	t->n = 1;
	r->trie_nodes++;
	ss_trie_index(r, t, 128);
	return 0;
}

/* The child of parent for this frame index, added when new; -1 when memory is out. */
static int64_t ss_trie_child(struct ss_reader *r, struct ss_trie *t, uint32_t parent, uint32_t frame)
{
	size_t mask = t->index_cap - 1, slot = profile_hash_pair(r->seed, parent, frame) & mask;
	uint32_t k;
	while ((k = t->index[slot]) != 0) {
		if (t->nodes[k - 1].parent == parent && t->nodes[k - 1].frame == frame)
			return k - 1;
		slot = (slot + 1) & mask;
	}
	if (t->n >= SS_BAD - 1)
		return pv_error_set(r->err, "more than 4 billion distinct stacks"), r->j->failed = 1, -1;
	if (ss_grow(r, (void **)&t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes)))
		return -1;
	uint32_t id = (uint32_t)t->n++;
	t->nodes[id] = (struct ss_tnode){ parent, frame };
	t->index[slot] = id + 1;
	r->trie_nodes++;
	if (t->n * 2 > t->index_cap)
		ss_trie_index(r, t, t->index_cap * 2);
	return id;
}

/* A frame index as the file gives it: a whole number below 2^32 - 1, else
 * SS_BAD_FRAME (compared with the frame count once it is known). */
static uint32_t ss_frame_index(double d)
{
	if (!(d >= 0) || d != floor(d) || d >= (double)SS_BAD_FRAME)
		return SS_BAD_FRAME;
	return (uint32_t)d;
}

/* The next value: a number, or SS_BAD_FRAME for anything else (checked and skipped). */
static int ss_read_index(struct ss_reader *r, uint32_t *idx)
{
	double d;
	*idx = SS_BAD_FRAME;
	if (json_pull_peek(r->j) != JSON_NUMBER)
		return json_pull_skip(r->j);
	if (json_pull_number(r->j, &d))
		return -1;
	*idx = ss_frame_index(d);
	return 0;
}

/* A string member kept as a C string (cut at a NUL, as before); NULL when the
 * value is not a string. */
static int ss_read_cstr(struct ss_reader *r, char **out)
{
	*out = NULL;
	if (json_pull_peek(r->j) != JSON_STRING)
		return json_pull_skip(r->j);
	if (json_pull_string(r->j, &r->str, SS_MAX_STRING))
		return -1;
	*out = xstrdup(strbuf_str(&r->str));
	return 0;
}

static int ss_read_number_or_zero(struct ss_reader *r, double *v)
{
	*v = 0;
	if (json_pull_peek(r->j) != JSON_NUMBER)
		return json_pull_skip(r->j);
	return json_pull_number(r->j, v);
}

/* One element of shared.frames: name, file, line as before (first of each wins). */
static int ss_read_frame(struct ss_reader *r)
{
	if (ss_grow(r, (void **)&r->frames, &r->cap_frames, r->nframes + 1, sizeof(*r->frames)))
		return -1;
	struct ss_frame *f = &r->frames[r->nframes++];
	int name_ok = 0, line_ok = 1;
	unsigned seen = 0;
	memset(f, 0, sizeof(*f));
	if (json_pull_peek(r->j) != JSON_OBJECT) {
		if (json_pull_skip(r->j))
			return -1;
	} else {
		int k;
		if (json_pull_enter(r->j))
			return -1;
		while ((k = json_pull_key(r->j, &r->key)) == 1) {
			const char *key = strbuf_str(&r->key);
			unsigned bit = !strcmp(key, "name") ? 1 : !strcmp(key, "file") ? 2 : !strcmp(key, "line") ? 4 : 0;
			if (!bit || (seen & bit)) {
				if (json_pull_skip(r->j))
					return -1;
				continue;
			}
			seen |= bit;
			enum json_type t = json_pull_peek(r->j);
			if (bit == 4) {
				double d;
				if (t == JSON_NULL)
					k = json_pull_skip(r->j);
				else if (t != JSON_NUMBER)
					k = json_pull_skip(r->j), line_ok = 0;
				else if ((k = json_pull_number(r->j, &d)) == 0) {
					line_ok = d == floor(d) && d >= 0 && d <= 9e15;
					f->line = line_ok ? (int64_t)d : 0;
				}
			} else if (t != JSON_STRING) {
				k = json_pull_skip(r->j);
			} else if ((k = json_pull_string(r->j, &r->str, SS_MAX_STRING)) == 0) {
				uint64_t before = r->strings.total;
				const char *s = arena_strdup(&r->strings, strbuf_str(&r->str));
				r->held += r->strings.total - before;
				if (bit == 1)
					f->name = s, name_ok = 1;
				else
					f->file = s;
			}
			if (k)
				return -1;
		}
		if (k < 0)
			return -1;
	}
	if (!r->frame_err && (!name_ok || !line_ok)) {
		r->frame_err = r->nframes;
		r->frame_err_line = name_ok;
	}
	return 0;
}

static int ss_read_shared(struct ss_reader *r)
{
	int k;
	unsigned seen = 0;
	if (json_pull_peek(r->j) != JSON_OBJECT)
		return json_pull_skip(r->j);
	r->shared_is = SS_OK;
	if (json_pull_enter(r->j))
		return -1;
	while ((k = json_pull_key(r->j, &r->key)) == 1) {
		if (strcmp(strbuf_str(&r->key), "frames") || (seen & 1)) {
			if (json_pull_skip(r->j))
				return -1;
			continue;
		}
		seen |= 1;
		if (json_pull_peek(r->j) != JSON_ARRAY) {
			r->frames_are = SS_WRONG;
			if (json_pull_skip(r->j))
				return -1;
			continue;
		}
		r->frames_are = SS_OK;
		int i;
		if (json_pull_enter(r->j))
			return -1;
		while ((i = json_pull_item(r->j)) == 1)
			if (ss_read_frame(r))
				return -1;
		if (i < 0)
			return -1;
	}
	return k < 0 ? -1 : 0;
}

static int ss_read_samples(struct ss_reader *r, struct ss_prof *pr)
{
	int i, k;
	if (json_pull_enter(r->j))
		return -1;
	while ((i = json_pull_item(r->j)) == 1) {
		uint32_t leaf = SS_NOT_ARRAY;
		if (json_pull_peek(r->j) != JSON_ARRAY) {
			if (json_pull_skip(r->j))
				return -1;
		} else {
			int bad = 0;
			int64_t node = 0;
			if (json_pull_enter(r->j) || ss_trie_root(r, &pr->trie))
				return -1;
			while ((k = json_pull_item(r->j)) == 1) {
				uint32_t idx;
				if (bad) {
					if (json_pull_skip(r->j))
						return -1;
					continue;
				}
				/* past a bad index the stack is refused anyway: its leaf is that */
				if (ss_read_index(r, &idx) || (node = ss_trie_child(r, &pr->trie, (uint32_t)node, idx)) < 0)
					return -1;
				bad = idx == SS_BAD_FRAME;
			}
			if (k < 0)
				return -1;
			leaf = (uint32_t)node;
		}
		if (ss_grow(r, (void **)&pr->leaf, &pr->cap_leaf, pr->nsamples + 1, sizeof(uint32_t)))
			return -1;
		pr->leaf[pr->nsamples++] = leaf;
	}
	return i < 0 ? -1 : 0;
}

static int ss_read_weights(struct ss_reader *r, struct ss_prof *pr)
{
	int i;
	if (json_pull_enter(r->j))
		return -1;
	while ((i = json_pull_item(r->j)) == 1) {
		double w = NAN;
		if (json_pull_peek(r->j) == JSON_NUMBER ? json_pull_number(r->j, &w) : json_pull_skip(r->j))
			return -1;
		if (ss_grow(r, (void **)&pr->weight, &pr->cap_weight, pr->nweights + 1, sizeof(double)))
			return -1;
		pr->weight[pr->nweights++] = w;
	}
	return i < 0 ? -1 : 0;
}

static int ss_read_event(struct ss_reader *r, struct ss_event *ev)
{
	unsigned seen = 0;
	int k;
	memset(ev, 0, sizeof(*ev));
	ev->frame = SS_BAD_FRAME;
	if (json_pull_peek(r->j) != JSON_OBJECT)
		return json_pull_skip(r->j);
	if (json_pull_enter(r->j))
		return -1;
	while ((k = json_pull_key(r->j, &r->key)) == 1) {
		const char *key = strbuf_str(&r->key);
		unsigned bit = !strcmp(key, "type") ? 1 : !strcmp(key, "at") ? 2 : !strcmp(key, "frame") ? 4 : 0;
		if (!bit || (seen & bit)) {
			k = json_pull_skip(r->j);
		} else if (bit == 1) {
			if (json_pull_peek(r->j) != JSON_STRING) {
				k = json_pull_skip(r->j);
			} else if ((k = json_pull_string(r->j, &r->str, 16)) == 0) {
				const char *t = strbuf_str(&r->str);	/* as a C string: cut at a NUL */
				ev->type = !strcmp(t, "O") ? 'O' : !strcmp(t, "C") ? 'C' : 0;
			}
		} else if (bit == 2) {
			if (json_pull_peek(r->j) != JSON_NUMBER)
				k = json_pull_skip(r->j);
			else if ((k = json_pull_number(r->j, &ev->at)) == 0)
				ev->at_ok = isfinite(ev->at) != 0;
		} else {
			k = ss_read_index(r, &ev->frame);
		}
		seen |= bit;
		if (k)
			return -1;
	}
	return k < 0 ? -1 : 0;
}

static int ss_read_events(struct ss_reader *r, struct ss_prof *pr)
{
	int i;
	if (json_pull_enter(r->j))
		return -1;
	while ((i = json_pull_item(r->j)) == 1) {
		if (ss_grow(r, (void **)&pr->ev, &pr->cap_ev, pr->nev + 1, sizeof(*pr->ev)) ||
		    ss_read_event(r, &pr->ev[pr->nev]))
			return -1;
		pr->nev++;
	}
	return i < 0 ? -1 : 0;
}

/* One element of profiles: its members kept for the build. */
static int ss_read_prof(struct ss_reader *r)
{
	if (ss_grow(r, (void **)&r->profs, &r->cap_prof, r->nprof + 1, sizeof(*r->profs)))
		return -1;
	struct ss_prof *pr = &r->profs[r->nprof++];
	memset(pr, 0, sizeof(*pr));
	if (json_pull_peek(r->j) != JSON_OBJECT)
		return json_pull_skip(r->j);
	pr->is_object = 1;
	static const char *const names[] = { "type", "unit", "name", "startValue", "endValue", "samples", "weights",
					     "events" };
	int k;
	if (json_pull_enter(r->j))
		return -1;
	while ((k = json_pull_key(r->j, &r->key)) == 1) {
		const char *key = strbuf_str(&r->key);
		unsigned m = 0;
		while (m < 8 && strcmp(key, names[m]))
			m++;
		if (m == 8 || (pr->seen & (1u << m))) {
			k = json_pull_skip(r->j);
		} else {
			pr->seen |= 1u << m;
			enum ss_member *are = m == 5 ? &pr->samples_are : m == 6 ? &pr->weights_are : &pr->events_are;
			switch (m) {
			case 0:
				k = ss_read_cstr(r, &pr->type);
				break;
			case 1:
				k = ss_read_cstr(r, &pr->unit);
				break;
			case 2:
				k = ss_read_cstr(r, &pr->name);
				break;
			case 3:
				k = ss_read_number_or_zero(r, &pr->start);
				break;
			case 4:
				k = ss_read_number_or_zero(r, &pr->end);
				break;
			default:
				if (json_pull_peek(r->j) != JSON_ARRAY) {
					*are = SS_WRONG;
					k = json_pull_skip(r->j);
					break;
				}
				*are = SS_OK;
				k = m == 5 ? ss_read_samples(r, pr) : m == 6 ? ss_read_weights(r, pr) : ss_read_events(r, pr);
			}
		}
		if (k)
			return -1;
	}
	return k < 0 ? -1 : 0;
}

static int ss_read_profiles(struct ss_reader *r)
{
	int i;
	if (json_pull_peek(r->j) != JSON_ARRAY) {
		r->profiles_are = SS_WRONG;
		return json_pull_skip(r->j);
	}
	r->profiles_are = SS_OK;
	if (json_pull_enter(r->j))
		return -1;
	while ((i = json_pull_item(r->j)) == 1)
		if (ss_read_prof(r))
			return -1;
	return i < 0 ? -1 : 0;
}

/* The whole document into the reader; -1 when it is not JSON (or too big). */
static int ss_read_document(struct ss_reader *r)
{
	int k;
	if (json_pull_peek(r->j) != JSON_OBJECT)
		return json_pull_skip(r->j);
	r->root_is_object = 1;
	if (json_pull_enter(r->j))
		return -1;
	while ((k = json_pull_key(r->j, &r->key)) == 1) {
		const char *key = strbuf_str(&r->key);
		unsigned bit = !strcmp(key, "shared") ? 1 : !strcmp(key, "profiles") ? 2 : !strcmp(key, "exporter") ? 4 : 0;
		if (!bit || (r->root_seen & bit)) {
			k = json_pull_skip(r->j);
		} else {
			r->root_seen |= bit;
			k = bit == 1 ? ss_read_shared(r) : bit == 2 ? ss_read_profiles(r) : ss_read_cstr(r, &r->exporter);
		}
		if (k)
			return -1;
	}
	return k < 0 ? -1 : 0;
}

static uint32_t ss_func(struct ss_reader *r, struct profile *p, size_t frame)
{
	if (r->func_of[frame] == PV_NO_FUNC) {
		const struct ss_frame *f = &r->frames[frame];
		uint32_t file = profile_intern(p, f->file ? f->file : "", f->file ? strlen(f->file) : 0);
		r->func_of[frame] = profile_func(p, file, f->line, profile_intern(p, f->name, strlen(f->name)), NULL);
	}
	return r->func_of[frame];
}

/* The tree node of trie node t (its stack), made as walking its frames from
 * the root would make it; SS_BAD when a frame on it does not exist. */
static uint32_t ss_node(struct ss_reader *r, const struct ss_trie *t, struct profile *p, uint32_t leaf)
{
	size_t n = 0;
	uint32_t k = leaf;
	while (r->map[k] == SS_UNMAPPED) {
		if (n == r->cap_path)
			xgrow((void **)&r->path, &r->cap_path, n + 1, sizeof(uint32_t));
		r->path[n++] = k;
		k = t->nodes[k].parent;
	}
	uint32_t node = r->map[k];
	while (n > 0 && node != SS_BAD) {
		k = r->path[--n];
		uint32_t frame = t->nodes[k].frame;
		node = frame >= r->nframes ? SS_BAD : profile_tree_child(p, node, ss_func(r, p, frame));
		r->map[k] = node;
	}
	return node;
}

static int ss_build_sampled(struct ss_reader *r, const struct ss_prof *pr, struct profile *p)
{
	if (pr->samples_are != SS_OK)
		return ss_fail(r, "no 'samples' array");
	if (pr->weights_are != SS_OK)
		return ss_fail(r, "no 'weights' array");
	if (pr->nsamples != pr->nweights)
		return ss_fail(r, "%zu samples but %zu weights", pr->nsamples, pr->nweights);
	const struct ss_trie *t = &pr->trie;
	free(r->map);
	r->map = xmalloc((t->n ? t->n : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < t->n; i++)
		r->map[i] = SS_UNMAPPED;
	r->map[0] = 0;
	for (size_t i = 0; i < pr->nsamples; i++) {
		double wt = pr->weight[i];
		if (!isfinite(wt))
			return ss_fail(r, "weight %zu is not a number", i);
		if (wt < 0)
			return ss_fail(r, "weight %zu is negative", i);
		if (pr->leaf[i] == SS_NOT_ARRAY)
			return ss_fail(r, "sample %zu is not an array of frame indexes", i);
		if (wt == 0)
			continue;	/* weighs nothing, as speedscope treats it */
		uint32_t node = ss_node(r, t, p, pr->leaf[i]);
		if (node == SS_BAD)
			return ss_fail(r, "sample %zu refers to a frame that does not exist", i);
		p->nodes[node].self += wt;
		p->nodes[node].count += 1;
		r->sum += wt;
		if (!isfinite(r->sum))
			return ss_fail(r, "weight %zu: the weights add up beyond the largest number", i);
	}
	return 0;
}

/* Time between events goes to the frame on top; with nothing open it is idle
 * time, kept on the root so the total is endValue - startValue as speedscope
 * shows it. */
static void ss_elapse(struct profile *p, const uint32_t *stack, size_t depth, double *last, double at)
{
	if (at > *last) {
		p->nodes[depth ? stack[depth - 1] : 0].self += at - *last;
		*last = at;
	}
}

static int ss_build_evented(struct ss_reader *r, const struct ss_prof *pr, struct profile *p, double start,
			    double end)
{
	if (pr->events_are != SS_OK)
		return ss_fail(r, "no 'events' array");
	/* the open frames: grown with the depth */
	size_t depth = 0, cap = 0, cap2 = 0;
	uint32_t *stack = NULL;
	size_t *frame_at = NULL;
	double last = start;
	int rc = -1;
	memset(r->open_count, 0, (r->nframes ? r->nframes : 1) * sizeof(uint32_t));
	for (size_t i = 0; i < pr->nev; i++) {
		const struct ss_event *ev = &pr->ev[i];
		size_t frame = ev->frame;
		if (!ev->type) {
			ss_fail(r, "event %zu has no type \"O\" or \"C\"", i);
			goto cleanup;
		}
		if (!ev->at_ok) {
			ss_fail(r, "event %zu has no 'at' number", i);
			goto cleanup;
		}
		if (frame >= r->nframes) {
			ss_fail(r, "event %zu refers to a frame that does not exist", i);
			goto cleanup;
		}
		double t = ev->at;
		if (i == 0 && t < last)
			last = t;	/* events may begin before startValue */
		if (!isfinite(t - last) || !isfinite(end - t)) {
			ss_fail(r, "event %zu: 'at' is too far from the others to measure", i);
			goto cleanup;
		}
		if (t < last) {
			if (!r->o->lenient) {
				ss_fail(r, "event %zu goes back in time ('at' decreases; --lenient repairs it)", i);
				goto cleanup;
			}
			p->repaired_events++;
			t = last;
		}
		ss_elapse(p, stack, depth, &last, t);
		if (ev->type == 'O') {
			uint32_t node = profile_tree_child(p, depth ? stack[depth - 1] : 0, ss_func(r, p, frame));
			p->nodes[node].count++;
			if (depth == cap) {
				xgrow((void **)&stack, &cap, depth + 1, sizeof(uint32_t));
				xgrow((void **)&frame_at, &cap2, depth + 1, sizeof(size_t));
			}
			frame_at[depth] = frame;
			stack[depth++] = node;
			r->open_count[frame]++;
		} else if (depth && frame_at[depth - 1] == frame) {
			r->open_count[frame]--;
			depth--;
		} else if (!r->o->lenient) {
			if (depth)
				ss_fail(r, "event %zu closes a frame that is not the innermost open one (--lenient repairs it)", i);
			else
				ss_fail(r, "event %zu closes a frame when none is open (--lenient repairs it)", i);
			goto cleanup;
		} else {
			/* close what was opened inside the frame too; a close of a frame
			 * that is not open at all is dropped (counted opens keep this
			 * linear: only frames really closed are walked) */
			if (r->open_count[frame]) {
				while (frame_at[depth - 1] != frame) {
					r->open_count[frame_at[depth - 1]]--;
					depth--;
					p->repaired_events++;
				}
				r->open_count[frame]--;
				depth--;
			} else {
				p->repaired_events++;
			}
		}
	}
	if (depth) {
		if (!r->o->lenient) {
			ss_fail(r, "frames still open at the end: %zu (--lenient closes them at endValue)", depth);
			goto cleanup;
		}
		p->repaired_events += (int64_t)depth;
	}
	if (end > last)
		ss_elapse(p, stack, depth, &last, end);
	if (!isfinite(p->nodes[0].self) || !isfinite(end - start)) {
		ss_fail(r, "the times add up beyond the largest number");
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(stack);
	free(frame_at);
	return rc;
}

static const char *ss_unit(const char *unit, int sampled)
{
	if (unit && strcmp(unit, "none") == 0)
		return sampled ? "samples" : "none";
	return unit_measured(unit);
}

static int ss_build_profile(struct ss_reader *r, const struct ss_prof *pr, struct profile *p)
{
	const char *type = pr->type;
	if (!pr->is_object || !type || (strcmp(type, "sampled") && strcmp(type, "evented")))
		return ss_fail(r, "'type' is not \"sampled\" or \"evented\"");
	int sampled = type[0] == 's';
	const char *unit = ss_unit(pr->unit, sampled);
	if (!unit)
		return ss_fail(r, "'unit' is not one of none, nanoseconds, microseconds, milliseconds, seconds, bytes");
	enum pv_kind kind = sampled ? PV_KIND_SAMPLED : PV_KIND_EVENTED;
	if (p->nnodes == 0) {
		profile_tree_begin(p, kind);
		p->unit = unit;
		/* frame -> function is per stored profile; merged profiles share it */
		for (size_t i = 0; i < r->nframes; i++)
			r->func_of[i] = PV_NO_FUNC;
	} else if (p->kind != kind || strcmp(p->unit, unit) != 0) {
		return ss_fail(r, "cannot merge: its type or unit differs from the first profile's");
	}
	if (!isfinite(pr->start) || !isfinite(pr->end))
		return ss_fail(r, "startValue or endValue is not finite");
	return sampled ? ss_build_sampled(r, pr, p) : ss_build_evented(r, pr, p, pr->start, pr->end);
}

/* The profiles from what was read, checked in the order the file's values have. */
static int ss_build(struct ss_reader *r, struct profile_list *got)
{
	const struct speedscope_options *o = r->o;
	if (!r->root_is_object)
		return pv_error_set(r->err, "not a speedscope file: not a JSON object");
	if (r->profiles_are != SS_OK || r->nprof == 0)
		return pv_error_set(r->err, "not a speedscope file: no 'profiles' array with a profile in it");
	if (r->shared_is != SS_OK || r->frames_are != SS_OK)
		return pv_error_set(r->err, "not a speedscope file: no 'shared.frames' array");
	if (r->frame_err) {
		if (r->frame_err_line)
			return pv_error_set(r->err, "frame %zu: 'line' is not a line number", r->frame_err - 1);
		return pv_error_set(r->err, "frame %zu has no 'name' string", r->frame_err - 1);
	}
	if (r->nprof > PV_MAX_PARTS && !o->merge)
		return pv_error_set(r->err, "%zu profiles in one file: more than %d; import them merged", r->nprof,
				    PV_MAX_PARTS);
	uint64_t need = ss_need(r);
	if (need >= SS_CHECK_FROM && xalloc_check(need, r->room ? r->room : xalloc_room(), r->err))
		return -1;
	r->func_of = xmalloc((r->nframes ? r->nframes : 1) * sizeof(uint32_t));
	r->open_count = xmalloc((r->nframes ? r->nframes : 1) * sizeof(uint32_t));
	struct profile *p = NULL;
	for (r->prof = 0; r->prof < r->nprof; r->prof++) {
		const struct ss_prof *pr = &r->profs[r->prof];
		if (!p || !o->merge) {
			p = profile_new();
			profile_list_push(got, p);
			p->part = o->merge && r->nprof > 1 ? -1 : (int)r->prof;
			p->nparts = o->merge ? 1 : (int)r->nprof;
			p->format = "speedscope";
			p->producer = r->exporter ? arena_strdup(&p->arena, r->exporter) : NULL;
			if (pr->is_object && pr->name && !o->merge)
				p->thread = arena_strdup(&p->arena, pr->name);
		}
		if (ss_build_profile(r, pr, p))
			return -1;
	}
	for (size_t i = 0; i < got->n; i++) {
		profile_drop_indexes(got->v[i]);	/* all its functions are in */
		profile_tree_finish(got->v[i]);
		if (!isfinite(got->v[i]->total_weight))
			return pv_error_set(r->err, "profile %zu: the weights add up beyond the largest number", i);
	}
	return 0;
}

static void ss_reader_release(struct ss_reader *r)
{
	for (size_t i = 0; i < r->nprof; i++) {
		struct ss_prof *pr = &r->profs[i];
		free(pr->type);
		free(pr->unit);
		free(pr->name);
		free(pr->leaf);
		free(pr->weight);
		free(pr->ev);
		free(pr->trie.nodes);
		free(pr->trie.index);
	}
	free(r->profs);
	free(r->frames);
	free(r->exporter);
	arena_release(&r->strings);
	strbuf_release(&r->key);
	strbuf_release(&r->str);
	free(r->func_of);
	free(r->open_count);
	free(r->map);
	free(r->path);
}

int speedscope_read_stream(const struct json_source *src, const struct speedscope_options *o,
			   struct profile_list *out, struct pv_error *err)
{
	struct json_pull j;
	/* the seed is secret: frame indexes must not steer stacks into one probe chain */
	struct ss_reader r = { .o = o, .j = &j, .err = err, .seed = profile_random_seed() };
	struct profile_list got = { 0 };
	int rc = -1;
	json_pull_init(&j, src, err);
	arena_init(&r.strings);
	if (ss_read_document(&r) || ss_build(&r, &got))
		goto cleanup;
	profile_list_take(out, &got);
	rc = 0;
cleanup:
	profile_list_release(&got);
	ss_reader_release(&r);
	json_pull_release(&j);
	return rc;
}

int speedscope_read(const uint8_t *buf, size_t len, const struct speedscope_options *o, struct profile_list *out,
		    struct pv_error *err)
{
	struct json_source src = { NULL, NULL, buf, len };
	return speedscope_read_stream(&src, o, out, err);
}
