/* What every endpoint shares: failing with a status, resolving and loading a
 * profile named in the URL, checking a regex before it reaches pstats' rules
 * (which would print "Invalid regular expression" and go on). */
#include "api.h"
#include "../analysis/profile.h"
#include "../analysis/pv_regex.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"

#include <stdlib.h>

#include <stdarg.h>
#include <string.h>

int api_fail(struct api_request *r, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	r->status = status;
	return -1;
}

int api_fail_job(struct api_request *r)
{
	char msg[sizeof(r->message)];
	job_end_message(r->job, msg, sizeof(msg));
	return api_fail(r, 503, "%s", msg);
}

int api_fail_err(struct api_request *r, const struct pv_error *err)
{
	if (r->job && r->job->end != JOB_RUNNING)
		return api_fail_job(r);	/* whatever failed, it failed because the job ended */
	char msg[sizeof(r->message)];
	pv_error_format(err, msg, sizeof(msg));
	int status = err->usage ? 400
		     : err->kind == PV_ERROR_NOT_FOUND ? 404
		     : err->kind == PV_ERROR_LIMIT ? 422
		     : err->kind == PV_ERROR_CANCELLED || store_failed_busy(r->store) ? 503
		     : 500;
	return api_fail(r, status, "%s", msg);
}

int api_resolve(struct api_request *r, const char *ref, int64_t *id)
{
	struct pv_error err;
	pv_error_clear(&err);
	if (store_resolve(r->store, ref, id, &err) == 0)
		return 0;
	/* only a lookup that found nothing is a 404: a store that could not be
	 * read says why (api_fail_err picks 500 or 503) */
	if (err.kind != PV_ERROR_NOT_FOUND)
		return api_fail_err(r, &err);
	return api_fail(r, 404, "no profile '%.200s' in the store", ref);
}

int api_load(struct api_request *r, int64_t id, int strip, struct profile **out)
{
	struct pv_error err;
	pv_error_clear(&err);
	*out = NULL;
	if (store_load_profile(r->store, id, out, &err))
		return api_fail_err(r, &err);
	if (strip) {
		struct profile *q = profile_strip_dirs(*out);
		profile_free(*out);
		*out = q;
	}
	return 0;
}

int api_cached(struct api_request *r, const int64_t *ids, size_t n)
{
	if (!r->cache)
		return 0;
	struct strbuf key = STRBUF_INIT;
	strbuf_adds(&key, r->url);
	for (size_t i = 0; i < r->q.n; i++) {
		/* unescaped text: separators no parameter can hold */
		strbuf_addc(&key, '\x01');
		strbuf_adds(&key, r->q.v[i].key);
		strbuf_addc(&key, '\x02');
		strbuf_adds(&key, r->q.v[i].value);
	}
	int ok = 1;
	for (size_t k = 0; ok && k < n; k++) {
		struct pv_error err;
		pv_error_clear(&err);
		strbuf_addf(&key, "\x03%lld:", (long long)ids[k]);
		ok = store_content_id(r->store, ids[k], &key, &err) == 0;
	}
	if (!ok) {
		strbuf_release(&key);
		return 0;
	}
	size_t len;
	const char *type;
	char *body = answer_cache_get(r->cache, strbuf_str(&key), &len, &type);
	if (body) {
		fwrite(body, 1, len, r->out);
		free(body);
		r->content_type = type;
		strbuf_release(&key);
		return 1;
	}
	r->cache_key = xstrdup(strbuf_str(&key));
	strbuf_release(&key);
	return 0;
}

int api_check_regex(struct api_request *r, const char *key, const char *re)
{
	char why[300];
	if (strlen(re) > API_MAX_REGEX)
		return api_fail(r, 400, "%s: a regex of more than %d bytes", key, API_MAX_REGEX);
	struct pv_regex *x = pv_regex_compile(re, 0, why, sizeof(why));
	if (!x)
		return api_fail(r, 400, "bad %s regex '%.200s': %s", key, re, why);
	pv_regex_free(x);
	return 0;
}
