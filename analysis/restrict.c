#include "restrict.h"
#include "pyrepr.h"
#include "strbuf.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

size_t restrict_keep_count(const struct restriction *r, size_t n)
{
	if (r->kind == RESTRICT_FRACTION) {
		/* isinstance(sel, float) and 0.0 <= sel < 1.0: count = int(count * sel + .5) */
		if (r->fraction >= 0.0 && r->fraction < 1.0)
			return (size_t)((double)n * r->fraction + .5);
		return n;
	}
	if (r->kind == RESTRICT_COUNT && r->count >= 0 && (uint64_t)r->count < n)
		return (size_t)r->count;
	return n;
}

/* The regex as that Python's repr() shows it: a byte str on Python 2. */
static void restrict_repr_regex(const char *re, int py2, struct strbuf *out)
{
	if (py2)
		pyrepr_bytes(out, re, strlen(re));
	else
		pyrepr_str(out, re, strlen(re));
}

static void restrict_repr(const struct restriction *r, int py2, struct strbuf *out)
{
	char num[32];
	switch (r->kind) {
	case RESTRICT_COUNT:
		strbuf_addf(out, "%lld", (long long)r->count);
		break;
	case RESTRICT_FRACTION:
		pyrepr_float(r->fraction, num);
		strbuf_adds(out, num);
		break;
	case RESTRICT_REGEX:
		restrict_repr_regex(r->regex, py2, out);
		break;
	}
}

void restrict_message(const struct restriction *r, size_t from, size_t to, int py2, struct strbuf *msg)
{
	if (from == to)
		return;
	strbuf_addf(msg, "   List reduced from %zu to %zu due to restriction <", from, to);
	restrict_repr(r, py2, msg);
	strbuf_adds(msg, ">\n");
}

/* Python's \Z is PCRE2's \z (PCRE2's \Z also matches before a final newline). */
static void restrict_translate(const char *re, struct strbuf *out)
{
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			strbuf_addc(out, '\\');
			strbuf_addc(out, p[1] == 'Z' ? 'z' : p[1]);
			p++;
		} else {
			strbuf_addc(out, *p);
		}
	}
}

/* A Python 3 name holding an undecodable path byte stores it as a lone surrogate
 * (ED B2|B3 xx), which Python's re treats as one ordinary character but PCRE2 sees
 * as invalid UTF-8 that nothing matches. Map U+DC80..U+DCFF to the private-use
 * U+10FF80..U+10FFFF so that ., [^/] and \W behave as in Python. */
static void restrict_map_surrogates(const char *s, size_t n, struct strbuf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	strbuf_reset(out);
	for (size_t i = 0; i < n;) {
		if (i + 2 < n && u[i] == 0xed && (u[i + 1] == 0xb2 || u[i + 1] == 0xb3) && (u[i + 2] & 0xc0) == 0x80) {
			unsigned b = 0x80 | ((u[i + 1] & 1u) << 6) | (u[i + 2] & 0x3fu);
			char four[4] = { (char)0xf4, (char)0x8f, (char)(0x80 | (0x3c | (b >> 6))), (char)(0x80 | (b & 0x3f)) };
			strbuf_add(out, four, 4);
			i += 3;
		} else {
			strbuf_addc(out, s[i]);
			i++;
		}
	}
}

size_t restrict_apply(const struct restriction *r, struct restrict_item *items, size_t n, int py2,
		      struct strbuf *msg)
{
	if (r->kind != RESTRICT_REGEX) {
		size_t keep = restrict_keep_count(r, n);
		restrict_message(r, n, keep, py2, msg);
		return keep;
	}
	struct strbuf pat = STRBUF_INIT;
	restrict_translate(r->regex, &pat);
	int errcode;
	PCRE2_SIZE erroff;
	/* Python 2's re on a byte str works on bytes (\w is ASCII, . is one byte);
	 * Python 3's on code points with Unicode classes. */
	uint32_t options = py2 ? 0 : PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)strbuf_str(&pat), pat.len, options, &errcode, &erroff, NULL);
	strbuf_release(&pat);
	if (!code) {
		strbuf_adds(msg, "   <Invalid regular expression ");
		restrict_repr_regex(r->regex, py2, msg);
		strbuf_adds(msg, ">\n");
		return n;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	size_t w = 0;
	struct strbuf subject = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *sub = items[i].stdname;
		size_t len = items[i].stdname_len;
		if (!py2 && memchr(sub, 0xed, len)) {
			restrict_map_surrogates(sub, len, &subject);
			sub = subject.buf;
			len = subject.len;
		}
		int rc = pcre2_match(code, (PCRE2_SPTR)sub, len, 0, 0, md, NULL);
		if (rc >= 0)
			items[w++] = items[i];
	}
	strbuf_release(&subject);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	restrict_message(r, n, w, py2, msg);
	return w;
}
