/* Turning stored name bytes back into what Python would write or show.
 * Python 3 decodes undecodable path bytes to lone surrogates (U+DC80..U+DCFF) and
 * marshal stores them with surrogatepass (ED B2 80..ED B3 BF); pstats output printed
 * with surrogateescape shows the original byte again. */
#ifndef PV_TEXT_BYTES_H
#define PV_TEXT_BYTES_H
#include <stddef.h>
#include <stdio.h>
#include "../analysis/strbuf.h"

/* The original byte when s starts with an escaped surrogate, else -1. */
int text_surrogate_at(const char *s, size_t n);
/* Writes s with escaped surrogates turned back into their raw bytes. */
void text_write_raw(FILE *out, const char *s, size_t n);
/* The same in place (the raw form is never longer); returns the new length. */
size_t text_unescape_raw(char *s, size_t n);
/* Appends a JSON string literal (quotes included): valid UTF-8 kept, control
 * characters escaped, surrogates and undecodable bytes as \udcXX as Python's json does.
 * The one policy for bytes that are not UTF-8 in every JSON profview writes
 * (docs/serve-api.md): lossless, and what json.dumps(os.fsdecode(b)) gives, where
 * U+FFFD would make different names look alike. */
void text_json_string(struct strbuf *out, const char *s, size_t n);
/* The same for JSON inside an HTML <script> element: '<', '>' and '&' also
 * escaped, so no string can end the element. */
void text_json_string_html(struct strbuf *out, const char *s, size_t n);
/* Appends a number at shortest round-trip precision, null when not finite. */
void text_json_number(struct strbuf *out, double v);
/* Appends s as a JSON string, or null when s is NULL. */
void text_json_opt_string(struct strbuf *out, const char *s);
/* Writes sb to out and empties it once it holds over 1 MiB: big outputs are
 * built in pieces, never whole in memory. */
void text_spill(FILE *out, struct strbuf *sb);
/* Appends a CSV text cell: RFC 4180 quoting when needed (and for ';' and tabs,
 * other locales' separators); bytes that are not UTF-8 (and escaped surrogates)
 * as the six characters \udcXX, what Python writes for the same str to a UTF-8
 * stream with errors='backslashreplace' and what the JSON literal spells: the
 * file stays UTF-8 (a spreadsheet or csv module reading it strictly does not fail
 * or guess another encoding for the whole file), different names stay different,
 * and the same byte reads the same in JSON and CSV. Text that a spreadsheet would
 * take for a formula (a first character = + - @ tab or CR, unless the cell is a
 * plain number) starts with a ', as OWASP advises. For text only: number
 * cells are written as they are. */
void text_csv_field(struct strbuf *out, const char *s, size_t n);

#endif
