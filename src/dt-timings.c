/*
 * dt-timings: show a timings table, slowest first, and what was flaky, or
 * merge several into one (timings kept by several initiators of the same
 * project, say).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-timings [-n count] file | dt-timings -m output file ..."

static int
cmp_slow(const void *a, const void *b)
{
	const struct dt_timing *x = a, *y = b;

	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	return strcmp(x->path, y->path);
}

/* Print a path so that a tab or newline in it cannot break the table. */
static void
print_path(const char *p)
{
	struct dt_buf b = { 0 };

	dt_escape(&b, p, strlen(p));
	fwrite(b.s ? b.s : "", 1, b.len, stdout);
	dt_buf_free(&b);
}

static int
cmp_flaky(const void *a, const void *b)
{
	const struct dt_timing *x = a, *y = b;

	if (x->flaky != y->flaky)
		return x->flaky < y->flaky ? 1 : -1;
	return strcmp(x->path, y->path) != 0 ? strcmp(x->path, y->path) :
	    strcmp(x->unit ? x->unit : "", y->unit ? y->unit : "");
}

/* Unlike a run, which starts from nothing, asking for a table needs one. */
static void
must_exist(const char *file)
{
	if (access(file, R_OK) != 0)
		dt_die_sys(DT_EX_USAGE, "%s", file);
}

/*
 * The files and units that runs found flaky, most often first: failed,
 * then passed on a retry.  Nothing when none was.  Takes f's entries.
 */
static void
show_flaky(struct dt_timings *f, long count)
{
	size_t i;

	if (f->n > 1)
		qsort(f->v, f->n, sizeof(*f->v), cmp_flaky);
	f->sorted = 0;
	f->nindex = 0;
	if (f->n > 0)
		printf("\n%10s  %s\n", "flaky", "file, unit");
	for (i = 0; i < f->n && (count < 0 || (long)i < count); i++) {
		printf("%9ldx  ", f->v[i].flaky);
		print_path(f->v[i].path);
		if (f->v[i].unit != NULL) {
			fputs("  ", stdout);
			print_path(f->v[i].unit);
		}
		putchar('\n');
	}
	dt_timings_free(f);
}

static int
show(const char *file, long count)
{
	struct dt_timings t = { 0 }, f = { 0 };
	struct dt_buf runs = { 0 };
	double total = 0;
	size_t i, k;

	must_exist(file);
	if (dt_timings_read(&t, file) < 0)
		return DT_EX_DATA;
	f.v = dt_xcalloc(t.n + 1, sizeof(*f.v));
	/* The files only: their units' times are part of theirs. */
	for (i = k = 0; i < t.n; i++) {
		if (t.v[i].flaky > 0) {
			f.v[f.n] = t.v[i];
			f.v[f.n].path = dt_xstrdup(t.v[i].path);
			f.v[f.n++].unit = t.v[i].unit ?
			    dt_xstrdup(t.v[i].unit) : NULL;
		}
		if (t.v[i].unit == NULL)
			t.v[k++] = t.v[i];
		else
			free(t.v[i].path), free(t.v[i].unit);
	}
	t.n = k;
	for (i = 0; i < t.n; i++)
		total += t.v[i].seconds;
	if (t.n > 1)
		qsort(t.v, t.n, sizeof(*t.v), cmp_slow);
	t.sorted = 0;
	t.nindex = 0;
	printf("%10s  %-20s  %s\n", "expected", "last runs", "file");
	for (i = 0; i < t.n && (count < 0 || (long)i < count); i++) {
		dt_buf_reset(&runs);
		dt_buf_adds(&runs, "");
		for (k = 0; k < (size_t)t.v[i].nsamples; k++)
			dt_buf_addf(&runs, "%s%.2f", k ? " " : "",
			    t.v[i].samples[k]);
		printf("%9.2fs  %-20s  ", t.v[i].seconds, runs.s);
		print_path(t.v[i].path);
		putchar('\n');
	}
	dt_buf_free(&runs);
	printf("%zu file%s, %.2fs in all\n", t.n, t.n == 1 ? "" : "s", total);
	dt_timings_free(&t);
	show_flaky(&f, count);
	return fflush(stdout) == EOF ? DT_EX_SYS : 0;
}

/*
 * Merging takes each file's runs from every table, the first table's
 * first, and keeps the newest three a table records for it.
 */
static int
merge(const char *out, char **files, int nfiles)
{
	struct dt_timings m = { 0 }, t;
	size_t i;
	int f, k;

	for (f = nfiles - 1; f >= 0; f--) {
		memset(&t, 0, sizeof(t));
		must_exist(files[f]);
		if (dt_timings_read(&t, files[f]) < 0)
			return DT_EX_DATA;
		for (i = 0; i < t.n; i++)
			for (k = t.v[i].nsamples - 1; k >= 0; k--)
				if (t.v[i].unit != NULL)
					dt_timings_record_unit(&m, t.v[i].path,
					    t.v[i].unit, t.v[i].samples[k]);
				else
					dt_timings_record(&m, t.v[i].path,
					    t.v[i].samples[k]);
		/* Flaky counts add up: each table counts its own runs. */
		for (i = 0; i < t.n; i++)
			dt_timings_flaky(&m, t.v[i].path, t.v[i].unit,
			    t.v[i].flaky);
		dt_timings_free(&t);
	}
	if (dt_timings_write(&m, out) < 0)
		return DT_EX_SYS;
	dt_timings_free(&m);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char *out = NULL, *e;
	long count = -1;
	int ch;

	dt_hygiene();
	dt_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "m:n:")) != -1) {
		switch (ch) {
		case 'm':
			out = optarg;
			break;
		case 'n':
			count = dt_strtonum(optarg, 0, 1000000000, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-n %s: %s", optarg, e);
			break;
		default:
			dt_usage(USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (out != NULL) {
		if (argc < 1 || count >= 0)
			dt_usage(USAGE);
		return merge(out, argv, argc);
	}
	if (argc != 1)
		dt_usage(USAGE);
	return show(argv[0], count);
}
