/* Children: start them with pipes, read their statuses, handle signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
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
	return pipe2(p, O_CLOEXEC);
}

static void
close_pair(int p[2])
{
	dt_close(&p[0]);
	dt_close(&p[1]);
}

/*
 * A file without a "#!" line is a shell script to execvp, which runs it
 * with /bin/sh; glibc's posix_spawnp does not.  As execvp does: the first
 * executable file of that name in PATH, or the path itself.
 */
static int
spawn_sh(pid_t *pid, char *const argv[], const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *at)
{
	const char *path = getenv("PATH"), *p, *colon;
	struct stat st;
	char **av, *file = NULL;
	size_t n, len;
	int e;

	if (strchr(argv[0], '/') != NULL)
		file = dt_xstrdup(argv[0]);
	for (p = path ? path : "/bin:/usr/bin"; file == NULL && *p; ) {
		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		file = dt_xasprintf("%.*s%s%s", (int)len, p, len ? "/" : "",
		    argv[0]);
		if (access(file, X_OK) != 0 || stat(file, &st) != 0 ||
		    !S_ISREG(st.st_mode)) {
			free(file);
			file = NULL;
		}
		p += len + (colon != NULL);
	}
	if (file == NULL)
		return ENOEXEC;
	for (n = 0; argv[n] != NULL; n++)
		;
	av = dt_xcalloc(n + 2, sizeof(*av));
	av[0] = "sh";
	av[1] = file;
	memcpy(av + 2, argv + 1, n * sizeof(*av));	/* with the NULL */
	e = posix_spawn(pid, "/bin/sh", fa, at, av, environ);
	free(av);
	free(file);
	return e;
}

/*
 * execv(argv[0], argv), but a script whose first line is "#!/usr/bin/env
 * NAME" runs NAME from PATH at once, as env would, one exec fewer: on a
 * node whose cores are all starting runners, env's own start cost each
 * adapter 10 to 25 ms.  Returns only when execv failed, with errno set.
 */
void
dt_exec_script(char *const argv[])
{
	static const char env[] = "#!/usr/bin/env ";
	char line[256], *name, *nl, **av;
	ssize_t got;
	size_t n;
	int fd;

	if (access(argv[0], X_OK) == 0 &&
	    (fd = open(argv[0], O_RDONLY | O_CLOEXEC)) >= 0) {
		got = read(fd, line, sizeof(line) - 1);
		close(fd);
		line[got > 0 ? got : 0] = '\0';
		name = line + sizeof(env) - 1;
		if (strncmp(line, env, sizeof(env) - 1) == 0 &&
		    (nl = strchr(name, '\n')) != NULL && nl > name) {
			*nl = '\0';
			if (strpbrk(name, " \t\r") == NULL) {
				for (n = 0; argv[n] != NULL; n++)
					;
				av = dt_xcalloc(n + 2, sizeof(*av));
				av[0] = name;
				memcpy(av + 1, argv, (n + 1) * sizeof(*av));
				execvp(name, av);
				free(av);
			}
		}
	}
	execv(argv[0], argv);
}

/*
 * Start argv[0] (searched in PATH) with the pipes flags asks for.  The
 * child gets default signal dispositions, whatever we ignore.  Returns
 * -1 with errno set when the program could not be executed, or when a
 * pipe or the spawn failed: out of descriptors, one node fails, not the
 * stage.  posix_spawn, not fork: glibc's shares the parent's memory until
 * the exec, so that opening a thousand channels costs no page copies.
 */
int
dt_spawn(struct dt_child *c, char *const argv[], int flags)
{
	static const int deflt[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM,
	    SIGHUP, SIGCHLD };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	size_t i;
	int e, fa_ok;

	c->pid = -1;
	if (((flags & DT_SPAWN_IN) && xpipe(in) < 0) ||
	    ((flags & DT_SPAWN_OUT) && xpipe(out) < 0) ||
	    ((flags & DT_SPAWN_ERR) && xpipe(err) < 0)) {
		e = errno;
		close_pair(in);
		close_pair(out);
		close_pair(err);
		errno = e;
		return -1;
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	for (i = 0; i < sizeof(deflt) / sizeof(deflt[0]); i++)
		sigaddset(&dfl, deflt[i]);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | ((flags & DT_SPAWN_PGRP) ?
	    POSIX_SPAWN_SETPGROUP : 0));
	/* Each action may fail (ENOMEM): then no child, as for a failed
	 * spawn, rather than one without its pipes. */
	fa_ok = (e = posix_spawn_file_actions_init(&fa)) == 0;
	if (e == 0 && in[0] >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else if (e == 0 && (flags & DT_SPAWN_NULLIN))
		e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
		    O_RDONLY, 0);
	if (e == 0 && out[1] >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (e == 0 && err[1] >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	else if (e == 0 && (flags & DT_SPAWN_ERR2OUT) && out[1] >= 0)
		e = posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	if (e == 0)
		e = posix_spawnp(&c->pid, argv[0], &fa, &at, argv, environ);
	if (e == ENOEXEC)
		e = spawn_sh(&c->pid, argv, &fa, &at);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	dt_close(&in[0]);
	dt_close(&out[1]);
	dt_close(&err[1]);
	if (e != 0) {
		dt_close(&in[1]);
		dt_close(&out[0]);
		dt_close(&err[0]);
		c->pid = -1;
		errno = e;
		return -1;
	}
	c->in = in[1];
	c->out = out[0];
	c->err = err[0];
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
