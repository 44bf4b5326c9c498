/* A growable byte buffer; the struct owns buf (strbuf_release frees it). */
#ifndef PV_STRBUF_H
#define PV_STRBUF_H
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *buf;	/* always NUL-terminated once anything was added */
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A number in decimal, as "%llu" / "%lld" would write it, without printf's cost. */
void strbuf_addu(struct strbuf *sb, uint64_t v);
void strbuf_addi(struct strbuf *sb, int64_t v);
void strbuf_reset(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* The contents, "" when empty. */
const char *strbuf_str(const struct strbuf *sb);

#endif
