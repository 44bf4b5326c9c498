#include "speedscope_read.h"
#include "../analysis/units.h"
#include "../analysis/xalloc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ss_frame {
	const char *name, *file;
	int64_t line;
};

struct ss_reader {
	const struct speedscope_options *o;
	struct ss_frame *frames;
	size_t nframes;
	uint32_t *func_of;	/* frame -> function of the profile being built */
	uint32_t *open_count;	/* evented: how often each frame is open now */
	double sum;		/* weight so far: must stay finite */
	struct pv_error *err;
	size_t prof;		/* index of the profile being read, for messages */
};

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

static const char *ss_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A JSON number that is a whole index below n. */
static int ss_index(const cJSON *v, size_t n, size_t *out)
{
	if (!cJSON_IsNumber(v))
		return 0;
	double d = v->valuedouble;
	if (!(d >= 0) || d != floor(d) || d >= (double)n)
		return 0;
	*out = (size_t)d;
	return 1;
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

static int ss_read_frames(struct ss_reader *r, const cJSON *root)
{
	const cJSON *shared = cJSON_GetObjectItemCaseSensitive(root, "shared");
	const cJSON *frames = cJSON_GetObjectItemCaseSensitive(shared, "frames");
	if (!cJSON_IsObject(shared) || !cJSON_IsArray(frames))
		return pv_error_set(r->err, "not a speedscope file: no 'shared.frames' array");
	r->nframes = (size_t)cJSON_GetArraySize(frames);
	r->frames = xcalloc(r->nframes ? r->nframes : 1, sizeof(*r->frames));
	size_t i = 0;
	const cJSON *f;
	cJSON_ArrayForEach(f, frames) {
		struct ss_frame *fr = &r->frames[i];
		const cJSON *line = cJSON_GetObjectItemCaseSensitive(f, "line");
		fr->name = ss_string(f, "name");
		if (!cJSON_IsObject(f) || !fr->name)
			return pv_error_set(r->err, "frame %zu has no 'name' string", i);
		fr->file = ss_string(f, "file");	/* null or absent: no file */
		if (line && !cJSON_IsNull(line)) {
			if (!cJSON_IsNumber(line) || line->valuedouble != floor(line->valuedouble) ||
			    line->valuedouble < 0 || line->valuedouble > 9e15)
				return pv_error_set(r->err, "frame %zu: 'line' is not a line number", i);
			fr->line = (int64_t)line->valuedouble;
		}
		i++;
	}
	return 0;
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

static int ss_read_sampled(struct ss_reader *r, const cJSON *prof, struct profile *p)
{
	const cJSON *samples = cJSON_GetObjectItemCaseSensitive(prof, "samples");
	const cJSON *weights = cJSON_GetObjectItemCaseSensitive(prof, "weights");
	if (!cJSON_IsArray(samples))
		return ss_fail(r, "no 'samples' array");
	if (!cJSON_IsArray(weights))
		return ss_fail(r, "no 'weights' array");
	size_t ns = (size_t)cJSON_GetArraySize(samples), nw = (size_t)cJSON_GetArraySize(weights);
	if (ns != nw)
		return ss_fail(r, "%zu samples but %zu weights", ns, nw);
	const cJSON *s = samples->child, *w = weights->child;
	for (size_t i = 0; s; i++, s = s->next, w = w->next) {
		if (!cJSON_IsNumber(w) || !isfinite(w->valuedouble))
			return ss_fail(r, "weight %zu is not a number", i);
		double wt = w->valuedouble;
		if (wt < 0)
			return ss_fail(r, "weight %zu is negative", i);
		if (!cJSON_IsArray(s))
			return ss_fail(r, "sample %zu is not an array of frame indexes", i);
		if (wt == 0)
			continue;	/* weighs nothing, as speedscope treats it */
		uint32_t node = 0;
		const cJSON *fi;
		cJSON_ArrayForEach(fi, s) {
			size_t frame;
			if (!ss_index(fi, r->nframes, &frame))
				return ss_fail(r, "sample %zu refers to a frame that does not exist", i);
			node = profile_tree_child(p, node, ss_func(r, p, frame));
		}
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

static int ss_read_evented(struct ss_reader *r, const cJSON *prof, struct profile *p, double start, double end)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(prof, "events");
	if (!cJSON_IsArray(events))
		return ss_fail(r, "no 'events' array");
	size_t n = (size_t)cJSON_GetArraySize(events), depth = 0;
	uint32_t *stack = xmalloc((n ? n : 1) * sizeof(uint32_t));
	size_t *frame_at = xmalloc((n ? n : 1) * sizeof(size_t));
	double last = start;
	int rc = -1;
	size_t i = 0;
	const cJSON *ev;
	memset(r->open_count, 0, (r->nframes ? r->nframes : 1) * sizeof(uint32_t));
	cJSON_ArrayForEach(ev, events) {
		const char *type = ss_string(ev, "type");
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(ev, "at");
		size_t frame;
		if (!type || (strcmp(type, "O") && strcmp(type, "C"))) {
			ss_fail(r, "event %zu has no type \"O\" or \"C\"", i);
			goto cleanup;
		}
		if (!cJSON_IsNumber(at) || !isfinite(at->valuedouble)) {
			ss_fail(r, "event %zu has no 'at' number", i);
			goto cleanup;
		}
		if (!ss_index(cJSON_GetObjectItemCaseSensitive(ev, "frame"), r->nframes, &frame)) {
			ss_fail(r, "event %zu refers to a frame that does not exist", i);
			goto cleanup;
		}
		double t = at->valuedouble;
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
		if (type[0] == 'O') {
			uint32_t node = profile_tree_child(p, depth ? stack[depth - 1] : 0, ss_func(r, p, frame));
			p->nodes[node].count++;
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
		i++;
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

static int ss_read_profile(struct ss_reader *r, const cJSON *prof, struct profile *p)
{
	const char *type = ss_string(prof, "type");
	if (!cJSON_IsObject(prof) || !type || (strcmp(type, "sampled") && strcmp(type, "evented")))
		return ss_fail(r, "'type' is not \"sampled\" or \"evented\"");
	int sampled = type[0] == 's';
	const char *unit = ss_unit(ss_string(prof, "unit"), sampled);
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
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(prof, "startValue");
	const cJSON *evv = cJSON_GetObjectItemCaseSensitive(prof, "endValue");
	double start = cJSON_IsNumber(sv) ? sv->valuedouble : 0, end = cJSON_IsNumber(evv) ? evv->valuedouble : 0;
	if (!isfinite(start) || !isfinite(end))
		return ss_fail(r, "startValue or endValue is not finite");
	return sampled ? ss_read_sampled(r, prof, p) : ss_read_evented(r, prof, p, start, end);
}

/* cJSON holds every value in a ~64-byte node: a file of many small values needs
 * far more memory than its size. Refuse clearly, before parsing, when that
 * cannot fit, rather than fail half-way and look like bad JSON. */
static int ss_fits_memory(const uint8_t *buf, size_t len, struct pv_error *err)
{
	size_t values = 1;
	for (size_t i = 0; i < len; i++)
		values += buf[i] == ',' || buf[i] == '[' || buf[i] == '{';
	/* a node per value, and about as much again for key and string copies;
	 * the profile built afterwards needs room too */
	uint64_t need = (uint64_t)values * (2 * sizeof(cJSON)) + 2 * (uint64_t)len;
	uint64_t room = xalloc_room();
	if (need > room)
		return pv_error_set(err, "too big to read: about %zu JSON values need %llu MiB, more than the %llu MiB "
					 "this process may use",
				    values, (unsigned long long)(need >> 20), (unsigned long long)(room >> 20));
	return 0;
}

int speedscope_read(const uint8_t *buf, size_t len, const struct speedscope_options *o, struct profile_list *out,
		    struct pv_error *err)
{
	if (ss_fits_memory(buf, len, err))
		return -1;
	const char *end = NULL;
	size_t skip = len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf ? 3 : 0;
	cJSON *root = cJSON_ParseWithLengthOpts((const char *)buf + skip, len - skip, &end, 0);
	struct ss_reader r = { .o = o, .err = err };
	struct profile_list got = { 0 };
	int rc = -1;
	if (!root) {
		size_t at = end ? (size_t)(end - (const char *)buf) : 0;
		pv_error_at(err, at, "invalid JSON");
		goto cleanup;
	}
	if (!cJSON_IsObject(root)) {
		pv_error_set(err, "not a speedscope file: not a JSON object");
		goto cleanup;
	}
	const cJSON *profiles = cJSON_GetObjectItemCaseSensitive(root, "profiles");
	if (!cJSON_IsArray(profiles) || !profiles->child) {
		pv_error_set(err, "not a speedscope file: no 'profiles' array with a profile in it");
		goto cleanup;
	}
	if (ss_read_frames(&r, root))
		goto cleanup;
	r.func_of = xmalloc((r.nframes ? r.nframes : 1) * sizeof(uint32_t));
	r.open_count = xmalloc((r.nframes ? r.nframes : 1) * sizeof(uint32_t));
	const char *exporter = ss_string(root, "exporter");
	int nprof = cJSON_GetArraySize(profiles);
	if (nprof > PV_MAX_PARTS && !o->merge) {
		pv_error_set(err, "%d profiles in one file: more than %d; import them merged", nprof, PV_MAX_PARTS);
		goto cleanup;
	}
	const cJSON *prof;
	struct profile *p = NULL;
	cJSON_ArrayForEach(prof, profiles) {
		if (!p || !o->merge) {
			p = profile_new();
			profile_list_push(&got, p);
			p->part = o->merge && nprof > 1 ? -1 : (int)r.prof;
			p->nparts = o->merge ? 1 : nprof;
			p->format = "speedscope";
			p->producer = exporter ? arena_strdup(&p->arena, exporter) : NULL;
			const char *name = ss_string(prof, "name");
			if (name && !o->merge)
				p->thread = arena_strdup(&p->arena, name);
		}
		if (ss_read_profile(&r, prof, p))
			goto cleanup;
		r.prof++;
	}
	for (size_t i = 0; i < got.n; i++) {
		profile_tree_finish(got.v[i]);
		if (!isfinite(got.v[i]->total_weight)) {
			pv_error_set(err, "profile %zu: the weights add up beyond the largest number", i);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < got.n; i++)
		profile_list_push(out, got.v[i]);
	free(got.v);
	got.v = NULL;
	got.n = 0;
	rc = 0;
cleanup:
	profile_list_release(&got);
	cJSON_Delete(root);
	free(r.frames);
	free(r.func_of);
	free(r.open_count);
	return rc;
}
