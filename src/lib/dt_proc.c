/* Children: start them with pipes, read their statuses, handle signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

void
dt_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl >= 0)
		fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

void
dt_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void
dt_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int
xpipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	dt_cloexec(p[0]);
	dt_cloexec(p[1]);
	return 0;
}

static void
close_pair(int p[2])
{
	dt_close(&p[0]);
	dt_close(&p[1]);
}

/*
 * Start argv[0] (searched in PATH) with the pipes flags asks for.  The
 * child gets default signal dispositions, whatever we ignore.  Returns
 * -1 with errno set when the program could not be executed (a
 * close-on-exec pipe carries the child's errno back), or when a pipe or
 * the fork failed: out of descriptors, one node fails, not the stage.
 */
int
dt_spawn(struct dt_child *c, char *const argv[], int flags)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int ep[2] = { -1, -1 }, e, n;

	if (((flags & DT_SPAWN_IN) && xpipe(in) < 0) ||
	    ((flags & DT_SPAWN_OUT) && xpipe(out) < 0) ||
	    ((flags & DT_SPAWN_ERR) && xpipe(err) < 0) ||
	    xpipe(ep) < 0 || (c->pid = fork()) < 0) {
		e = errno;
		close_pair(in);
		close_pair(out);
		close_pair(err);
		close_pair(ep);
		c->pid = -1;
		errno = e;
		return -1;
	}
	if (c->pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (flags & DT_SPAWN_PGRP)
			setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (in[0] >= 0)
			dup2(in[0], 0);
		else if (flags & DT_SPAWN_NULLIN) {
			int fd = open("/dev/null", O_RDONLY);

			if (fd >= 0 && fd != 0) {
				dup2(fd, 0);
				close(fd);
			}
		}
		if (out[1] >= 0)
			dup2(out[1], 1);
		if (err[1] >= 0)
			dup2(err[1], 2);
		else if ((flags & DT_SPAWN_ERR2OUT) && out[1] >= 0)
			dup2(out[1], 2);
		execvp(argv[0], argv);
		e = errno;
		(void)!write(ep[1], &e, sizeof(e));
		_exit(e == ENOENT ? DT_EX_NOTFOUND : DT_EX_NOEXEC);
	}
	close(ep[1]);
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (in[0] >= 0)
		close(in[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	c->in = in[1];
	c->out = out[0];
	c->err = err[0];
	if (n == sizeof(e)) {
		dt_close(&c->in);
		dt_close(&c->out);
		dt_close(&c->err);
		waitpid(c->pid, NULL, 0);
		c->pid = -1;
		errno = e;
		return -1;
	}
	return 0;
}

/* A wait status as the shell would give it: 128+N for a signal. */
int
dt_wait_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return DT_EX_SIGNAL + WTERMSIG(st);
	return DT_EX_SYS;
}

const char *
dt_status_str(int st, char *buf, size_t n)
{
	if (WIFEXITED(st))
		snprintf(buf, n, "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	else
		snprintf(buf, n, "stopped");
	return buf;
}

/*
 * A stage of the pipeline ends with the front end that started it, even
 * when that one is killed with SIGKILL and can stop nobody: the stage
 * gets SIGTERM, and its exit closes the channels, which ends the run on
 * every node.
 */
void
dt_die_with_parent(void)
{
	pid_t parent = getppid();

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		dt_warn_sys("prctl PR_SET_PDEATHSIG");
	if (getppid() != parent)
		raise(SIGTERM);	/* it died before we asked */
}

/* Three descriptors a runner or a node: take all the system allows. */
void
dt_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}
