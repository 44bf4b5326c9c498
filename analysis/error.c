#include "error.h"

#include <stdarg.h>
#include <string.h>

void pv_error_clear(struct pv_error *e)
{
	memset(e, 0, sizeof(*e));
}

static void error_vset(struct pv_error *e, const char *fmt, va_list ap)
{
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
}

int pv_error_set(struct pv_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, fmt, ap);
	va_end(ap);
	e->where = PV_WHERE_NONE;
	e->predicate = 0;
	return -1;
}

int pv_error_at(struct pv_error *e, uint64_t byte, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, fmt, ap);
	va_end(ap);
	e->where = PV_WHERE_BYTE;
	e->pos = byte;
	e->predicate = 0;
	return -1;
}

int pv_error_predicate(struct pv_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, fmt, ap);
	va_end(ap);
	e->where = PV_WHERE_NONE;
	e->predicate = 1;
	return -1;
}

int pv_error_usage(struct pv_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vset(e, fmt, ap);
	va_end(ap);
	e->where = PV_WHERE_NONE;
	e->usage = 1;
	e->predicate = 0;
	return -1;
}

void pv_error_subject(struct pv_error *e, const char *subject)
{
	snprintf(e->subject, sizeof(e->subject), "%s", subject);
}

/* The subject as one printable line: control bytes shown as \n, \t, \xNN, so an
 * error is always a single line whatever the file is called. */
static int error_quote_subject(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			n += (size_t)snprintf(buf + n, size - n, "\\n");
		else if (c == '\t')
			n += (size_t)snprintf(buf + n, size - n, "\\t");
		else if (c == '\r')
			n += (size_t)snprintf(buf + n, size - n, "\\r");
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return (int)n;
}

void pv_error_format(const struct pv_error *e, char *buf, size_t size)
{
	int n = 0;
	if (e->subject[0] && size > 8) {
		buf[0] = '\'';
		n = 1 + error_quote_subject(e->subject, buf + 1, size - 5);
		n += snprintf(buf + n, size - (size_t)n, e->predicate ? "' " : "': ");
	} else if (e->predicate) {
		n = snprintf(buf, size, "the input ");
	}
	if (n < 0 || (size_t)n >= size)
		return;
	int m = snprintf(buf + n, size - (size_t)n, "%s", e->message[0] ? e->message : "unknown error");
	if (m < 0 || (size_t)(n + m) >= size)
		return;
	n += m;
	if (e->where == PV_WHERE_BYTE)
		snprintf(buf + n, size - (size_t)n, " at byte %llu", (unsigned long long)e->pos);
	else if (e->where == PV_WHERE_LINE)
		snprintf(buf + n, size - (size_t)n, " at line %llu", (unsigned long long)e->pos);
}

void pv_error_print(const struct pv_error *e, FILE *out)
{
	pv_error_print_as(e, "error", out);
}

void pv_error_print_as(const struct pv_error *e, const char *prefix, FILE *out)
{
	char buf[4 * sizeof(e->subject) + sizeof(e->message) + 64];
	pv_error_format(e, buf, sizeof(buf));
	fprintf(out, "%s: %s\n", prefix, buf);
}
