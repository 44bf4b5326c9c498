#include "stat_options.h"
#include "../analysis/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_BY = 1, OPT_LIMIT, OPT_FRACTION, OPT_MATCH, OPT_STRIP, OPT_REVERSE, OPT_FORMAT };

int cmd_format_allowed(const char *formats, const char *f)
{
	size_t n = strlen(f);
	for (const char *p = formats; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && n && strncmp(p, f, n) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

int cmd_stat_options_parse(int argc, char **argv, const struct cmd_entry *e, struct cmd_ctx *ctx,
			   const char *formats, struct cmd_stat_options *o)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "sort", required_argument, NULL, OPT_BY },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "fraction", required_argument, NULL, OPT_FRACTION },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "strip-dirs", no_argument, NULL, OPT_STRIP },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		CMD_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct pv_error err;
	size_t nrs = 0;
	int opt;
	memset(o, 0, sizeof(*o));
	o->rs = xcalloc((size_t)argc + 1, sizeof(*o->rs));
	o->format = "text";
	pv_error_clear(&err);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int common = cmd_common_option(opt, e, ctx);
		if (common < 0)
			return EXIT_OK;
		if (common)
			continue;
		long long n;
		double f;
		switch (opt) {
		case OPT_BY:
			o->q.by = optarg;
			break;
		case OPT_LIMIT:
			if (cmd_parse_int("--limit", optarg, &n, &err))
				return cmd_fail(&err);
			o->rs[nrs++] = (struct restriction){ .kind = RESTRICT_COUNT, .count = n };
			break;
		case OPT_FRACTION:
			if (cmd_parse_float("--fraction", optarg, &f, &err))
				return cmd_fail(&err);
			o->rs[nrs++] = (struct restriction){ .kind = RESTRICT_FRACTION, .fraction = f };
			break;
		case OPT_MATCH:
			o->rs[nrs++] = (struct restriction){ .kind = RESTRICT_REGEX, .regex = optarg };
			break;
		case OPT_STRIP:
			o->q.strip_dirs = 1;
			break;
		case OPT_REVERSE:
			o->q.reverse = 1;
			break;
		case OPT_FORMAT:
			if (!cmd_format_allowed(formats, optarg))
				return cmd_usage_error(e, "unknown --format '%s' (%s)", optarg, formats);
			o->format = optarg;
			break;
		default:
			return cmd_usage_error(e, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	for (int i = optind; i < argc; i++) {
		if (o->profile)
			return cmd_usage_error(e, "more than one PROFILE given ('%s')", argv[i]);
		o->profile = argv[i];
	}
	o->q.restrictions = o->rs;
	o->q.nrestrictions = nrs;
	return -1;
}

void cmd_stat_options_release(struct cmd_stat_options *o)
{
	free(o->rs);
	memset(o, 0, sizeof(*o));
}
