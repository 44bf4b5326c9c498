/* profview serve's HTTP server (docs/serve-api.md): libmicrohttpd with a
 * thread per connection, reading the store through read-only SQLite
 * connections, answering the JSON API and the embedded page. Nothing a URL
 * says reaches the file system. Each request's work is bounded (web/job.h).
 *
 * Ownership: the server owns its daemon, listening socket and connections;
 * pv_server_stop() ends the threads and frees it all. */
#ifndef PV_WEB_SERVER_H
#define PV_WEB_SERVER_H
#include "../analysis/error.h"

struct pv_server_options {
	const char *db_path;	/* the store; it must exist (created by the caller) */
	const char *host;	/* an address or name to bind */
	unsigned port;		/* 0: any free port */
	int next_free;		/* port taken: try the next ones (up to 100 further) */
	unsigned threads;	/* requests that compute at once; more wait for a turn */
	double deadline;	/* seconds a request may take, waiting for its turn included; 0: no limit */
};

struct pv_server;

int pv_server_start(const struct pv_server_options *o, struct pv_server **out, struct pv_error *err);
/* "http://127.0.0.1:8080/" */
const char *pv_server_url(const struct pv_server *s);
unsigned pv_server_port(const struct pv_server *s);
/* Stops it: requests still computing give up at their next check (see
 * analysis/cancel.h), then the threads end. What cannot be interrupted (a
 * Graphviz layout) is waited for: cmd/serve.c bounds that wait. */
void pv_server_stop(struct pv_server *s);

#endif
