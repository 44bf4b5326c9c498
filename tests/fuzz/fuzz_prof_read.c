/* libFuzzer target: the .prof reader (marshal decoder + pstats dict reader) on
 * arbitrary bytes. Every input must either parse or fail with a filled error that
 * names a byte inside the input; sanitizers catch the rest. A parsed profile is
 * also sorted and printed (text, JSON, CSV to /dev/null) under one of a few sort
 * keys picked by the input's last byte, as `profview sort` would. The same bytes
 * streamed through a window of a few bytes must give the same profile or error.
 *
 *   clang -fsanitize=fuzzer,address,undefined ...   (tests/fuzz/meson.build, -Dfuzz=enabled)
 *   fuzz-replay FILE|DIR...                          (any compiler: replay_main.c)
 */
#include "../../analysis/stat_table.h"
#include "../../formats/prof_read.h"
#include "../../formats/stat_write.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn)) static void fuzz_fail(const char *what, const struct pv_error *err)
{
	char buf[1200];
	pv_error_format(err, buf, sizeof(buf));
	fprintf(stderr, "fuzz_prof_read: %s: %s\n", what, buf);
	abort();
}

static void fuzz_print(const struct profile *p, uint8_t pick)
{
	static const char *const keys[] = { NULL, "tottime", "cumulative,name", "calls,stdname", "nfl", "pcalls,line" };
	static FILE *devnull;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return;
	struct stat_query q;
	memset(&q, 0, sizeof(q));
	q.by = keys[pick % (sizeof(keys) / sizeof(keys[0]))];
	q.strip_dirs = (pick >> 3) & 1;
	q.reverse = (pick >> 4) & 1;
	struct stat_table t;
	struct pv_error err;
	pv_error_clear(&err);
	if (stat_table_from_profile(p, &q, &t, &err) != 0)
		fuzz_fail("a parsed profile cannot be tabled", &err);
	stat_write_text(devnull, &t);
	if (pick & 0x20)
		stat_write_json(devnull, &t);
	if (pick & 0x40)
		stat_write_csv(devnull, &t);
	stat_table_release(&t);
}

/* The input in pieces of 1 to 13 bytes, as a file read a little at a time. */
struct fuzz_source {
	const uint8_t *buf;
	size_t len, pos;
};

static ssize_t fuzz_read(void *ctx, uint8_t *buf, size_t cap, struct pv_error *err)
{
	(void)err;
	struct fuzz_source *s = ctx;
	size_t k = 1 + (s->pos * 7 + s->len) % 13;
	if (k > cap)
		k = cap;
	if (k > s->len - s->pos)
		k = s->len - s->pos;
	memcpy(buf, s->buf + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

static int fuzz_same_profile(const struct profile *a, const struct profile *b)
{
	if (a->nfuncs != b->nfuncs || a->nstats != b->nstats || a->nedges != b->nedges || a->nstrs != b->nstrs ||
	    a->dialect != b->dialect || strcmp(a->producer, b->producer) != 0)
		return 0;
	for (size_t i = 0; i < a->nstrs; i++)
		if (a->strs[i].len != b->strs[i].len || memcmp(a->strs[i].s, b->strs[i].s, a->strs[i].len) != 0)
			return 0;
	for (size_t i = 0; i < a->nfuncs; i++) {
		const struct pv_func *f = &a->funcs[i], *g = &b->funcs[i];
		if (f->file != g->file || f->name != g->name || f->line != g->line || f->pcalls != g->pcalls ||
		    f->calls != g->calls || memcmp(&f->tottime, &g->tottime, sizeof(double)) != 0 ||
		    memcmp(&f->cumtime, &g->cumtime, sizeof(double)) != 0 || f->flags != g->flags)
			return 0;
	}
	for (size_t i = 0; i < a->nedges; i++) {
		const struct pv_edge *e = &a->edges[i], *f = &b->edges[i];
		if (e->caller != f->caller || e->callee != f->callee || e->calls != f->calls || e->pcalls != f->pcalls ||
		    memcmp(&e->tottime, &f->tottime, sizeof(double)) != 0 ||
		    memcmp(&e->cumtime, &f->cumtime, sizeof(double)) != 0 || e->kind != f->kind)
			return 0;
	}
	return 1;
}

/* The same bytes streamed through a window of a few bytes (it slides, and
 * what references still need is kept aside) must read exactly as in memory. */
static void fuzz_stream(const uint8_t *buf, size_t size, int rc, const struct profile *p, const struct pv_error *err)
{
	if (size == 0)
		return;
	struct fuzz_source src = { buf, size, 0 };
	struct profile *q = profile_new();
	struct pv_error e;
	pv_error_clear(&e);
	int rs = prof_read_stream(buf, size, size, fuzz_read, &src, 1 + size % 61, q, &e);
	if (rs != rc)
		fuzz_fail("streamed, the input reads otherwise", rc ? err : &e);
	if (rc && (strcmp(e.message, err->message) != 0 || e.where != err->where || e.pos != err->pos))
		fuzz_fail("streamed, the input fails otherwise", &e);
	if (!rc && !fuzz_same_profile(p, q))
		fuzz_fail("streamed, the input makes another profile", &e);
	profile_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy of exactly size bytes, so ASan sees any read past the end */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	struct pv_error err;
	pv_error_clear(&err);
	struct profile *p = profile_new();
	int rc = prof_read_marshal(buf, size, p, &err);
	if (rc != 0) {
		if (rc != -1)
			fuzz_fail("reader returned neither 0 nor -1", &err);
		if (!err.message[0])
			fuzz_fail("error without a message", &err);
		if (memchr(err.message, '\n', sizeof(err.message)) != NULL)
			fuzz_fail("error message spans lines", &err);
		if (err.where == PV_WHERE_BYTE && err.pos > size)
			fuzz_fail("error offset beyond the input", &err);
	} else {
		/* a parsed profile is self-consistent */
		if (p->nstats > p->nfuncs)
			fuzz_fail("more stats entries than functions", &err);
		for (size_t i = 0; i < p->nedges; i++)
			if (p->edges[i].caller >= p->nfuncs || p->edges[i].callee >= p->nfuncs)
				fuzz_fail("edge names a function that does not exist", &err);
		for (size_t i = 0; i < p->nfuncs; i++)
			if (p->funcs[i].file >= p->nstrs || p->funcs[i].name >= p->nstrs)
				fuzz_fail("function names a string that does not exist", &err);
		fuzz_print(p, size ? data[size - 1] : 0);
	}
	fuzz_stream(buf, size, rc, p, &err);
	profile_free(p);
	free(buf);
	return 0;
}
