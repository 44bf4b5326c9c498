/* Looks up the embedded web assets by name. */
#include "assets.h"
#include <string.h>

const struct pv_web_asset *pv_web_asset_find(const char *name)
{
	for (const struct pv_web_asset *a = pv_web_assets; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}
