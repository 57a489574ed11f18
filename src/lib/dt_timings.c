/*
 * The timings table: a header line, then one line per file with its path
 * and the seconds its last complete run took, in the line codec.  It is
 * replaced atomically so an interrupted write never loses the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

#define HEADER "distributest-timings"

static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct dt_timing *)a)->path,
	    ((const struct dt_timing *)b)->path);
}

static void
sort(struct dt_timings *t)
{
	qsort(t->v, t->n, sizeof(*t->v), cmp);
	t->sorted = 1;
}

static struct dt_timing *
find(const struct dt_timings *t, const char *path)
{
	struct dt_timing key = { (char *)path, 0 };

	if (!t->sorted)
		sort((struct dt_timings *)t);
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp);
}

double
dt_timings_get(const struct dt_timings *t, const char *path)
{
	struct dt_timing *e = find(t, path);

	return e ? e->seconds : -1;
}

void
dt_timings_set(struct dt_timings *t, const char *path, double s)
{
	struct dt_timing *e = find(t, path);

	if (e != NULL) {
		e->seconds = s;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = dt_xrealloc(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n].path = dt_xstrdup(path);
	t->v[t->n].seconds = s;
	t->n++;
	t->sorted = 0;
}

/* A missing file is an empty table; a malformed one is an error. */
int
dt_timings_read(struct dt_timings *t, const char *file)
{
	struct dt_reader r;
	char *line, *f[4], *end;
	size_t len;
	int fd, n, rc = 0;
	double s;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return dt_error("%s: %s", file, strerror(errno));
	}
	dt_rd_init(&r, fd, file);
	while ((n = dt_rd_getline(&r, &line, &len)) > 0) {
		n = dt_split(line, len, f, 4);
		if (n < 0) {
			rc = dt_error("%s: line %lu: %s", file, r.lineno,
			    dt_line_error);
			break;
		}
		if (r.lineno == 1) {
			if (n < 2 || strcmp(f[0], HEADER) != 0 ||
			    strcmp(f[1], "1") != 0) {
				rc = dt_error("%s: line 1: not a timings file "
				    "(expected \"%s\t1\")", file, HEADER);
				break;
			}
			continue;
		}
		if (n < 2) {
			rc = dt_error("%s: line %lu: expected PATH and SECONDS",
			    file, r.lineno);
			break;
		}
		errno = 0;
		s = strtod(f[1], &end);
		if (*end != '\0' || !(f[1][0] >= '0' && f[1][0] <= '9') ||
		    strchr(f[1], 'x') || strchr(f[1], 'X') || errno ||
		    !(s >= 0 && s <= 1e9)) {
			rc = dt_error("%s: line %lu: bad seconds \"%s\"",
			    file, r.lineno, f[1]);
			break;
		}
		dt_timings_set(t, f[0], s);
	}
	if (n < 0 && rc == 0)
		rc = dt_error("%s: line %lu: %s", file, r.lineno,
		    dt_line_error);
	dt_rd_free(&r);
	close(fd);
	return rc;
}

int
dt_timings_write(const struct dt_timings *t, const char *file)
{
	struct dt_buf b = { 0 }, tmp = { 0 };
	size_t i;
	int fd, rc = 0;

	if (!t->sorted)
		sort((struct dt_timings *)t);
	dt_buf_addf(&b, "%s\t1\n", HEADER);
	for (i = 0; i < t->n; i++) {
		dt_escape(&b, t->v[i].path, strlen(t->v[i].path));
		dt_buf_addf(&b, "\t%.3f\n", t->v[i].seconds);
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
		free(t->v[i].path);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
