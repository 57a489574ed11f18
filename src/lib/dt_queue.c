/*
 * The order of the queue: longest expected first, since the run can end
 * no sooner than its longest file started plus that file's time.  A file
 * never timed is expected to take the median of those that were: a new
 * file is as likely to be slow as any, and putting it last would let one
 * slow newcomer end the run alone.  When nothing was ever timed, files go
 * largest first, size being the best guess of length left.  Ties go timed
 * first, then largest, then by path and part, so that a run is repeatable.
 */
#include <stdlib.h>
#include <string.h>

#include "dt.h"

static int
cmp(const void *a, const void *b)
{
	const struct dt_test *x = *(const struct dt_test *const *)a;
	const struct dt_test *y = *(const struct dt_test *const *)b;
	int c;

	if ((x->est >= 0) != (y->est >= 0))
		return x->est >= 0 ? -1 : 1;
	if (x->est != y->est)
		return x->est > y->est ? -1 : 1;
	if ((x->time >= 0) != (y->time >= 0))
		return x->time >= 0 ? -1 : 1;
	if (x->time < 0 && x->size != y->size)
		return x->size > y->size ? -1 : 1;
	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	return x->part - y->part;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of the recorded times, or -1 when there are none. */
double
dt_queue_median(struct dt_test *const *v, size_t n)
{
	double *known = dt_xcalloc(n + 1, sizeof(*known)), m = -1;
	size_t i, k = 0;

	/* A split file counts once, by its first part. */
	for (i = 0; i < n; i++)
		if (v[i]->time >= 0 && v[i]->part <= 1)
			known[k++] = v[i]->time;
	if (k > 0) {
		qsort(known, k, sizeof(*known), cmp_double);
		m = k % 2 ? known[k / 2] : (known[k / 2 - 1] + known[k / 2]) / 2;
	}
	free(known);
	return m;
}

/* Expect each file's recorded time, or the median; then sort. */
void
dt_queue_sort(struct dt_test **v, size_t n)
{
	double m = dt_queue_median(v, n);
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i]->part == 0)
			v[i]->est = v[i]->time >= 0 ? v[i]->time : m;
	qsort(v, n, sizeof(*v), cmp);
}
