/* analysis/store_open.c: opening another connection to a store never drops the
 * POSIX locks that this process's open connections hold on it.
 *
 * A read transaction on a WAL database holds a shared lock on a byte range of
 * the database file. POSIX locks belong to the process, and closing any
 * descriptor of the file drops them all: a store_open() that read the file's
 * header with open()/close() released the lock of every connection a server
 * had open, and an importing process then reset the WAL under them (about one
 * request in 5,000 answered "disk I/O error" or 404 with imports running). A
 * forked child asks with F_GETLK whether this process still holds the lock. */
#include "unit.h"
#include "analysis/store.h"
#include "analysis/store_private.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* SQLite's shared-lock range on the database file (os_unix.c, SHARED_FIRST/SIZE) */
#define SHARED_FIRST (0x40000000 + 2)
#define SHARED_SIZE 510

/* 1 when a process other than the caller's child sees a read lock of the
 * caller's on the shared range, 0 when it sees none, -1 on error. */
static int parent_holds_shared_lock(const char *path)
{
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(path, O_RDWR);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHARED_FIRST,
				    .l_len = SHARED_SIZE };
		if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0)
			_exit(2);
		_exit(fl.l_type == F_RDLCK && fl.l_pid == parent ? 1 : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	char dir[] = "/tmp/pv-store-locks-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char path[sizeof(dir) + 16];
	snprintf(path, sizeof(path), "%s/s.db", dir);
	struct pv_error err;
	pv_error_clear(&err);

	/* a store, in WAL mode, with its schema */
	struct store *w = NULL;
	CHECK(store_open(path, STORE_WRITE, &w, &err) == 0);

	/* a reader in a read transaction holds the shared lock */
	struct store *r = NULL;
	CHECK(store_open(path, STORE_READ, &r, &err) == 0);
	sqlite3_stmt *st = NULL;
	int64_t id;
	CHECK(r && store_resolve(r, "latest", &id, &err) != 0);	/* empty: no profile, the file read */
	pv_error_clear(&err);
	CHECK(r && sqlite3_prepare_v2(r->db, "SELECT count(*) FROM profiles", -1, &st, NULL) == SQLITE_OK);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);	/* the read transaction stays open until reset */
	CHECK_INT(parent_holds_shared_lock(path), 1);

	/* another connection opened, for reading and for writing: the lock stays */
	for (int mode = 0; mode < 2; mode++) {
		unit_case = mode ? "STORE_WRITE" : "STORE_READ";
		struct store *more = NULL;
		CHECK(store_open(path, mode ? STORE_WRITE : STORE_READ, &more, &err) == 0);
		CHECK(more && store_resolve(more, "latest", &id, &err) != 0);
		pv_error_clear(&err);
		store_close(more);
		CHECK_INT(parent_holds_shared_lock(path), 1);
	}
	unit_case = "";
	sqlite3_finalize(st);
	store_close(r);
	store_close(w);
	char cmd[sizeof(dir) + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return UNIT_DONE();
}
