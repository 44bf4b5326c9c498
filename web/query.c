#include "api.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int url_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int url_decode(const char *s, size_t n, char **out)
{
	char *d = xmalloc(n + 1);
	size_t k = 0;
	int nul = 0;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = url_hex(s[i + 1])) >= 0 && (lo = url_hex(s[i + 2])) >= 0) {
			d[k] = (char)(hi * 16 + lo);
			nul |= d[k] == 0;
			k++;
			i += 2;
		} else {
			d[k++] = s[i];
		}
	}
	d[k] = 0;
	*out = d;
	return nul ? -1 : 0;
}

void query_add(struct query *q, const char *key, const char *value)
{
	if (!value)
		value = "";
	xgrow((void **)&q->v, &q->cap, q->n + 1, sizeof(*q->v));
	struct query_param *p = &q->v[q->n++];
	if (url_decode(key, strlen(key), &p->key) || url_decode(value, strlen(value), &p->value))
		q->has_nul = 1;
	q->bytes += strlen(key) + strlen(value) + 2;
}

void query_release(struct query *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].key);
		free(q->v[i].value);
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

const char *query_get(const struct query *q, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->v[i].key, key) == 0)
			v = q->v[i].value;
	return v;
}

int query_only(struct api_request *r, const char *const *names)
{
	for (size_t i = 0; i < r->q.n; i++) {
		size_t k = 0;
		while (names[k] && strcmp(names[k], r->q.v[i].key))
			k++;
		if (!names[k])
			return api_fail(r, 400, "unknown parameter '%.100s'", r->q.v[i].key);
	}
	return 0;
}

int query_long(struct api_request *r, const char *key, long long min, long long max, long long dflt, long long *out)
{
	const char *s = query_get(&r->q, key);
	if (!s) {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return api_fail(r, 400, "%s must be a whole number from %lld to %lld, not '%.40s'", key, min, max, s);
	*out = v;
	return 0;
}

int query_double(struct api_request *r, const char *key, double min, double max, double dflt, double *out)
{
	const char *s = query_get(&r->q, key);
	if (!s) {
		*out = dflt;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < min || v > max)
		return api_fail(r, 400, "%s must be a number from %g to %g, not '%.40s'", key, min, max, s);
	*out = v;
	return 0;
}

int query_flag(struct api_request *r, const char *key, int *out)
{
	const char *s = query_get(&r->q, key);
	*out = 0;
	if (!s)
		return 0;
	if (!*s || !strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no"))
		return 0;
	return api_fail(r, 400, "%s takes 1 or 0, not '%.40s'", key, s);
}

int query_need(struct api_request *r, const char *key, const char **out)
{
	*out = query_get(&r->q, key);
	if (!*out || !**out)
		return api_fail(r, 400, "%s is required", key);
	return 0;
}
