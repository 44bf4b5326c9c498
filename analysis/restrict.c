#include "restrict.h"
#include "pyrepr.h"
#include "pv_regex.h"
#include "strbuf.h"

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

int restrict_apply(const struct restriction *r, struct restrict_item *items, size_t *n, int py2,
		   struct strbuf *msg, struct pv_cancel *cancel, struct pv_error *err)
{
	if (r->kind != RESTRICT_REGEX) {
		size_t keep = restrict_keep_count(r, *n);
		restrict_message(r, *n, keep, py2, msg);
		*n = keep;
		return 0;
	}
	struct pv_regex *re = pv_regex_compile(r->regex, py2, NULL, 0);
	if (!re) {
		strbuf_adds(msg, "   <Invalid regular expression ");
		restrict_repr_regex(r->regex, py2, msg);
		strbuf_adds(msg, ">\n");
		return 0;
	}
	size_t w = 0;
	int rc = 0;
	for (size_t i = 0; i < *n && !rc; i++) {
		int found = pv_regex_search(re, items[i].stdname, items[i].stdname_len);
		if (found < 0)
			rc = pv_regex_fail(re, r->regex, err);
		else if (pv_cancelled(cancel))
			rc = pv_cancel_fail(err);
		else if (found)
			items[w++] = items[i];
	}
	pv_regex_free(re);
	if (rc)
		return -1;
	restrict_message(r, *n, w, py2, msg);
	*n = w;
	return 0;
}
