/* libFuzzer target: the .prof reader (marshal decoder + pstats dict reader) on
 * arbitrary bytes. Every input must either parse or fail with a filled error that
 * names a byte inside the input; sanitizers catch the rest. A parsed profile is
 * also sorted and printed (text, JSON, CSV to /dev/null) under one of a few sort
 * keys picked by the input's last byte, as `profview sort` would.
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
	profile_free(p);
	free(buf);
	return 0;
}
