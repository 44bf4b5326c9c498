#include "cmd.h"
#include "../web/server.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char serve_usage[] =
	"usage: profview serve [--host HOST] [--port PORT] [--open] [--threads N]\n"
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
	"  --threads N       worker threads (default: twice the CPUs, at least 4)\n"
	"  --db PATH         the store to serve\n"
	"\n"
	"Ctrl-C stops the server.\n"
	"\n"
	"Examples:\n"
	"  profview serve --open\n"
	"  profview serve --port 9000 --db team.db\n"
	"  curl -s localhost:8080/api/profiles | jq '.profiles[0]'\n";

enum { OPT_HOST = 1, OPT_PORT, OPT_OPEN, OPT_THREADS };

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

static int cmd_serve(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "host", required_argument, NULL, OPT_HOST },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "open", no_argument, NULL, OPT_OPEN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct pv_server_options so = { NULL, "127.0.0.1", 8080, 1, (unsigned)(cpus > 2 ? 2 * cpus : 4) };
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
	char *db_path = strdup(s->path);
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
	pv_server_stop(srv);
	if (!ctx->quiet)
		fprintf(stderr, "profview: stopped\n");
	free(db_path);
	return EXIT_OK;
}

const struct cmd_entry cmd_serve_entry = { "serve", cmd_serve, serve_usage,
					   "serve the store in a web browser (and a JSON API)" };
