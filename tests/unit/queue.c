/*
 * The queue order: longest expected first, a file never timed expected at
 * the median of the timed; ties timed first, then largest, then by path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"
#include "tap.h"

/* Whether a may come before b in the queue (a != b). */
static int
in_order(const struct dt_test *a, const struct dt_test *b)
{
	int ta = a->time >= 0, tb = b->time >= 0;

	if ((a->est >= 0) != (b->est >= 0))
		return a->est >= 0;
	if (a->est != b->est)
		return a->est > b->est;
	if (ta != tb)
		return ta;
	if (!ta && a->size != b->size)
		return a->size > b->size;
	return strcmp(a->path, b->path) <= 0;
}

static struct dt_test *
mk(const char *path, long long size, double time)
{
	struct dt_test *t = dt_xcalloc(1, sizeof(*t));

	t->path = dt_xstrdup(path);
	t->size = size;
	t->time = time;
	return t;
}

static int
order_is(struct dt_test **v, size_t n, const char *const *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i]->path, want[i]) != 0) {
			diag("  position %zu: got %s, expected %s", i,
			    v[i]->path, want[i]);
			return 0;
		}
	return 1;
}

static void
shuffle(struct dt_test **v, size_t n, unsigned *seed)
{
	size_t i, j;
	struct dt_test *t;

	for (i = n; i > 1; i--) {
		j = rand_r(seed) % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static int
cmp_ptr(const void *a, const void *b)
{
	const void *x = *(void *const *)a, *y = *(void *const *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	static const char *const want[] = {
		"slow.rb",		/* timed 30 */
		"mid-a.rb",		/* timed 5, tie by path */
		"mid-b.rb",		/* timed 5 */
		"huge.rb",		/* untimed: the median, 5; 900000 bytes */
		"big-a.rb",		/* untimed 5000, tie by path */
		"big-b.rb",		/* untimed 5000 */
		"empty.rb",		/* untimed, 0 bytes */
		"zero.rb",		/* timed 0: after the median */
	};
	enum { NW = sizeof(want) / sizeof(want[0]) };
	struct dt_test *v[NW], *w[NW], **big, **sorted;
	size_t i, n, bad;
	unsigned seed = 42;
	int round, good, first_bad;
	char path[64];

	plan(14);

	v[0] = mk("mid-b.rb", 10, 5);
	v[1] = mk("empty.rb", 0, -1);
	v[2] = mk("big-b.rb", 5000, -1);
	v[3] = mk("zero.rb", 1, 0);
	v[4] = mk("huge.rb", 900000, -1);
	v[5] = mk("slow.rb", 1, 30);
	v[6] = mk("big-a.rb", 5000, -1);
	v[7] = mk("mid-a.rb", 999999, 5);
	dt_queue_sort(v, NW);
	ok(order_is(v, NW, want), "longest expected first; untimed files at "
	    "the median, after the timed ones of that time, largest first");
	ok(v[3]->est == 5 && v[6]->est == 5 && v[7]->time == 0 &&
	    v[7]->est == 0, "the median of 30, 5, 5 and 0 is 5; a time of 0 "
	    "is a time");

	/* The same order from any starting order. */
	for (good = 1, round = 0; round < 200; round++) {
		memcpy(w, v, sizeof(w));
		shuffle(w, NW, &seed);
		dt_queue_sort(w, NW);
		if (!order_is(w, NW, want))
			good = 0;
	}
	ok(good, "200 shuffles of the same files sort the same way");

	/* Untimed files with different negative times are alike. */
	{
		struct dt_test *u[3];
		static const char *const uw[] = { "b", "a", "c" };

		u[0] = mk("a", 10, -1);
		u[1] = mk("b", 20, -5);
		u[2] = mk("c", 10, -0.5);
		dt_queue_sort(u, 3);
		ok(order_is(u, 3, uw), "any negative time is untimed: by size, "
		    "then path");
		for (i = 0; i < 3; i++) {
			free(u[i]->path);
			free(u[i]);
		}
	}

	/* Fractions of a second and paths that differ late. */
	{
		struct dt_test *u[4];
		static const char *const uw[] = { "b", "a/x", "a/y", "a" };

		u[0] = mk("a", 1, 0.001);
		u[1] = mk("a/y", 1, 0.002);
		u[2] = mk("b", 1, 0.003);
		u[3] = mk("a/x", 1, 0.002);
		dt_queue_sort(u, 4);
		ok(order_is(u, 4, uw), "times differing by a millisecond are "
		    "ordered; equal ones by path");
		for (i = 0; i < 4; i++) {
			free(u[i]->path);
			free(u[i]);
		}
	}

	/* A file split in parts counts once in the median. */
	{
		struct dt_test *u[6];
		int k;

		u[0] = mk("big", 1, 100);
		u[1] = mk("big", 1, 100);
		u[2] = mk("big", 1, 100);
		u[3] = mk("a", 1, 1);
		u[4] = mk("b", 1, 1);
		u[5] = mk("new", 1, -1);
		for (k = 0; k < 3; k++) {
			u[k]->part = k + 1;
			u[k]->nparts = 3;
			u[k]->est = 34;
		}
		ok(dt_queue_median(u, 6) == 1, "a split file counts once in "
		    "the median");
		dt_queue_sort(u, 6);
		ok(u[0]->part > 0 && u[3]->est == 1 && u[0]->est == 34,
		    "parts keep their own estimate");
		for (i = 0; i < 6; i++) {
			free(u[i]->path);
			free(u[i]);
		}
	}

	dt_queue_sort(v, 0);
	ok(1, "sorting nothing is fine");
	dt_queue_sort(v, 1);
	is_str(v[0]->path, "slow.rb", "sorting one is fine");

	/* 100000 random entries. */
	n = 100000;
	big = dt_xcalloc(n, sizeof(*big));
	for (i = 0; i < n; i++) {
		int kind = rand_r(&seed) % 4;
		double t;

		/* Few distinct values, so that ties are common. */
		if (kind == 0)
			t = -1;
		else if (kind == 1)
			t = (rand_r(&seed) % 50) / 4.0;
		else
			t = (rand_r(&seed) % 100000) / 1000.0;
		snprintf(path, sizeof(path), "spec/d%u/f%zu_spec.rb",
		    (unsigned)(rand_r(&seed) % 100), i);
		big[i] = mk(path, rand_r(&seed) % 64, t);
	}
	sorted = dt_xcalloc(n, sizeof(*sorted));
	memcpy(sorted, big, n * sizeof(*big));
	dt_queue_sort(sorted, n);
	for (bad = 0, first_bad = -1, i = 1; i < n; i++)
		if (!in_order(sorted[i - 1], sorted[i])) {
			if (first_bad < 0)
				first_bad = (int)i;
			bad++;
		}
	ok(bad == 0, "100000 random entries: every neighbour pair in order "
	    "(%zu out of order, first at %d)", bad, first_bad);
	for (bad = 0, i = 1; i < n; i++)
		if (strcmp(sorted[i - 1]->path, sorted[i]->path) == 0)
			bad++;
	is_int(bad, 0, "  no entry duplicated");
	{
		void **a = dt_xcalloc(n, sizeof(*a)), **b = dt_xcalloc(n,
		    sizeof(*b));

		memcpy(a, big, n * sizeof(*a));
		memcpy(b, sorted, n * sizeof(*b));
		qsort(a, n, sizeof(*a), cmp_ptr);
		qsort(b, n, sizeof(*b), cmp_ptr);
		ok(memcmp(a, b, n * sizeof(*a)) == 0,
		    "  the result is a permutation of the input");
		free(a);
		free(b);
	}
	{
		double m = dt_queue_median(sorted, n);

		for (bad = 0, i = 0; i < n; i++)
			if (sorted[i]->time < 0 && sorted[i]->est != m)
				bad++;
		ok(m >= 0 && bad == 0, "  every untimed entry is expected at "
		    "the median, %.3f", m);
	}
	{
		struct dt_test **again = dt_xcalloc(n, sizeof(*again));

		memcpy(again, sorted, n * sizeof(*again));
		shuffle(again, n, &seed);
		dt_queue_sort(again, n);
		ok(memcmp(again, sorted, n * sizeof(*again)) == 0,
		    "  sorting a shuffle of them gives the same order");
		free(again);
	}

	for (i = 0; i < n; i++) {
		free(big[i]->path);
		free(big[i]);
	}
	free(big);
	free(sorted);
	for (i = 0; i < NW; i++) {
		free(v[i]->path);
		free(v[i]);
	}
	return done_testing();
}
