/*
 * dt-feed: the queue.  It orders the test files (longest recorded time
 * first, then largest), opens a channel to every node as soon as its copy
 * is there, starts its runners once it is ready (its node_setup done), and
 * hands one file at a time to each idle runner.  A
 * file whose runner or node was lost goes back to the front of the queue
 * until its tries run out; then it is reported lost, never dropped.
 * Results become events for dt-collect; every other line passes through.
 *
 * A file expected to take longer than a runner's share of the work, whose
 * units (examples) were timed, is split: its units are packed into parts,
 * longest first into the least loaded part, and each part is a queue
 * entry of its own that runs "only" its units, but for one part that runs
 * all "except" the others', so that units new since the timings still run.
 *
 * With retry, a file or part that failed goes back to the front of the
 * queue, to run again only its units that failed when the adapter named
 * them, on another runner, and another node when there is one.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-feed [-n]"

enum { N_NEW, N_UP, N_DOWN };
enum { R_NONE, R_IDLE, R_BUSY, R_LOST, R_DOWN, R_REPLACING };

struct runner {
	int		 state;
	struct dt_test	*test;
	double		 deadline;	/* of its file, dt_now() */
	double		 limit;		/* its file's timeout, in seconds */
	int		 timed_out;	/* killed for it: its lost is final */
	char		**bad;		/* units of its file that failed */
	size_t		 nbad, capbad;
	int		 bad_file;	/* a failure no unit names */
};

struct node {
	struct dt_node_line nl;
	int		 state;
	struct dt_chan	 ch;
	struct runner	*r;
	int		 nr;
	int		 alive;		/* runners up */
	int		 expected;	/* runners dt-spawn starts, -1 unknown */
	int		 reported;	/* runners that came up or failed to */
	int		 replacing;	/* runners dt-spawn is starting again */
	int		 takes_cap;	/* its dt-spawn said "starting N cap" */
	int		 takes_replaced;	/* and "replaced" */
	size_t		 capped;	/* the last "cap" sent, or 0 */
	int		 opening;	/* synced: its channel is to be opened */
	int		 ready;		/* node_setup done: runners may start */
	int		 started;	/* "start" sent */
	char		*downwhy;	/* its channel failed before it was ready */
	int		 dying;		/* down: its channel's process still to go */
};

static struct node *nodes;
static size_t nnodes;
static struct dt_test *tests;
static size_t ntests, captests;
static struct dt_test **queue;
static size_t qhead, qlen, qcap;	/* queue[qhead .. qhead+qlen) */
static size_t outstanding;		/* files not yet done nor lost */
static int listed, upstream_eof, retries = 2, dry_run, split = 1, retry;
static size_t nitems;			/* queue entries: files and parts */
static char *initiator, *user, *name, *framework, *command, *spawn, *timings;
static char *isolate, *runner_dir, *bundler, *python, *seed, *timeout;
static char *preload;
static char **envs;		/* NAME=VALUE, from the initiator */
static size_t nenvs;
static char **artifacts;	/* paths each runner brings home */
static size_t nartifacts;
static char **args;
static size_t nargs;
static struct dt_buf ev;
static size_t *openq, openhead, nopen;	/* nodes ready, in their order */
static size_t ndying;			/* nodes whose channel is going */

/*
 * The most a part's request may take: a quarter of a pipe, so that
 * requests never fill the channel while dt-spawn is busy writing to us
 * (both sides' writes block).
 */
#define SPLIT_BYTES 16384
#define RETRY_COMING 30	/* seconds a retry waits for runners to come */
/*
 * Channels opened a wakeup: opening one takes a spawn and its settings,
 * and a thousand nodes ready at once must not keep every runner already
 * up from its next file meanwhile.
 */
#define OPEN_BATCH 8

/* The length of s escaped in the line codec. */
static size_t
esc_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\\' || *s == '\t' || *s == '\n' ? 2 : 1;
	return n;
}

static void
emit_begin(const char *verb)
{
	dt_line_begin(&ev, verb);
}

/*
 * Events wait here for dt-collect, and stdout does not block: a reader
 * that stops (a pager, a terminal on hold) must not stop the heartbeat,
 * or every node would take this initiator for lost.
 */
static struct dt_buf out;
static size_t outhead;		/* out.s[outhead..] is still to write */

/* Write what the reader takes; wait for it up to secs (0: not at all). */
static void
out_flush(double secs)
{
	struct pollfd p = { .fd = 1, .events = POLLOUT };
	double until = dt_now() + secs;
	ssize_t w;

	while (outhead < out.len) {
		w = write(1, out.s + outhead, out.len - outhead);
		if (w > 0)
			outhead += w;
		else if (w < 0 && errno == EAGAIN && dt_now() < until)
			(void)poll(&p, 1, (int)((until - dt_now()) * 1000) + 1);
		else if (w < 0 && errno == EAGAIN)
			break;
		else if (w < 0 && errno != EINTR)
			dt_out_failed();
	}
	/* Compact only when most of the buffer is written: linear. */
	if (outhead == out.len)
		out.len = outhead = 0;
	else if (outhead > out.len / 2) {
		memmove(out.s, out.s + outhead, out.len - outhead);
		out.len -= outhead;
		outhead = 0;
	}
}

static void
out_put(const char *s, size_t n)
{
	dt_buf_add(&out, s, n);
	out_flush(0);
}

static void
emit_end(void)
{
	dt_line_finish(&ev);
	out_put(ev.s, ev.len);
}

static void
emit(const char *verb, ...)
{
	const char *s;
	va_list ap;

	emit_begin(verb);
	va_start(ap, verb);
	while ((s = va_arg(ap, const char *)) != NULL)
		dt_line_field(&ev, s);
	va_end(ap);
	emit_end();
}

static void
push_front(struct dt_test *t)
{
	if (qhead == 0) {
		size_t room = qcap ? qcap : 64;

		queue = dt_xrealloc(queue, qcap + room, sizeof(*queue));
		memmove(queue + room, queue, qlen * sizeof(*queue));
		qhead = room;
		qcap += room;
	}
	queue[--qhead] = t;
	qlen++;
}

static struct dt_test *
pop(void)
{
	if (qlen == 0)
		return NULL;
	qlen--;
	return queue[qhead++];
}

/*
 * A runner id that a database name can carry: lower-case letters, digits
 * and underscores, unique per initiator, user, project, node and runner,
 * and short enough for PostgreSQL's 63 bytes once "_NNNN" is added.
 */
static char *
idprefix(const char *node)
{
	char *raw, *p;
	uint32_t h = 2166136261u;
	size_t len;

	raw = dt_xasprintf("dt_%s_%s_%s_%s", initiator, user,
	    name ? name : "", node);
	for (p = raw; *p; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		*p = isalnum((unsigned char)*p) ? tolower((unsigned char)*p)
		    : '_';
	}
	len = strlen(raw);
	if (len > 48)
		snprintf(raw + 39, 10, "_%08x", h);
	return raw;
}

static noreturn void end_run(const char *);

static void
lose(struct dt_test *t, const char *why)
{
	emit_begin("lost");
	dt_line_field(&ev, t->path);
	dt_line_field(&ev, why);
	if (t->part > 0)
		dt_line_fieldf(&ev, "%d/%d", t->part, t->nparts);
	emit_end();
	outstanding--;
}

static void
requeue(struct node *n, int r, struct dt_test *t, const char *why)
{
	char num[16], *msg;

	t->tries++;
	if (t->tries > retries) {
		msg = dt_xasprintf("%s; given up after %d tries", why,
		    t->tries);
		lose(t, msg);
		free(msg);
		return;
	}
	snprintf(num, sizeof(num), "%d", r);
	emit("requeue", n->nl.name, num, t->path, why, (char *)NULL);
	push_front(t);
}

static int
live_or_pending(void)
{
	size_t i;

	for (i = 0; i < nnodes; i++) {
		if (nodes[i].state == N_NEW && (!upstream_eof ||
		    nodes[i].opening))
			return 1;
		if (nodes[i].state == N_UP && (nodes[i].alive > 0 ||
		    nodes[i].replacing > 0 || nodes[i].expected < 0 ||
		    nodes[i].reported < nodes[i].expected))
			return 1;
	}
	return 0;
}

static void
check_end(void)
{
	struct dt_test *t;

	if (!listed)
		return;
	if (outstanding == 0)
		end_run("complete");
	if (!live_or_pending()) {
		while ((t = pop()) != NULL)
			lose(t, "no runner left to run it");
		if (outstanding == 0)
			end_run("no-runners");
	}
}

/*
 * A node whose channel failed before it was ready: its node-down, held,
 * is said once it is ready, or at the end of the input (say), or dropped
 * when upstream reports the node down itself.
 */
static void
held_down(struct node *n, int say)
{
	if (n->downwhy == NULL)
		return;
	if (say)
		emit("node-down", n->nl.name, "channel", n->downwhy,
		    (char *)NULL);
	free(n->downwhy);
	n->downwhy = NULL;
}

/* Its channel given up: collected as the loop turns (reap_some). */
static void
give_up(struct node *n)
{
	dt_chan_abandon(&n->ch);
	n->dying = 1;
	ndying++;
	n->state = N_DOWN;
}

static void
node_down(struct node *n, const char *why)
{
	char *closewhy;
	int i;

	if (n->state == N_DOWN)
		return;
	if (n->state == N_UP && !n->started && !n->ready) {
		/* Said at ready, unless upstream reports the node down. */
		closewhy = NULL;
		if (why != NULL)
			give_up(n);
		else
			closewhy = dt_chan_close(&n->ch, 1);
		n->downwhy = dt_xstrdup(why ? why : closewhy ? closewhy :
		    "channel closed");
		free(closewhy);
		if (!n->dying)
			dt_chan_free(&n->ch);
		n->state = N_DOWN;
		return;
	}
	if (n->state == N_UP) {
		/*
		 * With a reason, its process is collected as the loop turns:
		 * a switch that takes hundreds of nodes at once must not
		 * stop dispatch to the others.  Without, the channel ended
		 * and its process is going: how it ended is the reason.
		 */
		closewhy = NULL;
		if (why != NULL)
			give_up(n);
		else
			closewhy = dt_chan_close(&n->ch, 1);
		if (why == NULL)
			why = closewhy ? closewhy : "channel closed";
		for (i = 0; i < n->nr; i++)
			if (n->r[i].state == R_BUSY && n->r[i].timed_out)
				lose(n->r[i].test, "timed out, and its node "
				    "went down");
			else if (n->r[i].state == R_BUSY)
				requeue(n, i + 1, n->r[i].test, why);
		emit("node-down", n->nl.name, "channel", why, (char *)NULL);
		free(closewhy);
		if (!n->dying)
			dt_chan_free(&n->ch);
	}
	n->state = N_DOWN;
	n->alive = 0;
	n->replacing = 0;
}

/*
 * How long a file may run: the timeout setting's seconds, or with auto,
 * ten times what the timings expect plus a minute, and 15 minutes for a
 * file they do not know.
 */
static double
file_timeout(const struct dt_test *t)
{
	const char *e;
	long long n;

	if (timeout != NULL && strcmp(timeout, "auto") != 0) {
		n = dt_strtonum(timeout, 1, 604800, &e);
		if (e == NULL)
			return (double)n;
	}
	return t->est >= 0 ? 60 + 10 * t->est : 900;
}

/*
 * A runner other than runner r of node ni, or on a node other than ni:
 * up (idle, or busy and so idle within its file's timeout), or, with
 * coming, still to come on a node being copied, prepared or starting
 * its runners.
 */
static int
other_runner(size_t ni, int r, int other_node, int coming)
{
	struct node *n;
	size_t i;
	int j, st;

	for (i = 0; i < nnodes; i++) {
		n = &nodes[i];
		if (other_node && i == ni)
			continue;
		if (coming && ((n->state == N_NEW && (!upstream_eof ||
		    n->opening)) ||
		    (n->state == N_UP && (n->expected < 0 ||
		    n->reported < n->expected))))
			return 1;
		if (n->state != N_UP)
			continue;
		for (j = 0; j < n->nr; j++) {
			st = n->r[j].state;
			if ((i != ni || j != r) && (st == R_IDLE ||
			    st == R_BUSY || (coming && st == R_REPLACING)))
				return 1;
		}
	}
	return 0;
}

/*
 * A retry waits for a runner other than the one it failed on, of another
 * node when another node has runners, as long as there is one up; for
 * runners still to come, RETRY_COMING seconds at most, as a setup may
 * never end.
 */
static int
may_take(const struct dt_test *t, size_t ni, int r)
{
	int coming = dt_now() - t->queued < RETRY_COMING;

	if (t->attempt == 0 || t->from_node != (int)ni + 1)
		return 1;
	if (other_runner(ni, -1, 1, coming))
		return 0;
	return t->from_r != r + 1 || !other_runner(ni, r, 0, coming);
}

/* The first entry of the queue runner r of node ni may take. */
static struct dt_test *
take(size_t ni, int r)
{
	struct dt_test *t;
	size_t i;

	/* Only retries wait: the scan ends at the first other entry. */
	for (i = 0; i < qlen; i++) {
		t = queue[qhead + i];
		if (!may_take(t, ni, r))
			continue;
		memmove(queue + qhead + 1, queue + qhead, i * sizeof(*queue));
		qhead++;
		qlen--;
		return t;
	}
	return NULL;
}

static void
bad_free(struct runner *r)
{
	size_t i;

	for (i = 0; i < r->nbad; i++)
		free(r->bad[i]);
	free(r->bad);
	r->bad = NULL;
	r->nbad = r->capbad = 0;
	r->bad_file = 0;
}

static void
assign(struct node *n, int j, struct dt_test *t, struct dt_buf *b)
{
	char num[16];
	size_t u;

	snprintf(num, sizeof(num), "%d", j + 1);
	dt_line_begin(b, "run");
	dt_line_field(b, num);
	dt_line_field(b, t->path);
	if (t->part > 0 || t->nids > 0) {
		dt_line_field(b, t->except ? "except" : "only");
		for (u = 0; u < t->nids; u++)
			dt_line_field(b, t->ids[u]);
	}
	n->r[j].state = R_BUSY;
	n->r[j].test = t;
	n->r[j].limit = file_timeout(t);
	n->r[j].deadline = dt_now() + n->r[j].limit;
	n->r[j].timed_out = 0;
	bad_free(&n->r[j]);
	emit_begin("assign");
	dt_line_field(&ev, n->nl.name);
	dt_line_field(&ev, num);
	dt_line_field(&ev, t->path);
	if (t->part > 0)
		dt_line_fieldf(&ev, "%d/%d", t->part, t->nparts);
	else if (t->attempt > 0)
		dt_line_field(&ev, "");
	if (t->attempt > 0)
		dt_line_fieldf(&ev, "%d", t->attempt + 1);
	emit_end();
	if (dt_line_send(n->ch.c.in, b) < 0)
		node_down(n, NULL);
}

static void send_cap(struct node *);

static void
dispatch(void)
{
	struct dt_test *t;
	struct dt_buf b = { 0 };
	size_t i;
	int j;

	if (!listed)
		return;
	for (i = 0; i < nnodes && qlen > 0; i++) {
		struct node *n = &nodes[i];

		for (j = 0; j < n->nr && qlen > 0 && n->state == N_UP; j++) {
			if (n->r[j].state != R_IDLE || (t = take(i, j)) == NULL)
				continue;
			assign(n, j, t, &b);
		}
	}
	dt_buf_free(&b);
	for (i = 0; i < nnodes && qlen == 0; i++)
		send_cap(&nodes[i]);
}

static struct runner *
runner(struct node *n, const char *s, int grow)
{
	const char *e;
	int r;

	r = dt_strtonum(s, 1, 1024, &e);
	if (e != NULL)
		return NULL;
	if (r > n->nr) {
		if (!grow)
			return NULL;
		n->r = dt_xrealloc(n->r, r, sizeof(*n->r));
		memset(n->r + n->nr, 0, (r - n->nr) * sizeof(*n->r));
		n->nr = r;
	}
	return &n->r[r - 1];
}

/* A line dt-spawn should not have sent: the node cannot be trusted. */
static void bad_line(struct node *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
bad_line(struct node *n, const char *fmt, ...)
{
	va_list ap;
	char *what, *why;

	va_start(ap, fmt);
	what = dt_xvasprintf(fmt, ap);
	va_end(ap);
	why = dt_xasprintf("channel line %lu: %s", n->ch.rd.lineno, what);
	node_down(n, why);
	free(why);
	free(what);
}

/*
 * How many runners of node n can still get work, once the list is whole:
 * while files are queued, those up, or those busy and one a file left,
 * whichever is more; once none is, those busy.  And one more for
 * retries, or for the files of another node that goes down.
 */
static size_t
runners_wanted(const struct node *n)
{
	size_t busy = 0;
	int i;

	for (i = 0; i < n->nr; i++)
		busy += n->r[i].state == R_BUSY;
	if (qlen > 0) {
		busy += qlen;
		if (busy < (size_t)n->alive)
			busy = (size_t)n->alive;
	}
	/* A failed test's retry goes to another runner. */
	if (retry > 0 || busy == 0 || nnodes > 1)
		busy++;
	return busy;
}

/*
 * Once the list is whole, a node is told how many runners can still get
 * work; its dt-spawn stops the rest that are still booting once that many
 * are up.  Sent at the list's end or at "starting", whichever is later,
 * and again, lower, as the queue runs dry: the idle runners beyond it
 * end their sessions then.
 */
static void
send_cap(struct node *n)
{
	char cap[32];
	size_t want;

	if (!listed || !n->takes_cap || n->state != N_UP)
		return;
	want = runners_wanted(n);
	if (n->capped != 0 && (qlen > 0 || want >= n->capped))
		return;
	n->capped = want;
	snprintf(cap, sizeof(cap), "%zu", want);
	if (dt_send(n->ch.c.in, "cap", cap, (char *)NULL) < 0)
		node_down(n, NULL);
}

static void
rp_starting(struct node *n, struct runner *r, char **f, int k)
{
	const char *e;
	int i;

	(void)r;
	n->expected = dt_strtonum(f[1], 0, 1024, &e);
	if (e != NULL) {
		bad_line(n, "starting %s: %s", f[1], e);
		return;
	}
	n->takes_cap = n->takes_replaced = 0;
	for (i = 2; i < k; i++) {
		n->takes_cap |= strcmp(f[i], "cap") == 0;
		n->takes_replaced |= strcmp(f[i], "replaced") == 0;
	}
	send_cap(n);
	check_end();
}

static void
rp_runner_up(struct node *n, struct runner *r, char **f, int k)
{
	if (r->state == R_IDLE || r->state == R_BUSY || r->state == R_LOST) {
		bad_line(n, "runner-up for runner %s, which is up", f[1]);
		return;
	}
	/* A runner comes back when dt-spawn replaced its adapter. */
	if (r->state == R_NONE)
		n->reported++;
	if (r->state == R_REPLACING)
		n->replacing--;
	r->state = R_IDLE;
	n->alive++;
	emit("runner-up", n->nl.name, f[1], k > 2 ? f[2] : "", (char *)NULL);
	dispatch();
}

static void
rp_runner_down(struct node *n, struct runner *r, char **f, int k)
{
	char *msg;

	if (k > 3 && strcmp(f[3], "retired") == 0 && r->state == R_IDLE) {
		/* By our cap, as the queue ran dry. */
		r->state = R_DOWN;
		n->alive--;
		msg = dt_xasprintf("runner %s ended its session: %s", f[1],
		    k > 2 ? f[2] : "");
		emit("log", n->nl.name, msg, (char *)NULL);
		free(msg);
		check_end();
		return;
	}
	if (k > 3 && strcmp(f[3], "stopped") == 0 && r->state == R_NONE) {
		/* By our cap: not a fault, but in the log. */
		r->state = R_DOWN;
		n->reported++;
		msg = dt_xasprintf("runner %s stopped before it was up: %s",
		    f[1], k > 2 ? f[2] : "");
		emit("log", n->nl.name, msg, (char *)NULL);
		free(msg);
		check_end();
		return;
	}
	if (r->state == R_BUSY && r->timed_out)
		lose(r->test, k > 2 ? f[2] : "timed out");
	else if (r->state == R_BUSY)
		requeue(n, atoi(f[1]), r->test, k > 2 ? f[2] : "");
	if (r->state == R_NONE)
		n->reported++;
	else if (r->state == R_REPLACING)
		n->replacing--;
	else if (r->state != R_DOWN)
		n->alive--;
	r->state = k > 3 && strcmp(f[3], "replacing") == 0 ?
	    R_REPLACING : R_DOWN;
	if (r->state == R_REPLACING)
		n->replacing++;
	/*
	 * A run we sent crossing this news is dropped there: requeued
	 * above.  A channel that fails is found by its reader.
	 */
	if (r->state == R_REPLACING && n->takes_replaced)
		(void)dt_send(n->ch.c.in, "replaced", f[1], (char *)NULL);
	emit("runner-down", n->nl.name, f[1], k > 2 ? f[2] : "",
	    r->state == R_REPLACING ? "replacing" : (char *)NULL,
	    (char *)NULL);
	check_end();
}

static void
rp_lost(struct node *n, struct runner *r, char **f, int k)
{
	if (r->state != R_BUSY)
		return;
	/* Run again, it would hang again. */
	if (r->timed_out)
		lose(r->test, k > 2 ? f[2] : "timed out");
	else
		requeue(n, atoi(f[1]), r->test, k > 2 ? f[2] : "runner lost");
	r->state = R_LOST;	/* runner-down follows */
	r->test = NULL;
}

#define BAD_MAX (DT_FIELDS_MAX - 8)	/* units a retry names; more: whole */

/* A fail or unit line: the unit that failed, for a retry. */
static void
note_bad(struct runner *r, char **f, int k)
{
	const char *id = NULL;
	size_t i;

	if (retry == 0)
		return;
	if (strcmp(f[0], "fail") == 0)
		id = k > 7 ? f[7] : "";
	else if (strcmp(f[0], "unit") == 0 && k > 4 &&
	    (strcmp(f[4], "failed") == 0 || strcmp(f[4], "error") == 0))
		id = f[2];
	if (id == NULL)
		return;
	if (*id == '\0' || r->nbad >= BAD_MAX) {
		r->bad_file = 1;
		return;
	}
	for (i = r->nbad; i > 0; i--)
		if (strcmp(r->bad[i - 1], id) == 0)
			return;
	if (r->nbad == r->capbad) {
		r->capbad = r->capbad ? r->capbad * 2 : 8;
		r->bad = dt_xrealloc(r->bad, r->capbad, sizeof(*r->bad));
	}
	r->bad[r->nbad++] = dt_xstrdup(id);
}

/*
 * A file or part that did not pass runs again, up to retry times: only
 * its units that failed when the adapter named each failure, else as it
 * ran.  The retry line comes before the done line of the try it follows.
 */
static void
try_again(struct node *n, const char *rnum, struct runner *r)
{
	struct dt_test *t = r->test, *a;
	size_t i, bytes;
	int whole = r->bad_file || r->nbad == 0;

	for (bytes = esc_len(t->path) + 64, i = 0; i < r->nbad; i++)
		bytes += esc_len(r->bad[i]) + 1;
	if (bytes > SPLIT_BYTES)
		whole = 1;
	a = dt_xmalloc(sizeof(*a));
	*a = *t;
	a->tries = 0;
	a->attempt = t->attempt + 1;
	a->from_node = (int)(n - nodes) + 1;
	a->from_r = atoi(rnum);
	a->queued = dt_now();
	if (!whole) {
		a->except = 0;
		a->ids = r->bad;
		a->nids = r->nbad;
		r->bad = NULL;
		r->nbad = r->capbad = 0;
	}
	push_front(a);
	outstanding++;
	emit_begin("retry");
	dt_line_field(&ev, n->nl.name);
	dt_line_field(&ev, rnum);
	dt_line_field(&ev, t->path);
	dt_line_fieldf(&ev, "%d", a->attempt + 1);
	if (t->part > 0)
		dt_line_fieldf(&ev, "%d/%d", t->part, t->nparts);
	else if (!whole)
		dt_line_field(&ev, "");
	for (i = 0; !whole && i < a->nids; i++)
		dt_line_field(&ev, a->ids[i]);
	emit_end();
}

/* A result of the file a runner runs: an event with its node and path. */
static void
rp_result(struct node *n, struct runner *r, char **f, int k)
{
	int i, done = strcmp(f[0], "done") == 0;

	if (r->state != R_BUSY && strcmp(f[0], "out") != 0)
		return;
	if (r->state == R_BUSY)
		note_bad(r, f, k);
	if (done && k > 2 && strcmp(f[2], "passed") != 0 &&
	    r->test->attempt < retry)
		try_again(n, f[1], r);
	emit_begin(f[0]);
	dt_line_field(&ev, n->nl.name);
	dt_line_field(&ev, f[1]);
	dt_line_field(&ev, r->state == R_BUSY ? r->test->path : "");
	/* done: STATUS SECONDS E F P ER, then the part, if one */
	for (i = 2; i < k && (!done || i < 8); i++)
		dt_line_field(&ev, f[i]);
	if (done && r->test->part > 0) {
		for (; i < 8; i++)
			dt_line_field(&ev, "0");
		dt_line_fieldf(&ev, "%d/%d", r->test->part, r->test->nparts);
	}
	emit_end();
	if (done) {
		r->state = R_IDLE;
		r->test = NULL;
		bad_free(r);
		outstanding--;
		dispatch();
		check_end();
	}
}

static void (*const replies[DT_RP_MAX])(struct node *, struct runner *,
    char **, int) = {
	[DT_RP_STARTING] = rp_starting,
	[DT_RP_RUNNER_UP] = rp_runner_up,
	[DT_RP_RUNNER_DOWN] = rp_runner_down,
	[DT_RP_OUT] = rp_result,
	[DT_RP_FAIL] = rp_result,
	[DT_RP_PENDING] = rp_result,
	[DT_RP_UNIT] = rp_result,
	[DT_RP_COUNT] = rp_result,
	[DT_RP_DONE] = rp_result,
	[DT_RP_LOST] = rp_lost,
};

static void
channel_line(struct node *n, char **f, int k)
{
	struct runner *r = NULL;
	int v = dt_verb(dt_replies, DT_RP_MAX, f, k);

	if (v == DT_RP_ERROR) {
		emit("log", n->nl.name, k > 1 ? f[1] : "", (char *)NULL);
		return;
	}
	if (v == -1 || replies[v] == NULL)
		return;		/* the heartbeat, or a newer dt-spawn's */
	/* Only a runner's own news makes a number new to us. */
	if (v == -2 || (dt_replies[v].who && (r = runner(n, f[1],
	    v == DT_RP_RUNNER_UP || v == DT_RP_RUNNER_DOWN ||
	    v == DT_RP_OUT)) == NULL)) {
		bad_line(n, "bad \"%s\" line", f[0]);
		return;
	}
	replies[v](n, r, f, k);
}

/* One line from dt-spawn; non-zero when the node went down. */
static int
channel_fn(void *arg, char **f, int k)
{
	struct node *n = arg;

	channel_line(n, f, k);
	return n->state != N_UP;
}

static void
channel_read(struct node *n)
{
	char *why;
	int rc;

	rc = dt_chan_read(&n->ch, channel_fn, n, &why);
	if (rc < 0) {
		node_down(n, why);
		free(why);
	} else if (rc > 0 && n->state == N_UP)
		node_down(n, NULL);
	check_end();
}

/*
 * The initiator's variables go to the node's runners, and the log says
 * which: the names only, as values may be secrets.
 */
static void
send_env(struct node *n, int fd)
{
	struct dt_buf names = { 0 };
	size_t i;

	dt_buf_addf(&names, "runners get from the initiator:");
	for (i = 0; i < nenvs && n->state == N_UP; i++) {
		if (dt_send(fd, "set", "env", envs[i], (char *)NULL) < 0)
			node_down(n, NULL);
		dt_buf_addf(&names, " %.*s", (int)strcspn(envs[i], "="),
		    envs[i]);
	}
	if (nenvs == 0)
		dt_buf_addf(&names, " no variable (env)");
	dt_buf_addc(&names, '\0');
	if (n->state == N_UP)
		emit("log", n->nl.name, names.s, (char *)NULL);
	free(names.s);
}

/*
 * A node's channel and settings, once its copy is there: while its
 * node_setup runs, the ssh session and dt-spawn start, off the path to
 * the first test.  Its runners start at node_start, once it is ready.
 */
static void
node_open(struct node *n)
{
	char *dir, *id, *why;
	size_t i;
	int fd;

	if (spawn == NULL || framework == NULL)
		dt_die(DT_EX_DATA, "stdin: synced or ready before the spawn "
		    "and framework settings");
	if (dt_chan_open(&n->ch, n->nl.name, n->nl.host, n->nl.rsh,
	    n->nl.spawn ? n->nl.spawn : spawn) < 0) {
		why = dt_xasprintf("cannot open a channel: %s",
		    strerror(errno));
		n->downwhy = why;
		n->state = N_DOWN;
		if (n->ready)
			held_down(n, 1);
		return;
	}
	n->state = N_UP;
	n->alive = 0;
	n->expected = -1;
	n->reported = 0;
	fd = n->ch.c.in;
	dir = dt_copy_dir(n->nl.workdir, initiator, user, name);
	id = idprefix(n->nl.name);
	if (dt_send(fd, "set", "dir", dir, (char *)NULL) < 0 ||
	    dt_send(fd, "set", "framework", framework, (char *)NULL) < 0 ||
	    dt_send(fd, "set", "id", id, (char *)NULL) < 0 ||
	    dt_send(fd, "set", "node", n->nl.name, (char *)NULL) < 0 ||
	    (command && dt_send(fd, "set", "command", command,
	    (char *)NULL) < 0) ||
	    (isolate && dt_send(fd, "set", "isolate", isolate,
	    (char *)NULL) < 0) ||
	    (runner_dir && dt_send(fd, "set", "runner_dir", runner_dir,
	    (char *)NULL) < 0) ||
	    (bundler && dt_send(fd, "set", "bundler", bundler,
	    (char *)NULL) < 0) ||
	    (preload && dt_send(fd, "set", "preload", preload,
	    (char *)NULL) < 0) ||
	    dt_send(fd, "set", "replaced", "yes", (char *)NULL) < 0 ||
	    (python && dt_send(fd, "set", "python", python,
	    (char *)NULL) < 0) ||
	    (seed && dt_send(fd, "set", "seed", seed, (char *)NULL) < 0))
		node_down(n, NULL);
	for (i = 0; i < nargs && n->state == N_UP; i++)
		if (dt_send(fd, "set", "args", args[i], (char *)NULL) < 0)
			node_down(n, NULL);
	for (i = 0; i < nartifacts && n->state == N_UP; i++)
		if (dt_send(fd, "set", "artifacts", artifacts[i],
		    (char *)NULL) < 0)
			node_down(n, NULL);
	send_env(n, fd);
	/* Last: the template may boot now, beside node_setup. */
	if (n->state == N_UP && dt_send(fd, "set", "boot", "yes",
	    (char *)NULL) < 0)
		node_down(n, NULL);
	free(dir);
	free(id);
}

static void
node_start(struct node *n)
{
	char cap[32];

	if (n->state != N_UP || n->started)
		return;
	n->started = 1;
	/*
	 * A run of 3 files does not boot 32 runners: with the list whole,
	 * start one more than can get work, so that a runner whose
	 * runner_setup fails leaves another; "cap" stops it once enough are up.
	 */
	snprintf(cap, sizeof(cap), "%zu", !listed ? 0 :
	    qlen == 0 ? 1 : runners_wanted(n) + 1);
	if (dt_send(n->ch.c.in, "start", n->nl.runners, cap,
	    (char *)NULL) < 0)
		node_down(n, NULL);
}

/* A node to open: at synced, or at ready when no synced came. */
static void
to_open(struct node *n)
{
	if (n->state != N_NEW || n->opening)
		return;
	n->opening = 1;
	openq = dt_xrealloc(openq, nopen + 1, sizeof(*openq));
	openq[nopen++] = (size_t)(n - nodes);
}

/* Pings out; a node silent for three heartbeats is down. */
static void
heartbeats(void)
{
	double now = dt_now();
	char *why;
	size_t i;

	for (i = 0; i < nnodes; i++)
		if (nodes[i].state == N_UP &&
		    dt_chan_beat(&nodes[i].ch, now, &why)) {
			node_down(&nodes[i], why);
			free(why);
			check_end();
		}
}

/*
 * A file past its timeout: said, and its runner killed on the node; the
 * lost reply that follows ends it.
 */
static void
timeouts(void)
{
	struct dt_buf b = { 0 };
	double now = dt_now();
	char num[16], *why;
	size_t i;
	int j;

	for (i = 0; i < nnodes; i++) {
		struct node *n = &nodes[i];

		for (j = 0; j < n->nr && n->state == N_UP; j++) {
			struct runner *r = &n->r[j];

			if (r->state != R_BUSY || r->timed_out ||
			    now < r->deadline)
				continue;
			r->timed_out = 1;
			snprintf(num, sizeof(num), "%d", j + 1);
			emit_begin("timeout");
			dt_line_field(&ev, n->nl.name);
			dt_line_field(&ev, num);
			dt_line_field(&ev, r->test->path);
			dt_line_fieldf(&ev, "%.0f", r->limit);
			if (r->test->part > 0)
				dt_line_fieldf(&ev, "%d/%d", r->test->part,
				    r->test->nparts);
			emit_end();
			why = dt_xasprintf("timed out after %.0f s", r->limit);
			dt_line_begin(&b, "kill");
			dt_line_field(&b, num);
			dt_line_field(&b, why);
			free(why);
			if (dt_line_send(n->ch.c.in, &b) < 0)
				node_down(n, NULL);
		}
	}
	dt_buf_free(&b);
}

/* Runners the run expects: a node with runners = auto as this machine. */
static int
planned_runners(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;
	int nr = 0, want;

	for (i = 0; i < nnodes; i++) {
		want = atoi(nodes[i].nl.runners);
		nr += want > 0 ? want : cpus > 0 ? (int)cpus : 1;
	}
	return nr > 0 ? nr : 1;
}

static void
append(struct dt_test *t)
{
	if (nitems == qcap) {
		qcap = qcap ? qcap * 2 : 64;
		queue = dt_xrealloc(queue, qcap, sizeof(*queue));
	}
	queue[nitems++] = t;
}

struct unit {
	const struct dt_timing *u;
	int bin;
};

static int
cmp_unit(const void *a, const void *b)
{
	const struct unit *x = a, *y = b;

	if (x->u->seconds != y->u->seconds)
		return x->u->seconds > y->u->seconds ? -1 : 1;
	return strcmp(x->u->unit, y->u->unit);
}

/*
 * The m parts of a split file join the queue, each running the units of
 * its bin, but for the lightest, which runs all "except" the others'.
 */
static void
queue_parts(struct dt_test *t, const struct unit *u, size_t nu,
    const double *load, size_t m, size_t least, double over)
{
	struct dt_test *parts = dt_xcalloc(m, sizeof(*parts));
	size_t b, i;

	for (b = 0; b < m; b++) {
		struct dt_test *p = &parts[b];

		p->path = t->path;
		p->size = t->size;
		p->time = t->time;
		p->est = over + load[b];
		p->part = b + 1;
		p->nparts = m;
		p->except = b == least;
		p->ids = dt_xcalloc(nu, sizeof(*p->ids));
		for (i = 0; i < nu; i++)
			if (((size_t)u[i].bin == b) != p->except)
				p->ids[p->nids++] = dt_xstrdup(u[i].u->unit);
		append(p);
	}
	if (!dry_run) {
		emit_begin("split");
		dt_line_field(&ev, t->path);
		dt_line_fieldf(&ev, "%zu", m);
		dt_line_fieldf(&ev, "%.3f", over);
		emit_end();
	}
}

#define SPLIT_MIN 0.5	/* seconds: a file quicker is never split */

/*
 * Split t into parts when it is expected to take more than share, and
 * its units were timed.  Each part then costs the file's own overhead
 * (loading it, its hooks: what its time has beyond its units') plus its
 * units, so parts aim at share, or at the overhead plus the longest unit
 * when that is more.  Returns the number of parts put in the queue.
 */
static size_t
split_file(struct dt_test *t, const struct dt_timings *tt, double share,
    int nr)
{
	const struct dt_timing *first;
	struct unit *u;
	double sum = 0, over, target, *load;
	size_t nu, i, m, b, least, most, bytes, timed;

	if (t->nids > 0)
		return 0;	/* some units of it already: a rerun */

	nu = dt_timings_units(tt, t->path, &first);
	/* Under SPLIT_MIN, what a part saves is less than what it costs. */
	if (nu < 2 || nr < 2 || t->time <= share || t->time < SPLIT_MIN)
		return 0;
	u = dt_xcalloc(nu, sizeof(*u));
	for (bytes = esc_len(t->path) + 64, timed = 0, i = 0; i < nu; i++) {
		u[i].u = &first[i];
		sum += first[i].seconds;
		timed += first[i].seconds > 0;
		bytes += esc_len(first[i].unit) + 1;
	}
	/* Units that take no time, or too many to name in one request. */
	if (timed < 2 || bytes > SPLIT_BYTES || nu > DT_FIELDS_MAX - 8) {
		free(u);
		return 0;
	}
	qsort(u, nu, sizeof(*u), cmp_unit);
	over = t->time > sum ? t->time - sum : 0;
	target = share > over + u[0].u->seconds ? share :
	    over + u[0].u->seconds;
	m = (size_t)(sum / (target - over));
	if (m * (target - over) < sum)
		m++;
	if (m > timed)
		m = timed;
	if (m > (size_t)nr)
		m = nr;
	if (m < 2) {
		free(u);
		return 0;
	}
	load = dt_xcalloc(m, sizeof(*load));
	for (i = 0; i < nu; i++) {
		for (least = 0, b = 1; b < m; b++)
			if (load[b] < load[least])
				least = b;
		u[i].bin = least;
		load[least] += u[i].u->seconds;
	}
	/* The lightest part also runs the units never timed. */
	for (least = 0, most = 0, b = 1; b < m; b++) {
		if (load[b] < load[least])
			least = b;
		if (load[b] > load[most])
			most = b;
	}
	/* A file whose time is mostly its own setup gains nothing. */
	if (over + load[most] > 0.9 * t->time) {
		free(u);
		free(load);
		return 0;
	}
	queue_parts(t, u, nu, load, m, least, over);
	free(u);
	free(load);
	return m;
}

static void
list_done(void)
{
	struct dt_timings tt = { 0 };
	double work = 0, median;
	size_t i;
	int nr;

	if (timings != NULL && dt_timings_read(&tt, timings) < 0)
		dt_warn("ignoring the timings; files go by size this run");
	queue = dt_xcalloc(ntests, sizeof(*queue));
	for (i = 0; i < ntests; i++) {
		tests[i].time = dt_timings_get(&tt, tests[i].path);
		queue[i] = &tests[i];
	}
	median = dt_queue_median(queue, ntests);
	for (i = 0; i < ntests; i++)
		work += tests[i].time >= 0 ? tests[i].time :
		    median > 0 ? median : 0;
	nr = planned_runners();
	nitems = 0;
	qcap = ntests;
	/* A command has no units to name: adapter-command runs files. */
	if (split && work > 0 && nr > 1 && framework != NULL &&
	    strcmp(framework, "command") != 0) {
		struct dt_test **whole = queue;

		queue = dt_xcalloc(qcap, sizeof(*queue));
		for (i = 0; i < ntests; i++)
			if (split_file(whole[i], &tt, work / nr, nr) == 0)
				append(whole[i]);
		free(whole);
	} else
		nitems = ntests;
	dt_queue_sort(queue, nitems);
	qhead = 0;
	qlen = nitems;
	outstanding = nitems;
	listed = 1;
	dt_timings_free(&tt);
}

/*
 * -n: the plan, not the run.  Files go to runners in queue order, each
 * to the runner free first, as they would if every runner came up at
 * once; a file never timed is guessed at the median of those that were.
 */
static noreturn void
print_plan(void)
{
	double *free_at, median, wall = 0, work = 0, longest = 0;
	size_t i, nknown = 0;
	int r, nr, best, auto_runners = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	for (i = 0; i < nnodes; i++)
		if (atoi(nodes[i].nl.runners) <= 0)
			auto_runners = 1;
	nr = planned_runners();
	if ((size_t)nr > qlen && qlen > 0)
		nr = qlen;	/* as dt-feed caps the runners it starts */
	for (i = 0; i < ntests; i++)
		if (tests[i].time >= 0)
			nknown++;
	median = dt_queue_median(queue + qhead, qlen);
	free_at = dt_xcalloc(nr, sizeof(*free_at));
	printf("%-5s %9s %9s %7s  %s\n", "order", "estimate", "start", "runner",
	    "file");
	for (i = 0; i < qlen; i++) {
		struct dt_test *t = queue[qhead + i];
		double est = t->est;
		char part[128] = "";

		if (t->part > 0 && t->except)
			snprintf(part, sizeof(part), " [part %d/%d, all units "
			    "but the other parts' %zu]", t->part, t->nparts,
			    t->nids);
		else if (t->part > 0)
			snprintf(part, sizeof(part), " [part %d/%d, %zu unit%s]",
			    t->part, t->nparts, t->nids, t->nids == 1 ? "" : "s");
		else if (t->nids > 0 && t->except)
			snprintf(part, sizeof(part), " [all units but %zu]",
			    t->nids);
		else if (t->nids > 0)
			snprintf(part, sizeof(part), " [%zu unit%s]", t->nids,
			    t->nids == 1 ? "" : "s");
		for (best = 0, r = 1; r < nr; r++)
			if (free_at[r] < free_at[best])
				best = r;
		if (est >= 0) {
			printf("%-5zu %8.2fs%s %8.2fs %7d  %s%s\n", i + 1, est,
			    t->time >= 0 ? " " : "?", free_at[best], best + 1,
			    t->path, part);
			free_at[best] += est;
			work += est;
			if (est > longest)
				longest = est;
		} else
			printf("%-5zu %9s %9s %7s  %s\n", i + 1, "?", "?", "?",
			    t->path);
	}
	for (r = 0; r < nr; r++)
		if (free_at[r] > wall)
			wall = free_at[r];
	printf("\n%zu file%s", ntests, ntests == 1 ? "" : "s");
	if (qlen != ntests)
		printf(" in %zu parts", qlen);
	printf(", %d runner%s", nr, nr == 1 ? "" : "s");
	if (auto_runners)
		printf(" (a node with runners = auto counted as %ld, the "
		    "processors here)", cpus > 0 ? cpus : 1);
	if (median < 0)
		printf("; no timings yet: the files go largest first, and no "
		    "time can be predicted\n");
	else {
		if (nknown < ntests)
			printf("; %zu timed, the others (marked ?) guessed at "
			    "the median, %.2fs", nknown, median);
		else
			printf("; every one timed");
		printf("\npredicted wall time %.2fs, lower bound %.2fs, work "
		    "%.2fs; copying and setup not included\n", wall,
		    longest > work / nr ? longest : work / nr, work);
	}
	free(free_at);
	exit(0);
}

static const struct dt_setting_var settings[] = {
	{ "initiator", &initiator }, { "user", &user }, { "name", &name },
	{ "framework", &framework }, { "command", &command },
	{ "spawn", &spawn }, { "timings", &timings }, { "isolate", &isolate },
	{ "runner_dir", &runner_dir }, { "bundler", &bundler },
	{ "preload", &preload },
	{ "python", &python }, { "seed", &seed }, { "timeout", &timeout },
	{ NULL, NULL }
};

static void
ev_set(char **f, unsigned long lineno)
{
	const char *e;

	if (dt_set(settings, f[1], f[2]))
		return;
	if (strcmp(f[1], "split") == 0)
		split = strcmp(f[2], "no") != 0;
	else if (strcmp(f[1], "args") == 0) {
		args = dt_xrealloc(args, nargs + 1, sizeof(*args));
		args[nargs++] = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "env") == 0) {
		envs = dt_xrealloc(envs, nenvs + 1, sizeof(*envs));
		envs[nenvs++] = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "artifacts") == 0) {
		artifacts = dt_xrealloc(artifacts, nartifacts + 1,
		    sizeof(*artifacts));
		artifacts[nartifacts++] = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "retries") == 0) {
		retries = dt_strtonum(f[2], 0, 100, &e);
		if (e != NULL)
			dt_die(DT_EX_DATA, "stdin line %lu: retries %s: %s",
			    lineno, f[2], e);
	} else if (strcmp(f[1], "retry") == 0) {
		retry = dt_strtonum(f[2], 0, DT_RETRY_MAX, &e);
		if (e != NULL)
			dt_die(DT_EX_DATA, "stdin line %lu: retry %s: %s",
			    lineno, f[2], e);
	}
}

static void
ev_test(char **f, int k)
{
	if (ntests == captests) {
		captests = captests ? captests * 2 : 256;
		tests = dt_xrealloc(tests, captests, sizeof(*tests));
	}
	memset(&tests[ntests], 0, sizeof(*tests));
	tests[ntests].path = dt_xstrdup(f[1]);
	tests[ntests].size = k > 2 ? atoll(f[2]) : 0;
	/*
	 * Some units only: a rerun of those that failed, or a partition's
	 * share of a split file ("only" those, or "except" other shares').
	 * Without the word, the IDs are "only" ones, as before.
	 */
	if (k > 3) {
		int i = 3;

		if (strcmp(f[3], "only") == 0 || strcmp(f[3], "except") == 0)
			tests[ntests].except = strcmp(f[i++], "except") == 0;
		tests[ntests].ids = dt_xcalloc((size_t)k - 2,
		    sizeof(*tests[ntests].ids));
		for (; i < k; i++)
			tests[ntests].ids[tests[ntests].nids++] =
			    dt_xstrdup(f[i]);
	}
	ntests++;
}

static void
event(char *l, size_t len, char **f, int k, unsigned long lineno)
{
	struct node *n;
	size_t i;

	l[len] = '\n';
	if (!dry_run)
		out_put(l, len + 1);
	switch (dt_event(f, k, lineno)) {
	case DT_EV_SET:
		ev_set(f, lineno);
		break;
	case DT_EV_NODE:
		nodes = dt_xrealloc(nodes, nnodes + 1, sizeof(*nodes));
		n = &nodes[nnodes++];
		memset(n, 0, sizeof(*n));
		dt_node_line(&n->nl, f, k);
		break;
	case DT_EV_TEST:
		if (!listed)
			ev_test(f, k);
		break;
	case DT_EV_TESTS_END:
		if (listed)
			break;
		list_done();
		if (dry_run)
			print_plan();
		dispatch();
		for (i = 0; i < nnodes; i++)
			send_cap(&nodes[i]);
		check_end();
		break;
	case DT_EV_READY:
		n = dt_node_find(nodes, nnodes, sizeof(*nodes), f[1]);
		if (n == NULL)
			dt_die(DT_EX_DATA, "stdin line %lu: ready names "
			    "unknown node \"%s\"", lineno, f[1]);
		n->ready = 1;
		held_down(n, 1);
		to_open(n);
		node_start(n);
		break;
	case DT_EV_SYNCED:
		n = dt_node_find(nodes, nnodes, sizeof(*nodes), f[1]);
		if (n != NULL)
			to_open(n);
		break;
	case DT_EV_NODE_DOWN:
		n = dt_node_find(nodes, nnodes, sizeof(*nodes), f[1]);
		if (n != NULL)
			held_down(n, 0);
		if (n != NULL && n->state == N_NEW) {
			n->state = N_DOWN;
			n->opening = 0;
			check_end();
		} else if (n != NULL && n->state == N_UP && !n->started) {
			/* Its node_setup failed: the line said so already. */
			give_up(n);
			check_end();
		}
		break;
	}
}

/* A node's last words, as its runners end: what it has to bring home. */
static int
ending_fn(void *arg, char **f, int k)
{
	struct node *n = arg;
	const char *e1, *e2;

	if (dt_verb(dt_replies, DT_RP_MAX, f, k) != DT_RP_ARTIFACTS)
		return 0;
	(void)dt_strtonum(f[1], 0, LLONG_MAX, &e1);
	(void)dt_strtonum(f[2], 0, LLONG_MAX, &e2);
	if (e1 != NULL || e2 != NULL) {
		char *why = dt_xasprintf("channel line %lu: bad \"artifacts\" "
		    "line; its artifacts stay on the node", n->ch.rd.lineno);

		emit("log", n->nl.name, why, (char *)NULL);
		free(why);
	} else
		emit("artifacts", n->nl.name, f[1], f[2], (char *)NULL);
	return 0;
}

static void reap_some(void);

static noreturn void
end_run(const char *why)
{
	size_t i;

	/*
	 * Every node hears the end at once, then each is collected, its
	 * last words logged; "end" comes last, and waits for the reader
	 * only once no node is left to take this silence for a loss.
	 */
	for (i = 0; i < nnodes; i++) {
		held_down(&nodes[i], 1);
		if (nodes[i].state == N_UP)
			dt_close(&nodes[i].ch.c.in);
	}
	for (i = 0; i < nnodes; i++)
		if (nodes[i].state == N_UP) {
			free(dt_chan_close_lines(&nodes[i].ch, ending_fn,
			    &nodes[i]));
			nodes[i].state = N_DOWN;
		}
	/* Those given up go together, each within its own 5 s. */
	for (i = 0; ndying > 0 && i < 500; i++) {
		reap_some();
		if (ndying > 0)
			(void)poll(NULL, 0, 20);
	}
	emit("end", why, (char *)NULL);
	out_flush(1e9);
	exit(0);
}

static void
kill_all(void)
{
	size_t i;

	/* dt-spawn kills its runners when its channel closes. */
	for (i = 0; i < nnodes; i++)
		if (nodes[i].state == N_UP)
			dt_close(&nodes[i].ch.c.in);
		else if (nodes[i].dying && nodes[i].ch.c.pid > 0)
			kill(nodes[i].ch.c.pid, SIGKILL);
}

/* Last words on a signal: what ran reaches the log and timings. */
static void
flush_out(int status)
{
	(void)status;
	out_flush(2);
}

/* Up to OPEN_BATCH nodes that are ready get their channels. */
static void
open_some(void)
{
	struct node *n;
	int k = 0;

	while (openhead < nopen && k < OPEN_BATCH) {
		n = &nodes[openq[openhead++]];
		if (n->state != N_NEW || !n->opening)
			continue;
		n->opening = 0;
		node_open(n);
		if (n->ready)
			node_start(n);
		k++;
	}
}

/* Channels given up: collected once their processes are gone. */
static void
reap_some(void)
{
	double now = dt_now();
	size_t i;

	for (i = 0; i < nnodes && ndying > 0; i++)
		if (nodes[i].dying && dt_chan_reap(&nodes[i].ch, now)) {
			dt_chan_free(&nodes[i].ch);
			nodes[i].dying = 0;
			ndying--;
		}
}

/* Upstream is done: the list must have ended. */
static void
upstream_end(void)
{
	size_t i;

	upstream_eof = 1;
	if (!listed)
		dt_die(DT_EX_DATA, "stdin: ended before tests-end");
	/* Synced, never ready: no runner will come. */
	for (i = 0; i < nnodes; i++) {
		if (nodes[i].state == N_UP && !nodes[i].started &&
		    !nodes[i].ready)
			give_up(&nodes[i]);
		else if (nodes[i].state == N_NEW && !nodes[i].ready) {
			nodes[i].opening = 0;
			nodes[i].state = N_DOWN;
		}
		held_down(&nodes[i], 1);
	}
	check_end();
}

int
main(int argc, char *argv[])
{
	struct dt_stage st;
	struct stat sb;
	size_t i, k;
	int ch, ready;

	dt_hygiene();
	dt_setprog(argv[0]);
	dt_die_with_parent();
	while ((ch = getopt(argc, argv, "n")) != -1) {
		switch (ch) {
		case 'n': dry_run = 1; break;
		default: dt_usage(USAGE);
		}
	}
	if (optind != argc)
		dt_usage(USAGE);
	dt_raise_nofile();
	(void)dt_heartbeat();	/* a bad value is a usage error, now */
	dt_chan_sink(out_put);
	/* Not a terminal's: its other users would see EAGAIN too. */
	if (!dry_run && fstat(1, &sb) == 0 && S_ISFIFO(sb.st_mode))
		dt_nonblock(1);
	atexit(kill_all);
	dt_stage_init(&st, "stdin", 0);
	st.lastwords = flush_out;

	for (;;) {
		dt_stage_begin(&st);
		for (i = 0; i < nnodes; i++)
			if (nodes[i].state == N_UP || nodes[i].dying)
				dt_chan_watch(&nodes[i].ch, &st, i);
		ready = dt_stage_wait(&st, openhead < nopen ? 0 : ndying > 0 ?
		    100 : dt_heartbeat() > 0 || outstanding > 0 ? 1000 : -1,
		    outhead < out.len ? POLLOUT : 0);
		if (ready & DT_STAGE_WRITABLE)
			out_flush(0);
		for (k = DT_STAGE_OWN; k < st.n; k++) {
			struct node *n = &nodes[st.who[k] / 2];

			if (n->state == N_UP && dt_chan_polled(&n->ch, &st, k))
				channel_read(n);
			else if (n->dying)
				(void)dt_chan_polled(&n->ch, &st, k);
		}
		if (ndying > 0)
			reap_some();
		/* After the reads: what waited in a pipe was heard. */
		heartbeats();
		timeouts();
		if (dt_stage_read(&st, event))
			upstream_end();
		open_some();
		/* Whatever happened, idle runners and queued files meet. */
		dispatch();
		check_end();
	}
}
