/*
 * dt-timeline: draw a run from its log, as one self-contained HTML page:
 * a row per runner, a bar per file or part coloured by its outcome, the
 * setup of nodes and runners before their first file, the nodes and
 * runners lost, and the lower bound of the run, so that a glance shows
 * why the run took as long as it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-timeline [-o output] [-w width] [log ...]"

#define LABEL_W	150	/* the column of runner names */
#define RIGHT_W	80	/* room for the label of the end */
#define TOP_H	44	/* the labels of the bound, the end and the axis */
#define ROW_H	20
#define BAR_Y	3
#define BAR_H	14
#define DAY	86400.0

enum { O_PASSED, O_FAILED, O_ERROR, O_RETRIED, O_TIMEOUT, O_LOST,
    O_REQUEUED, O_UNFINISHED, O_N };
static const struct look {
	const char	*name, *word, *label, *colour;
} outcomes[O_N] = {
	{ "passed", "passed", "passed", "#2f9e44" },
	{ "failed", "failed", "failed", "#e03131" },
	{ "error", "error", "error", "#a61e4d" },
	{ "retried", "retried", "did not pass: run again", "#f783ac" },
	{ "timeout", "timed out", "timed out, killed", "#f76707" },
	{ "lost", "lost", "lost: not run again", "#212529" },
	{ "requeued", "requeued", "its runner was lost: run again",
	    "#9775fa" },
	{ "unfinished", "unfinished", "running when the log ends",
	    "#adb5bd" },
};
enum { P_COPY, P_PREP, P_BOOT, P_RESTART, P_N };
static const struct look phases[P_N] = {
	{ "copy", "copy", "copy to the node", "#a5d8ff" },
	{ "node_setup", "node_setup", "node_setup", "#4dabf7" },
	{ "boot", "runner_setup and boot", "runner_setup and the "
	    "framework's boot", "#ffd43b" },
	{ "restart", "a new worker", "a new worker for one lost",
	    "#ffa94d" },
};

struct node {
	char	*name;
	double	 at, synced, ready, down;	/* into the run, or -1 */
	double	 sync_secs, ready_secs;
	char	*down_why;
	size_t	*rows;		/* by R: index + 1 in rows[], or 0 */
	size_t	 nr;		/* the length of rows[] */
};
struct row {
	size_t	 node;
	int	 r;
	int	 up;		/* came up at least once */
	double	 up_at;		/* the first time */
	double	 boot;		/* since when it boots, or -1 */
	size_t	 bar;		/* its running bar: index + 1, or 0 */
	size_t	 y;		/* its place on the page */
};
struct bar {
	size_t	 row;
	double	 start, end;
	double	 secs;		/* as its done line measured them, or -1 */
	char	*path, *part, *why;
	int	 outcome;
	int	 retried;	/* a retry line came for it */
};
struct span {			/* a phase of setup, or a runner lost */
	size_t	 row;
	double	 start, end;
	int	 phase;		/* -1: a runner-down mark */
	char	*why;
};

/* One run, read from one log. */
static struct node *nodes;
static struct row *rows;
static struct bar *bars;
static struct span *spans;
static size_t nnodes, nrows, nbars, nspans, capnodes, caprows, capbars,
    capspans;
static size_t *last;		/* hash of path and part: bar index + 1 */
static size_t nlast;
static char *project, *end_reason;
static long listed, exit_status, lost_unrun, lost_files;
static double now, origin, latest;
static int days, started;
static double val[DT_EV_NUMFIELDS];
static char *f[DT_FIELDS_MAX];

static void *
grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 64;
	return dt_xrealloc(v, *cap, size);
}

/* "HH:MM:SS.mmm" into seconds since midnight, or -1. */
static double
stamp_secs(const char *s)
{
	int i, h, m, sec, ms;

	for (i = 0; i < 12; i++)
		if (i == 2 || i == 5 ? s[i] != ':' : i == 8 ? s[i] != '.' :
		    s[i] < '0' || s[i] > '9')
			return -1;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	sec = (s[6] - '0') * 10 + s[7] - '0';
	ms = (s[9] - '0') * 100 + (s[10] - '0') * 10 + s[11] - '0';
	if (h > 23 || m > 59 || sec > 60)
		return -1;
	return h * 3600 + m * 60 + sec + ms / 1000.0;
}

/*
 * The log stamps each line with the local time of day it was read: a
 * run that goes past midnight wraps, and a clock set back a little must
 * not make the run go backwards.
 */
static double
run_time(double of_day)
{
	double t = of_day + days * DAY;

	if (!started) {
		started = 1;
		origin = latest = t;
	}
	if (t < latest - DAY / 2) {
		days++;
		t += DAY;
	}
	if (t < latest)
		t = latest;
	latest = t;
	return t - origin;
}

static size_t
node_get(const char *name)
{
	size_t i;

	for (i = nnodes; i-- > 0;)
		if (strcmp(nodes[i].name, name) == 0)
			return i;
	nodes = grow(nodes, nnodes, &capnodes, sizeof(*nodes));
	memset(&nodes[nnodes], 0, sizeof(*nodes));
	nodes[nnodes].name = dt_xstrdup(name);
	nodes[nnodes].at = now;
	nodes[nnodes].synced = nodes[nnodes].ready = -1;
	nodes[nnodes].down = -1;
	return nnodes++;
}

/* Not &nodes[node_get(name)]: node_get may move nodes. */
static struct node *
node_of(const char *name)
{
	size_t i = node_get(name);

	return &nodes[i];
}

static struct row *
row_get(const char *node, int r)
{
	struct node *n = node_of(node);
	struct row *w;

	if ((size_t)r >= n->nr) {
		n->rows = dt_xrealloc(n->rows, r + 1, sizeof(*n->rows));
		memset(n->rows + n->nr, 0, (r + 1 - n->nr) * sizeof(*n->rows));
		n->nr = r + 1;
	}
	if (n->rows[r] != 0)
		return &rows[n->rows[r] - 1];
	rows = grow(rows, nrows, &caprows, sizeof(*rows));
	w = &rows[nrows];
	memset(w, 0, sizeof(*w));
	w->node = n - nodes;
	w->r = r;
	w->boot = -1;
	n->rows[r] = ++nrows;
	return w;
}

static size_t
hash(const char *path, const char *part)
{
	size_t h = 2166136261u;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	for (h ^= '/'; part && *part; part++)
		h = (h ^ (unsigned char)*part) * 16777619u;
	return h;
}

static int
same(const struct bar *b, const char *path, const char *part)
{
	return strcmp(b->path, path) == 0 && (b->part == NULL ? part == NULL :
	    part != NULL && strcmp(b->part, part) == 0);
}

/* The slot of path and part in last[]: theirs, or the empty one. */
static size_t *
last_slot(const char *path, const char *part)
{
	size_t i = hash(path, part) & (nlast - 1);

	while (last[i] != 0 && !same(&bars[last[i] - 1], path, part))
		i = (i + 1) & (nlast - 1);
	return &last[i];
}

static void
last_put(size_t b)
{
	size_t i, *old = last, nold = nlast;

	if (nbars * 2 >= nlast) {
		nlast = nlast ? nlast * 2 : 1024;
		last = dt_xcalloc(nlast, sizeof(*last));
		for (i = 0; i < nold; i++)
			if (old[i] != 0)
				*last_slot(bars[old[i] - 1].path,
				    bars[old[i] - 1].part) = old[i];
		free(old);
	}
	*last_slot(bars[b].path, bars[b].part) = b + 1;
}

static struct bar *
bar_new(struct row *w, const char *path, const char *part, double start)
{
	struct bar *b;

	bars = grow(bars, nbars, &capbars, sizeof(*bars));
	b = &bars[nbars];
	memset(b, 0, sizeof(*b));
	b->row = w - rows;
	b->start = b->end = start;
	b->secs = -1;
	b->path = dt_xstrdup(path);
	b->part = part != NULL ? dt_xstrdup(part) : NULL;
	b->outcome = O_UNFINISHED;
	last_put(nbars);
	w->bar = ++nbars;
	return b;
}

/* The runner's bar ends now, as what; why may be NULL. */
static void
bar_end(struct row *w, int outcome, const char *why)
{
	struct bar *b;

	if (w->bar == 0)
		return;
	b = &bars[w->bar - 1];
	b->end = now;
	b->outcome = outcome;
	if (why != NULL) {
		free(b->why);
		b->why = dt_xstrdup(why);
	}
	w->bar = 0;
}

static void
span_add(struct row *w, double start, int phase, const char *why)
{
	struct span *s;

	spans = grow(spans, nspans, &capspans, sizeof(*spans));
	s = &spans[nspans++];
	s->row = w - rows;
	s->start = start;
	s->end = now;
	s->phase = phase;
	s->why = why != NULL ? dt_xstrdup(why) : NULL;
}

static const char *
part_field(int k, int i)
{
	return k > i && *f[i] != '\0' ? f[i] : NULL;
}

static noreturn void
bad(const char *name, unsigned long n, const char *why)
{
	dt_die(DT_EX_DATA, "%s line %lu: %s", name, n, why);
}

static void
ev_set(int k)
{
	(void)k;
	if (strcmp(f[1], "project") == 0) {
		free(project);
		project = dt_xstrdup(f[2]);
	}
}

static void
ev_node(int k)
{
	(void)k;
	node_get(f[1]);
}

static void
ev_tests_end(int k)
{
	(void)k;
	listed = (long)val[1];
}

static void
ev_synced(int k)
{
	struct node *n = node_of(f[1]);

	(void)k;
	n->synced = now;
	n->sync_secs = val[2];
}

static void
ev_ready(int k)
{
	struct node *n = node_of(f[1]);

	(void)k;
	n->ready = now;
	n->ready_secs = val[2];
}

/* A node lost: what its runners were doing ends with it. */
static void
ev_node_down(int k)
{
	struct node *n = node_of(f[1]);
	struct row *w;
	size_t r;

	(void)k;
	if (n->down >= 0)
		return;
	n->down = now;
	n->down_why = dt_xasprintf("%s: %s", f[2], f[3]);
	for (r = 0; r < n->nr; r++) {
		if (n->rows[r] == 0)
			continue;
		w = &rows[n->rows[r] - 1];
		bar_end(w, O_REQUEUED, n->down_why);
		if (w->boot >= 0)
			span_add(w, w->boot, w->up ? P_RESTART : P_BOOT,
			    n->down_why);
		w->boot = -1;
	}
}

static void
ev_runner_up(int k)
{
	struct row *w = row_get(f[1], (int)val[2]);
	struct node *n = &nodes[w->node];

	(void)k;
	if (!w->up)
		span_add(w, n->ready >= 0 ? n->ready : n->synced >= 0 ?
		    n->synced : n->at, P_BOOT, NULL);
	else if (w->boot >= 0)
		span_add(w, w->boot, P_RESTART, NULL);
	if (!w->up)
		w->up_at = now;
	w->up = 1;
	w->boot = -1;
}

static void
ev_runner_down(int k)
{
	struct row *w = row_get(f[1], (int)val[2]);

	bar_end(w, O_REQUEUED, f[3]);
	span_add(w, now, -1, f[3]);
	w->boot = k > 4 && strcmp(f[4], "replacing") == 0 ? now : -1;
}

static void
ev_assign(int k)
{
	struct row *w = row_get(f[1], (int)val[2]);

	bar_end(w, O_UNFINISHED, NULL);
	bar_new(w, f[3], part_field(k, 4), now);
}

static void
ev_done(int k)
{
	struct row *w = row_get(f[1], (int)val[2]);
	const char *part = part_field(k, 10);
	int o = strcmp(f[4], "passed") == 0 ? O_PASSED :
	    strcmp(f[4], "failed") == 0 ? O_FAILED : O_ERROR;

	/* A log made by hand may have a done line with no assign. */
	if (w->bar == 0 || !same(&bars[w->bar - 1], f[3], part)) {
		bar_end(w, O_UNFINISHED, NULL);
		bar_new(w, f[3], part, now > val[5] ? now - val[5] : 0);
	}
	bars[w->bar - 1].secs = val[5];
	bar_end(w, o != O_PASSED && bars[w->bar - 1].retried ? O_RETRIED : o,
	    NULL);
}

/*
 * "retry NODE R PATH TRY [K/M]": the try about to be done runs again.
 * Taken by its name, as a verb newer than some tables of verbs.
 */
static void
ev_retry(int k, const char *name, unsigned long n)
{
	const char *e;
	long long r = dt_strtonum(f[2], 1, DT_RUNNERS_MAX, &e);
	struct row *w;
	struct bar *b;

	if (k < 5 || e != NULL)
		bad(name, n, "retry: expected NODE, R from 1 to 1024, PATH "
		    "and TRY");
	w = row_get(f[1], (int)r);
	b = w->bar ? &bars[w->bar - 1] : NULL;
	if (b != NULL && same(b, f[3], part_field(k, 5))) {
		b->retried = 1;
		free(b->why);
		b->why = dt_xasprintf("run again, as try %s", f[4]);
	}
}

static void
ev_requeue(int k)
{
	(void)k;
	bar_end(row_get(f[1], (int)val[2]), O_REQUEUED, f[4]);
}

static void
ev_timeout(int k)
{
	char *why = dt_xasprintf("timed out after %s s", f[4]);

	(void)k;
	bar_end(row_get(f[1], (int)val[2]), O_TIMEOUT, why);
	free(why);
}

/* The file's last bar, if its runner was lost, shows that it was the last. */
static void
ev_lost(int k)
{
	const char *part = part_field(k, 3);
	struct bar *b;
	size_t i;

	lost_files++;
	i = nlast ? *last_slot(f[1], part) : 0;
	if (i == 0) {
		lost_unrun++;
		return;
	}
	b = &bars[i - 1];
	if (b->outcome == O_UNFINISHED && rows[b->row].bar == i)
		bar_end(&rows[b->row], O_LOST, NULL);
	if (b->outcome == O_REQUEUED || b->outcome == O_UNFINISHED) {
		b->outcome = O_LOST;
		free(b->why);
		b->why = dt_xasprintf("lost: %s", f[2]);
	}
}

static void
ev_end(int k)
{
	(void)k;
	free(end_reason);
	end_reason = dt_xstrdup(f[1]);
}

static void (*const handlers[DT_EV_MAX])(int) = {
	[DT_EV_SET] = ev_set,
	[DT_EV_NODE] = ev_node,
	[DT_EV_TESTS_END] = ev_tests_end,
	[DT_EV_SYNCED] = ev_synced,
	[DT_EV_READY] = ev_ready,
	[DT_EV_NODE_DOWN] = ev_node_down,
	[DT_EV_RUNNER_UP] = ev_runner_up,
	[DT_EV_RUNNER_DOWN] = ev_runner_down,
	[DT_EV_ASSIGN] = ev_assign,
	[DT_EV_DONE] = ev_done,
	[DT_EV_REQUEUE] = ev_requeue,
	[DT_EV_TIMEOUT] = ev_timeout,
	[DT_EV_LOST] = ev_lost,
	[DT_EV_END] = ev_end,
};


/*
 * A line of the log: "HH:MM:SS.mmm NODE<tab>EVENT", NODE "-" for the
 * events of no node, or the last, "exit N".
 */
static void
log_line(char *s, size_t len, const char *name, unsigned long n)
{
	const char *e;
	char *ev, *why;
	double t;
	int k, v;

	if (exit_status >= 0)
		bad(name, n, "a line after the \"exit\" line");
	if (strncmp(s, "exit ", 5) == 0) {
		exit_status = dt_strtonum(s + 5, 0, 255, &e);
		if (e != NULL)
			bad(name, n, "exit: not a status from 0 to 255");
		return;
	}
	if (len < 14 || (t = stamp_secs(s)) < 0 || s[12] != ' ' ||
	    (ev = memchr(s + 13, '\t', len - 13)) == NULL)
		bad(name, n, "not a line of a log (expected \"HH:MM:SS.mmm "
		    "NODE<tab>EVENT\")");
	len -= ++ev - s;
	if (len > DT_LINE_MAX)
		bad(name, n, "line too long");
	if ((k = dt_split(ev, len, f, DT_FIELDS_MAX)) < 0)
		bad(name, n, dt_line_error);
	if (!started && (why = dt_hello_mismatch(f, k, "distributest-events",
	    "the log")) != NULL)
		bad(name, n, why);
	v = dt_verb(dt_events, DT_EV_MAX, f, k);
	if (v == -2) {
		why = dt_xasprintf("\"%s\" needs %d fields, has %d", f[0],
		    dt_verb_fields(dt_events, DT_EV_MAX, f[0]), k);
		bad(name, n, why);
	}
	if (v >= 0 && (why = dt_event_numbers(v, f, k, val)) != NULL)
		bad(name, n, why);
	now = run_time(t);
	if (strcmp(f[0], "retry") == 0)
		ev_retry(k, name, n);
	else if (v >= 0 && handlers[v] != NULL)
		handlers[v](k);
}

static void
run_reset(void)
{
	size_t i;

	for (i = 0; i < nnodes; i++) {
		free(nodes[i].name);
		free(nodes[i].down_why);
		free(nodes[i].rows);
	}
	for (i = 0; i < nbars; i++) {
		free(bars[i].path);
		free(bars[i].part);
		free(bars[i].why);
	}
	for (i = 0; i < nspans; i++)
		free(spans[i].why);
	free(last);
	free(project);
	free(end_reason);
	last = NULL;
	project = end_reason = NULL;
	nnodes = nrows = nbars = nspans = nlast = 0;
	listed = exit_status = -1;
	lost_unrun = lost_files = 0;
	now = origin = latest = 0;
	days = started = 0;
}

static void
read_log(FILE *in, const char *name)
{
	char *s = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0;
	size_t i;

	run_reset();
	while ((len = getline(&s, &cap, in)) > 0) {
		n++;
		if (s[len - 1] == '\n')
			s[--len] = '\0';
		if (memchr(s, '\0', len) != NULL)
			bad(name, n, "NUL byte in line");
		log_line(s, len, name, n);
	}
	if (ferror(in))
		dt_die_sys(DT_EX_SYS, "%s", name);
	free(s);
	if (!started)
		dt_die(DT_EX_DATA, "%s: no events: not a log of a run", name);
	for (i = 0; i < nrows; i++) {
		bar_end(&rows[i], O_UNFINISHED, NULL);
		if (rows[i].boot >= 0)
			span_add(&rows[i], rows[i].boot, rows[i].up ?
			    P_RESTART : P_BOOT, NULL);
	}
}

/*
 * Text for HTML and XML alike, as UTF-8: markup escaped, a control
 * character shown as its picture (U+2400 on), a byte that is not part
 * of a UTF-8 character as U+FFFD, since paths are bytes.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;	/* no surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;	/* none past U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	/* U+FFFE and U+FFFF are not characters XML takes. */
	if (n == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
		return 0;
	return n;
}

static void
put_text(FILE *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if (*p >= 0x80) {
			if ((n = utf8_len(p)) == 0)
				fputs("\xef\xbf\xbd", o);
			else
				fwrite(p, 1, n, o);
			p += n ? n : 1;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default:
			if (*p < 0x20)
				fprintf(o, "\xe2\x90%c", 0x80 + *p);
			else if (*p == 0x7f)
				fputs("\xe2\x90\xa1", o);
			else
				putc(*p, o);
		}
		p++;
	}
}

/* A step of 1, 2 or 5 times a power of ten, for about eight ticks. */
static double
tick_step(double span, int *decimals)
{
	double raw = span / 8, mag = 1;

	*decimals = 0;
	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw && mag > 0.001) {
		mag /= 10;
		(*decimals)++;
	}
	if (mag * 5 < raw) {
		mag *= 10;
		if (*decimals > 0)
			(*decimals)--;
	} else if (mag * 2 < raw)
		mag *= 5;
	else if (mag < raw)
		mag *= 2;
	return mag;
}

struct bound {
	double	 secs, setup, work;
	int	 longest;	/* the longest file or part, not the share */
	int	 part;		/* that is a part */
};

/*
 * As dt-collect puts it: no order of the files ends the run before its
 * longest file or part, run by the runner up first, nor before the work
 * shared evenly by the runners that came up, each from its setup on.
 */
static int
lower_bound(struct bound *lb)
{
	double sum_up = 0, min_up = -1, longest = -1, share;
	size_t i;
	int nup = 0, part = 0;

	lb->work = 0;
	for (i = 0; i < nrows; i++)
		if (rows[i].up) {
			nup++;
			sum_up += rows[i].up_at;
			if (min_up < 0 || rows[i].up_at < min_up)
				min_up = rows[i].up_at;
		}
	for (i = 0; i < nbars; i++)
		if (bars[i].secs >= 0) {
			lb->work += bars[i].secs;
			if (bars[i].secs > longest) {
				longest = bars[i].secs;
				part = bars[i].part != NULL;
			}
		}
	if (nup == 0 || longest < 0 || lb->work < 0.01)
		return 0;
	share = lb->work / nup + sum_up / nup;
	lb->longest = longest + min_up > share;
	lb->part = part;
	lb->secs = lb->longest ? longest + min_up : share;
	lb->setup = lb->longest ? min_up : sum_up / nup;
	return 1;
}

/* The page: a row per runner, or one for a node that had none. */
struct line {
	size_t	 node;
	size_t	 row;		/* index + 1 in rows[], or 0 */
};
static struct line *lines;
static size_t nlines;
static double span_secs, plot_w;

static void
lay_out(void)
{
	size_t i, r, y = 0;

	free(lines);
	lines = dt_xcalloc(nrows + nnodes + 1, sizeof(*lines));
	for (i = 0; i < nnodes; i++) {
		for (r = 0; r < nodes[i].nr; r++)
			if (nodes[i].rows[r] != 0) {
				rows[nodes[i].rows[r] - 1].y = y;
				lines[y].node = i;
				lines[y++].row = nodes[i].rows[r];
			}
		if (y == 0 || lines[y - 1].node != i) {
			lines[y].node = i;
			lines[y++].row = 0;
		}
	}
	nlines = y;
}

static double
x_of(double t)
{
	return LABEL_W + t / span_secs * plot_w;
}

static int
cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	size_t yx = rows[x->row].y, yy = rows[y->row].y;

	if (yx != yy)
		return yx < yy ? -1 : 1;
	/* What did not pass is drawn last, over bars too thin to tell. */
	if ((x->outcome == O_PASSED) != (y->outcome == O_PASSED))
		return x->outcome == O_PASSED ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	size_t yx = rows[x->row].y, yy = rows[y->row].y;

	if (yx != yy)
		return yx < yy ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void
put_phase(FILE *o, const struct node *n, int r, int phase, double start,
    double end, double secs, const char *why)
{
	double w = x_of(end) - x_of(start);

	fprintf(o, "<rect class=\"phase p-%s\" x=\"%.1f\" y=\"%d\" "
	    "width=\"%.1f\" height=\"%d\" data-phase=\"%s\"><title>",
	    phases[phase].name, x_of(start), BAR_Y + 3, w < 1 ? 1 : w,
	    BAR_H - 6, phases[phase].name);
	fprintf(o, "%s on ", phases[phase].word);
	put_text(o, n->name);
	if (r > 0)
		fprintf(o, "/%d", r);
	fprintf(o, ": %.3f s (%.3f s to %.3f s into the run)", secs >= 0 ?
	    secs : end - start, start, end);
	if (why != NULL) {
		fputs("\nlost: ", o);
		put_text(o, why);
	}
	fputs("</title></rect>\n", o);
}

/* The copy and node_setup of a node, on each of its rows. */
static void
put_node_phases(FILE *o, const struct node *n)
{
	double copy_end = n->synced >= 0 ? n->synced : n->down >= 0 ?
	    n->down : now;
	double prep_end = n->ready >= 0 ? n->ready : n->down >= 0 ?
	    n->down : now;

	put_phase(o, n, 0, P_COPY, n->at, copy_end, n->synced >= 0 ?
	    n->sync_secs : -1, n->synced < 0 ? n->down_why : NULL);
	if (n->synced >= 0)
		put_phase(o, n, 0, P_PREP, n->synced, prep_end, n->ready >= 0 ?
		    n->ready_secs : -1, n->ready < 0 ? n->down_why : NULL);
}

/* The name of a bar inside it, when it is wide enough: its last chars. */
static void
put_name(FILE *o, const struct bar *b, double x, double width)
{
	const char *base = strrchr(b->path, '/');
	char *s = dt_xasprintf("%s%s%s", base ? base + 1 : b->path,
	    b->part ? " " : "", b->part ? b->part : "");
	size_t n = strlen(s), fit = (size_t)((width - 6) / 6.7), chars = 0;
	char *p;

	for (p = s; *p != '\0'; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (fit >= 4) {
		fit = chars > fit ? fit - 1 : chars;
		for (p = s; chars > fit && p < s + n; p++)
			chars -= ((unsigned char)*p & 0xc0) != 0x80;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
		fprintf(o, "<text class=\"in\" x=\"%.1f\" y=\"%d\">%s", x + 3,
		    BAR_Y + BAR_H - 3, p > s ? "\xe2\x80\xa6" : "");
		put_text(o, p);
		fputs("</text>\n", o);
	}
	free(s);
}

static void
put_bar(FILE *o, const struct bar *b)
{
	const struct row *w = &rows[b->row];
	double width = x_of(b->end) - x_of(b->start);

	fprintf(o, "<rect class=\"bar o-%s\" x=\"%.1f\" y=\"%d\" "
	    "width=\"%.1f\" height=\"%d\" data-path=\"",
	    outcomes[b->outcome].name, x_of(b->start), BAR_Y,
	    width < 1 ? 1 : width, BAR_H);
	put_text(o, b->path);
	if (b->part != NULL) {
		fputs("\" data-part=\"", o);
		put_text(o, b->part);
	}
	fprintf(o, "\" data-outcome=\"%s\" data-seconds=\"%.3f\"><title>",
	    outcomes[b->outcome].name, b->secs >= 0 ? b->secs :
	    b->end - b->start);
	put_text(o, b->path);
	if (b->part != NULL) {
		fputs(" [part ", o);
		put_text(o, b->part);
		fputc(']', o);
	}
	fprintf(o, "\n%s, %.3f s, on ", outcomes[b->outcome].word,
	    b->secs >= 0 ? b->secs : b->end - b->start);
	put_text(o, nodes[w->node].name);
	fprintf(o, "/%d (%.3f s to %.3f s into the run)", w->r, b->start,
	    b->end);
	if (b->why != NULL) {
		fputc('\n', o);
		put_text(o, b->why);
	}
	fputs("</title></rect>\n", o);
	put_name(o, b, x_of(b->start), width);
}

static void
put_cross(FILE *o, double t, const char *what, const char *name, int r,
    const char *why)
{
	double x = x_of(t);

	fprintf(o, "<g class=\"down\" data-down=\"%s\"><title>%s ", what,
	    what);
	put_text(o, name);
	if (r > 0)
		fprintf(o, "/%d", r);
	fprintf(o, " lost at %.3f s: ", t);
	put_text(o, why ? why : "");
	fprintf(o, "</title><path d=\"M%.1f %d l8 %d m0 -%d l-8 %d\"/>"
	    "</g>\n", x - 4, BAR_Y, BAR_H, BAR_H, BAR_H);
}

/* One row: its label, the setup, the bars, the runners lost. */
static void
put_row(FILE *o, size_t y, const struct bar **b, const struct span **s)
{
	const struct node *n = &nodes[lines[y].node];
	const struct row *w = lines[y].row ? &rows[lines[y].row - 1] : NULL;
	const struct span *first = *s;

	fprintf(o, "<g class=\"row%s\" data-node=\"", y % 2 ? " odd" : "");
	put_text(o, n->name);
	fprintf(o, "\" data-runner=\"%d\" transform=\"translate(0,%zu)\">\n"
	    "<rect class=\"stripe\" x=\"0\" y=\"0\" width=\"%.0f\" "
	    "height=\"%d\"/>\n<text class=\"label%s\" x=\"%d\" y=\"%d\">",
	    w ? w->r : 0, TOP_H + y * ROW_H, LABEL_W + plot_w + RIGHT_W,
	    ROW_H, n->down >= 0 ? " lost" : "", LABEL_W - 6, BAR_Y + BAR_H - 3);
	put_text(o, n->name);
	if (w != NULL)
		fprintf(o, "/%d", w->r);
	fputs("</text>\n", o);
	put_node_phases(o, n);
	for (; *s < spans + nspans && rows[(*s)->row].y == y && w; (*s)++)
		if ((*s)->phase >= 0)
			put_phase(o, n, w->r, (*s)->phase, (*s)->start, (*s)->end,
			    -1, (*s)->why);
	for (; *b < bars + nbars && rows[(*b)->row].y == y && w; (*b)++)
		put_bar(o, *b);
	for (; first < *s; first++)
		if (first->phase < 0)
			put_cross(o, first->start, "runner", n->name, w->r,
			    first->why);
	if (n->down >= 0 && (w == NULL || y + 1 == nlines ||
	    lines[y + 1].node != lines[y].node))
		put_cross(o, n->down, "node", n->name, 0, n->down_why);
	fputs("</g>\n", o);
}

/* The axis in seconds, with a line down the page at each tick. */
static void
put_axis(FILE *o, double height)
{
	int dec;
	double step = tick_step(span_secs, &dec), t;
	long i;

	fputs("<g class=\"axis\">\n", o);
	for (i = 0; (t = i * step) <= span_secs * 1.0001; i++)
		fprintf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" "
		    "y2=\"%.0f\"/><text x=\"%.1f\" y=\"%d\">%.*fs</text>\n",
		    x_of(t), x_of(t), TOP_H - 4, height, x_of(t), TOP_H - 8,
		    dec, t);
	fputs("</g>\n", o);
}

static void
put_bound(FILE *o, const struct bound *lb, double height)
{
	fprintf(o, "<g class=\"end\" data-seconds=\"%.3f\"><title>the run "
	    "ended at %.3f s</title><line x1=\"%.1f\" x2=\"%.1f\" y1=\"4\" "
	    "y2=\"%.0f\"/><text x=\"%.1f\" y=\"14\">end %.2fs</text></g>\n",
	    now, now, x_of(now), x_of(now), height, x_of(now) + 3, now);
	if (lb == NULL)
		return;
	fprintf(o, "<g class=\"bound\" data-seconds=\"%.3f\"><title>lower "
	    "bound %.3f s: %s, after %.3f s of setup%s</title><line "
	    "x1=\"%.1f\" x2=\"%.1f\" y1=\"4\" y2=\"%.0f\"/><text x=\"%.1f\" "
	    "y=\"14\">lower bound %.2fs</text></g>\n", lb->secs, lb->secs,
	    !lb->longest ? "the work shared evenly" : lb->part ?
	    "the longest part of a file" : "the longest file", lb->setup,
	    lb->longest ? "" : " on average", x_of(lb->secs), x_of(lb->secs),
	    height, x_of(lb->secs) - 3, lb->secs);
}

static void
put_svg(FILE *o, const struct bound *lb)
{
	const struct bar *b = bars;
	const struct span *s = spans;
	double height;
	size_t y;

	lay_out();
	if (nbars > 1)
		qsort(bars, nbars, sizeof(*bars), cmp_bar);
	if (nspans > 1)
		qsort(spans, nspans, sizeof(*spans), cmp_span);
	span_secs = now;
	if (lb != NULL && lb->secs > span_secs)
		span_secs = lb->secs;
	if (span_secs < 0.001)
		span_secs = 0.001;
	height = TOP_H + nlines * ROW_H + 4;
	fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" data-wall=\"%.3f\">\n",
	    LABEL_W + plot_w + RIGHT_W, height, LABEL_W + plot_w + RIGHT_W,
	    height, now);
	put_axis(o, height);
	for (y = 0; y < nlines; y++)
		put_row(o, y, &b, &s);
	put_bound(o, lb, height);
	fputs("</svg>\n", o);
}

static void
put_summary(FILE *o, const char *name, const struct bound *lb)
{
	long count[O_N] = { 0 };
	size_t i;
	int nup = 0, shown = 0;

	for (i = 0; i < nbars; i++)
		count[bars[i].outcome]++;
	for (i = 0; i < nrows; i++)
		nup += rows[i].up;
	fputs("<h2>", o);
	put_text(o, project != NULL ? project : name);
	fputs("</h2>\n<p class=\"source\">log: ", o);
	put_text(o, name);
	fputs("</p>\n<p class=\"summary\">", o);
	if (listed >= 0)
		fprintf(o, "%ld file%s listed; ", listed, listed == 1 ? "" : "s");
	fprintf(o, "%zu bar%s: ", nbars, nbars == 1 ? "" : "s");
	for (i = 0; i < O_N; i++)
		if (count[i] > 0)
			fprintf(o, "%s%ld %s", shown++ ? ", " : "", count[i],
			    outcomes[i].word);
	fputs(shown ? "" : "none", o);
	if (lost_files > 0)
		fprintf(o, "; %ld file%s or part%s lost", lost_files,
		    lost_files == 1 ? "" : "s", lost_files == 1 ? "" : "s");
	if (lost_unrun > 0)
		fprintf(o, ", %ld of them before %s ran", lost_unrun,
		    lost_unrun == 1 ? "it" : "they");
	fprintf(o, ".<br/>\n%.2fs on %d runner%s of %zu node%s", now, nup,
	    nup == 1 ? "" : "s", nnodes, nnodes == 1 ? "" : "s");
	if (lb != NULL)
		fprintf(o, "; lower bound %.2fs (%s, after %.2fs of setup%s): "
		    "this run took %.2fx that", lb->secs, !lb->longest ?
		    "the work shared evenly" : lb->part ?
		    "the longest part of a file" : "the longest file",
		    lb->setup, lb->longest ? "" : " on average", now / lb->secs);
	fputs(end_reason == NULL ? "; the log has no end" : "; end: ", o);
	put_text(o, end_reason ? end_reason : "");
	if (exit_status >= 0)
		fprintf(o, ", exit %ld", exit_status);
	fputs(".</p>\n", o);
}

static void
put_run(FILE *o, const char *name)
{
	struct bound lb;
	int have = lower_bound(&lb);

	fputs("<section class=\"run\">\n", o);
	put_summary(o, name, have ? &lb : NULL);
	fputs("<div class=\"plot\">\n", o);
	put_svg(o, have ? &lb : NULL);
	fputs("</div>\n</section>\n", o);
}

static void
put_style(FILE *o)
{
	size_t i;

	fputs("<style>\n"
	    "body{font:14px sans-serif;margin:1em;color:#212529}\n"
	    "h2{font-size:1.2em;margin:1em 0 .2em}\n"
	    "p{margin:.2em 0}\n"
	    ".source{color:#868e96}\n"
	    ".plot{overflow:auto;border:1px solid #dee2e6;margin:.5em 0}\n"
	    "svg text{font:11px monospace;fill:#495057}\n"
	    ".label{text-anchor:end}\n.label.lost{fill:#e03131}\n"
	    ".stripe{fill:none}\n.odd .stripe{fill:#e9ecef;fill-opacity:.5}\n"
	    ".axis line{stroke:#dee2e6}\n.axis text{text-anchor:middle}\n"
	    ".bar{stroke:#fff;stroke-width:.3}\n"
	    "svg text.in{fill:#fff;pointer-events:none}\n"
	    ".down path{stroke:#e03131;stroke-width:2.5;fill:none}\n"
	    ".end line{stroke:#495057}\n"
	    ".bound line{stroke:#1c7ed6;stroke-width:2;stroke-dasharray:6 3}\n"
	    ".bound text{fill:#1c7ed6;text-anchor:end;font-weight:bold}\n"
	    ".legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;"
	    "gap:.4em 1.4em}\n"
	    ".sw{display:inline-block;width:1.6em;height:.9em;"
	    "vertical-align:middle;margin-right:.4em}\n", o);
	for (i = 0; i < O_N; i++)
		fprintf(o, ".o-%s{fill:%s;background:%s}\n", outcomes[i].name,
		    outcomes[i].colour, outcomes[i].colour);
	for (i = 0; i < P_N; i++)
		fprintf(o, ".p-%s{fill:%s;background:%s}\n", phases[i].name,
		    phases[i].colour, phases[i].colour);
	fputs("</style>\n", o);
}

static void
put_legend(FILE *o)
{
	size_t i;

	fputs("<ul class=\"legend\">\n", o);
	for (i = 0; i < O_N; i++)
		fprintf(o, "<li><span class=\"sw o-%s\"></span>%s</li>\n",
		    outcomes[i].name, outcomes[i].label);
	for (i = 0; i < P_N; i++)
		fprintf(o, "<li><span class=\"sw p-%s\"></span>%s</li>\n",
		    phases[i].name, phases[i].label);
	fputs("<li><span class=\"sw\" style=\"border-left:3px dashed "
	    "#1c7ed6;width:0\"></span>the run's lower bound</li>\n"
	    "<li><span class=\"sw\" style=\"color:#e03131\">\xe2\x9c\x95"
	    "</span>a node or runner lost</li>\n"
	    "<li>a gap in a row: an idle runner</li>\n</ul>\n", o);
}

static void
put_head(FILE *o)
{
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
	    "lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	    "<title>distributest timeline</title>\n", o);
	put_style(o);
	fputs("</head>\n<body>\n<h1>distributest timeline</h1>\n", o);
}

/* Every log is there, or nothing is written. */
static FILE **
open_logs(char **names, int n)
{
	FILE **ins = dt_xcalloc(n, sizeof(*ins));
	int i;

	for (i = 0; i < n; i++)
		if ((ins[i] = fopen(names[i], "re")) == NULL)
			dt_die_sys(DT_EX_USAGE, "%s", names[i]);
	return ins;
}

/* The output is whole or not there: made aside, then renamed. */
static char *tmp;

static void
remove_tmp(void)
{
	if (tmp != NULL)
		unlink(tmp);
}

/* But a device or a pipe, such as /dev/stdout, is written, not replaced. */
static FILE *
open_output(const char *out)
{
	struct stat st;
	FILE *o;

	if (stat(out, &st) == 0 && !S_ISREG(st.st_mode)) {
		if ((o = fopen(out, "we")) == NULL)
			dt_die_sys(DT_EX_USAGE, "%s", out);
		return o;
	}
	tmp = dt_xasprintf("%s.tmp", out);
	atexit(remove_tmp);
	if ((o = fopen(tmp, "we")) == NULL)
		dt_die_sys(DT_EX_USAGE, "%s", tmp);
	return o;
}

int
main(int argc, char *argv[])
{
	const char *out = NULL, *e;
	FILE *o = stdout, **ins, *one[1];
	char stdin_name[] = "stdin", *names[1] = { stdin_name };
	int ch, i;

	dt_hygiene();
	dt_setprog(argv[0]);
	plot_w = 1000;
	while ((ch = getopt(argc, argv, "o:w:")) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'w':
			plot_w = dt_strtonum(optarg, 100, 100000, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-w %s: %s (expected 100 to "
				    "100000 pixels)", optarg, e);
			break;
		default:
			dt_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (out != NULL)
		o = open_output(out);
	if (argc == 0) {
		one[0] = stdin;
		ins = one;
		argv = names;
		argc = 1;
	} else
		ins = open_logs(argv, argc);
	for (i = 0; i < argc; i++) {
		read_log(ins[i], argv[i]);
		if (ins[i] != stdin)
			fclose(ins[i]);
		if (i == 0)
			put_head(o);
		put_run(o, argv[i]);
	}
	put_legend(o);
	fputs("</body>\n</html>\n", o);
	if (fflush(o) == EOF || ferror(o) || (out != NULL && fclose(o) != 0))
		dt_die_sys(DT_EX_SYS, "%s", out == NULL ? "stdout" : tmp != NULL ?
		    tmp : out);
	if (tmp != NULL && rename(tmp, out) != 0)
		dt_die_sys(DT_EX_SYS, "%s", out);
	free(tmp);
	tmp = NULL;
	return DT_EX_OK;
}
