/* analysis/sort_keys: which words pstats accepts as sort keys (every prefix of
 * every key name), what sort_spec_parse builds from them, and sort_entries'
 * order (stable, per-field direction). */
#include "unit.h"
#include "analysis/sort_keys.h"
#include "analysis/strbuf.h"

#include <stdlib.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Every prefix of every key of Python 3.11's pstats.Stats.sort_arg_dict_default and
 * the key its get_sort_arg_defs() maps it to (NULL: refused as ambiguous), as
 * printed by simulating get_sort_arg_defs() over sort_arg_dict_default in Python
 * (tests/cli/test_sort_keys.py checks the CLI against the live pstats). */
static const struct {
	const char *word, *canonical;
} prefixes[] = {
	{ "calls", "calls" },
	{ "call", "calls" },
	{ "cal", "calls" },
	{ "ca", "calls" },
	{ "c", NULL },
	{ "ncalls", "ncalls" },
	{ "ncall", "ncalls" },
	{ "ncal", "ncalls" },
	{ "nca", "ncalls" },
	{ "nc", "ncalls" },
	{ "n", NULL },
	{ "cumtime", "cumtime" },
	{ "cumtim", "cumtime" },
	{ "cumti", "cumtime" },
	{ "cumt", "cumtime" },
	{ "cum", NULL },
	{ "cu", "cumtime" },
	{ "cumulative", "cumulative" },
	{ "cumulativ", "cumulative" },
	{ "cumulati", "cumulative" },
	{ "cumulat", "cumulative" },
	{ "cumula", "cumulative" },
	{ "cumul", "cumulative" },
	{ "cumu", "cumulative" },
	{ "filename", "filename" },
	{ "filenam", "filename" },
	{ "filena", "filename" },
	{ "filen", "filename" },
	{ "file", "filename" },
	{ "fil", "filename" },
	{ "fi", "filename" },
	{ "f", "filename" },
	{ "line", "line" },
	{ "lin", "line" },
	{ "li", "line" },
	{ "l", "line" },
	{ "module", "module" },
	{ "modul", "module" },
	{ "modu", "module" },
	{ "mod", "module" },
	{ "mo", "module" },
	{ "m", "module" },
	{ "name", "name" },
	{ "nam", "name" },
	{ "na", "name" },
	{ "nfl", "nfl" },
	{ "nf", "nfl" },
	{ "pcalls", "pcalls" },
	{ "pcall", "pcalls" },
	{ "pcal", "pcalls" },
	{ "pca", "pcalls" },
	{ "pc", "pcalls" },
	{ "p", "pcalls" },
	{ "stdname", "stdname" },
	{ "stdnam", "stdname" },
	{ "stdna", "stdname" },
	{ "stdn", "stdname" },
	{ "std", "stdname" },
	{ "st", "stdname" },
	{ "s", "stdname" },
	{ "time", "time" },
	{ "tim", "time" },
	{ "ti", "time" },
	{ "t", NULL },
	{ "tottime", "tottime" },
	{ "tottim", "tottime" },
	{ "totti", "tottime" },
	{ "tott", "tottime" },
	{ "tot", "tottime" },
	{ "to", "tottime" },
};

static void test_every_prefix(void)
{
	for (size_t i = 0; i < NELEM(prefixes); i++) {
		const char *canon = "(untouched)";
		int ok = sort_key_lookup(prefixes[i].word, &canon);
		unit_case = prefixes[i].word;
		if (prefixes[i].canonical) {
			CHECK_INT(ok, 1);
			CHECK_STR(canon, prefixes[i].canonical);
		} else {
			CHECK_INT(ok, 0);
			CHECK_STR(canon, "(untouched)");
		}
		/* NULL canonical pointer is allowed */
		CHECK_INT(sort_key_lookup(prefixes[i].word, NULL), prefixes[i].canonical != NULL);
	}
	unit_case = "";
	/* not keys at all */
	static const char *const junk[] = { "", "x", "callsx", "Calls", "TIME", "file ", " time", "tottimee",
					    "cumulatives", "nfll", "names", "-", "0", "1", "-1", "2", "std-name",
					    "cumtime,name", "f\xc3\xa9" };
	for (size_t i = 0; i < NELEM(junk); i++) {
		unit_case = junk[i];
		CHECK_INT(sort_key_lookup(junk[i], NULL), 0);
	}
	unit_case = "";
}

static void check_spec(const char *keys, const char *sort_type, size_t nfields, const enum sort_field *fields,
		       const int *dirs)
{
	struct sort_spec spec;
	struct pv_error err;
	pv_error_clear(&err);
	unit_case = keys;
	int rc = sort_spec_parse(keys, &spec, &err);
	CHECK_INT(rc, 0);
	if (rc == 0) {
		CHECK_STR(spec.sort_type, sort_type);
		CHECK_INT(spec.nfields, nfields);
		int same = spec.nfields == nfields;
		for (size_t k = 0; same && k < nfields; k++)
			if (spec.field[k] != fields[k] || spec.dir[k] != dirs[k])
				same = 0;
		CHECK(same);
	}
	unit_case = "";
}

static void check_refused(const char *keys, const char *mention)
{
	struct sort_spec spec;
	struct pv_error err;
	pv_error_clear(&err);
	unit_case = keys;
	CHECK_INT(sort_spec_parse(keys, &spec, &err), -1);
	CHECK_INT(err.usage, 1);
	CHECK(strstr(err.message, "sort key") != NULL);
	if (mention)
		CHECK(strstr(err.message, mention) != NULL);
	unit_case = "";
}

static void test_parse(void)
{
	/* pstats: (((field, direction), ...), description); fields index (cc, nc, tt, ct,
	 * file, line, name, stdname) */
	static const struct {
		const char *key, *desc;
		size_t n;
		enum sort_field f[3];
		int d[3];
	} defs[] = {
		{ "calls", "call count", 1, { SORT_CALLS }, { -1 } },
		{ "ncalls", "call count", 1, { SORT_CALLS }, { -1 } },
		{ "cumtime", "cumulative time", 1, { SORT_CUMTIME }, { -1 } },
		{ "cumulative", "cumulative time", 1, { SORT_CUMTIME }, { -1 } },
		{ "filename", "file name", 1, { SORT_FILE }, { 1 } },
		{ "line", "line number", 1, { SORT_LINE }, { 1 } },
		{ "module", "file name", 1, { SORT_FILE }, { 1 } },
		{ "name", "function name", 1, { SORT_NAME }, { 1 } },
		{ "nfl", "name/file/line", 3, { SORT_NAME, SORT_FILE, SORT_LINE }, { 1, 1, 1 } },
		{ "pcalls", "primitive call count", 1, { SORT_PCALLS }, { -1 } },
		{ "stdname", "standard name", 1, { SORT_STDNAME }, { 1 } },
		{ "time", "internal time", 1, { SORT_TOTTIME }, { -1 } },
		{ "tottime", "internal time", 1, { SORT_TOTTIME }, { -1 } },
		/* abbreviations describe themselves like the key they stand for */
		{ "cu", "cumulative time", 1, { SORT_CUMTIME }, { -1 } },
		{ "file", "file name", 1, { SORT_FILE }, { 1 } },
		{ "nf", "name/file/line", 3, { SORT_NAME, SORT_FILE, SORT_LINE }, { 1, 1, 1 } },
		{ "s", "standard name", 1, { SORT_STDNAME }, { 1 } },
		/* the old profiler's numbers */
		{ "-1", "standard name", 1, { SORT_STDNAME }, { 1 } },
		{ "0", "call count", 1, { SORT_CALLS }, { -1 } },
		{ "1", "internal time", 1, { SORT_TOTTIME }, { -1 } },
		{ "2", "cumulative time", 1, { SORT_CUMTIME }, { -1 } },
	};
	for (size_t i = 0; i < NELEM(defs); i++)
		check_spec(defs[i].key, defs[i].desc, defs[i].n, defs[i].f, defs[i].d);

	static const enum sort_field f1[] = { SORT_TOTTIME, SORT_CUMTIME, SORT_NAME };
	static const int d1[] = { -1, -1, 1 };
	check_spec("time,cumulative,name", "internal time, cumulative time, function name", 3, f1, d1);
	static const enum sort_field f2[] = { SORT_PCALLS, SORT_NAME, SORT_FILE, SORT_LINE, SORT_STDNAME };
	static const int d2[] = { -1, 1, 1, 1, 1 };
	check_spec("pc,nfl,std", "primitive call count, name/file/line, standard name", 5, f2, d2);
	static const enum sort_field f3[] = { SORT_CALLS, SORT_CALLS };
	static const int d3[] = { -1, -1 };
	check_spec("calls,ncalls", "call count, call count", 2, f3, d3);

	check_refused("bogus", "'bogus'");
	check_refused("c", "'c'");
	check_refused("cum", "'cum'");
	check_refused("t", NULL);
	check_refused("n", NULL);
	check_refused("time,bogus", "'bogus'");
	check_refused("3", NULL);
	check_refused("-2", NULL);
	check_refused("", NULL);
	check_refused("Time", NULL);
	/* pstats has no limit on the number of keys; profview caps fields but must
	 * refuse cleanly rather than overflow */
	struct strbuf many = STRBUF_INIT;
	for (int i = 0; i < 100; i++)
		strbuf_adds(&many, i ? ",nfl" : "nfl");
	struct sort_spec spec;
	struct pv_error err;
	pv_error_clear(&err);
	int rc = sort_spec_parse(strbuf_str(&many), &spec, &err);
	CHECK(rc == -1 && err.usage == 1);
	strbuf_release(&many);
}

/* sort_entries on a small profile: descending numbers, ascending strings, ties
 * kept in entry order (Python's sort is stable). */
static struct profile *make_profile(void)
{
	static const struct {
		const char *file;
		int64_t line;
		const char *name;
		int64_t cc, nc;
		double tt, ct;
	} ents[] = {
		/* 0 */ { "b.py", 10, "f", 1, 5, 0.5, 2.0 },
		/* 1 */ { "a.py", 20, "g", 2, 5, 0.25, 3.0 },
		/* 2 */ { "~", 0, "<built-in method len>", 7, 7, 0.5, 0.5 },
		/* 3 */ { "a.py", 3, "g", 2, 2, 1.0, 1.0 },
		/* 4 */ { "b.py", 10, "e", 9, 9, 0.25, 2.0 },
		/* 5 */ { "a.py", 100, "h", 1, 5, 0.0, 0.0 },
	};
	struct profile *p = profile_new();
	for (size_t i = 0; i < NELEM(ents); i++) {
		uint32_t k = profile_func(p, profile_intern(p, ents[i].file, strlen(ents[i].file)), ents[i].line,
					  profile_intern(p, ents[i].name, strlen(ents[i].name)), NULL);
		p->funcs[k].pcalls = ents[i].cc;
		p->funcs[k].calls = ents[i].nc;
		p->funcs[k].tottime = ents[i].tt;
		p->funcs[k].cumtime = ents[i].ct;
		p->funcs[k].flags = PV_FUNC_IN_STATS;
	}
	p->nstats = p->nfuncs;
	return p;
}

static void check_order(struct profile *p, const char *keys, const uint32_t *want)
{
	struct sort_spec spec;
	struct pv_error err;
	pv_error_clear(&err);
	unit_case = keys;
	if (!CHECK_INT(sort_spec_parse(keys, &spec, &err), 0))
		return;
	uint32_t idx[6] = { 0, 1, 2, 3, 4, 5 };
	sort_entries(p, &spec, idx, 6);
	int same = 1;
	for (int i = 0; i < 6; i++)
		if (idx[i] != want[i])
			same = 0;
	if (!CHECK(same))
		fprintf(stderr, "    got %u %u %u %u %u %u\n", idx[0], idx[1], idx[2], idx[3], idx[4], idx[5]);
	unit_case = "";
}

static void test_sort_entries(void)
{
	struct profile *p = make_profile();
	/* the orders pstats gives (sort_stats(KEYS).fcn_list on the same dict, Python 3.11) */
	check_order(p, "calls", (const uint32_t[]){ 4, 2, 0, 1, 5, 3 });
	check_order(p, "pcalls", (const uint32_t[]){ 4, 2, 1, 3, 0, 5 });
	check_order(p, "time", (const uint32_t[]){ 3, 0, 2, 1, 4, 5 });
	check_order(p, "cumulative", (const uint32_t[]){ 1, 0, 4, 3, 2, 5 });
	check_order(p, "filename", (const uint32_t[]){ 1, 3, 5, 0, 4, 2 });
	check_order(p, "line", (const uint32_t[]){ 2, 3, 0, 4, 1, 5 });
	check_order(p, "name", (const uint32_t[]){ 2, 4, 0, 1, 3, 5 });
	check_order(p, "nfl", (const uint32_t[]){ 2, 4, 0, 3, 1, 5 });
	check_order(p, "stdname", (const uint32_t[]){ 5, 1, 3, 4, 0, 2 });
	check_order(p, "calls,name", (const uint32_t[]){ 4, 2, 0, 1, 5, 3 });
	check_order(p, "calls,time", (const uint32_t[]){ 4, 2, 0, 1, 5, 3 });
	check_order(p, "file,line", (const uint32_t[]){ 3, 1, 5, 0, 4, 2 });
	check_order(p, "time,cumulative", (const uint32_t[]){ 3, 0, 2, 1, 4, 5 });
	check_order(p, "-1", (const uint32_t[]){ 5, 1, 3, 4, 0, 2 });
	/* a sub-range */
	struct sort_spec spec;
	struct pv_error err;
	sort_spec_parse("name", &spec, &err);
	uint32_t idx[3] = { 5, 3, 1 };	/* h, g, g: ties fall back to entry order */
	sort_entries(p, &spec, idx, 3);
	CHECK(idx[0] == 1 && idx[1] == 3 && idx[2] == 5);
	sort_entries(p, &spec, idx, 0);	/* nothing to do */
	profile_free(p);
}

static void test_sql(void)
{
	struct sort_spec spec;
	struct pv_error err;
	char buf[1024];
	pv_error_clear(&err);
	sort_spec_parse("time,name", &spec, &err);
	sort_spec_sql(&spec, 0, buf, sizeof(buf));
	CHECK_STR(buf, "tottime DESC, name ASC, idx ASC");
	sort_spec_sql(&spec, 1, buf, sizeof(buf));
	CHECK_STR(buf, "tottime ASC, name DESC, idx DESC");
	sort_spec_parse("stdname", &spec, &err);
	sort_spec_sql(&spec, 0, buf, sizeof(buf));
	CHECK_STR(buf, "pv_stdname(file, line, name) ASC, idx ASC");
	sort_spec_parse("nfl,pcalls,calls,cumtime,line", &spec, &err);
	sort_spec_sql(&spec, 0, buf, sizeof(buf));
	CHECK_STR(buf, "name ASC, file ASC, line ASC, pcalls DESC, calls DESC, cumtime DESC, line ASC, idx ASC");
	/* a short buffer is cut, never overrun */
	char small[16];
	memset(small, 'Z', sizeof(small));
	sort_spec_sql(&spec, 0, small, 10);
	CHECK(memchr(small, '\0', 10) != NULL);
	CHECK(small[10] == 'Z');
}

int main(void)
{
	test_every_prefix();
	test_parse();
	test_sort_entries();
	test_sql();
	return UNIT_DONE();
}
