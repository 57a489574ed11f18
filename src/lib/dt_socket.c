/*
 * The socket side of dt-spawn, where a privilege boundary is crossed:
 * the --connect relay from an ssh session to the node's socket unit, and
 * the --as-peer switch to the user at the other end of that socket.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "dt.h"

/*
 * --connect: reach the node's socket-activated dt-spawn and relay our fds
 * 0 and 1 to it.  The service runs the agent in a cgroup of its own at
 * idle priority; without it (no socket, or nobody listening) we are the
 * agent ourselves, so a node works with or without the units.
 */
static int
try_socket(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (path == NULL || *path == '\0' ||
	    strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		dt_die_sys(DT_EX_SYS, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	/*
	 * No socket, or nobody behind it: the units are not there.  A
	 * socket we may not use is the node owner's word, not an absence.
	 */
	if (errno != ENOENT && errno != ECONNREFUSED && errno != ENOTDIR)
		dt_die_sys(DT_EX_SYS, "connect %s", path);
	close(fd);
	return -1;
}

int
dt_connect_service(const char *given)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	char *user = run ? dt_xasprintf("%s/distributest/runner.sock", run) :
	    NULL;
	int fd;

	if (given != NULL) {
		if ((fd = try_socket(given)) < 0)
			dt_die_sys(DT_EX_SYS, "connect %s", given);
		return fd;
	}
	fd = try_socket(user);
	if (fd < 0)
		fd = try_socket("/run/distributest/runner.sock");
	free(user);
	return fd;
}

noreturn void
dt_relay(int sock)
{
	char buf[65536];
	struct pollfd p[2];
	ssize_t n;
	int in_open = 1;

	signal(SIGTERM, SIG_DFL);
	for (;;) {
		p[0].fd = in_open ? 0 : -1;
		p[0].events = POLLIN;
		p[1].fd = sock;
		p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			dt_die_sys(DT_EX_SYS, "poll");
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				exit(0);	/* the agent is done */
			if (dt_write_all(1, buf, n) < 0)
				exit(0);
		}
		if (in_open && p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				/* EOF goes on: the agent then kills the run. */
				shutdown(sock, SHUT_WR);
				in_open = 0;
			} else if (dt_write_all(sock, buf, n) < 0)
				exit(0);
		}
	}
}

/*
 * The peer's supplementary groups as they were when it connected: those
 * it dropped stay dropped, where initgroups() would give back every group
 * the group file lists for its name.  Linux 4.13 or later.
 */
static gid_t *
peer_groups(int fd, size_t *n)
{
	socklen_t len = 0;
	gid_t *g = NULL;

	while (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
		if (errno != ERANGE || g != NULL)
			dt_die_sys(DT_EX_SYS, "SO_PEERGROUPS");
		g = dt_xcalloc(len / sizeof(*g) + 1, sizeof(*g));
	}
	*n = len / sizeof(*g);
	return g;
}

/*
 * --as-peer: started by the socket unit, possibly as root, we become the
 * user at the other end of the socket before anything else, with its
 * groups, so a run through the service has the rights of that user's
 * process and no others.
 */
void
dt_become_peer(void)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct passwd *pw;
	gid_t *groups;
	size_t ngroups;

	if (sd_is_socket(0, AF_UNIX, SOCK_STREAM, 0) <= 0)
		dt_die(DT_EX_USAGE, "--as-peer: standard input is not a Unix "
		    "stream socket");
	if (getsockopt(0, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		dt_die_sys(DT_EX_SYS, "SO_PEERCRED");
	if ((pw = getpwuid(cred.uid)) == NULL)
		dt_die(DT_EX_USAGE, "peer uid %ld has no name",
		    (long)cred.uid);
	if (getuid() == 0 && cred.uid != 0) {
		groups = peer_groups(0, &ngroups);
		if (setgroups(ngroups, groups) < 0 || setgid(cred.gid) < 0 ||
		    setuid(cred.uid) < 0)
			dt_die_sys(DT_EX_SYS, "becoming %s", pw->pw_name);
		free(groups);
	} else if (cred.uid != getuid())
		dt_die(DT_EX_USAGE, "peer uid %ld is not ours (%ld), and we "
		    "are not root", (long)cred.uid, (long)getuid());
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	setenv("SHELL", pw->pw_shell && *pw->pw_shell ? pw->pw_shell :
	    "/bin/sh", 1);
	if (chdir(pw->pw_dir) < 0)
		dt_warn_sys("chdir %s", pw->pw_dir);
}
