/*
 * The loop of a pipeline stage: lines come in on stdin, events go out on
 * stdout, signals arrive on a signalfd.  A stage's own descriptors are
 * watched beside those three, and one poll waits for all of them.
 *
 * The contract every stage keeps: a signal ends it with 128+N after its
 * last words; a reader of stdout that is gone ends it with 0 (the stage
 * after it is done, and the run's status is that stage's); a malformed
 * line on stdin ends it with 101, naming the line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "dt.h"

void
dt_stage_init(struct dt_stage *st, const char *inname, int flags)
{
	sigset_t mask;

	memset(st, 0, sizeof(*st));
	st->flags = flags;
	sigemptyset(&mask);
	if (flags & DT_STAGE_CHILDREN)
		sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((st->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		dt_die_sys(DT_EX_SYS, "signalfd");
	dt_rd_init(&st->in, 0, inname);
	dt_stage_begin(st);
}

/* A new round: only the three fixed slots, the stage adds its own. */
void
dt_stage_begin(struct dt_stage *st)
{
	st->n = 0;
	dt_stage_watch(st, st->eof ? -1 : 0, POLLIN, 0);
	dt_stage_watch(st, st->sfd, POLLIN, 0);
	/* POLLERR on a pipe: its reader is gone. */
	dt_stage_watch(st, st->flags & DT_STAGE_CHANNEL ? -1 : 1, 0, 0);
}

void
dt_stage_watch(struct dt_stage *st, int fd, short events, size_t who)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 16;
		st->pfd = dt_xrealloc(st->pfd, st->cap, sizeof(*st->pfd));
		st->who = dt_xrealloc(st->who, st->cap, sizeof(*st->who));
	}
	st->pfd[st->n].fd = fd;
	st->pfd[st->n].events = events;
	st->pfd[st->n].revents = 0;
	st->who[st->n++] = who;
}

int
dt_stage_wait(struct dt_stage *st, int timeout, short outevents)
{
	struct signalfd_siginfo si;
	int ret = 0;

	st->pfd[DT_STAGE_OUT].events = outevents;
	if (poll(st->pfd, st->n, timeout) < 0) {
		if (errno != EINTR)
			dt_die_sys(DT_EX_SYS, "poll");
		for (size_t i = 0; i < st->n; i++)
			st->pfd[i].revents = 0;
	}
	if (st->pfd[DT_STAGE_SIG].revents)
		while (read(st->sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGCHLD) {
				ret |= DT_STAGE_CHILDREN;
				continue;
			}
			if (st->lastwords != NULL)
				st->lastwords(DT_EX_SIGNAL + si.ssi_signo);
			exit(DT_EX_SIGNAL + si.ssi_signo);
		}
	if (st->pfd[DT_STAGE_OUT].revents & (POLLERR | POLLHUP))
		exit(0);
	if (st->pfd[DT_STAGE_OUT].revents & POLLOUT)
		ret |= DT_STAGE_WRITABLE;
	return ret;
}

int
dt_stage_read(struct dt_stage *st, dt_stage_fn fn)
{
	static char *f[DT_FIELDS_MAX];
	static struct dt_buf copy;
	char *l;
	size_t len;
	int rc, k;

	st->got = 0;
	if (st->eof || st->pfd[DT_STAGE_IN].revents == 0)
		return 0;
	st->got = dt_rd_fill(&st->in);
	if (st->got < 0 && errno != EAGAIN && errno != EINTR) {
		/* A channel that breaks has ended, like one closed. */
		if (!(st->flags & DT_STAGE_CHANNEL))
			dt_die_sys(DT_EX_SYS, "%s", st->in.name);
		st->in.eof = 1;
	}
	while ((rc = dt_rd_line(&st->in, &l, &len)) > 0) {
		/* The fields of a copy: the line itself may go on as it is. */
		dt_buf_reset(&copy);
		dt_buf_add(&copy, l, len);
		if ((k = dt_split(copy.s, len, f, DT_FIELDS_MAX)) < 0)
			dt_die(DT_EX_DATA, "%s line %lu: %s", st->in.name,
			    st->in.lineno, dt_line_error);
		fn(l, len, f, k, st->in.lineno);
	}
	if (rc < 0)
		dt_die(DT_EX_DATA, "%s line %lu: %s", st->in.name,
		    st->in.lineno, dt_line_error);
	st->eof = st->in.eof;
	return st->eof;
}

/* An event out, or the end of this stage when the next one is gone. */
void
dt_emit(const char *verb, ...)
{
	va_list ap;
	int rc;

	va_start(ap, verb);
	rc = dt_vsend(1, verb, ap);
	va_end(ap);
	if (rc < 0)
		dt_out_failed();
}

/* A line read on stdin goes on unchanged; its newline was cut off. */
void
dt_pass(char *l, size_t len)
{
	l[len] = '\n';
	if (dt_write_all(1, l, len + 1) < 0)
		dt_out_failed();
}
