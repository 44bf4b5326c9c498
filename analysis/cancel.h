/* Long work that may have to stop before its end: a server request past its
 * deadline, whose client has hung up, or that the server's shutdown
 * interrupts. The owner (web/) supplies check(); the loops of analysis/ call
 * pv_cancelled() every so often and, when it says stop, give up with
 * pv_cancel_fail(). A NULL pointer never stops: the CLI passes none.
 *
 * Ownership: the owner keeps the struct alive while the work runs; analysis/
 * only reads check and sets stopped. */
#ifndef PV_CANCEL_H
#define PV_CANCEL_H
#include "error.h"

struct pv_cancel {
	/* Nonzero: stop now. The owner knows why (it formats the answer). Cheap
	 * enough for once per function or per thousand nodes. */
	int (*check)(struct pv_cancel *c);
	int stopped;		/* sticky once check() said stop */
};

static inline int pv_cancelled(struct pv_cancel *c)
{
	if (!c)
		return 0;
	if (!c->stopped && c->check(c))
		c->stopped = 1;
	return c->stopped;
}

/* The error of work given up: -1, err->kind PV_ERROR_CANCELLED (the owner words it). */
static inline int pv_cancel_fail(struct pv_error *err)
{
	pv_error_set(err, "the work was stopped before its end");
	err->kind = PV_ERROR_CANCELLED;
	return -1;
}

#endif
