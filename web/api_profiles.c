/* GET /api/profiles and /api/profiles/{ref}: the store's list and one
 * profile's summary (docs/serve-api.md), through the records `list` and `show`
 * print (formats/record_json.h). */
#include "api.h"
#include "../analysis/stat_table.h"
#include "../analysis/strbuf.h"
#include "../formats/record_json.h"

#include <stdlib.h>
#include <string.h>

int api_profiles(struct api_request *r)
{
	static const char *const names[] = { "q", "limit", "offset", NULL };
	long long limit, offset;
	if (query_only(r, names) || query_long(r, "limit", 0, API_MAX_LIST, 200, &limit) ||
	    query_long(r, "offset", 0, INT64_MAX / 2, 0, &offset))
		return -1;
	struct store_list_query lq = { query_get(&r->q, "q"), 1, limit, offset };
	struct store_meta *v;
	size_t n;
	int64_t total;
	struct pv_error err;
	pv_error_clear(&err);
	if (store_list(r->store, &lq, &v, &n, &total, &err))
		return api_fail_err(r, &err);
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "{\"total\": %lld, \"offset\": %lld, \"limit\": %lld,\n \"profiles\": [", (long long)total,
		    offset, limit);
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, i ? ",\n  " : "\n  ");
		record_json_profile(&sb, &v[i]);
	}
	strbuf_adds(&sb, "]}\n");
	fwrite(sb.buf, 1, sb.len, r->out);
	strbuf_release(&sb);
	store_meta_list_free(v, n);
	return 0;
}

int api_summary(struct api_request *r, const char *ref)
{
	static const char *const names[] = { NULL };
	int64_t id;
	struct store_meta m;
	struct pv_error err;
	pv_error_clear(&err);
	if (query_only(r, names) || api_resolve(r, ref, &id))
		return -1;
	if (api_cached(r, &id, 1))
		return 0;
	if (store_get_meta(r->store, id, &m, &err))
		return api_fail_err(r, &err);
	/* the 10 heaviest by self and by total, as `show` lists them */
	struct stat_table by_self, by_total;
	if (stat_table_tops(r->store, id, 10, &by_self, &by_total, &err)) {
		store_meta_release(&m);
		return api_fail_err(r, &err);
	}
	struct strbuf sb = STRBUF_INIT;
	record_json_summary(&sb, &m, &by_self, &by_total);
	fwrite(sb.buf, 1, sb.len, r->out);
	strbuf_release(&sb);
	stat_table_release(&by_self);
	stat_table_release(&by_total);
	store_meta_release(&m);
	return 0;
}
