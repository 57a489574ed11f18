/*
 * dt-collect: the end of the pipeline.  It shows progress and prints each
 * failure as it arrives, with the node and runner it ran on; writes every
 * event to the run log tagged with its node; records each finished file's
 * time in the timings table; prints the summary; and turns the run into
 * one exit status.  A try of a file that dt-feed runs again (retry) is
 * not its result: the last try is, and a test that failed on one try and
 * passed on a later one is flaky.  It stops only at the end of its input, so an
 * interrupted run still leaves its log and the timings of what finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-collect [-qv] [-a file] [-c when] [-f format] [-j file] " \
    "[-n slowest]"
#define KEEP_OUTPUT 65536	/* bytes of a file's output kept for display */

struct unit {			/* the time of one example */
	char		*path, *id;
	double		 secs;
};

/*
 * A framework's words for its totals, in the order its own summary has
 * them.  A file whose adapter sends no count lines (RSpec, a command, a
 * file lost or cut short) gives its words from its done line's fields.
 */
enum { F_NONE, F_EXAMPLES, F_FAILURES, F_PENDING, F_ERRORS, F_PASSED };
#define NWORDS 8
struct word {
	const char	*one, *many;
	int		 from;		/* the done field it stands for */
	int		 always;	/* shown when 0 */
};
static const struct speech {
	const char	*framework;
	struct word	 words[NWORDS];
} speeches[] = {
	{ "rspec", { { "example", "examples", F_EXAMPLES, 1 },
	    { "failure", "failures", F_FAILURES, 1 },
	    { "pending", "pending", F_PENDING, 0 } } },
	/* minitest and test-unit say "1 failures", "1 assertions". */
	{ "minitest", { { "runs", "runs", F_EXAMPLES, 1 },
	    { "assertions", "assertions", F_NONE, 1 },
	    { "failures", "failures", F_FAILURES, 1 },
	    { "errors", "errors", F_ERRORS, 1 },
	    { "skips", "skips", F_PENDING, 1 } } },
	{ "test-unit", { { "tests", "tests", F_EXAMPLES, 1 },
	    { "assertions", "assertions", F_NONE, 1 },
	    { "failures", "failures", F_FAILURES, 1 },
	    { "errors", "errors", F_ERRORS, 1 },
	    { "pendings", "pendings", F_PENDING, 1 },
	    { "omissions", "omissions", F_NONE, 1 },
	    { "notifications", "notifications", F_NONE, 1 } } },
	{ "pytest", { { "failed", "failed", F_FAILURES, 0 },
	    { "passed", "passed", F_PASSED, 0 },
	    { "skipped", "skipped", F_PENDING, 0 },
	    { "deselected", "deselected", F_NONE, 0 },
	    { "xfailed", "xfailed", F_NONE, 0 },
	    { "xpassed", "xpassed", F_NONE, 0 },
	    { "warning", "warnings", F_NONE, 0 },
	    { "error", "errors", F_ERRORS, 0 } } },
	{ "command", { { "example", "examples", F_EXAMPLES, 1 },
	    { "failure", "failures", F_FAILURES, 1 },
	    { "pending", "pending", F_PENDING, 0 },
	    { "error", "errors", F_ERRORS, 0 } } },
};
static const struct speech *speech = &speeches[0];
static long totals[NWORDS];

/* The result of one example, or of a file that is one, for -j and -f. */
enum { R_PASSED, R_SKIPPED, R_FAILED, R_ERROR };
static const char *const rnames[] = { "passed", "skipped", "failed", "error" };
struct result {
	char		*id, *name, *location, *message, *rerun;
	const char	*type;		/* of a JUnit error: lost, timeout */
	double		 secs;
	int		 status;
	int		 unit;		/* a unit line named it */
	int		 stated;	/* with a STATUS */
	int		 loose;		/* a fail line named it, no unit yet */
	int		 try;		/* 1, or the retry's that ran it */
	int		 retried;	/* it runs again: not its last result */
	int		 flaky;		/* it failed before, and passed */
	struct result	*prev;		/* its earlier tries that failed */
	size_t		 nprev;
};

struct bad {			/* a unit that failed in a try */
	char		*id, *name, *location;
	int		 error;
	char		*where;		/* of a tried one: runners it failed on */
};

struct tried {			/* a file, or part, that ran again */
	char		*path, *part;
	struct bad	*bad;		/* the units that failed, all tries */
	size_t		 nbad;
	int		 file;		/* a try failed with no unit named */
	int		 partial;	/* the next try runs some units only */
	int		 settled;	/* its last try is done */
	char		*where;		/* where it failed with no unit named */
	long		 held[F_PASSED + 1];	/* counts of what runs again */
	struct result	*res;		/* -j, -f: their results that failed */
	size_t		 nres;
	size_t		 rf;		/* its rfiles entry + 1, or 0 */
};

struct flaky {			/* failed, then passed on a retry */
	char		*path, *id, *name, *location, *failed, *passed;
	int		 try;
};

struct slot {			/* what one runner is doing */
	char		*node;
	int		 r;
	char		*path;
	char		*part;		/* "K/M" of a split file, or NULL */
	struct dt_buf	 output;
	int		 failed;
	struct unit	*units;		/* of the file it runs, until done */
	size_t		 nunits;
	int		 was_up;
	int		 is_up;		/* up, not down since */
	double		 up;		/* when it first came up, from t0 */
	long		 counts[NWORDS];	/* of the file it runs, until done */
	int		 counted;	/* the adapter sent count lines */
	int		 timed_out;	/* its file, until lost */
	long long	 timeout;	/* seconds it had */
	struct result	*res;		/* of the file it runs, until done */
	size_t		 nres, capres;
	size_t		 loose;		/* results waiting for their unit */
	struct dt_buf	 fids;		/* its failing units' IDs, as fields */
	int		 fwhole;	/* a failure no unit names */
	int		 try;		/* of its file: 1, or a retry's */
	int		 partial;	/* the try runs some units only */
	int		 retrying;	/* its file runs again: the next try */
	char		**rids;		/* the units that do; none: all */
	size_t		 nrids;
	struct bad	*bad;		/* its file's units that failed */
	size_t		 nbad;
	struct dt_buf	 gh;		/* annotations, until its try ends */
};

struct failed {			/* what --failed runs again */
	char		*path;
	struct dt_buf	 ids;		/* fields; empty: the whole file */
	int		 whole;
};

struct done {
	char		*path;
	char		*part;
	double		 secs;
	char		*where;
	int		 again;		/* a retry's: not the file's time */
};

struct split {			/* a file run in parts */
	char		*path;
	int		 nparts, done, failed;
	double		 over;		/* what each part costs beyond units */
	double		 secs, longest;
	size_t		 rf;		/* its rfiles entry + 1, or 0 */
};

struct rfile {			/* -j: a finished file, all its parts */
	char		*path, *host;
	struct result	*res;
	size_t		 nres;
	double		 secs;
	struct dt_buf	 out;		/* of the parts that did not pass */
	struct dt_buf	 props;		/* <property> elements */
};

static struct slot *slots;
static size_t nslots;
static struct done *dones;
static size_t ndones, capdones;
static struct split *splits;
static size_t nsplits;
static struct unit *units;
static size_t nunits, capunits;
static long files_done;		/* files whose every part is done */
static char **lost, **lostpaths;
static size_t nlost;
static long files, examples, failures, pending, errors, running;
static long nodes_up, runners_up, runners_peak, requeued, files_failed;
static struct dt_buf early;	/* events before the log was named */
static char **listed;		/* the files of the run */
static size_t nlisted;
static int whole_project;	/* the list is every test file there is */
static int tty, verbose, quiet, nslowest = 5, status_shown, ended;
static int github;			/* failures as GitHub Actions annotations */
static double status_at, said_at;	/* last status line, last line */
static double progress_every = 30;	/* DISTRIBUTEST_PROGRESS */
static double est_left = -1;		/* seconds of the timed files left */
static struct dt_timings est;		/* the timings, for est_left */
/* Colours: empty strings without them. */
static const char *red = "", *green = "", *dim = "", *bold = "", *off = "";
static int randomized;		/* a runner said it orders at random */
static char **nodenames;	/* the run's nodes */
static int *nodeheard;		/* each was: ready, or down */
static size_t nnodenames;
static char *logpath, *timingspath, *project, *seed;
static FILE *logf;
static const char *artpath;		/* -a: the nodes with artifacts */
static char *failedpath;		/* set failed: the list for --failed */
static struct failed *fails;
static size_t nfails;
static char **partial;			/* listed with their units: a rerun */
static size_t npartial;
static FILE *artf;
static long long art_files, art_bytes;
static long art_nodes;
static int log_errno;		/* why the log could not be written */
static double t0, work;
static unsigned long lineno;	/* of the event being acted on */
static volatile sig_atomic_t signalled;	/* SIGTERM or SIGHUP came */
static const char *junitpath;		/* -j */
static FILE *jsonf;			/* -f json: the real stdout */
static int reporting;			/* -j or -f json: keep results */
static struct rfile *rfiles;
static size_t nrfiles;
static struct rerun {			/* -j: files requeued, and why */
	char		*path, *why;
} *reruns;
static size_t nreruns;
static struct tried *trieds;		/* files and parts run again */
static size_t ntrieds;
static struct flaky *flakies;
static size_t nflakies;
static int retry_max;			/* set retry: tries after the first */
static int flaky_fails;			/* set flaky fail */

static double val[DT_EV_NUMFIELDS];	/* the numbers of the line, by field */

static void
clear_status(void)
{
	if (tty && status_shown) {
		fputs("\r\033[K", stdout);
		status_shown = 0;
	}
}

/*
 * The status line, on a terminal, a few times a second at most: events
 * come by the hundred a second.  Before the list is known it counts the
 * files listed; with the timings it says about how long is left.
 */
static void
show_status(int now)
{
	double t = dt_now();

	if (!tty || ended || (!now && t - status_at < 0.25))
		return;
	status_at = t;
	printf("\r\033[K%s", dim);
	if (files == 0)
		printf("[listing: %zu files so far, %ld runners, %.1fs]",
		    nlisted, runners_up, t - t0);
	else
		printf("[%ld/%ld files, %ld running, %ld failed, %ld runners, "
		    "%.1fs", files_done, files, running, files_failed,
		    runners_up, t - t0);
	if (files > 0 && est_left >= 0 && runners_up > 0)
		printf(", about %.0fs left]", est_left / runners_up + 0.5);
	else if (files > 0)
		printf("]");
	printf("%s", off);
	fflush(stdout);
	status_shown = 1;
}

/*
 * Off a terminal, a line after 30 s of silence, so that a CI log with
 * nothing to say (-q, a long file) never looks hung.
 */
static void
show_progress(void)
{
	if (tty || ended || dt_now() - said_at < progress_every)
		return;
	printf("progress: %ld of %ld files, %ld running, %ld failed, "
	    "%.0fs\n", files_done, files, running, files_failed,
	    dt_now() - t0);
	fflush(stdout);
	said_at = dt_now();
}

/* GitHub's workflow commands: %, CR and LF escaped, in properties , and :. */
static void
gh_escaped(struct dt_buf *b, const char *v, int property)
{
	for (; *v != '\0'; v++) {
		if (*v == '%')
			dt_buf_adds(b, "%25");
		else if (*v == '\r')
			dt_buf_adds(b, "%0D");
		else if (*v == '\n')
			dt_buf_adds(b, "%0A");
		else if (property && *v == ':')
			dt_buf_adds(b, "%3A");
		else if (property && *v == ',')
			dt_buf_adds(b, "%2C");
		else
			dt_buf_addc(b, *v);
	}
}

/*
 * A failure as an annotation on its file and line, under GitHub Actions:
 * a line of B, its level left to gh_flush.
 */
static void
annotate(struct dt_buf *b, const char *path, const char *location,
    const char *title, const char *message)
{
	const char *colon = strrchr(location, ':'), *e;
	long long line = 0;
	char *file;

	if (colon != NULL && colon[1] != '\0') {
		line = dt_strtonum(colon + 1, 1, LLONG_MAX, &e);
		if (e != NULL)
			line = 0;
	}
	file = line > 0 ? dt_xasprintf("%.*s", (int)(colon - location),
	    location) : dt_xstrdup(path);
	if (strncmp(file, "./", 2) == 0)
		memmove(file, file + 2, strlen(file + 2) + 1);
	dt_buf_adds(b, "file=");
	gh_escaped(b, file, 1);
	if (line > 0)
		dt_buf_addf(b, ",line=%lld", line);
	dt_buf_adds(b, ",title=");
	gh_escaped(b, *title ? title : path, 1);
	dt_buf_adds(b, "::");
	gh_escaped(b, *message ? message : title, 0);
	dt_buf_addc(b, '\n');
	free(file);
}

/* The annotations of B, as errors or, of a try that runs again, warnings. */
static void
gh_flush(struct dt_buf *b, const char *level)
{
	const char *p, *nl;

	for (p = b->s; p != NULL && p < b->s + b->len; p = nl + 1) {
		nl = memchr(p, '\n', b->len - (size_t)(p - b->s));
		printf("::%s %.*s\n", level, (int)(nl - p), p);
	}
	dt_buf_reset(b);
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	clear_status();
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	said_at = dt_now();
}

/* Print a multi-line text indented, so it reads as part of its header. */
static void
indent(const char *s, const char *pad)
{
	const char *nl;

	while (*s) {
		nl = strchr(s, '\n');
		printf("%s%.*s\n", pad, nl ? (int)(nl - s) : (int)strlen(s), s);
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static struct split *
find_split(const char *path)
{
	size_t i;

	for (i = 0; i < nsplits; i++)
		if (strcmp(splits[i].path, path) == 0)
			return &splits[i];
	return NULL;
}

static void
drop_units(struct slot *s)
{
	size_t i;

	for (i = 0; i < s->nunits; i++) {
		free(s->units[i].path);
		free(s->units[i].id);
	}
	s->nunits = 0;
	memset(s->counts, 0, sizeof(s->counts));
	s->counted = 0;
	s->timed_out = 0;	/* a done crossed its kill */
}

static struct slot *
slot(const char *node, int n)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		if (slots[i].r == n && strcmp(slots[i].node, node) == 0)
			return &slots[i];
	slots = dt_xrealloc(slots, nslots + 1, sizeof(*slots));
	memset(&slots[nslots], 0, sizeof(*slots));
	slots[nslots].node = dt_xstrdup(node);
	slots[nslots].r = n;
	return &slots[nslots++];
}

/* A unit that failed, once in v, with what the lines said of it. */
static struct bad *
bad_add(struct bad **v, size_t *n, const struct bad *b)
{
	struct bad *e;
	size_t i;

	for (i = *n; i > 0; i--)
		if (strcmp((*v)[i - 1].id, b->id) == 0) {
			e = &(*v)[i - 1];
			e->error |= b->error;
			if (e->name == NULL && b->name != NULL)
				e->name = dt_xstrdup(b->name);
			if (e->location == NULL && b->location != NULL)
				e->location = dt_xstrdup(b->location);
			return e;
		}
	*v = dt_xrealloc(*v, *n + 1, sizeof(**v));
	e = &(*v)[(*n)++];
	e->id = dt_xstrdup(b->id);
	e->name = b->name ? dt_xstrdup(b->name) : NULL;
	e->location = b->location ? dt_xstrdup(b->location) : NULL;
	e->error = b->error;
	e->where = NULL;
	return e;
}

static void
bad_free(struct bad *b)
{
	free(b->id);
	free(b->name);
	free(b->location);
	free(b->where);
}

static void
bad_note(struct slot *s, const char *id, const char *name,
    const char *location, int error)
{
	struct bad b = { (char *)id, *name ? (char *)name : NULL,
	    *location ? (char *)location : NULL, error, NULL };

	if (*id != '\0')
		bad_add(&s->bad, &s->nbad, &b);
}

static int
is_bad(const struct slot *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nbad; i++)
		if (strcmp(s->bad[i].id, id) == 0)
			return 1 + s->bad[i].error;
	return 0;
}

/* What a runner knew of its file's try, forgotten when another begins. */
static void
try_reset(struct slot *s)
{
	size_t i;

	for (i = 0; i < s->nrids; i++)
		free(s->rids[i]);
	free(s->rids);
	s->rids = NULL;
	s->nrids = 0;
	for (i = 0; i < s->nbad; i++)
		bad_free(&s->bad[i]);
	free(s->bad);
	s->bad = NULL;
	s->nbad = 0;
	s->retrying = 0;
}

static int
same_part(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ", try N" after the runner of a retry's output, or nothing. */
static const char *
try_label(const struct slot *s)
{
	static char b[32];

	if (s->try <= 1)
		return "";
	snprintf(b, sizeof(b), ", try %d", s->try);
	return b;
}

static struct tried *
tried_find(const char *path, const char *part, int add)
{
	struct tried *tr;
	size_t i;

	for (i = 0; i < ntrieds; i++)
		if (strcmp(trieds[i].path, path) == 0 &&
		    same_part(trieds[i].part, part))
			return &trieds[i];
	if (!add)
		return NULL;
	trieds = dt_xrealloc(trieds, ntrieds + 1, sizeof(*trieds));
	tr = &trieds[ntrieds++];
	memset(tr, 0, sizeof(*tr));
	tr->path = dt_xstrdup(path);
	tr->part = part ? dt_xstrdup(part) : NULL;
	return tr;
}

/*
 * -j and -f json: the result of each example.  The unit, fail and pending
 * lines of one example may come in any order, linked by the unit's ID; a
 * file's results are settled by its done line, and those of a run that
 * was requeued are dropped with it.
 */
static int
runs(const struct slot *s, const char *path)
{
	return s->path == NULL || strcmp(s->path, path) == 0;
}

static struct result *
res_add(struct slot *s, const char *id, int look)
{
	struct result *r;
	size_t i;

	/* The lines of one example come close together: look from the end. */
	for (i = s->nres; look && *id != '\0' && i > 0; i--)
		if (s->res[i - 1].id != NULL &&
		    strcmp(s->res[i - 1].id, id) == 0)
			return &s->res[i - 1];
	if (s->nres == s->capres) {
		s->capres = s->capres ? s->capres * 2 : 16;
		s->res = dt_xrealloc(s->res, s->capres, sizeof(*s->res));
	}
	r = &s->res[s->nres++];
	memset(r, 0, sizeof(*r));
	r->id = *id != '\0' ? dt_xstrdup(id) : NULL;
	return r;
}

static void
res_set(char **p, const char *v)
{
	if (*p == NULL && *v != '\0')
		*p = dt_xstrdup(v);
}

static void
res_free(struct result *r)
{
	size_t i;

	free(r->id);
	free(r->name);
	free(r->location);
	free(r->message);
	free(r->rerun);
	for (i = 0; i < r->nprev; i++)
		res_free(&r->prev[i]);
	free(r->prev);
}

static void
res_drop(struct slot *s)
{
	size_t i;

	for (i = 0; i < s->nres; i++)
		res_free(&s->res[i]);
	s->nres = 0;
	s->loose = 0;
}

static int
res_status(const char *w)
{
	if (strcmp(w, "failed") == 0)
		return R_FAILED;
	if (strcmp(w, "error") == 0)
		return R_ERROR;
	if (strcmp(w, "skipped") == 0 || strcmp(w, "pending") == 0)
		return R_SKIPPED;
	return R_PASSED;
}

/* A fail or pending line: its unit's line may come before or after. */
static struct result *
res_linked(struct slot *s, const char *id, int status)
{
	struct result *r = res_add(s, id, 1);

	if (r->id != NULL && !r->unit && !r->loose) {
		r->loose = 1;
		s->loose++;
	}
	if (status > r->status)
		r->status = status;
	return r;
}

static void
res_message(struct result *r, const char *m)
{
	char *old = r->message;

	if (*m == '\0')
		return;
	r->message = old ? dt_xasprintf("%s\n\n%s", old, m) : dt_xstrdup(m);
	free(old);
}

static void
ev_pending(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	struct result *r;

	if (!reporting || !runs(s, f[3]))
		return;
	r = res_linked(s, k > 7 ? f[7] : "", R_SKIPPED);
	res_set(&r->name, f[4]);
	res_set(&r->location, f[5]);
	res_message(r, f[6]);
}

static void
res_fail(struct slot *s, char **f, int k)
{
	struct result *r;

	if (!reporting || !runs(s, f[3]))
		return;
	r = res_linked(s, k > 9 ? f[9] : "", strcmp(f[4], "error") == 0 ?
	    R_ERROR : R_FAILED);
	res_set(&r->name, f[5]);
	res_set(&r->location, f[6]);
	res_message(r, f[7]);
	if (k > 8)
		res_set(&r->rerun, f[8]);
}

static void
res_unit(struct slot *s, char **f, int k)
{
	struct result *r = res_add(s, f[4], s->loose > 0);
	int st;

	if (r->loose) {
		r->loose = 0;
		s->loose--;
	}
	r->unit = 1;
	r->secs = val[5];
	if (k > 6 && *f[6] != '\0') {
		r->stated = 1;
		if ((st = res_status(f[6])) > r->status)
			r->status = st;
	}
	if (k > 7)
		res_set(&r->name, f[7]);
	if (k > 8)
		res_set(&r->location, f[8]);
}

/* "PATH" or "PATH [part K/M]": a file, or part, as one result. */
static char *
res_whole(const char *path, const char *part)
{
	return part ? dt_xasprintf("%s [part %s]", path, part) :
	    dt_xstrdup(path);
}

/*
 * A file, or part, that reported no example's result (a command, an
 * adapter that sends no STATUS) is one result: its done line's, with
 * the messages of its fail lines.
 */
static void
res_collapse(struct slot *s, const char *path, const char *part, int st,
    double secs)
{
	struct result one;
	struct dt_buf m = { 0 };
	size_t i;
	int worst = R_PASSED, all_skipped = s->nres > 0;

	memset(&one, 0, sizeof(one));
	for (i = 0; i < s->nres; i++) {
		struct result *r = &s->res[i];

		if (r->status > worst)
			worst = r->status;
		all_skipped &= r->status == R_SKIPPED;
		if (r->message == NULL || (r->status < R_FAILED &&
		    st != R_PASSED))
			continue;
		if (m.len > 0)
			dt_buf_adds(&m, "\n\n");
		if (r->name != NULL && strcmp(r->name, path) != 0)
			dt_buf_addf(&m, "%s\n", r->name);
		dt_buf_adds(&m, r->message);
		if (one.rerun == NULL && r->rerun != NULL)
			one.rerun = dt_xstrdup(r->rerun);
	}
	one.status = st != R_PASSED ? st : worst >= R_FAILED ? worst :
	    all_skipped ? R_SKIPPED : R_PASSED;
	if (one.status >= R_FAILED && m.len == 0)
		dt_buf_addf(&m, "the file %s with no details: see its output",
		    one.status == R_ERROR ? "had an error" : "failed");
	one.message = m.len > 0 ? dt_xasprintf("%.*s", (int)m.len, m.s) :
	    NULL;
	dt_buf_free(&m);
	one.name = res_whole(path, part);
	one.secs = secs;
	res_drop(s);
	*res_add(s, "", 0) = one;
}

/* The results of a file, or part, once its done line says how it went. */
static void
res_settle(struct slot *s, const char *path, const char *part,
    const char *status, double secs)
{
	struct result *r;
	size_t i;
	int st = res_status(status), stated = 0, bad = 0;

	if (st == R_SKIPPED)
		st = R_PASSED;
	for (i = 0; i < s->nres; i++) {
		stated |= s->res[i].stated;
		bad |= s->res[i].status >= R_FAILED;
	}
	if (!stated) {
		res_collapse(s, path, part, st, secs);
		return;
	}
	/* A file that did not pass with no failing example says so. */
	if (st != R_PASSED && !bad) {
		r = res_add(s, "", 0);
		r->name = res_whole(path, part);
		r->status = st;
		r->message = dt_xasprintf("the file %s, but no example failed: "
		    "see its output", st == R_ERROR ? "had an error" :
		    "failed");
	}
}

/*
 * The length of the UTF-8 sequence at s, of at most n bytes, or 0 when
 * it is not one: overlong, a surrogate, beyond U+10FFFF, cut short.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c;

	if (s[0] < 0x80)
		len = 1, c = s[0];
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

/*
 * Text of the events, any bytes, as XML character data (E_TEXT), an XML
 * attribute value (E_ATTR) or a JSON string's inside (E_JSON).  Bytes
 * that are not UTF-8 become U+FFFD; the control characters XML 1.0 has
 * no place for become their pictures, U+2400 and on (ESC is U+241B).
 */
enum { E_TEXT, E_ATTR, E_JSON };
static void
escaped(struct dt_buf *b, const char *v, size_t n, int how)
{
	const unsigned char *s = (const unsigned char *)v;
	unsigned long c;
	size_t len;

	for (; n > 0; s += len, n -= len) {
		if ((len = utf8_seq(s, n, &c)) == 0) {
			dt_buf_adds(b, "\xef\xbf\xbd");
			len = 1;
		} else if (c == 0xfffe || c == 0xffff)
			dt_buf_adds(b, "\xef\xbf\xbd");
		else if (how == E_JSON && (c == '"' || c == '\\'))
			dt_buf_addf(b, "\\%c", (int)c);
		else if (how == E_JSON && c == '\n')
			dt_buf_adds(b, "\\n");
		else if (how == E_JSON && c == '\t')
			dt_buf_adds(b, "\\t");
		else if (how == E_JSON && c < 0x20)
			dt_buf_addf(b, "\\u%04lx", c);
		else if (how == E_JSON || (c > '>' && c < 0x80) || len > 1)
			dt_buf_add(b, s, len);
		else if (c == '&' || c == '<' || c == '>')
			dt_buf_adds(b, c == '&' ? "&amp;" : c == '<' ? "&lt;" :
			    "&gt;");
		else if (c == '"' && how == E_ATTR)
			dt_buf_adds(b, "&quot;");
		else if (c == '\r' || (how == E_ATTR && (c == '\n' ||
		    c == '\t')))
			dt_buf_addf(b, "&#%lu;", c);
		else if (c < 0x20 && c != '\n' && c != '\t')
			dt_buf_addf(b, "\xe2\x90%c", (int)(0x80 + c));
		else
			dt_buf_add(b, s, len);
	}
}

static void
escapes(struct dt_buf *b, const char *v, int how)
{
	escaped(b, v, strlen(v), how);
}

/* -f json: one object a line, built here, then written whole. */
static struct dt_buf jl;

static void
j_begin(const char *type)
{
	dt_buf_reset(&jl);
	dt_buf_addf(&jl, "{\"type\":\"%s\"", type);
}

static void
j_str(const char *key, const char *v)
{
	if (v == NULL)
		return;
	dt_buf_addf(&jl, ",\"%s\":\"", key);
	escapes(&jl, v, E_JSON);
	dt_buf_addc(&jl, '"');
}

static void
j_num(const char *key, double v, int decimals)
{
	dt_buf_addf(&jl, ",\"%s\":%.*f", key, decimals, v);
}

static void
j_end(void)
{
	dt_buf_adds(&jl, "}\n");
	fwrite(jl.s, 1, jl.len, jsonf);
	fflush(jsonf);
}

static void
j_where(const char *node, int r)
{
	j_str("node", node);
	if (r > 0)
		dt_buf_addf(&jl, ",\"runner\":%d", r);
}

/* A try after the first says which; one that is not the last says so. */
static void
j_try(int try, int retried)
{
	if (try > 1)
		dt_buf_addf(&jl, ",\"try\":%d", try);
	if (retried)
		dt_buf_adds(&jl, ",\"retried\":true");
}

static void
json_result(const struct result *r, const char *path, const char *part,
    const char *node, int runner)
{
	j_begin("test");
	j_str("file", path);
	j_str("part", part);
	j_str("name", r->name ? r->name : r->id ? r->id : path);
	j_str("id", r->id);
	j_str("location", r->location);
	j_str("status", rnames[r->status]);
	j_num("seconds", r->secs, 3);
	j_where(node, runner);
	j_try(r->try, r->retried);
	if (r->flaky)
		dt_buf_adds(&jl, ",\"flaky\":true");
	j_str("message", r->message);
	j_str("rerun", r->rerun);
	j_end();
}

/* A run event as an object of its own, its fields named by keys. */
static void
json_event(const char *type, char **f, int k, const char *const *keys)
{
	int i;

	if (jsonf == NULL)
		return;
	j_begin(type);
	for (i = 1; keys[i - 1] != NULL; i++)
		if (strcmp(keys[i - 1], "replacing") == 0)
			dt_buf_addf(&jl, ",\"replacing\":%s", i < k &&
			    strcmp(f[i], "replacing") == 0 ? "true" : "false");
		else if (i < k && *f[i] != '\0' &&
		    strcmp(keys[i - 1], "runner") == 0)
			dt_buf_addf(&jl, ",\"runner\":%d", (int)val[i]);
		else if (i < k && *f[i] != '\0' &&
		    strcmp(keys[i - 1], "seconds") == 0)
			j_num("seconds", val[i], 3);
		else if (i < k && *keys[i - 1] != '\0')
			j_str(keys[i - 1], f[i]);
	j_end();
}

/* The file, or part, and its results as the done line has them. */
static void
json_done(const struct slot *s, char **f, const char *part, int retried)
{
	size_t i;

	for (i = 0; i < s->nres; i++)
		json_result(&s->res[i], f[3], part, f[1], (int)val[2]);
	j_begin("file");
	j_str("file", f[3]);
	j_str("part", part);
	j_str("status", f[4]);
	j_num("seconds", val[5], 3);
	j_where(f[1], (int)val[2]);
	j_try(s->try, retried);
	j_num("examples", val[6], 0);
	j_num("failures", val[7], 0);
	j_num("pending", val[8], 0);
	j_num("errors", val[9], 0);
	if (strcmp(f[4], "passed") != 0 && s->output.len > 0) {
		dt_buf_adds(&jl, ",\"output\":\"");
		escaped(&jl, s->output.s, s->output.len, E_JSON);
		dt_buf_addc(&jl, '"');
	}
	j_end();
}

/* -j: a file's results, of all its parts, until the report is written. */
static struct rfile *
rfile(const char *path, struct split *sp, struct tried *tr)
{
	struct rfile *rf;

	if (sp != NULL && sp->rf > 0)
		return &rfiles[sp->rf - 1];
	if (tr != NULL && tr->rf > 0)
		return &rfiles[tr->rf - 1];
	rfiles = dt_xrealloc(rfiles, nrfiles + 1, sizeof(*rfiles));
	rf = &rfiles[nrfiles++];
	memset(rf, 0, sizeof(*rf));
	rf->path = dt_xstrdup(path);
	if (sp != NULL)
		sp->rf = nrfiles;
	if (tr != NULL)
		tr->rf = nrfiles;
	return rf;
}

/* A try's results that run again wait for the next try, with the file. */
static void
res_wait(struct slot *s, const char *path)
{
	struct tried *tr;
	size_t i, k;

	for (i = 0; i < s->nres && !s->res[i].retried; i++)
		;
	if (i == s->nres)
		return;
	tr = tried_find(path, s->part, 1);
	tr->res = dt_xrealloc(tr->res, tr->nres + s->nres + 1,
	    sizeof(*tr->res));
	for (i = k = 0; i < s->nres; i++)
		if (s->res[i].retried && s->res[i].status >= R_FAILED)
			tr->res[tr->nres++] = s->res[i];
		else if (s->res[i].retried)
			res_free(&s->res[i]);
		else
			s->res[k++] = s->res[i];
	s->nres = k;
}

/* The slot's results go to the report, or are dropped. */
static void
res_keep(struct slot *s, const char *path, const char *part, double secs,
    int passed)
{
	struct rfile *rf;

	if (junitpath == NULL) {
		res_drop(s);
		return;
	}
	rf = rfile(path, part ? find_split(path) : NULL, part ? NULL :
	    tried_find(path, NULL, 0));
	rf->res = dt_xrealloc(rf->res, rf->nres + s->nres + 1,
	    sizeof(*rf->res));
	if (s->nres > 0)
		memcpy(rf->res + rf->nres, s->res, s->nres * sizeof(*s->res));
	rf->nres += s->nres;
	s->nres = 0;
	s->loose = 0;
	rf->secs += secs;
	if (s->node != NULL) {
		if (rf->host == NULL)
			rf->host = dt_xstrdup(s->node);
		dt_buf_adds(&rf->props, "      <property name=\"runner\" "
		    "value=\"");
		escapes(&rf->props, s->node, E_ATTR);
		dt_buf_addf(&rf->props, "/%d%s%s%s\"/>\n", s->r, part ?
		    " part " : "", part ? part : "", try_label(s));
	}
	if (!passed && s->output.len > 0) {
		if (s->try > 1 || s->retrying > 0)
			dt_buf_addf(&rf->out, "---%s%s%s try %d\n", part ?
			    " part " : "", part ? part : "", part ? "," : "",
			    s->try);
		else if (part != NULL)
			dt_buf_addf(&rf->out, "--- part %s\n", part);
		dt_buf_add(&rf->out, s->output.s, s->output.len);
	}
}

static int
in_rids(const struct slot *s, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < s->nrids; i++)
		if (strcmp(s->rids[i], id) == 0)
			return 1;
	return 0;
}

static int
same_id(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Each result of a try joins the earlier failures of its ID; on a try
 * that runs some units again, only those that do not.
 */
static void
res_link(struct slot *s, struct tried *tr, int partial)
{
	struct result *r, *e;
	size_t i, j;

	for (i = 0; i < s->nres; i++) {
		r = &s->res[i];
		if (partial && (r->retried || r->id == NULL))
			continue;
		for (j = 0; j < tr->nres; j++) {
			e = &tr->res[j];
			if (e->status < 0 || !same_id(e->id, r->id))
				continue;
			r->prev = dt_xrealloc(r->prev, r->nprev + 1,
			    sizeof(*r->prev));
			r->prev[r->nprev++] = *e;
			e->status = -1;
		}
		r->flaky = r->nprev > 0 && r->status < R_FAILED;
	}
}

/*
 * The earlier failures no result joined: failures still, when the last
 * try did not pass; else flaky results, named as they were.  A try that
 * runs some units again settles the others, which passed.
 */
static void
res_left(struct slot *s, struct tried *tr, int passed, int partial)
{
	struct result *r, *e;
	size_t j, k;

	for (j = 0; j < tr->nres; j++) {
		e = &tr->res[j];
		if (e->status < 0 || (partial && (e->id == NULL ||
		    in_rids(s, e->id))))
			continue;
		r = res_add(s, "", 0);
		if (!passed && !partial) {
			*r = *e;
			r->retried = 0;
			e->status = -1;
			continue;
		}
		/* No later result: as when the file did not load before. */
		r->id = e->id ? dt_xstrdup(e->id) : NULL;
		r->name = e->name ? dt_xstrdup(e->name) : NULL;
		r->location = e->location ? dt_xstrdup(e->location) : NULL;
		r->try = s->try;
		r->flaky = 1;
		r->prev = dt_xmalloc(sizeof(*r->prev));
		r->prev[r->nprev++] = *e;
		e->status = -1;
	}
	for (j = k = 0; j < tr->nres; j++)
		if (tr->res[j].status >= 0)
			tr->res[k++] = tr->res[j];
	tr->nres = k;
}

/*
 * The results of a try: those that run again, and the failures of each
 * test on its earlier tries, for the tests that do not run again.
 */
static void
res_tries(struct slot *s, const char *path, int passed, int retried)
{
	struct tried *tr = tried_find(path, s->part, 0);
	size_t i;

	for (i = 0; i < s->nres; i++) {
		s->res[i].try = s->try;
		s->res[i].retried = retried && (s->nrids == 0 ||
		    in_rids(s, s->res[i].id));
	}
	if (tr == NULL || (retried && s->nrids == 0))
		return;
	res_link(s, tr, retried);
	res_left(s, tr, passed, retried);
}

/* A file, or part, is done: its results to the report and the JSON. */
static void
report_done(struct slot *s, char **f, const char *part, int retried)
{
	int passed = strcmp(f[4], "passed") == 0;

	if (!reporting)
		return;
	res_settle(s, f[3], part, f[4], val[5]);
	res_tries(s, f[3], passed, retried);
	if (jsonf != NULL)
		json_done(s, f, part, retried);
	res_wait(s, f[3]);
	res_keep(s, f[3], part, val[5], passed);
}

/*
 * A file, or part, that will not run: an error result, after what it
 * had reported when it was still running, as a file past its timeout.
 */
static void
report_lost(struct slot *s, char **f, int k)
{
	const char *part = k > 3 && *f[3] ? f[3] : NULL;
	struct slot none;
	struct tried *tr;
	struct result *r;
	size_t i;

	if (!reporting)
		return;
	if (s == NULL) {
		memset(&none, 0, sizeof(none));
		s = &none;
	}
	/* The earlier tries' failures are the last results of their tests. */
	if ((tr = tried_find(f[1], part, 0)) != NULL) {
		for (i = 0; i < s->nres; i++)
			s->res[i].try = s->try;
		res_link(s, tr, 0);
		res_left(s, tr, 0, 0);
	}
	r = res_add(s, "", 0);
	r->name = res_whole(f[1], part);
	r->status = R_ERROR;
	r->message = s->timed_out ? dt_xasprintf("timed out after %lld s",
	    s->timeout) : dt_xasprintf("lost: %s", f[2]);
	r->secs = s->timed_out ? (double)s->timeout : 0;
	r->type = s->timed_out ? "timeout" : "lost";
	for (i = 0; jsonf != NULL && i < s->nres; i++)
		json_result(&s->res[i], f[1], part, s->node, s->r);
	json_event("lost", f, k, (const char *const[]){ "file", "reason",
	    "part", NULL });
	res_keep(s, f[1], part, r->secs, 0);
	free(s == &none ? s->res : NULL);
}

/* -j: a file that was requeued says so in its properties. */
static void
report_requeue(char **f)
{
	if (junitpath == NULL)
		return;
	reruns = dt_xrealloc(reruns, nreruns + 1, sizeof(*reruns));
	reruns[nreruns].path = dt_xstrdup(f[3]);
	reruns[nreruns++].why = dt_xasprintf("its runner %s/%s was lost: %s",
	    f[1], f[2], f[4]);
}

/* The JUnit classname of a file's tests: spec/models/user_spec.rb is
 * spec.models.user_spec. */
static char *
classname(const char *path)
{
	const char *base, *dot;
	char *c, *p;

	if (strncmp(path, "./", 2) == 0)
		path += 2;
	base = (base = strrchr(path, '/')) != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	c = dt_xasprintf("%.*s", dot != NULL && dot > base ?
	    (int)(dot - path) : (int)strlen(path), path);
	for (p = c; *p != '\0'; p++)
		if (*p == '/')
			*p = '.';
	return c;
}

/* The line of a LOCATION, when it is in the file itself. */
static long long
case_line(const char *path, const char *loc)
{
	const char *colon, *e;
	long long line;

	if (loc == NULL || (colon = strrchr(loc, ':')) == NULL)
		return 0;
	line = dt_strtonum(colon + 1, 1, LLONG_MAX, &e);
	if (e != NULL)
		return 0;
	if (strncmp(loc, "./", 2) == 0)
		loc += 2;
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	return strlen(path) == (size_t)(colon - loc) &&
	    strncmp(path, loc, colon - loc) == 0 ? line : 0;
}

/* The message attribute of a problem: its first line, cut at 1000 bytes. */
static void
first_line(struct dt_buf *b, const char *m)
{
	size_t n = strcspn(m, "\n");

	/* A long first line is cut, at a character's start. */
	for (n = n > 1000 ? 1000 : n; n > 0 && (m[n] & 0xc0) == 0x80;)
		n--;
	escaped(b, m, n, E_ATTR);
}

/*
 * A failure or error of a testcase: el is "failure" or "error", or with
 * a prefix, Surefire's elements of a try run again, rerunFailure for one
 * that failed each time and flakyFailure for one that passed later, with
 * the text in a stackTrace.
 */
static void
write_problem(struct dt_buf *b, const char *prefix, const struct result *r)
{
	const char *m = r->message ? r->message : "";
	char el[32];

	if (*prefix != '\0')
		snprintf(el, sizeof(el), "%s%s", prefix,
		    r->status == R_ERROR ? "Error" : "Failure");
	else
		snprintf(el, sizeof(el), "%s", r->status == R_ERROR ? "error" :
		    "failure");
	dt_buf_addf(b, "      <%s message=\"", el);
	first_line(b, m);
	dt_buf_addf(b, "\" type=\"%s\">%s", r->type ? r->type :
	    r->status == R_ERROR ? "error" : "failure",
	    *prefix ? "<stackTrace>" : "");
	escapes(b, m, E_TEXT);
	if (r->rerun != NULL) {
		dt_buf_adds(b, "\nrerun: ");
		escapes(b, r->rerun, E_TEXT);
	}
	dt_buf_addf(b, "%s</%s>\n", *prefix ? "</stackTrace>" : "", el);
}

/*
 * A testcase; its message attribute is the first line, the text all.  A
 * test tried again has its earlier tries after its own result: as
 * Surefire writes them, the first failure is the failure and the later
 * ones rerunFailures, and a test that passed at last has a flakyFailure
 * for each try that failed.
 */
static void
write_case(struct dt_buf *b, const char *path, const char *cls,
    const struct result *r)
{
	long long line = case_line(path, r->location);
	size_t i;

	dt_buf_adds(b, "    <testcase name=\"");
	escapes(b, r->name ? r->name : r->id ? r->id : path, E_ATTR);
	dt_buf_adds(b, "\" classname=\"");
	escapes(b, cls, E_ATTR);
	dt_buf_adds(b, "\" file=\"");
	escapes(b, path, E_ATTR);
	dt_buf_addc(b, '"');
	if (line > 0)
		dt_buf_addf(b, " line=\"%lld\"", line);
	dt_buf_addf(b, " time=\"%.3f\"", r->secs);
	if (r->status == R_PASSED && r->nprev == 0) {
		dt_buf_adds(b, "/>\n");
		return;
	}
	dt_buf_adds(b, ">\n");
	if (r->status == R_SKIPPED) {
		dt_buf_adds(b, "      <skipped message=\"");
		first_line(b, r->message ? r->message : "");
		dt_buf_adds(b, "\"/>\n");
	}
	if (r->status >= R_FAILED)
		write_problem(b, "", r->nprev > 0 ? &r->prev[0] : r);
	for (i = r->status >= R_FAILED; i < r->nprev; i++)
		write_problem(b, r->status >= R_FAILED ? "rerun" : "flaky",
		    &r->prev[i]);
	if (r->status >= R_FAILED && r->nprev > 0)
		write_problem(b, "rerun", r);
	dt_buf_adds(b, "    </testcase>\n");
}

/* Tests, failures, errors, skipped of a file's results. */
static void
rfile_counts(const struct rfile *rf, long n[4])
{
	size_t i;

	memset(n, 0, 4 * sizeof(*n));
	for (i = 0; i < rf->nres; i++)
		n[rf->res[i].status]++;
}

static void
write_suite(struct dt_buf *b, const struct rfile *rf)
{
	char *cls = classname(rf->path);
	long n[4];
	size_t i;
	int props = rf->props.len > 0;

	rfile_counts(rf, n);
	dt_buf_adds(b, "  <testsuite name=\"");
	escapes(b, rf->path, E_ATTR);
	dt_buf_addf(b, "\" tests=\"%zu\" failures=\"%ld\" errors=\"%ld\" "
	    "skipped=\"%ld\" time=\"%.3f\"", rf->nres, n[R_FAILED],
	    n[R_ERROR], n[R_SKIPPED], rf->secs);
	if (rf->host != NULL) {
		dt_buf_adds(b, " hostname=\"");
		escapes(b, rf->host, E_ATTR);
		dt_buf_addc(b, '"');
	}
	dt_buf_adds(b, ">\n");
	for (i = 0; i < nreruns; i++)
		props |= strcmp(reruns[i].path, rf->path) == 0;
	if (props)
		dt_buf_adds(b, "    <properties>\n");
	if (rf->props.len > 0)
		dt_buf_add(b, rf->props.s, rf->props.len);
	for (i = 0; i < nreruns; i++)
		if (strcmp(reruns[i].path, rf->path) == 0) {
			dt_buf_adds(b, "      <property name=\"rerun\" "
			    "value=\"");
			escapes(b, reruns[i].why, E_ATTR);
			dt_buf_adds(b, "\"/>\n");
		}
	if (props)
		dt_buf_adds(b, "    </properties>\n");
	for (i = 0; i < rf->nres; i++)
		write_case(b, rf->path, cls, &rf->res[i]);
	if (rf->out.len > 0) {
		dt_buf_adds(b, "    <system-out>");
		escaped(b, rf->out.s, rf->out.len, E_TEXT);
		dt_buf_adds(b, "</system-out>\n");
	}
	dt_buf_adds(b, "  </testsuite>\n");
	free(cls);
}

/*
 * The JUnit report of what finished, written whole to FILE.tmp and then
 * renamed, so that a reader never sees half of one.
 */
static int
write_junit(double wall)
{
	struct dt_buf b = { 0 };
	long n[4], all[4] = { 0 };
	size_t i, j, tests = 0;
	struct stat st;
	/* But a device or a pipe, such as /dev/stdout, is written, not replaced. */
	int direct = stat(junitpath, &st) == 0 && !S_ISREG(st.st_mode);
	char *tmp = direct ? dt_xstrdup(junitpath) :
	    dt_xasprintf("%s.tmp", junitpath);
	FILE *fp;
	int rc = 0;

	for (i = 0; i < nrfiles; i++) {
		rfile_counts(&rfiles[i], n);
		for (j = 0; j < 4; j++)
			all[j] += n[j];
		tests += rfiles[i].nres;
	}
	if ((fp = fopen(tmp, "we")) == NULL) {
		dt_warn_sys("JUnit report %s", tmp);
		free(tmp);
		return -1;
	}
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"distributest\" tests=\"%zu\" failures=\"%ld\" "
	    "errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\">\n", tests,
	    all[R_FAILED], all[R_ERROR], all[R_SKIPPED], wall);
	for (i = 0; i < nrfiles; i++) {
		dt_buf_reset(&b);
		write_suite(&b, &rfiles[i]);
		fwrite(b.s, 1, b.len, fp);
	}
	fprintf(fp, "</testsuites>\n");
	if (fflush(fp) != 0 || ferror(fp)) {
		dt_warn_sys("JUnit report %s", tmp);
		rc = -1;
	}
	if (fclose(fp) != 0 && rc == 0) {
		dt_warn_sys("JUnit report %s", tmp);
		rc = -1;
	}
	if (rc == 0 && !direct && rename(tmp, junitpath) < 0) {
		dt_warn_sys("JUnit report %s", junitpath);
		rc = -1;
	}
	if (rc < 0 && !direct)
		(void)unlink(tmp);
	dt_buf_free(&b);
	free(tmp);
	return rc;
}

/* -f json: the last line, with the run's totals and its exit status. */
static void
json_summary(const char *how, int rc, double wall)
{
	const struct word *w;
	size_t i;

	if (jsonf == NULL)
		return;
	j_begin("summary");
	j_num("files", files_done, 0);
	j_num("listed", files, 0);
	j_num("failed_files", files_failed, 0);
	j_num("lost", nlost, 0);
	j_num("not_run", files > files_done + (long)nlost ?
	    files - files_done - (long)nlost : 0, 0);
	j_num("examples", examples, 0);
	j_num("failures", failures, 0);
	j_num("pending", pending, 0);
	j_num("errors", errors, 0);
	j_num("flaky", nflakies, 0);
	j_num("requeued", requeued, 0);
	j_num("seconds", wall, 3);
	j_num("runners", runners_peak, 0);
	dt_buf_adds(&jl, ",\"counts\":{");
	for (i = 0; i < NWORDS && (w = &speech->words[i])->one != NULL; i++)
		dt_buf_addf(&jl, "%s\"%s\":%ld", i ? "," : "", w->many,
		    totals[i]);
	dt_buf_addc(&jl, '}');
	j_str("incomplete", how);
	j_str("seed", randomized || strcmp(speech->framework, "minitest") == 0 ?
	    seed : NULL);
	j_str("log", logf != NULL ? logpath : NULL);
	j_str("junit", junitpath);
	j_num("exit", rc, 0);
	j_end();
}

/* A log that cannot take more (a full disk) is said so, once. */
static void
log_check(void)
{
	if (log_errno != 0 || (!ferror(logf) && fflush(logf) == 0))
		return;
	log_errno = errno ? errno : EIO;
	dt_warn("log %s: %s; the log lacks what follows", logpath,
	    strerror(log_errno));
}

/* Where the log is, or why there is none: never an earlier run's. */
static void
print_log_line(void)
{
	if (logpath == NULL)
		return;
	if (logf == NULL)
		printf("log: none, %s cannot be written (%s)\n", logpath,
		    strerror(log_errno));
	else if (log_errno != 0)
		printf("log: %s, cut short (%s)\n", logpath,
		    strerror(log_errno));
	else
		printf("log: %s\n", logpath);
}

static void
log_event(const char *raw, size_t len, const char *node)
{
	struct timespec ts;
	struct tm tm;

	char stamp[64];	/* room for any int, so no truncation warning */

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%02d:%02d:%02d.%03ld", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	if (logf == NULL) {
		if (early.len < 1024 * 1024)
			dt_buf_addf(&early, "%s %s\t%.*s\n", stamp,
			    node ? node : "-", (int)len, raw);
		return;
	}
	fprintf(logf, "%s %s\t%.*s\n", stamp, node ? node : "-", (int)len,
	    raw);
	log_check();
}

static void
open_log(const char *path)
{
	char *old;

	if (logf != NULL)
		return;
	old = dt_xasprintf("%s.1", path);
	(void)rename(path, old);	/* keep the previous run's log */
	free(old);
	logf = fopen(path, "we");
	if (logf == NULL && errno == ENOENT) {
		char *dir = dt_xstrdup(path), *p = strrchr(dir, '/');

		if (p != NULL) {
			*p = '\0';
			mkdir(dir, 0755);
		}
		free(dir);
		logf = fopen(path, "we");
	}
	if (logf == NULL) {
		log_errno = errno;
		dt_warn_sys("log %s", path);
	} else {
		setvbuf(logf, NULL, _IOLBF, 0);
		fwrite(early.s ? early.s : "", 1, early.len, logf);
		dt_buf_free(&early);
	}
}

static int
cmp_slow(const void *a, const void *b)
{
	double x = ((const struct done *)a)->secs;
	double y = ((const struct done *)b)->secs;

	return x < y ? 1 : x > y ? -1 : 0;
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct unit *)a)->path,
	    ((const struct unit *)b)->path);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The timings of what finished join those of earlier runs: a file split
 * in parts counts once, when all its parts are done, as the sum of the
 * parts less the overhead that splitting repeated.  A file that finished
 * has exactly the units it ran this time.  After a complete run over the
 * whole project, files it did not list are gone from the project and
 * leave the table too.
 */
/* A file that failed, or the units of it that did, for --failed. */
static void
add_failed(const char *path, const struct dt_buf *ids, int whole)
{
	struct failed *fl = NULL;
	size_t i;

	for (i = nfails; i > 0; i--)
		if (strcmp(fails[i - 1].path, path) == 0) {
			fl = &fails[i - 1];
			break;
		}
	if (fl == NULL) {
		fails = dt_xrealloc(fails, nfails + 1, sizeof(*fails));
		fl = &fails[nfails++];
		memset(fl, 0, sizeof(*fl));
		fl->path = dt_xstrdup(path);
	}
	if (whole || ids == NULL || ids->len == 0)
		fl->whole = 1;
	else
		dt_buf_add(&fl->ids, ids->s, ids->len);
}

/* A run that ended before the last try of a file says what it retried. */
static void
add_unsettled(void)
{
	struct dt_buf ids = { 0 };
	size_t i, j;

	for (i = 0; i < ntrieds; i++) {
		if (trieds[i].settled)
			continue;
		dt_buf_reset(&ids);
		for (j = 0; j < trieds[i].nbad; j++)
			dt_line_field(&ids, trieds[i].bad[j].id);
		add_failed(trieds[i].path, &ids, trieds[i].file);
	}
	dt_buf_free(&ids);
}

static int
cmp_failed(const void *a, const void *b)
{
	return strcmp(((const struct failed *)a)->path,
	    ((const struct failed *)b)->path);
}

/*
 * The list --failed runs: a header, then a line per file, its path and
 * the IDs of the units that failed, or the path alone for the whole file.
 * Written by a rename, as the timings, and always: a run with nothing
 * failed leaves an empty list.
 */
static void
save_failed(void)
{
	struct dt_buf b = { 0 };
	char *tmp;
	size_t i;
	int fd;

	if (failedpath == NULL)
		return;
	if (nfails > 1)
		qsort(fails, nfails, sizeof(*fails), cmp_failed);
	dt_buf_adds(&b, "distributest-failed\t1\n");
	for (i = 0; i < nfails; i++) {
		const struct failed *fl = &fails[i];
		size_t nids = 0, j;

		for (j = 0; j < fl->ids.len; j++)
			nids += fl->ids.s[j] == '\t';
		dt_escape(&b, fl->path, strlen(fl->path));
		/* A list too long for one request runs the whole file. */
		if (!fl->whole && nids > 0 && nids < DT_FIELDS_MAX - 8 &&
		    fl->ids.len + strlen(fl->path) < DT_LINE_MAX / 2)
			dt_buf_add(&b, fl->ids.s, fl->ids.len);
		dt_buf_addc(&b, '\n');
	}
	tmp = dt_xasprintf("%s.tmp", failedpath);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0 || dt_write_all(fd, b.s, b.len) < 0 || close(fd) < 0 ||
	    rename(tmp, failedpath) < 0)
		dt_warn("%s: %s; distributest --failed will not see this "
		    "run's failures", failedpath, strerror(errno));
	free(tmp);
	dt_buf_free(&b);
}

/* partial sorted (save_timings): one lookup a file or unit, not a scan. */
static int
is_partial(const char *path)
{
	return npartial > 0 && bsearch(&path, partial, npartial,
	    sizeof(*partial), cmp_str) != NULL;
}

static void
save_timings(int complete)
{
	struct dt_timings t = { 0 };
	char **whole, **ids = NULL;
	size_t i, j, k, nwhole = 0, nids = 0;
	struct split *sp;

	if (timingspath == NULL || ndones == 0)
		return;
	if (npartial > 1)
		qsort(partial, npartial, sizeof(*partial), cmp_str);
	if (dt_timings_read(&t, timingspath) < 0) {
		dt_warn("%s: replacing it with this run's timings",
		    timingspath);
		dt_timings_free(&t);
	}
	whole = dt_xcalloc(ndones + 1, sizeof(*whole));
	/* A rerun of some units of a file says nothing of the file's time. */
	for (i = 0; i < ndones; i++)
		if (dones[i].part == NULL && !dones[i].again &&
		    !is_partial(dones[i].path)) {
			dt_timings_record(&t, dones[i].path, dones[i].secs);
			whole[nwhole++] = dones[i].path;
		}
	for (i = 0; i < nsplits; i++) {
		sp = &splits[i];
		if (sp->done < sp->nparts)
			continue;
		/* Never less than its longest part: "over" may be stale. */
		dt_timings_record(&t, sp->path, sp->secs - (sp->nparts - 1) *
		    sp->over > sp->longest ? sp->secs - (sp->nparts - 1) *
		    sp->over : sp->longest);
		whole = dt_xrealloc(whole, nwhole + 1, sizeof(*whole));
		whole[nwhole++] = sp->path;
	}
	qsort(whole, nwhole, sizeof(*whole), cmp_str);
	if (nunits > 1)
		qsort(units, nunits, sizeof(*units), cmp_unit);
	/* Record every unit first, then prune: each prune keeps the order. */
	for (k = 0; k < nunits; k++)
		if (bsearch(&units[k].path, whole, nwhole, sizeof(*whole),
		    cmp_str) != NULL || is_partial(units[k].path))
			dt_timings_record_unit(&t, units[k].path, units[k].id,
			    units[k].secs);
	ids = dt_xcalloc(nunits + 1, sizeof(*ids));
	for (i = 0, k = 0; i < nwhole; i = j) {
		for (j = i + 1; j < nwhole && strcmp(whole[j], whole[i]) == 0;)
			j++;
		while (k < nunits && strcmp(units[k].path, whole[i]) < 0)
			k++;
		for (nids = 0; k < nunits &&
		    strcmp(units[k].path, whole[i]) == 0; k++)
			ids[nids++] = units[k].id;
		dt_timings_keep_units(&t, whole[i], ids, nids);
	}
	free(ids);
	free(whole);
	for (i = 0; i < nflakies; i++)
		dt_timings_flaky(&t, flakies[i].path, flakies[i].id, 1);
	if (complete && whole_project)
		dt_timings_retain(&t, listed, nlisted);
	if (dt_timings_write(&t, timingspath) < 0)
		dt_warn("timings not saved");
	dt_timings_free(&t);
}

/*
 * No schedule beats the longest file or part, run by the runner that came
 * up first, nor an even share of the work once the runners are up: each
 * works from its setup on.  The slowest are sorted first.
 */
static void
print_bound(double wall)
{
	double sum_up = 0, min_up = -1, share, longest, bound;
	size_t i;
	int nup = 0;

	for (i = 0; i < nslots; i++)
		if (slots[i].was_up) {
			nup++;
			sum_up += slots[i].up;
			if (min_up < 0 || slots[i].up < min_up)
				min_up = slots[i].up;
		}
	if (nup == 0) {
		nup = runners_peak;
		min_up = 0;
	}
	share = work / nup + sum_up / nup;
	longest = dones[0].secs + min_up;
	bound = longest > share ? longest : share;
	printf("lower bound %.2fs (%s, after %.2fs of setup%s): this "
	    "run took %.2fx that\n", bound, longest <= share ?
	    "the work shared evenly" : dones[0].part ?
	    "the longest part of a file" : "the longest file",
	    longest <= share ? sum_up / nup : min_up,
	    longest <= share ? " on average" : "", wall / bound);
}

/* The totals in the framework's words: "3 runs, 5 assertions, ...". */
static void
print_words(void)
{
	const struct word *w;
	size_t i;
	int shown = 0;

	for (i = 0; i < NWORDS && (w = &speech->words[i])->one != NULL; i++)
		if (totals[i] > 0 || w->always)
			printf("%s%ld %s", shown++ ? ", " : "", totals[i],
			    totals[i] == 1 ? w->one : w->many);
	/* RSpec's own words for errors outside of examples. */
	if (speech == &speeches[0] && errors > 0)
		printf("%s%ld error%s occurred outside of examples",
		    shown++ ? ", " : "", errors, errors == 1 ? "" : "s");
	if (shown == 0)
		printf("no tests ran");
}

static void
print_artifacts(void)
{
	printf("artifacts: %lld file%s, ", art_files,
	    art_files == 1 ? "" : "s");
	if (art_bytes < 1000)
		printf("%lld bytes", art_bytes);
	else
		printf("%.1f %s", art_bytes / (art_bytes < 1e6 ? 1e3 : 1e6),
		    art_bytes < 1e6 ? "kB" : "MB");
	printf(", from %ld node%s\n", art_nodes, art_nodes == 1 ? "" : "s");
}

/* What an interrupted run left running, and why it ended. */
static void
print_interrupted(const char *how)
{
	size_t i;

	for (i = 0; i < nslots; i++) {
		gh_flush(&slots[i].gh, "error");
		if (slots[i].path != NULL)
			printf("still running: %s%s%s%s (%s/%d)\n",
			    slots[i].path, slots[i].part ? " [part " : "",
			    slots[i].part ? slots[i].part : "",
			    slots[i].part ? "]" : "", slots[i].node, slots[i].r);
	}
	printf("%s\n", how);
}

/* Each test that failed, then passed on a retry, and where. */
static void
print_flaky(void)
{
	const struct flaky *fl;
	size_t i;

	for (i = 0; i < nflakies; i++) {
		fl = &flakies[i];
		printf("%sFLAKY%s %s", flaky_fails ? red : "", flaky_fails ?
		    off : "", fl->location ? fl->location : fl->path);
		if (fl->name != NULL && strcmp(fl->name, fl->path) != 0)
			printf(" %s", fl->name);
		printf(" (failed on %s, passed on try %d on %s)\n", fl->failed,
		    fl->try, fl->passed);
	}
	if (nflakies > 0 && flaky_fails)
		printf("flaky tests fail this run (flaky = fail)\n");
}

static int
run_status(const char *how)
{
	if (how != NULL || nlost > 0)
		return DT_EX_INCOMPLETE;
	if (failures + errors + files_failed > 0 ||
	    (flaky_fails && nflakies > 0))
		return DT_EX_FAILED;
	if (ndones == 0)
		return DT_EX_NOTESTS;
	return DT_EX_OK;
}

static int
summary(const char *how)
{
	double wall = dt_now() - t0;
	size_t i;
	int rc, notests;

	ended = 1;
	clear_status();
	save_timings(how == NULL);
	add_unsettled();
	save_failed();
	printf("\n%s%s%ld file%s, ", bold, failures + errors + files_failed +
	    (long)nlost > 0 || how != NULL || (flaky_fails && nflakies > 0) ?
	    red : green, files_done, files_done == 1 ? "" : "s");
	print_words();
	if (nflakies > 0)
		printf(", %zu flaky", nflakies);
	if (nlost > 0)
		printf(", %zu lost", nlost);
	printf(" in %.2fs on %ld runner%s%s\n", wall, runners_peak,
	    runners_peak == 1 ? "" : "s", off);
	if (ndones > 0)
		qsort(dones, ndones, sizeof(*dones), cmp_slow);
	if (ndones > 0 && runners_peak > 0 && wall > 0 && work >= 0.01)
		print_bound(wall);
	if (ndones > 1 && nslowest > 0) {
		printf("slowest:\n");
		for (i = 0; i < ndones && i < (size_t)nslowest; i++)
			printf("  %8.2fs  %s%s%s%s  (%s)\n", dones[i].secs,
			    dones[i].path, dones[i].part ? " [part " : "",
			    dones[i].part ? dones[i].part : "",
			    dones[i].part ? "]" : "", dones[i].where);
	}
	print_flaky();
	for (i = 0; i < nlost; i++)
		printf("LOST %s\n", lost[i]);
	if (requeued > 0)
		printf("%ld file%s rerun after losing a runner\n", requeued,
		    requeued == 1 ? " was" : "s were");
	if (art_nodes > 0)
		print_artifacts();
	if (how != NULL)
		print_interrupted(how);
	/* A node that was still coming when the run ended says so. */
	for (i = 0; i < nnodenames; i++)
		if (!nodeheard[i])
			printf("node %s took no part: the run ended before it "
			    "was ready\n", nodenames[i]);
	if (files > files_done + (long)nlost)
		printf("%ld of %ld files did not run\n",
		    files - files_done - (long)nlost, files);
	if (seed != NULL && (randomized ||
	    strcmp(speech->framework, "minitest") == 0))
		printf("seed %s: distributest --seed %s orders the tests within "
		    "each file the same\n", seed, seed);
	rc = run_status(how);
	notests = rc == DT_EX_NOTESTS;
	/* Stopped by a signal, the run's status is that signal's. */
	if (signalled)
		rc = DT_EX_SIGNAL + signalled;
	/* A report CI waits for that is missing must not pass. */
	if (junitpath != NULL && write_junit(wall) < 0 && rc == DT_EX_OK)
		rc = DT_EX_SYS;
	json_summary(how, rc, wall);
	if (logf != NULL) {
		fprintf(logf, "exit %d\n", rc);
		log_check();
	}
	print_log_line();
	if (notests)
		printf("no test files found%s%s\n", project ? " in " : "",
		    project ? project : "");
	fflush(stdout);
	return rc;
}

/* The units a runner timed go to the run's, when its file is done. */
static void
keep_units(struct slot *s)
{
	if (units == NULL || nunits + s->nunits > capunits) {
		capunits = (nunits + s->nunits) * 2 + 64;
		units = dt_xrealloc(units, capunits, sizeof(*units));
	}
	if (s->nunits > 0)
		memcpy(units + nunits, s->units, s->nunits * sizeof(*units));
	nunits += s->nunits;
	s->nunits = 0;
}

static void
ev_set(char **f, int k)
{
	(void)k;
	if (strcmp(f[1], "log") == 0) {
		logpath = dt_xstrdup(f[2]);
		open_log(logpath);
	} else if (strcmp(f[1], "timings") == 0)
		timingspath = dt_xstrdup(f[2]);
	else if (strcmp(f[1], "failed") == 0)
		failedpath = dt_xstrdup(f[2]);
	else if (strcmp(f[1], "project") == 0)
		project = dt_xstrdup(f[2]);
	else if (strcmp(f[1], "retry") == 0)
		retry_max = atoi(f[2]);
	else if (strcmp(f[1], "flaky") == 0)
		flaky_fails = strcmp(f[2], "fail") == 0;
	else if (strcmp(f[1], "seed") == 0) {
		free(seed);
		seed = dt_xstrdup(f[2]);
	} else if (strcmp(f[1], "framework") == 0) {
		size_t i;

		for (i = 0; i < sizeof(speeches) / sizeof(*speeches); i++)
			if (strcmp(speeches[i].framework, f[2]) == 0)
				speech = &speeches[i];
	}
}

/* A file's expected seconds, 0 when it was never timed. */
static double
est_of(const char *path)
{
	double v = dt_timings_get(&est, path);

	return v > 0 ? v : 0;
}

/* With every file timed, the status line says about how long is left. */
static void
ev_tests_end(char **f, int k)
{
	size_t i;
	double sum = 0;

	files = (long)val[1];
	whole_project = k > 2 && strcmp(f[2], "all") == 0;
	if (!tty || timingspath == NULL || dt_timings_read(&est,
	    timingspath) < 0)
		return;
	for (i = 0; i < nlisted; i++) {
		if (dt_timings_get(&est, listed[i]) <= 0)
			return;
		sum += est_of(listed[i]);
	}
	est_left = sum;
}

static void
ev_test(char **f, int k)
{
	listed = dt_xrealloc(listed, nlisted + 1, sizeof(*listed));
	listed[nlisted++] = dt_xstrdup(f[1]);
	if (k > 3) {
		partial = dt_xrealloc(partial, npartial + 1,
		    sizeof(*partial));
		partial[npartial++] = listed[nlisted - 1];
	}
}

static void
ev_split(char **f, int k)
{
	struct split *sp;

	(void)k;
	splits = dt_xrealloc(splits, nsplits + 1, sizeof(*splits));
	sp = &splits[nsplits++];
	memset(sp, 0, sizeof(*sp));
	sp->path = dt_xstrdup(f[1]);
	sp->nparts = (int)val[2];
	sp->over = val[3];
	if (verbose)
		say("%s runs in %s parts\n", f[1], f[2]);
}

static void
ev_unit(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	double secs = val[5];
	struct unit *u;

	if (s->path != NULL && strcmp(s->path, f[3]) == 0) {
		s->units = dt_xrealloc(s->units, s->nunits + 1,
		    sizeof(*s->units));
		u = &s->units[s->nunits++];
		u->path = dt_xstrdup(f[3]);
		u->id = dt_xstrdup(f[4]);
		u->secs = secs;
	}
	if (reporting && runs(s, f[3]))
		res_unit(s, f, k);
	if (k > 6 && runs(s, f[3]) && (strcmp(f[6], "failed") == 0 ||
	    strcmp(f[6], "error") == 0))
		bad_note(s, f[4], k > 7 ? f[7] : "", k > 8 ? f[8] : "",
		    strcmp(f[6], "error") == 0);
}

static void
node_heard(const char *name, int add)
{
	size_t i;

	for (i = 0; i < nnodenames; i++)
		if (strcmp(nodenames[i], name) == 0) {
			nodeheard[i] |= !add;
			return;
		}
	if (!add)
		return;
	nodenames = dt_xrealloc(nodenames, nnodenames + 1, sizeof(*nodenames));
	nodeheard = dt_xrealloc(nodeheard, nnodenames + 1, sizeof(*nodeheard));
	nodenames[nnodenames] = dt_xstrdup(name);
	nodeheard[nnodenames++] = 0;
}

static void
ev_node(char **f, int k)
{
	(void)k;
	node_heard(f[1], 1);
}

static void
ev_node_down(char **f, int k)
{
	node_heard(f[1], 0);
	say("node %s is out of the run (%s): %s\n", f[1], f[2], f[3]);
	json_event("node-down", f, k, (const char *const[]){ "node", "stage",
	    "reason", NULL });
}

static void
ev_ready(char **f, int k)
{
	node_heard(f[1], 0);
	nodes_up++;
	if (verbose)
		say("node %s ready\n", f[1]);
	json_event("ready", f, k, (const char *const[]){ "node", "seconds",
	    NULL });
}

static void
ev_runner_up(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	if (!s->was_up) {
		s->was_up = 1;
		s->up = dt_now() - t0;
	}
	s->is_up = 1;
	if (++runners_up > runners_peak)
		runners_peak = runners_up;
	json_event("runner-up", f, k, (const char *const[]){ "node", "runner",
	    "id", NULL });
}

static void
ev_runner_down(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	/* One that never came up (its runner_setup failed) never counted. */
	if (s->is_up)
		runners_up--;
	s->is_up = 0;
	if (k > 4 && strcmp(f[4], "replacing") == 0)
		say("runner %s/%s lost its worker (%s); starting a new one\n",
		    f[1], f[2], f[3]);
	else
		say("runner %s/%s is out: %s\n", f[1], f[2], f[3]);
	json_event("runner-down", f, k, (const char *const[]){ "node",
	    "runner", "reason", "replacing", NULL });
}

static void
ev_assign(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	struct tried *tr;

	free(s->path);
	s->path = dt_xstrdup(f[3]);
	free(s->part);
	s->part = k > 4 && *f[4] ? dt_xstrdup(f[4]) : NULL;
	drop_units(s);
	res_drop(s);
	try_reset(s);
	dt_buf_reset(&s->output);
	dt_buf_reset(&s->gh);
	s->failed = 0;
	s->try = k > 5 && *f[5] ? (int)val[5] : 1;
	tr = s->try > 1 ? tried_find(f[3], s->part, 0) : NULL;
	s->partial = tr != NULL && tr->partial;
	running++;
}

/* dt-feed runs the file a runner ran again: its done line follows. */
static void
ev_retry(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	int i;

	if (s->path == NULL || strcmp(s->path, f[3]) != 0)
		return;
	s->retrying = (int)val[4];
	s->rids = dt_xcalloc(k > 6 ? k - 6 : 1, sizeof(*s->rids));
	for (i = 6; i < k; i++)
		s->rids[s->nrids++] = dt_xstrdup(f[i]);
	tried_find(f[3], s->part, 1)->partial = s->nrids > 0;
}

static void
ev_out(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	(void)k;
	if (verbose)
		say("%s/%s| %s\n", f[1], f[2], f[4]);
	/* An adapter's word that its framework orders at random. */
	if (*f[3] == '\0' && strstr(f[4], ": Randomized with seed ") != NULL)
		randomized = 1;
	dt_buf_adds(&s->output, f[4]);
	dt_buf_addc(&s->output, '\n');
	/* The end tells most, of a failure as of a hang: the oldest half goes. */
	if (s->output.len > KEEP_OUTPUT) {
		size_t half = s->output.len / 2, n;
		char *nl = memchr(s->output.s + half, '\n', s->output.len - half);

		n = nl ? (size_t)(nl + 1 - s->output.s) : s->output.len;
		memmove(s->output.s, s->output.s + n, s->output.len - n);
		s->output.len -= n;
	}
}

/* The last lines of a file's output, as kept, each after PREFIX. */
static void
print_tail(const struct dt_buf *b, int lines, const char *prefix)
{
	size_t start = b->len;
	int n = 0;
	char *tail;

	if (b->len == 0) {
		printf("%s(no output)\n", prefix);
		return;
	}
	if (b->s[start - 1] == '\n')
		start--;
	while (start > 0 && !(b->s[start - 1] == '\n' && ++n == lines))
		start--;
	tail = dt_xasprintf("%.*s", (int)(b->len - start), b->s + start);
	indent(tail, prefix);
	free(tail);
}

/*
 * A file past its timeout: dt-feed has its runner killed, and the output
 * the runner had left comes before its lost line, which shows it.
 */
static void
ev_timeout(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	s->timeout = (long long)val[4];
	s->timed_out = 1;
	json_event("timeout", f, k, (const char *const[]){ "node", "runner",
	    "file", "seconds", "part", NULL });
}

static void
show_timeout(struct slot *s)
{
	clear_status();
	printf("\nTIMEOUT %s%s%s%s (%s/%d): no result after %lld s; its "
	    "runner was killed and replaced. The end of its output:\n",
	    s->path, s->part ? " [part " : "", s->part ? s->part : "",
	    s->part ? "]" : "", s->node, s->r, s->timeout);
	print_tail(&s->output, 20, "  | ");
	fflush(stdout);
	s->timed_out = 0;
}

static void
ev_fail(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	s->failed = 1;
	clear_status();
	printf("\n%s%s%s %s (%s/%s%s)\n", red, strcmp(f[4], "error") == 0 ?
	    "ERROR" : "FAIL", off, *f[6] ? f[6] : f[3], f[1], f[2],
	    try_label(s));
	if (*f[5])
		indent(f[5], "  ");
	if (*f[7])
		indent(f[7], "    ");
	if (k > 8 && *f[8])
		printf("  rerun: %s\n", f[8]);
	/* A failure that may run again waits to be a warning or an error. */
	if (github)
		annotate(&s->gh, f[3], f[6], f[5], f[7]);
	if (github && !(runs(s, f[3]) && s->try <= retry_max))
		gh_flush(&s->gh, "error");
	fflush(stdout);
	said_at = dt_now();
	res_fail(s, f, k);
	if (k > 9 && *f[9])
		dt_line_field(&s->fids, f[9]);
	else
		s->fwhole = 1;
	if (k > 9 && runs(s, f[3]))
		bad_note(s, f[9], f[5], f[6], strcmp(f[4], "error") == 0);
}

/* A count line: one of the framework's words, for the file a runner runs. */
static void
ev_count(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	const struct word *w;
	size_t i;

	(void)k;
	for (i = 0; i < NWORDS && (w = &speech->words[i])->one != NULL; i++)
		if (strcmp(f[4], w->many) == 0 || strcmp(f[4], w->one) == 0) {
			s->counts[i] += (long)val[5];
			s->counted = 1;
			return;
		}
}

/*
 * A file's words into the totals: its count lines, or its done line's,
 * less those of the units that run again (less, by F_ kind).
 */
static void
add_words(struct slot *s, const long *less)
{
	const struct word *w;
	long n;
	size_t i;

	for (i = 0; i < NWORDS && (w = &speech->words[i])->one != NULL; i++) {
		if (s->counted)
			n = s->counts[i];
		else if (w->from == F_PASSED)
			n = (long)(val[6] - val[7] - val[8] - val[9]);
		else if (w->from != F_NONE)
			n = (long)val[6 + w->from - F_EXAMPLES];
		else
			n = 0;
		if (w->from >= F_EXAMPLES && w->from <= F_ERRORS)
			n -= less[w->from];
		totals[i] += n > 0 ? n : 0;
	}
	memset(s->counts, 0, sizeof(s->counts));
	s->counted = 0;
}

static long
less_of(double v, long less)
{
	return (long)v > less ? (long)v - less : 0;
}

/*
 * A done line's counts into the run's.  A try that runs again whole
 * counts nothing; one whose failed units run again counts the others:
 * the totals are those of each test's last try.
 */
static void
add_counts(struct slot *s, const char *path, int retried)
{
	long less[F_PASSED + 1] = { 0 };
	long *held = retried ? tried_find(path, s->part, 1)->held : NULL;
	size_t i;

	if (retried && s->nrids == 0) {
		for (i = F_EXAMPLES; i <= F_ERRORS; i++)
			held[i] = (long)val[6 + i - F_EXAMPLES];
		held[F_PASSED] = less_of(val[6], (long)(val[7] + val[8] +
		    val[9]));
		memset(s->counts, 0, sizeof(s->counts));
		s->counted = 0;
		return;
	}
	for (i = 0; retried && i < s->nrids; i++) {
		less[F_EXAMPLES]++;
		less[is_bad(s, s->rids[i]) == 2 ? F_ERRORS : F_FAILURES]++;
	}
	if (retried)
		memcpy(held, less, sizeof(less));
	examples += less_of(val[6], less[F_EXAMPLES]);
	failures += less_of(val[7], less[F_FAILURES]);
	pending += (long)val[8];
	errors += less_of(val[9], less[F_ERRORS]);
	add_words(s, less);
}

/* NODE/R into a list of runners, once. */
static void
where_add(char **w, const struct slot *s)
{
	char *me = dt_xasprintf("%s/%d", s->node, s->r), *old = *w;
	const char *p;
	size_t n = strlen(me);

	for (p = old; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 2 :
	    NULL)
		if (strncmp(p, me, n) == 0 && (p[n] == '\0' || p[n] == ','))
			break;
	if (p == NULL) {
		*w = dt_xasprintf("%s%s%s", old ? old : "", old ? ", " : "",
		    me);
		free(old);
	}
	free(me);
}

/* With flaky = fail, a flaky test is an error of the run. */
static void
flaky_annotate(const struct flaky *fl)
{
	struct dt_buf b = { 0 };
	char *m = dt_xasprintf("flaky: failed on %s, passed on try %d on %s",
	    fl->failed, fl->try, fl->passed);

	annotate(&b, fl->path, fl->location ? fl->location : "",
	    fl->name ? fl->name : fl->path, m);
	gh_flush(&b, "error");
	dt_buf_free(&b);
	free(m);
}

static void
flaky_add(const char *path, const struct bad *b, const char *where,
    const struct slot *s)
{
	struct flaky *fl;

	flakies = dt_xrealloc(flakies, nflakies + 1, sizeof(*flakies));
	fl = &flakies[nflakies++];
	fl->path = dt_xstrdup(path);
	fl->id = b && b->id ? dt_xstrdup(b->id) : NULL;
	fl->name = b && b->name ? dt_xstrdup(b->name) : NULL;
	fl->location = b && b->location ? dt_xstrdup(b->location) : NULL;
	fl->failed = dt_xstrdup(where ? where : "");
	fl->passed = dt_xasprintf("%s/%d", s->node, s->r);
	fl->try = s->try;
	if (github && flaky_fails)
		flaky_annotate(fl);
}

/*
 * A try that runs some units again: the units that failed before and do
 * not run again passed on it, flaky.
 */
static void
flaky_settle(struct slot *s, const char *path, struct tried *tr)
{
	struct dt_buf ids = { 0 };
	size_t i, k;

	for (i = k = 0; i < tr->nbad; i++) {
		if (in_rids(s, tr->bad[i].id) || is_bad(s, tr->bad[i].id)) {
			tr->bad[k++] = tr->bad[i];
			continue;
		}
		flaky_add(path, &tr->bad[i], tr->bad[i].where, s);
		dt_line_field(&ids, tr->bad[i].id);
		bad_free(&tr->bad[i]);
	}
	tr->nbad = k;
	/* Failing the run, they are what --failed runs again. */
	if (flaky_fails && ids.len > 0)
		add_failed(path, &ids, 0);
	dt_buf_free(&ids);
}

/* The failures of a try that runs again join its file's earlier ones. */
static void
tried_note(struct slot *s, const char *path, int passed)
{
	struct tried *tr = tried_find(path, s->part, 1);
	size_t i;

	for (i = 0; i < s->nbad; i++)
		where_add(&bad_add(&tr->bad, &tr->nbad, &s->bad[i])->where, s);
	if (s->fwhole || (!passed && s->nbad == 0)) {
		tr->file = 1;
		where_add(&tr->where, s);
	}
	if (s->nrids > 0)
		flaky_settle(s, path, tr);
}

/*
 * The last try of a file that ran again: a unit that failed before and
 * not now is flaky, unless this try failed with no unit named; a file
 * that failed with no unit named, and passed now, is.
 */
static void
flaky_find(struct slot *s, const char *path, int passed)
{
	struct tried *tr = tried_find(path, s->part, 0);
	struct dt_buf ids = { 0 };
	size_t i, before = nflakies;

	if (tr == NULL)
		return;
	tr->settled = 1;
	if (!passed && (s->fwhole || s->nbad == 0))
		return;
	for (i = 0; i < tr->nbad; i++)
		if (!is_bad(s, tr->bad[i].id)) {
			flaky_add(path, &tr->bad[i], tr->bad[i].where, s);
			dt_line_field(&ids, tr->bad[i].id);
		}
	if (tr->file && tr->nbad == 0 && passed)
		flaky_add(path, NULL, tr->where, s);
	/* Failing the run, they are what --failed runs again. */
	if (flaky_fails && nflakies > before)
		add_failed(path, &ids, tr->nbad == 0);
	dt_buf_free(&ids);
}

/* What a done line prints: the output of a try that did not pass. */
static void
show_done(struct slot *s, char **f, const char *part, int passed,
    int retried)
{
	if (!passed && s->output.len > 0) {
		clear_status();
		printf("--- output of %s%s%s%s (%s/%s%s)\n", f[3],
		    part ? " [part " : "", part ? part : "",
		    part ? "]" : "", f[1], f[2], try_label(s));
		fwrite(s->output.s, 1, s->output.len, stdout);
		printf("---\n");
	}
	if (!passed && !s->failed)
		say("\n%s%s%s %s (%s/%s%s): no details\n", red,
		    strcmp(f[4], "error") == 0 ? "ERROR" : "FAIL", off,
		    f[3], f[1], f[2], try_label(s));
	if (!passed && !s->failed && github)
		annotate(&s->gh, f[3], "", f[3], "no details: see the log");
	gh_flush(&s->gh, retried ? "warning" : "error");
	if (retried) {
		char of[32] = "", what[64] = "it";

		if (retry_max > 0)
			snprintf(of, sizeof(of), " of %d", retry_max + 1);
		if (s->nrids > 0)
			snprintf(what, sizeof(what), "%zu test%s", s->nrids,
			    s->nrids == 1 ? "" : "s");
		say("retrying %s%s%s%s: %s failed on %s/%s; try %d%s\n",
		    f[3], part ? " [part " : "", part ? part : "",
		    part ? "]" : "", what, f[1], f[2], s->retrying, of);
	}
	if (!tty && !retried && (!quiet || !passed)) {
		printf("%s%-6s%s %s%s%s%s (%.2fs, %s/%s%s)\n", passed ? green :
		    red, f[4], off, f[3], part ? " [part " : "", part ? part :
		    "", part ? "]" : "", val[5], f[1], f[2], try_label(s));
		said_at = dt_now();
	}
}

/* A file, or a part of one, is counted once, by its last try. */
static void
count_done(struct split *sp, int passed, int retried, int again)
{
	if (sp != NULL) {
		if (!again) {
			sp->secs += val[5];
			if (val[5] > sp->longest)
				sp->longest = val[5];
		}
		if (retried)
			return;
		if (++sp->done == sp->nparts)
			files_done++;
		if (!passed && !sp->failed)
			files_failed++;
		if (!passed)
			sp->failed = 1;
	} else if (!retried) {
		files_done++;
		if (!passed)
			files_failed++;
	}
}

/* A file, or a part of one, is done: count it, keep its time. */
static void
ev_done(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);
	struct split *sp = k > 10 && *f[10] ? find_split(f[3]) : NULL;
	const char *part = sp ? f[10] : NULL;
	int passed = strcmp(f[4], "passed") == 0;
	int retried = s->retrying > 0 && runs(s, f[3]);
	int again = s->try > 1;
	struct done *d;

	if (sp != NULL && (int)val[10] != sp->nparts)
		dt_die(DT_EX_DATA, "stdin line %lu: done: part %s of %s, "
		    "which was split in %d parts", lineno, part, f[3],
		    sp->nparts);
	running--;
	add_counts(s, f[3], retried);
	count_done(sp, passed, retried, again);
	if (!passed && !retried)
		add_failed(f[3], &s->fids, s->fwhole || !s->failed);
	if (retried)
		tried_note(s, f[3], passed);
	else if (again)
		flaky_find(s, f[3], passed);
	dt_buf_reset(&s->fids);
	/* A try of some units only says nothing of the file's others. */
	if (s->partial || (retried && s->nrids == 0))
		drop_units(s);
	else
		keep_units(s);
	report_done(s, f, part, retried);
	show_done(s, f, part, passed, retried);
	s->fwhole = 0;
	if (ndones == capdones) {
		capdones = capdones ? capdones * 2 : 256;
		dones = dt_xrealloc(dones, capdones, sizeof(*dones));
	}
	d = &dones[ndones++];
	d->path = dt_xstrdup(f[3]);
	d->part = part ? dt_xstrdup(part) : NULL;
	d->secs = val[5];
	d->where = dt_xasprintf("%s/%s%s", f[1], f[2], try_label(s));
	d->again = again;
	work += d->secs;
	if (est_left >= 0 && part == NULL && !again)
		est_left -= est_of(f[3]);
	try_reset(s);
	dt_buf_reset(&s->output);
	free(s->path);
	s->path = NULL;
}

static void
ev_requeue(char **f, int k)
{
	struct slot *s = slot(f[1], (int)val[2]);

	free(s->path);
	s->path = NULL;
	drop_units(s);
	res_drop(s);
	dt_buf_reset(&s->fids);
	s->fwhole = 0;
	try_reset(s);
	gh_flush(&s->gh, "warning");
	running--;
	requeued++;
	say("rerunning %s: its runner %s/%s was lost: %s\n", f[3],
	    f[1], f[2], f[4]);
	report_requeue(f);
	json_event("requeue", f, k, (const char *const[]){ "node", "runner",
	    "file", "reason", NULL });
}

/* A retry lost: the totals have the try before it, as its last result. */
static void
held_add(const char *path, const char *part)
{
	struct tried *tr = tried_find(path, part, 0);
	const struct word *w;
	size_t i;

	if (tr == NULL || tr->settled)
		return;
	tr->settled = 1;
	examples += tr->held[F_EXAMPLES];
	failures += tr->held[F_FAILURES];
	pending += tr->held[F_PENDING];
	errors += tr->held[F_ERRORS];
	for (i = 0; i < NWORDS && (w = &speech->words[i])->one != NULL; i++)
		if (w->from != F_NONE)
			totals[i] += tr->held[w->from];
}

/* A file, or part, that ran out of tries ran until now. */
static void
ev_lost(char **f, int k)
{
	const char *part = k > 3 && *f[3] ? f[3] : NULL;
	size_t i;

	held_add(f[1], part);
	for (i = 0; i < nslots; i++)
		if (slots[i].path != NULL &&
		    strcmp(slots[i].path, f[1]) == 0 &&
		    (part == NULL || (slots[i].part != NULL &&
		    strcmp(slots[i].part, part) == 0)))
			break;
	report_lost(i < nslots ? &slots[i] : NULL, f, k);
	if (i < nslots) {
		if (slots[i].timed_out)
			show_timeout(&slots[i]);
		gh_flush(&slots[i].gh, "error");
		free(slots[i].path);
		slots[i].path = NULL;
		running--;
	}
	/* Two lost parts of a file are one file lost. */
	for (i = 0; i < nlost; i++)
		if (strcmp(lostpaths[i], f[1]) == 0)
			break;
	if (i == nlost) {
		lost = dt_xrealloc(lost, nlost + 1, sizeof(*lost));
		lostpaths = dt_xrealloc(lostpaths, nlost + 1,
		    sizeof(*lostpaths));
		lostpaths[nlost] = dt_xstrdup(f[1]);
		lost[nlost++] = dt_xasprintf("%s: %s", f[1], f[2]);
	}
	say("LOST %s: %s\n", f[1], f[2]);
	add_failed(f[1], NULL, 0);
}

/* A node put artifacts where dt-sync -b fetches them; -a names it. */
static void
ev_artifacts(char **f, int k)
{
	(void)k;
	art_nodes++;
	art_files += (long long)val[2];
	art_bytes += (long long)val[3];
	if (artpath == NULL)
		return;
	if (artf == NULL && (artf = fopen(artpath, "w")) == NULL)
		dt_die_sys(DT_EX_SYS, "%s", artpath);
	if (fprintf(artf, "%s\n", f[1]) < 0 || fflush(artf) != 0)
		dt_die_sys(DT_EX_SYS, "%s", artpath);
}

static void
ev_end(char **f, int k)
{
	exit(summary(k > 1 && strcmp(f[1], "complete") != 0 &&
	    strcmp(f[1], "no-runners") != 0 ? f[1] : NULL));
}

static void (*const acts[DT_EV_MAX])(char **, int) = {
	[DT_EV_SET] = ev_set,
	[DT_EV_NODE] = ev_node,
	[DT_EV_TEST] = ev_test,
	[DT_EV_TESTS_END] = ev_tests_end,
	[DT_EV_NODE_DOWN] = ev_node_down,
	[DT_EV_READY] = ev_ready,
	[DT_EV_RUNNER_UP] = ev_runner_up,
	[DT_EV_RUNNER_DOWN] = ev_runner_down,
	[DT_EV_SPLIT] = ev_split,
	[DT_EV_ASSIGN] = ev_assign,
	[DT_EV_OUT] = ev_out,
	[DT_EV_FAIL] = ev_fail,
	[DT_EV_PENDING] = ev_pending,
	[DT_EV_UNIT] = ev_unit,
	[DT_EV_COUNT] = ev_count,
	[DT_EV_DONE] = ev_done,
	[DT_EV_REQUEUE] = ev_requeue,
	[DT_EV_TIMEOUT] = ev_timeout,
	[DT_EV_LOST] = ev_lost,
	[DT_EV_ARTIFACTS] = ev_artifacts,
	[DT_EV_END] = ev_end,
	[DT_EV_RETRY] = ev_retry,
};

/*
 * Split line n, of len bytes, into its k fields f and find its verb: its
 * index, -1 for a verb of a newer writer, or -2 for a malformed line,
 * with *why, to free, saying how.
 */
static int
parse(char *line, size_t len, unsigned long n, char **f, int *k, char **why)
{
	char *e;
	int v;

	*why = NULL;
	*k = dt_split(line, len, f, DT_FIELDS_MAX);
	if (*k < 0) {
		*why = dt_xasprintf("stdin line %lu: %s", n, dt_line_error);
		return -2;
	}
	if (n == 1 && (e = dt_hello_mismatch(f, *k, "distributest-events",
	    "the event stream")) != NULL) {
		*why = dt_xasprintf("the event stream: %s", e);
		free(e);
		return -2;
	}
	v = dt_verb(dt_events, DT_EV_MAX, f, *k);
	if (v == -2)
		*why = dt_xasprintf("stdin line %lu: \"%s\" needs %d fields, "
		    "has %d", n, f[0], dt_verb_fields(dt_events, DT_EV_MAX,
		    f[0]), *k);
	else if (v >= 0 && (e = dt_event_numbers(v, f, *k, val)) != NULL) {
		*why = dt_xasprintf("stdin line %lu: %s", n, e);
		free(e);
		v = -2;
	}
	return v;
}

static void
event(char *raw, size_t len, unsigned long n)
{
	char *copy, *f[DT_FIELDS_MAX], *why;
	int k, v;

	lineno = n;
	copy = dt_xstrdup(raw);
	if ((v = parse(copy, len, n, f, &k, &why)) == -2)
		dt_die(DT_EX_DATA, "%s", why);
	/* Set first: a log named here gets this line too. */
	if (v == DT_EV_SET)
		ev_set(f, k);
	/* Examples' times would drown the log; the timings keep them. */
	if (v != DT_EV_UNIT)
		log_event(raw, len, v >= 0 && dt_events[v].who ? f[1] : NULL);
	if (v >= 0 && v != DT_EV_SET && acts[v] != NULL)
		acts[v](f, k);
	show_status(0);
	free(copy);
}

/* -j FILE: the directory must take FILE.tmp, now rather than at the end. */
static void
check_junit(void)
{
	struct stat st;
	char *tmp;
	FILE *fp;

	if (stat(junitpath, &st) == 0 && !S_ISREG(st.st_mode))
		return;	/* written as it is, at the end */
	tmp = dt_xasprintf("%s.tmp", junitpath);

	if ((fp = fopen(tmp, "we")) == NULL)
		dt_die_sys(DT_EX_USAGE, "-j %s: cannot write %s", junitpath,
		    tmp);
	fclose(fp);
	(void)unlink(tmp);
	free(tmp);
}

/* The options; returns the colour: 1, 0, or -1 for auto. */
static int
options(int argc, char *argv[])
{
	const char *e;
	int ch, color = -1, fd, json = 0;

	while ((ch = getopt(argc, argv, "a:c:f:j:n:qv")) != -1) {
		switch (ch) {
		case 'c':
			if (strcmp(optarg, "auto") == 0)
				color = -1;
			else if (strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else
				dt_die(DT_EX_USAGE, "-c %s: not auto, always or "
				    "never", optarg);
			break;
		case 'f':
			if ((json = strcmp(optarg, "json") == 0) == 0 &&
			    strcmp(optarg, "text") != 0)
				dt_die(DT_EX_USAGE, "-f %s: not text or json",
				    optarg);
			break;
		case 'j':
			junitpath = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'a':
			artpath = optarg;
			break;
		case 'n':
			nslowest = dt_strtonum(optarg, 0, 1000000, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-n %s: %s", optarg, e);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			dt_usage(USAGE);
		}
	}
	if (optind != argc)
		dt_usage(USAGE);
	if (junitpath != NULL)
		check_junit();
	if (json && ((fd = dup(1)) < 0 || (jsonf = fdopen(fd, "w")) == NULL))
		dt_die_sys(DT_EX_SYS, "stdout");
	reporting = junitpath != NULL || jsonf != NULL;
	return color;
}

/* The form of the output: a terminal's or not, colours, annotations. */
static void
setup_output(int color)
{
	const char *e;

	tty = isatty(1);
	/*
	 * JSON alone goes to standard output; the human output, with its
	 * many printfs, goes nowhere rather than risk a stray line there.
	 */
	if (jsonf != NULL) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			dt_die_sys(DT_EX_SYS, "/dev/null");
		tty = 0;
	}
	t0 = said_at = dt_now();
	github = (e = getenv("GITHUB_ACTIONS")) != NULL &&
	    strcmp(e, "true") == 0;
	if ((e = getenv("DISTRIBUTEST_PROGRESS")) != NULL && *e != '\0') {
		const char *why;

		progress_every = dt_strtonum(e, 1, 86400, &why);
		if (why != NULL)
			dt_die(DT_EX_USAGE, "DISTRIBUTEST_PROGRESS=%s: %s "
			    "(expected 1 to 86400 seconds)", e, why);
	}
	if (color < 0)
		color = tty && ((e = getenv("NO_COLOR")) == NULL || *e == '\0') &&
		    ((e = getenv("TERM")) == NULL || strcmp(e, "dumb") != 0);
	if (color) {
		red = "\033[31m";
		green = "\033[32m";
		dim = "\033[2m";
		bold = "\033[1m";
		off = "\033[m";
	}
}

/* Seconds the stages before us have, after a signal, to end the input. */
#define SIGNAL_GRACE 10

static void
caught(int sig)
{
	signalled = sig;
}

int
main(int argc, char *argv[])
{
	struct dt_reader in;
	struct pollfd pfd;
	struct sigaction sa;
	char *l;
	size_t len;
	double deadline = 0;
	int rc, color;

	dt_hygiene();
	dt_setprog(argv[0]);
	color = options(argc, argv);
	/*
	 * A signal to the process group (Ctrl-C, a closed terminal, a CI
	 * job cancelled) ends the run upstream; we stay to write what it
	 * did, waiting for the end of the input, but not forever.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = caught;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	setup_output(color);
	dt_rd_init(&in, 0, "stdin");
	for (;;) {
		pfd.fd = 0;
		pfd.events = POLLIN;
		if (signalled && deadline == 0)
			deadline = dt_now() + SIGNAL_GRACE;
		if (signalled && dt_now() >= deadline) {
			char *how = dt_xasprintf("the run was interrupted by "
			    "signal %d", (int)signalled);

			rc = summary(how);
			free(how);
			return rc;
		}
		if (poll(&pfd, 1, signalled ? 100 : tty ? 500 : 1000) < 0 &&
		    errno != EINTR)
			dt_die_sys(DT_EX_SYS, "poll");
		if (pfd.revents == 0) {
			show_status(1);
			show_progress();
			continue;
		}
		if (dt_rd_fill(&in) < 0 && errno != EAGAIN && errno != EINTR)
			dt_die_sys(DT_EX_SYS, "stdin");
		while ((rc = dt_rd_line(&in, &l, &len)) > 0)
			event(l, len, in.lineno);
		show_progress();
		if (rc < 0)
			dt_die(DT_EX_DATA, "stdin line %lu: %s", in.lineno,
			    dt_line_error);
		if (in.eof)
			break;
	}
	return summary(in.lineno == 0 ? "no events: the pipeline failed "
	    "before it started" : "the run was interrupted before its end");
}
