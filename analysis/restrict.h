/* pstats' print restrictions (print_stats(*amount)): a count, a fraction, or a
 * regular expression, applied in the order given, each reducing the list the
 * previous one left, with pstats' own messages. Regexes use PCRE2 (see
 * docs/profview-sort.md for where it differs from Python's re). */
#ifndef PV_RESTRICT_H
#define PV_RESTRICT_H

#include "cancel.h"
#include "strbuf.h"
#include <stddef.h>
#include <stdint.h>

enum restrict_kind { RESTRICT_COUNT, RESTRICT_FRACTION, RESTRICT_REGEX };

struct restriction {
	enum restrict_kind kind;
	int64_t count;
	double fraction;
	const char *regex;	/* borrowed */
};

/* One entry of the list being reduced: its standard name is what regexes see. */
struct restrict_item {
	const char *stdname;
	size_t stdname_len;
	size_t index;		/* caller's row number */
};

/* For a count or fraction: how many of n entries remain (n when it does not apply). */
size_t restrict_keep_count(const struct restriction *r, size_t n);
/* Appends pstats' "   List reduced from N to M due to restriction <R>" line; py2
 * selects Python 2's repr() of the restriction (byte strings: \xNN escapes). */
void restrict_message(const struct restriction *r, size_t from, size_t to, int py2, struct strbuf *msg);
/* Applies r to items[0..*n) in place, sets *n to the new length and appends
 * the message. -1 with err set when a regex search passes its bounds
 * (pv_regex.h) or cancel stops the work. */
int restrict_apply(const struct restriction *r, struct restrict_item *items, size_t *n, int py2,
		   struct strbuf *msg, struct pv_cancel *cancel, struct pv_error *err);

#endif
