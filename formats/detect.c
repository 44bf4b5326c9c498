#include "detect.h"
#include "folded_read.h"
#include "../analysis/strbuf.h"

#include <stdio.h>
#include <string.h>

/* What profview reads, for the advice. */
#define DETECT_READS ".prof, folded stacks or speedscope JSON"

enum detect_kind {
	DETECT_NONE,
	DETECT_PERF_DATA,
	DETECT_PERF_SCRIPT,
	DETECT_PERF_REPORT,
	DETECT_PPROF,
	DETECT_CPUPROFILE,
	DETECT_TRACE_EVENTS,
	DETECT_JSON_OTHER,
	DETECT_MOJO,
	DETECT_CALLGRIND,
	DETECT_CACHEGRIND,
	DETECT_CALLGRIND_ANNOTATE,
	DETECT_CG_ANNOTATE,
	DETECT_MASSIF,
	DETECT_MS_PRINT,
	DETECT_GPROF_TEXT,
	DETECT_GMON,
	DETECT_PSTATS_TEXT,
	DETECT_PYTHON,
	DETECT_HTML,
	DETECT_SVG,
	DETECT_FLAMEGRAPH_SVG,
	DETECT_XML,
	DETECT_CSV,
	DETECT_ELF,
	DETECT_PNG,
	DETECT_PDF,
	DETECT_XZ,
	DETECT_BZIP2,
	DETECT_ZSTD,
	DETECT_ZIP,
};

static int detect_prefix(const uint8_t *b, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && memcmp(b, p, k) == 0;
}

static int detect_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Case-insensitive search of an ASCII needle. */
static int detect_find_ci(const uint8_t *b, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k && detect_lower(b[i + j]) == needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

static int detect_prefix_ci(const uint8_t *b, size_t n, const char *p)
{
	size_t k = strlen(p);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (detect_lower(b[i]) != p[i])
			return 0;
	return 1;
}

static int detect_is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- binary formats ------------------------------------------------------ */

/* A protobuf varint at *i; 0 when it runs past n or beyond 10 bytes. */
static int detect_varint(const uint8_t *b, size_t n, size_t *i, uint64_t *v)
{
	uint64_t x = 0;
	for (int shift = 0; shift < 70 && *i < n; shift += 7) {
		uint8_t c = b[(*i)++];
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 1;
		}
	}
	return 0;
}

/* pprof's ValueType message: varint fields 1 (type) and 2 (unit), at least one. */
static int detect_pprof_value_type(const uint8_t *b, size_t n)
{
	size_t i = 0;
	int fields = 0;
	while (i < n) {
		uint64_t key, v;
		if (!detect_varint(b, n, &i, &key) || (key != 0x08 && key != 0x10) || !detect_varint(b, n, &i, &v))
			return 0;
		fields++;
	}
	return fields > 0;
}

/* A pprof profile (profile.proto's Profile message, in any field order as Go's
 * runtime/pprof writes it): every top-level field is one of Profile's with its
 * wire type, and a sample or period type is there as a ValueType message. Text
 * never passes: a ValueType holds the bytes 0x08 and 0x10. */
static int detect_pprof(const uint8_t *b, size_t n, int complete)
{
	size_t i = 0;
	int fields = 0, typed = 0;
	while (i < n) {
		uint64_t key, v;
		if (!detect_varint(b, n, &i, &key))
			return !complete && i >= n && typed;
		uint64_t field = key >> 3, wire = key & 7;
		if (field < 1 || field > 14)
			return 0;
		if (wire == 2) {
			if (!(field <= 6 || field == 11 || field == 13))
				return 0;
			if (!detect_varint(b, n, &i, &v))
				return !complete && i >= n && typed;
			if (v > n - i)
				return !complete && typed;	/* cut by the end of the head */
			if ((field == 1 || field == 11) && !detect_pprof_value_type(b + i, (size_t)v))
				return 0;
			typed |= field == 1 || field == 11;
			i += (size_t)v;
		} else if (wire == 0) {
			if (field <= 6 || field == 11)
				return 0;
			if (!detect_varint(b, n, &i, &v))
				return !complete && i >= n && typed;
		} else {
			return 0;
		}
		fields++;
	}
	return typed && fields >= 2;
}

static enum detect_kind detect_binary(const uint8_t *b, size_t n, int complete)
{
	if (detect_prefix(b, n, "PERFILE2"))
		return DETECT_PERF_DATA;
	/* Austin's MOJO: "MOJ" and the format version as a MOJO integer */
	if (n >= 4 && detect_prefix(b, n, "MOJ") && b[3] != 0 && !(b[3] & 0xc0))
		return DETECT_MOJO;
	if (detect_prefix(b, n, "\x7f" "ELF"))
		return DETECT_ELF;
	if (detect_prefix(b, n, "\x89PNG\r\n\x1a\n"))
		return DETECT_PNG;
	if (detect_prefix(b, n, "%PDF-"))
		return DETECT_PDF;
	/* gprof's gmon.out: "gmon" and a 32-bit version */
	if (n >= 8 && detect_prefix(b, n, "gmon") &&
	    (memcmp(b + 4, "\1\0\0\0", 4) == 0 || memcmp(b + 4, "\0\0\0\1", 4) == 0))
		return DETECT_GMON;
	if (detect_prefix(b, n, "\xfd" "7zXZ"))
		return DETECT_XZ;
	if (n >= 10 && detect_prefix(b, n, "BZh") && b[3] >= '1' && b[3] <= '9' &&
	    memcmp(b + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
		return DETECT_BZIP2;
	if (detect_prefix(b, n, "\x28\xb5\x2f\xfd"))
		return DETECT_ZSTD;
	if (detect_prefix(b, n, "PK\x03\x04"))
		return DETECT_ZIP;
	if (detect_pprof(b, n, complete))
		return DETECT_PPROF;
	return DETECT_NONE;
}

/* ---- JSON ---------------------------------------------------------------- */

/* A strict scan of JSON text that looks at the keys of the top-level object, or
 * of the first element of a top-level array, until they decide what the file is. */
struct detect_json {
	const uint8_t *b;
	size_t n, i;
	uint8_t stack[64];	/* '{' or '[' of each open container */
	int depth;
	int root_elements;	/* values begun at depth 1 */
	int saw_samples, saw_start_time;
	enum detect_kind kind;	/* decided by a key; DETECT_NONE while not */
	int speedscope;		/* a speedscope key: not foreign */
};

enum { JS_VALUE, JS_VALUE_OR_END, JS_KEY_OR_END, JS_KEY, JS_COLON, JS_COMMA_OR_END };
enum { JSON_INVALID, JSON_CUT, JSON_DONE, JSON_DECIDED };

static int detect_json_key(struct detect_json *j, const uint8_t *k, size_t len)
{
	static const char *const speedscope[] = { "$schema", "shared", "profiles", "activeProfileIndex", "exporter" };
	int root_object = j->depth == 1 && j->stack[0] == '{';
	int first_element = j->depth == 2 && j->stack[0] == '[' && j->stack[1] == '{' && j->root_elements == 1;
#define KEY_IS(s) (len == strlen(s) && memcmp(k, s, len) == 0)
	if (root_object) {
		for (size_t i = 0; i < sizeof(speedscope) / sizeof(speedscope[0]); i++)
			if (KEY_IS(speedscope[i])) {
				j->speedscope = 1;
				return 1;
			}
		if (KEY_IS("nodes") || KEY_IS("timeDeltas")) {
			j->kind = DETECT_CPUPROFILE;
			return 1;
		}
		if (KEY_IS("traceEvents")) {
			j->kind = DETECT_TRACE_EVENTS;
			return 1;
		}
		j->saw_samples |= KEY_IS("samples");
		j->saw_start_time |= KEY_IS("startTime");
	} else if (first_element && KEY_IS("ph")) {
		j->kind = DETECT_TRACE_EVENTS;
		return 1;
	}
#undef KEY_IS
	return 0;
}

/* A string at j->i (on its quote); JSON_CUT when the head ends inside it. */
static int detect_json_string(struct detect_json *j, const uint8_t **s, size_t *len)
{
	size_t start = ++j->i;
	while (j->i < j->n) {
		uint8_t c = j->b[j->i];
		if (c == '"') {
			*s = j->b + start;
			*len = j->i - start;
			j->i++;
			return JSON_DONE;
		}
		if (c < 0x20)
			return JSON_INVALID;
		j->i += c == '\\' ? 2 : 1;
	}
	return JSON_CUT;
}

static int detect_json_scalar(struct detect_json *j)
{
	uint8_t c = j->b[j->i];
	if (c == '-' || (c >= '0' && c <= '9')) {
		int digits = 0;
		while (j->i < j->n && strchr("0123456789+-.eE", j->b[j->i]) && j->b[j->i]) {
			digits |= j->b[j->i] >= '0' && j->b[j->i] <= '9';
			j->i++;
		}
		if (j->i >= j->n)
			return JSON_CUT;
		return digits ? JSON_DONE : JSON_INVALID;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (size_t w = 0; w < 3; w++) {
		size_t k = strlen(words[w]), have = j->n - j->i < k ? j->n - j->i : k;
		if (memcmp(j->b + j->i, words[w], have) == 0) {
			if (have < k)
				return JSON_CUT;
			j->i += k;
			return JSON_DONE;
		}
	}
	return JSON_INVALID;
}

static int detect_json_scan(struct detect_json *j)
{
	int state = JS_VALUE;
	for (;;) {
		while (j->i < j->n && detect_is_space(j->b[j->i]))
			j->i++;
		if (j->depth == 0 && state == JS_COMMA_OR_END)
			return j->i == j->n ? JSON_DONE : JSON_INVALID;
		if (j->i >= j->n)
			return JSON_CUT;
		uint8_t c = j->b[j->i];
		const uint8_t *s;
		size_t len;
		int rc;
		switch (state) {
		case JS_VALUE_OR_END:
			if (c == ']')
				goto close;
			/* fall through */
		case JS_VALUE:
			if (j->depth == 1)
				j->root_elements++;
			if (c == '{' || c == '[') {
				if (j->depth == (int)sizeof(j->stack))
					return JSON_CUT;	/* too deep to follow: undecided */
				j->stack[j->depth++] = c;
				j->i++;
				state = c == '{' ? JS_KEY_OR_END : JS_VALUE_OR_END;
				continue;
			}
			rc = c == '"' ? detect_json_string(j, &s, &len) : detect_json_scalar(j);
			if (rc != JSON_DONE)
				return rc;
			state = JS_COMMA_OR_END;
			continue;
		case JS_KEY_OR_END:
			if (c == '}')
				goto close;
			/* fall through */
		case JS_KEY:
			if (c != '"')
				return JSON_INVALID;
			rc = detect_json_string(j, &s, &len);
			if (rc != JSON_DONE)
				return rc;
			if (detect_json_key(j, s, len))
				return JSON_DECIDED;
			state = JS_COLON;
			continue;
		case JS_COLON:
			if (c != ':')
				return JSON_INVALID;
			j->i++;
			state = JS_VALUE;
			continue;
		case JS_COMMA_OR_END:
			if (c == ',') {
				j->i++;
				state = j->stack[j->depth - 1] == '{' ? JS_KEY : JS_VALUE;
				continue;
			}
			if ((c == '}' && j->stack[j->depth - 1] == '{') || (c == ']' && j->stack[j->depth - 1] == '['))
				goto close;
			return JSON_INVALID;
		}
close:
		if (c != (j->stack[j->depth - 1] == '{' ? '}' : ']'))
			return JSON_INVALID;
		j->depth--;
		j->i++;
		state = JS_COMMA_OR_END;
	}
}

/* JSON that is not speedscope's: a Chrome/V8 CPU profile, trace events, or other
 * JSON read to its end without a speedscope key. Invalid or undecided JSON is
 * left to the speedscope reader and the other tests. */
static enum detect_kind detect_json(const uint8_t *b, size_t n, int complete)
{
	struct detect_json j = { .b = b, .n = n };
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		j.i = 3;
	while (j.i < n && detect_is_space(b[j.i]))
		j.i++;
	if (j.i >= n || (b[j.i] != '{' && b[j.i] != '['))
		return DETECT_NONE;
	int rc = detect_json_scan(&j);
	if (rc == JSON_DECIDED)
		return j.speedscope ? DETECT_NONE : j.kind;
	if (rc != JSON_DONE || !complete)
		return DETECT_NONE;
	if (j.stack[0] == '{' && j.saw_samples && j.saw_start_time)
		return DETECT_CPUPROFILE;
	return DETECT_JSON_OTHER;
}

/* ---- text ---------------------------------------------------------------- */

/* What the lines of a text head show. */
struct detect_text {
	int lines;		/* not blank */
	int stacks;		/* folded stack lines (folded_line_parse) */
	int first_dashes;	/* the first line is a rule of dashes (valgrind's reports) */
	int callgrind_magic, cg_events, cg_fn, cg_calls, cg_creator;
	int profile_data_file, events_recorded;
	int massif_time_unit, massif_snapshot, massif_args;
	int pstats_header;
	int gprof;
	int perf_header, perf_frame, perf_report;
	int py_shebang, py_statements;
	int markup;		/* the first line opens HTML, SVG or XML */
	int csv_lines, csv_commas, csv_uneven;
};

static int detect_is_ident(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/* A line of Python that no folded stack line looks like: import, def, class ... */
static int detect_python_line(const uint8_t *s, size_t n)
{
	size_t i;
	if (detect_prefix(s, n, "import "))
		return n > 7 && detect_is_ident(s[7]);
	if (detect_prefix(s, n, "from "))
		return n > 5 && (detect_is_ident(s[5]) || s[5] == '.') && memmem(s, n, " import ", 8);
	if (detect_prefix(s, n, "async def "))
		s += 6, n -= 6;
	if (detect_prefix(s, n, "def ") || detect_prefix(s, n, "class ")) {
		i = s[0] == 'd' ? 4 : 6;
		size_t start = i;
		while (i < n && detect_is_ident(s[i]))
			i++;
		return i > start && i < n && (s[i] == '(' || (s[0] == 'c' && s[i] == ':'));
	}
	return detect_prefix(s, n, "if __name__ ==") || detect_prefix(s, n, "if __name__==");
}

/* perf script's sample header: "comm pid [cpu] secs.usecs: ..." */
static int detect_perf_header(const uint8_t *s, size_t n)
{
	if (n == 0 || s[0] == ' ' || s[0] == '\t')
		return 0;
	for (size_t i = 1; i + 2 < n; i++) {
		if (s[i - 1] != ' ' || s[i] < '0' || s[i] > '9')
			continue;
		size_t k = i, dot = 0, frac = 0;
		while (k < n && ((s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && !dot))) {
			if (s[k] == '.')
				dot = k;
			else if (dot)
				frac++;
			k++;
		}
		if (dot && frac >= 3 && k < n && s[k] == ':')
			return 1;
	}
	return 0;
}

/* perf script's callchain line: blanks, a hex address, a symbol, "(dso)". */
static int detect_perf_frame(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t start = i;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
		i++;
	return start > 0 && i > start && i < n && s[i] == ' ' && s[n - 1] == ')' && memchr(s + i, '(', n - i);
}

/* Commas outside double quotes; -1 when a quote is left open. */
static int detect_csv_commas(const uint8_t *s, size_t n)
{
	int commas = 0, quoted = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ',' && !quoted)
			commas++;
	}
	return quoted ? -1 : commas;
}

static void detect_text_line(struct detect_text *t, const uint8_t *s, size_t n)
{
	size_t lead = folded_line_start((const char *)s, &n);
	if (lead == n)
		return;
	int first = t->lines++ == 0;
	struct folded_line fl;
	enum folded_line_kind kind = folded_line_parse((const char *)s, n, &fl);
	t->stacks += kind == FOLDED_LINE_STACK || kind == FOLDED_LINE_METRICS;
	if (first) {
		size_t d = 0;
		while (d < n && s[d] == '-')
			d++;
		t->first_dashes = d >= 40 && d == n;
		t->callgrind_magic = detect_prefix(s, n, "# callgrind format");
		t->py_shebang = detect_prefix(s, n, "#!") && memmem(s, n, "python", 6);
		const uint8_t *m = s + lead;
		size_t mn = n - lead;
		if (mn >= 3 && m[0] == 0xef && m[1] == 0xbb && m[2] == 0xbf)
			m += 3, mn -= 3;
		t->markup = detect_prefix_ci(m, mn, "<!doctype") || detect_prefix_ci(m, mn, "<html") ||
			    detect_prefix_ci(m, mn, "<?xml") || detect_prefix_ci(m, mn, "<svg") ||
			    detect_prefix_ci(m, mn, "<!--") || detect_prefix_ci(m, mn, "<head") ||
			    detect_prefix_ci(m, mn, "<body");
	}
	t->cg_events += detect_prefix(s, n, "events:");
	t->cg_fn += detect_prefix(s, n, "fn=") || detect_prefix(s, n, "fl=");
	t->cg_calls += detect_prefix(s, n, "calls=");
	t->cg_creator += detect_prefix(s, n, "creator:") || detect_prefix(s, n, "positions:");
	t->profile_data_file += detect_prefix(s, n, "Profile data file '");
	t->events_recorded += detect_prefix(s, n, "Events recorded:");
	t->massif_time_unit += detect_prefix(s, n, "time_unit:");
	t->massif_snapshot += detect_prefix(s, n, "snapshot=") || detect_prefix(s, n, "mem_heap_B=");
	t->massif_args += detect_prefix(s, n, "Massif arguments:") || detect_prefix(s, n, "ms_print arguments:");
	/* print_stats' column header and first line (print_callers' too) */
	t->pstats_header += memmem(s, n, "ncalls  tottime  percall  cumtime", 33) ||
			    (memmem(s, n, " function calls ", 16) && memmem(s, n, " seconds", 8)) ||
			    memmem(s, n, "was called by...", 16) || memmem(s, n, "called...", 9);
	t->gprof += detect_prefix(s, n, "Flat profile:") || detect_prefix(s, n, "Call graph (explanation follows)") ||
		    detect_prefix(s, n, "granularity: each sample hit covers");
	t->perf_header += detect_perf_header(s, n);
	t->perf_frame += detect_perf_frame(s, n);
	t->perf_report += detect_prefix(s, n, "# Samples: ") || detect_prefix(s, n, "# Event count") ||
			  detect_prefix(s, n, "# To display the perf.data header");
	t->py_statements += kind != FOLDED_LINE_STACK && detect_python_line(s, n);
	if (s[lead] != '#') {
		int commas = detect_csv_commas(s, n);
		if (t->csv_lines++ == 0)
			t->csv_commas = commas;
		else if (commas != t->csv_commas)
			t->csv_uneven = 1;
	}
}

static enum detect_kind detect_markup(const uint8_t *b, size_t n)
{
	if (detect_find_ci(b, n, "<svg")) {
		if (detect_find_ci(b, n, "flame graph") || detect_find_ci(b, n, "flamegraph") ||
		    detect_find_ci(b, n, "icicle"))
			return DETECT_FLAMEGRAPH_SVG;
		return DETECT_SVG;
	}
	if (detect_find_ci(b, n, "<html") || detect_find_ci(b, n, "<!doctype html"))
		return DETECT_HTML;
	return DETECT_XML;
}

static enum detect_kind detect_text(const uint8_t *b, size_t n)
{
	struct detect_text t = { 0 };
	size_t at = 0;
	if (memchr(b, 0, n))
		return DETECT_NONE;
	/* the first few hundred lines say it: reports put their headers first */
	for (int k = 0; k < 400 && at < n; k++) {
		const uint8_t *nl = memchr(b + at, '\n', n - at);
		size_t len = nl ? (size_t)(nl - (b + at)) : n - at;
		detect_text_line(&t, b + at, len);
		at += len + 1;
	}
	if (t.callgrind_magic || (t.cg_events && t.cg_fn && (t.cg_calls || t.cg_creator)))
		return DETECT_CALLGRIND;
	if (t.cg_events && t.cg_fn)
		return DETECT_CACHEGRIND;
	if (t.massif_args)
		return DETECT_MS_PRINT;
	if (t.massif_time_unit && t.massif_snapshot)
		return DETECT_MASSIF;
	if (t.first_dashes && t.profile_data_file)
		return DETECT_CALLGRIND_ANNOTATE;
	if (t.first_dashes && t.events_recorded)
		return detect_find_ci(b, n, "callgrind") ? DETECT_CALLGRIND_ANNOTATE : DETECT_CG_ANNOTATE;
	if (t.pstats_header)
		return DETECT_PSTATS_TEXT;
	if (t.gprof)
		return DETECT_GPROF_TEXT;
	if (t.perf_report >= 2)
		return DETECT_PERF_REPORT;
	if (t.perf_header && t.perf_frame + t.perf_header > t.stacks)
		return DETECT_PERF_SCRIPT;
	if (t.markup)
		return detect_markup(b, n);
	if (t.py_shebang || t.py_statements >= 2)
		return DETECT_PYTHON;
	/* a table: every line with the same number of commas, and few stacks */
	if (t.csv_lines >= 2 && t.csv_commas >= 1 && !t.csv_uneven && t.stacks * 2 < t.lines)
		return DETECT_CSV;
	return DETECT_NONE;
}

/* ---- the refusal --------------------------------------------------------- */

/* What each format is and what to do with it; FILE stands for the file. */
static const struct detect_format {
	const char *what, *todo;
} detect_formats[] = {
	[DETECT_PERF_DATA] = { "a perf.data recording (perf record)",
			       "fold its stacks with perf script -i FILE | stackcollapse-perf.pl > out.folded, then "
			       "import out.folded" },
	[DETECT_PERF_SCRIPT] = { "raw perf script output",
				 "fold it with stackcollapse-perf.pl FILE > out.folded, then import out.folded" },
	[DETECT_PERF_REPORT] = { "perf report output, a printed summary",
				 "fold the recording's stacks instead (perf script | stackcollapse-perf.pl > "
				 "out.folded) and import that" },
	[DETECT_PPROF] = { "a pprof profile (protobuf, as Go's runtime/pprof writes)",
			   "fold it with go tool pprof -raw FILE | stackcollapse-go.pl > out.folded, then import "
			   "out.folded" },
	[DETECT_CPUPROFILE] = { "a Chrome/V8 CPU profile (.cpuprofile, node --cpu-prof)",
				"open it in speedscope (speedscope.app), export it as speedscope JSON and import that" },
	[DETECT_TRACE_EVENTS] = { "a Chrome trace-event file (traceEvents)",
				  "open it in speedscope (speedscope.app), export it as speedscope JSON and import "
				  "that" },
	[DETECT_JSON_OTHER] = { "JSON, but not speedscope JSON (it has no 'profiles' or 'shared')",
				"profview reads " DETECT_READS },
	[DETECT_MOJO] = { "Austin's binary MOJO output",
			  "convert it with mojo2austin FILE out.austin (austin-python), then import out.austin" },
	[DETECT_CALLGRIND] = { "a callgrind profile (valgrind --tool=callgrind, yappi, pyprof2calltree)",
			       "open it in KCachegrind (kcachegrind FILE); for Python, profile with python3 -m "
			       "cProfile -o out.prof SCRIPT and import out.prof" },
	[DETECT_CACHEGRIND] = { "cachegrind output (valgrind --tool=cachegrind), which holds no call stacks",
				"read it with cg_annotate FILE" },
	[DETECT_CALLGRIND_ANNOTATE] = { "callgrind_annotate output, a printed report",
					"open the callgrind.out file it was made from in KCachegrind, or profile "
					"with python3 -m cProfile -o out.prof SCRIPT and import out.prof" },
	[DETECT_CG_ANNOTATE] = { "cg_annotate output, a printed report without call stacks",
				 "profile with python3 -m cProfile -o out.prof SCRIPT (or valgrind "
				 "--tool=callgrind and KCachegrind) instead" },
	[DETECT_MASSIF] = { "a valgrind massif heap profile", "read it with ms_print FILE" },
	[DETECT_MS_PRINT] = { "ms_print output, a printed report of a massif heap profile",
			      "profview reads " DETECT_READS },
	[DETECT_GPROF_TEXT] = { "gprof output, a printed report",
				"profview reads no gprof data (gprof2dot.py -f prof FILE | dot -Tsvg draws its call "
				"graph)" },
	[DETECT_GMON] = { "a gmon.out profile (gcc -pg)",
			  "read it with gprof PROGRAM FILE; profview reads no gprof data" },
	[DETECT_PSTATS_TEXT] = { "pstats' printed text (print_stats output), a report",
				 "save the profile itself with python3 -m cProfile -o out.prof SCRIPT and import "
				 "out.prof" },
	[DETECT_PYTHON] = { "Python source", "profile it with python3 -m cProfile -o out.prof FILE, then import "
					     "out.prof" },
	[DETECT_HTML] = { "an HTML page", "import the profile it was made from (" DETECT_READS ")" },
	[DETECT_SVG] = { "an SVG picture", "import the profile it was drawn from (" DETECT_READS ")" },
	[DETECT_FLAMEGRAPH_SVG] = { "a flame graph picture (SVG)",
				    "import the folded stacks it was drawn from (flamegraph.pl's input, or py-spy "
				    "record --format raw)" },
	[DETECT_XML] = { "an XML document", "profview reads " DETECT_READS },
	[DETECT_CSV] = { "CSV, a table without call stacks",
			 "import the profile it was made from (" DETECT_READS ")" },
	[DETECT_ELF] = { "an ELF executable or library",
			 "profile the program (python3 -m cProfile -o out.prof SCRIPT, or perf record -g PROGRAM) "
			 "and import the result" },
	[DETECT_PNG] = { "a PNG picture", "import the profile it was drawn from (" DETECT_READS ")" },
	[DETECT_PDF] = { "a PDF document", "import the profile it was made from (" DETECT_READS ")" },
	[DETECT_XZ] = { "xz-compressed", "decompress it (xz -dk FILE) and import the result" },
	[DETECT_BZIP2] = { "bzip2-compressed", "decompress it (bunzip2 -k FILE) and import the result" },
	[DETECT_ZSTD] = { "zstd-compressed", "decompress it (zstd -d FILE) and import the result" },
	[DETECT_ZIP] = { "a ZIP archive", "extract it (unzip FILE) and import the profile inside" },
};

/* The path for a shell command line: as it is when it needs no quoting, in
 * single quotes when it does, "FILE" when it would not fit one line or the message. */
static void detect_shell_path(const char *path, size_t len, struct strbuf *sb)
{
	int plain = 1;
	if (!path || len == 0 || len > 100) {
		strbuf_adds(sb, "FILE");
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7f) {
			strbuf_adds(sb, "FILE");
			return;
		}
		if (!(detect_is_ident(c) || strchr("./-+,:=@%", c)))
			plain = 0;
	}
	if (plain) {
		strbuf_add(sb, path, len);
		return;
	}
	strbuf_adds(sb, "'");
	for (size_t i = 0; i < len; i++)
		if (path[i] == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, path[i]);
	strbuf_adds(sb, "'");
}

/* "is WHAT: TODO" with FILE in TODO replaced by the path; gzipped content (but a
 * pprof file, which is gzipped as a rule) is decompressed first. */
static void detect_refuse(enum detect_kind k, const char *path, int gzipped, struct pv_error *err)
{
	const struct detect_format *d = &detect_formats[k];
	struct strbuf todo = STRBUF_INIT, plain = STRBUF_INIT;
	size_t len = path ? strlen(path) : 0;
	gzipped = gzipped && k != DETECT_PPROF;
	if (gzipped && len > 3 && strcmp(path + len - 3, ".gz") == 0) {
		/* gunzip -k x.gz writes x */
		strbuf_adds(&todo, "gunzip -k ");
		detect_shell_path(path, len, &todo);
		detect_shell_path(path, len - 3, &plain);
		strbuf_adds(&todo, ", then ");
	} else if (gzipped) {
		strbuf_adds(&todo, "zcat ");
		detect_shell_path(path, len, &todo);
		strbuf_adds(&todo, " > plain, then ");
		strbuf_adds(&plain, "plain");
	} else {
		detect_shell_path(path, len, &plain);
	}
	for (const char *t = d->todo; *t;) {
		const char *file = strstr(t, "FILE");
		size_t upto = file ? (size_t)(file - t) : strlen(t);
		strbuf_add(&todo, t, upto);
		if (!file)
			break;
		strbuf_add(&todo, plain.buf, plain.len);
		t = file + 4;
	}
	pv_error_predicate(err, "is %s%s: %s", d->what, gzipped ? ", gzip-compressed" : "", strbuf_str(&todo));
	strbuf_release(&todo);
	strbuf_release(&plain);
}

int detect_foreign(const uint8_t *head, size_t n, int complete, const char *path, int gzipped,
		   struct pv_error *err)
{
	enum detect_kind k = detect_binary(head, n, complete);
	if (k == DETECT_NONE)
		k = detect_json(head, n, complete);
	if (k == DETECT_NONE)
		k = detect_text(head, n);
	if (k == DETECT_NONE)
		return 0;
	detect_refuse(k, path, gzipped, err);
	return 1;
}
