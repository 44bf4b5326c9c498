/* Times the derived views of a cProfile profile phase by phase, after the load:
 * the estimated call tree, the folded and speedscope writers, the icicle page,
 * and what serve's icicle and sandwich endpoints do (build, focus, JSON). The
 * profile is read with prof_read_marshal(), timed on its own (the store's load
 * is not part of what is measured here). Not part of the tests: bench/README.md.
 *
 *   derived_phases FILE.prof [REPS]
 *
 * Each phase keeps its minimum wall and CPU time over REPS runs (default 3;
 * on a shared machine the CPU time is the steadier); outputs go to a
 * counting stream, so sizes are reported without writing them anywhere.
 */

#include "../analysis/icicle.h"
#include "../analysis/profile.h"
#include "../analysis/strbuf.h"
#include "../formats/icicle_write.h"
#include "../formats/prof_read.h"
#include "../formats/tree_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What serve asks for (web/api.h API_ICICLE_NODES, web/app.js DEPTH). */
#define SERVE_NODES 200000
#define SERVE_DEPTH 24
#define SERVE_SANDWICH_NODES 2000000
#define SERVE_SANDWICH_WORK 20000000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static ssize_t count_write(void *cookie, const char *buf, size_t n)
{
	(void)buf;
	*(size_t *)cookie += n;
	return (ssize_t)n;
}

/* A stream that only counts the bytes written to it. */
static FILE *counter(size_t *n)
{
	*n = 0;
	cookie_io_functions_t io = { NULL, count_write, NULL, NULL };
	FILE *f = fopencookie(n, "w", io);
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	return f;
}

#define MAX_PHASES 16
struct phases {
	const char *label[MAX_PHASES];
	double best[MAX_PHASES], best_cpu[MAX_PHASES];
	char note[MAX_PHASES][96];
	int n, i;
	double t, c;
};

static void ph_start(struct phases *ph)
{
	ph->i = 0;
	ph->t = now();
	ph->c = cpu();
}

static void ph_tock(struct phases *ph, const char *what, const char *note)
{
	double w = now() - ph->t, c = cpu() - ph->c;
	if (ph->i >= ph->n) {
		ph->label[ph->n] = what;
		ph->best[ph->n] = w;
		ph->best_cpu[ph->n] = c;
		ph->n++;
	} else {
		if (w < ph->best[ph->i])
			ph->best[ph->i] = w;
		if (c < ph->best_cpu[ph->i])
			ph->best_cpu[ph->i] = c;
	}
	snprintf(ph->note[ph->i], sizeof(ph->note[0]), "%s", note ? note : "");
	ph->i++;
	ph->t = now();
	ph->c = cpu();
}

static void die(const char *what, const struct pv_error *err)
{
	fprintf(stderr, "%s: %s\n", what, err->message);
	exit(1);
}

/* The function whose sandwich is asked for: the heaviest by cumtime below the
 * top (the one a user clicks first), by index for ties. */
static uint32_t pick_func(const struct profile *p)
{
	uint32_t best = 0;
	for (uint32_t i = 0; i < p->nstats; i++)
		if (p->funcs[i].cumtime > p->funcs[best].cumtime)
			best = i;
	return best;
}

static void run_once(struct phases *ph, const struct profile *p)
{
	char note[96];
	size_t bytes;
	struct pv_error err;
	pv_error_clear(&err);

	ph_start(ph);
	struct estimate_options eo = { 0, 1 };
	struct estimate_cut cut;
	struct profile *t = profile_estimate_tree_marked(p, &eo, NULL, &cut);
	snprintf(note, sizeof(note), "%zu nodes, %zu boxes / %.3g folded away", t->nnodes, cut.boxes, cut.weight);
	ph_tock(ph, "estimate tree (export's)", note);
	struct folded_counts c;
	if (folded_counts_choose(t, NULL, &c, &err))
		die("folded_counts_choose", &err);
	FILE *f = counter(&bytes);
	struct folded_stats st;
	folded_write(f, t, &c, &st);
	fclose(f);
	snprintf(note, sizeof(note), "%zu lines, %.1f MB", st.lines, bytes / 1e6);
	ph_tock(ph, "folded_write", note);
	f = counter(&bytes);
	if (speedscope_write(f, t, "bench", NULL, &err))
		die("speedscope_write", &err);
	fclose(f);
	snprintf(note, sizeof(note), "%.1f MB", bytes / 1e6);
	ph_tock(ph, "speedscope_write", note);
	profile_free(t);
	ph_tock(ph, "* free the tree", NULL);

	struct icicle ic;
	struct icicle_options io = { 2000000, NULL };
	icicle_build(&ic, p, &io);
	snprintf(note, sizeof(note), "%zu nodes, %zu cut", ic.n, ic.cut_nodes);
	ph_tock(ph, "icicle_build (icicle's, 2M)", note);
	struct icicle_page pg = { p, "bench", NULL };
	f = counter(&bytes);
	if (icicle_write_html(f, &ic, &pg, &err))
		die("icicle_write_html", &err);
	fclose(f);
	snprintf(note, sizeof(note), "%.1f MB", bytes / 1e6);
	ph_tock(ph, "icicle_write_html", note);
	icicle_release(&ic);
	ph_tock(ph, "* release", NULL);

	io.max_nodes = SERVE_NODES;
	icicle_build(&ic, p, &io);
	if (icicle_focus(&ic, NULL, 0, SERVE_DEPTH, &err))
		die("icicle_focus", &err);
	snprintf(note, sizeof(note), "%zu nodes, %zu depth cut", ic.n, ic.depth_cut);
	ph_tock(ph, "serve icicle: build 200k + focus depth 24", note);
	struct strbuf sb = STRBUF_INIT;
	icicle_write_json(&sb, &ic, &pg);
	snprintf(note, sizeof(note), "%.1f MB", sb.len / 1e6);
	strbuf_release(&sb);
	icicle_release(&ic);
	ph_tock(ph, "serve icicle: JSON", note);

	io.max_nodes = SERVE_SANDWICH_NODES;
	icicle_build(&ic, p, &io);
	ph_tock(ph, "serve sandwich: build 2M", NULL);
	struct icicle up, down;
	uint32_t fn = pick_func(p);
	if (icicle_sandwich(&ic, fn, SERVE_SANDWICH_WORK, &up, &down, &err))
		die("icicle_sandwich", &err);
	snprintf(note, sizeof(note), "func %u: %zu callers, %zu callees nodes", fn, up.n, down.n);
	ph_tock(ph, "serve sandwich: sandwich", note);
	icicle_write_json(&sb, &up, &pg);
	icicle_write_json(&sb, &down, &pg);
	snprintf(note, sizeof(note), "%.1f MB", sb.len / 1e6);
	strbuf_release(&sb);
	icicle_release(&up);
	icicle_release(&down);
	icicle_release(&ic);
	ph_tock(ph, "serve sandwich: JSON", note);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: derived_phases FILE.prof [REPS]\n");
		return 2;
	}
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	if (reps < 1)
		reps = 1;
	struct pv_error err;
	pv_error_clear(&err);
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	struct strbuf buf = STRBUF_INIT;
	char chunk[1 << 16];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0)
		strbuf_add(&buf, chunk, got);
	fclose(in);
	double t0 = now();
	struct profile *p = profile_new();
	if (prof_read_marshal((const uint8_t *)buf.buf, buf.len, p, &err))
		die("prof_read_marshal", &err);
	double load = now() - t0;
	strbuf_release(&buf);
	printf("%s: %zu functions (%zu stats), %zu edges; prof_read_marshal %.1f ms (not counted)\n", argv[1],
	       p->nfuncs, p->nstats, p->nedges, load * 1e3);
	struct phases ph;
	memset(&ph, 0, sizeof(ph));
	for (int r = 0; r < reps; r++)
		run_once(&ph, p);
	for (int i = 0; i < ph.n; i++)
		printf("  %-44s %8.1f ms wall %8.1f ms cpu  %s\n", ph.label[i], ph.best[i] * 1e3, ph.best_cpu[i] * 1e3,
		       ph.note[i]);
	profile_free(p);
	return 0;
}
