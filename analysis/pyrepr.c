#include "pyrepr.h"
#include "unicode_nonprintable.h"
#include "utf8.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 pyrepr_u128;
__extension__ typedef __int128 pyrepr_i128;

/* Whether the n-digit decimal D x 10^-s reads back as v = m x 2^e, where
 * P = m x 5^s and v x 10^s = P x 2^-k (k > 0): D must lie within half a
 * double's spacing of v; on the boundary only when m is even (strtod rounds
 * half to even). Below a power of two the spacing halves. */
static int pyrepr_reads_back(pyrepr_u128 d, pyrepr_u128 p, int k, uint64_t five_s, uint64_t m, int m_pow2)
{
	pyrepr_i128 diff = (pyrepr_i128)(d << k) - (pyrepr_i128)p;
	pyrepr_u128 a = (pyrepr_u128)(diff < 0 ? -diff : diff) * (diff < 0 && m_pow2 ? 4 : 2);
	return a < five_s || (a == five_s && !(m & 1));
}

/* v x 10^s = p x 2^-k exactly, p = m x 5^s (s <= 27: 5^s fits 64 bits, p 116). */
static pyrepr_u128 pyrepr_scaled(uint64_t m, int e, int s, int *k, uint64_t *five_s)
{
	uint64_t f = 1;
	for (int i = 0; i < s; i++)
		f *= 5;
	*five_s = f;
	*k = -(e + s);
	return (pyrepr_u128)m * f;
}

/* The shortest round-trip digits of v (what the snprintf search below finds)
 * by exact integer arithmetic, for the magnitudes that timings have: 1e-10 <=
 * |v| < 1e15, where v x 10^s (s = 0 .. 27) fits 128 bits. v = d.ddd x 10^exp10;
 * for n = 15, 16, 17 digits D = v x 10^(n-1-exp10) rounded half to even, the
 * first D that reads back. 0 when v is outside that range. */
static int pyrepr_digits_fast(double v, char digits[24], size_t *nd, int *exp10)
{
	double a = fabs(v);
	if (!(a >= 1e-10 && a < 1e15))
		return 0;
	uint64_t bits;
	memcpy(&bits, &a, sizeof(bits));
	uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52), five_s;
	int e = (int)((bits >> 52) & 0x7ff) - 1075;	/* a = m x 2^e, normal */
	int m_pow2 = m == (1ull << 52), k;
	/* exp10 from the exact value: 10^16 <= v x 10^(16-exp10) < 10^17 */
	const pyrepr_u128 e16 = (pyrepr_u128)10000000000000000ull, e17 = e16 * 10;
	int x10 = (int)floor(log10(a)), found = 0;
	for (int tries = 0; tries < 3 && !found; tries++) {
		if (16 - x10 < 0 || 16 - x10 > 27)
			return 0;
		pyrepr_u128 p = pyrepr_scaled(m, e, 16 - x10, &k, &five_s), lo = e16, hi = e17;
		if (k <= 0) {
			p <<= -k;
		} else {
			lo <<= k;	/* p < 2^116 and 2^k < p / 10^16: no overflow */
			hi <<= k;
		}
		if (p < lo)
			x10--;
		else if (p >= hi)
			x10++;
		else
			found = 1;
	}
	if (!found)
		return 0;
	for (int n = 15; n <= 17; n++) {
		int s = n - 1 - x10;
		if (s < 0 || s > 27)
			return 0;
		pyrepr_u128 p = pyrepr_scaled(m, e, s, &k, &five_s), d, ten_n = 1;
		for (int i = 0; i < n; i++)
			ten_n *= 10;
		if (k <= 0) {
			d = p << -k;	/* v x 10^s is a whole number: it reads back */
		} else {
			d = p >> k;
			pyrepr_u128 r = p - (d << k), half = (pyrepr_u128)1 << (k - 1);
			if (r > half || (r == half && (d & 1)))
				d++;
			if (!pyrepr_reads_back(d, p, k, five_s, m, m_pow2))
				continue;	/* not at n digits: try n + 1 */
		}
		int ex = x10;
		if (d == ten_n) {	/* rounded up to the next power of ten */
			d /= 10;
			ex++;
		}
		char tmp[40];
		size_t len = 0;
		for (; d; d /= 10)
			tmp[len++] = (char)('0' + (int)(d % 10));
		size_t start = 0;
		while (start + 1 < len && tmp[start] == '0')
			start++;	/* trailing zeros, lowest digits first */
		*nd = 0;
		for (size_t i = len; i-- > start;)
			digits[(*nd)++] = tmp[i];
		digits[*nd] = '\0';
		*exp10 = ex;
		return 1;
	}
	return 0;
}

void pyrepr_float(double v, char buf[32])
{
	if (isnan(v)) {
		strcpy(buf, "nan");
		return;
	}
	if (isinf(v)) {
		strcpy(buf, v < 0 ? "-inf" : "inf");
		return;
	}
	char digits[24];
	size_t nd = 0;
	int neg = signbit(v) != 0, exp10;
	if (!pyrepr_digits_fast(v, digits, &nd, &exp10)) {
		/* Shortest round-trip digits. For a normal double, when 15
		 * significant digits round-trip, the shortest string is those
		 * digits without their trailing zeros: it lies within half a
		 * double's spacing of v, far closer than half the 15-digit
		 * spacing. So start there; subnormals, whose spacing is coarse,
		 * search from one digit. */
		char e[40];
		int prec;
		for (prec = fabs(v) >= DBL_MIN ? 14 : 0; prec < 17; prec++) {
			snprintf(e, sizeof(e), "%.*e", prec, v);
			if (strtod(e, NULL) == v)
				break;
		}
		/* e = [-]d.ddddde[+-]XX ; split digits and exponent */
		const char *p = e;
		if (*p == '-')
			p++;
		for (; *p && *p != 'e'; p++)
			if (*p != '.')
				digits[nd++] = *p;
		while (nd > 1 && digits[nd - 1] == '0')
			nd--;
		digits[nd] = '\0';
		exp10 = atoi(p + 1);	/* value = d.ddd * 10^exp10 */
	}
	char *o = buf;
	if (neg)
		*o++ = '-';
	if (exp10 < -4 || exp10 >= 16) {
		/* float_repr_style 'r': scientific, two-digit exponent minimum */
		*o++ = digits[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, nd - 1);
			o += nd - 1;
		}
		sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
		return;
	}
	if (exp10 < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int k = -1; k > exp10; k--)
			*o++ = '0';
		memcpy(o, digits, nd);
		o += nd;
	} else {
		size_t intlen = (size_t)exp10 + 1;
		for (size_t k = 0; k < intlen; k++)
			*o++ = k < nd ? digits[k] : '0';
		*o++ = '.';
		if (nd > intlen) {
			memcpy(o, digits + intlen, nd - intlen);
			o += nd - intlen;
		} else {
			*o++ = '0';
		}
	}
	*o = '\0';
}

static int pyrepr_printable(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(unicode_nonprintable) / sizeof(unicode_nonprintable[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < unicode_nonprintable[mid][0])
			hi = mid;
		else if (cp > unicode_nonprintable[mid][1])
			lo = mid + 1;
		else
			return 0;
	}
	return 1;
}

void pyrepr_str(struct strbuf *out, const char *s, size_t n)
{
	int has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
	char quote = has_single && !has_double ? '"' : '\'';
	strbuf_addc(out, quote);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);	/* strict, as Python decodes argv */
		if (!l) {
			/* an undecodable byte arrives in Python as a lone surrogate */
			strbuf_addf(out, "\\udc%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		if (cp == (uint32_t)quote || cp == '\\') {
			strbuf_addc(out, '\\');
			strbuf_addc(out, (char)cp);
		} else if (cp == '\t') {
			strbuf_adds(out, "\\t");
		} else if (cp == '\n') {
			strbuf_adds(out, "\\n");
		} else if (cp == '\r') {
			strbuf_adds(out, "\\r");
		} else if (!pyrepr_printable(cp)) {
			if (cp < 0x100)
				strbuf_addf(out, "\\x%02x", cp);
			else if (cp < 0x10000)
				strbuf_addf(out, "\\u%04x", cp);
			else
				strbuf_addf(out, "\\U%08x", cp);
		} else {
			strbuf_add(out, s + i, l);
		}
		i += l;
	}
	strbuf_addc(out, quote);
}

void pyrepr_bytes(struct strbuf *out, const char *s, size_t n)
{
	int has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
	char quote = has_single && !has_double ? '"' : '\'';
	strbuf_addc(out, quote);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == (unsigned char)quote || c == '\\') {
			strbuf_addc(out, '\\');
			strbuf_addc(out, (char)c);
		} else if (c == '\t') {
			strbuf_adds(out, "\\t");
		} else if (c == '\n') {
			strbuf_adds(out, "\\n");
		} else if (c == '\r') {
			strbuf_adds(out, "\\r");
		} else if (c < 0x20 || c >= 0x7f) {
			strbuf_addf(out, "\\x%02x", c);
		} else {
			strbuf_addc(out, (char)c);
		}
	}
	strbuf_addc(out, quote);
}
