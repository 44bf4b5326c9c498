#include "cmd.h"
#include "../analysis/xalloc.h"
#include "../web/server.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char serve_usage[] =
	"usage: profview serve [--host HOST] [--port PORT] [--open] [--threads N] [--deadline SECONDS]\n"
	"\n"
	"Serve the store in a web browser: the profile list, and for each profile the function\n"
	"table, icicle, sandwich (callers above, callees below), call graph and diff views,\n"
	"with links that can be shared. The JSON API behind the page is in docs/serve-api.md.\n"
	"Profiles imported while the server runs show up at once. It only reads: with no\n"
	"store yet the list is empty until one is imported; read-only stores are served.\n"
	"\n"
	"  --host HOST       address to listen on (default 127.0.0.1: this machine only)\n"
	"  --port PORT       port (default 8080); when it is taken the next free one is used,\n"
	"                    and said; 0 lets the system choose\n"
	"  --open            open the page in the default browser (xdg-open)\n"
	"  --threads N       requests that compute at once (default: twice the CPUs, at least\n"
	"                    4); more wait for a turn. Only those that build from a whole\n"
	"                    profile (regex filters, trees, graphs, diffs) take one\n"
	"  --deadline SECONDS  the longest a request may take, its wait for a turn included\n"
	"                    (default 30; 0: no limit); past it the answer is 503\n"
	"  --db PATH         the store to serve\n"
	"\n"
	"Every request is bounded: a regex search that backtracks too much is refused (422),\n"
	"work stops when its client hangs up, requests from other sites' pages are refused\n"
	"(403), and a connection that sends nothing for 5 s is closed. Limits and statuses:\n"
	"docs/serve-api.md.\n"
	"\n"
	"Ctrl-C (or SIGTERM) stops the server within a few seconds, whatever is running.\n"
	"\n"
	"Examples:\n"
	"  profview serve --open\n"
	"  profview serve --port 9000 --db team.db\n"
	"  curl -s localhost:8080/api/profiles | jq '.profiles[0]'\n";

enum { OPT_HOST = 1, OPT_PORT, OPT_OPEN, OPT_THREADS, OPT_DEADLINE };

#define SERVE_DEADLINE 30	/* seconds: the largest answers of a 200k-function profile take ~10 */
/* How long a stop waits for requests to give up: past it, what cannot be
 * interrupted (a Graphviz layout) is left running and the process exits (the
 * store is only read: nothing is lost). */
#define SERVE_STOP_SECONDS 3

static void serve_open_browser(const char *url, int quiet)
{
	char *argv[] = { (char *)"xdg-open", (char *)url, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0 && !quiet)
		fprintf(stderr, "note: could not run xdg-open; open %s yourself\n", url);
	posix_spawn_file_actions_destroy(&fa);
}

struct serve_stopper {
	struct pv_server *srv;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int done;
};

static void *serve_stop_thread(void *arg)
{
	struct serve_stopper *st = arg;
	pv_server_stop(st->srv);
	pthread_mutex_lock(&st->lock);
	st->done = 1;
	pthread_cond_signal(&st->done_cond);
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

/* Stops the server, waiting at most seconds; -1 when it has not stopped by then
 * (the stopping thread and its state are then left to the process's exit). */
static int serve_stop(struct pv_server *srv, int seconds)
{
	struct serve_stopper *st = xcalloc(1, sizeof(*st));
	st->srv = srv;
	pthread_mutex_init(&st->lock, NULL);
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&st->done_cond, &a);
	pthread_condattr_destroy(&a);
	pthread_t t;
	if (pthread_create(&t, NULL, serve_stop_thread, st)) {
		pv_server_stop(srv);
		goto done;
	}
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&st->lock);
	while (!st->done && pthread_cond_timedwait(&st->done_cond, &st->lock, &until) == 0)
		;
	int stopped = st->done;
	pthread_mutex_unlock(&st->lock);
	if (!stopped)
		return -1;
	pthread_join(t, NULL);
done:
	pthread_cond_destroy(&st->done_cond);
	pthread_mutex_destroy(&st->lock);
	free(st);
	return 0;
}

static int cmd_serve(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "open", no_argument, NULL, OPT_OPEN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "deadline", required_argument, NULL, OPT_DEADLINE },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct pv_server_options so = { NULL, "127.0.0.1", 8080, 1, (unsigned)(cpus > 2 ? 2 * cpus : 4), SERVE_DEADLINE };
	double d;
	if (so.threads > 64)
		so.threads = 64;
	int open_browser = 0, opt;
	long long v;
	struct pv_error err;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_serve_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		switch (opt) {
		case OPT_HOST:
			if (!*optarg)
				return cmd_usage_error(&cmd_serve_entry, "--host needs an address");
			so.host = optarg;
			break;
		case OPT_PORT:
			if (cmd_parse_int("--port", optarg, &v, &err))
				return cmd_fail(&err);
			if (v < 0 || v > 65535)
				return cmd_usage_error(&cmd_serve_entry, "--port must be from 0 to 65535");
			so.port = (unsigned)v;
			break;
		case OPT_OPEN:
			open_browser = 1;
			break;
		case OPT_THREADS:
			if (cmd_parse_int("--threads", optarg, &v, &err))
				return cmd_fail(&err);
			if (v < 1 || v > 256)
				return cmd_usage_error(&cmd_serve_entry, "--threads must be from 1 to 256");
			so.threads = (unsigned)v;
			break;
		case OPT_DEADLINE:
			if (cmd_parse_float("--deadline", optarg, &d, &err))
				return cmd_fail(&err);
			if (!(d >= 0 && d <= 86400))
				return cmd_usage_error(&cmd_serve_entry, "--deadline must be from 0 to 86400 seconds");
			so.deadline = d;
			break;
		default:
			return cmd_usage_error(&cmd_serve_entry, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(&cmd_serve_entry, "unexpected argument '%s'", argv[optind]);

	/* what --db holds is checked now (another program's database is refused);
	 * the workers only read, and a store made later shows up when it appears */
	struct store *s;
	if (cmd_open_store(ctx, &s, &err))
		return cmd_fail(&err);
	char *db_path = strdup(store_path(s));
	if (store_is_missing(s) && !ctx->quiet)
		fprintf(stderr, "note: no store at '%s' yet: the list is empty until a profile is imported there\n",
			db_path);
	store_close(s);
	so.db_path = db_path;

	/* Each request allocates and frees its answer: keep freed memory in the
	 * heap instead of handing it back to the kernel every time (page faults
	 * and madvise were a fifth of the table endpoint's time). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);

	/* the workers inherit this mask: only the main thread takes Ctrl-C */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct pv_server *srv;
	if (pv_server_start(&so, &srv, &err)) {
		free(db_path);
		return cmd_fail(&err);
	}
	if (so.port && pv_server_port(srv) != so.port && !ctx->quiet)
		fprintf(stderr, "note: port %u is in use; serving on port %u instead\n", so.port, pv_server_port(srv));
	printf("profview: serving %s at %s (Ctrl-C to stop)\n", db_path, pv_server_url(srv));
	fflush(stdout);
	if (open_browser)
		serve_open_browser(pv_server_url(srv), ctx->quiet);

	int sig = 0;
	sigwait(&stop, &sig);
	if (serve_stop(srv, SERVE_STOP_SECONDS)) {
		if (!ctx->quiet)
			fprintf(stderr, "profview: stopped (a request that cannot be interrupted was left running)\n");
		fflush(stdout);
		_exit(EXIT_OK);	/* its thread still uses the server: nothing may be freed under it */
	}
	if (!ctx->quiet)
		fprintf(stderr, "profview: stopped\n");
	free(db_path);
	return EXIT_OK;
}

const struct cmd_entry cmd_serve_entry = { "serve", cmd_serve, serve_usage,
					   "serve the store in a web browser (and a JSON API)" };
