#include "prof_write.h"
#include "../analysis/utf8.h"

#include <string.h>

static void pw_i32(struct strbuf *out, int32_t v)
{
	uint32_t u = (uint32_t)v;
	char b[4] = { (char)(u & 0xff), (char)(u >> 8 & 0xff), (char)(u >> 16 & 0xff), (char)(u >> 24) };
	strbuf_add(out, b, 4);
}

/* 'i' when it fits 32 bits, else 'l': a sign-magnitude run of 15-bit digits. */
static void pw_int(struct strbuf *out, int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX) {
		strbuf_addc(out, 'i');
		pw_i32(out, (int32_t)v);
		return;
	}
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint16_t digits[5];
	int n = 0;
	while (m) {
		digits[n++] = (uint16_t)(m & 0x7fff);
		m >>= 15;
	}
	strbuf_addc(out, 'l');
	pw_i32(out, v < 0 ? -n : n);
	for (int i = 0; i < n; i++) {
		char b[2] = { (char)(digits[i] & 0xff), (char)(digits[i] >> 8) };
		strbuf_add(out, b, 2);
	}
}

static void pw_float(struct strbuf *out, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	strbuf_addc(out, 'g');
	for (int i = 0; i < 8; i++)
		strbuf_addc(out, (char)(u >> (8 * i) & 0xff));
}

/* UTF-8 as Python 3 marshal accepts it: strict, plus the surrogates that
 * undecodable path bytes became (surrogatepass). */
static int pw_is_text(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(u + i, n - i, &cp);
		if (!k && n - i >= 3 && u[i] == 0xed && u[i + 1] >= 0xa0 && u[i + 1] <= 0xbf && (u[i + 2] & 0xc0) == 0x80)
			k = 3;
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

static void pw_str(struct strbuf *out, const struct pv_str *s)
{
	/* text as 'u' (str in Python 3, unicode in 2); other bytes as 's' */
	strbuf_addc(out, pw_is_text(s->s, s->len) ? 'u' : 's');
	pw_i32(out, (int32_t)s->len);
	strbuf_add(out, s->s, s->len);
}

static void pw_key(struct strbuf *out, const struct profile *p, uint32_t f)
{
	const struct pv_func *fn = &p->funcs[f];
	strbuf_addc(out, '(');
	pw_i32(out, 3);
	pw_str(out, profile_str(p, fn->file));
	pw_int(out, fn->line);
	pw_str(out, profile_str(p, fn->name));
}

static void pw_stats(struct strbuf *out, int64_t cc, int64_t nc, double tt, double ct)
{
	pw_int(out, cc);
	pw_int(out, nc);
	pw_float(out, tt);
	pw_float(out, ct);
}

void prof_write(struct strbuf *out, const struct profile *p, double scale)
{
	struct pv_edge_index ix;
	profile_index_edges(p, &ix, 1);
	int sampled = p->kind == PV_KIND_SAMPLED;
	strbuf_addc(out, '{');
	for (size_t f = 0; f < p->nfuncs; f++) {
		const struct pv_func *fn = &p->funcs[f];
		if (!(fn->flags & PV_FUNC_IN_STATS))
			continue;
		pw_key(out, p, (uint32_t)f);
		strbuf_addc(out, '(');
		pw_i32(out, 5);
		/* samples have no primitive/recursive split: cc = nc */
		pw_stats(out, sampled ? fn->calls : fn->pcalls, fn->calls, fn->tottime * scale, fn->cumtime * scale);
		strbuf_addc(out, '{');
		for (size_t k = ix.start[f]; k < ix.start[f + 1]; k++) {
			const struct pv_edge *e = &p->edges[ix.edge[k]];
			pw_key(out, p, e->caller);
			if (e->kind == PV_EDGE_COUNT) {
				pw_int(out, e->calls);
				continue;
			}
			/* pstats' callers tuples are (nc, cc, tt, ct) */
			strbuf_addc(out, '(');
			pw_i32(out, 4);
			pw_stats(out, e->calls, sampled ? e->calls : e->pcalls, e->tottime * scale, e->cumtime * scale);
		}
		strbuf_addc(out, '0');
	}
	strbuf_addc(out, '0');
	pv_edge_index_release(&ix);
}
