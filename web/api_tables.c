/* The table endpoints: /table, /callers, /callees and /api/diff answer the
 * same JSON documents as `sort`, `callers`, `callees` and `diff --format json`
 * (one format to learn and to test), through the same analysis and writers. */
#include "api.h"
#include "../analysis/call_table.h"
#include "../analysis/diff.h"
#include "../analysis/xalloc.h"
#include "../formats/call_write.h"
#include "../formats/diff_write.h"
#include "../formats/stat_write.h"

#include <stdlib.h>
#include <string.h>

/* pstats' options from the query: restrictions in the order given, and the
 * row limit the server keeps to. rs must hold q.n + 1 entries. */
static int api_stat_query(struct api_request *r, struct stat_query *sq, struct restriction *rs)
{
	memset(sq, 0, sizeof(*sq));
	sq->cancel = r->cancel;
	sq->by = query_get(&r->q, "by");
	if (sq->by && !*sq->by)
		sq->by = NULL;
	if (query_flag(r, "strip_dirs", &sq->strip_dirs) || query_flag(r, "reverse", &sq->reverse))
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < r->q.n; i++) {
		const struct query_param *p = &r->q.v[i];
		struct restriction *x = &rs[n];
		memset(x, 0, sizeof(*x));
		if (!strcmp(p->key, "limit")) {
			char *end;
			long long v = strtoll(p->value, &end, 10);
			if (!*p->value || *end || v < 0)
				return api_fail(r, 400, "limit must be a whole number from 0, not '%.40s'", p->value);
			x->kind = RESTRICT_COUNT;
			x->count = v;
		} else if (!strcmp(p->key, "fraction")) {
			char *end;
			double v = strtod(p->value, &end);
			if (!*p->value || *end || !(v >= 0 && v < 1))
				return api_fail(r, 400, "fraction must be a number from 0 up to 1, not '%.40s'", p->value);
			x->kind = RESTRICT_FRACTION;
			x->fraction = v;
		} else if (!strcmp(p->key, "match")) {
			if (api_check_regex(r, "match", p->value))
				return -1;
			x->kind = RESTRICT_REGEX;
			x->regex = p->value;
		} else {
			continue;
		}
		n++;
	}
	/* bounded work: a table lists at most API_MAX_ROWS */
	rs[n++] = (struct restriction){ .kind = RESTRICT_COUNT, .count = API_MAX_ROWS };
	sq->restrictions = rs;
	sq->nrestrictions = n;
	return 0;
}

int api_table(struct api_request *r, const char *ref)
{
	static const char *const names[] = { "by", "limit", "fraction", "match", "strip_dirs", "reverse", NULL };
	struct stat_query sq;
	struct restriction *rs = xmalloc((r->q.n + 1) * sizeof(*rs));
	struct stat_table t;
	struct pv_error err;
	int64_t id;
	int rc = -1;
	pv_error_clear(&err);
	if (query_only(r, names) || api_stat_query(r, &sq, rs) || api_resolve(r, ref, &id))
		goto done;
	if (api_cached(r, &id, 1)) {
		rc = 0;
		goto done;
	}
	if (stat_table_from_store(r->store, id, &sq, &t, &err)) {
		api_fail_err(r, &err);
		goto done;
	}
	stat_write_json(r->out, &t);
	stat_table_release(&t);
	rc = 0;
done:
	free(rs);
	return rc;
}

int api_calls(struct api_request *r, const char *ref, int callees)
{
	static const char *const names[] = { "by", "limit", "fraction", "match", "strip_dirs", "reverse", "func", NULL };
	struct stat_query sq;
	struct restriction *rs = xmalloc((r->q.n + 1) * sizeof(*rs));
	struct call_table c;
	struct pv_error err;
	int64_t id;
	long long func;
	int rc = -1;
	pv_error_clear(&err);
	if (query_only(r, names) || api_stat_query(r, &sq, rs) || query_long(r, "func", 0, INT32_MAX, -1, &func) ||
	    api_resolve(r, ref, &id))
		goto done;
	if (api_cached(r, &id, 1)) {
		rc = 0;
		goto done;
	}
	int64_t only = func;
	if (func >= 0)
		sq.func = &only;
	if (call_table_from_store(r->store, id, &sq, callees ? CALL_CALLEES : CALL_CALLERS, &c, &err)) {
		api_fail_err(r, &err);
		goto done;
	}
	if (func >= 0 && c.stats.nrows == 0 && sq.nrestrictions == 1) {
		api_fail(r, 404, "no function %lld in this profile's table", func);
	} else {
		call_write_json(r->out, &c);
		rc = 0;
	}
	call_table_release(&c);
done:
	free(rs);
	return rc;
}

static int api_diff_side(struct api_request *r, const char *key, int64_t *id, enum pv_kind *kind)
{
	const char *ref;
	struct pv_error err;
	pv_error_clear(&err);
	if (query_need(r, key, &ref) || api_resolve(r, ref, id))
		return -1;
	if (store_get_kind(r->store, *id, kind, &err))
		return api_fail_err(r, &err);
	return 0;
}

int api_diff(struct api_request *r)
{
	static const char *const names[] = { "base", "new", "by", "limit", "match", "strip_dirs", "ignore_lines",
					     "match_names", "normalize", NULL };
	struct diff_options o;
	int64_t ib, in;
	enum pv_kind kb, kn;
	long long limit;
	struct pv_error err;
	pv_error_clear(&err);
	memset(&o, 0, sizeof(o));
	o.cancel = r->cancel;
	if (query_only(r, names) || query_flag(r, "strip_dirs", &o.strip_dirs) ||
	    query_flag(r, "ignore_lines", &o.ignore_lines) || query_flag(r, "match_names", &o.match_names) ||
	    query_flag(r, "normalize", &o.normalize) || query_long(r, "limit", 0, API_MAX_ROWS, API_MAX_ROWS, &limit) ||
	    api_diff_side(r, "base", &ib, &kb) || api_diff_side(r, "new", &in, &kn))
		return -1;
	int64_t both[2] = { ib, in };
	if (api_cached(r, both, 2))
		return 0;
	const char **regexes = xcalloc(r->q.n + 1, sizeof(char *));
	size_t nre = 0;
	for (size_t i = 0; i < r->q.n; i++)
		if (!strcmp(r->q.v[i].key, "match")) {
			if (api_check_regex(r, "match", r->q.v[i].value)) {
				free(regexes);
				return -1;
			}
			regexes[nre++] = r->q.v[i].value;
		}
	const char *by = query_get(&r->q, "by");
	struct profile *pb = NULL, *pn = NULL;
	struct diff d;
	int rc = -1;
	unsigned parts = diff_store_parts(&o, kb, kn);
	if (store_load_profile_parts(r->store, ib, parts, &pb, &err) ||
	    store_load_profile_parts(r->store, in, parts, &pn, &err)) {
		profile_free(pb);
		api_fail_err(r, &err);
		goto done;
	}
	if (diff_profiles(pb, pn, &o, &d, &err)) {
		api_fail_err(r, &err);
		goto done;
	}
	if (diff_order(&d, by && *by ? by : NULL, regexes, nre, limit, &err)) {
		api_fail_err(r, &err);
	} else {
		struct diff_side_label lb = { ib, d.base->name, d.base->source };
		struct diff_side_label ln = { in, d.new->name, d.new->source };
		diff_write_json(r->out, &d, &lb, &ln, NULL);
		rc = 0;
	}
	diff_release(&d);
done:
	free(regexes);
	return rc;
}
