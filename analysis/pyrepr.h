/* Python's repr() of floats and str, as pstats prints them in its messages
 * ("List reduced from 120 to 12 due to restriction <0.1>" / <'json'>). */
#ifndef PV_PYREPR_H
#define PV_PYREPR_H
#include "strbuf.h"
#include <stddef.h>

/* The shortest text that reads back as the same double, in Python's layout
 * (0.1, 1e-05, 1.0, inf, nan). buf needs 32 bytes. */
void pyrepr_float(double v, char buf[32]);
/* Python 3 repr() of a str given as UTF-8 (invalid bytes shown as \udcXX, as a
 * surrogate-escaped command-line argument would be). */
void pyrepr_str(struct strbuf *out, const char *s, size_t n);
/* Python 2 repr() of a byte str: printable ASCII as is, other bytes as \xNN. */
void pyrepr_bytes(struct strbuf *out, const char *s, size_t n);

#endif
