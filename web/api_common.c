/* What every endpoint shares: failing with a status, resolving and loading a
 * profile named in the URL, checking a regex before it reaches pstats' rules
 * (which would print "Invalid regular expression" and go on). */
#include "api.h"
#include "../analysis/profile.h"
#include "../analysis/pv_regex.h"
#include "../analysis/utf8.h"

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

int api_fail_err(struct api_request *r, const struct pv_error *err)
{
	char msg[sizeof(r->message)];
	pv_error_format(err, msg, sizeof(msg));
	int code = sqlite3_extended_errcode(r->store->db) & 0xff;
	int status = err->usage ? 400 : (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? 503 : 500;
	return api_fail(r, status, "%s", msg);
}

int api_resolve(struct api_request *r, const char *ref, int64_t *id)
{
	struct pv_error err;
	pv_error_clear(&err);
	if (store_resolve(r->store, ref, id, &err) == 0)
		return 0;
	int code = sqlite3_extended_errcode(r->store->db) & 0xff;
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_ERROR)
		return api_fail_err(r, &err);
	return api_fail(r, 404, "no profile '%.200s' in the store", ref);
}

int api_load(struct api_request *r, const char *ref, int strip, struct profile **out)
{
	int64_t id;
	struct pv_error err;
	pv_error_clear(&err);
	*out = NULL;
	if (api_resolve(r, ref, &id))
		return -1;
	if (store_load_profile(r->store, id, out, &err))
		return api_fail_err(r, &err);
	if (strip) {
		struct profile *q = profile_strip_dirs(*out);
		profile_free(*out);
		*out = q;
	}
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

cJSON *api_json_text(const char *s)
{
	if (!s)
		return cJSON_CreateNull();
	/* the store's text may hold bytes that are not UTF-8 (Python 2 paths):
	 * cJSON would pass them through, so they become U+FFFD here */
	size_t n = strlen(s), k = 0;
	char *clean = malloc(n * 3 + 1);
	if (!clean)
		return cJSON_CreateNull();
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (len) {
			memcpy(clean + k, s + i, len);
			k += len;
			i += len;
		} else {
			memcpy(clean + k, "\xef\xbf\xbd", 3);
			k += 3;
			i++;
		}
	}
	clean[k] = 0;
	cJSON *j = cJSON_CreateString(clean);
	free(clean);
	return j;
}

void api_json_write(struct api_request *r, cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);
	if (s) {
		fputs(s, r->out);
		fputc('\n', r->out);
		cJSON_free(s);
	}
	cJSON_Delete(doc);
}
