/* Writers for a profile's call tree: folded stacks and speedscope JSON. The
 * profile must have a tree (sampled or evented; for cProfile data make one
 * with profile_estimate_tree()). */
#ifndef PV_TREE_WRITE_H
#define PV_TREE_WRITE_H
#include "../analysis/profile.h"
#include <stdio.h>

/* One "frame;frame COUNT" line per stack that has weight of its own, frames as
 * "name (file:line)" plus their _[x] annotation. Folded text cannot hold ';' or
 * line breaks in a name: they become ',' and ' ', and the number of names so
 * changed is returned (0 when the file re-imports to the same tree). */
size_t folded_write(FILE *out, const struct profile *p);

/* A speedscope file (file-format-schema.json) with one "sampled" profile: a
 * sample per stack with weight of its own. */
void speedscope_write(FILE *out, const struct profile *p, const char *version);

#endif
