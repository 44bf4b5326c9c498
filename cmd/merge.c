#include "cmd.h"
#include "../analysis/merge.h"
#include "../analysis/xalloc.h"
#include "../formats/stat_write.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char merge_usage[] =
	"usage: profview merge PROFILE... [--name NAME]\n"
	"\n"
	"Sum profiles into one new stored profile and print its id. cProfile data sums as\n"
	"pstats.Stats(A, B, ...) does (stats and callers added, functions in the order pstats\n"
	"meets them, the header listing every input), so sort, callers and callees print\n"
	"what pstats prints for them. Sampled and evented profiles (of one unit) become one\n"
	"call tree. A file holding several threads takes part with all of them.\n"
	"\n"
	"PROFILE is a file (imported on the fly), a stored id, a name or 'latest'.\n"
	"\n"
	"  --name NAME   name the result (a stored name may be used as PROFILE later)\n"
	"  --db PATH     the store to use\n"
	"\n"
	"Examples:\n"
	"  profview merge run1.prof run2.prof run3.prof --name nightly\n"
	"  profview sort nightly --by cumulative --limit 20\n"
	"  profview merge threads.speedscope.json --name all-threads\n";

enum { OPT_NAME = 1 };

struct merge_inputs {
	int64_t *ids;
	char **lines;	/* pstats' header line of each input */
	size_t n, cap_ids, cap_lines;
};

static void merge_inputs_add(struct merge_inputs *in, int64_t id, char *line)
{
	xgrow((void **)&in->ids, &in->cap_ids, in->n + 1, sizeof(*in->ids));
	xgrow((void **)&in->lines, &in->cap_lines, in->n + 1, sizeof(*in->lines));
	in->ids[in->n] = id;
	in->lines[in->n] = line;
	in->n++;
}

/* "ctime    source", as pstats' Stats(path) shows a loaded file */
static char *merge_header_line(int64_t mtime, const char *source)
{
	char when[64];
	size_t n = mtime >= 0 ? stat_ctime(mtime, when, sizeof(when)) : 0;
	size_t len = strlen(source) + (n ? n + 4 : 0) + 1;
	char *line = xmalloc(len);
	if (n)
		snprintf(line, len, "%s    %s", when, source);
	else
		snprintf(line, len, "%s", source);
	return line;
}

static int merge_resolve(struct cmd_ctx *ctx, struct store *s, const char *arg, struct merge_inputs *in,
			 struct pv_error *err)
{
	struct stat st;
	if (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode)) {
		struct read_options o = { 0 };
		struct cmd_import im;
		if (cmd_import_path(ctx, s, arg, &o, NULL, &im, err))
			return -1;
		for (size_t k = 0; k < im.n; k++)
			merge_inputs_add(in, im.ids[k], merge_header_line(im.mtime, arg));
		cmd_import_release(&im);
		return 0;
	}
	struct cmd_profile_ref ref;
	struct store_meta m;
	if (cmd_resolve_profile(ctx, s, arg, NULL, &ref, err) || store_get_meta(s, ref.id, &m, err))
		return -1;
	merge_inputs_add(in, ref.id, merge_header_line(m.source_mtime, m.source ? m.source : arg));
	store_meta_release(&m);
	return 0;
}

static int cmd_merge(int argc, char **argv, struct cmd_ctx *ctx)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	struct merge_inputs in = { 0 };
	struct profile **v = NULL;
	struct profile *merged = NULL;
	struct store *store = NULL;
	struct pv_error err;
	int rc = EXIT_ERROR, opt;
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, &cmd_merge_entry, ctx);
		if (common < 0) {
			rc = EXIT_OK;
			goto cleanup;
		}
		if (common)
			continue;
		if (opt == OPT_NAME) {
			name = optarg;
			if (!store_name_is_valid(name)) {
				rc = cmd_usage_error(&cmd_merge_entry,
						     "--name '%s' would read as an id or 'latest'; choose another", name);
				goto cleanup;
			}
			continue;
		}
		rc = cmd_usage_error(&cmd_merge_entry, "unknown or incomplete option '%s'", argv[optind - 1]);
		goto cleanup;
	}
	if (optind >= argc) {
		rc = cmd_usage_error(&cmd_merge_entry, "no PROFILE to merge");
		goto cleanup;
	}
	if (cmd_open_store(ctx, &store, &err))
		goto fail;
	for (int i = optind; i < argc; i++)
		if (merge_resolve(ctx, store, argv[i], &in, &err))
			goto fail;
	/* Stats(A, B, C) loads A, then add(B, C) adds them in reverse: C, then B */
	for (size_t i = 1, j = in.n - 1; i < j; i++, j--) {
		int64_t id = in.ids[i];
		char *line = in.lines[i];
		in.ids[i] = in.ids[j];
		in.lines[i] = in.lines[j];
		in.ids[j] = id;
		in.lines[j] = line;
	}
	v = xcalloc(in.n, sizeof(*v));
	for (size_t k = 0; k < in.n; k++)
		if (store_load_profile(store, in.ids[k], &v[k], &err))
			goto fail;
	merged = profile_merge(v, in.n, (const char *const *)in.lines, &err);
	if (!merged)
		goto fail;
	int64_t id;
	if (cmd_save_named(store, merged, name, &id, &err))
		goto fail;
	printf("%lld\n", (long long)id);
	rc = EXIT_OK;
	goto cleanup;
fail:
	rc = cmd_fail(&err);
cleanup:
	for (size_t k = 0; k < in.n; k++) {
		if (v)
			profile_free(v[k]);
		free(in.lines[k]);
	}
	free(v);
	free(in.ids);
	free(in.lines);
	profile_free(merged);
	store_close(store);
	return rc;
}

const struct cmd_entry cmd_merge_entry = { "merge", cmd_merge, merge_usage,
					   "sum profiles into one, like pstats.Stats(a, b, ...)" };
