/*
 * A node's preloaded template: dt-spawn hands it one socket per runner,
 * and the runner hands it, on that socket, what makes a process that
 * runner's adapter.  The template is the adapter itself, started with
 * DT_PRELOAD_FD (libexec/distributest.rb, Template); its child becomes
 * the runner's adapter, and the runner's own process stands in for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dt.h"

extern char **environ;

/* DATA and the descriptors FDS, in one message on SOCK. */
static int
send_fds(int sock, void *data, size_t len, const int *fds, int nfds,
    int flags)
{
	union {
		struct cmsghdr	h;
		char		buf[CMSG_SPACE(4 * sizeof(int))];
	} u;
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *cm;

	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	iov.iov_base = data;
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	return sendmsg(sock, &m, flags | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/*
 * A held template goes on, lowering its priority by NICE once it has
 * forked the first runner's child: "go NICE", one message.
 */
int
dt_preload_go(int ctl, int nice)
{
	char msg[32];
	int len;

	len = snprintf(msg, sizeof(msg), "go %d", nice);
	return send(ctl, msg, (size_t)len, MSG_NOSIGNAL) == len ? 0 : -1;
}

/* Sends FD over CTL; 0, or -1 when the template is gone or full. */
int
dt_preload_pass(int ctl, int fd)
{
	return send_fds(ctl, "c", 1, &fd, 1, MSG_DONTWAIT);
}

static void
field(struct dt_buf *b, int tag, const char *value)
{
	dt_buf_addc(b, tag);
	dt_buf_add(b, value, strlen(value) + 1);
}

/* Our descriptors 0 to 3 and the fields, in one message. */
static int
request(int sock, char *const argv[])
{
	static const int fds[4] = { 0, 1, 2, 3 };
	struct dt_buf b = { NULL, 0, 0 };
	char cwd[PATH_MAX], num[32];
	char **e;
	int nice, rc;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return -1;
	field(&b, 'd', cwd);
	snprintf(num, sizeof(num), "%ld", (long)getpgrp());
	field(&b, 'g', num);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, 0);
	if (errno == 0) {
		snprintf(num, sizeof(num), "%d", nice);
		field(&b, 'n', num);
	}
	for (argv++; *argv != NULL; argv++)	/* ARGV, as Ruby has it */
		field(&b, 'a', *argv);
	for (e = environ; *e != NULL; e++)
		field(&b, 'e', *e);
	rc = send_fds(sock, b.s, b.len, fds, 4, 0);
	dt_buf_free(&b);
	return rc;
}

/* One message of the template's, without its newline; -1 at its end. */
static ssize_t
reply(int sock, char *buf, size_t size)
{
	ssize_t n;

	while ((n = recv(sock, buf, size - 1, 0)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return n;
}

/*
 * In a runner, instead of exec'ing the adapter ARGV: asks the template on
 * SOCK for a child that becomes it, then waits for that child and ends as
 * it ended.  Returns, SOCK closed, when the template did not take the
 * request (it declined, or is gone): the runner boots on its own then.
 */
void
dt_preload_run(int sock, char *const argv[])
{
	struct rlimit none = { 0, 0 };
	sigset_t set;
	char buf[128], *end;
	long pid, v;
	int fd;

	if (request(sock, argv) < 0 || reply(sock, buf, sizeof(buf)) < 0 ||
	    strncmp(buf, "pid ", 4) != 0 ||
	    (pid = strtol(buf + 4, &end, 10)) <= 0 || *end != '\0') {
		close(sock);
		return;
	}
	/* The child reads the requests and writes the output now. */
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 3)
			close(fd);
	}
	if (reply(sock, buf, sizeof(buf)) > 0) {
		if (strncmp(buf, "exit ", 5) == 0 &&
		    (v = strtol(buf + 5, &end, 10)) >= 0 && v <= 255 &&
		    end != buf + 5 && *end == '\0')
			_exit((int)v);
		if (strncmp(buf, "signal ", 7) == 0 &&
		    (v = strtol(buf + 7, &end, 10)) > 0 && v < NSIG &&
		    *end == '\0') {
			sigemptyset(&set);
			sigaddset(&set, (int)v);
			setrlimit(RLIMIT_CORE, &none);
			signal((int)v, SIG_DFL);
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			raise((int)v);
			_exit(DT_EX_SIGNAL + (int)v);
		}
	}
	/* The template ended under its child, which must not outlive it. */
	kill((pid_t)pid, SIGKILL);
	dprintf(3, "down\tthe node's preloaded template ended\n");
	_exit(DT_EX_SYS);
}
