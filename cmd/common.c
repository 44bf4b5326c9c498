#include "cmd.h"
#include "../analysis/xalloc.h"
#include "../formats/profile_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cmd_common_option(int opt, const struct cmd_entry *e, struct cmd_ctx *ctx)
{
	switch (opt) {
	case OPT_DB:
		ctx->db_path = optarg;
		return 1;
	case OPT_QUIET:
		ctx->quiet = 1;
		return 1;
	case OPT_HELP:
		fputs(e->usage, stdout);
		return -1;
	default:
		return 0;
	}
}

int cmd_fail(const struct pv_error *err)
{
	fflush(stdout);
	pv_error_print(err, stderr);
	return err->usage ? EXIT_USAGE : EXIT_ERROR;
}

int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: see 'profview %s --help'\n", e->name);
	return EXIT_USAGE;
}

int cmd_open_store(struct cmd_ctx *ctx, struct store **out, struct pv_error *err)
{
	char *path = ctx->db_path ? xstrdup(ctx->db_path) : store_default_path();
	int rc = store_open(path, STORE_READ, out, err);
	free(path);
	return rc;
}

void cmd_out_of_memory(void *arg, size_t n)
{
	const struct cmd_ctx *ctx = arg;
	struct pv_error err;
	uint64_t need = (uint64_t)xalloc_in_use() + n;
	pv_error_clear(&err);
	if (ctx->importing) {
		pv_error_subject(&err, ctx->importing);
		xalloc_need_error(&err, need);
	} else {
		pv_error_set(&err, "out of memory (about %llu MiB needed)", (unsigned long long)((need + (1 << 20) - 1) >> 20));
	}
	exit(cmd_fail(&err));
}

/* A progress line on a terminal while a big file streams in. */
struct cmd_progress {
	const char *path;
	struct timespec last;
	int shown;
};

static void cmd_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct cmd_progress *pr = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (pr->shown && (now.tv_sec - pr->last.tv_sec) * 1000000000L + (now.tv_nsec - pr->last.tv_nsec) < 100000000L)
		return;
	pr->last = now;
	pr->shown = 1;
	int pct = total ? (int)(done * 100 / total) : 0;
	int bar = pct / 4;
	fprintf(stderr, "\rimporting %.40s [%.*s%*s] %3d%% %llu/%llu MB", pr->path, bar,
		"#########################", 25 - bar, "", pct, (unsigned long long)(done >> 20),
		(unsigned long long)(total >> 20));
	fflush(stderr);
}

int cmd_wants_progress(const struct cmd_ctx *ctx)
{
	const char *nc = getenv("NO_COLOR");
	return !ctx->quiet && isatty(2) && !(nc && *nc);
}

void cmd_import_release(struct cmd_import *im)
{
	free(im->ids);
	memset(im, 0, sizeof(*im));
}

/* Prints what the reader noticed but did not refuse. */
static void cmd_reader_warnings(const char *path, const struct profile_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct profile *p = l->v[i];
		struct pv_error w;
		pv_error_clear(&w);
		pv_error_subject(&w, path);
		if (p->skipped_lines) {
			pv_error_set(&w, "skipped %lld malformed line%s, first at line %lld", (long long)p->skipped_lines,
				     p->skipped_lines == 1 ? "" : "s", (long long)p->first_skipped_line);
			pv_error_print_as(&w, "warning", stderr);
		}
		if (p->repaired_events) {
			pv_error_set(&w, "profile %d: repaired %lld event%s (--lenient)", p->part < 0 ? 0 : p->part,
				     (long long)p->repaired_events, p->repaired_events == 1 ? "" : "s");
			pv_error_print_as(&w, "warning", stderr);
		}
	}
}

/* The name of part i of a file imported with --name NAME: NAME, NAME.2, NAME.3 ... */
static char *cmd_part_name(const char *name, size_t i)
{
	if (i == 0)
		return xstrdup(name);
	char *nm = xmalloc(strlen(name) + 24);
	sprintf(nm, "%s.%zu", name, i + 1);
	return nm;
}

/* Names profiles that were stored already (found by content or the stat cache):
 * one more name for each, said when it had another. */
static int cmd_name_stored(struct cmd_ctx *ctx, struct store *s, const int64_t *ids, size_t n, const char *name,
			   struct pv_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *nm = cmd_part_name(name, i);
		struct store_meta m;
		rc = store_get_meta(s, ids[i], &m, err) || store_add_name(s, ids[i], nm, err) ? -1 : 0;
		if (rc == 0 && m.nnames && !ctx->quiet) {
			int had = 0;
			for (size_t k = 0; k < m.nnames; k++)
				had |= strcmp(m.names[k], nm) == 0;
			if (!had)
				fprintf(stderr, "note: profile %lld is stored already, named '%s'; '%s' is one more name for it\n",
					(long long)ids[i], m.names[0], nm);
		}
		store_meta_release(&m);
		free(nm);
	}
	return rc;
}

static int cmd_read_and_save(struct cmd_ctx *ctx, struct store *s, const char *path, const struct read_options *o,
			     const char *name, struct file_facts *facts, struct cmd_import *im, struct pv_error *err)
{
	struct profile_list l = { 0 };
	struct read_options ro = *o;
	struct cmd_progress pr = { path, { 0, 0 }, 0 };
	int existed = 0, rc = -1;
	if (cmd_wants_progress(ctx) && facts->size > (64 << 20)) {
		ro.progress = cmd_progress_cb;
		ro.progress_ctx = &pr;
	}
	rc = profile_read_path(path, &ro, &l, err);
	if (pr.shown)
		fputs("\r\033[K", stderr);
	if (rc)
		return -1;
	cmd_reader_warnings(path, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct profile *p = l.v[i];
		if (name) {
			char *nm = cmd_part_name(name, i);
			p->name = arena_strdup(&p->arena, nm);
			free(nm);
		}
		/* the stat cache finds a file read as its content says; one read with
		 * a unit or metric of its own is found by its content and options */
		if (read_options_reinterpret(o))
			continue;
		p->source_abspath = arena_strdup(&p->arena, facts->abspath);
		p->source_size = facts->size;
		p->source_mtime_ns = facts->mtime_ns;
	}
	im->ids = xcalloc(l.n ? l.n : 1, sizeof(int64_t));
	im->n = l.n;
	rc = store_save_profiles(s, l.v, l.n, im->ids, &existed, err);
	im->imported = rc == 0 && !existed;
	if (rc == 0 && existed && name)
		rc = cmd_name_stored(ctx, s, im->ids, im->n, name, err);
	profile_list_release(&l);
	return rc;
}

int cmd_import_path(struct cmd_ctx *ctx, struct store *s, const char *path, const struct read_options *o,
		    const char *name, struct cmd_import *im, struct pv_error *err)
{
	struct file_facts facts;
	memset(im, 0, sizeof(*im));
	if (profile_file_facts(path, &facts, err))
		return -1;
	im->mtime = facts.mtime;
	im->ids = xcalloc(PV_MAX_PARTS, sizeof(int64_t));
	int rc = read_options_reinterpret(o) ? 0
					     : store_find_source(s, facts.abspath, facts.size, facts.mtime_ns, o->merge,
								 im->ids, PV_MAX_PARTS, &im->n, err);
	if (rc == 0 && im->n == 0) {
		free(im->ids);
		im->ids = NULL;
		ctx->importing = path;
		rc = cmd_read_and_save(ctx, s, path, o, name, &facts, im, err);
		ctx->importing = NULL;
	} else if (rc == 0 && name) {
		/* found by the stat cache: name what is there */
		rc = cmd_name_stored(ctx, s, im->ids, im->n, name, err);
	}
	file_facts_release(&facts);
	if (rc)
		cmd_import_release(im);
	return rc;
}

int cmd_resolve_profile(struct cmd_ctx *ctx, struct store *s, const char *arg, const char *name,
			struct cmd_profile_ref *ref, struct pv_error *err)
{
	struct stat st;
	memset(ref, 0, sizeof(*ref));
	ref->display_mtime = -1;
	if (!arg)
		arg = "latest";
	if (stat(arg, &st) != 0) {
		/* not a file: an id, a name or "latest", unless it can only be a path */
		if (strchr(arg, '/')) {
			pv_error_subject(err, arg);
			return pv_error_set(err, "%s", strerror(errno));
		}
		return store_resolve(s, arg, &ref->id, err);
	}
	if (S_ISDIR(st.st_mode)) {
		pv_error_subject(err, arg);
		return pv_error_set(err, "is a directory, not a profile");
	}
	struct read_options o = { 0 };
	struct cmd_import im;
	if (cmd_import_path(ctx, s, arg, &o, name, &im, err))
		return -1;
	ref->id = im.ids[0];
	ref->imported = im.imported;
	ref->display_source = arg;
	ref->display_mtime = im.mtime;
	if (im.n > 1 && !ctx->quiet)
		fprintf(stderr, "note: '%s' holds %zu profiles (ids %lld to %lld); using %lld\n", arg, im.n,
			(long long)im.ids[0], (long long)im.ids[im.n - 1], (long long)im.ids[0]);
	cmd_import_release(&im);
	return 0;
}

int cmd_parse_int(const char *opt, const char *s, long long *v, struct pv_error *err)
{
	char *end;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (!*s || *end)
		return pv_error_usage(err, "%s needs an integer, not '%s'", opt, s);
	/* Python ints have no bound; beyond int64 strtoll saturates, which keeps the
	 * meaning ("more than any list" or "negative") */
	return 0;
}

int cmd_parse_float(const char *opt, const char *s, double *v, struct pv_error *err)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (!*s || *end)
		return pv_error_usage(err, "%s needs a number, not '%s'", opt, s);
	return 0;
}

int cmd_save_named(struct store *s, const struct profile *p, const char *name, int64_t *id, struct pv_error *err)
{
	int existed;
	if (store_save_profile(s, p, id, &existed, err))
		return -1;
	if (name && store_add_name(s, *id, name, err)) {
		/* the name was refused: leave the store as it was */
		struct pv_error ignored;
		pv_error_clear(&ignored);
		if (!existed)
			store_delete_profile(s, *id, &ignored);
		return -1;
	}
	return 0;
}

int cmd_load_profile(struct cmd_ctx *ctx, struct store *s, const char *arg, int strip_dirs, struct profile **out,
		     struct pv_error *err)
{
	struct cmd_profile_ref ref;
	struct profile *p = NULL;
	if (cmd_resolve_profile(ctx, s, arg, NULL, &ref, err) || store_load_profile(s, ref.id, &p, err))
		return -1;
	if (strip_dirs) {
		struct profile *q = profile_strip_dirs(p);
		profile_free(p);
		p = q;
	}
	*out = p;
	return 0;
}

void cmd_note_estimate_cut(const struct cmd_ctx *ctx, const struct estimate_cut *cut, const char *unit)
{
	if (ctx->quiet || !cut->boxes)
		return;
	char text[160];
	estimate_cut_describe(cut, unit, text, sizeof(text));
	fprintf(stderr, "note: the estimated tree is bounded at %zu frames, linear in the profile (docs/estimated-tree.md); "
			"%s; their functions' time is in their other boxes, or under [folded away]\n",
		cut->max_frames, text);
}
