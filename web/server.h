/* profview serve's HTTP server (docs/serve-api.md): libmicrohttpd with a pool
 * of threads, each reading the store through its own read-only SQLite
 * connection, answering the JSON API and the embedded page. Nothing a URL
 * says reaches the file system.
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
	unsigned threads;	/* worker threads */
};

struct pv_server;

int pv_server_start(const struct pv_server_options *o, struct pv_server **out, struct pv_error *err);
/* "http://127.0.0.1:8080/" */
const char *pv_server_url(const struct pv_server *s);
unsigned pv_server_port(const struct pv_server *s);
void pv_server_stop(struct pv_server *s);

#endif
