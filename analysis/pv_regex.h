/* Regular expressions the way profview's Python-facing options mean them:
 * PCRE2 with Python's \Z, code points and Unicode classes for Python 3 text
 * (lone surrogates from undecodable paths count as one character), bytes for
 * Python 2 text. Used by sort's --match and by diff and filter.
 *
 * Every search is bounded: PCRE2's own defaults (10,000,000 backtracking steps,
 * 20 GB of heap) let one pattern with nested repeats spend seconds on each
 * name, hours on a profile. A search that passes a bound fails, and callers
 * report it: it is never taken for "no match". */
#ifndef PV_REGEX_H
#define PV_REGEX_H
#include "error.h"
#include <stddef.h>

#define PV_REGEX_MATCH_LIMIT 1000000	/* backtracking steps of one search: ~5 ms */
#define PV_REGEX_DEPTH_LIMIT 100000	/* nested backtracking points (the interpreter's frames) */
#define PV_REGEX_HEAP_KIB 20480		/* the interpreter's heap for them */
#define PV_REGEX_JIT_STACK (1u << 20)	/* the JIT's stack */

struct pv_regex;

/* NULL when the pattern does not compile; then errbuf holds PCRE2's reason. */
struct pv_regex *pv_regex_compile(const char *re, int py2, char *errbuf, size_t errsize);
/* 1 when the pattern is found anywhere in s[0..n) (re.search), 0 when it is
 * not, -1 when the search passed a bound (or PCRE2 failed otherwise). */
int pv_regex_search(struct pv_regex *r, const char *s, size_t n);
/* The error of a search that returned -1, for pattern re: "the regex 'RE' is
 * too costly: ...", err->kind PV_ERROR_LIMIT. Returns -1. */
int pv_regex_fail(const struct pv_regex *r, const char *re, struct pv_error *err);
void pv_regex_free(struct pv_regex *r);

#endif
