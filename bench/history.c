/* How long one function's history across many stored profiles takes: the
 * cross-profile lookup issue 16's `history` is made of (store_find_function()
 * per profile: a key chunk, a function chunk and the strings, no profile
 * loaded). Makes a store of N profiles of F functions each (the same
 * functions, numbers changing as a program's would between runs), then finds
 * one function in every profile, cold (a new connection) and warm.
 *   bench/history.sh [BUILDDIR] [N] [F] */
#include "../analysis/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static struct profile *make_profile(size_t nfuncs, unsigned run)
{
	struct profile *p = profile_new();
	char buf[96];
	for (size_t i = 0; i < nfuncs; i++) {
		snprintf(buf, sizeof(buf), "/srv/app/pkg%zu/module_%zu.py", i % 13, i % 211);
		uint32_t file = profile_intern(p, buf, strlen(buf));
		snprintf(buf, sizeof(buf), "function_%zu", i);
		uint32_t name = profile_intern(p, buf, strlen(buf));
		int added;
		uint32_t k = profile_func(p, file, (int64_t)(i % 900) + 1, name, &added);
		struct pv_func *f = &p->funcs[k];
		f->flags = PV_FUNC_IN_STATS;
		f->calls = f->pcalls = (int64_t)(i % 50 + run);
		f->tottime = (double)((i * 7 + run) % 1000) * 1e-5;
		f->cumtime = f->tottime * 3;
		p->nstats = k + 1;
	}
	snprintf(buf, sizeof(buf), "bench-history-%zu-%u", nfuncs, run);
	p->content_hash = arena_strdup(&p->arena, buf);
	p->source = arena_strdup(&p->arena, "bench.prof");
	p->source_mtime = -1;
	profile_compute_totals(p);
	return p;
}

static void die(const char *what, const struct pv_error *err)
{
	fprintf(stderr, "%s: ", what);
	pv_error_print(err, stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "bench/out";
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000, f = argc > 3 ? strtoul(argv[3], NULL, 10) : 5000;
	char path[512];
	snprintf(path, sizeof(path), "%s/history-%zu-%zu.db", dir, n, f);
	struct pv_error err;
	pv_error_clear(&err);
	struct store *s;
	if (store_open(path, STORE_WRITE, &s, &err))
		die("store_open", &err);
	int64_t have = 0;
	store_resolve(s, "latest", &have, &err);
	pv_error_clear(&err);
	double t0 = now_ms();
	for (size_t r = (size_t)have; r < n; r++) {
		struct profile *p = make_profile(f, (unsigned)r);
		int64_t id;
		int existed;
		if (store_save_profile(s, p, &id, &existed, &err))
			die("store_save_profile", &err);
		profile_free(p);
	}
	if ((size_t)have < n)
		printf("made %zu profiles of %zu functions in %.0f ms (%.2f ms each)\n", n - (size_t)have, f,
		       now_ms() - t0, (now_ms() - t0) / (double)(n - (size_t)have));
	store_close(s);
	char file[96], name[64];
	size_t pick = f / 3;
	snprintf(file, sizeof(file), "/srv/app/pkg%zu/module_%zu.py", pick % 13, pick % 211);
	snprintf(name, sizeof(name), "function_%zu", pick);
	for (int round = 0; round < 4; round++) {
		t0 = now_ms();
		double c0 = cpu_ms();
		if (store_open(path, STORE_READ, &s, &err))
			die("store_open", &err);
		size_t found = 0;
		double sum = 0;
		for (int64_t id = 1; id <= (int64_t)n; id++) {
			struct pv_func fn;
			int64_t idx;
			int rc = store_find_function(s, id, file, (int64_t)(pick % 900) + 1, name, &fn, &idx, &err);
			if (rc < 0)
				die("store_find_function", &err);
			found += rc == 1;
			sum += rc == 1 ? fn.tottime : 0;
		}
		store_close(s);
		printf("%s: %s:%lld(%s) in %zu of %zu profiles: %.1f ms wall, %.1f ms cpu (sum of tottime %.6f)\n",
		       round ? "again" : "first", file, (long long)(pick % 900) + 1, name, found, n, now_ms() - t0,
		       cpu_ms() - c0, sum);
	}
	return 0;
}
