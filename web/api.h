/* The JSON API of `profview serve` (docs/serve-api.md): one function per
 * endpoint, each a thin adapter over the analysis and the writers. A handler
 * writes its answer to r->out and returns 0, or sets the status and message
 * with api_fail() and returns -1; the server then sends the error as JSON. */
#ifndef PV_WEB_API_H
#define PV_WEB_API_H
#include "cache.h"
#include "job.h"
#include "query.h"
#include "../analysis/error.h"
#include "../analysis/store.h"

#include <pthread.h>
#include <stdio.h>

/* Limits of the work one request may ask for. */
#define API_MAX_ROWS 20000
#define API_MAX_LIST 1000
#define API_ICICLE_NODES 200000
#define API_ICICLE_MAX_NODES 2000000
#define API_MAX_GRAPH_NODES 2000
#define API_MAX_REGEX 1000
#define API_MAX_QUERY 8192

struct api_request {
	struct store *store;		/* a read-only connection, for this request */
	struct job *job;		/* the request's bounds */
	struct pv_cancel *cancel;	/* the job's, for the analysis options */
	pthread_mutex_t *graphviz;	/* libgvc is not thread-safe: it guards gvc */
	struct GVC_s **gvc;		/* the server's one Graphviz context, made on first use */
	struct answer_cache *cache;
	const char *url;		/* the path, for cache keys */
	char *cache_key;		/* set by api_cached() on a miss: the server keeps the answer */
	struct query q;
	FILE *out;			/* the answer's body */
	const char *content_type;	/* JSON unless the handler says otherwise */
	int status;
	char message[1024];
};

int api_fail(struct api_request *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fails with the status a library error calls for: 400 for bad options, 404
 * for what is not there, 422 for work past a bound (a regex too costly), 503
 * when the store is locked or the job ended (api_fail_job), else 500: the
 * server's own fault. */
int api_fail_err(struct api_request *r, const struct pv_error *err);
/* Fails because the job ended: 503 with its reason (past the deadline, the
 * server stopping); a client that hung up gets no answer at all. */
int api_fail_job(struct api_request *r);
/* A profile reference from the URL: an id, a name, or latest. 404 when none. */
int api_resolve(struct api_request *r, const char *ref, int64_t *id);
/* Loads stored profile id whole (strip: pstats' strip_dirs()). */
struct profile;
int api_load(struct api_request *r, int64_t id, int strip, struct profile **out);
/* The answer for this request and these profiles (ids and content hashes) when
 * cached: written to r->out, returns 1. Else 0, and the server keeps the
 * answer this request computes. */
int api_cached(struct api_request *r, const int64_t *ids, size_t n);
/* 400 for a regex that does not compile or is too long. */
int api_check_regex(struct api_request *r, const char *key, const char *re);

int api_profiles(struct api_request *r);
int api_summary(struct api_request *r, const char *ref);
int api_table(struct api_request *r, const char *ref);
int api_calls(struct api_request *r, const char *ref, int callees);
int api_diff(struct api_request *r);
int api_icicle(struct api_request *r, const char *ref);
int api_diff_icicle(struct api_request *r);
int api_sandwich(struct api_request *r, const char *ref);
int api_callgraph(struct api_request *r, const char *ref, const char *format);

#endif
