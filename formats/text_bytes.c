#include "text_bytes.h"
#include "../analysis/pyrepr.h"
#include "../analysis/utf8.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static int text_is_escaped_surrogate(const unsigned char *s, size_t n)
{
	return n >= 3 && s[0] == 0xed && (s[1] == 0xb2 || s[1] == 0xb3) && (s[2] & 0xc0) == 0x80;
}

static unsigned char text_surrogate_byte(const unsigned char *s)
{
	/* U+DC80 + b is ED B2|B3 xx; the byte is 0x80 + the low 7 bits */
	return (unsigned char)(((s[1] & 0x01) << 6 | (s[2] & 0x3f)) | 0x80);
}

int text_surrogate_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	return text_is_escaped_surrogate(u, n) ? text_surrogate_byte(u) : -1;
}

size_t text_unescape_raw(char *s, size_t n)
{
	unsigned char *u = (unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (u[i] == 0xed && text_is_escaped_surrogate(u + i, n - i)) {
			u[o++] = text_surrogate_byte(u + i);
			i += 3;
		} else {
			u[o++] = u[i++];
		}
	}
	return o;
}

void text_write_raw(FILE *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = 0;
	for (size_t i = 0; i < n;) {
		if (u[i] == 0xed && text_is_escaped_surrogate(u + i, n - i)) {
			fwrite(s + start, 1, i - start, out);
			fputc(text_surrogate_byte(u + i), out);
			i += 3;
			start = i;
		} else {
			i++;
		}
	}
	fwrite(s + start, 1, n - start, out);
}

/* The one policy for bytes that are not UTF-8, read one character at a time:
 * returns the length of what starts at u, with *bad = -1 and *cp set for a
 * valid UTF-8 character, or *bad = the byte to show as \udcXX for an escaped
 * surrogate (3 bytes) or a byte that is not UTF-8 (1). */
static size_t text_next(const unsigned char *u, size_t n, uint32_t *cp, int *bad)
{
	if (u[0] == 0xed && text_is_escaped_surrogate(u, n)) {
		*bad = text_surrogate_byte(u);
		return 3;
	}
	size_t l = utf8_decode(u, n, cp);
	*bad = l ? -1 : u[0];
	return l ? l : 1;
}

static void text_json_string_as(struct strbuf *out, const char *s, size_t n, int html)
{
	const unsigned char *u = (const unsigned char *)s;
	strbuf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		/* a run of printable ASCII that needs no escape goes in one piece */
		size_t run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x7f && u[run] != '"' && u[run] != '\\' &&
		       !(html && (u[run] == '<' || u[run] == '>' || u[run] == '&')))
			run++;
		if (run > i) {
			strbuf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		uint32_t cp;
		int bad;
		size_t l = text_next(u + i, n - i, &cp, &bad);
		if (bad >= 0) {
			strbuf_addf(out, "\\udc%02x", bad);
			i += l;
			continue;
		}
		switch (cp) {
		case '"':
			strbuf_adds(out, "\\\"");
			break;
		case '\\':
			strbuf_adds(out, "\\\\");
			break;
		case '\n':
			strbuf_adds(out, "\\n");
			break;
		case '\r':
			strbuf_adds(out, "\\r");
			break;
		case '\t':
			strbuf_adds(out, "\\t");
			break;
		default:
			if (cp < 0x20 || cp == 0x7f)
				strbuf_addf(out, "\\u%04x", cp);
			else if (cp == 0x2028 || cp == 0x2029)	/* safe inside <script> too */
				strbuf_addf(out, "\\u%04x", cp);
			else if (html && (cp == '<' || cp == '>' || cp == '&'))
				strbuf_addf(out, "\\u%04x", cp);
			else
				strbuf_add(out, s + i, l);
		}
		i += l;
	}
	strbuf_addc(out, '"');
}

void text_json_string(struct strbuf *out, const char *s, size_t n)
{
	text_json_string_as(out, s, n, 0);
}

void text_json_string_html(struct strbuf *out, const char *s, size_t n)
{
	text_json_string_as(out, s, n, 1);
}

/* Is the cell a plain decimal number ([+-]digits[.digits][e[+-]digits])? A
 * spreadsheet reads one as a number, never as a formula. */
static int text_csv_is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp = 0;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			exp++;
		if (!exp)
			return 0;
	}
	return i == n;
}

void text_csv_field(struct strbuf *out, const char *s, size_t n)
{
	/* the cell's text: valid UTF-8 kept, every other byte as \udcXX */
	struct strbuf cell = STRBUF_INIT;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		int bad;
		size_t l = text_next(u + i, n - i, &cp, &bad);
		if (bad >= 0)
			strbuf_addf(&cell, "\\udc%02x", bad);
		else
			strbuf_add(&cell, s + i, l);
		i += l;
	}
	const char *c = strbuf_str(&cell);
	/* OWASP's CSV injection advice: text a spreadsheet would run as a formula
	 * starts with a ' (never a number: "-5" stays -5) */
	int formula = cell.len && memchr("=+-@\t\r", c[0], 6) && !text_csv_is_number(c, cell.len);
	/* quoted when RFC 4180 needs it, and for ';' and tabs, the separators of
	 * other locales, so that no text starts a cell of its own there */
	int quote = 0;
	for (size_t i = 0; i < cell.len && !quote; i++)
		quote = c[i] == ',' || c[i] == '"' || c[i] == '\n' || c[i] == '\r' || c[i] == ';' || c[i] == '\t';
	if (quote)
		strbuf_addc(out, '"');
	if (formula)
		strbuf_addc(out, '\'');
	for (size_t i = 0; i < cell.len; i++) {
		if (c[i] == '"')
			strbuf_addc(out, '"');
		strbuf_addc(out, c[i]);
	}
	if (quote)
		strbuf_addc(out, '"');
	strbuf_release(&cell);
}

void text_json_number(struct strbuf *out, double v)
{
	char num[32];
	if (!isfinite(v)) {
		strbuf_adds(out, "null");
		return;
	}
	pyrepr_float(v, num);
	strbuf_adds(out, num);
}

void text_json_opt_string(struct strbuf *out, const char *s)
{
	if (s)
		text_json_string(out, s, strlen(s));
	else
		strbuf_adds(out, "null");
}

void text_spill(FILE *out, struct strbuf *sb)
{
	if (sb->len > (1u << 20)) {
		fwrite(sb->buf, 1, sb->len, out);
		strbuf_reset(sb);
	}
}
