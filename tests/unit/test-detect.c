/* formats/detect.c (what a file is when it is not a profile) and the folded
 * evidence rule (formats/folded_read.c): small hand-made heads at the edges of
 * each recogniser, and real folded lines no recogniser may claim. The real
 * files are tests/foreign's. */
#include "unit.h"
#include "formats/detect.h"
#include "formats/folded_read.h"

#include <string.h>

/* The message detect_foreign gives (NULL when it claims nothing). */
static const char *detect(const char *head, size_t n, int complete, const char *path, int gzipped)
{
	static char buf[1200];
	struct pv_error err;
	pv_error_clear(&err);
	pv_error_subject(&err, path ? path : "x");
	if (!detect_foreign((const uint8_t *)head, n, complete, path, gzipped, &err))
		return NULL;
	if (!err.predicate)
		return "(not a predicate)";
	pv_error_format(&err, buf, sizeof(buf));
	return buf;
}

/* head (a C string) is claimed, and the message says "is WHAT". */
static void claimed(const char *head, int complete, const char *what)
{
	unit_case = what;
	const char *msg = detect(head, strlen(head), complete, "x", 0);
	char want[256];
	snprintf(want, sizeof(want), "'x' is %s", what);
	if (!CHECK(msg && strncmp(msg, want, strlen(want)) == 0))
		fprintf(stderr, "    got %s\n", msg ? msg : "(nothing)");
}

static void claimed_bytes(const char *head, size_t n, int complete, const char *what)
{
	unit_case = what;
	const char *msg = detect(head, n, complete, "x", 0);
	char want[256];
	snprintf(want, sizeof(want), "'x' is %s", what);
	if (!CHECK(msg && strncmp(msg, want, strlen(want)) == 0))
		fprintf(stderr, "    got %s\n", msg ? msg : "(nothing)");
}

static void not_claimed(const char *head, int complete)
{
	unit_case = head;
	const char *msg = detect(head, strlen(head), complete, "x", 0);
	if (!CHECK(msg == NULL))
		fprintf(stderr, "    claimed: %s\n", msg);
}

static void test_json(void)
{
	claimed("{\"name\":\"x\",\"traceEvents\":[{\"ph\":\"X\"}]}", 1, "a Chrome trace-event file");
	claimed("[{\"name\":\"a\",\"ph\":\"X\",\"ts\":1,\"pid\":1}]", 1, "a Chrome trace-event file");
	claimed("[ {\"pid\":1, \"ph\":\"B\", \"name\":\"f\"", 0, "a Chrome trace-event file");
	claimed("{\"startTime\":1,\"endTime\":2,\"samples\":[1],\"other\":[1]}", 1, "a Chrome/V8 CPU profile");
	claimed("{\"nodes\":[{\"id\":1,\"callFrame\"", 0, "a Chrome/V8 CPU profile");
	claimed("\xef\xbb\xbf {\"timeDeltas\":[]}", 1, "a Chrome/V8 CPU profile");
	claimed("{\"a.py:1(f)\": [1, 1, 0.5, 0.5, {}]}\n", 1, "JSON, but not speedscope JSON");
	claimed("[1, 2.5e3, -3, true, false, null, \"s\\\"q\"]\n", 1, "JSON, but not speedscope JSON");
	claimed("{}", 1, "JSON, but not speedscope JSON");
	/* speedscope, wherever its keys come */
	not_claimed("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"profiles\":[]}", 1);
	not_claimed("{\"name\":\"x\",\"nested\":{\"nodes\":[]},\"shared\":{\"frames\":[]}}", 1);
	not_claimed("{\"exporter\":\"py-spy\"", 0);
	/* undecided when the head ends; invalid JSON is left to the readers */
	not_claimed("{\"a\": 1, \"b\": [1, 2", 0);
	not_claimed("{\"a\": 1, \"b\": [1, 2", 1);
	not_claimed("{\"a\":1} 5\n", 1);
	not_claimed("{} 5\n", 1);
	not_claimed("[unknown];main;f 5\n[unknown];g 1\n", 1);
	not_claimed("[nfs];x 3\n", 1);
	not_claimed("[1, 2,]", 1);
	not_claimed("{\"a\" 1}", 1);
	char deep[300];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	not_claimed(deep, 1);
}

static void test_binary(void)
{
	/* pprof: sample_type {type 1, unit 2}, period 5760 */
	static const char pprof[] = "\x0a\x04\x08\x01\x10\x02\x60\x80\x2d";
	claimed_bytes(pprof, sizeof(pprof) - 1, 1, "a pprof profile");
	/* time_nanos first (Go's order), then a sample_type, then a string table cut by the head */
	static const char go[] = "\x48\x8c\x80\x01\x0a\x04\x08\x01\x10\x02\x32\x90\x03" "abc";
	claimed_bytes(go, sizeof(go) - 1, 0, "a pprof profile");
	unit_case = "pprof cut, but the file ends there";
	CHECK(detect(go, sizeof(go) - 1, 1, "x", 0) == NULL);
	static const char vt3[] = "\x0a\x04\x08\x01\x18\x02\x60\x01";	/* a ValueType with field 3 */
	unit_case = "not a ValueType";
	CHECK(detect(vt3, sizeof(vt3) - 1, 1, "x", 0) == NULL);
	not_claimed("\n\nfoo;bar 1\n", 1);
	not_claimed("H1P2`3", 1);
	claimed_bytes("MOJ\x03\x01" "austin\0" "3.6.0", 17, 1, "Austin's binary MOJO output");
	not_claimed("MOJO is a language;x 1\n", 1);
	claimed_bytes("PERFILE2h\0\0\0", 12, 1, "a perf.data recording");
	claimed_bytes("\x7f" "ELF\x02\x01\x01", 7, 1, "an ELF executable");
	claimed_bytes("\x89PNG\r\n\x1a\n\0\0", 10, 1, "a PNG picture");
	claimed("%PDF-1.7\n", 1, "a PDF document");
	claimed_bytes("gmon\x01\0\0\0\0\0", 10, 1, "a gmon.out profile");
	not_claimed("gmon;main 3\n", 1);
	claimed_bytes("\xfd" "7zXZ\0\0", 7, 1, "xz-compressed");
	claimed("BZh91AY&SY", 1, "bzip2-compressed");
	not_claimed("BZh;main 1\n", 1);
	claimed_bytes("\x28\xb5\x2f\xfd\x00", 5, 1, "zstd-compressed");
	claimed_bytes("PK\x03\x04\x14\0", 6, 1, "a ZIP archive");
}

static void test_text(void)
{
	claimed("# callgrind format\nversion: 1\n", 1, "a callgrind profile");
	claimed("version: 1\ncreator: yappi\npid: 1\ncmd: x\npart: 1\n\nevents: Ticks\nfl=a.py\nfn=f\n1 2\n"
		"cfn=g\ncalls=1 0\n0 5\n", 1, "a callgrind profile");
	claimed("desc: I1 cache:\ncmd: ./a\nevents: Ir\nfl=a.c\nfn=main\n3 10\n4 2\n", 1, "cachegrind output");
	claimed("-------------------------------------------------------------------------------\n"
		"Profile data file 'callgrind.out.1' (creator: callgrind-3.19.0)\n", 1, "callgrind_annotate output");
	claimed("-------------------------------------------------------------------------------\n"
		"I1 cache:\nCommand:          ./work\nData file:        cachegrind.out\nEvents recorded:  Ir\n", 1,
		"cg_annotate output");
	claimed("desc: --massif-out-file=m\ncmd: ./w\ntime_unit: i\n#-----------\nsnapshot=0\n", 1,
		"a valgrind massif heap profile");
	claimed("------------------------------------------------------------------------------\n"
		"Command:            ./w\nMassif arguments:   (none)\n", 1, "ms_print output");
	claimed("Flat profile:\n\nEach sample counts as 0.01 seconds.\n", 1, "gprof output");
	claimed("         12 function calls in 0.000 seconds\n\n   Ordered by: standard name\n\n"
		"   ncalls  tottime  percall  cumtime  percall filename:lineno(function)\n", 1, "pstats' printed text");
	claimed("python3 1234 [000] 12.345678:     250000 cpu-clock:pppH: \n"
		"\t    7f12a4b0 fib+0x10 (/usr/bin/python3.11)\n\t    55d0 main+0x5 (/x)\n\n", 1,
		"raw perf script output");
	claimed("work 7 12.345678:  1 cpu-clock:  11db spin+0x33 (/tmp/work)\n"
		"work 7 12.345679:  1 cpu-clock:  11db spin+0x33 (/tmp/work)\n", 1, "raw perf script output");
	claimed("# To display the perf.data header info, please use --header/--header-only options.\n#\n"
		"# Samples: 4  of event 'cpu-clock'\n# Event count (approx.): 8016032\n", 1, "perf report output");
	claimed("#!/usr/bin/env python3\nprint(1)\n", 1, "Python source");
	claimed("\"\"\"doc\"\"\"\nimport os\nx = 1\n\n\ndef f(a):\n    return a\n", 1, "Python source");
	claimed("from . import x\nclass A:\n    pass\n", 1, "Python source");
	claimed("<!DOCTYPE html>\n<html><body>x 1</body></html>\n", 1, "an HTML page");
	claimed("<?xml version=\"1.0\" standalone=\"no\"?>\n<svg version=\"1.1\">"
		"<text>Flame Graph</text></svg>\n", 1, "a flame graph picture (SVG)");
	claimed("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n", 1, "an SVG picture");
	claimed("<?xml version=\"1.0\"?>\n<root/>\n", 1, "an XML document");
	claimed("file,line,function,calls\na.py,1,f,3\nb.py,2,\"g, h\",4\n", 1, "CSV");

	/* real folded stacks: never claimed */
	not_claimed("<module> (a.py:1);f (a.py:10) 2\n<module> (a.py:1) 1\n", 1);
	not_claimed("work;__libc_start_call_main;main;fib 2004008\nwork;main;spin 10020040\n", 1);
	not_claimed("# austin: 3.0\n# interval: 100\n# mode: cpu\n\nP1;T1;a.py:f:3;a.py:g:5 10\n", 1);
	not_claimed("Thread 5614b36c9010;fib (/w.py);L3;main (/w.py);L12 432 0 0\n", 1);
	not_claimed("std::map<int, int>::find;main 3\nfoo(a, b);main 2\n", 1);
	not_claimed("{main};Foo::bar 3\n{main};baz 1\n", 1);
	not_claimed("import;x 3\nimport;y 1\n", 1);
	not_claimed("a;b 1\nc;d 2\n", 1);
	not_claimed("just some text\n", 1);
	not_claimed("", 1);
}

static void test_advice(void)
{
	const char *msg;
	unit_case = "the path in the advice";
	msg = detect("import os\nimport sys\n", 20, 1, "app.py", 0);
	CHECK(msg && strcmp(msg, "'app.py' is Python source: profile it with python3 -m cProfile -o out.prof app.py, "
				 "then import out.prof") == 0);
	msg = detect("import os\nimport sys\n", 20, 1, "it's my.py", 0);
	CHECK(msg && strstr(msg, "-o out.prof 'it'\\''s my.py', then") != NULL);
	msg = detect("import os\nimport sys\n", 20, 1, "a\nb.py", 0);
	CHECK(msg && strstr(msg, "-o out.prof FILE, then") != NULL && !strchr(msg, '\n'));
	msg = detect("import os\nimport sys\n", 20, 1, NULL, 0);
	CHECK(msg && strstr(msg, "-o out.prof FILE, then") != NULL);
	unit_case = "gzipped";
	msg = detect("import os\nimport sys\n", 20, 1, "app.py.gz", 1);
	CHECK(msg && strstr(msg, "is Python source, gzip-compressed: gunzip -k app.py.gz, then profile it with "
				 "python3 -m cProfile -o out.prof app.py, then") != NULL);
	msg = detect("import os\nimport sys\n", 20, 1, "app", 1);
	CHECK(msg && strstr(msg, "gzip-compressed: zcat app > plain, then profile it with python3 -m cProfile -o "
				 "out.prof plain,") != NULL);
	static const char pprof[] = "\x0a\x04\x08\x01\x10\x02\x60\x80\x2d";
	msg = detect(pprof, sizeof(pprof) - 1, 1, "cpu.pprof", 1);
	CHECK(msg && strstr(msg, "gzip") == NULL && strstr(msg, "go tool pprof -raw cpu.pprof |") != NULL);
}

static void test_folded_rule(void)
{
	static const struct {
		const char *line;
		enum folded_line_kind kind;
		size_t stack_len;
		double count;
	} lines[] = {
		{ "a;b 3", FOLDED_LINE_STACK, 3, 3 },
		{ "a;b\t2.5\r", FOLDED_LINE_STACK, 3, 2.5 },
		{ "Thread 5614;f (/w.py);L3 432 0 0", FOLDED_LINE_STACK, 30, 0 },
		{ "P1;T1;a.py:f:3 432,0,-1024", FOLDED_LINE_METRICS, 14, 0 },
		{ "a;b 0 836 -164", FOLDED_LINE_METRICS, 9, 0 },
		{ "a;b -164", FOLDED_LINE_METRICS, 3, 0 },
		{ "a;b 1,2", FOLDED_LINE_METRICS, 3, 0 },
		{ "a;b 1,", FOLDED_LINE_BAD, 0, 0 },
		{ "a;b ,1", FOLDED_LINE_BAD, 0, 0 },
		{ "a;b --1", FOLDED_LINE_BAD, 0, 0 },
		{ "a;b 1-2", FOLDED_LINE_BAD, 0, 0 },
		{ "a;b -", FOLDED_LINE_BAD, 0, 0 },
		{ "a;b nan", FOLDED_LINE_BAD, 0, 0 },
		{ " 5", FOLDED_LINE_BAD, 0, 0 },
		{ "fn=(12) main", FOLDED_LINE_BAD, 0, 0 },
		{ "# a 1", FOLDED_LINE_NONE, 0, 0 },
		{ "  \t", FOLDED_LINE_NONE, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		unit_case = lines[i].line;
		struct folded_line fl;
		enum folded_line_kind k = folded_line_parse(lines[i].line, strlen(lines[i].line), &fl);
		CHECK_INT(k, lines[i].kind);
		if (k == FOLDED_LINE_STACK || k == FOLDED_LINE_METRICS)
			CHECK_INT((int64_t)fl.stack_len, (int64_t)lines[i].stack_len);
		if (k == FOLDED_LINE_STACK)
			CHECK(fl.count == lines[i].count);
	}
	static const int64_t rule[][3] = {
		/* stacks, other lines, folded? */
		{ 0, 0, 1 }, { 0, 1, 0 }, { 1, 1, 0 }, { 2, 1, 1 }, { 3, 2, 0 }, { 4, 2, 1 }, { 8, 1, 1 },
		{ 9, 1, 1 }, { 17, 3, 0 }, { 18, 2, 1 }, { 26, 3, 0 }, { 27, 3, 1 }, { 899, 100, 0 }, { 900, 100, 1 },
	};
	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		unit_case = "folded_evidence_ok";
		CHECK_INT(folded_evidence_ok(rule[i][0], rule[i][1]), rule[i][2]);
	}
	struct pv_error err;
	unit_case = "a cut head: its last line does not count";
	static const char head[] = "x\na 1\na 1\nzz";
	CHECK(folded_head_is_stacks((const uint8_t *)head, sizeof(head) - 1, 0, &err) == 0);
	pv_error_clear(&err);
	CHECK(folded_head_is_stacks((const uint8_t *)head, sizeof(head) - 1, 1, &err) == -1);
	CHECK(strcmp(err.message, "not folded stacks: only 2 of 4 lines hold a stack and a count, the first that "
				  "does not is line 1 (--format folded --lenient imports those)") == 0);
	unit_case = "UTF-16 is decoded first";
	static const char u16[] = "\xff\xfe" "a\0;\0b\0 \0" "1\0\n\0";
	CHECK(folded_head_is_stacks((const uint8_t *)u16, sizeof(u16) - 1, 1, &err) == 0);
	unit_case = "no whole line yet: nothing to judge";
	CHECK(folded_head_is_stacks((const uint8_t *)"aaaa", 4, 0, &err) == 0);
}

int main(void)
{
	test_json();
	test_binary();
	test_text();
	test_advice();
	test_folded_rule();
	return UNIT_DONE();
}
