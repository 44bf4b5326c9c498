/* Writers for a stat_table: pstats' print_stats() text, byte for byte, and the
 * JSON and CSV forms with every column at full precision. */
#ifndef PV_STAT_WRITE_H
#define PV_STAT_WRITE_H
#include "../analysis/stat_table.h"
#include <stdio.h>

void stat_write_text(FILE *out, const struct stat_table *t);
/* time.ctime(t) in local time, as pstats' header shows a file's mtime; returns
 * the length (0 when it cannot be formatted). */
size_t stat_ctime(int64_t t, char *buf, size_t size);
void stat_write_json(FILE *out, const struct stat_table *t);
void stat_write_csv(FILE *out, const struct stat_table *t);
/* One of the three by name: "json", "csv", else text. */
void stat_write_as(FILE *out, const struct stat_table *t, const char *format);
/* The same for sampled and evented profiles (stat_write_sampled.c); the three
 * above hand over to these by the table's kind. */
void stat_write_sampled_text(FILE *out, const struct stat_table *t);
void stat_write_sampled_json(FILE *out, const struct stat_table *t);
void stat_write_sampled_csv(FILE *out, const struct stat_table *t);
/* JSON pieces the tables share: {"profile": {"id", "name", "source", "format",
 * "kind", "unit", "thread"} (the document left open); "ordered_by" ...
 * "functions": [ ; a row's "file", "line", "name". */
void stat_json_profile_head(struct strbuf *sb, const struct stat_table *t);
void stat_json_listing(struct strbuf *sb, const struct stat_table *t);
void stat_json_row_key(struct strbuf *sb, const struct stat_row *r);

#endif
