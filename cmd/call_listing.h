/* `callers` and `callees`: one body, two commands (cmd/callers.c, cmd/callees.c). */
#ifndef PV_CMD_CALL_LISTING_H
#define PV_CMD_CALL_LISTING_H
#include "cmd.h"
#include "../analysis/call_table.h"

int cmd_call_listing(int argc, char **argv, struct cmd_ctx *ctx, const struct cmd_entry *e,
		     enum call_direction dir);

#endif
