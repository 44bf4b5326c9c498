/* What bounds the work of one request (docs/serve-api.md, "Limits"): its
 * deadline, the client hanging up, the server stopping; and the turns the
 * server hands out so that at most so many requests compute at once, while
 * the page, its assets and the profile list never wait for one.
 *
 * Ownership: a job lives on the stack of the thread answering its request;
 * the gate belongs to the server and outlives every job. */
#ifndef PV_WEB_JOB_H
#define PV_WEB_JOB_H
#include "../analysis/cancel.h"

#include <pthread.h>
#include <stdatomic.h>

struct job_gate {
	pthread_mutex_t lock;
	pthread_cond_t freed;	/* a turn was given back, or the server is stopping */
	unsigned busy, max;
	atomic_int stopping;
};

void job_gate_init(struct job_gate *g, unsigned max);
void job_gate_release(struct job_gate *g);
/* From now on every job's cancel check says stop, and waiters wake. */
void job_gate_stop(struct job_gate *g);

enum job_end { JOB_RUNNING = 0, JOB_DEADLINE, JOB_CLIENT_GONE, JOB_STOPPING };

struct job {
	struct pv_cancel cancel;	/* first: its check finds the job */
	struct job_gate *gate;
	int fd;			/* the client's socket, looked at for a hang-up; -1: none */
	double deadline;	/* CLOCK_MONOTONIC seconds; 0: none */
	double seconds;		/* the budget, for the message */
	double next_look;	/* when to look at the socket again */
	enum job_end end;
	int has_turn;
};

/* A job for a request received now, with seconds to run (0: no deadline). */
void job_start(struct job *j, struct job_gate *g, int fd, double seconds);
/* Waits for a turn to compute. -1 when the job ended first (j->end says why). */
int job_take_turn(struct job *j);
/* Gives the turn back (when it has one). */
void job_finish(struct job *j);
/* Locks m, waiting no longer than the job may. -1 when the job ended first. */
int job_lock(struct job *j, pthread_mutex_t *m);
/* Why the job ended, in words for the answer: "the request took more than ...". */
void job_end_message(const struct job *j, char *buf, size_t size);

#endif
