/* The icicle chart as one self-contained HTML page (docs/icicle-data.md): the
 * template, style and script embedded in the binary, the data inline. */
#ifndef PV_ICICLE_WRITE_H
#define PV_ICICLE_WRITE_H
#include "../analysis/error.h"
#include "../analysis/icicle.h"
#include <stdio.h>

struct icicle_page {
	const struct profile *profile;	/* the profile charted (its source, format, kind) */
	const char *title;
	const char *base_title;		/* differential charts */
};

/* The same data as one JSON document, {"meta": ..., "nodes": "BASE64"}, for
 * serve's API (docs/serve-api.md). */
struct strbuf;
void icicle_write_json(struct strbuf *out, const struct icicle *ic, const struct icicle_page *pg);

int icicle_write_html(FILE *out, const struct icicle *ic, const struct icicle_page *pg, struct pv_error *err);

#endif
