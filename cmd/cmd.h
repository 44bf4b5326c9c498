/* The command table and what commands share: options every command takes, the
 * store, resolving a PROFILE argument, printing errors once. Only cmd/ talks to
 * the user. */
#ifndef PV_CMD_H
#define PV_CMD_H

#include "../analysis/error.h"
#include "../analysis/store.h"
#include "../formats/profile_file.h"
#include <getopt.h>
#include <stdio.h>

struct cmd_ctx {
	const char *db_path;	/* --db, NULL for the default store */
	int quiet;		/* -q */
	const char *importing;	/* the file being read and stored, for cmd_out_of_memory() */
};

struct cmd_entry {
	const char *name;
	int (*fn)(int argc, char **argv, struct cmd_ctx *ctx);
	const char *usage;	/* full --help text */
	const char *summary;	/* one line for `profview --help` */
};

extern const struct cmd_entry cmd_sort_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_rm_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_sql_entry;
extern const struct cmd_entry cmd_callers_entry;
extern const struct cmd_entry cmd_callees_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_merge_entry;
extern const struct cmd_entry cmd_filter_entry;
extern const struct cmd_entry cmd_icicle_entry;
extern const struct cmd_entry cmd_callgraph_entry;
extern const struct cmd_entry cmd_serve_entry;

/* Exit codes (DESIGN.md §2). */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

/* Options every command accepts; commands append them to their tables. */
enum { OPT_DB = 0x1000, OPT_HELP, OPT_QUIET };
#define CMD_COMMON_OPTIONS                                              \
	{ "db", required_argument, NULL, OPT_DB },                      \
	{ "help", no_argument, NULL, OPT_HELP },                        \
	{ "quiet", no_argument, NULL, OPT_QUIET }

/* Handles a common option; returns 1 when it was one, -1 when the command should
 * exit (after --help), 0 otherwise. */
int cmd_common_option(int opt, const struct cmd_entry *e, struct cmd_ctx *ctx);

/* Prints the error once and returns the exit code (2 for usage errors). */
int cmd_fail(const struct pv_error *err);
int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The store (--db, else the default) opened for reading: nothing is created
 * until something is written (store_open()'s STORE_READ). */
int cmd_open_store(struct cmd_ctx *ctx, struct store **out, struct pv_error *err);

/* An allocation failed (xalloc_on_failure(), ctx a struct cmd_ctx): says so once,
 * naming the file being imported ("too large for the memory available (about N
 * MiB needed)"), and exits 1. Nothing is stored half: an import is one
 * transaction, and the store is written only after the file is read. */
void cmd_out_of_memory(void *ctx, size_t n);

/* A PROFILE argument: an existing file is imported (or found already stored by
 * its content); otherwise an id, a name, or "latest". *display_source and
 * *display_mtime are what pstats would show for it (the path as typed). */
struct cmd_profile_ref {
	int64_t id;
	int imported;		/* newly imported by this call */
	const char *display_source;	/* borrowed from arg, or NULL to use the stored one */
	int64_t display_mtime;
};
/* Importing one file: the ids of its profiles (one per thread), stored already
 * or read now. Release with cmd_import_release(). */
struct cmd_import {
	int64_t *ids;
	size_t n;
	int imported;		/* read and stored by this call */
	int64_t mtime;		/* the file's, in seconds */
};
struct read_options;
int cmd_import_path(struct cmd_ctx *ctx, struct store *s, const char *path, const struct read_options *o,
		    const char *name, struct cmd_import *im, struct pv_error *err);
void cmd_import_release(struct cmd_import *im);
/* Progress bars and colour: stderr is a terminal, not -q, NO_COLOR unset. */
int cmd_wants_progress(const struct cmd_ctx *ctx);
/* The note of what an estimated tree's budget left out (nothing when it left
 * nothing out, or with -q): export and icicle say it alike. */
void cmd_note_estimate_cut(const struct cmd_ctx *ctx, const struct estimate_cut *cut, const char *unit);

int cmd_resolve_profile(struct cmd_ctx *ctx, struct store *s, const char *arg, const char *name,
			struct cmd_profile_ref *ref, struct pv_error *err);

/* A PROFILE argument resolved and loaded whole; with strip_dirs, files as base
 * names (pstats' strip_dirs()). The caller frees *out. */
int cmd_load_profile(struct cmd_ctx *ctx, struct store *s, const char *arg, int strip_dirs, struct profile **out,
		     struct pv_error *err);
/* Saves a derived profile (merge, filter) and names it; when the name is
 * refused, a profile this call stored is removed again. */
int cmd_save_named(struct store *s, const struct profile *p, const char *name, int64_t *id, struct pv_error *err);

/* Where a command writes -o FILE (cmd/output.c; DESIGN.md "Writing files"):
 * standard output for NULL or "-"; a device, FIFO or open descriptor
 * (/dev/stdout, /dev/fd/N) written through as it is; otherwise the regular file
 * the name (or its chain of symlinks) leads to, which appears whole or not at
 * all: written to a temp file beside it, renamed over it on commit, keeping its
 * permission bits. Start from CMD_OUTPUT_INIT. */
struct cmd_output {
	FILE *f;
	const char *path;	/* as given; NULL for standard output */
	char *target;		/* the regular file replaced on commit; NULL when written through */
	char *dir;		/* target's folder, where the temp file lives */
	char *tmp;		/* the temp file's name while it has one */
	int unnamed;		/* the temp file is O_TMPFILE: named only at commit */
};
#define CMD_OUTPUT_INIT { stdout, NULL, NULL, NULL, NULL, 0 }
int cmd_output_open(struct cmd_output *o, const char *path, struct pv_error *err);
/* Flushes and puts the file in place; on failure removes the temp file. */
int cmd_output_commit(struct cmd_output *o, struct pv_error *err);
/* Drops an output not committed (safe after commit, and on stdout). */
void cmd_output_abort(struct cmd_output *o);
/* Whether path's last name ends with suffix (".svg"), ignoring case, with
 * something before it: how commands read a type from an -o name. */
int cmd_output_name_ends(const char *path, const char *suffix);
/* Whether f is one of formats, a comma-separated list ("text,json,csv"). */
int cmd_format_allowed(const char *formats, const char *f);

/* Parses a whole decimal integer / float option value; usage error otherwise. */
int cmd_parse_int(const char *opt, const char *s, long long *v, struct pv_error *err);
int cmd_parse_float(const char *opt, const char *s, double *v, struct pv_error *err);

#endif
