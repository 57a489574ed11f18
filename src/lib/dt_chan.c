/*
 * Channels: the byte stream from an initiator's stage to a node's
 * dt-spawn.  Locally it is dt-spawn itself on a pair of pipes; for any
 * other host it is the node's rsh command (ssh by default) running
 * dt-spawn there.  dt-spawn's stderr comes back as log events.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

static void dt_chan_err(struct dt_chan *);

/*
 * The heartbeat: every DISTRIBUTEST_HEARTBEAT seconds (5 by default, 0
 * for none) each side of a channel writes a "ping" line; a side that
 * hears nothing for three of them takes the other for lost.  TCP alone can take hours to tell a peer that lost
 * its power or its network from one that is only quiet.
 */
int
dt_heartbeat(void)
{
	static int hb = -1;
	const char *s, *e;

	if (hb >= 0)
		return hb;
	hb = 5;
	s = getenv("DISTRIBUTEST_HEARTBEAT");
	if (s != NULL && *s != '\0') {
		hb = dt_strtonum(s, 0, 3600, &e);
		if (e != NULL)
			dt_die(DT_EX_USAGE, "DISTRIBUTEST_HEARTBEAT=%s: %s "
			    "(expected 0 to 3600 seconds)", s, e);
	}
	return hb;
}

/* A ping when one is due; a channel whose write fails is read to its end. */
void
dt_chan_tick(struct dt_chan *ch, double now)
{
	int hb = dt_heartbeat();

	if (hb > 0 && ch->c.in >= 0 && now - ch->pinged >= hb) {
		ch->pinged = now;
		(void)dt_send(ch->c.in, "ping", (char *)NULL);
	}
}

/*
 * Whether the peer has been silent for three heartbeats; before its
 * hello, for 30 s at least, which a first ssh connection may take.
 */
static int
dt_chan_silent(const struct dt_chan *ch, double now)
{
	double limit = 3.0 * dt_heartbeat();

	if (limit <= 0)
		return 0;
	if (!ch->hello && limit < 30)
		limit = 30;
	return now - ch->heard > limit;
}

static int
dt_sendf_heartbeat(int fd)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", dt_heartbeat());
	return dt_send(fd, "set", "heartbeat", s, (char *)NULL);
}

/*
 * The heartbeat of one channel: a ping when one is due, or, when the
 * peer has been silent too long, 1 and *why to free.
 */
int
dt_chan_beat(struct dt_chan *ch, double now, char **why)
{
	if (!dt_chan_silent(ch, now)) {
		dt_chan_tick(ch, now);
		return 0;
	}
	*why = dt_xasprintf("nothing heard for %.0fs, three heartbeats",
	    now - ch->heard);
	return 1;
}

/*
 * Watch the channel's descriptors in a stage's poll, stderr first, each
 * tagged 2 tag for stdout, 2 tag + 1 for stderr, so that the poll holds
 * only live descriptors.
 */
void
dt_chan_watch(const struct dt_chan *ch, struct dt_stage *st, size_t tag)
{
	if (ch->c.err >= 0)
		dt_stage_watch(st, ch->c.err, POLLIN, 2 * tag + 1);
	if (ch->c.out >= 0)
		dt_stage_watch(st, ch->c.out, POLLIN, 2 * tag);
}

/*
 * After the poll, for slot k that dt_chan_watch added: stderr is passed
 * on here; returns 1 when the channel's stdout is to be read by the caller.
 */
int
dt_chan_polled(struct dt_chan *ch, const struct dt_stage *st, size_t k)
{
	if (st->pfd[k].revents == 0)
		return 0;
	if (st->who[k] % 2 == 1) {
		if (ch->c.err == st->pfd[k].fd)
			dt_chan_err(ch);
		return 0;
	}
	return 1;
}

/*
 * COMMAND (split at blanks, without quoting) and EXTRA on the node: through
 * its remote shell, "RSH HOST COMMAND EXTRA", or as it is on a local one.
 */
int
dt_spawn_on(struct dt_child *c, const char *host, const char *rsh,
    const char *command, const char *extra, int flags)
{
	char **argv, *words, *cmd, *w, *save;
	size_t n = 0;
	int rc;

	argv = dt_xcalloc(strlen(rsh) + strlen(command) + 5, sizeof(*argv));
	words = dt_xstrdup(rsh);
	cmd = dt_xstrdup(command);
	if (strcmp(host, "local") != 0) {
		for (w = strtok_r(words, " \t", &save); w;
		    w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
		argv[n++] = (char *)host;
	}
	for (w = strtok_r(cmd, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (extra != NULL && n > 0)
		argv[n++] = (char *)extra;
	argv[n] = NULL;
	rc = n > 0 ? dt_spawn(c, argv, flags) : -1;
	if (n == 0)
		errno = EINVAL;	/* an empty command */
	free(argv);
	free(words);
	free(cmd);
	return rc;
}

int
dt_chan_open(struct dt_chan *ch, const char *node, const char *host,
    const char *rsh, const char *spawn)
{
	int rc;

	memset(ch, 0, sizeof(*ch));
	ch->node = dt_xstrdup(node);
	ch->c.in = ch->c.out = ch->c.err = -1;
	rc = dt_spawn_on(&ch->c, host, rsh, spawn, NULL, DT_SPAWN_IN |
	    DT_SPAWN_OUT | DT_SPAWN_ERR);
	if (rc < 0) {
		free(ch->node);
		ch->node = NULL;
		return -1;
	}
	dt_nonblock(ch->c.out);
	dt_nonblock(ch->c.err);
	dt_rd_init(&ch->rd, ch->c.out, "channel");
	ch->started = ch->heard = ch->pinged = dt_now();
	if (dt_send(ch->c.in, "hello", "distributest-channel", DT_PROTOCOL_S,
	    DT_VERSION, (char *)NULL) < 0 || (dt_heartbeat() > 0 &&
	    dt_sendf_heartbeat(ch->c.in) < 0)) {
		int e = errno;

		/* Collect the peer now: the caller sees no channel. */
		free(dt_chan_close(ch, 1));
		dt_chan_free(ch);
		errno = e;
		return -1;
	}
	return 0;
}

/* Where the log events of a peer's stderr go: stdout, or the caller's. */
static void (*sink)(const char *, size_t);

void
dt_chan_sink(void (*fn)(const char *, size_t))
{
	sink = fn;
}

static void
err_lines(struct dt_chan *ch, int flush)
{
	static struct dt_buf ev;
	char *nl;
	size_t n;

	while (ch->errpart.len > 0) {
		nl = memchr(ch->errpart.s, '\n', ch->errpart.len);
		if (nl == NULL && !flush)
			return;
		n = nl ? (size_t)(nl - ch->errpart.s) : ch->errpart.len;
		if (n > 0) {
			dt_buf_reset(&ch->lasterr);
			dt_buf_add(&ch->lasterr, ch->errpart.s, n);
			if (!ch->quiet) {
				dt_line_begin(&ev, "log");
				dt_line_field(&ev, ch->node);
				dt_line_field(&ev, ch->lasterr.s);
				dt_line_finish(&ev);
				if (sink != NULL)
					sink(ev.s, ev.len);
				else if (dt_write_all(1, ev.s, ev.len) < 0)
					dt_out_failed();
			}
		}
		n += nl != NULL;
		memmove(ch->errpart.s, ch->errpart.s + n, ch->errpart.len - n);
		ch->errpart.len -= n;
	}
}

/* Pass the far side's stderr on as log events. */
static void
dt_chan_err(struct dt_chan *ch)
{
	char buf[4096];
	ssize_t n;
	int i = 0;

	/* Bounded: a flood of stderr must not starve the other channels. */
	while (i++ < 16 && (n = read(ch->c.err, buf, sizeof(buf))) > 0) {
		dt_buf_add(&ch->errpart, buf, n);
		err_lines(ch, 0);
	}
	if (i > 16)
		return;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		err_lines(ch, 1);
		dt_close(&ch->c.err);
	}
}

/*
 * Close our end and collect the far side; the reason, when it failed,
 * names its status and its last words on stderr.
 */
static char *
chan_close(struct dt_chan *ch, int kill_it,
    int (*fn)(void *, char **, int), void *arg)
{
	struct pollfd p[3];
	char why[128], buf[4096], *bad;
	/* Ended, a node's runners end their sessions first. */
	double deadline = dt_now() + (kill_it ? 5 : DT_SESSION_END + 5);
	int st = 0, killed = 0, exited = -1;
	pid_t w;

	/*
	 * Its pipes close before it can be reaped: without a pidfd to say
	 * when it can, each close would wait out a poll's 20 ms.
	 */
	if (ch->c.pid > 0)
		exited = (int)syscall(SYS_pidfd_open, ch->c.pid, 0);
	dt_close(&ch->c.in);
	if (kill_it && ch->c.pid > 0)
		kill(ch->c.pid, SIGTERM);
	/*
	 * Until the peer is gone, keep reading both its outputs: one
	 * blocked writing to us would never see the end of its input.
	 * Up to the deadline, then SIGKILL.
	 */
	while (ch->c.pid > 0) {
		w = waitpid(ch->c.pid, &st, WNOHANG);
		if (w == ch->c.pid || (w < 0 && errno != EINTR))
			break;
		if (!killed && dt_now() > deadline) {
			kill(ch->c.pid, SIGKILL);
			killed = 1;
		}
		p[0].fd = ch->c.out;
		p[0].events = POLLIN;
		p[1].fd = ch->c.err;
		p[1].events = POLLIN;
		p[2].fd = exited;
		p[2].events = POLLIN;
		if (poll(p, 3, 20) > 0) {
			if (p[0].revents && fn != NULL) {
				bad = NULL;
				if (dt_chan_read(ch, fn, arg, &bad) != 0) {
					dt_close(&ch->c.out);
					free(bad);
				}
			} else if (p[0].revents &&
			    read(ch->c.out, buf, sizeof(buf)) <= 0)
				dt_close(&ch->c.out);
			if (p[1].revents && ch->c.err >= 0)
				dt_chan_err(ch);
		}
	}
	ch->c.pid = -1;
	if (exited >= 0)
		close(exited);
	/* Gone, it may have left lines in the pipe: fn has them too. */
	while (fn != NULL && ch->c.out >= 0) {
		p[0].fd = ch->c.out;
		p[0].events = POLLIN;
		if (poll(p, 1, 0) <= 0)
			break;
		bad = NULL;
		if (dt_chan_read(ch, fn, arg, &bad) != 0) {
			dt_close(&ch->c.out);
			free(bad);
		}
	}
	if (ch->c.err >= 0)
		dt_chan_err(ch);	/* what is left, without waiting */
	dt_close(&ch->c.out);
	dt_close(&ch->c.err);
	err_lines(ch, 1);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return NULL;
	dt_status_str(st, why, sizeof(why));
	return ch->lasterr.len ? dt_xasprintf("channel %s: %s", why,
	    ch->lasterr.s) : dt_xasprintf("channel %s", why);
}

char *
dt_chan_close(struct dt_chan *ch, int kill_it)
{
	return chan_close(ch, kill_it, NULL, NULL);
}

/*
 * Give a channel up without waiting for its process: input closed,
 * SIGTERM now, SIGKILL after 5 s.  The caller keeps watching it and calls
 * dt_chan_reap until that says it is collected, so that a stage with many
 * channels goes on serving the others while one, or hundreds, go.
 */
void
dt_chan_abandon(struct dt_chan *ch)
{
	dt_close(&ch->c.in);
	if (ch->c.pid > 0)
		kill(ch->c.pid, SIGTERM);
	ch->kill_at = dt_now() + 5;
}

/*
 * An abandoned channel, without blocking: what it still writes read and
 * dropped (stderr passed on as log events), its process collected when it
 * is gone, killed when its time is up.  1 once collected, descriptors
 * closed; dt_chan_free is then the caller's.
 */
int
dt_chan_reap(struct dt_chan *ch, double now)
{
	char buf[4096];
	ssize_t n = 0;
	int i = 0, st;
	pid_t w;

	while (ch->c.out >= 0 && i++ < 16 &&
	    (n = read(ch->c.out, buf, sizeof(buf))) > 0)
		;
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		dt_close(&ch->c.out);
	if (ch->c.err >= 0)
		dt_chan_err(ch);
	if (ch->c.pid > 0) {
		w = waitpid(ch->c.pid, &st, WNOHANG);
		if (w == ch->c.pid || (w < 0 && errno != EINTR))
			ch->c.pid = -1;
		else if (ch->kill_at > 0 && now > ch->kill_at) {
			kill(ch->c.pid, SIGKILL);
			ch->kill_at = 0;
		}
	}
	if (ch->c.pid > 0)
		return 0;
	dt_close(&ch->c.out);
	dt_close(&ch->c.err);
	err_lines(ch, 1);
	return 1;
}

/* At the end of a run: the peer's last lines still go to fn. */
char *
dt_chan_close_lines(struct dt_chan *ch, int (*fn)(void *, char **, int),
    void *arg)
{
	return chan_close(ch, 0, fn, arg);
}

/*
 * Read what the peer sent: check its hello, then hand each line, split
 * into fields, to fn, until fn returns non-zero (it closed the channel,
 * which must not be touched again).  Returns 0 when more may come, 1 at
 * the end of the channel, -1 with *why set for a malformed line or a
 * peer of another protocol.
 */
int
dt_chan_read(struct dt_chan *ch, int (*fn)(void *, char **, int), void *arg,
    char **why)
{
	char *l, *f[DT_FIELDS_MAX];
	size_t len;
	ssize_t got;
	int rc, n = 0;

	got = dt_rd_fill(&ch->rd);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got > 0)
		ch->heard = dt_now();
	while ((rc = dt_rd_line(&ch->rd, &l, &len)) != 0) {
		if (rc > 0)
			n = dt_split(l, len, f, DT_FIELDS_MAX);
		if (rc < 0 || n < 0) {
			*why = dt_xasprintf("channel line %lu: %s",
			    ch->rd.lineno, dt_line_error);
			return -1;
		}
		if (ch->hello) {
			if (fn(arg, f, n))
				return 0;
			continue;
		}
		if ((*why = dt_hello_mismatch(f, n, "distributest-channel",
		    "dt-spawn")) != NULL) {
			if (strncmp(*why, "expected", 8) == 0) {
				char *w = *why;

				*why = dt_xasprintf("channel line 1: %s", w);
				free(w);
			}
			return -1;
		}
		ch->hello = 1;
	}
	return ch->rd.eof || got <= 0 ? 1 : 0;
}

void
dt_chan_free(struct dt_chan *ch)
{
	free(ch->node);
	dt_rd_free(&ch->rd);
	dt_buf_free(&ch->errpart);
	dt_buf_free(&ch->lasterr);
}
