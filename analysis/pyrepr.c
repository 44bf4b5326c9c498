#include "pyrepr.h"
#include "unicode_nonprintable.h"
#include "utf8.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* Shortest round-trip digits. For a normal double, when 15 significant
	 * digits round-trip, the shortest string is those digits without their
	 * trailing zeros: it lies within half a double's spacing of v, far closer
	 * than half the 15-digit spacing. So start there; subnormals, whose
	 * spacing is coarse, search from one digit. */
	char e[40];
	int prec;
	for (prec = fabs(v) >= DBL_MIN ? 14 : 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e = [-]d.ddddde[+-]XX ; split digits and exponent */
	char digits[24];
	size_t nd = 0;
	const char *p = e;
	int neg = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int exp10 = atoi(p + 1);	/* value = d.ddd * 10^exp10 */
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
