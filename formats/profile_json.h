/* The whole profile as one JSON document: its PROFILE record (record_json.h,
 * from m, the profile's row in the store), functions with their stats,
 * caller->callee edges and, for sampled/evented data, the call tree. Every
 * number at full precision; the layout is in docs/profview-export.md. */
#ifndef PV_PROFILE_JSON_H
#define PV_PROFILE_JSON_H
#include "../analysis/profile.h"
#include "../analysis/store.h"
#include <stdio.h>

void profile_write_json(FILE *out, const struct profile *p, const struct store_meta *m);

#endif
