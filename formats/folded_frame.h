/* One frame of folded text: "name (file:line)" as py-spy writes it (file alone
 * when it ends in .py, as py-spy --nolineno does), plus perf/inferno's _[k]
 * _[j] _[i] _[w] annotation suffix. The one rule for splitting a frame
 * (folded_read.c) and for writing one that splits back the same (tree_write.c).
 *
 * Names and paths may both hold parentheses ("decode (C:\Program Files
 * (x86)\...\decoder.py:337)", "<lambda> (f(x).py:3)"): the file is what the
 * parenthesis matching the final ')' encloses, so any name and any path whose
 * parentheses balance split right; when they do not balance, the first " ("
 * that encloses a "file:line" opens the file. Folded text has no escapes, so a
 * few hostile pairs cannot be told apart: folded_frame_write() says which.
 */
#ifndef PV_FOLDED_FRAME_H
#define PV_FOLDED_FRAME_H
#include "../analysis/strbuf.h"
#include <stddef.h>
#include <stdint.h>

struct folded_frame {
	const char *name, *file;	/* point into the frame text ("" when absent) */
	size_t name_len, file_len;
	int64_t line;			/* 0 when absent */
	char annotation;		/* 'k', 'j', 'i', 'w' or 0 */
};

/* Splits the frame text f[0..len). */
void folded_frame_split(const char *f, size_t len, struct folded_frame *out);

/* How a frame was written. */
enum folded_frame_written {
	FOLDED_FRAME_EXACT,	/* splits back into the same name, file, line and annotation */
	FOLDED_FRAME_RENAMED,	/* ';' or a line break (which folded text cannot hold) became ',' or ' ' */
	FOLDED_FRAME_AMBIGUOUS,	/* splits back into another name and file (parentheses that do not balance) */
};
/* Appends fr as frame text: the name, " (file:line)" when there is a file or a
 * line (":0" when there is no line), the annotation. A name without a file that
 * would itself split ("f (x.py:1)", "g_[k]") gets " (:0)", which splits back
 * into it and no file. */
enum folded_frame_written folded_frame_write(struct strbuf *sb, const struct folded_frame *fr);

#endif
