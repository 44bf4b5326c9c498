/* The JSON records that several outputs share, one writer each (DESIGN §4,
 * "one serializer per record"), used by the commands and the web API alike:
 *
 *   PROFILE  a stored profile: list --format json, show --format json,
 *            export --to json, /api/profiles, /api/profiles/{ref}
 *   SUMMARY  a PROFILE with its top functions: show --format json,
 *            /api/profiles/{ref}
 *   FUNC     one function with its stats: the summary's top functions, the
 *            sandwich's function
 *   ERROR    a failure: every /api/ error answer
 *
 * Their keys are documented in docs/serve-api.md. Every string goes through
 * text_json_string() (text_bytes.h): one policy for bytes that are not UTF-8.
 * The writers append to a caller-owned strbuf. */
#ifndef PV_RECORD_JSON_H
#define PV_RECORD_JSON_H
#include "../analysis/stat_table.h"
#include "../analysis/store.h"
#include "../analysis/strbuf.h"

/* PROFILE: the stored profile's row; m->unit is already the unit rule's answer. */
void record_json_profile(struct strbuf *sb, const struct store_meta *m);
/* SUMMARY: {"profile": PROFILE, "top_level": [names], "top_self": [FUNC],
 * "top_total": [FUNC]}, the tops being the rows of two tables of the profile
 * (by tottime and by cumulative); top_level from by_self. */
void record_json_summary(struct strbuf *sb, const struct store_meta *m, const struct stat_table *by_self,
			 const struct stat_table *by_total);
/* FUNC: row r of a table of a profile of this kind. */
void record_json_func(struct strbuf *sb, enum pv_kind kind, const struct stat_row *r);
/* The same for function index f of a loaded profile. */
void record_json_profile_func(struct strbuf *sb, const struct profile *p, uint32_t f);
/* ERROR: {"error": {"status": S, "message": "..."}}. */
void record_json_error(struct strbuf *sb, int status, const char *message);

#endif
