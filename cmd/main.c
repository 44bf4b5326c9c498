/* profview: the command table and global options. */
#include "cmd.h"
#include "../analysis/xalloc.h"

#include <stdio.h>
#include <string.h>

#ifndef PROFVIEW_VERSION
#define PROFVIEW_VERSION "0.1.0"
#endif

static const struct cmd_entry *const commands[] = {
	&cmd_import_entry,
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_sort_entry,
	&cmd_callers_entry,
	&cmd_callees_entry,
	&cmd_diff_entry,
	&cmd_merge_entry,
	&cmd_filter_entry,
	&cmd_callgraph_entry,
	&cmd_icicle_entry,
	&cmd_serve_entry,
	&cmd_export_entry,
	&cmd_rm_entry,
	&cmd_sql_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void main_usage(FILE *out)
{
	fputs("usage: profview [--db PATH] [-q] COMMAND [ARGS]\n"
	      "       profview COMMAND --help\n"
	      "\n"
	      "Fast profile analysis: cProfile .prof files, folded stacks and speedscope JSON\n"
	      "in one SQLite store, read like pstats.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\nUnique prefixes of command names work (profview so = profview sort).\n", out);
}

/* Exact name, else a unique prefix. */
static const struct cmd_entry *main_find(const char *name)
{
	const struct cmd_entry *found = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
		if (strncmp(commands[i]->name, name, strlen(name)) == 0) {
			if (found)
				return NULL;
			found = commands[i];
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = { NULL, 0, NULL };
	int i = 1;
	xalloc_on_failure(cmd_out_of_memory, &ctx);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			ctx.db_path = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctx.db_path = argv[i] + 5;
		} else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
			ctx.quiet = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("profview %s\n", PROFVIEW_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			main_usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "error: unknown option '%s'\n", argv[i]);
			main_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	const struct cmd_entry *e = main_find(argv[i]);
	if (!e) {
		fprintf(stderr, "error: unknown or ambiguous command '%s'\n", argv[i]);
		main_usage(stderr);
		return EXIT_USAGE;
	}
	/* the command sees argv from its own name on, getopt-style */
	optind = 1;
	int rc = e->fn(argc - i, argv + i, &ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "error: cannot write output\n");
		return EXIT_ERROR;
	}
	return rc;
}
