/* Strict UTF-8 decoding (no surrogates, no overlongs), as Python's decoder. */
#ifndef PV_UTF8_H
#define PV_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Length of the valid sequence at s[0..n) with its code point in *cp, or 0. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* len() of the text as Python shows it: code points of UTF-8 (a surrogate
 * stored as 3 bytes counts 1), or bytes for Python 2's str (py2 set). */
size_t utf8_width(const char *s, size_t n, int py2);

#endif
