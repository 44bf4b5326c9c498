/* Times a folded import phase by phase with the core library's own functions:
 * where 'profview import BIG.folded' spends its time. Not part of the build:
 * bench/folded_phases.sh compiles it against a libprofview.a.
 *
 *   folded_phases FILE.folded [WORKDIR] [REPS]
 *
 * Phases (each the minimum over REPS runs; the machine may be shared):
 *   read             read() the file in 1 MiB chunks, nothing else (page cache)
 *   read + sha256    the same with the content hash, one thread
 *   parse only       read() + folded_reader_feed() on one thread, no hash: the
 *                    line splitting, stack memo, prefix walk, interning, tree
 *   reader finish    folded_reader_finish(): function stats and edges from the tree
 *   profile_read_path  all of the above as import runs it (pump thread: read +
 *                    hash beside the parser)
 *   store_open       a fresh store in WORKDIR
 *   store_save       store_save_profiles(): the profile, its functions, edges
 *                    and every tree node in one transaction
 *   store_close      the WAL checkpoint and close
 * Also prints the profile's size and the peak RSS of the process so far.
 */
#include "../analysis/profile.h"
#include "../analysis/sha256.h"
#include "../analysis/store.h"
#include "../formats/folded_read.h"
#include "../formats/profile_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define NPH 8

static const char *labels[NPH] = { "read", "read + sha256", "parse only (1 thread, no hash)", "reader finish",
				   "profile_read_path (= import's read)", "store_open", "store_save",
				   "store_close (checkpoint)" };
static double best_wall[NPH], best_cpu[NPH];
static double t0w, t0c;

static double now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
static void tick(void)
{
	t0w = now(CLOCK_MONOTONIC);
	t0c = now(CLOCK_PROCESS_CPUTIME_ID);
}
static void tock(int i)
{
	double w = now(CLOCK_MONOTONIC) - t0w, c = now(CLOCK_PROCESS_CPUTIME_ID) - t0c;
	if (best_wall[i] == 0 || w < best_wall[i])
		best_wall[i] = w;
	if (best_cpu[i] == 0 || c < best_cpu[i])
		best_cpu[i] = c;
}

static void die(const char *what, struct pv_error *err)
{
	fprintf(stderr, "folded_phases: %s: %s\n", what, err ? err->message : "failed");
	exit(2);
}

static void rm_store(const char *db)
{
	char buf[4200];
	unlink(db);
	snprintf(buf, sizeof(buf), "%s-wal", db);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", db);
	unlink(buf);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: folded_phases FILE.folded [WORKDIR] [REPS]\n");
		return 2;
	}
	const char *path = argv[1], *work = argc > 2 ? argv[2] : "/tmp";
	int reps = argc > 3 ? atoi(argv[3]) : 3;
	char db[4096];
	snprintf(db, sizeof(db), "%s/folded-phases.db", work);
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return 2;
	}
	uint8_t *buf = malloc(CHUNK);
	size_t nnodes = 0, nfuncs = 0, nedges = 0;
	for (int rep = 0; rep < reps; rep++) {
		struct pv_error err;
		pv_error_clear(&err);
		/* read */
		int fd = open(path, O_RDONLY);
		tick();
		ssize_t r;
		while ((r = read(fd, buf, CHUNK)) > 0)
			;
		tock(0);
		/* read + sha256 */
		lseek(fd, 0, SEEK_SET);
		struct sha256 h;
		uint8_t d[32];
		tick();
		sha256_init(&h);
		while ((r = read(fd, buf, CHUNK)) > 0)
			sha256_update(&h, buf, (size_t)r);
		sha256_final(&h, d);
		tock(1);
		/* parse only */
		lseek(fd, 0, SEEK_SET);
		struct profile_list got = { 0 };
		tick();
		struct folded_reader *fr = folded_reader_new(NULL);
		while ((r = read(fd, buf, CHUNK)) > 0)
			if (folded_reader_feed(fr, buf, (size_t)r, &err))
				die("folded_reader_feed", &err);
		tock(2);
		tick();
		if (folded_reader_finish(fr, &got, &err))
			die("folded_reader_finish", &err);
		tock(3);
		folded_reader_free(fr);
		nnodes = got.v[0]->nnodes;
		nfuncs = got.v[0]->nfuncs;
		nedges = got.v[0]->nedges;
		profile_list_release(&got);
		close(fd);
		/* as import reads it */
		struct read_options ro;
		memset(&ro, 0, sizeof(ro));
		struct profile_list l = { 0 };
		tick();
		if (profile_read_path(path, &ro, &l, &err))
			die("profile_read_path", &err);
		tock(4);
		struct file_facts ff;
		if (profile_file_facts(path, &ff, &err))
			die("profile_file_facts", &err);
		for (size_t i = 0; i < l.n; i++) {
			l.v[i]->source_abspath = arena_strdup(&l.v[i]->arena, ff.abspath);
			l.v[i]->source_size = ff.size;
			l.v[i]->source_mtime_ns = ff.mtime_ns;
		}
		rm_store(db);
		struct store *s = NULL;
		tick();
		if (store_open(db, STORE_WRITE, &s, &err))
			die("store_open", &err);
		tock(5);
		int64_t ids[16];
		int existed = 0;
		tick();
		if (store_save_profiles(s, l.v, l.n, ids, &existed, &err))
			die("store_save_profiles", &err);
		tock(6);
		tick();
		store_close(s);
		tock(7);
		profile_list_release(&l);
		file_facts_release(&ff);
		rm_store(db);
	}
	double mb = (double)st.st_size / 1e6;
	printf("%s: %.1f MB; profile: %zu call-tree nodes, %zu functions, %zu edges; best of %d\n", path, mb, nnodes,
	       nfuncs, nedges, reps);
	printf("  %-38s %9s %9s %9s\n", "phase", "wall ms", "cpu ms", "MB/s");
	for (int i = 0; i < NPH; i++)
		printf("  %-38s %9.1f %9.1f %9.0f\n", labels[i], best_wall[i] * 1e3, best_cpu[i] * 1e3,
		       i <= 4 ? mb / best_wall[i] : 0.0);
	double store = best_wall[5] + best_wall[6] + best_wall[7];
	printf("  %-38s %9.1f %9s %9.0f\n", "import = read_path + store (sum)", (best_wall[4] + store) * 1e3, "",
	       mb / (best_wall[4] + store));
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("  peak RSS of this process: %.1f MiB\n", ru.ru_maxrss / 1024.0);
	free(buf);
	return 0;
}
