/*
 * The timings table: a header line, then one line per file with its path,
 * the seconds it is expected to take, and the times of its latest runs,
 * in the line codec.  The expectation is the median of the last three
 * runs, so one slow run (a loaded machine, a cold cache) does not reorder
 * the queue, while a file that really got slower moves after two runs.
 * The table is replaced atomically: an interrupted write never loses it.
 *
 * Format 2 adds the units of a file (its examples, when the adapter names
 * them): lines with a fourth field, the unit's id, kept right after the
 * file's own line.  Format 3 adds a fifth field, how many runs found the
 * file or unit flaky; the file's own line then has an empty fourth.  A
 * table with no flaky count is written in format 2, which older versions
 * read.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

#define HEADER "distributest-timings"
#define VERSION "2"
#define VERSION_FLAKY "3"

/* By path, the file before its units, the units by id. */
static int
cmp(const void *a, const void *b)
{
	const struct dt_timing *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c != 0 || x->unit == y->unit)
		return c;
	if (x->unit == NULL || y->unit == NULL)
		return x->unit == NULL ? -1 : 1;
	return strcmp(x->unit, y->unit);
}

static void
sort(struct dt_timings *t)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp);
	t->sorted = 1;
	t->nindex = 0;
}

/*
 * Lookups go through a hash index, so that recording the times of a run
 * of many new files is linear: sorting after each new entry was
 * quadratic.  The index is rebuilt after anything reorders the entries.
 */
static size_t
hash(const char *path, const char *unit)
{
	size_t h = 14695981039346656037u;

	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211u;
	h = (h ^ (unit ? 1 : 2)) * 1099511628211u;
	for (; unit && *unit; unit++)
		h = (h ^ (unsigned char)*unit) * 1099511628211u;
	return h;
}

static void
index_put(struct dt_timings *t, size_t pos)
{
	size_t i = hash(t->v[pos].path, t->v[pos].unit) & (t->nindex - 1);

	while (t->index[i] != 0)
		i = (i + 1) & (t->nindex - 1);
	t->index[i] = pos + 1;
}

static void
index_build(struct dt_timings *t)
{
	size_t i, want = 64;

	while (want < 2 * t->n + 2)
		want *= 2;
	free(t->index);
	t->index = dt_xcalloc(want, sizeof(*t->index));
	t->nindex = want;
	for (i = 0; i < t->n; i++)
		index_put(t, i);
}

static struct dt_timing *
find_unit(const struct dt_timings *ct, const char *path, const char *unit)
{
	struct dt_timings *t = (struct dt_timings *)ct;
	struct dt_timing key = { .path = (char *)path, .unit = (char *)unit };
	size_t i;

	if (t->nindex == 0)
		index_build(t);
	i = hash(path, unit) & (t->nindex - 1);
	for (; t->index[i] != 0; i = (i + 1) & (t->nindex - 1))
		if (cmp(&key, &t->v[t->index[i] - 1]) == 0)
			return &t->v[t->index[i] - 1];
	return NULL;
}

static struct dt_timing *
find(const struct dt_timings *t, const char *path)
{
	return find_unit(t, path, NULL);
}

double
dt_timings_get(const struct dt_timings *t, const char *path)
{
	struct dt_timing *e = find(t, path);

	return e ? e->seconds : -1;
}

static struct dt_timing *
add(struct dt_timings *t, const char *path, const char *unit)
{
	struct dt_timing *e;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = dt_xrealloc(t->v, t->cap, sizeof(*t->v));
	}
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->path = dt_xstrdup(path);
	e->unit = unit ? dt_xstrdup(unit) : NULL;
	t->sorted = 0;
	if (t->nindex > 0 && 2 * t->n + 2 > t->nindex)
		index_build(t);
	else if (t->nindex > 0)
		index_put(t, t->n - 1);
	return e;
}

void
dt_timings_set(struct dt_timings *t, const char *path, double s)
{
	struct dt_timing *e = find(t, path);

	if (e == NULL)
		e = add(t, path, NULL);
	e->seconds = s;
	e->samples[0] = s;
	e->nsamples = 1;
}

static double
median(const double *v, int n)
{
	double a[DT_SAMPLES], x;
	int i, j;

	for (i = 0; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && a[j - 1] > x; j--)
			a[j] = a[j - 1];
		a[j] = x;
	}
	return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static void
sample(struct dt_timing *e, double s)
{
	int i;

	if (e->nsamples < DT_SAMPLES)
		e->nsamples++;
	for (i = e->nsamples - 1; i > 0; i--)
		e->samples[i] = e->samples[i - 1];
	e->samples[0] = s;
	e->seconds = median(e->samples, e->nsamples);
}

/* A new run of path took s seconds. */
void
dt_timings_record(struct dt_timings *t, const char *path, double s)
{
	struct dt_timing *e = find(t, path);

	if (e == NULL)
		dt_timings_set(t, path, s);
	else
		sample(e, s);
}

/* A new run of unit id of path took s seconds. */
void
dt_timings_record_unit(struct dt_timings *t, const char *path,
    const char *id, double s)
{
	struct dt_timing *e = find_unit(t, path, id);

	if (e == NULL) {
		e = add(t, path, id);
		e->seconds = e->samples[0] = s;
		e->nsamples = 1;
	} else
		sample(e, s);
}

/* Path, or its unit id, was found flaky n more times; it must be there. */
void
dt_timings_flaky(struct dt_timings *t, const char *path, const char *id,
    long n)
{
	struct dt_timing *e = find_unit(t, path, id);

	if (e != NULL && n > 0)
		e->flaky = e->flaky > DT_COUNT_MAX - n ? DT_COUNT_MAX :
		    e->flaky + n;
}

/*
 * The units recorded for path: *first is set to the first, and their
 * number returned.  Valid until the table changes.
 */
size_t
dt_timings_units(const struct dt_timings *t, const char *path,
    const struct dt_timing **first)
{
	size_t lo = 0, hi = t->n, n = 0;

	if (!t->sorted)
		sort((struct dt_timings *)t);
	/* The first entry after path's own, which sorts before its units. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->v[mid].path, path) <= 0 &&
		    (strcmp(t->v[mid].path, path) < 0 ||
		    t->v[mid].unit == NULL))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = t->n > 0 ? t->v + lo : t->v;	/* no offset to NULL */
	while (lo + n < t->n && t->v[lo + n].unit != NULL &&
	    strcmp(t->v[lo + n].path, path) == 0)
		n++;
	return n;
}

static void
entry_free(struct dt_timing *e)
{
	free(e->path);
	free(e->unit);
}

static void
compact(struct dt_timings *t, const char *keep)
{
	size_t i, k = 0;

	for (i = 0; i < t->n; i++)
		if (keep[i])
			t->v[k++] = t->v[i];
		else
			entry_free(&t->v[i]);
	t->n = k;
	t->nindex = 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Forget every file not in paths, and its units: deleted files leave. */
void
dt_timings_retain(struct dt_timings *t, char *const *paths, size_t n)
{
	char **sorted = dt_xcalloc(n + 1, sizeof(*sorted));
	char *keep = dt_xcalloc(t->n + 1, 1);
	size_t i;

	if (n > 0)
		memcpy(sorted, paths, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i < t->n; i++)
		keep[i] = bsearch(&t->v[i].path, sorted, n, sizeof(*sorted),
		    cmp_str) != NULL;
	compact(t, keep);
	free(keep);
	free(sorted);
}

/* The units of path are ids and no others: removed examples leave. */
void
dt_timings_keep_units(struct dt_timings *t, const char *path,
    char *const *ids, size_t n)
{
	const struct dt_timing *first;
	char **sorted, *keep;
	size_t i, nu, at;

	nu = dt_timings_units(t, path, &first);
	if (nu == 0)
		return;
	at = first - t->v;
	sorted = dt_xcalloc(n + 1, sizeof(*sorted));
	if (n > 0)
		memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	keep = dt_xcalloc(t->n + 1, 1);
	memset(keep, 1, t->n);
	for (i = at; i < at + nu; i++)
		keep[i] = bsearch(&t->v[i].unit, sorted, n, sizeof(*sorted),
		    cmp_str) != NULL;
	compact(t, keep);
	free(keep);
	free(sorted);
}

/* A field for a message: escaped, and cut short. */
static char *
quoted(const char *s)
{
	struct dt_buf b = { 0 };
	size_t n = strlen(s);

	dt_escape(&b, s, n > 40 ? 40 : n);
	dt_buf_adds(&b, n > 40 ? "..." : "");
	return b.s;
}

/* "S1,S2,S3": the latest runs, newest first; those past three are not kept. */
static char *
samples(struct dt_timing *e, const char *list)
{
	const char *p = list, *comma, *why;
	char *one, *q, *msg;
	double s;

	e->nsamples = 0;
	do {
		comma = strchr(p, ',');
		one = comma ? dt_xasprintf("%.*s", (int)(comma - p), p) :
		    dt_xstrdup(p);
		s = dt_strtosecs(one, &why);
		if (why != NULL) {
			q = quoted(one);
			msg = dt_xasprintf("sample \"%s\" is %s", q, why);
			free(q);
			free(one);
			return msg;
		}
		free(one);
		if (e->nsamples < DT_SAMPLES)
			e->samples[e->nsamples++] = s;
		if (comma != NULL)
			p = comma + 1;
	} while (comma != NULL);
	return NULL;
}

/* A line of the table, f[0] to f[n - 1], as an entry; or why not. */
static char *
entry(struct dt_timings *t, char **f, int n, int version, size_t seq)
{
	struct dt_timing e = { 0 };
	const char *why;
	char *q, *msg;

	if (n < 2)
		return dt_xstrdup("expected PATH and SECONDS");
	e.seconds = e.samples[0] = dt_strtosecs(f[1], &why);
	e.nsamples = 1;
	if (why != NULL) {
		q = quoted(f[1]);
		msg = dt_xasprintf("seconds \"%s\" is %s", q, why);
		free(q);
		return msg;
	}
	if (n > 2 && (msg = samples(&e, f[2])) != NULL)
		return msg;
	if (version >= 3 && n > 4) {
		e.flaky = dt_strtonum(f[4], 0, DT_COUNT_MAX, &why);
		if (why != NULL) {
			q = quoted(f[4]);
			msg = dt_xasprintf("flaky count \"%s\" is %s", q, why);
			free(q);
			return msg;
		}
	}
	/* Appended now, sorted once at the end: no quadratic read. */
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = dt_xrealloc(t->v, t->cap, sizeof(*t->v));
	}
	e.path = dt_xstrdup(f[0]);
	/* Format 3 gives a file's own line an empty unit, for its count. */
	e.unit = n > 3 && version >= 2 && (version < 3 || *f[3] != '\0') ?
	    dt_xstrdup(f[3]) : NULL;
	e.seq = seq;
	t->v[t->n++] = e;
	t->sorted = 0;
	return NULL;
}

static int
cmp_seq(const void *a, const void *b)
{
	const struct dt_timing *x = a, *y = b;
	int c = cmp(a, b);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by path; of lines with one path, the later one wins. */
static void
dedupe(struct dt_timings *t)
{
	size_t i, k = 0;

	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_seq);
	for (i = 0; i < t->n; i++) {
		if (k > 0 && cmp(&t->v[k - 1], &t->v[i]) == 0) {
			entry_free(&t->v[k - 1]);
			t->v[k - 1] = t->v[i];
		} else
			t->v[k++] = t->v[i];
	}
	t->n = k;
	t->sorted = 1;
	t->nindex = 0;
}

/*
 * The next line: 1, 0 at the end, -1 for a line that breaks the codec
 * (read past, so that the next one can be read), -2 when reading fails.
 */
static int
next_line(struct dt_reader *r, char **line, size_t *len)
{
	char *nl;
	size_t had;
	int rc;

	for (;;) {
		had = r->len;
		rc = dt_rd_line(r, line, len);
		if (rc < 0 && had > 0 && r->len == had) {
			/*
			 * Too long to hold: what has come of it is dropped,
			 * and the rest up to its end as it comes.
			 */
			while ((nl = memchr(r->buf + r->start, '\n',
			    r->len)) == NULL) {
				r->start = r->len = 0;
				if (r->eof)
					return -1;
				if (dt_rd_fill(r) < 0)
					return -2;
			}
			r->len -= nl + 1 - (r->buf + r->start);
			r->start = nl + 1 - r->buf;
			dt_line_error = "line too long";
			return -1;
		}
		if (rc != 0 || r->eof)
			return rc;
		if (dt_rd_fill(r) < 0)
			return -2;
	}
}

#define BAD_SHOWN 10	/* bad lines named one by one; then a count */

/*
 * A missing file is an empty table.  One that is not a timings table, or
 * cannot be read, is an error, -1.  A bad line is dropped, the good ones
 * kept: the number dropped is returned, the first few named on stderr.
 */
int
dt_timings_read(struct dt_timings *t, const char *file)
{
	struct dt_reader r;
	char *line, *f[5], *why;
	size_t len, seq = t->n, bad = 0;
	int fd, n, rc = 0, version = 1;

	for (len = 0; len < t->n; len++)
		t->v[len].seq = len;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return dt_error("%s: %s", file, strerror(errno));
	}
	dt_rd_init(&r, fd, file);
	while ((n = next_line(&r, &line, &len)) != 0) {
		if (n == -2) {
			rc = dt_error("%s: %s", file, strerror(errno));
			break;
		}
		if (n > 0)
			n = dt_split(line, len, f, 5);
		if (r.lineno == 1) {
			if (n < 2 || strcmp(f[0], HEADER) != 0 ||
			    (strcmp(f[1], "1") != 0 &&
			    strcmp(f[1], VERSION) != 0 &&
			    strcmp(f[1], VERSION_FLAKY) != 0)) {
				rc = dt_error("%s: line 1: not a timings file "
				    "(expected \"%s\t%s\")", file, HEADER,
				    VERSION_FLAKY);
				break;
			}
			version = atoi(f[1]);
			continue;
		}
		why = n < 0 ? dt_xstrdup(dt_line_error) :
		    entry(t, f, n, version, seq++);
		if (why != NULL && ++bad <= BAD_SHOWN)
			dt_warn("%s: line %lu dropped: %s", file, r.lineno,
			    why);
		free(why);
	}
	if (bad > BAD_SHOWN)
		dt_warn("%s: %zu more bad lines dropped", file,
		    bad - BAD_SHOWN);
	dt_rd_free(&r);
	close(fd);
	dedupe(t);
	return rc < 0 ? rc : (int)(bad < INT_MAX ? bad : INT_MAX);
}

int
dt_timings_write(const struct dt_timings *t, const char *file)
{
	struct dt_buf b = { 0 }, tmp = { 0 };
	size_t i;
	int fd, rc = 0, flaky = 0;

	if (!t->sorted)
		sort((struct dt_timings *)t);
	for (i = 0; i < t->n; i++)
		flaky |= t->v[i].flaky > 0;
	dt_buf_addf(&b, "%s\t%s\n", HEADER, flaky ? VERSION_FLAKY : VERSION);
	for (i = 0; i < t->n; i++) {
		int k;

		dt_escape(&b, t->v[i].path, strlen(t->v[i].path));
		dt_buf_addf(&b, "\t%.3f\t", t->v[i].seconds);
		for (k = 0; k < t->v[i].nsamples; k++)
			dt_buf_addf(&b, "%s%.3f", k ? "," : "",
			    t->v[i].samples[k]);
		if (t->v[i].unit != NULL || t->v[i].flaky > 0)
			dt_buf_addc(&b, '\t');
		if (t->v[i].unit != NULL)
			dt_escape(&b, t->v[i].unit, strlen(t->v[i].unit));
		if (t->v[i].flaky > 0)
			dt_buf_addf(&b, "\t%ld", t->v[i].flaky);
		dt_buf_addc(&b, '\n');
	}
	dt_buf_addf(&tmp, "%s.tmp.%ld", file, (long)getpid());
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = dt_error("%s: %s", tmp.s, strerror(errno));
		goto out;
	}
	if (dt_write_all(fd, b.s, b.len) < 0 || fsync(fd) < 0) {
		rc = dt_error("%s: %s", tmp.s, strerror(errno));
		close(fd);
		unlink(tmp.s);
		goto out;
	}
	close(fd);
	if (rename(tmp.s, file) < 0) {
		rc = dt_error("%s: %s", file, strerror(errno));
		unlink(tmp.s);
	}
out:
	dt_buf_free(&b);
	dt_buf_free(&tmp);
	return rc;
}

void
dt_timings_free(struct dt_timings *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		entry_free(&t->v[i]);
	free(t->v);
	free(t->index);
	memset(t, 0, sizeof(*t));
}
