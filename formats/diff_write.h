/* Writers for a diff (analysis/diff.h): a table for people, JSON and CSV with
 * every number at full precision (docs/profview-diff.md). */
#ifndef PV_DIFF_WRITE_H
#define PV_DIFF_WRITE_H
#include "../analysis/diff.h"
#include <stdio.h>

/* How a side is introduced: its id, name and source as the user gave it. */
struct diff_side_label {
	int64_t id;
	const char *name, *source;
};

/* What --fail-if-slower found, for the JSON. */
struct diff_gate {
	int active, on_function, failed;
	const char *function;	/* the row's display name when on_function */
	double before, after, pct, limit;
};

void diff_write_text(FILE *out, const struct diff *d, const struct diff_side_label *base,
		     const struct diff_side_label *new);
void diff_write_json(FILE *out, const struct diff *d, const struct diff_side_label *base,
		     const struct diff_side_label *new, const struct diff_gate *gate);
void diff_write_csv(FILE *out, const struct diff *d);

#endif
