#include "cmd.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char import_usage[] =
	"usage: profview import FILE... [--name NAME]\n"
	"\n"
	"Import profiles into the store and print their ids. Importing the same content\n"
	"again gives the same id. Each import is one transaction: a bad file leaves the\n"
	"store as it was.\n"
	"\n"
	"  --name NAME   a name to refer to the profile by (one FILE only)\n"
	"  --db PATH     the store to use\n"
	"\n"
	"Examples:\n"
	"  profview import out.prof --name before\n"
	"  profview sort before --by tottime\n";

enum { OPT_NAME = 1 };

static int cmd_import(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	struct pv_error err;
	struct store *store = NULL;
	int rc = EXIT_ERROR, opt;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_import_entry, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		if (opt == OPT_NAME) {
			name = optarg;
			continue;
		}
		return cmd_usage_error(&cmd_import_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (optind >= argc)
		return cmd_usage_error(&cmd_import_entry, "no FILE given");
	if (name && argc - optind > 1)
		return cmd_usage_error(&cmd_import_entry, "--name needs exactly one FILE");
	if (name && !store_name_is_valid(name))
		return cmd_usage_error(&cmd_import_entry,
				       "a name cannot be empty, 'latest', or a number (those mean ids): '%s'", name);
	if (cmd_open_store(ctx, 0, &store, &err)) {
		rc = cmd_fail(&err);
		goto cleanup;
	}
	rc = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct cmd_profile_ref ref;
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			pv_error_subject(&err, argv[i]);
			pv_error_set(&err, "%s", strerror(errno));
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		if (cmd_resolve_profile(ctx, store, argv[i], name, &ref, &err) != 0) {
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		if (!ref.display_source) {
			pv_error_subject(&err, argv[i]);
			pv_error_set(&err, "no such file");
			rc = cmd_fail(&err);
			pv_error_clear(&err);
			continue;
		}
		printf("%lld\n", (long long)ref.id);
	}
cleanup:
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_import_entry = { "import", cmd_import, import_usage,
					    "import profile files into the store" };
