#include "json_pull.h"
#include "../analysis/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define JSON_CHUNK ((size_t)1 << 16)

/* The containers entered: their kind, and whether an item was read yet. */
enum { JP_OBJECT = 1, JP_ARRAY = 2, JP_FIRST = 4 };

void json_pull_init(struct json_pull *j, const struct json_source *src, struct pv_error *err)
{
	memset(j, 0, sizeof(*j));
	j->src = *src;
	j->err = err;
	j->stack = xmalloc(JSON_MAX_DEPTH);
	if (!src->read) {
		j->buf = src->data;
		j->len = src->len;
		j->eof = 1;
	} else {
		j->own = xmalloc(JSON_CHUNK);
		j->buf = j->own;
	}
}

void json_pull_release(struct json_pull *j)
{
	free(j->own);
	free(j->stack);
	j->own = j->stack = NULL;
}

uint64_t json_pull_offset(const struct json_pull *j)
{
	return j->base + j->pos;
}

static int jp_bad(struct json_pull *j)
{
	if (!j->failed) {
		j->failed = 1;
		pv_error_at(j->err, json_pull_offset(j), "invalid JSON");
	}
	return -1;
}

/* 1 when a byte is at hand, 0 at the end, -1 on a source error. */
static int jp_fill(struct json_pull *j)
{
	if (j->pos < j->len)
		return 1;
	if (j->failed)
		return -1;
	if (j->eof)
		return 0;
	j->base += j->len;
	j->pos = j->len = 0;
	ssize_t n = j->src.read(j->src.ctx, j->own, JSON_CHUNK, j->err);
	if (n < 0) {
		j->failed = 1;
		return -1;
	}
	if (n == 0) {
		j->eof = 1;
		return 0;
	}
	j->len = (size_t)n;
	return 1;
}

/* The next byte that is not a blank, not consumed; -1 at the end or on error. */
static int jp_blank(struct json_pull *j)
{
	for (;;) {
		if (jp_fill(j) <= 0)
			return -1;
		while (j->pos < j->len) {
			uint8_t c = j->buf[j->pos];
			if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
				return c;
			j->pos++;
		}
	}
}

/* The next byte, consumed; -1 at the end or on error. */
static int jp_byte(struct json_pull *j)
{
	if (jp_fill(j) <= 0)
		return -1;
	return j->buf[j->pos++];
}

enum json_type json_pull_peek(struct json_pull *j)
{
	if (j->failed)
		return JSON_NONE;
	if (!j->started) {
		j->started = 1;
		if (jp_fill(j) > 0 && j->buf[j->pos] == 0xef) {
			j->pos++;
			if (jp_byte(j) != 0xbb || jp_byte(j) != 0xbf)
				return jp_bad(j), JSON_NONE;
		}
	}
	int c = jp_blank(j);
	switch (c) {
	case '{':
		return JSON_OBJECT;
	case '[':
		return JSON_ARRAY;
	case '"':
		return JSON_STRING;
	case 't':
		return JSON_TRUE;
	case 'f':
		return JSON_FALSE;
	case 'n':
		return JSON_NULL;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return JSON_NUMBER;
		jp_bad(j);
		return JSON_NONE;
	}
}

int json_pull_enter(struct json_pull *j)
{
	enum json_type t = json_pull_peek(j);
	if (t != JSON_OBJECT && t != JSON_ARRAY)
		return jp_bad(j);
	if (j->depth == JSON_MAX_DEPTH)
		return jp_bad(j);
	j->pos++;
	j->stack[j->depth++] = (uint8_t)((t == JSON_OBJECT ? JP_OBJECT : JP_ARRAY) | JP_FIRST);
	return 0;
}

/* Before the next member or item of the innermost container: 1 when there is
 * one, 0 at its end (left), -1 on error. */
static int jp_next(struct json_pull *j, int kind)
{
	if (j->failed || j->depth == 0 || !(j->stack[j->depth - 1] & kind))
		return jp_bad(j);
	uint8_t *top = &j->stack[j->depth - 1];
	int close = kind == JP_OBJECT ? '}' : ']';
	int c = jp_blank(j);
	if (c == close) {
		j->pos++;
		j->depth--;
		return 0;
	}
	if (*top & JP_FIRST) {
		*top &= (uint8_t)~JP_FIRST;
	} else {
		if (c != ',')
			return jp_bad(j);
		j->pos++;
	}
	return 1;
}

/* \u's four hex digits; -1 when they are not. */
static int32_t jp_hex4(struct json_pull *j)
{
	int32_t v = 0;
	for (int k = 0; k < 4; k++) {
		int c = jp_byte(j);
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + ((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return v;
}

static void jp_put(struct strbuf *out, size_t *kept, size_t max, const void *s, size_t n)
{
	if (out && *kept < max) {
		size_t room = max - *kept;
		strbuf_add(out, s, n < room ? n : room);
	}
	*kept += n;
}

static void jp_put_code(struct strbuf *out, size_t *kept, size_t max, uint32_t c)
{
	uint8_t b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xc0 | c >> 6);
		b[1] = (uint8_t)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xe0 | c >> 12);
		b[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | c >> 18);
		b[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
		b[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		b[3] = (uint8_t)(0x80 | (c & 0x3f));
		n = 4;
	}
	jp_put(out, kept, max, b, n);
}

/* One \u code unit, with a high surrogate waiting in *high for its pair. */
static void jp_unit(struct strbuf *out, size_t *kept, size_t max, uint32_t *high, uint32_t u)
{
	if (*high) {
		if (u >= 0xdc00 && u <= 0xdfff) {
			jp_put_code(out, kept, max, 0x10000 + ((*high - 0xd800) << 10) + (u - 0xdc00));
			*high = 0;
			return;
		}
		jp_put_code(out, kept, max, 0xfffd);
		*high = 0;
	}
	if (u >= 0xd800 && u <= 0xdbff) {
		*high = u;
	} else if (u >= 0xdc80 && u <= 0xdcff) {
		uint8_t b = (uint8_t)(u & 0xff);	/* a byte that is not UTF-8, as profview writes it */
		jp_put(out, kept, max, &b, 1);
	} else {
		jp_put_code(out, kept, max, u >= 0xdc00 && u <= 0xdfff ? 0xfffd : u);
	}
}

/* A string value: decoded into out (NULL: checked only), at most max bytes of
 * it kept; *len its whole decoded length. */
static int jp_string(struct json_pull *j, struct strbuf *out, size_t max, size_t *len)
{
	if (jp_blank(j) != '"')
		return jp_bad(j);
	j->pos++;
	if (out)
		strbuf_reset(out);
	size_t kept = 0;
	uint32_t high = 0;
	for (;;) {
		if (jp_fill(j) <= 0)
			return jp_bad(j);
		/* a run of plain bytes at once */
		size_t start = j->pos;
		while (j->pos < j->len) {
			uint8_t c = j->buf[j->pos];
			if (c == '"' || c == '\\' || c < 0x20)
				break;
			j->pos++;
		}
		if (j->pos > start) {
			if (high) {
				jp_put_code(out, &kept, max, 0xfffd);
				high = 0;
			}
			jp_put(out, &kept, max, j->buf + start, j->pos - start);
		}
		if (j->pos == j->len)
			continue;
		uint8_t c = j->buf[j->pos++];
		if (c == '"')
			break;
		if (c < 0x20)
			return j->pos--, jp_bad(j);
		int e = jp_byte(j);
		uint8_t plain;
		switch (e) {
		case '"':
		case '\\':
		case '/':
			plain = (uint8_t)e;
			break;
		case 'b':
			plain = '\b';
			break;
		case 'f':
			plain = '\f';
			break;
		case 'n':
			plain = '\n';
			break;
		case 'r':
			plain = '\r';
			break;
		case 't':
			plain = '\t';
			break;
		case 'u': {
			int32_t u = jp_hex4(j);
			if (u < 0)
				return jp_bad(j);
			jp_unit(out, &kept, max, &high, (uint32_t)u);
			continue;
		}
		default:
			return jp_bad(j);
		}
		if (high) {
			jp_put_code(out, &kept, max, 0xfffd);
			high = 0;
		}
		jp_put(out, &kept, max, &plain, 1);
	}
	if (high)
		jp_put_code(out, &kept, max, 0xfffd);
	*len = kept;
	return 0;
}

int json_pull_string(struct json_pull *j, struct strbuf *out, size_t max)
{
	size_t len;
	if (j->failed || jp_string(j, out, max, &len))
		return -1;
	if (len > max) {
		j->failed = 1;
		return pv_error_at(j->err, json_pull_offset(j), "a JSON string longer than %zu MiB", max >> 20);
	}
	return 0;
}

int json_pull_key(struct json_pull *j, struct strbuf *key)
{
	int r = jp_next(j, JP_OBJECT);
	if (r <= 0)
		return r;
	/* a key longer than any looked for is kept cut: it matches none of them */
	size_t len;
	if (jp_string(j, key, 256, &len))
		return -1;
	if (key && len > 256)
		strbuf_adds(key, "\xff");
	if (jp_blank(j) != ':')
		return jp_bad(j);
	j->pos++;
	return 1;
}

int json_pull_item(struct json_pull *j)
{
	return jp_next(j, JP_ARRAY);
}

/* A number's text by RFC 8259's grammar, into buf when it is not NULL (up to
 * JSON_MAX_NUMBER characters). Returns its length, -1 when it is not one. */
static ssize_t jp_number_text(struct json_pull *j, char *buf)
{
	size_t n = 0;
	int c = jp_blank(j);
#define JP_TAKE()                                                              \
	do {                                                                   \
		if (buf) {                                                     \
			if (n == JSON_MAX_NUMBER)                              \
				return -2;                                     \
			buf[n] = (char)c;                                      \
		}                                                              \
		n++;                                                           \
		j->pos++;                                                      \
		c = jp_fill(j) > 0 ? j->buf[j->pos] : -1;                      \
	} while (0)
	if (c == '-')
		JP_TAKE();
	if (c == '0') {
		JP_TAKE();
	} else if (c >= '1' && c <= '9') {
		while (c >= '0' && c <= '9')
			JP_TAKE();
	} else {
		return -1;
	}
	if (c == '.') {
		JP_TAKE();
		if (!(c >= '0' && c <= '9'))
			return -1;
		while (c >= '0' && c <= '9')
			JP_TAKE();
	}
	if (c == 'e' || c == 'E') {
		JP_TAKE();
		if (c == '+' || c == '-')
			JP_TAKE();
		if (!(c >= '0' && c <= '9'))
			return -1;
		while (c >= '0' && c <= '9')
			JP_TAKE();
	}
#undef JP_TAKE
	if (buf)
		buf[n] = '\0';
	return (ssize_t)n;
}

int json_pull_number(struct json_pull *j, double *v)
{
	char buf[JSON_MAX_NUMBER + 1];
	if (j->failed)
		return -1;
	ssize_t n = jp_number_text(j, buf);
	if (n == -2) {
		j->failed = 1;
		return pv_error_at(j->err, json_pull_offset(j), "a JSON number of more than %d characters",
				   JSON_MAX_NUMBER);
	}
	if (n < 0)
		return jp_bad(j);
	/* whole numbers of up to 15 digits are exact without strtod */
	const char *s = buf + (buf[0] == '-');
	size_t digits = (size_t)n - (size_t)(s - buf);
	if (digits <= 15 && strspn(s, "0123456789") == digits) {
		uint64_t u = 0;
		for (size_t i = 0; i < digits; i++)
			u = u * 10 + (uint64_t)(s[i] - '0');
		*v = buf[0] == '-' ? -(double)u : (double)u;
		return 0;
	}
	*v = strtod(buf, NULL);
	return 0;
}

/* A literal's remaining letters. */
static int jp_literal(struct json_pull *j, const char *word)
{
	j->pos++;
	for (const char *w = word + 1; *w; w++)
		if (jp_byte(j) != (uint8_t)*w)
			return jp_bad(j);
	return 0;
}

/* One scalar, or the opening of a container; 0 or -1. */
static int jp_skip_one(struct json_pull *j)
{
	size_t len;
	switch (json_pull_peek(j)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		return json_pull_enter(j);
	case JSON_STRING:
		return jp_string(j, NULL, 0, &len);
	case JSON_NUMBER:
		return jp_number_text(j, NULL) < 0 ? jp_bad(j) : 0;
	case JSON_TRUE:
		return jp_literal(j, "true");
	case JSON_FALSE:
		return jp_literal(j, "false");
	case JSON_NULL:
		return jp_literal(j, "null");
	default:
		return -1;
	}
}

int json_pull_skip(struct json_pull *j)
{
	int base = j->depth;
	for (;;) {
		if (jp_skip_one(j))
			return -1;
		/* close what is done until a value is due, or this one is over */
		for (;;) {
			if (j->depth == base)
				return 0;
			int r = j->stack[j->depth - 1] & JP_OBJECT ? json_pull_key(j, NULL) : json_pull_item(j);
			if (r < 0)
				return -1;
			if (r == 1)
				break;
		}
	}
}
