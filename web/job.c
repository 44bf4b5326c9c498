#include "job.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* How often a running job looks at its client's socket: a poll() is a system
 * call, the clock is not. */
#define JOB_LOOK_EVERY 0.05
/* How long a waiter sleeps between looks at its own end. */
#define JOB_WAIT_STEP 0.1

static double job_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void job_gate_init(struct job_gate *g, unsigned max)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&g->freed, &a);
	pthread_condattr_destroy(&a);
	g->busy = 0;
	g->max = max ? max : 1;
	atomic_init(&g->stopping, 0);
}

void job_gate_release(struct job_gate *g)
{
	pthread_cond_destroy(&g->freed);
	pthread_mutex_destroy(&g->lock);
}

void job_gate_stop(struct job_gate *g)
{
	atomic_store(&g->stopping, 1);
	pthread_mutex_lock(&g->lock);
	pthread_cond_broadcast(&g->freed);
	pthread_mutex_unlock(&g->lock);
}

/* The client has closed its end (or reset it): nobody waits for the answer.
 * A half-close counts too, as for nginx: HTTP clients do not half-close and
 * then wait. Data on the socket (a pipelined request) is not a hang-up. */
static int job_client_gone(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL))
		return 1;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static int job_check(struct pv_cancel *c)
{
	struct job *j = (struct job *)c;
	if (j->end != JOB_RUNNING)
		return 1;
	if (atomic_load(&j->gate->stopping)) {
		j->end = JOB_STOPPING;
		return 1;
	}
	double now = job_now();
	if (j->deadline > 0 && now >= j->deadline) {
		j->end = JOB_DEADLINE;
		return 1;
	}
	if (j->fd >= 0 && now >= j->next_look) {
		j->next_look = now + JOB_LOOK_EVERY;
		if (job_client_gone(j->fd)) {
			j->end = JOB_CLIENT_GONE;
			return 1;
		}
	}
	return 0;
}

void job_start(struct job *j, struct job_gate *g, int fd, double seconds)
{
	memset(j, 0, sizeof(*j));
	j->cancel.check = job_check;
	j->gate = g;
	j->fd = fd;
	j->seconds = seconds;
	double now = job_now();
	j->deadline = seconds > 0 ? now + seconds : 0;
	j->next_look = now + JOB_LOOK_EVERY;
}

/* now + JOB_WAIT_STEP, no later than the deadline, as a timespec */
static struct timespec job_wake_time(const struct job *j)
{
	double t = job_now() + JOB_WAIT_STEP;
	if (j->deadline > 0 && t > j->deadline)
		t = j->deadline;
	struct timespec ts;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	return ts;
}

int job_take_turn(struct job *j)
{
	struct job_gate *g = j->gate;
	pthread_mutex_lock(&g->lock);
	while (g->busy >= g->max && !pv_cancelled(&j->cancel)) {
		struct timespec ts = job_wake_time(j);
		pthread_cond_timedwait(&g->freed, &g->lock, &ts);
	}
	int ok = !pv_cancelled(&j->cancel);
	if (ok) {
		g->busy++;
		j->has_turn = 1;
	}
	pthread_mutex_unlock(&g->lock);
	return ok ? 0 : -1;
}

void job_finish(struct job *j)
{
	if (!j->has_turn)
		return;
	struct job_gate *g = j->gate;
	pthread_mutex_lock(&g->lock);
	g->busy--;
	pthread_cond_signal(&g->freed);
	pthread_mutex_unlock(&g->lock);
	j->has_turn = 0;
}

int job_lock(struct job *j, pthread_mutex_t *m)
{
	for (;;) {
		if (pv_cancelled(&j->cancel))
			return -1;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);	/* pthread_mutex_timedlock's clock */
		ts.tv_nsec += (long)(JOB_WAIT_STEP * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		int rc = pthread_mutex_timedlock(m, &ts);
		if (rc == 0)
			return 0;
		if (rc != ETIMEDOUT)
			return -1;
	}
}

void job_end_message(const struct job *j, char *buf, size_t size)
{
	switch (j->end) {
	case JOB_DEADLINE:
		snprintf(buf, size, "the request needed more than %g s, the server's limit (serve --deadline): "
			 "ask for less (a smaller max_nodes, a simpler regex, a higher node_thres)", j->seconds);
		break;
	case JOB_STOPPING:
		snprintf(buf, size, "the server is stopping");
		break;
	case JOB_CLIENT_GONE:
		snprintf(buf, size, "the client hung up");
		break;
	default:
		snprintf(buf, size, "the request was stopped");
		break;
	}
}
