/*
 * dt-spawn: the node agent.  It speaks the channel protocol on fds 0 and 1,
 * so ssh, inetd and a systemd socket unit all run it unchanged: it runs
 * node_setup when asked, starts runners (runner_setup, then the framework
 * adapter), hands each runner the files it is sent and reports results.
 * Every runner is a process group of its own; when the channel reaches
 * end of file, or a signal asks us to stop, every group is killed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <linux/capability.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-spawn [--connect | --as-peer] [--socket path]\n" \
	"       dt-spawn [--connect] [--socket path] --digest"
#define OUT_MAX 4096	/* a longer output line is sent in pieces */
#define RESTARTS 3	/* new adapters for a runner whose adapter died */

/* R_ENDING: retired by cap, its adapter ending its session. */
enum { R_SETUP, R_IDLE, R_BUSY, R_ENDING, R_DOWN };

struct output {
	int		 fd;
	struct dt_buf	 part;	/* bytes after the last newline */
	int		 keep;	/* keep the last line that is not blank */
	char		*last;
};

struct runner {
	int		 n;		/* 1..N */
	pid_t		 pid;		/* also the process group */
	int		 state;
	int		 req;		/* write end of the adapter's stdin */
	struct output	 out;
	struct dt_reader res;		/* the adapter's fd 3 */
	double		 started;
	char		*reason;	/* why it went down, when it said */
	char		*tmpdir;
	char		*tmpwhy;	/* why tmpdir was refused, or NULL */
	char		*tree;		/* N or PID-N: its own tree, or NULL */
	int		 kept;		/* N: kept for the next run */
	int		 status;
	int		 exited;
	int		 restarts;	/* times this slot got a new adapter */
	int		 niced;		/* booting at base_nice + boot_nice */
	int		 stopped;	/* by cap, before it was up */
	int		 was_up;	/* its first adapter said ready */
	int		 unacked;	/* replaced; no "replaced R" yet */
	char		**arts;		/* paths its adapter announced */
	int		 narts;
};

static struct runner *runners;
static int nrunners;
static struct {
	pid_t		 pid;
	pid_t		 pgid;		/* outlives node_setup: its daemons */
	struct output	 out;
	int		 status;
} prep = { -1, -1, { -1, { 0 }, 0, NULL }, 0 };
static char *dir, *framework, *command, *idprefix, *node, *isolate;
static char *bundler, *python, *seed, *preload;
static char *acks;		/* "set replaced yes": it says "replaced R" */
static struct {
	pid_t		 pid;		/* also its process group */
	int		 ctl;		/* we hand it the runners' sockets */
	int		 held;		/* started at "set boot yes": till start */
} tmpl = { -1, -1, 0 };
static char *runner_dir;	/* "own" or "shared" */
static int boot_nice;		/* added to the later runners' nice at boot */
static int base_nice;		/* ours, theirs once up */
static int one_up;		/* a runner is up: no one boots lower now */
static char *copy;		/* the real path of dir, from start on */
static char *trees;		/* where the runners' own trees are */
static int trees_ours;		/* and it is a directory of ours alone */
static char **args;
static int nargs;
static char **artifacts;	/* the configuration's */
static int nartifacts;
static char libexec[PATH_MAX];
static struct dt_buf line;
static int peer_mode;		/* started by the socket unit */

static noreturn void cleanup_and_exit(int);

static void
send_line(void)
{
	if (dt_line_send(1, &line) < 0)
		cleanup_and_exit(0);	/* the initiator is gone */
}

static void
sendf(const char *verb, int r, const char *a, const char *b)
{
	dt_line_begin(&line, verb);
	if (r > 0)
		dt_line_fieldf(&line, "%d", r);
	if (a != NULL)
		dt_line_field(&line, a);
	if (b != NULL)
		dt_line_field(&line, b);
	send_line();
}

static pid_t self;
static int heartbeat;		/* seconds between the initiator's lines */

/*
 * Three heartbeats without a line from the initiator: it is gone, or
 * cut off.  A signal handler, since a write to a stalled initiator may
 * be what blocks: it kills the runners and exits, and leaves the trees
 * to the next run's sweep.
 */
static void
initiator_lost(int sig)
{
	static const char msg[] = "dt-spawn: the initiator: nothing heard "
	    "for three heartbeats; taken for lost\n";
	int i;

	(void)sig;
	for (i = 0; i < nrunners; i++)
		if (runners[i].pid > 0 && runners[i].state != R_DOWN)
			kill(-runners[i].pid, SIGKILL);
	if (prep.pgid > 0)
		kill(-prep.pgid, SIGKILL);
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(0);
}

/*
 * Returns 0 in a process of its own session, its standard descriptors on
 * /dev/null, that nobody waits for: removing big trees must not hold up
 * the initiator (nor ssh, which waits for its command's descriptors).
 * Returns 1 in the caller.  Whatever it leaves undone, a later run's
 * sweep finishes.
 */
static int
detach(void)
{
	pid_t pid;
	int fd, i;

	fflush(stdout);
	if ((pid = fork()) != 0) {
		if (pid > 0)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		return 1;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	for (i = 3; i < 1024; i++)
		close(i);
	return 0;
}

static void
kill_all(void)
{
	int i;

	if (getpid() != self)
		return;	/* a runner's child side dying early */
	/*
	 * The leader may be gone while the rest of its group lives on.  A
	 * runner that is down had its group killed then: its number may be
	 * another's by now.
	 */
	for (i = 0; i < nrunners; i++)
		if (runners[i].pid > 0 && runners[i].state != R_DOWN)
			kill(-runners[i].pid, SIGKILL);
	if (prep.pgid > 0)
		kill(-prep.pgid, SIGKILL);
	if (tmpl.pid > 0)
		kill(-tmpl.pid, SIGKILL);
}

static noreturn void
cleanup_and_exit(int code)
{
	int i;

	alarm(0);	/* ending already: no watchdog cuts it short */
	kill_all();
	for (i = 0; i < nrunners; i++) {
		if (runners[i].pid > 0 && !runners[i].exited)
			waitpid(runners[i].pid, NULL, 0);
		if (runners[i].tmpdir && runners[i].tmpwhy == NULL)
			dt_rm_tree(runners[i].tmpdir);
	}
	if (prep.pid > 0)
		waitpid(prep.pid, NULL, 0);
	if (tmpl.pid > 0)
		waitpid(tmpl.pid, NULL, 0);
	for (i = 0; trees != NULL && i < nrunners; i++)
		if (runners[i].tree != NULL && !runners[i].kept)
			break;
	if (trees != NULL && i < nrunners && detach() == 0) {
		for (i = 0; i < nrunners; i++)
			if (runners[i].tree != NULL && !runners[i].kept)
				dt_rm_tree(runners[i].tree);
		rmdir(trees);	/* unless another run's trees are there */
		_exit(0);
	}
	exit(code);
}

/* A path the adapter's framework writes, to bring home at the end. */
static void
announce(struct runner *r, const char *path)
{
	int i;

	if (*path == '\0' || *path == '/' || dt_has_dotdot(path)) {
		dt_warn("runner %d: artifact \"%s\" is not a path inside "
		    "its directory; ignored", r->n, path);
		return;
	}
	for (i = 0; i < r->narts; i++)
		if (strcmp(r->arts[i], path) == 0)
			return;
	r->arts = dt_xrealloc(r->arts, r->narts + 1, sizeof(*r->arts));
	r->arts[r->narts++] = dt_xstrdup(path);
}

static int
by_length(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

	return x < y ? -1 : x > y;
}

/* Moves a runner's artifacts from its directory to DIR; 1 if any moved. */
static int
move_artifacts(struct runner *r, const char *from, const char *dir)
{
	char why[PATH_MAX + 128], **paths;
	int i, n = 0, moved = 0;

	paths = dt_xcalloc((size_t)nartifacts + r->narts + 1, sizeof(*paths));
	for (i = 0; i < nartifacts; i++)
		paths[n++] = artifacts[i];
	for (i = 0; i < r->narts; i++)
		paths[n++] = r->arts[i];
	/* A directory before what is in it: it moves whole. */
	qsort(paths, n, sizeof(*paths), by_length);
	for (i = 0; i < n; i++)
		switch (dt_move_out(from, paths[i], dir, why, sizeof(why))) {
		case 0:
			moved = 1;
			break;
		case -1:
			dt_warn("runner %d: artifact %s: %s", r->n, paths[i],
			    why);
			break;
		}
	free(paths);
	return moved;
}

/*
 * Each runner's artifacts leave its tree for COPY.artifacts/N (with
 * shared runners, COPY.artifacts/shared), beside the copy, on its file
 * system; "roots" names the directory each ran in, where the paths its
 * files hold begin.  The initiator fetches them with dt-sync -b.
 */
static void
collect_artifacts(void)
{
	char *stage, *to, *from, *label, why[PATH_MAX + 128];
	long long files = 0, bytes = 0;
	struct dt_buf l = { 0 };
	int i, fd, any = nartifacts > 0, last, moved = 0;

	if (copy == NULL || strcmp(copy, "/") == 0)
		return;
	for (i = 0; i < nrunners; i++)
		any |= runners[i].narts > 0;
	stage = dt_xasprintf("%s.artifacts", copy);
	dt_rm_tree(stage);	/* a run's that was never fetched */
	if (!any || dt_private_dir(stage, 0, why, sizeof(why)) < 0) {
		if (any)
			dt_warn("%s", why);
		free(stage);
		return;
	}
	to = dt_xasprintf("%s/roots", stage);
	fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		dt_warn("%s: %s", to, strerror(errno));
	free(to);
	/* Runners sharing the copy have one directory, counted after the last. */
	for (last = nrunners - 1; last >= 0; last--)
		if (runners[last].tree == NULL && runners[last].pid > 0)
			break;
	for (i = 0; fd >= 0 && i < nrunners; i++) {
		struct runner *r = &runners[i];

		if (r->tree == NULL && r->pid <= 0)
			continue;
		if (r->tree != NULL) {
			from = dt_xasprintf("%s/%s", r->tree,
			    strrchr(copy, '/') + 1);
			label = dt_xasprintf("%d", r->n);
			moved = 0;
		} else {
			from = dt_xstrdup(copy);
			label = dt_xstrdup("shared");
		}
		to = dt_xasprintf("%s/%s", stage, label);
		moved |= move_artifacts(r, from, to);
		if (moved && (r->tree != NULL || i == last)) {
			dt_tree_count(to, &files, &bytes);
			dt_line_begin(&l, label);
			dt_line_field(&l, from);
			if (dt_line_send(fd, &l) < 0) {
				dt_warn("%s/roots: %s", stage, strerror(errno));
				files = 0;
				i = nrunners;
			}
		}
		free(to);
		free(from);
		free(label);
	}
	dt_buf_free(&l);
	if (fd >= 0)
		close(fd);
	if (files == 0) {
		dt_rm_tree(stage);
	} else {
		dt_line_begin(&line, "artifacts");
		dt_line_fieldf(&line, "%lld", files);
		dt_line_fieldf(&line, "%lld", bytes);
		send_line();
	}
	free(stage);
}

/* An ending adapter's output, read and dropped. */
static void
ending_out(struct runner *r)
{
	char buf[4096];
	ssize_t got;

	while ((got = read(r->out.fd, buf, sizeof(buf))) > 0)
		;
	if (got == 0 || (errno != EAGAIN && errno != EINTR))
		dt_close(&r->out.fd);
}

/* An adapter ending its session: only what it announces counts now. */
static void
ending_read(struct runner *r)
{
	char *l, *f[DT_FIELDS_MAX];
	size_t len;
	ssize_t got;
	int rc;

	got = dt_rd_fill(&r->res);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	while ((rc = dt_rd_line(&r->res, &l, &len)) > 0)
		if (dt_split(l, len, f, DT_FIELDS_MAX) >= 2 &&
		    strcmp(f[0], "artifact") == 0)
			announce(r, f[1]);
	if (rc < 0 || got <= 0)
		dt_close(&r->res.fd);
}

/*
 * The run is over: an idle runner's adapter gets the end of its input and
 * ends its framework's session as the framework ends a run (pytest's
 * sessionfinish, at_exit handlers, Minitest.after_run), for up to
 * DT_SESSION_END seconds, its output read and dropped; then every group
 * goes, and the artifacts are put where the initiator fetches them.
 */
static noreturn void
end_sessions(int sigfd)
{
	size_t max = 2 * (size_t)nrunners + 2;
	struct pollfd *pfd = dt_xcalloc(max, sizeof(*pfd));
	struct runner **who = dt_xcalloc(max, sizeof(*who));
	double end = dt_now() + DT_SESSION_END;
	struct signalfd_siginfo si;
	int i, n, left;

	for (i = 0; i < nrunners; i++)
		if (runners[i].state == R_IDLE && runners[i].pid > 0 &&
		    !runners[i].exited)
			dt_close(&runners[i].req);
	for (;;) {
		for (i = n = left = 0; i < nrunners; i++) {
			struct runner *r = &runners[i];

			if (r->req >= 0 || r->pid <= 0 || r->exited)
				continue;
			if (waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
				r->exited = 1;
				if (r->res.fd >= 0)
					ending_read(r);	/* its last words */
				continue;
			}
			left++;
			who[n] = r;
			if (r->out.fd >= 0)
				pfd[n++] = (struct pollfd){ r->out.fd, POLLIN, 0 };
			who[n] = r;
			if (r->res.fd >= 0)
				pfd[n++] = (struct pollfd){ r->res.fd, POLLIN, 0 };
		}
		if (left == 0 || dt_now() >= end)
			break;
		/*
		 * An adapter's pipes close before it can be reaped: its
		 * SIGCHLD, not the timeout, says when to look again.
		 */
		pfd[n] = (struct pollfd){ sigfd, POLLIN, 0 };
		(void)poll(pfd, n + 1, 100);
		while (pfd[n].revents && read(sigfd, &si, sizeof(si)) ==
		    sizeof(si))
			if (si.ssi_signo != SIGCHLD)
				cleanup_and_exit(DT_EX_SIGNAL +
				    (int)si.ssi_signo);
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == who[i]->res.fd)
				ending_read(who[i]);
			else
				ending_out(who[i]);
		}
	}
	free(pfd);
	free(who);
	kill_all();
	collect_artifacts();
	cleanup_and_exit(0);
}

/* Forward complete lines of output; with flush, the rest too. */
static void
output_lines(struct output *o, int r, int flush, int prepping)
{
	static struct dt_buf batch;
	char *p, *nl;
	size_t n, done = 0, left;

	/* The lines of one read in one write, however many. */
	dt_buf_reset(&batch);
	for (;;) {
		p = o->part.s + done;
		left = o->part.len - done;
		nl = left ? memchr(p, '\n', left) : NULL;
		if (nl != NULL)
			n = nl - p;
		else if (left >= OUT_MAX || (flush && left > 0))
			n = left > OUT_MAX ? OUT_MAX : left;
		else
			break;
		dt_line_begin(&line, prepping ? "prep-out" : "out");
		if (!prepping)
			dt_line_fieldf(&line, "%d", r);
		dt_line_fieldn(&line, p, n);
		dt_line_finish(&line);
		dt_buf_add(&batch, line.s, line.len);
		if (o->keep && !dt_blank(p, n)) {
			free(o->last);
			o->last = dt_xasprintf("%.*s", (int)n, p);
		}
		done += n + (nl != NULL);
	}
	if (done > 0) {
		memmove(o->part.s, o->part.s + done, o->part.len - done);
		o->part.len -= done;
	}
	if (batch.len > 0 && dt_write_all(1, batch.s, batch.len) < 0)
		cleanup_and_exit(0);	/* the initiator is gone */
}

/*
 * Read what is there, up to 128 KiB: a test that prints without end
 * must not keep us from the initiator's lines, its pings among them.
 * Returns 0 at end of file.
 */
static int
output_read(struct output *o, int r, int prepping)
{
	char buf[8192];
	ssize_t n;
	int i;

	if (o->fd < 0)
		return 0;
	for (i = 0; i < 16; i++) {
		n = read(o->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 1;
		if (n <= 0) {
			output_lines(o, r, 1, prepping);
			dt_close(&o->fd);
			return 0;
		}
		dt_buf_add(&o->part, buf, n);
		output_lines(o, r, 0, prepping);
	}
	return 1;
}

static char *
path_in_home(const char *p)
{
	const char *home = getenv("HOME");

	if (p[0] == '/' || home == NULL)
		return dt_xstrdup(p);
	return dt_xasprintf("%s/%s", home, p);
}

/*
 * A process that joins node_setup's group and waits there, so that the
 * group, and its number, exist until the run ends: what node_setup left
 * running may all exit, and the number, once free, could be another
 * group's by the time the run's end kills this one.  It dies with us.
 */
static void
hold_group(pid_t pgid)
{
	sigset_t none;
	pid_t pid;

	if ((pid = fork()) != 0) {
		/* Here too, before node_setup can be reaped: no race. */
		if (pid > 0)
			setpgid(pid, pgid);
		return;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != self || (getpgrp() != pgid && setpgid(0, pgid) < 0))
		_exit(0);	/* we are gone, or node_setup already is */
	for (int i = 0; i < 1024; i++)
		close(i);
	for (;;)
		pause();
}

/* Whether a directory of runners' trees has one whose dt-spawn lives. */
static int
trees_in_use(const char *path)
{
	DIR *d;
	struct dirent *e;
	char *end;
	long pid;
	int used = 0;

	if ((d = opendir(path)) == NULL)
		return errno != ENOENT;
	while (!used && (e = readdir(d)) != NULL) {
		pid = strtol(e->d_name, &end, 10);
		used = end != e->d_name && *end == '-' && pid > 0 &&
		    (kill((pid_t)pid, 0) == 0 || errno == EPERM);
	}
	closedir(d);
	return used;
}

/*
 * distributest 0.2.0 kept the copy in WORKDIR/INITIATOR/USER/NAME-HASH,
 * its trees in NAME-HASH.runners; the copy is now WORKDIR/INITIATOR/USER/
 * HASH/NAME.  The old one of this project is removed, in the background,
 * unless a dt-spawn that made one of its trees still runs.  Only a
 * directory of ours with .dt-hooks/ in it, as dt-sync always made, is
 * taken for one: a hand-made dir of the same shape is left alone.
 */
static void
remove_old_copy(void)
{
	struct stat st;
	char *real, *base, *hash, *old = NULL, *hooks = NULL, *oldtrees = NULL;

	if ((real = realpath(dir, NULL)) == NULL)
		return;
	if ((base = strrchr(real, '/')) == NULL || base == real)
		goto done;
	*base++ = '\0';
	if ((hash = strrchr(real, '/')) == NULL || hash == real)
		goto done;
	*hash++ = '\0';
	if (strlen(hash) != 8 || strspn(hash, "0123456789abcdef") != 8)
		goto done;
	old = dt_xasprintf("%s/%s-%s", real, base, hash);
	hooks = dt_xasprintf("%s/.dt-hooks", old);
	oldtrees = dt_xasprintf("%s.runners", old);
	if (lstat(old, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || lstat(hooks, &st) < 0 ||
	    !S_ISDIR(st.st_mode) || trees_in_use(oldtrees))
		goto done;
	if (detach() == 0) {
		dt_rm_tree(old);
		dt_rm_tree(oldtrees);
		_exit(0);
	}
done:
	free(real);
	free(old);
	free(hooks);
	free(oldtrees);
}

static void
do_prep(void)
{
	struct dt_child c;
	char *hook, *argv[2];
	char st[16];

	if (prep.pid > 0)
		dt_die(DT_EX_DATA, "channel: prep while node_setup runs");
	if (prep.pgid > 0)
		dt_die(DT_EX_DATA, "channel: prep sent twice");
	if (dir == NULL)
		dt_die(DT_EX_DATA, "channel: prep before set dir");
	if (chdir(dir) < 0) {
		dt_line_begin(&line, "prep-out");
		dt_line_fieldf(&line, "cannot enter %s: %s", dir,
		    strerror(errno));
		send_line();
		snprintf(st, sizeof(st), "%d", DT_EX_SYS);
		sendf("prep-done", 0, st, NULL);
		return;
	}
	remove_old_copy();
	hook = dt_xasprintf("%s/.dt-hooks/node_setup", dir);
	if (access(hook, F_OK) != 0) {
		free(hook);
		sendf("prep-done", 0, "-1", NULL);
		return;
	}
	argv[0] = hook;
	argv[1] = NULL;
	if (dt_spawn(&c, argv, DT_SPAWN_OUT | DT_SPAWN_ERR2OUT |
	    DT_SPAWN_PGRP | DT_SPAWN_NULLIN) < 0) {
		int e = errno;

		dt_line_begin(&line, "prep-out");
		dt_line_fieldf(&line, "cannot run node_setup: %s",
		    strerror(e));
		send_line();
		snprintf(st, sizeof(st), "%d", e == ENOENT ?
		    DT_EX_NOTFOUND : DT_EX_NOEXEC);
		sendf("prep-done", 0, st, NULL);
		free(hook);
		return;
	}
	free(hook);
	prep.pid = prep.pgid = c.pid;
	prep.out.fd = c.out;
	dt_nonblock(c.out);
	hold_group(prep.pgid);
}

static void
prep_exited(int status)
{
	char st[16];

	output_read(&prep.out, 0, 1);
	output_lines(&prep.out, 0, 1, 1);
	dt_close(&prep.out.fd);	/* a daemon it started may hold the pipe */
	snprintf(st, sizeof(st), "%d", dt_wait_status(status));
	sendf("prep-done", 0, st, NULL);
	prep.pid = -1;
}

/*
 * In a runner, before its adapter: into its own tree, N/NAME or PID-N/NAME,
 * named as the copy is, since tests may ask the name of the directory they
 * run in; made, or brought up to date with the copy dt-sync has just
 * updated.
 */
static void
enter_tree(struct runner *r)
{
	char why[PATH_MAX + 128], *cwd;

	cwd = dt_xasprintf("%s/%s", r->tree, strrchr(copy, '/') + 1);
	/*
	 * Another run may have removed the empty parent, or another user
	 * made it, where the copy is in a shared directory.  A replaced
	 * adapter carries on in the tree it had.
	 */
	if (dt_private_dir(trees, 0, why, sizeof(why)) < 0)
		goto fail;
	if (r->restarts == 0 || access(cwd, F_OK) < 0) {
		if (mkdir(r->tree, 0700) < 0 && errno != EEXIST) {
			snprintf(why, sizeof(why), "%s: %s", r->tree,
			    strerror(errno));
			goto fail;
		}
		if (dt_sync_tree(".", cwd, why, sizeof(why)) < 0)
			goto fail;
	}
	if (chdir(cwd) < 0) {
		dprintf(3, "down\tcannot enter %s: %s\n", cwd,
		    strerror(errno));
		_exit(DT_EX_SYS);
	}
	free(cwd);
	return;
fail:
	dprintf(3, "down\tcannot make the runner's own tree: %s\n", why);
	_exit(DT_EX_SYS);
}

/* In a runner, before its adapter: runner_setup ID, if there is one. */
static void
runner_setup(const char *id)
{
	const char *hook = ".dt-hooks/runner_setup";
	pid_t pid;
	int st;

	if (access(hook, F_OK) == 0) {
		pid = fork();
		if (pid == 0) {
			int fd = open("/dev/null", O_RDONLY);

			dup2(fd, 0);
			close(3);
			execl(hook, hook, id, (char *)NULL);
			fprintf(stderr, "runner_setup: %s\n", strerror(errno));
			_exit(errno == ENOENT ? DT_EX_NOTFOUND : DT_EX_NOEXEC);
		}
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			char why[64];

			dprintf(3, "down\trunner_setup %s\n", pid < 0 ?
			    "could not start" : dt_status_str(st, why,
			    sizeof(why)));
			_exit(1);
		}
	}
}

/*
 * The runner's child side: runner_setup, then exec the adapter, or have
 * the node's template fork it on SOCK.
 */
static noreturn void
runner_child(struct runner *r, int req, int out, int res, int sock,
    const char *id)
{
	char num[16], **argv;
	int i;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	/* Killed itself, dt-spawn cannot kill its runners: they go too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (r->niced)
		(void)setpriority(PRIO_PROCESS, 0, base_nice + boot_nice);
	if (getppid() != self)
		_exit(DT_EX_SYS);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	if (sock >= 0)
		sock = fcntl(sock, F_DUPFD, 10);
	dup2(req, 0);
	dup2(out, 1);
	dup2(out, 2);
	dup2(res, 3);
	if (sock >= 0)
		sock = dup2(sock, 4);
	for (i = sock >= 0 ? 5 : 4; i < 1024; i++)
		close(i);
	snprintf(num, sizeof(num), "%d", r->n);
	setenv("DT_RUNNER", num, 1);
	setenv("DT_RUNNER_ID", id, 1);
	setenv("TEST_ENV_NUMBER", r->n == 1 ? "" : num, 1);
	setenv("DT_NODE", node ? node : "local", 1);
	setenv("DT_RUNNER_DIR", r->tree ? "own" : "shared", 1);
	setenv("TMPDIR", r->tmpdir, 1);
	if (r->tmpwhy != NULL) {
		dprintf(3, "down\tcannot make the runner's temporary "
		    "directory: %s\n", r->tmpwhy);
		_exit(DT_EX_SYS);
	}
	if (command != NULL)
		setenv("DT_COMMAND", command, 1);
	if (isolate != NULL)
		setenv("DT_ISOLATE", isolate, 1);
	if (bundler != NULL)
		setenv("DT_BUNDLER", bundler, 1);
	if (python != NULL)
		setenv("DT_PYTHON", python, 1);
	if (seed != NULL)
		setenv("DT_SEED", seed, 1);
	if (chdir(dir) < 0) {
		dprintf(3, "down\tcannot enter the project copy: %s\n",
		    strerror(errno));
		_exit(DT_EX_SYS);
	}
	if (r->tree != NULL)
		enter_tree(r);
	runner_setup(id);
	argv = dt_xcalloc(nargs + 2, sizeof(*argv));
	argv[0] = dt_xasprintf("%s/adapter-%s", libexec, framework);
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (sock >= 0)
		dt_preload_run(sock, argv);
	dt_exec_script(argv);
	dprintf(3, "down\tcannot run %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? DT_EX_NOTFOUND : DT_EX_NOEXEC);
}

/*
 * The runners' own trees go next to the copy, on its file system, in
 * COPY.runners/N, kept from run to run, or COPY.runners/PID-N; PID-N trees
 * whose dt-spawn is gone (killed with its node) are removed.
 */
static void
trees_init(void)
{
	char why[PATH_MAX + 128], *p, *end;
	DIR *d;
	struct dirent *e;
	long pid;
	int stale = 0;

	if (copy == NULL || strcmp(copy, "/") == 0)
		return;	/* no copy yet: the runners will say so */
	trees = dt_xasprintf("%s.runners", copy);
	if (dt_private_dir(trees, 0, why, sizeof(why)) < 0) {
		if (errno == EEXIST)
			return;	/* not ours: each runner says why */
		/* Where we may not write, the runners share the copy. */
		dt_warn("%s", why);
		free(trees);
		trees = NULL;
		return;
	}
	trees_ours = 1;
	if ((d = opendir(trees)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		pid = strtol(e->d_name, &end, 10);
		if (end == e->d_name || *end != '-' || pid <= 0 ||
		    (kill((pid_t)pid, 0) < 0 && errno == EPERM) ||
		    (pid != getpid() && kill((pid_t)pid, 0) == 0))
			continue;
		stale = 1;
	}
	closedir(d);
	if (!stale || detach() != 0)
		return;
	/* Again, in the detached process: its own readdir, its own view. */
	if ((d = opendir(trees)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			pid = strtol(e->d_name, &end, 10);
			if (end == e->d_name || *end != '-' || pid <= 0 ||
			    pid == getppid() || kill((pid_t)pid, 0) == 0 ||
			    errno == EPERM)
				continue;
			p = dt_xasprintf("%s/%s", trees, e->d_name);
			dt_rm_tree(p);
			free(p);
		}
		closedir(d);
	}
	_exit(0);
}

/*
 * Runner N's tree is COPY.runners/N, kept for the next run of the copy,
 * while we hold a lock on N.lock (till we exit: the descriptor stays
 * open).  Another dt-spawn of the copy may hold it: then the tree is
 * PID-N, for this run only, as when the directory is not ours.
 */
static char *
tree_name(struct runner *r)
{
	char *lock;
	int fd;

	if (trees_ours) {
		lock = dt_xasprintf("%s/%d.lock", trees, r->n);
		fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
		free(lock);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			r->kept = 1;
			return dt_xasprintf("%s/%d", trees, r->n);
		}
		if (fd >= 0)
			close(fd);
	}
	lock = dt_xasprintf("%s/%ld-%d", trees, (long)getpid(), r->n);
	dt_rm_tree(lock);	/* of a process that had our pid */
	return lock;
}

static void
start_runner(struct runner *r)
{
	int req[2], out[2], res[2], sp[2] = { -1, -1 };
	char *id, why[PATH_MAX + 128];
	const char *tmp = getenv("TMPDIR");

	id = dt_xasprintf("%s_%d", idprefix ? idprefix : "dt", r->n);
	r->tmpdir = dt_xasprintf("%s/distributest-%s",
	    tmp && *tmp ? tmp : "/tmp", id);
	free(r->tmpwhy);
	r->tmpwhy = NULL;
	/* A name anyone can guess, in a directory anyone may write in. */
	if (dt_private_dir(r->tmpdir, 1, why, sizeof(why)) < 0)
		r->tmpwhy = dt_xstrdup(why);
	if (trees != NULL && r->tree == NULL)
		r->tree = tree_name(r);
	if (pipe(req) < 0 || pipe(out) < 0 || pipe(res) < 0)
		dt_die_sys(DT_EX_SYS, "pipe");
	if (tmpl.ctl >= 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
	    0, sp) < 0)
		sp[0] = sp[1] = -1;
	r->niced = r->n > 1 && boot_nice > 0 && !one_up;
	r->pid = fork();
	if (r->pid < 0)
		dt_die_sys(DT_EX_SYS, "fork");
	if (r->pid == 0) {
		close(req[1]);
		close(out[0]);
		close(res[0]);
		runner_child(r, req[0], out[1], res[1], sp[0], id);
	}
	/* A template that is gone leaves the runner to boot on its own. */
	if (sp[1] >= 0) {
		(void)dt_preload_pass(tmpl.ctl, sp[1]);
		close(sp[0]);
		close(sp[1]);
	}
	/* Both sides set the group, so kill(-pid) works at once. */
	setpgid(r->pid, r->pid);
	close(req[0]);
	close(out[1]);
	close(res[1]);
	dt_cloexec(req[1]);
	dt_cloexec(out[0]);
	dt_cloexec(res[0]);
	dt_nonblock(out[0]);
	dt_nonblock(res[0]);
	r->req = req[1];
	r->out.fd = out[0];
	r->out.keep = 1;	/* runner_setup's last words, if it fails */
	dt_rd_init(&r->res, res[0], "adapter");
	r->state = R_SETUP;
	free(id);
}

/*
 * A runner that is up runs tests at our priority where the system lets us
 * (else it keeps the nice it had); those still booting stay lower, so
 * the first file, the longest, does not wait behind their boots.
 */
static void
unnice(struct runner *r)
{
	if (r->niced && r->pid > 0 &&
	    setpriority(PRIO_PGRP, r->pid, base_nice) == 0)
		r->niced = 0;
}

/* why: NULL, or a reason of the caller's, which is freed here. */
static void
runner_down(struct runner *r, char *why)
{
	char buf[128], *own = why;
	int restart;

	if (r->state == R_DOWN) {
		free(own);
		return;
	}
	if (r->pid > 0)
		kill(-r->pid, SIGKILL);
	if (r->pid > 0 && !r->exited) {
		while (waitpid(r->pid, &r->status, 0) < 0 && errno == EINTR)
			;
		r->exited = 1;
	}
	output_read(&r->out, r->n, 0);
	output_lines(&r->out, r->n, 1, 0);
	if (why == NULL && r->reason != NULL &&
	    strncmp(r->reason, "runner_setup ", 13) == 0 && r->out.last)
		why = own = dt_xasprintf("%s: %s", r->reason, r->out.last);
	if (why == NULL)
		why = r->reason;
	if (why == NULL) {
		dt_status_str(r->status, buf, sizeof(buf));
		why = own = dt_xasprintf("adapter %s", buf);
	}
	/*
	 * An adapter that was up and died (a test crashed the interpreter,
	 * or was killed) is replaced; one that never came up would only
	 * fail again.  "replacing" tells the initiator to wait for it.
	 */
	restart = (r->state == R_IDLE || r->state == R_BUSY) &&
	    r->restarts < RESTARTS && !r->stopped;
	if (r->state == R_BUSY)
		sendf("lost", r->n, why, NULL);
	dt_line_begin(&line, "runner-down");
	dt_line_fieldf(&line, "%d", r->n);
	dt_line_field(&line, why);
	if (restart)
		dt_line_field(&line, "replacing");
	else if (r->stopped)
		dt_line_field(&line, "stopped");
	send_line();
	r->state = R_DOWN;
	dt_close(&r->req);
	dt_close(&r->out.fd);
	dt_close(&r->res.fd);
	dt_rd_free(&r->res);
	free(own);
	free(r->reason);
	r->reason = NULL;
	free(r->out.last);
	r->out.last = NULL;
	r->out.keep = 0;
	if (restart) {
		r->unacked = acks != NULL && strcmp(acks, "yes") == 0;
		r->restarts++;
		r->exited = 0;
		free(r->tmpdir);
		start_runner(r);
	}
}

/*
 * The numbers of an adapter's line, fields first to last: a unit's
 * seconds, a file's counts.  One that is not takes only that runner down,
 * rather than reaching dt-collect, for which it would be a malformed run.
 */
static int
bad_number(struct runner *r, char **f, int first, int last)
{
	const char *e;
	int i;

	for (i = first; i <= last; i++) {
		if (strcmp(f[0], "unit") == 0)
			(void)dt_strtosecs(f[i], &e);
		else
			(void)dt_strtonum(f[i], 0, DT_COUNT_MAX, &e);
		if (e != NULL) {
			runner_down(r, dt_xasprintf("adapter line %lu: %s: "
			    "field %d \"%s\": %s", r->res.lineno, f[0], i,
			    f[i], e));
			return 1;
		}
	}
	return 0;
}

static void
adapter_line(struct runner *r, char *l, size_t len)
{
	char *f[DT_FIELDS_MAX], *id;
	int n, i;

	n = dt_split(l, len, f, DT_FIELDS_MAX);
	if (n < 0) {
		runner_down(r, dt_xasprintf("adapter line %lu: %s",
		    r->res.lineno, dt_line_error));
		return;
	}
	if (strcmp(f[0], "ready") == 0 && r->state == R_SETUP) {
		r->state = R_IDLE;
		r->out.keep = 0;
		free(r->out.last);
		r->out.last = NULL;
		unnice(r);
		one_up = 1;
		r->was_up = 1;
		id = dt_xasprintf("%s_%d", idprefix ? idprefix : "dt", r->n);
		sendf("runner-up", r->n, id, NULL);
		free(id);
	} else if (strcmp(f[0], "down") == 0 && n >= 2) {
		free(r->reason);
		r->reason = dt_xstrdup(f[1]);
	} else if (strcmp(f[0], "artifact") == 0 && n >= 2) {
		announce(r, f[1]);
	} else if ((strcmp(f[0], "fail") == 0 ||
	    strcmp(f[0], "pending") == 0) && r->state == R_BUSY) {
		dt_line_begin(&line, f[0]);
		dt_line_fieldf(&line, "%d", r->n);
		for (i = 1; i < n; i++)
			dt_line_field(&line, f[i]);
		send_line();
	} else if (strcmp(f[0], "unit") == 0 && r->state == R_BUSY &&
	    n >= 3) {
		if (bad_number(r, f, 2, 2))
			return;
		/* ID SECONDS, then STATUS DESCRIPTION LOCATION if given */
		dt_line_begin(&line, "unit");
		dt_line_fieldf(&line, "%d", r->n);
		for (i = 1; i < n; i++)
			dt_line_field(&line, f[i]);
		send_line();
	} else if (strcmp(f[0], "count") == 0 && r->state == R_BUSY &&
	    n >= 3) {
		if (bad_number(r, f, 2, 2))
			return;
		dt_line_begin(&line, "count");
		dt_line_fieldf(&line, "%d", r->n);
		dt_line_field(&line, f[1]);
		dt_line_field(&line, f[2]);
		send_line();
	} else if (strcmp(f[0], "done") == 0 && r->state == R_BUSY &&
	    n >= 6) {
		if (bad_number(r, f, 2, 5))
			return;
		/* Output written before "done" belongs to this file. */
		output_read(&r->out, r->n, 0);
		output_lines(&r->out, r->n, 1, 0);
		dt_line_begin(&line, "done");
		dt_line_fieldf(&line, "%d", r->n);
		dt_line_field(&line, f[1]);
		dt_line_fieldf(&line, "%.3f", dt_now() - r->started);
		for (i = 2; i < 6; i++)
			dt_line_field(&line, f[i]);
		send_line();
		r->state = R_IDLE;
	} else
		runner_down(r, dt_xasprintf("adapter line %lu: unexpected "
		    "\"%s\"", r->res.lineno, f[0]));
}

static void
adapter_read(struct runner *r)
{
	char *l;
	size_t len;
	ssize_t n;
	int rc;

	pid_t pid = r->pid;	/* a replacement is another runner */

	n = dt_rd_fill(&r->res);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	while (r->state != R_DOWN && r->pid == pid &&
	    (rc = dt_rd_line(&r->res, &l, &len)) != 0) {
		if (rc < 0) {
			runner_down(r, dt_xasprintf("adapter line %lu: %s",
			    r->res.lineno, dt_line_error));
			return;
		}
		adapter_line(r, l, len);
	}
	if (r->state != R_DOWN && r->pid == pid && n <= 0)
		runner_down(r, NULL);
}

/*
 * Why a test file may not be run, or NULL.  Only the project's own files
 * are run: a relative path without "..", in the copy after symbolic
 * links, which rsync copies as they are, wherever they lead.
 */
static const char *
refused(const char *path, char *why, size_t len)
{
	char *full, *real;
	size_t n;

	if (*path == '\0')
		return "an empty path";
	if (*path == '/')
		return "an absolute path, not one in the project copy";
	if (dt_has_dotdot(path))
		return "a \"..\" component";
	if (copy == NULL)
		return "there was no project copy at start";
	full = dt_xasprintf("%s/%s", copy, path);
	if ((real = realpath(full, NULL)) == NULL)
		snprintf(why, len, "%s", strerror(errno));
	free(full);
	if (real == NULL)
		return why;
	n = strlen(copy);
	if (strncmp(real, copy, n) != 0 || (real[n] != '/' &&
	    real[n] != '\0')) {
		snprintf(why, len, "it leads out of the project copy, to %s",
		    real);
		free(real);
		return why;
	}
	free(real);
	return NULL;
}

static void
do_run(char **f, int n)
{
	const char *e, *no;
	struct runner *r;
	struct dt_buf b = { 0 };
	char why[PATH_MAX + 64];
	int i;

	i = dt_strtonum(f[1], 1, nrunners, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: run: runner %s is %s", f[1], e);
	r = &runners[i - 1];
	if (r->unacked) {
		/*
		 * Sent before the initiator had the news of its replacement,
		 * which made it run the file again elsewhere: the new adapter,
		 * up already, must not run it too.
		 */
		dt_warn("runner %d: a run of %s crossed the news of its "
		    "replacement: left to the initiator", i, f[2]);
		return;
	}
	if (r->state == R_DOWN) {
		sendf("lost", r->n, "runner is down", NULL);
		return;
	}
	if (r->state == R_SETUP && r->restarts > 0) {
		/* The run crossed the news of its replacement. */
		sendf("lost", r->n, "runner is being replaced", NULL);
		return;
	}
	if (r->state == R_ENDING) {
		/* Or of its retirement. */
		sendf("lost", r->n, "runner ended its session", NULL);
		return;
	}
	if (r->state != R_IDLE)
		dt_die(DT_EX_DATA, "channel: run: runner %d is not idle", i);
	if ((no = refused(f[2], why, sizeof(why))) != NULL) {
		/* As an adapter reports a file it cannot run. */
		dt_line_begin(&line, "fail");
		dt_line_fieldf(&line, "%d", r->n);
		dt_line_field(&line, "error");
		dt_line_field(&line, f[2]);
		dt_line_field(&line, f[2]);
		dt_line_fieldf(&line, "dt-spawn refused to run %s: %s", f[2],
		    no);
		send_line();
		dt_line_begin(&line, "done");
		dt_line_fieldf(&line, "%d", r->n);
		dt_line_field(&line, "error");
		dt_line_field(&line, "0.000");
		dt_line_field(&line, "0");
		dt_line_field(&line, "0");
		dt_line_field(&line, "0");
		dt_line_field(&line, "1");
		send_line();
		return;
	}
	dt_line_begin(&b, "run");
	/* PATH, then "only ID..." or "except ID..." for part of a file. */
	for (i = 2; i < n; i++)
		dt_line_field(&b, f[i]);
	r->state = R_BUSY;
	r->started = dt_now();
	if (dt_line_send(r->req, &b) < 0)
		runner_down(r, NULL);
	dt_buf_free(&b);
}

/*
 * Whether a runner's priority can be given back once it is up: with
 * CAP_SYS_NICE, or an RLIMIT_NICE that reaches ours.
 */
static int
may_unnice(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl;

	if (syscall(SYS_capget, &h, d) == 0 &&
	    (d[CAP_SYS_NICE / 32].effective & (1U << (CAP_SYS_NICE % 32))))
		return 1;
	return getrlimit(RLIMIT_NICE, &rl) == 0 &&
	    (rl.rlim_cur == RLIM_INFINITY ||
	    (long long)rl.rlim_cur >= 20LL - base_nice);
}

/*
 * More runners than cores boot slower all at once, and the first up takes
 * the longest file, which sets the end of the run: runner 1 boots at our
 * priority, the others DT_BOOT_NICE (10) lower, so it has the cores it
 * wants and they have the rest; not where their priority could not be
 * given back, which would leave them lower for the whole run.
 */
static void
boot_priority(void)
{
	const char *s = getenv("DT_BOOT_NICE"), *e = NULL;

	boot_nice = 10;
	if (s != NULL)
		boot_nice = (int)dt_strtonum(s, 0, 19, &e);
	if (e != NULL) {
		dt_warn("DT_BOOT_NICE %s: %s", s, e);
		boot_nice = 10;
	}
	errno = 0;
	base_nice = getpriority(PRIO_PROCESS, 0);
	if (errno != 0 || nrunners <= sysconf(_SC_NPROCESSORS_ONLN) ||
	    !may_unnice())
		boot_nice = 0;
	else if (base_nice + boot_nice > 19)
		boot_nice = 19 - base_nice;
}

/*
 * Whether the runners' adapter is worth preloading once for the node
 * (see distributest-adapter(7)): pytest's or a Ruby one, more than one
 * runner to fork (known from start on), and no feature RUBYOPT would
 * require in the copy, not in the runner's tree.  QUIET at boot: start
 * says why not.
 */
static int
preloads(int quiet)
{
	const char *ruby[] = { "rspec", "minitest", "test-unit", NULL };
	const char *rubyopt = getenv("RUBYOPT"), *opt;
	int i;

	if ((preload != NULL && strcmp(preload, "no") == 0) ||
	    framework == NULL || (nrunners > 0 && nrunners < 2))
		return 0;
	if (strcmp(framework, "pytest") == 0)
		return 1;
	for (i = 0; ruby[i] != NULL && strcmp(ruby[i], framework) != 0; i++)
		;
	if (ruby[i] == NULL)
		return 0;
	for (opt = rubyopt; opt != NULL && *opt != '\0'; opt++)
		if (opt[0] == '-' && opt[1] == 'r' &&
		    (opt == rubyopt || opt[-1] == ' ')) {
			if (!quiet)
				dt_warn("not preloaded, each runner boots on "
				    "its own: RUBYOPT requires %.*s in the "
				    "copy, not in each runner's tree",
				    (int)strcspn(opt, " "), opt);
			return 0;
		}
	return 1;
}

/*
 * The node's template: the adapter, started once with DT_PRELOAD_FD, at
 * our priority since the first runner waits for it.  Every runner then
 * asks it for a child that becomes its adapter.  HELD, at "set boot
 * yes", while node_setup may still run: with DT_PRELOAD_HOLD, it boots
 * its interpreter and waits for go_template before it reads anything of
 * the copy, so that only the rest of its boot is left for start.
 */
static void
start_template(int held)
{
	char *argv[2], c;
	int sv[2], execd[2], fd, s, i;

	if (!preloads(held) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	if (pipe2(execd, O_CLOEXEC) < 0)
		execd[0] = execd[1] = -1;
	argv[0] = dt_xasprintf("%s/adapter-%s", libexec, framework);
	argv[1] = NULL;
	if ((tmpl.pid = fork()) == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(DT_EX_SYS);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		s = fcntl(sv[1], F_DUPFD, 10);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(2, 1);	/* not the channel: it joins our stderr */
		dup2(fd, 3);
		dup2(s, 4);
		for (i = 5; i < 1024; i++)
			if (i != execd[1])
				close(i);
		setenv("DT_PRELOAD_FD", "4", 1);
		if (held)
			setenv("DT_PRELOAD_HOLD", "1", 1);
		else if (boot_nice > 0) {
			char nice[16];

			snprintf(nice, sizeof(nice), "%d", boot_nice);
			setenv("DT_PRELOAD_NICE", nice, 1);
		}
		setenv("DT_NODE", node ? node : "local", 1);
		if (bundler != NULL)
			setenv("DT_BUNDLER", bundler, 1);
		if (python != NULL)
			setenv("DT_PYTHON", python, 1);
		if (chdir(copy ? copy : dir) == 0)
			dt_exec_script(argv);
		_exit(DT_EX_NOEXEC);
	}
	free(argv[0]);
	close(sv[1]);
	/*
	 * Until it has exec'd, or failed to: forked beside the runners, it
	 * waited for a core while we forked them (20 ms of 2 cores).
	 */
	if (execd[1] >= 0)
		close(execd[1]);
	while (tmpl.pid > 0 && execd[0] >= 0 && read(execd[0], &c, 1) < 0 &&
	    errno == EINTR)
		;
	if (execd[0] >= 0)
		close(execd[0]);
	if (tmpl.pid < 0) {
		close(sv[0]);
		return;
	}
	setpgid(tmpl.pid, tmpl.pid);
	tmpl.ctl = sv[0];
	tmpl.held = held;
}

/* A template started before it could be told all: gone, start makes one. */
static void
stop_template(void)
{
	if (tmpl.pid > 0) {
		kill(-tmpl.pid, SIGKILL);
		waitpid(tmpl.pid, NULL, 0);
		tmpl.pid = -1;
	}
	dt_close(&tmpl.ctl);
	tmpl.held = 0;
}

/* At start: the held template goes on, or one starts now. */
static void
go_template(void)
{
	if (!tmpl.held) {
		start_template(0);
		return;
	}
	tmpl.held = 0;
	if (!preloads(0))
		stop_template();
	else if (dt_preload_go(tmpl.ctl, boot_nice) < 0) {
		stop_template();	/* gone, not reaped yet */
		start_template(0);
	}
}

static void
do_start(char **f, int n)
{
	const char *e;
	long long want;
	int i;

	want = dt_strtonum(f[1], 0, 1024, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: start %s: %s", f[1], e);
	if (nrunners > 0)
		dt_die(DT_EX_DATA, "channel: start sent twice");
	if (framework == NULL || dir == NULL)
		dt_die(DT_EX_DATA, "channel: start before set dir and "
		    "framework");
	if (want == 0)
		want = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > 2) {
		/* START N CAP: no more runners than there is work for. */
		long long cap = dt_strtonum(f[2], 0, 1000000000, &e);

		if (e != NULL)
			dt_die(DT_EX_DATA, "channel: start %s %s: %s", f[1],
			    f[2], e);
		if (cap > 0 && want > cap)
			want = cap;
	}
	runners = dt_xcalloc(want, sizeof(*runners));
	nrunners = want;
	copy = realpath(dir, NULL);
	if (runner_dir == NULL || strcmp(runner_dir, "shared") != 0)
		trees_init();
	boot_priority();
	dt_line_begin(&line, "starting");
	dt_line_fieldf(&line, "%d", nrunners);
	dt_line_field(&line, "cap");	/* it may come: see do_cap */
	dt_line_field(&line, "replaced");	/* see do_replaced */
	send_line();
	go_template();
	for (i = 0; i < nrunners; i++) {
		runners[i].n = i + 1;
		runners[i].req = -1;
		start_runner(&runners[i]);
	}
}

static const struct dt_setting_var settings[] = {
	{ "framework", &framework }, { "command", &command },
	{ "id", &idprefix }, { "node", &node }, { "isolate", &isolate },
	{ "runner_dir", &runner_dir }, { "bundler", &bundler },
	{ "python", &python }, { "seed", &seed }, { "preload", &preload },
	{ "replaced", &acks }, { NULL, NULL }
};

static void
set(char **f, int n)
{
	const char *e;

	(void)n;
	if (strcmp(f[1], "framework") == 0 && strchr(f[2], '/') != NULL)
		dt_die(DT_EX_DATA, "channel: bad framework \"%s\"", f[2]);
	if (strcmp(f[1], "boot") == 0) {
		if (strcmp(f[2], "yes") == 0 && nrunners == 0 && tmpl.pid < 0 &&
		    dir != NULL)
			start_template(1);
		return;
	}
	/* A setting it booted without: start makes one that has it. */
	if (tmpl.held && strcmp(f[1], "heartbeat") != 0)
		stop_template();
	if (dt_set(settings, f[1], f[2]))
		return;
	if (strcmp(f[1], "dir") == 0) {
		free(dir);
		dir = path_in_home(f[2]);
	} else if (strcmp(f[1], "args") == 0) {
		args = dt_xrealloc(args, nargs + 1, sizeof(*args));
		args[nargs++] = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "artifacts") == 0) {
		artifacts = dt_xrealloc(artifacts, nartifacts + 1,
		    sizeof(*artifacts));
		artifacts[nartifacts++] = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "env") == 0) {
		/* The initiator's, for the hooks and the runners. */
		if (f[2][0] == '=' || strchr(f[2], '=') == NULL ||
		    putenv(dt_xstrdup(f[2])) != 0)
			dt_die(DT_EX_DATA, "channel: bad env \"%s\"", f[2]);
	} else if (strcmp(f[1], "heartbeat") == 0) {
		heartbeat = dt_strtonum(f[2], 0, 3600, &e);
		if (e != NULL)
			dt_die(DT_EX_DATA, "channel: set heartbeat %s: %s",
			    f[2], e);
		alarm(3 * heartbeat);
	}
	/* Any other key is a newer initiator's setting. */
}

/* What "distributest nodes" shows of a node: one info line per fact. */
static void
do_info(char **f, int n)
{
	struct statvfs sv;
	char host[256], buf[64], *dir, *p;
	double load[3];
	struct passwd *pw = getpwuid(getuid());

	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "?");
	host[sizeof(host) - 1] = '\0';
	sendf("info", 0, "version", DT_VERSION);
	sendf("info", 0, "host", host);
	sendf("info", 0, "user", pw ? pw->pw_name : "?");
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	sendf("info", 0, "cores", buf);
	if (getloadavg(load, 3) == 3) {
		snprintf(buf, sizeof(buf), "%.2f", load[0]);
		sendf("info", 0, "load", buf);
	}
	sendf("info", 0, "via", peer_mode ? "socket unit" : "direct");
	/* The workdir may not exist yet: ask the nearest that does. */
	dir = path_in_home(n > 1 ? f[1] : ".");
	while (statvfs(dir, &sv) < 0 && (p = strrchr(dir, '/')) != NULL &&
	    p != dir)
		*p = '\0';
	if (statvfs(dir, &sv) == 0) {
		snprintf(buf, sizeof(buf), "%.1f",
		    (double)sv.f_bavail * sv.f_frsize / 1e9);
		sendf("info", 0, "free-gb", buf);
	}
	free(dir);
	sendf("info-end", 0, NULL, NULL);
}

static void
do_ping(char **f, int n)
{
	(void)f;
	(void)n;	/* the initiator's heartbeat: hearing it is enough */
}

static void
do_prep_req(char **f, int n)
{
	(void)f;
	(void)n;
	do_prep();
}

/*
 * A file the initiator gave up waiting for: its runner's whole process
 * group goes, as for a dead adapter, and a new adapter takes the slot
 * whatever the slot's count of restarts, the file being at fault.
 */
static void
do_kill(char **f, int n)
{
	const char *e;
	struct runner *r;
	int i, restarts;

	i = dt_strtonum(f[1], 1, nrunners, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: kill: runner %s is %s", f[1], e);
	r = &runners[i - 1];
	if (r->state != R_BUSY)
		return;	/* it finished as the request came */
	restarts = r->restarts;
	r->restarts = 0;
	runner_down(r, dt_xstrdup(n > 2 && *f[2] ? f[2] : "killed"));
	r->restarts = restarts;
}

static long long cap_n;		/* "cap N": runners enough, 0 for none */
static void reap(void);

/*
 * An idle runner no file is left for ends its session now, while the
 * last files run, not at the end, where every adapter's exit would come
 * at once.  Its output is dropped, as at the end; what it announces
 * counts.
 */
static void
retire(struct runner *r)
{
	r->state = R_ENDING;
	dt_close(&r->req);
	dt_line_begin(&line, "runner-down");
	dt_line_fieldf(&line, "%d", r->n);
	dt_line_field(&line, "no file is left for it");
	dt_line_field(&line, "retired");
	send_line();
}

static void
ended(struct runner *r)
{
	if (r->res.fd >= 0)
		ending_read(r);
	if (r->out.fd >= 0)
		ending_out(r);
	/* What a child of the adapter holding them open writes is lost. */
	dt_close(&r->res.fd);
	dt_close(&r->out.fd);
	dt_rd_free(&r->res);
	r->state = R_DOWN;
}

/*
 * cap N: the initiator, once it knows how many files are left, needs no
 * more than N runners, so that a run of one file does not keep every
 * core on the boots of runners it will never use: trim() stops them.
 */
static void
do_cap(char **f, int n)
{
	const char *e;

	(void)n;
	cap_n = dt_strtonum(f[1], 1, 1000000000, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: cap %s: %s", f[1], e);
	if (nrunners == 0)
		dt_die(DT_EX_DATA, "channel: cap before start");
}

/*
 * Of the runners still booting for the first time, as many go on as are
 * still needed for cap_n to be up, and one more, so that a runner whose
 * runner_setup fails leaves another to come up in its place; the rest
 * are stopped, the last first.  A runner that has ended is reaped first,
 * to go down for its own reason.
 */
static void
trim(void)
{
	long long up = 0, booting = 0, needed;
	int i;

	if (cap_n == 0)
		return;
	reap();
	for (i = 0; i < nrunners; i++) {
		up += runners[i].was_up && runners[i].state != R_DOWN &&
		    runners[i].state != R_ENDING;
		booting += runners[i].state == R_SETUP && !runners[i].was_up;
	}
	for (i = nrunners - 1; up > cap_n && i >= 0; i--)
		if (runners[i].state == R_IDLE) {
			retire(&runners[i]);
			up--;
		}
	needed = up >= cap_n ? 0 : cap_n - up + 1;
	for (i = nrunners - 1; booting > needed && i >= 0; i--)
		if (runners[i].state == R_SETUP && !runners[i].was_up) {
			runners[i].stopped = 1;
			runner_down(&runners[i],
			    dt_xstrdup("no file is left for it"));
			booting--;
		}
}

/* The initiator has the news of runner R's replacement. */
static void
do_replaced(char **f, int n)
{
	const char *e;
	int i;

	(void)n;
	i = dt_strtonum(f[1], 1, nrunners, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: replaced: runner %s is %s", f[1],
		    e);
	runners[i - 1].unacked = 0;
}

static void (*const requests[DT_RQ_MAX])(char **, int) = {
	[DT_RQ_SET] = set,
	[DT_RQ_PREP] = do_prep_req,
	[DT_RQ_START] = do_start,
	[DT_RQ_RUN] = do_run,
	[DT_RQ_KILL] = do_kill,
	[DT_RQ_PING] = do_ping,
	[DT_RQ_INFO] = do_info,
	[DT_RQ_CAP] = do_cap,
	[DT_RQ_REPLACED] = do_replaced,
};

static void
request(char *l, size_t len, char **f, int n, unsigned long lineno)
{
	int v;

	(void)l;
	(void)len;
	if (lineno == 1) {
		if (dt_check_hello(f, n, "distributest-channel",
		    "the initiator") < 0) {
			sendf("error", 0, "protocol version mismatch", NULL);
			exit(DT_EX_DATA);
		}
		return;
	}
	v = dt_verb(dt_requests, DT_RQ_MAX, f, n);
	if (v == -1 || v == DT_RQ_HELLO)
		dt_die(DT_EX_DATA, "channel line %lu: unknown request \"%s\"",
		    lineno, f[0]);
	if (v == -2)
		dt_die(DT_EX_DATA, "channel line %lu: \"%s\" needs %d fields, "
		    "has %d", lineno, f[0], dt_verb_fields(dt_requests,
		    DT_RQ_MAX, f[0]), n);
	requests[v](f, n);
}

static void
reap(void)
{
	pid_t pid;
	int st, i, k;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == prep.pid) {
			prep_exited(st);
			continue;
		}
		if (pid == tmpl.pid) {
			/*
			 * Its requests fail: runners boot on their own.  Gone
			 * while held, start makes another.
			 */
			tmpl.pid = -1;
			tmpl.held = 0;
			dt_close(&tmpl.ctl);
			continue;
		}
		for (i = 0; i < nrunners; i++)
			if (runners[i].pid == pid &&
			    runners[i].state == R_ENDING) {
				runners[i].exited = 1;
				runners[i].status = st;
				ended(&runners[i]);
			} else if (runners[i].pid == pid) {
				runners[i].exited = 1;
				runners[i].status = st;
				/* Let fd 3 tell the rest; it may still hold
				 * a last "done", in more than one read. */
				for (k = 0; k < 64 && runners[i].pid == pid &&
				    runners[i].state != R_DOWN &&
				    runners[i].res.fd >= 0 &&
				    !runners[i].res.eof; k++)
					adapter_read(&runners[i]);
				/* Unless that already replaced it. */
				if (runners[i].pid == pid &&
				    runners[i].state != R_DOWN)
					runner_down(&runners[i], NULL);
			}
	}
}

/*
 * For dt-sync: the digest of the node's copy, named on the first line of
 * the standard input (a leading "~/" being HOME, as a remote shell
 * takes it for rsync), less what the patterns on the next lines spare
 * (dt-sync's excludes and the keeps); "none" and why when there is none,
 * for a first copy too.
 */
static int
digest_copy(void)
{
	char **keeps = NULL, *l = NULL, hex[33], why[PATH_MAX + 128];
	const char *root[1];
	size_t cap = 0, n = 0;
	ssize_t len;
	long entries = 0;

	while ((len = getline(&l, &cap, stdin)) >= 0) {
		if (len > 0 && l[len - 1] == '\n')
			l[len - 1] = '\0';
		keeps = dt_xrealloc(keeps, n + 1, sizeof(*keeps));
		keeps[n++] = dt_xstrdup(l);
	}
	if (n == 0)
		dt_die(DT_EX_DATA, "--digest: no directory on stdin");
	root[0] = keeps[0];
	if (strncmp(keeps[0], "~/", 2) == 0 && getenv("HOME") != NULL)
		root[0] = dt_xasprintf("%s/%s", getenv("HOME"), keeps[0] + 2);
	if (dt_tree_digest(root, 1, (const char *const *)keeps + 1, n - 1, 1,
	    hex, why, sizeof(why), &entries, NULL) < 0)
		printf("none\t%s\n", why);
	else
		printf("digest\t%s\t%ld\n", hex, entries);
	return fflush(stdout) == 0 ? DT_EX_OK : DT_EX_SYS;
}

/* The adapters are beside us. */
static void
find_libexec(void)
{
	ssize_t n;
	char *p;

	n = readlink("/proc/self/exe", libexec, sizeof(libexec) - 1);
	if (n < 0)
		dt_die_sys(DT_EX_SYS, "/proc/self/exe");
	libexec[n] = '\0';
	if ((p = strrchr(libexec, '/')) != NULL)
		*p = '\0';
}

static const struct option longopts[] = {
	{ "connect", no_argument, NULL, 'c' },
	{ "as-peer", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' },
	{ "digest", no_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char *argv[])
{
	struct dt_stage st;
	size_t k;
	int sfd, i, ch, ready, connect_mode = 0, digest_mode = 0;
	const char *sockpath = NULL;
	struct sigaction sa;
	double pinged = 0;

	dt_hygiene();
	dt_setprog(argv[0]);
	while ((ch = getopt_long(argc, argv, "cdps:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': connect_mode = 1; break;
		case 'd': digest_mode = 1; break;
		case 'p': peer_mode = 1; break;
		case 's': sockpath = optarg; break;
		default: dt_usage(USAGE);
		}
	}
	if (optind != argc || (connect_mode && peer_mode) ||
	    (digest_mode && peer_mode))
		dt_usage(USAGE);
	/* dt-sync adds it to the spawn command, --connect and all. */
	if (digest_mode)
		return digest_copy();
	if (connect_mode && (sfd = dt_connect_service(sockpath)) >= 0)
		dt_relay(sfd);
	if (peer_mode)
		dt_become_peer();
	self = getpid();
	dt_raise_nofile();
	atexit(kill_all);	/* a protocol error must not orphan runners */
	find_libexec();
	dt_stage_init(&st, "channel", DT_STAGE_CHILDREN | DT_STAGE_CHANNEL);
	st.lastwords = cleanup_and_exit;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = initiator_lost;
	sigaction(SIGALRM, &sa, NULL);
	dt_line_begin(&line, "hello");
	dt_line_field(&line, "distributest-channel");
	dt_line_fieldf(&line, "%d", DT_PROTOCOL);
	dt_line_field(&line, DT_VERSION);
	send_line();
	for (;;) {
		dt_stage_begin(&st);
		dt_stage_watch(&st, prep.out.fd, POLLIN, 0);
		for (i = 0; i < nrunners; i++) {
			dt_stage_watch(&st, runners[i].out.fd, POLLIN, 2 * i);
			dt_stage_watch(&st, runners[i].res.fd, POLLIN, 2 * i + 1);
		}
		ready = dt_stage_wait(&st, heartbeat > 0 ? 1000 : -1, 0);
		if (heartbeat > 0 && dt_now() - pinged >= heartbeat) {
			pinged = dt_now();
			sendf("ping", 0, NULL, NULL);
		}
		if (ready & DT_STAGE_CHILDREN)
			reap();
		if (st.pfd[DT_STAGE_OWN].revents && prep.out.fd >= 0)
			output_read(&prep.out, 0, 1);
		for (k = DT_STAGE_OWN + 1; k < st.n; k++) {
			struct runner *r = &runners[st.who[k] / 2];

			if (st.pfd[k].revents == 0)
				continue;
			if (st.who[k] % 2 == 0 && r->out.fd >= 0 &&
			    r->state == R_ENDING)
				ending_out(r);
			else if (st.who[k] % 2 == 0 && r->out.fd >= 0)
				output_read(&r->out, r->n, 0);
			else if (st.who[k] % 2 == 1 && r->res.fd >= 0 &&
			    r->state == R_ENDING)
				ending_read(r);
			else if (st.who[k] % 2 == 1 && r->res.fd >= 0)
				adapter_read(r);
		}
		if (dt_stage_read(&st, request))
			end_sessions(st.sfd);
		trim();
		if (st.got > 0 && heartbeat > 0)
			alarm(3 * heartbeat);
	}
}
