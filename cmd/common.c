#include "cmd.h"
#include "../analysis/xalloc.h"
#include "../formats/profile_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int cmd_open_store(struct cmd_ctx *ctx, int readonly, struct store **out, struct pv_error *err)
{
	char *path = ctx->db_path ? xstrdup(ctx->db_path) : store_default_path();
	int rc = store_open(path, readonly, out, err);
	free(path);
	return rc;
}

static int cmd_import_file(struct store *s, const char *path, const char *name, struct file_facts *facts,
			   struct cmd_profile_ref *ref, struct pv_error *err)
{
	struct profile *p = NULL;
	int existed = 0;
	if (profile_read_file(path, &p, err))
		return -1;
	p->name = name ? arena_strdup(&p->arena, name) : NULL;
	p->source_abspath = arena_strdup(&p->arena, facts->abspath);
	p->source_size = facts->size;
	p->source_mtime_ns = facts->mtime_ns;
	int rc = store_save_profile(s, p, &ref->id, &existed, err);
	ref->imported = rc == 0 && !existed;
	profile_free(p);
	return rc;
}

int cmd_resolve_profile(struct cmd_ctx *ctx, struct store *s, const char *arg, const char *name,
			struct cmd_profile_ref *ref, struct pv_error *err)
{
	(void)ctx;
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
	struct file_facts facts;
	if (profile_file_facts(arg, &facts, err))
		return -1;
	int rc = store_find_source(s, facts.abspath, facts.size, facts.mtime_ns, &ref->id, err);
	if (rc == 0 && ref->id == 0)
		rc = cmd_import_file(s, arg, name, &facts, ref, err);
	/* content already stored (stat cache or hash): name that profile */
	if (rc == 0 && name && !ref->imported)
		rc = store_set_name(s, ref->id, name, err);
	if (rc == 0) {
		ref->display_source = arg;
		ref->display_mtime = facts.mtime;
	}
	file_facts_release(&facts);
	return rc;
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
