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

static void text_raw_to_buf(struct strbuf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		if (u[i] == 0xed && text_is_escaped_surrogate(u + i, n - i)) {
			strbuf_addc(out, (char)text_surrogate_byte(u + i));
			i += 3;
		} else {
			strbuf_addc(out, s[i]);
			i++;
		}
	}
}

static void text_json_string_as(struct strbuf *out, const char *s, size_t n, int html)
{
	const unsigned char *u = (const unsigned char *)s;
	strbuf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		if (u[i] == 0xed && text_is_escaped_surrogate(u + i, n - i)) {
			strbuf_addf(out, "\\udc%02x", text_surrogate_byte(u + i));
			i += 3;
			continue;
		}
		size_t l = utf8_decode(u + i, n - i, &cp);
		if (!l) {
			strbuf_addf(out, "\\udc%02x", u[i]);
			i++;
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

void text_csv_field(struct strbuf *out, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		text_raw_to_buf(out, s, n);
		return;
	}
	strbuf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		const char *q = memchr(s + i, '"', n - i);
		size_t end = q ? (size_t)(q - s) : n;
		text_raw_to_buf(out, s + i, end - i);
		if (q) {
			strbuf_adds(out, "\"\"");
			end++;
		}
		i = end;
	}
	strbuf_addc(out, '"');
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
