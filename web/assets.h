/* The web assets (HTML, JS, CSS) embedded into the binary at build time by
 * web/embed.py: nothing is read from disk at run time. Static, read-only. */
#ifndef PV_WEB_ASSETS_H
#define PV_WEB_ASSETS_H
#include <stddef.h>

struct pv_web_asset {
	const char *name;		/* the file's name in web/, e.g. "icicle.js" */
	const unsigned char *data;	/* NUL-terminated */
	size_t len;
};
/* Every asset, ended by a zero entry. */
extern const struct pv_web_asset pv_web_assets[];

/* The asset of that name, or NULL. */
const struct pv_web_asset *pv_web_asset_find(const char *name);

#endif
