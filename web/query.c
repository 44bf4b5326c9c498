#include "api.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void query_add(struct query *q, const char *key, const char *value)
{
	xgrow((void **)&q->v, &q->cap, q->n + 1, sizeof(*q->v));
	q->v[q->n].key = key;
	q->v[q->n].value = value ? value : "";
	q->n++;
	q->bytes += strlen(key) + (value ? strlen(value) : 0) + 2;
}

void query_release(struct query *q)
{
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
