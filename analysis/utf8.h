/* Strict UTF-8 decoding (no surrogates, no overlongs), as Python's decoder. */
#ifndef PV_UTF8_H
#define PV_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Length of the valid sequence at s[0..n) with its code point in *cp, or 0. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
