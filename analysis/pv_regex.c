#define PCRE2_CODE_UNIT_WIDTH 8
#include "pv_regex.h"
#include "strbuf.h"
#include "xalloc.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pv_regex {
	pcre2_general_context *gc;	/* PCRE2's memory through xmalloc: never NULL */
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;	/* the bounds */
	pcre2_jit_stack *jit_stack;
	int last;		/* the last search's PCRE2 result */
	int py2;
	struct strbuf subject;	/* scratch for surrogate mapping */
};

/* Python's \Z is PCRE2's \z (PCRE2's \Z also matches before a final newline). */
static void pv_regex_translate(const char *re, struct strbuf *out)
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
static void pv_regex_map_surrogates(const char *s, size_t n, struct strbuf *out)
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

static void *pv_regex_alloc(PCRE2_SIZE n, void *data)
{
	(void)data;
	return xmalloc(n);
}

static void pv_regex_dealloc(void *p, void *data)
{
	(void)data;
	free(p);
}

struct pv_regex *pv_regex_compile(const char *re, int py2, char *errbuf, size_t errsize)
{
	struct strbuf pat = STRBUF_INIT;
	pv_regex_translate(re, &pat);
	int errcode;
	PCRE2_SIZE erroff;
	/* Python 2's re on a byte str works on bytes (\w is ASCII, . is one byte);
	 * Python 3's on code points with Unicode classes. */
	uint32_t options = py2 ? 0 : PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)strbuf_str(&pat), pat.len, options, &errcode, &erroff, NULL);
	strbuf_release(&pat);
	if (!code) {
		if (errbuf && errsize) {
			char msg[256];
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, sizeof(msg));
			snprintf(errbuf, errsize, "%s at offset %zu", msg, (size_t)erroff);
		}
		return NULL;
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	struct pv_regex *r = xcalloc(1, sizeof(*r));
	r->code = code;
	r->gc = pcre2_general_context_create(pv_regex_alloc, pv_regex_dealloc, NULL);
	r->md = pcre2_match_data_create_from_pattern(code, r->gc);
	r->mc = pcre2_match_context_create(r->gc);
	pcre2_set_match_limit(r->mc, PV_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mc, PV_REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mc, PV_REGEX_HEAP_KIB);
	/* the JIT's default stack (32 KiB of the machine stack) fails long names
	 * with patterns that nest groups; this one is mapped as it is used */
	r->jit_stack = pcre2_jit_stack_create(32 * 1024, PV_REGEX_JIT_STACK, r->gc);
	pcre2_jit_stack_assign(r->mc, NULL, r->jit_stack);
	r->py2 = py2;
	r->subject = (struct strbuf)STRBUF_INIT;
	return r;
}

int pv_regex_search(struct pv_regex *r, const char *s, size_t n)
{
	if (!r->py2 && memchr(s, 0xed, n)) {
		pv_regex_map_surrogates(s, n, &r->subject);
		s = r->subject.buf;
		n = r->subject.len;
	}
	r->last = pcre2_match(r->code, (PCRE2_SPTR)s, n, 0, 0, r->md, r->mc);
	return r->last >= 0 ? 1 : r->last == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int pv_regex_fail(const struct pv_regex *r, const char *re, struct pv_error *err)
{
	char why[256];
	switch (r->last) {
	case PCRE2_ERROR_MATCHLIMIT:
		snprintf(why, sizeof(why), "searching one name took more than %d backtracking steps",
			 PV_REGEX_MATCH_LIMIT);
		break;
	case PCRE2_ERROR_DEPTHLIMIT:
	case PCRE2_ERROR_HEAPLIMIT:
	case PCRE2_ERROR_JIT_STACKLIMIT:
		snprintf(why, sizeof(why), "searching one name needed more memory than a search may use");
		break;
	default:
		pcre2_get_error_message(r->last, (PCRE2_UCHAR *)why, sizeof(why));
		break;
	}
	pv_error_set(err, "the regex '%.200s' is too costly: %s; simplify it (nested repeats such as (a+)* "
		     "backtrack without end)", re, why);
	err->kind = PV_ERROR_LIMIT;
	return -1;
}

void pv_regex_free(struct pv_regex *r)
{
	if (!r)
		return;
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mc);
	pcre2_jit_stack_free(r->jit_stack);
	pcre2_code_free(r->code);
	pcre2_general_context_free(r->gc);
	strbuf_release(&r->subject);
	free(r);
}
