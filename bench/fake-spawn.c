/*
 * fake-spawn: a stand-in for dt-spawn for the scale simulation
 * (bench/sim.sh).  It speaks the channel protocol on fds 0 and 1 as
 * dt-spawn does (distributest-channel(5)): hello, "starting N" after
 * "start N [CAP]", "runner-up R ID" for every runner, and for "run R PATH"
 * a "done R passed SECONDS 1 0 0 0" once the file's simulated time has
 * passed.  No process per runner: every runner is a timer of one poll
 * loop, so a thousand runners cost one process per node.
 *
 * A file named .../f<MS>_<anything> takes MS milliseconds; any other file
 * takes a hash of its path modulo 100 ms.  SIM_SCALE (a factor, default 1)
 * multiplies every time.  When SIM_STATS names a directory, the agent
 * writes SIM_STATS/NODE.stats at end of file: one line per runner,
 *
 *	runner NODE R FILES BUSY GAPS MAXGAP UP FIRST LAST
 *
 * FILES run, BUSY seconds running them, GAPS seconds between a "done" and
 * the runner's next "run" (time it sat idle while dt-feed had more files),
 * MAXGAP the longest of those, and the CLOCK_MONOTONIC times of its
 * runner-up, first run and last done.
 *
 * A "ping" is answered with one.  SIM_FREEZE="K SECONDS term|hold" makes
 * nodes n0001 to nK go silent SECONDS after they start, as a node cut off
 * by its switch: they read and write nothing more; "term" ones end on
 * SIGTERM as ssh does, "hold" ones ignore it and wait for SIGKILL (a
 * wedged process).  Either ends by itself after 60 s.
 */
#include <errno.h>
#include <signal.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"

#define MAX_RUNNERS 1024	/* as dt-spawn */

enum { R_IDLE, R_BUSY };

struct runner {
	int	 state;
	double	 started, due;		/* of the file it runs */
	double	 up, first, last;	/* runner-up, first run, last done */
	double	 busy, gaps, maxgap;
	long	 files;
	int	 heap;			/* index in the timer heap, or -1 */
};

static struct runner *runners;
static int nrunners;
static int *heap;		/* runner indices, earliest due first */
static int nheap;
static char *dir, *framework, *idprefix, *node;
static double scale = 1;
static struct dt_buf line;

static void
send_line(void)
{
	if (dt_line_send(1, &line) < 0)
		exit(0);	/* the initiator is gone, as dt-spawn */
}

static void
heap_swap(int a, int b)
{
	int t = heap[a];

	heap[a] = heap[b];
	heap[b] = t;
	runners[heap[a]].heap = a;
	runners[heap[b]].heap = b;
}

static void
heap_push(int r)
{
	int i = nheap++, p;

	heap[i] = r;
	runners[r].heap = i;
	while (i > 0 && runners[heap[p = (i - 1) / 2]].due >
	    runners[heap[i]].due) {
		heap_swap(i, p);
		i = p;
	}
}

static int
heap_pop(void)
{
	int top = heap[0], i = 0, c;

	heap_swap(0, --nheap);
	runners[top].heap = -1;
	for (;;) {
		c = 2 * i + 1;
		if (c >= nheap)
			break;
		if (c + 1 < nheap && runners[heap[c + 1]].due <
		    runners[heap[c]].due)
			c++;
		if (runners[heap[i]].due <= runners[heap[c]].due)
			break;
		heap_swap(i, c);
		i = c;
	}
	return top;
}

/* Simulated seconds of a file: f<MS>_... in its name, else a hash. */
static double
duration(const char *path)
{
	const char *base = strrchr(path, '/');
	uint32_t h = 2166136261u;
	char *end;
	long ms;

	base = base ? base + 1 : path;
	if (base[0] == 'f' && base[1] >= '0' && base[1] <= '9') {
		ms = strtol(base + 1, &end, 10);
		if (*end == '_' || *end == '.')
			return ms / 1000.0 * scale;
	}
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	return (h % 100) / 1000.0 * scale;
}

static void
finish(int i)
{
	struct runner *r = &runners[i];
	double now = dt_now();

	dt_line_begin(&line, "done");
	dt_line_fieldf(&line, "%d", i + 1);
	dt_line_field(&line, "passed");
	dt_line_fieldf(&line, "%.3f", now - r->started);
	dt_line_field(&line, "1");
	dt_line_field(&line, "0");
	dt_line_field(&line, "0");
	dt_line_field(&line, "0");
	r->state = R_IDLE;
	r->busy += now - r->started;
	r->last = now;
	r->files++;
	send_line();
}

static void
do_start(char **f, int n)
{
	const char *e;
	long long want, cap;
	char id[128];
	int i;

	if (n < 2)
		dt_die(DT_EX_DATA, "channel: start needs a count");
	want = dt_strtonum(f[1], 0, MAX_RUNNERS, &e);
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
		cap = dt_strtonum(f[2], 0, 1000000000, &e);
		if (e != NULL)
			dt_die(DT_EX_DATA, "channel: start %s %s: %s", f[1],
			    f[2], e);
		if (cap > 0 && want > cap)
			want = cap;
	}
	runners = dt_xcalloc(want, sizeof(*runners));
	heap = dt_xcalloc(want, sizeof(*heap));
	nrunners = want;
	dt_line_begin(&line, "starting");
	dt_line_fieldf(&line, "%d", nrunners);
	send_line();
	/* Adapters boot in no time here: every runner is up at once. */
	for (i = 0; i < nrunners; i++) {
		runners[i].heap = -1;
		runners[i].up = dt_now();
		snprintf(id, sizeof(id), "%s_%d", idprefix ? idprefix : "dt",
		    i + 1);
		dt_line_begin(&line, "runner-up");
		dt_line_fieldf(&line, "%d", i + 1);
		dt_line_field(&line, id);
		send_line();
	}
}

static void
do_run(char **f, int n)
{
	struct runner *r;
	const char *e;
	double now, d;
	int i;

	if (n < 3)
		dt_die(DT_EX_DATA, "channel: run needs RUNNER and PATH");
	i = dt_strtonum(f[1], 1, nrunners, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "channel: run: runner %s is %s", f[1], e);
	r = &runners[i - 1];
	if (r->state != R_IDLE)
		dt_die(DT_EX_DATA, "channel: run: runner %d is not idle", i);
	now = dt_now();
	if (r->files > 0) {
		r->gaps += now - r->last;
		if (now - r->last > r->maxgap)
			r->maxgap = now - r->last;
	} else
		r->first = now;
	r->state = R_BUSY;
	r->started = now;
	d = duration(f[2]);
	if (d <= 0) {
		finish(i - 1);
		return;
	}
	r->due = now + d;
	heap_push(i - 1);
}

static void
set(char **f, int n)
{
	char **v = NULL;

	if (n < 3)
		dt_die(DT_EX_DATA, "channel: set needs KEY and VALUE");
	if (strcmp(f[1], "dir") == 0)
		v = &dir;
	else if (strcmp(f[1], "framework") == 0)
		v = &framework;
	else if (strcmp(f[1], "id") == 0)
		v = &idprefix;
	else if (strcmp(f[1], "node") == 0)
		v = &node;
	else
		return;		/* command, isolate, args, newer keys */
	if (v == &framework && strchr(f[2], '/') != NULL)
		dt_die(DT_EX_DATA, "channel: bad framework \"%s\"", f[2]);
	free(*v);
	*v = dt_xstrdup(f[2]);
}

static void
sendkv(const char *verb, const char *k, const char *v)
{
	dt_line_begin(&line, verb);
	if (k != NULL)
		dt_line_field(&line, k);
	if (v != NULL)
		dt_line_field(&line, v);
	send_line();
}

static void
request(char *l, size_t len, unsigned long lineno)
{
	char *f[DT_FIELDS_MAX], buf[32];
	int n;

	n = dt_split(l, len, f, DT_FIELDS_MAX);
	if (n < 0)
		dt_die(DT_EX_DATA, "channel line %lu: %s", lineno,
		    dt_line_error);
	if (lineno == 1) {
		if (dt_check_hello(f, n, "distributest-channel",
		    "the initiator") < 0) {
			sendkv("error", "protocol version mismatch", NULL);
			exit(DT_EX_DATA);
		}
		return;
	}
	if (strcmp(f[0], "set") == 0)
		set(f, n);
	else if (strcmp(f[0], "run") == 0)
		do_run(f, n);
	else if (strcmp(f[0], "start") == 0)
		do_start(f, n);
	else if (strcmp(f[0], "ping") == 0)
		sendkv("ping", NULL, NULL);
	else if (strcmp(f[0], "prep") == 0) {
		if (dir == NULL)
			dt_die(DT_EX_DATA, "channel: prep before set dir");
		sendkv("prep-done", "-1", NULL);	/* no node_setup */
	} else if (strcmp(f[0], "info") == 0) {
		sendkv("info", "version", DT_VERSION);
		sendkv("info", "host", "fake-spawn");
		snprintf(buf, sizeof(buf), "%ld",
		    sysconf(_SC_NPROCESSORS_ONLN));
		sendkv("info", "cores", buf);
		sendkv("info", "via", "direct");
		sendkv("info-end", NULL, NULL);
	} else
		dt_die(DT_EX_DATA, "channel line %lu: unknown request \"%s\"",
		    lineno, f[0]);
}

static void
write_stats(void)
{
	const char *d = getenv("SIM_STATS");
	char *path;
	FILE *fp;
	int i;

	if (d == NULL || *d == '\0' || nrunners == 0)
		return;
	path = node ? dt_xasprintf("%s/%s.stats", d, node) :
	    dt_xasprintf("%s/pid%ld.stats", d, (long)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		dt_die_sys(DT_EX_SYS, "%s", path);
	for (i = 0; i < nrunners; i++) {
		struct runner *r = &runners[i];

		fprintf(fp, "runner\t%s\t%d\t%ld\t%.6f\t%.6f\t%.6f\t%.6f"
		    "\t%.6f\t%.6f\n", node ? node : "?", i + 1, r->files,
		    r->busy, r->gaps, r->maxgap, r->up, r->files ? r->first : 0,
		    r->files ? r->last : 0);
	}
	if (fclose(fp) != 0)
		dt_die_sys(DT_EX_SYS, "%s", path);
	free(path);
}

/* SIM_FREEZE's time for this node, or 0: never. */
static double freeze_at, started;
static int freeze_hold;

static void
freeze_setup(void)
{
	const char *s = getenv("SIM_FREEZE");
	char mode[8];
	double secs;
	int k;

	freeze_at = 0;
	if (s == NULL || *s == '\0' || node == NULL)
		return;
	if (sscanf(s, "%d %lf %7s", &k, &secs, mode) != 3 ||
	    (strcmp(mode, "term") != 0 && strcmp(mode, "hold") != 0))
		dt_die(DT_EX_USAGE, "SIM_FREEZE=%s: expected K SECONDS "
		    "term|hold", s);
	if (node[0] == 'n' && atoi(node + 1) >= 1 && atoi(node + 1) <= k) {
		freeze_at = started + secs;
		freeze_hold = strcmp(mode, "hold") == 0;
	}
}

static void
freeze(void)
{
	int i;

	if (freeze_hold)
		signal(SIGTERM, SIG_IGN);
	for (i = 0; i < 600; i++)
		(void)poll(NULL, 0, 100);
	exit(0);
}

int
main(int argc, char *argv[])
{
	struct dt_reader in;
	struct pollfd pfd;
	struct timespec ts, *tsp;
	const char *s;
	char *l, *end;
	size_t len;
	double now, wait;
	ssize_t got;
	int rc;

	dt_hygiene();
	dt_setprog(argv[0]);
	if (argc != 1)
		dt_usage("fake-spawn");
	if ((s = getenv("SIM_SCALE")) != NULL && *s) {
		scale = strtod(s, &end);
		if (*end != '\0' || !(scale >= 0 && scale <= 1000))
			dt_die(DT_EX_USAGE, "SIM_SCALE=%s: not a factor "
			    "from 0 to 1000", s);
	}
	dt_line_begin(&line, "hello");
	dt_line_field(&line, "distributest-channel");
	dt_line_fieldf(&line, "%d", DT_PROTOCOL);
	dt_line_field(&line, DT_VERSION);
	send_line();
	dt_rd_init(&in, 0, "channel");
	started = dt_now();

	for (;;) {
		/* Every runner whose time is up reports, earliest first. */
		now = dt_now();
		if (freeze_at == 0 && node != NULL) {
			freeze_setup();
			if (freeze_at == 0)
				freeze_at = -1;
		}
		if (freeze_at > 0 && now >= freeze_at)
			freeze();
		while (nheap > 0 && runners[heap[0]].due <= now)
			finish(heap_pop());
		tsp = NULL;
		if (nheap > 0 || freeze_at > 0) {
			wait = nheap > 0 ? runners[heap[0]].due - now : 1e9;
			if (freeze_at > 0 && freeze_at - now < wait)
				wait = freeze_at - now;
			ts.tv_sec = (time_t)wait;
			ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		pfd.fd = 0;
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, tsp, NULL) < 0) {
			if (errno == EINTR)
				continue;
			dt_die_sys(DT_EX_SYS, "poll");
		}
		if (pfd.revents == 0)
			continue;
		got = dt_rd_fill(&in);
		if (got < 0 && errno != EAGAIN && errno != EINTR)
			break;
		while ((rc = dt_rd_line(&in, &l, &len)) > 0)
			request(l, len, in.lineno);
		if (rc < 0)
			dt_die(DT_EX_DATA, "channel line %lu: %s", in.lineno,
			    dt_line_error);
		if (in.eof)
			break;
	}
	/* End of file: dt-spawn kills its runners; ours are timers. */
	write_stats();
	dt_rd_free(&in);
	return 0;
}
