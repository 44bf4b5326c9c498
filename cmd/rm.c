#include "cmd.h"

#include <string.h>
#include <sys/stat.h>

static const char rm_usage[] =
	"usage: profview rm PROFILE...\n"
	"\n"
	"Remove profiles from the store, with their functions, edges, call trees and names.\n"
	"PROFILE is an id, a name, 'latest', or a file imported before (all the profiles\n"
	"read from it; the file itself is not touched).\n"
	"\n"
	"Examples:\n"
	"  profview rm 3 before\n"
	"  profview rm out.prof\n";

/* The ids a PROFILE argument names, without importing anything. */
static int rm_resolve(struct store *s, const char *arg, int64_t *ids, size_t max, size_t *n, struct pv_error *err)
{
	struct stat st;
	*n = 0;
	if (stat(arg, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (store_resolve(s, arg, &ids[0], err))
			return -1;
		*n = 1;
		return 0;
	}
	struct file_facts facts;
	if (profile_file_facts(arg, &facts, err))
		return -1;
	size_t got = 0;
	int rc = 0;
	for (int merged = 0; merged < 2 && rc == 0; merged++) {
		rc = store_find_source(s, facts.abspath, facts.size, facts.mtime_ns, merged, ids + *n, max - *n, &got, err);
		*n += got;
	}
	file_facts_release(&facts);
	if (rc == 0 && *n == 0) {
		pv_error_subject(err, arg);
		rc = pv_error_set(err, "this file (as it is now) is not in the store");
	}
	return rc;
}

static int cmd_rm(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = { CMD_COMMON_OPTIONS, { NULL, 0, NULL, 0 } };
	int rc = EXIT_ERROR, opt;
	struct pv_error err;
	struct store *store = NULL;
	int64_t ids[2 * PV_MAX_PARTS];
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_rm_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (!common)
			return cmd_usage_error(&cmd_rm_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_rm_entry, "no PROFILE given");
	if (cmd_open_store(ctx, &store, &err)) {
		rc = cmd_fail(&err);
		goto cleanup;
	}
	rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		size_t n;
		if (rm_resolve(store, argv[i], ids, sizeof(ids) / sizeof(ids[0]), &n, &err)) {
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			if (store_delete_profile(store, ids[k], &err)) {
				rc = cmd_fail(&err);
				pv_error_clear(&err);
				continue;
			}
			if (!ctx->quiet)
				printf("removed %lld\n", (long long)ids[k]);
		}
	}
cleanup:
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_rm_entry = { "rm", cmd_rm, rm_usage, "remove profiles from the store" };
