/* A pull parser for JSON read as a stream: the caller walks the document value
 * by value (objects key by key, arrays item by item) and keeps only what it
 * wants; everything else is checked and skipped. Memory does not grow with the
 * document, only with the strings asked for, so a reader can keep a compact
 * copy of a big array instead of a tree of every value (speedscope_read.c).
 *
 * The syntax is RFC 8259's: only space, tab, CR and LF between tokens, no raw
 * control characters in strings, at most JSON_MAX_DEPTH nested arrays and
 * objects. What follows the document's value is not looked at (as cJSON, which
 * this replaces for reading, ignored it). Strings decode to UTF-8; a \u
 * escape of a lone surrogate \udc80..\udcff becomes the byte 80..ff (how
 * profview's own JSON writes bytes that are not UTF-8), any other lone
 * surrogate U+FFFD. Bytes that are not UTF-8 pass through.
 *
 * Errors: "invalid JSON at byte N" (N counts the bytes the source gave), or
 * the source's own. After one, every call fails the same way.
 *
 * Ownership: the parser owns its buffer and decoded-string buffer;
 * json_pull_release() frees them.
 */
#ifndef PV_JSON_PULL_H
#define PV_JSON_PULL_H
#include "../analysis/error.h"
#include "../analysis/strbuf.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Nesting beyond this is refused (cJSON's limit, which this replaces). */
#define JSON_MAX_DEPTH 1000
/* A number kept (json_pull_number) may have at most this many characters. */
#define JSON_MAX_NUMBER 1024

enum json_type { JSON_NONE, JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL };

/* Where the bytes come from: read() gives up to cap more bytes, 0 at the end, -1
 * with err set on failure; or, with read NULL, the len bytes at data. */
struct json_source {
	ssize_t (*read)(void *ctx, uint8_t *buf, size_t cap, struct pv_error *err);
	void *ctx;
	const uint8_t *data;
	size_t len;
};

struct json_pull {
	struct json_source src;
	const uint8_t *buf;	/* the bytes at hand: buf[pos..len) */
	size_t pos, len;
	uint8_t *own;		/* the buffer read() fills */
	uint64_t base;		/* stream offset of buf[0] */
	int eof, started;
	uint8_t *stack;		/* the containers entered (JSON_MAX_DEPTH) */
	int depth;
	int failed;
	struct pv_error *err;
};

void json_pull_init(struct json_pull *j, const struct json_source *src, struct pv_error *err);
void json_pull_release(struct json_pull *j);

/* The type of the next value, JSON_NONE with err set on bad input. A leading
 * UTF-8 byte order mark is skipped before the document. */
enum json_type json_pull_peek(struct json_pull *j);
/* Enters the object or array that is next. 0, or -1. */
int json_pull_enter(struct json_pull *j);
/* The next member of the object entered last: 1 with its key decoded in key
 * (the value comes next), 0 at its end (then left), -1 on error. */
int json_pull_key(struct json_pull *j, struct strbuf *key);
/* The next item of the array entered last: 1 when there is one (it comes
 * next), 0 at the end (then left), -1 on error. */
int json_pull_item(struct json_pull *j);
/* The next value, a string, decoded into out (replacing what it held);
 * longer than max bytes decoded: -1 with an error saying so. */
int json_pull_string(struct json_pull *j, struct strbuf *out, size_t max);
/* The next value, a number, as strtod reads it (may be infinite). */
int json_pull_number(struct json_pull *j, double *v);
/* Checks and drops the next value, whatever it is. */
int json_pull_skip(struct json_pull *j);
/* The stream offset of the next byte. */
uint64_t json_pull_offset(const struct json_pull *j);

#endif
