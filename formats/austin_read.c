#include "austin_read.h"

#include <stdio.h>
#include <string.h>

int austin_metric_parse(const char *name)
{
	static const char *const names[] = { "time", "cpu", "alloc", "dealloc" };
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return AUSTIN_METRIC_TIME + i;
	return -1;
}

static const char *austin_metric_name(enum austin_metric m)
{
	static const char *const names[] = { "default", "time", "cpu", "alloc", "dealloc" };
	return names[m];
}

void austin_reader_init(struct austin_reader *a, const char *unit, double unit_scale, enum austin_metric metric)
{
	memset(a, 0, sizeof(*a));
	a->unit = unit;
	a->unit_scale = unit_scale > 0 ? unit_scale : 1.0;
	a->metric = metric;
}

void austin_reader_release(struct austin_reader *a)
{
	strbuf_release(&a->frames);
}

static int austin_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int austin_is_hex(char c)
{
	return austin_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int austin_has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

/* An integer as Austin prints them (%ld, %lu): an optional minus and up to 18
 * digits, so that every value is exact in a double. */
static int austin_int(const char *s, size_t n, long long *v)
{
	size_t i = n && s[0] == '-';
	if (n <= i || n - i > 18)
		return 0;
	long long x = 0;
	for (size_t k = i; k < n; k++) {
		if (!austin_is_digit(s[k]))
			return 0;
		x = x * 10 + (s[k] - '0');
	}
	*v = i ? -x : x;
	return 1;
}

/* Where the thread frame that leads an Austin line ends (the ';' or ' ' after
 * it, or n); 0 when the line has none. 1.x writes "Thread %lx" (with -C
 * "Process %d;Thread %lx"), 2.x and 3.x "P%d;T<tid>". */
static size_t austin_thread_end(const char *s, size_t n)
{
	size_t i = 0;
	if (austin_has_prefix(s, n, "Process ")) {
		i = 8;
		size_t d = i;
		while (i < n && austin_is_digit(s[i]))
			i++;
		if (i == d || i >= n || s[i] != ';')
			return 0;
		i++;
	}
	if (austin_has_prefix(s + i, n - i, "Thread ")) {
		i += 7;
		size_t h = i;
		while (i < n && austin_is_hex(s[i]))
			i++;
		return i > h && (i == n || s[i] == ';' || s[i] == ' ') ? i : 0;
	}
	if (i > 0 || n < 4 || s[0] != 'P')
		return 0;
	i = 1;
	while (i < n && austin_is_digit(s[i]))
		i++;
	if (i == 1 || i + 1 >= n || s[i] != ';' || s[i + 1] != 'T')
		return 0;
	i += 2;
	size_t t = i;
	while (i < n && s[i] != ';' && s[i] != ' ')
		i++;
	return i > t ? i : 0;
}

int austin_line_shape(const char *s, size_t n)
{
	size_t t = austin_thread_end(s, n);
	return t > 0 && t < n;
}

/* "# key: value" before the samples. Austin 3 writes austin (its version),
 * interval, mode and, when profiling children, multiprocess; only the version
 * and the mode change how the samples read. */
void austin_meta(struct austin_reader *a, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == '#' || s[i] == ' ' || s[i] == '\t'))
		i++;
	const char *key = s + i;
	while (i < n && s[i] != ':')
		i++;
	if (i == n)
		return;
	size_t key_len = (size_t)(s + i - key);
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	size_t end = n;
	while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	const char *v = s + i;
	size_t vn = end - i;
	if (key_len == 6 && memcmp(key, "austin", 6) == 0 && vn > 0 && vn < sizeof(a->version)) {
		for (size_t k = 0; k < vn; k++)
			if (v[k] <= ' ' || v[k] > '~')
				return;
		memcpy(a->version, v, vn);
		a->version[vn] = '\0';
	} else if (key_len == 4 && memcmp(key, "mode", 4) == 0) {
		static const struct { const char *name; enum austin_mode mode; } modes[] = {
			{ "wall", AUSTIN_MODE_WALL }, { "cpu", AUSTIN_MODE_CPU },
			{ "memory", AUSTIN_MODE_MEMORY }, { "full", AUSTIN_MODE_FULL },
		};
		for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
			if (strlen(modes[k].name) == vn && memcmp(v, modes[k].name, vn) == 0)
				a->header_mode = modes[k].mode;
	}
}

/* The metrics at the end of a line: one, three separated by spaces (1.x and
 * 2.x full mode: time, +memory, -memory) or three separated by commas (3.x
 * full mode: time, idle, memory). They begin after the thread frame at from.
 * Returns how many (0: none that fit) and where the first one starts. */
static int austin_metrics(const char *s, size_t n, size_t from, long long m[3], int *comma, size_t *start)
{
	size_t sp = n;
	while (sp > from && s[sp - 1] != ' ')
		sp--;
	if (sp <= from)
		return 0;
	const char *tok = s + sp;
	size_t len = n - sp;
	const char *c1 = memchr(tok, ',', len);
	*comma = c1 != NULL;
	if (c1) {
		const char *c2 = memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - tok));
		if (!c2 || !austin_int(tok, (size_t)(c1 - tok), &m[0]) ||
		    !austin_int(c1 + 1, (size_t)(c2 - c1 - 1), &m[1]) ||
		    !austin_int(c2 + 1, len - (size_t)(c2 + 1 - tok), &m[2]))
			return 0;
		*start = sp;
		return 3;
	}
	long long v[3];
	int k = 0;
	size_t end = n;
	/* the last frame is never a bare number (it is "L<line>", "func (file...)",
	 * "file:func:line", "<idle>" or "Bad sample"), so trailing numbers are metrics */
	while (k < 3 && sp > from) {
		if (!austin_int(s + sp, end - sp, &v[k]))
			break;
		k++;
		*start = sp;
		end = sp - 1;
		sp = end;
		while (sp > from && s[sp - 1] != ' ')
			sp--;
	}
	if (k == 0 || k == 2)
		return 0;
	for (int i = 0; i < k; i++)
		m[i] = v[k - 1 - i];
	return k;
}

/* The frames into a->frames, each "L<line>" frame joined to the frame before
 * it as "func (file:line)" or "file:func:line" (the forms Austin's -a and 3.x
 * write), so that both layouts give the same functions. */
static void austin_join_lines(struct austin_reader *a, const char *f, size_t n)
{
	struct strbuf *b = &a->frames;
	strbuf_reset(b);
	size_t at = 0;
	while (at <= n && n) {
		const char *semi = memchr(f + at, ';', n - at);
		size_t end = semi ? (size_t)(semi - f) : n;
		const char *fr = f + at;
		size_t len = end - at;
		size_t d = 1;
		while (d < len && austin_is_digit(fr[d]))
			d++;
		if (b->len && len >= 2 && len <= 16 && fr[0] == 'L' && d == len) {
			if (b->buf[b->len - 1] == ')') {
				b->len--;
				strbuf_addc(b, ':');
				strbuf_add(b, fr + 1, len - 1);
				strbuf_addc(b, ')');
			} else {
				strbuf_addc(b, ':');
				strbuf_add(b, fr + 1, len - 1);
			}
		} else {
			if (b->len || at)
				strbuf_addc(b, ';');
			strbuf_add(b, fr, len);
		}
		if (!semi)
			break;
		at = end + 1;
	}
}

/* The first sample fixes what the weights are; the options must fit the file. */
static int austin_start(struct austin_reader *a, const char *s, size_t n, int nm, int comma, struct pv_error *err)
{
	static const char *const mode_names[] = { "", "wall", "cpu", "memory", "full" };
	enum austin_metric m = a->metric;
	a->thread_led = s[0] == 'T' || (n > 0 && s[0] == 'P' && austin_has_prefix(s, n, "Process "));
	/* Austin 1.x shifts memory deltas right by 10 (KiB); 2.x and 3.x write bytes */
	a->memory_scale = a->thread_led ? 1024.0 : 1.0;
	a->value_scale = 1.0;
	if (a->header_mode != AUSTIN_MODE_UNKNOWN) {
		const char *mode = mode_names[a->header_mode];
		if (a->unit) {
			pv_error_set(err, "--unit does not apply: the file's header says what its values are (# mode: %s)",
				     mode);
			return -2;
		}
		a->full = a->header_mode == AUSTIN_MODE_FULL;
		a->memory = a->header_mode == AUSTIN_MODE_MEMORY;
		if (a->header_mode == AUSTIN_MODE_MEMORY)
			a->value_scale = a->memory_scale;
		if ((a->header_mode == AUSTIN_MODE_WALL && m != AUSTIN_METRIC_DEFAULT && m != AUSTIN_METRIC_TIME) ||
		    (a->header_mode == AUSTIN_MODE_CPU && m > AUSTIN_METRIC_CPU) ||
		    (a->memory && (m == AUSTIN_METRIC_TIME || m == AUSTIN_METRIC_CPU))) {
			pv_error_set(err, "--metric %s does not apply: the file holds one metric (# mode: %s)",
				     austin_metric_name(m), mode);
			return -2;
		}
	} else if (nm == 3) {
		a->full = 1;
		if (a->unit) {
			pv_error_set(err, "--unit does not apply: Austin's full mode writes time in microseconds and "
				     "memory in %s", a->thread_led ? "KiB" : "bytes");
			return -2;
		}
	} else {
		int memory_metric = m == AUSTIN_METRIC_ALLOC || m == AUSTIN_METRIC_DEALLOC;
		a->memory = a->unit ? strcmp(a->unit, "bytes") == 0 : memory_metric;
		a->value_scale = a->unit ? a->unit_scale : a->memory ? a->memory_scale : 1.0;
		const char *wrong = NULL;
		if (m == AUSTIN_METRIC_CPU)
			wrong = "--metric cpu needs Austin 3's full mode (time,idle,memory): this file has one metric "
				"per sample";
		else if (a->memory && m == AUSTIN_METRIC_TIME)
			wrong = "--metric time does not fit a memory unit";
		else if (!a->memory && memory_metric)
			wrong = "--metric alloc and dealloc need a memory unit (--unit B or KiB, or none)";
		if (wrong) {
			pv_error_set(err, "%s", wrong);
			return -2;
		}
	}
	if (a->full && m == AUSTIN_METRIC_CPU && !comma) {
		pv_error_set(err, "--metric cpu needs Austin 3's full mode (time,idle,memory): this file's samples have "
			     "no idle flag");
		return -2;
	}
	a->use = m != AUSTIN_METRIC_DEFAULT ? m : a->memory ? AUSTIN_METRIC_ALLOC : AUSTIN_METRIC_TIME;
	if (a->use == AUSTIN_METRIC_ALLOC || a->use == AUSTIN_METRIC_DEALLOC)
		a->memory = 1;
	a->weight_unit = a->memory ? "bytes" : a->unit && !a->full ? a->unit : "microseconds";
	a->started = 1;
	return 0;
}

/* The weight of a sample with these metrics; -1 when they do not fit the file. */
static double austin_weight(const struct austin_reader *a, int nm, int comma, const long long m[3])
{
	if (nm == 3 && !a->full)
		return -1;
	if (nm == 1 && a->full)
		/* 1.x's "Thread ..;Bad sample N" carries the time alone, even in full mode */
		return a->use == AUSTIN_METRIC_TIME && m[0] >= 0 ? (double)m[0] : 0;
	if (nm == 1) {
		double v = (double)m[0] * a->value_scale;
		if (a->use == AUSTIN_METRIC_ALLOC)
			return v > 0 ? v : 0;
		if (a->use == AUSTIN_METRIC_DEALLOC)
			return v < 0 ? -v : 0;
		return v >= 0 ? v : -1;
	}
	if (m[0] < 0)
		return -1;
	switch (a->use) {
	case AUSTIN_METRIC_CPU:
		return comma ? (m[1] == 0 ? (double)m[0] : 0) : -1;
	case AUSTIN_METRIC_ALLOC:
		if (comma)
			return m[2] > 0 ? (double)m[2] : 0;
		return m[1] > 0 ? (double)m[1] * a->memory_scale : 0;
	case AUSTIN_METRIC_DEALLOC:
		if (comma)
			return m[2] < 0 ? -(double)m[2] : 0;
		return m[2] < 0 ? -(double)m[2] * a->memory_scale : 0;
	default:
		return (double)m[0];
	}
}

int austin_sample_parse(struct austin_reader *a, const char *s, size_t n, struct austin_sample *out,
			struct pv_error *err)
{
	size_t t = austin_thread_end(s, n);
	if (t == 0) {
		/* 1.x also writes "Bad sample N" on its own when a whole round failed */
		long long v;
		return austin_has_prefix(s, n, "Bad sample ") && austin_int(s + 11, n - 11, &v) ? 1 : -1;
	}
	long long m[3];
	int comma = 0;
	size_t ms = 0;
	int nm = austin_metrics(s, n, t, m, &comma, &ms);
	if (nm == 0)
		return -1;
	/* between the thread frame and the metrics: ";frames " or blanks */
	size_t fe = ms;
	while (fe > t && s[fe - 1] == ' ')
		fe--;
	if (fe > t && s[t] != ';')
		return -1;
	if (!a->started) {
		/* 1.x writes "Thread ..;Bad sample N" with one metric even in full mode:
		 * such a line cannot say what the samples carry */
		if (nm == 1 && fe - t >= 11 && memcmp(s + fe - 11, ";Bad sample", 11) == 0)
			return 1;
		int rc = austin_start(a, s, n, nm, comma, err);
		if (rc)
			return rc;
	}
	double w = austin_weight(a, nm, comma, m);
	if (w < 0)
		return -1;
	if (fe > t + 1)
		austin_join_lines(a, s + t + 1, fe - t - 1);
	else
		strbuf_reset(&a->frames);
	out->thread = s;
	out->thread_len = t;
	out->stack = strbuf_str(&a->frames);
	out->stack_len = a->frames.len;
	out->weight = w;
	return 0;
}

void austin_thread_label(const char *s, size_t n, struct strbuf *label)
{
	strbuf_reset(label);
	size_t i = 0;
	if (austin_has_prefix(s, n, "Process ")) {
		const char *semi = memchr(s, ';', n);
		size_t end = semi ? (size_t)(semi - s) : n;
		strbuf_add(label, s + 8, end - 8);
		strbuf_addc(label, ':');
		i = end + 1;
	} else if (n > 1 && s[0] == 'P') {
		const char *semi = memchr(s, ';', n);
		size_t end = semi ? (size_t)(semi - s) : n;
		strbuf_add(label, s + 1, end - 1);
		strbuf_addc(label, ':');
		i = end + 2;	/* past ";T" */
	}
	if (i < n && austin_has_prefix(s + i, n - i, "Thread "))
		i += 7;
	if (i < n)
		strbuf_add(label, s + i, n - i);
}

uint32_t austin_frame_func(struct profile *p, const char *f, size_t len)
{
	const char *name = f, *file = "";
	size_t name_len = len, file_len = 0;
	int64_t line = 0;
	if (len >= 4 && f[len - 1] == ')') {
		/* "func (file[:line])": a code object's name has no " (" in it, so the
		 * first one opens the file, whatever the path holds */
		const char *open = NULL;
		for (size_t i = 0; i + 1 < len; i++)
			if (f[i] == ' ' && f[i + 1] == '(') {
				open = f + i;
				break;
			}
		if (open) {
			const char *in = open + 2;
			size_t in_len = (size_t)(f + len - 1 - in);
			size_t c = in_len;
			while (c > 0 && austin_is_digit(in[c - 1]))
				c--;
			file = in;
			file_len = in_len;
			if (c > 0 && c < in_len && in_len - c <= 15 && in[c - 1] == ':') {
				file_len = c - 1;
				for (size_t i = c; i < in_len; i++)
					line = line * 10 + (in[i] - '0');
			}
			name_len = (size_t)(open - f);
		}
	} else if (len >= 3 && austin_is_digit(f[len - 1])) {
		/* "file:func:line": the file may hold colons (C:\...), the name not */
		size_t c1 = len;
		while (c1 > 0 && austin_is_digit(f[c1 - 1]))
			c1--;
		if (c1 > 0 && len - c1 <= 15 && f[c1 - 1] == ':') {
			size_t c0 = c1 - 1;
			while (c0 > 0 && f[c0 - 1] != ':')
				c0--;
			if (c0 > 0) {
				file = f;
				file_len = c0 - 1;
				name = f + c0;
				name_len = c1 - 1 - c0;
				for (size_t i = c1; i < len; i++)
					line = line * 10 + (f[i] - '0');
			}
		}
	}
	int added;
	return profile_func(p, profile_intern(p, file, file_len), line, profile_intern(p, name, name_len), &added);
}

const char *austin_unit(const struct austin_reader *a)
{
	return a->weight_unit ? a->weight_unit : "microseconds";
}

void austin_producer(const struct austin_reader *a, char *buf, size_t size)
{
	if (a->version[0])
		snprintf(buf, size, "austin %s", a->version);
	else
		snprintf(buf, size, "austin (%s format)", a->thread_led ? "1.x" : "2.x");
}
