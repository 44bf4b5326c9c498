/* Writers for a call_table: pstats' print_callers()/print_callees() text, byte
 * for byte, and JSON with every edge's stats at full precision. */
#ifndef PV_CALL_WRITE_H
#define PV_CALL_WRITE_H
#include "../analysis/call_table.h"
#include <stdio.h>

void call_write_text(FILE *out, const struct call_table *c);
void call_write_json(FILE *out, const struct call_table *c);

#endif
