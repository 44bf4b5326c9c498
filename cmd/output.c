/* -o FILE for every command that writes one (DESIGN.md "Writing files"): write
 * through to what is not a regular file, follow symlinks to the file they name,
 * and replace a regular file atomically with a temp file made beside it that
 * never follows a name someone else planted. */
#include "cmd.h"
#include "../analysis/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The kernel's own limit on symlinks in one lookup (MAXSYMLINKS). */
enum { OUTPUT_MAX_LINKS = 40, OUTPUT_NAME_TRIES = 100 };

/* "cannot write: WHY" about the path as the user gave it. */
static int output_fail(struct cmd_output *o, struct pv_error *err, int errnum)
{
	pv_error_subject(err, o->path);
	return pv_error_set(err, "cannot write: %s", strerror(errnum));
}

/* The descriptor a path names (/dev/stdout, /dev/fd/N, /proc/self/fd/N), or -1:
 * those are written through the descriptor itself, not reopened or replaced. */
static int output_fd_name(const char *path)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
	if (!strcmp(path, "/dev/stdout"))
		return 1;
	if (!strcmp(path, "/dev/stderr"))
		return 2;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(path, prefixes[i], n) || !path[n] || strspn(path + n, "0123456789") != strlen(path + n) ||
		    strlen(path + n) > 9)
			continue;
		return atoi(path + n);
	}
	return -1;
}

/* The folder part of a path ("." when it has none), newly allocated. */
static char *output_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* dir/name, newly allocated ("name" in ".", no doubled slash in "/"). */
static char *output_join(const char *dir, const char *name)
{
	if (!strcmp(dir, "."))
		return xstrdup(name);
	char *s = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(s, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
	return s;
}

static const char *output_base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* What the symlink at path holds, newly allocated; NULL with errno set. */
static char *output_readlink(const char *path)
{
	size_t cap = 256;
	for (;;) {
		char *buf = xmalloc(cap);
		ssize_t n = readlink(path, buf, cap);
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (cap > 1 << 20) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		cap *= 2;
	}
}

/* Follows path's symlinks one at a time, each relative to its own folder, so a
 * dangling one still names the file to create. *real is the last name reached;
 * *st its lstat, or st_mode 0 when nothing is there yet; *fd_name the
 * descriptor it names (output_fd_name), or -1. */
static int output_resolve(struct cmd_output *o, char **real, struct stat *st, int *fd_name, struct pv_error *err)
{
	char *cur = xstrdup(o->path);
	for (int hops = 0;; hops++) {
		*fd_name = output_fd_name(cur);
		if (*fd_name >= 0)
			break;
		if (lstat(cur, st) != 0) {
			if (errno != ENOENT) {
				int e = errno;
				free(cur);
				return output_fail(o, err, e);
			}
			memset(st, 0, sizeof(*st));
			break;
		}
		if (!S_ISLNK(st->st_mode))
			break;
		char *link = NULL;
		if (hops == OUTPUT_MAX_LINKS)
			errno = ELOOP;
		else
			link = output_readlink(cur);
		if (!link) {
			int e = errno;
			free(cur);
			return output_fail(o, err, e);
		}
		char *next = link;
		if (link[0] != '/') {
			char *dir = output_dir(cur);
			next = output_join(dir, link);
			free(dir);
			free(link);
		}
		free(cur);
		cur = next;
	}
	*real = cur;
	return 0;
}

/* o writes into fd from now on (a stream over it), or err says why not. */
static int output_adopt(struct cmd_output *o, int fd, struct pv_error *err)
{
	o->f = fdopen(fd, "wb");
	if (!o->f) {
		int e = errno;
		close(fd);
		o->f = stdout;
		return output_fail(o, err, e);
	}
	return 0;
}

/* Writes through an open descriptor the path names (a dup, so closing it at
 * commit leaves the command's own standard output open). */
static int output_open_fd(struct cmd_output *o, int n, struct pv_error *err)
{
	fflush(stdout);
	fflush(stderr);
	int fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		pv_error_subject(err, o->path);
		return pv_error_set(err, "cannot write: descriptor %d is not open", n);
	}
	return output_adopt(o, fd, err);
}

/* Writes into a device, FIFO or socket as it is: no creating, no truncating, no
 * renaming; the last name must still be no symlink and no regular file once open. */
static int output_open_through(struct cmd_output *o, const char *real, struct pv_error *err)
{
	struct stat st;
	int fd = open(real, O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return output_fail(o, err, errno);
	if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		pv_error_subject(err, o->path);
		return pv_error_set(err, "cannot write: the file changed while it was being opened");
	}
	return output_adopt(o, fd, err);
}

/* A name for the temp file beside the target, "DIR/BASE.tmp-" and six random
 * letters, newly allocated. */
static char *output_tmp_name(const char *dir, const char *base, unsigned attempt)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[6];
	char tail[sizeof(r) + 1];
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long x = (unsigned long)getpid() * 2654435761UL ^ (unsigned long)time(NULL) ^ attempt * 40503UL;
		for (size_t i = 0; i < sizeof(r); i++, x >>= 6)
			r[i] = (unsigned char)x;
	}
	for (size_t i = 0; i < sizeof(r); i++)
		tail[i] = letters[r[i] % (sizeof(letters) - 1)];
	tail[sizeof(r)] = '\0';
	char *file = xmalloc(strlen(base) + sizeof(tail) + 8);
	sprintf(file, "%s.tmp-%s", base, tail);
	char *name = output_join(dir, file);
	free(file);
	return name;
}

/* A new file in dir for what will replace real. Preferably unnamed (O_TMPFILE):
 * a run killed by Ctrl-C then leaves nothing behind; it gets a name only at
 * commit (output_name_unnamed). Where the file system has no O_TMPFILE, or /proc
 * is missing (naming it needs /proc/self/fd), mkstemp: an O_EXCL name. */
static int output_create_temp(struct cmd_output *o, const char *dir, const char *base)
{
	int fd = -1;
	if (access("/proc/self/fd", X_OK) == 0) {
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0) {
			o->unnamed = 1;
			return fd;
		}
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return -1;
	}
	char *file = xmalloc(strlen(base) + 16);
	sprintf(file, "%s.tmp-XXXXXX", base);
	o->tmp = output_join(dir, file);
	free(file);
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(o->tmp);
		o->tmp = NULL;
		errno = e;
	}
	return fd;
}

/* The permission bits a new file gets from fopen: 0666 less the umask. The
 * umask can only be read by setting it; cmd/ runs one thread here. */
static mode_t output_new_mode(void)
{
	mode_t mask = umask(022);
	umask(mask);
	return 0666 & ~mask;
}

/* Gives the new file the old one's owner and group where we may (root rewriting
 * a user's file leaves it theirs, as an editor saving it does); where we may
 * not, it is ours, as any file we write is. */
static void output_keep_owner(int fd, const struct stat *st)
{
	if (st->st_uid == geteuid() && st->st_gid == getegid())
		return;
	if (fchown(fd, st->st_uid, st->st_gid) != 0 && fchown(fd, (uid_t)-1, st->st_gid) != 0)
		errno = 0;
}

/* Starts replacing the regular file real (or creating it when st_mode is 0):
 * a temp file beside it, with the old file's permission bits, or fopen's for a
 * new file. An existing file we may not write is refused, as `>` would. */
static int output_open_replace(struct cmd_output *o, const char *real, const struct stat *st, struct pv_error *err)
{
	const char *base = output_base(real);
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return output_fail(o, err, EISDIR);
	if (st->st_mode && faccessat(AT_FDCWD, real, W_OK, AT_EACCESS) != 0)
		return output_fail(o, err, errno);
	char *dir = output_dir(real);
	int fd = output_create_temp(o, dir, base);
	if (fd < 0) {
		int e = errno;
		pv_error_subject(err, o->path);
		if (e == ENOENT)
			pv_error_set(err, "cannot write: no folder '%s'", dir);
		else
			pv_error_set(err, "cannot write into '%s': %s", dir, strerror(e));
		free(dir);
		return -1;
	}
	o->target = xstrdup(real);
	o->dir = dir;
	mode_t mode = output_new_mode();
	if (st->st_mode) {
		output_keep_owner(fd, st);
		mode = st->st_mode & 0777;
	}
	if (fchmod(fd, mode) != 0 || !(o->f = fdopen(fd, "wb"))) {
		int e = errno;
		close(fd);
		o->f = stdout;
		return output_fail(o, err, e);
	}
	return 0;
}

int cmd_output_open(struct cmd_output *o, const char *path, struct pv_error *err)
{
	struct cmd_output init = CMD_OUTPUT_INIT;
	*o = init;
	if (!path || !strcmp(path, "-"))
		return 0;
	o->path = path;
	if (!*path) {
		pv_error_subject(err, path);
		return pv_error_set(err, "cannot write: an empty file name");
	}
	char *real = NULL;
	struct stat st;
	int fd_name, rc;
	if (output_resolve(o, &real, &st, &fd_name, err))
		return -1;
	if (fd_name >= 0)
		rc = output_open_fd(o, fd_name, err);
	else if (S_ISDIR(st.st_mode))
		rc = output_fail(o, err, EISDIR);
	else if (st.st_mode && !S_ISREG(st.st_mode))
		rc = output_open_through(o, real, err);
	else
		rc = output_open_replace(o, real, &st, err);
	free(real);
	if (rc)
		cmd_output_abort(o);
	return rc;
}

/* Gives the unnamed temp file fd a fresh name beside the target: linkat never
 * follows or replaces an existing name, so a planted one is only skipped. */
static int output_name_unnamed(struct cmd_output *o, int fd)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (unsigned attempt = 0; attempt < OUTPUT_NAME_TRIES; attempt++) {
		char *name = output_tmp_name(o->dir, output_base(o->target), attempt);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0) {
			o->tmp = name;
			return 0;
		}
		int e = errno;
		free(name);
		errno = e;
		if (e != EEXIST)
			return -1;
	}
	return -1;
}

int cmd_output_commit(struct cmd_output *o, struct pv_error *err)
{
	if (o->f == stdout)
		return 0;
	FILE *f = o->f;
	o->f = stdout;
	int e = 0;
	if (fflush(f) != 0)
		e = errno;
	else if (ferror(f))
		e = EIO;
	/* the data reaches the disk before the new name does: after a crash the
	 * target holds the old file or the new one, never an empty one */
	else if (o->target && (fsync(fileno(f)) != 0 || (o->unnamed && output_name_unnamed(o, fileno(f)) != 0)))
		e = errno;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (!e && o->target && rename(o->tmp, o->target) != 0)
		e = errno;
	if (e) {
		output_fail(o, err, e);
		cmd_output_abort(o);
		return -1;
	}
	free(o->tmp);	/* renamed: nothing left to remove */
	o->tmp = NULL;
	cmd_output_abort(o);
	return 0;
}

void cmd_output_abort(struct cmd_output *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = stdout;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->target);
	free(o->dir);
	o->tmp = o->target = o->dir = NULL;
	o->unnamed = 0;
}

int cmd_output_name_ends(const char *path, const char *suffix)
{
	if (!path)
		return 0;
	const char *base = output_base(path);
	size_t n = strlen(base), k = strlen(suffix);
	return n > k && !strcasecmp(base + n - k, suffix);
}
