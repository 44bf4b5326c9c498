/* A tiny assertion helper for the unit tests: every CHECK counts as one check,
 * a failed one prints where and why and the run goes on; UNIT_DONE() prints
 * "N passed, N failed" and gives the exit status (non-zero when anything failed).
 *
 *   int main(void) { CHECK(1 + 1 == 2); CHECK_INT(f(), 3); return UNIT_DONE(); }
 */
#ifndef PV_UNIT_H
#define PV_UNIT_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

/* The message printed for the next failure names the current case when set. */
static const char *unit_case = "";

static inline int unit_check(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		unit_passed++;
		return 1;
	}
	unit_failed++;
	fprintf(stderr, "%s:%d: FAILED%s%s%s: %s\n", file, line, *unit_case ? " [" : "", unit_case,
		*unit_case ? "]" : "", what);
	return 0;
}

static inline void unit_print_bytes(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
	fputc('"', out);
}

static inline int unit_check_int(int64_t got, int64_t want, const char *file, int line, const char *expr)
{
	if (!unit_check(got == want, file, line, expr))
		fprintf(stderr, "    got %" PRId64 ", want %" PRId64 "\n", got, want);
	return got == want;
}

static inline int unit_check_mem(const char *got, size_t glen, const char *want, size_t wlen, const char *file,
				 int line, const char *expr)
{
	int ok = got && glen == wlen && memcmp(got, want, wlen) == 0;
	if (!unit_check(ok, file, line, expr)) {
		fputs("    got  ", stderr);
		if (got)
			unit_print_bytes(stderr, got, glen);
		else
			fputs("NULL", stderr);
		fputs("\n    want ", stderr);
		unit_print_bytes(stderr, want, wlen);
		fputc('\n', stderr);
	}
	return ok;
}

static inline int unit_check_str(const char *got, const char *want, const char *file, int line, const char *expr)
{
	return unit_check_mem(got, got ? strlen(got) : 0, want, strlen(want), file, line, expr);
}

static inline int unit_check_dbl(double got, double want, const char *file, int line, const char *expr)
{
	/* bit-identical, so -0.0 != 0.0 and NaN == NaN of the same payload */
	int ok = memcmp(&got, &want, sizeof(double)) == 0 || (got != got && want != want);
	if (!unit_check(ok, file, line, expr))
		fprintf(stderr, "    got %.17g, want %.17g\n", got, want);
	return ok;
}

#define CHECK(cond) unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_INT(got, want) unit_check_int((int64_t)(got), (int64_t)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_STR(got, want) unit_check_str((got), (want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_MEM(got, glen, want, wlen) unit_check_mem((got), (glen), (want), (wlen), __FILE__, __LINE__, #got " == " #want)
#define CHECK_DBL(got, want) unit_check_dbl((got), (want), __FILE__, __LINE__, #got " == " #want)

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed != 0 || unit_passed == 0;
}
#define UNIT_DONE() unit_done()

#endif
