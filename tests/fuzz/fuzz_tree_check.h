/* Shared by the libFuzzer targets of the tree readers (fuzz_folded_read.c,
 * fuzz_speedscope_read.c): what every parsed sampled/evented profile and every
 * error must satisfy, and a print of the parsed profile through the `sort`
 * writers. Everything is static: each target includes it once.
 *
 * A broken invariant prints "FUZZ_NAME: what" with the profile's numbers and
 * aborts, so libFuzzer saves the input. */
#ifndef PV_FUZZ_TREE_CHECK_H
#define PV_FUZZ_TREE_CHECK_H

#include "../../analysis/stat_table.h"
#include "../../formats/profile_file.h"
#include "../../formats/stat_write.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "define FUZZ_NAME before including fuzz_tree_check.h"
#endif

__attribute__((noreturn, format(printf, 1, 2))) static void fuzz_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", FUZZ_NAME);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

__attribute__((noreturn)) static void fuzz_fail_err(const char *what, const struct pv_error *err)
{
	char buf[1200];
	pv_error_format(err, buf, sizeof(buf));
	fuzz_die("%s: %s", what, buf);
}

/* A failed read: -1, one line of message, an offset inside the input. */
static void fuzz_check_error(int rc, const struct pv_error *err, size_t size)
{
	if (rc != -1)
		fuzz_fail_err("reader returned neither 0 nor -1", err);
	size_t n = strnlen(err->message, sizeof(err->message));
	if (n == 0)
		fuzz_fail_err("error without a message", err);
	if (n == sizeof(err->message))
		fuzz_fail_err("error message not NUL-terminated", err);
	if (memchr(err->message, '\n', n) != NULL || memchr(err->message, '\r', n) != NULL)
		fuzz_fail_err("error message spans lines", err);
	if (err->where == PV_WHERE_BYTE && err->pos > size)
		fuzz_fail_err("error offset beyond the input", err);
}

/* a == b up to rounding: both are sums of the same finite terms in another order */
static int fuzz_close(double a, double b, double magnitude)
{
	double tol = 1e-9 * (magnitude > 1.0 ? magnitude : 1.0);
	return fabs(a - b) <= tol;
}

/* Everything a parsed tree profile promises (analysis/profile.h). */
static void fuzz_check_profile(const struct profile *p)
{
	if (p->kind != PV_KIND_SAMPLED && p->kind != PV_KIND_EVENTED)
		fuzz_die("kind %d is not a tree kind", (int)p->kind);
	if (p->nnodes == 0)
		fuzz_die("a parsed profile without a root node");
	if (p->nodes[0].func != PV_NO_FUNC || p->nodes[0].parent != 0)
		fuzz_die("node 0 is not the root (func %u, parent %u)", p->nodes[0].func, p->nodes[0].parent);
	if (!p->unit || !p->format)
		fuzz_die("no unit or format");
	if (p->nstats > p->nfuncs)
		fuzz_die("%zu stats entries but %zu functions", p->nstats, p->nfuncs);
	if (!isfinite(p->total_weight) || p->total_weight < 0)
		fuzz_die("total weight %g is not a finite non-negative number", p->total_weight);
	if (!isfinite(p->total_tt))
		fuzz_die("total_tt %g is not finite", p->total_tt);
	if (p->total_samples < 0)
		fuzz_die("total_samples %lld is negative", (long long)p->total_samples);
	if (p->skipped_lines < 0 || p->repaired_events < 0)
		fuzz_die("negative skipped/repaired counts");

	double self_sum = 0, self_abs = 0;
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct pv_node *n = &p->nodes[i];
		if (i > 0) {
			if (n->parent >= i)
				fuzz_die("node %zu has parent %u, not a smaller index", i, n->parent);
			if (n->func >= p->nfuncs)
				fuzz_die("node %zu names function %u of %zu", i, n->func, p->nfuncs);
		}
		if (!isfinite(n->self) || !isfinite(n->total))
			fuzz_die("node %zu: self %g total %g not finite", i, n->self, n->total);
		if (n->self < 0)
			fuzz_die("node %zu: negative self weight %g", i, n->self);
		if (n->count < 0)
			fuzz_die("node %zu: negative count %lld", i, (long long)n->count);
		self_sum += n->self;
		self_abs += fabs(n->self);
	}
	if (!fuzz_close(p->nodes[0].total, p->total_weight, self_abs))
		fuzz_die("root total %.17g != total weight %.17g", p->nodes[0].total, p->total_weight);
	if (!fuzz_close(self_sum, p->total_weight, self_abs))
		fuzz_die("node self weights sum to %.17g, total weight is %.17g", self_sum, p->total_weight);

	double func_self = 0;
	for (size_t f = 0; f < p->nfuncs; f++) {
		const struct pv_func *fn = &p->funcs[f];
		if (fn->file >= p->nstrs || fn->name >= p->nstrs)
			fuzz_die("function %zu names a string that does not exist", f);
		if (!isfinite(fn->tottime) || !isfinite(fn->cumtime))
			fuzz_die("function %zu: tottime %g cumtime %g not finite", f, fn->tottime, fn->cumtime);
		if (fn->calls < 0 || fn->pcalls < 0)
			fuzz_die("function %zu: negative calls %lld/%lld", f, (long long)fn->calls, (long long)fn->pcalls);
		func_self += fn->tottime;
	}
	double want = p->total_weight - p->nodes[0].self;
	if (!fuzz_close(func_self, want, self_abs))
		fuzz_die("functions' self weights sum to %.17g, total weight minus root self is %.17g", func_self, want);
	for (size_t e = 0; e < p->nedges; e++) {
		const struct pv_edge *ed = &p->edges[e];
		if (ed->caller >= p->nfuncs || ed->callee >= p->nfuncs)
			fuzz_die("edge %zu (%u -> %u) names a function that does not exist (%zu)", e, ed->caller,
				 ed->callee, p->nfuncs);
		if (!isfinite(ed->tottime) || !isfinite(ed->cumtime))
			fuzz_die("edge %zu: times not finite", e);
	}
}

/* Prints a parsed profile the way `profview sort` would, to /dev/null, under a
 * sort key picked by pick. */
static void fuzz_print_profile(const struct profile *p, uint8_t pick)
{
	static const char *const keys[] = { NULL, "self", "total,name", "samples,stdname", "tottime", "nfl", "calls" };
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
		fuzz_fail_err("a parsed profile cannot be tabled", &err);
	stat_write_text(devnull, &t);
	if (pick & 0x20)
		stat_write_json(devnull, &t);
	if (pick & 0x40)
		stat_write_csv(devnull, &t);
	stat_table_release(&t);
}

#endif
