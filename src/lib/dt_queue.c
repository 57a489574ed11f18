/*
 * The order of the queue: files with a recorded time first, longest
 * first, since the run can end no sooner than its longest file started
 * plus that file's time; then files never timed, largest first, size
 * being the best guess of length left.  Ties go by path so that a run is
 * repeatable.
 */
#include <stdlib.h>
#include <string.h>

#include "dt.h"

static int
cmp(const void *a, const void *b)
{
	const struct dt_test *x = *(const struct dt_test *const *)a;
	const struct dt_test *y = *(const struct dt_test *const *)b;

	if ((x->time >= 0) != (y->time >= 0))
		return x->time >= 0 ? -1 : 1;
	if (x->time >= 0 && x->time != y->time)
		return x->time > y->time ? -1 : 1;
	if (x->time < 0 && x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->path, y->path);
}

void
dt_queue_sort(struct dt_test **v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp);
}
