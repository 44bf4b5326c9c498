/* The picture endpoints: the icicle tree (whole, one stack's subtree, or some
 * levels of it), the sandwich of one function, the differential icicle and
 * the call graph rendered by libgvc (docs/serve-api.md). */
#include "api.h"
#include "../analysis/callgraph.h"
#include "../analysis/icicle.h"
#include "../analysis/profile.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"
#include "../formats/dot_write.h"
#include "../formats/icicle_write.h"
#include "../formats/record_json.h"

#include <stdlib.h>
#include <string.h>

#define API_MAX_PATH 10000
#define API_SANDWICH_WORK 20000000

/* ?path=3,17,4: function indexes from the top down. */
static int api_path(struct api_request *r, const struct profile *p, uint32_t **out, size_t *n)
{
	const char *s = query_get(&r->q, "path");
	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return 0;
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	if (cap > API_MAX_PATH)
		return api_fail(r, 400, "path: more than %d frames", API_MAX_PATH);
	*out = xmalloc(cap * sizeof(uint32_t));
	while (*s) {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || *s == '-' || *s == '+') {
			free(*out);
			*out = NULL;
			return api_fail(r, 400, "path must be function indexes separated by commas");
		}
		if (v >= p->nfuncs) {
			free(*out);
			*out = NULL;
			return api_fail(r, 404, "path: no function %llu in this profile", v);
		}
		(*out)[(*n)++] = (uint32_t)v;
		s = *end ? end + 1 : end;
	}
	return 0;
}

/* The chart's options: path, depth, max_nodes; builds and focuses ic. */
static int api_chart(struct api_request *r, const struct profile *p, const struct profile *base, int normalize,
		     struct icicle *ic)
{
	long long depth, max_nodes;
	uint32_t *path;
	size_t npath;
	struct pv_error err;
	pv_error_clear(&err);
	if (query_long(r, "depth", 1, 10000, -1, &depth) ||
	    query_long(r, "max_nodes", 2, API_ICICLE_MAX_NODES, API_ICICLE_NODES, &max_nodes) ||
	    api_path(r, p, &path, &npath))
		return -1;
	struct icicle_options io = { (size_t)max_nodes, r->cancel };
	if (icicle_build(ic, p, &io)) {
		free(path);
		return api_fail_job(r);
	}
	if (base)
		icicle_diff(ic, base, normalize);
	int rc = icicle_focus(ic, path, npath, (long)depth, &err);
	free(path);
	if (rc) {
		icicle_release(ic);
		return api_fail(r, 404, "%s", err.message);
	}
	return 0;
}

static void api_write_chart(struct api_request *r, const struct icicle *ic, const struct icicle_page *pg)
{
	struct strbuf sb = STRBUF_INIT;
	icicle_write_json(&sb, ic, pg);
	fwrite(sb.buf, 1, sb.len, r->out);
	strbuf_release(&sb);
}

int api_icicle(struct api_request *r, const char *ref)
{
	static const char *const names[] = { "path", "depth", "max_nodes", NULL };
	struct profile *p;
	struct icicle ic;
	int64_t id;
	if (query_only(r, names) || api_resolve(r, ref, &id))
		return -1;
	if (api_cached(r, &id, 1))
		return 0;
	if (api_load(r, id, 0, &p))
		return -1;
	int rc = api_chart(r, p, NULL, 0, &ic);
	if (rc == 0) {
		struct icicle_page pg = { p, profile_label(p), NULL };
		api_write_chart(r, &ic, &pg);
		icicle_release(&ic);
	}
	profile_free(p);
	return rc;
}

int api_diff_icicle(struct api_request *r)
{
	static const char *const names[] = { "base", "new", "normalize", "path", "depth", "max_nodes", NULL };
	const char *bref, *nref;
	int normalize;
	struct profile *base = NULL, *p = NULL;
	struct icicle ic;
	int64_t ids[2];
	if (query_only(r, names) || query_need(r, "base", &bref) || query_need(r, "new", &nref) ||
	    query_flag(r, "normalize", &normalize) || api_resolve(r, bref, &ids[0]) || api_resolve(r, nref, &ids[1]))
		return -1;
	if (api_cached(r, ids, 2))
		return 0;
	if (api_load(r, ids[0], 0, &base))
		return -1;
	int rc = api_load(r, ids[1], 0, &p);
	if (rc == 0)
		rc = api_chart(r, p, base, normalize, &ic);
	if (rc == 0) {
		struct icicle_page pg = { p, profile_label(p), profile_label(base) };
		api_write_chart(r, &ic, &pg);
		icicle_release(&ic);
	}
	profile_free(p);
	profile_free(base);
	return rc;
}

int api_sandwich(struct api_request *r, const char *ref)
{
	static const char *const names[] = { "func", "max_nodes", NULL };
	long long func, max_nodes;
	struct profile *p;
	struct pv_error err;
	pv_error_clear(&err);
	if (query_only(r, names) || query_long(r, "func", 0, INT32_MAX, -1, &func) ||
	    query_long(r, "max_nodes", 2, API_ICICLE_MAX_NODES, API_ICICLE_MAX_NODES, &max_nodes))
		return -1;
	if (func < 0)
		return api_fail(r, 400, "func is required");
	int64_t id;
	if (api_resolve(r, ref, &id))
		return -1;
	if (api_cached(r, &id, 1))
		return 0;
	if (api_load(r, id, 0, &p))
		return -1;
	if ((size_t)func >= p->nfuncs) {
		profile_free(p);
		return api_fail(r, 404, "no function %lld in this profile", func);
	}
	struct icicle ic, up, down;
	struct icicle_options io = { (size_t)max_nodes, r->cancel };
	if (icicle_build(&ic, p, &io)) {
		profile_free(p);
		return api_fail_job(r);
	}
	int rc = icicle_sandwich(&ic, (uint32_t)func, API_SANDWICH_WORK, &up, &down, &err);
	if (rc) {
		if (err.kind == PV_ERROR_CANCELLED)
			api_fail_job(r);
		else
			api_fail(r, 413, "%s", err.message);
	} else {
		struct strbuf sb = STRBUF_INIT;
		strbuf_adds(&sb, "{\"function\":");
		record_json_profile_func(&sb, p, (uint32_t)func);
		fwrite(sb.buf, 1, sb.len, r->out);
		strbuf_release(&sb);
		struct icicle_page pg = { p, profile_label(p), NULL };
		fputs(",\n\"callers\":", r->out);
		api_write_chart(r, &up, &pg);
		fputs(",\n\"callees\":", r->out);
		api_write_chart(r, &down, &pg);
		fputs("}\n", r->out);
		icicle_release(&up);
		icicle_release(&down);
	}
	icicle_release(&ic);
	profile_free(p);
	return rc;
}

int api_callgraph(struct api_request *r, const char *ref, const char *format)
{
	static const char *const names[] = { "node_thres", "edge_thres", "root", "leaf", "depth", "theme", "color_by",
					     "strip_dirs", "diff", "normalize", NULL };
	double node_thres, edge_thres;
	long long depth;
	int strip, normalize;
	if (query_only(r, names) || query_double(r, "node_thres", 0, 100, 0.5, &node_thres) ||
	    query_double(r, "edge_thres", 0, 100, 0.1, &edge_thres) || query_long(r, "depth", 0, 1000000, -1, &depth) ||
	    query_flag(r, "strip_dirs", &strip) || query_flag(r, "normalize", &normalize))
		return -1;
	struct dot_style st = { DOT_COLOR, 1.0, 0, NULL, NULL };
	const char *theme = query_get(&r->q, "theme"), *color_by = query_get(&r->q, "color_by");
	if (theme && *theme) {
		int c = dot_colormap_parse(theme);
		if (c < 0)
			return api_fail(r, 400, "theme takes color, pink, gray, bw or print, not '%.40s'", theme);
		st.colormap = (enum dot_colormap)c;
	}
	if (color_by && *color_by) {
		if (strcmp(color_by, "self") && strcmp(color_by, "total"))
			return api_fail(r, 400, "color_by takes total or self, not '%.40s'", color_by);
		st.color_by_self = !strcmp(color_by, "self");
	}
	const char **roots = xcalloc(r->q.n + 1, sizeof(char *)), **leaves = xcalloc(r->q.n + 1, sizeof(char *));
	struct callgraph_options o = { node_thres / 100, edge_thres / 100, roots, 0, leaves, 0, (long)depth, r->cancel };
	struct strbuf pruning = STRBUF_INIT;
	struct profile *p = NULL, *base = NULL;
	struct callgraph g;
	struct pv_error err;
	int rc = -1;
	memset(&g, 0, sizeof(g));
	pv_error_clear(&err);
	strbuf_addf(&pruning, "node_thres %g%% edge_thres %g%%", node_thres, edge_thres);
	for (size_t i = 0; i < r->q.n; i++) {
		const struct query_param *q = &r->q.v[i];
		int root = !strcmp(q->key, "root"), leaf = !strcmp(q->key, "leaf");
		if (!root && !leaf)
			continue;
		if (!*q->value)
			continue;
		if (api_check_regex(r, q->key, q->value))
			goto done;
		if (root)
			roots[o.nroots++] = q->value;
		else
			leaves[o.nleaves++] = q->value;
		strbuf_addf(&pruning, " %s '%s'", q->key, q->value);
	}
	if (depth >= 0)
		strbuf_addf(&pruning, " depth %lld", depth);
	if (strip)
		strbuf_adds(&pruning, " strip_dirs");
	st.pruning = strbuf_str(&pruning);
	const char *diff = query_get(&r->q, "diff");
	int64_t ids[2];
	int nids = 1 + (diff && *diff);
	if (api_resolve(r, ref, &ids[0]) || (nids == 2 && api_resolve(r, diff, &ids[1])))
		goto done;
	if (api_cached(r, ids, (size_t)nids)) {
		rc = 0;
		r->content_type = strcmp(format, "svg") == 0 ? "image/svg+xml" : "text/vnd.graphviz; charset=utf-8";
		goto done;
	}
	if (api_load(r, ids[0], strip, &p) || (nids == 2 && api_load(r, ids[1], strip, &base)))
		goto done;
	if (callgraph_build(&g, p, &o, &err)) {
		api_fail_err(r, &err);
		goto done;
	}
	if (g.nnodes > API_MAX_GRAPH_NODES) {
		api_fail(r, 413, "the graph keeps %zu functions, more than %d can be laid out: raise node_thres",
			 g.nnodes, API_MAX_GRAPH_NODES);
		goto done;
	}
	if (base)
		callgraph_diff(&g, base, normalize);
	/* one layout at a time (libgvc is not thread-safe): wait no longer than the job may */
	if (job_lock(r->job, r->graphviz)) {
		api_fail_job(r);
		goto done;
	}
	if (!*r->gvc)
		*r->gvc = dot_context_new();
	rc = dot_write(r->out, &g, &st, format, *r->gvc, &err);
	pthread_mutex_unlock(r->graphviz);
	if (rc)
		api_fail(r, 500, "%s", err.message);
	else
		r->content_type = strcmp(format, "svg") == 0 ? "image/svg+xml" : "text/vnd.graphviz; charset=utf-8";
done:
	callgraph_release(&g);
	profile_free(p);
	profile_free(base);
	strbuf_release(&pruning);
	free(roots);
	free(leaves);
	return rc;
}
