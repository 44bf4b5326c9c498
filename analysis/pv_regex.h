/* Regular expressions the way profview's Python-facing options mean them:
 * PCRE2 with Python's \Z, code points and Unicode classes for Python 3 text
 * (lone surrogates from undecodable paths count as one character), bytes for
 * Python 2 text. Used by sort's --match and by diff and filter. */
#ifndef PV_REGEX_H
#define PV_REGEX_H
#include <stddef.h>

struct pv_regex;

/* NULL when the pattern does not compile; then errbuf holds PCRE2's reason. */
struct pv_regex *pv_regex_compile(const char *re, int py2, char *errbuf, size_t errsize);
/* 1 when the pattern is found anywhere in s[0..n) (re.search), else 0. */
int pv_regex_search(struct pv_regex *r, const char *s, size_t n);
void pv_regex_free(struct pv_regex *r);

#endif
