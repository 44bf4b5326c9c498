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
		if (py2)
			pyrepr_bytes(out, r->regex, strlen(r->regex));
		else
			pyrepr_str(out, r->regex, strlen(r->regex));
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
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)strbuf_str(&pat), pat.len,
					 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
	strbuf_release(&pat);
	if (!code) {
		strbuf_adds(msg, "   <Invalid regular expression ");
		if (py2)
			pyrepr_bytes(msg, r->regex, strlen(r->regex));
		else
			pyrepr_str(msg, r->regex, strlen(r->regex));
		strbuf_adds(msg, ">\n");
		return n;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = pcre2_match(code, (PCRE2_SPTR)items[i].stdname, items[i].stdname_len, 0, 0, md, NULL);
		if (rc >= 0)
			items[w++] = items[i];
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	restrict_message(r, n, w, py2, msg);
	return w;
}
