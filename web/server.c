/* The daemon, its listening socket, the per-thread store connections and the
 * routing of each request to an API handler, the page or an embedded asset. */
#include "server.h"
#include "api.h"
#include "assets.h"
#include "cache.h"
#include "job.h"
#include "../formats/dot_write.h"
#include "../formats/record_json.h"
#include "../analysis/strbuf.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define SERVER_PORT_TRIES 100
#define SERVER_HEAD_LIMIT (40 * 1024)	/* MHD's per-connection pool: a request head of about 32 KiB */
/* Connections at once: far more than browsers open (6 per host), so that idle
 * ones cannot crowd out the next request; bounded by the descriptors we may open. */
#define SERVER_MAX_CONNECTIONS 1000
/* A connection that sends nothing for this long is closed: one that never
 * finishes its request, and an idle keep-alive one (browsers reconnect). */
#define SERVER_IDLE_SECONDS 5
/* From elsewhere than loopback, one address may hold this many of them. */
#define SERVER_PER_IP 64
/* Requests that do not compute for long (the list, summaries, plain tables)
 * also take turns, from a larger pool of their own: what bounds the store
 * connections open at once, whatever the number of connections. */
#define SERVER_LIGHT_TURNS 32
/* More query parameters than this are refused before libmicrohttpd parses
 * them: each takes a record in the 40 KiB pool, and when the pool runs out
 * libmicrohttpd can no longer answer at all. */
#define SERVER_MAX_PARAMS 256

struct pv_server {
	struct MHD_Daemon *daemon;
	int fd;
	char *db_path;
	char *host;		/* as given, for the Host header check */
	int loopback;		/* bound to a loopback address: only loopback Host names are served */
	unsigned port;
	char url[400];
	double deadline;	/* seconds one request may compute; 0: no limit */
	struct job_gate gate;	/* turns to compute, and the stop flag */
	struct job_gate light;	/* turns for the requests that compute little */
	pthread_mutex_t stores_lock;	/* idle read-only store connections, reused */
	struct store **stores;
	size_t nstores, cap_stores;
	pthread_mutex_t graphviz;
	struct GVC_s *gvc;
	struct answer_cache cache;
	char refused;		/* its address marks a request answered before parsing */
};

#define SERVER_CACHE_BYTES (256u << 20)

static const char server_csp[] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
				 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
				 "frame-ancestors 'none'";

/* A read-only store connection for one request: an idle one, or a new one. */
static struct store *server_store_get(struct pv_server *srv, struct pv_error *err)
{
	struct store *s = NULL;
	pthread_mutex_lock(&srv->stores_lock);
	if (srv->nstores)
		s = srv->stores[--srv->nstores];
	pthread_mutex_unlock(&srv->stores_lock);
	if (s)
		return s;
	if (store_open(srv->db_path, STORE_READ, &s, err))
		return NULL;
	store_set_lock_wait(s, 5000);
	return s;
}

/* Back to the idle ones; beyond what the computing requests can use at once, closed. */
static void server_store_put(struct pv_server *srv, struct store *s)
{
	store_set_cancel(s, NULL);
	pthread_mutex_lock(&srv->stores_lock);
	/* idle connections kept: a few more than the heavy turns; the light
	 * requests open more at a burst, and those are closed after use */
	if (srv->nstores < srv->gate.max + 4) {
		xgrow((void **)&srv->stores, &srv->cap_stores, srv->nstores + 1, sizeof(*srv->stores));
		srv->stores[srv->nstores++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&srv->stores_lock);
	store_close(s);
}

/* URLs reach the handler as sent: the path is split before it is decoded,
 * and parameters are decoded by query_add() (libmicrohttpd has turned '+'
 * into spaces already). */
static size_t server_keep_escapes(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static enum MHD_Result server_collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	query_add(cls, key, value);
	return MHD_YES;
}

static int server_send(struct MHD_Connection *c, int status, const char *type, void *body, size_t len,
		       enum MHD_ResponseMemoryMode mode, int page)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (page) {
		MHD_add_response_header(resp, "Content-Security-Policy", server_csp);
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	}
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static int server_error(struct MHD_Connection *c, int status, const char *message)
{
	struct strbuf sb = STRBUF_INIT;
	record_json_error(&sb, status, message);
	strbuf_addc(&sb, '\n');
	/* the answer owns the buffer from here */
	return server_send(c, status, "application/json; charset=utf-8", sb.buf, sb.len, MHD_RESPMEM_MUST_FREE, 0);
}

static const char *server_asset_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (dot && !strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	return "text/html; charset=utf-8";
}

/* The page's routes: the single page answers them all and reads the URL. */
static int server_is_page(const char *url)
{
	return !strcmp(url, "/") || !strncmp(url, "/p/", 3) || !strcmp(url, "/p") || !strncmp(url, "/compare/", 9) ||
	       !strcmp(url, "/compare");
}

/* Splits the raw path /api/... at its slashes, then decodes each segment (so
 * a profile named "a/b" is /api/profiles/a%2Fb); at most 4 segments. Returns
 * how many, -1 for more, -2 for a segment that decodes to a NUL byte. */
static int server_split(const char *path, char **seg)
{
	int k = 0;
	const char *s = path;
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (k == 4)
			return -1;
		if (url_decode(s, n, &seg[k++]))
			return -2;
		s += n;
	}
	return k;
}

/* Whether a request computes for long: all but the list, a summary and the
 * plain tables (pushed into SQL, a few hundred ms on a 200k-function
 * profile). A regex over every name, stripped directories, the trees, graphs
 * and diffs build from the whole profile and take turns of the gate, so that
 * they cannot hold up the light ones nor all run at once. */
static int server_needs_turn(const char *const *seg, int n, const struct query *q)
{
	if (n >= 2 && !strcmp(seg[1], "diff"))
		return 1;
	if (n != 4)
		return 0;	/* the list, a summary, no such route */
	if (!strcmp(seg[3], "table") || !strcmp(seg[3], "callers") || !strcmp(seg[3], "callees"))
		return query_get(q, "match") || query_get(q, "strip_dirs");
	return 1;
}

static int server_dispatch(struct api_request *r, const char *const *seg, int n)
{
	if (n >= 2 && !strcmp(seg[0], "api")) {
		if (!strcmp(seg[1], "profiles")) {
			if (n == 2)
				return api_profiles(r);
			if (n == 3)
				return api_summary(r, seg[2]);
			if (n == 4) {
				const char *what = seg[3];
				if (!strcmp(what, "table"))
					return api_table(r, seg[2]);
				if (!strcmp(what, "callers") || !strcmp(what, "callees"))
					return api_calls(r, seg[2], !strcmp(what, "callees"));
				if (!strcmp(what, "icicle"))
					return api_icicle(r, seg[2]);
				if (!strcmp(what, "sandwich"))
					return api_sandwich(r, seg[2]);
				if (!strcmp(what, "callgraph.svg"))
					return api_callgraph(r, seg[2], "svg");
				if (!strcmp(what, "callgraph.dot"))
					return api_callgraph(r, seg[2], "dot");
			}
		} else if (!strcmp(seg[1], "diff")) {
			if (n == 2)
				return api_diff(r);
			if (n == 3 && !strcmp(seg[2], "icicle"))
				return api_diff_icicle(r);
		}
	}
	return api_fail(r, 404, "no such page or endpoint");
}

/* Only names of this machine's loopback reach a loopback server, so that a
 * web page elsewhere cannot read the store through DNS rebinding. */
static int server_host_ok(const struct pv_server *srv, struct MHD_Connection *c)
{
	if (!srv->loopback)
		return 1;
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!h)
		return 1;	/* HTTP/1.0 */
	size_t n = strlen(h);
	if (h[0] == '[') {
		const char *e = strchr(h, ']');
		n = e ? (size_t)(e - h + 1) : n;
	} else {
		const char *colon = strchr(h, ':');
		n = colon ? (size_t)(colon - h) : n;
	}
	static const char *const ok[] = { "localhost", "127.0.0.1", "[::1]", NULL };
	for (size_t k = 0; ok[k]; k++)
		if (strlen(ok[k]) == n && !strncasecmp(h, ok[k], n))
			return 1;
	return strlen(srv->host) == n && !strncasecmp(h, srv->host, n);
}

/* One header's value, or NULL. */
static const char *server_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Whether origin ("http://host:port") is this server as the client named it. */
static int server_same_origin(const struct pv_server *srv, struct MHD_Connection *c, const char *origin)
{
	const char *host = server_header(c, MHD_HTTP_HEADER_HOST);
	if (strncasecmp(origin, "http://", 7))
		return 0;
	if (host)
		return !strcasecmp(origin + 7, host);
	size_t n = strlen(srv->url) - 1;	/* without its final slash */
	return strlen(origin) == n && !strncasecmp(origin, srv->url, n);
}

/* A request that a page of another site made (an <img>, a <script>, a fetch):
 * refused, so that no page elsewhere makes this server work or reads from it.
 * The page's own requests are same-origin; a link followed from elsewhere (a
 * top-level navigation, to the page or to an API URL) is served. Browsers
 * without Fetch Metadata still send Origin on cross-origin fetches. Returns
 * the header that gave the request away, or NULL. */
static const char *server_cross_site(const struct pv_server *srv, struct MHD_Connection *c)
{
	const char *site = server_header(c, "Sec-Fetch-Site");
	if (site && strcasecmp(site, "same-origin") && strcasecmp(site, "none")) {
		const char *mode = server_header(c, "Sec-Fetch-Mode"), *dest = server_header(c, "Sec-Fetch-Dest");
		int navigation = mode && !strcasecmp(mode, "navigate") && (!dest || !strcasecmp(dest, "document"));
		if (!navigation)
			return "Sec-Fetch-Site";
	}
	const char *origin = server_header(c, "Origin");
	if (origin && !server_same_origin(srv, c, origin))
		return "Origin";
	return NULL;
}

/* Writes a whole JSON error answer to the socket and closes the sending side:
 * for a request libmicrohttpd could not answer itself (see SERVER_MAX_PARAMS).
 * Nothing else writes to the connection at this point of its request. */
static void server_answer_early(struct MHD_Connection *c, int status, const char *reason, const char *message)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	struct strbuf body = STRBUF_INIT, all = STRBUF_INIT;
	record_json_error(&body, status, message);
	strbuf_addc(&body, '\n');
	strbuf_addf(&all, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n\r\n", status, reason, body.len);
	strbuf_add(&all, body.buf, body.len);
	size_t off = 0;
	while (off < all.len) {
		ssize_t n = send(ci->connect_fd, all.buf + off, all.len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(ci->connect_fd, SHUT_WR);
	strbuf_release(&body);
	strbuf_release(&all);
}

/* Called with the request line, before libmicrohttpd parses the query: a
 * request with too many parameters is answered here (the pool that would hold
 * them cannot also hold an answer) and marked, so that the handler only
 * closes its connection. */
static void *server_uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct pv_server *srv = cls;
	const char *q = strchr(uri, '?');
	size_t params = 0;
	for (; q && *q; q++)
		params += *q == '?' || *q == '&';
	if (params <= SERVER_MAX_PARAMS)
		return NULL;
	char msg[128];
	snprintf(msg, sizeof(msg), "the query has more than %d parameters", SERVER_MAX_PARAMS);
	server_answer_early(c, MHD_HTTP_URI_TOO_LONG, "URI Too Long", msg);
	return &srv->refused;
}

/* An /api/ request, within its job's bounds: a turn to compute when it needs
 * one, a store connection that stops when the job does. */
static enum MHD_Result server_api(struct pv_server *srv, struct MHD_Connection *c, const char *url)
{
	struct api_request r;
	memset(&r, 0, sizeof(r));
	r.graphviz = &srv->graphviz;
	r.gvc = &srv->gvc;
	r.cache = &srv->cache;
	r.url = url;
	r.content_type = "application/json; charset=utf-8";
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, server_collect, &r.q);
	if (r.q.bytes > API_MAX_QUERY) {
		query_release(&r.q);
		return server_error(c, MHD_HTTP_URI_TOO_LONG, "the query string is longer than 8 KiB");
	}
	char *body = NULL, *seg[4] = { NULL, NULL, NULL, NULL };
	size_t len = 0;
	int rc = -1;
	struct pv_error err;
	pv_error_clear(&err);
	int n = server_split(url, seg);
	int heavy = n != -2 && server_needs_turn((const char *const *)seg, n, &r.q);
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct job job;
	job_start(&job, heavy ? &srv->gate : &srv->light, ci ? ci->connect_fd : -1, srv->deadline);
	r.job = &job;
	r.cancel = &job.cancel;
	if (job_take_turn(&job)) {
		api_fail_job(&r);
		goto answer;
	}
	r.store = server_store_get(srv, &err);
	if (!r.store) {
		char msg[1024];
		pv_error_format(&err, msg, sizeof(msg));
		api_fail(&r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", msg);
		goto answer;
	}
	store_set_cancel(r.store, &job.cancel);
	r.out = open_memstream(&body, &len);
	if (!r.out) {
		api_fail(&r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		goto answer;
	}
	if (n == -2)
		rc = api_fail(&r, 400, "the path holds a NUL byte (%%00)");
	else if (r.q.has_nul)
		rc = api_fail(&r, 400, "the query holds a NUL byte (%%00)");
	else
		rc = server_dispatch(&r, (const char *const *)seg, n);
	fclose(r.out);
answer:
	for (int k = 0; k < 4; k++)
		free(seg[k]);
	if (r.store)
		server_store_put(srv, r.store);
	job_finish(&job);
	query_release(&r.q);
	if (rc) {
		free(body);
		free(r.cache_key);
		if (job.end == JOB_CLIENT_GONE)
			return MHD_NO;	/* nobody to answer: libmicrohttpd closes the connection */
		return server_error(c, r.status ? r.status : MHD_HTTP_INTERNAL_SERVER_ERROR, r.message);
	}
	if (r.cache_key)
		answer_cache_put(&srv->cache, r.cache_key, body, len, r.content_type);
	free(r.cache_key);
	return server_send(c, MHD_HTTP_OK, r.content_type, body, len, MHD_RESPMEM_MUST_FREE, 0);
}

static enum MHD_Result server_answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				     const char *version, const char *upload_data, size_t *upload_data_size,
				     void **con_cls)
{
	struct pv_server *srv = cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == &srv->refused)
		return MHD_NO;	/* answered by server_uri_seen() */
	if (!*con_cls) {
		/* refused at once (libmicrohttpd then closes the connection) */
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return server_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD are served");
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if ((cl && strcmp(cl, "0")) ||
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return server_error(c, 413, "requests carry no body");
		/* the rest is answered on the next call, once the request is read:
		 * an answer before that costs the connection its keep-alive */
		*con_cls = srv;	/* any non-NULL mark */
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;	/* not reached: a body was refused above */
		return MHD_YES;
	}
	if (!server_host_ok(srv, c))
		return server_error(c, MHD_HTTP_FORBIDDEN, "this server answers only to its loopback names");
	const char *why = server_cross_site(srv, c);
	if (why) {
		char msg[160];
		snprintf(msg, sizeof(msg), "a request from another site's page is refused (its %s header says so)", why);
		return server_error(c, MHD_HTTP_FORBIDDEN, msg);
	}

	if (!strncmp(url, "/assets/", 8)) {
		/* a name from the embedded table, never a path */
		const struct pv_web_asset *a = strchr(url + 8, '/') ? NULL : pv_web_asset_find(url + 8);
		if (!a || !strcmp(url + 8, "icicle.html"))
			return server_error(c, MHD_HTTP_NOT_FOUND, "no such asset");
		return server_send(c, MHD_HTTP_OK, server_asset_type(a->name), (void *)a->data, a->len,
				   MHD_RESPMEM_PERSISTENT, 0);
	}
	if (server_is_page(url)) {
		const struct pv_web_asset *a = pv_web_asset_find("app.html");
		if (!a)
			return server_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the page is missing from this build");
		return server_send(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)a->data, a->len,
				   MHD_RESPMEM_PERSISTENT, 1);
	}
	if (strncmp(url, "/api/", 5))
		return server_error(c, MHD_HTTP_NOT_FOUND, "no such page");
	return server_api(srv, c, url);
}

/* Binds host:port (or the next free port after it); returns the socket. */
static int server_bind(const struct pv_server_options *o, unsigned *port, int *loopback, struct pv_error *err)
{
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int gai = getaddrinfo(o->host, NULL, &hints, &ai);
	if (gai)
		return pv_error_set(err, "cannot resolve host '%s': %s", o->host, gai_strerror(gai));
	unsigned tries = o->next_free && o->port ? SERVER_PORT_TRIES : 1;
	int fd = -1, last = 0;
	for (unsigned k = 0; k < tries && fd < 0; k++) {
		unsigned p = o->port ? o->port + k : 0;
		if (p > 65535)
			break;
		for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
			int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
			if (s < 0) {
				last = errno;
				continue;
			}
			int one = 1;
			setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (a->ai_family == AF_INET6)
				((struct sockaddr_in6 *)a->ai_addr)->sin6_port = htons((uint16_t)p);
			else
				((struct sockaddr_in *)a->ai_addr)->sin_port = htons((uint16_t)p);
			if (bind(s, a->ai_addr, a->ai_addrlen) == 0 && listen(s, 128) == 0) {
				fd = s;
				if (a->ai_family == AF_INET6)
					*loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr);
				else
					*loopback = (ntohl(((struct sockaddr_in *)a->ai_addr)->sin_addr.s_addr) >> 24) == 127;
			} else {
				last = errno;
				close(s);
			}
		}
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		if (last == EADDRINUSE && tries > 1)
			return pv_error_set(err, "ports %u to %u on %s are all in use", o->port, o->port + tries - 1,
					    o->host);
		return pv_error_set(err, "cannot listen on %s port %u: %s", o->host, o->port, strerror(last));
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					       : ((struct sockaddr_in *)&ss)->sin_port);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* The connections libmicrohttpd may hold: SERVER_MAX_CONNECTIONS, raising the
 * soft limit on open files towards it when the hard limit allows, and leaving
 * room for the store connections (three files each) and the rest. */
static unsigned server_connection_limit(unsigned computing)
{
	unsigned reserve = 64 + 3 * (computing + SERVER_LIGHT_TURNS);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 256;
	rlim_t want = (rlim_t)SERVER_MAX_CONNECTIONS + reserve;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
		return SERVER_MAX_CONNECTIONS;
	return rl.rlim_cur > reserve + 16 ? (unsigned)(rl.rlim_cur - reserve) : 16;
}

int pv_server_start(const struct pv_server_options *o, struct pv_server **out, struct pv_error *err)
{
	struct pv_server *srv = xcalloc(1, sizeof(*srv));
	srv->fd = -1;
	int loopback = 0;
	int fd = server_bind(o, &srv->port, &loopback, err);
	if (fd < 0) {
		free(srv);
		return -1;
	}
	/* from here on pv_server_stop() undoes it all */
	srv->fd = fd;
	srv->loopback = loopback;
	srv->db_path = xstrdup(o->db_path);
	srv->host = xstrdup(o->host);
	srv->deadline = o->deadline;
	snprintf(srv->url, sizeof(srv->url), strchr(o->host, ':') ? "http://[%s]:%u/" : "http://%s:%u/", o->host,
		 srv->port);
	unsigned computing = o->threads ? o->threads : 1;
	job_gate_init(&srv->gate, computing);
	job_gate_init(&srv->light, SERVER_LIGHT_TURNS);
	pthread_mutex_init(&srv->stores_lock, NULL);
	pthread_mutex_init(&srv->graphviz, NULL);
	answer_cache_init(&srv->cache, SERVER_CACHE_BYTES);
	/* A thread per connection: a request that computes for long holds up its
	 * own connection only, never others that a pool thread would also serve;
	 * the gate bounds how many compute at once. */
	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
				       0, NULL, NULL, server_answer, srv,
				       MHD_OPTION_LISTEN_SOCKET, fd,
				       MHD_OPTION_CONNECTION_LIMIT, server_connection_limit(computing),
				       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(loopback ? 0 : SERVER_PER_IP),
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_IDLE_SECONDS,
				       MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_HEAD_LIMIT,
				       MHD_OPTION_UNESCAPE_CALLBACK, server_keep_escapes, NULL,
				       MHD_OPTION_URI_LOG_CALLBACK, server_uri_seen, srv,
				       MHD_OPTION_END);
	if (!srv->daemon) {
		pv_error_set(err, "cannot start the HTTP server on %s", srv->url);
		pv_server_stop(srv);
		return -1;
	}
	*out = srv;
	return 0;
}

const char *pv_server_url(const struct pv_server *s)
{
	return s->url;
}

unsigned pv_server_port(const struct pv_server *s)
{
	return s->port;
}

void pv_server_stop(struct pv_server *s)
{
	if (!s)
		return;
	/* requests computing see the flag at their next check and give up */
	job_gate_stop(&s->gate);
	job_gate_stop(&s->light);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);	/* joins the threads, closes the listening socket */
	else if (s->fd >= 0)
		close(s->fd);
	for (size_t i = 0; i < s->nstores; i++)
		store_close(s->stores[i]);
	free(s->stores);
	pthread_mutex_destroy(&s->stores_lock);
	job_gate_release(&s->gate);
	job_gate_release(&s->light);
	dot_context_free(s->gvc);
	pthread_mutex_destroy(&s->graphviz);
	answer_cache_release(&s->cache);
	free(s->db_path);
	free(s->host);
	free(s);
}
