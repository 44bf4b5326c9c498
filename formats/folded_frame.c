#include "folded_frame.h"

#include <string.h>

/* Longest line number read: 15 digits stay below 2^53 (and far below 2^63). */
#define FOLDED_FRAME_LINE_DIGITS 15

/* What a parenthesis encloses, "file:line" or "file.py": fills file and line. */
static int folded_frame_inner(const char *in, size_t n, struct folded_frame *out)
{
	size_t colon = n, digits = 0;
	while (colon > 0 && in[colon - 1] >= '0' && in[colon - 1] <= '9')
		colon--, digits++;
	if (digits > 0 && digits <= FOLDED_FRAME_LINE_DIGITS && colon >= 1 && in[colon - 1] == ':') {
		out->file = in;
		out->file_len = colon - 1;
		out->line = 0;
		for (size_t i = colon; i < n; i++)
			out->line = out->line * 10 + (in[i] - '0');
		return 1;
	}
	/* ".py" alone too: whether a parenthesis encloses a file must depend only
	 * on how the frame ends, so that the file written back with ":0" (or a
	 * line without leading zeros) splits at the same parenthesis */
	if (n >= 3 && memcmp(in + n - 3, ".py", 3) == 0) {
		out->file = in;
		out->file_len = n;
		out->line = 0;
		return 1;
	}
	return 0;
}

/* The '(' that matches the final ')' of f[0..len), or -1 when none does. */
static long folded_frame_matching_open(const char *f, size_t len)
{
	size_t depth = 0;
	for (size_t i = len; i-- > 0;) {
		if (f[i] == ')')
			depth++;
		else if (f[i] == '(' && --depth == 0)
			return (long)i;
	}
	return -1;
}

/* Splits at the '(' at open (preceded by a space) when it encloses a file. */
static int folded_frame_at(const char *f, size_t len, size_t open, struct folded_frame *out)
{
	if (open < 1 || f[open - 1] != ' ' || !folded_frame_inner(f + open + 1, len - open - 2, out))
		return 0;
	out->name_len = open - 1;
	return 1;
}

void folded_frame_split(const char *f, size_t len, struct folded_frame *out)
{
	out->annotation = 0;
	if (len >= 4 && f[len - 4] == '_' && f[len - 3] == '[' && f[len - 1] == ']' && memchr("kjiw", f[len - 2], 4)) {
		out->annotation = f[len - 2];
		len -= 4;
	}
	out->name = f;
	out->name_len = len;
	out->file = "";
	out->file_len = 0;
	out->line = 0;
	if (len < 4 || f[len - 1] != ')')
		return;
	long open = folded_frame_matching_open(f, len);
	if (open >= 0 && folded_frame_at(f, len, (size_t)open, out))
		return;
	/* the path's parentheses do not balance: the first " (" that encloses a file */
	for (size_t i = 1; i + 1 < len; i++)
		if (f[i] == '(' && folded_frame_at(f, len, i, out))
			return;
	out->file = "";
	out->file_len = 0;
	out->line = 0;
}

/* Whether text splits back into fr (name, file, line and annotation). */
static int folded_frame_same(const char *text, size_t n, const struct folded_frame *fr)
{
	struct folded_frame back;
	folded_frame_split(text, n, &back);
	return back.annotation == fr->annotation && back.line == (fr->line > 0 ? fr->line : 0) &&
	       back.name_len == fr->name_len && back.file_len == fr->file_len &&
	       memcmp(back.name, fr->name, fr->name_len) == 0 && memcmp(back.file, fr->file, fr->file_len) == 0;
}

enum folded_frame_written folded_frame_write(struct strbuf *sb, const struct folded_frame *fr)
{
	size_t start = sb->len;
	int renamed = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		sb->len = start;
		strbuf_add(sb, fr->name, fr->name_len);
		/* the second attempt: a name without a file that splits by itself */
		if (fr->file_len || fr->line > 0 || attempt) {
			strbuf_adds(sb, " (");
			strbuf_add(sb, fr->file, fr->file_len);
			strbuf_addf(sb, ":%lld)", (long long)(fr->line > 0 ? fr->line : 0));
		}
		renamed = 0;
		for (size_t i = start; i < sb->len; i++) {
			char c = sb->buf[i];
			if (c == ';' || c == '\n' || c == '\r') {
				sb->buf[i] = c == ';' ? ',' : ' ';
				renamed = 1;
			}
		}
		if (fr->annotation)
			strbuf_addf(sb, "_[%c]", fr->annotation);
		if (renamed)
			return FOLDED_FRAME_RENAMED;
		if (folded_frame_same(sb->buf + start, sb->len - start, fr))
			return FOLDED_FRAME_EXACT;
		if (fr->file_len || fr->line > 0)
			break;
	}
	return FOLDED_FRAME_AMBIGUOUS;
}
