/*
 * The timings reader: any bytes as a timings file.  What it keeps is in
 * range, and written back it reads again whole, to the same table.
 */
#include <math.h>

#include "fuzz.h"

static const char *in, *out;

static void
check(const struct dt_timings *t)
{
	size_t i;
	int k;

	for (i = 0; i < t->n; i++) {
		FUZZ_CHECK(t->v[i].seconds >= 0 &&
		    t->v[i].seconds <= DT_SECONDS_MAX);
		FUZZ_CHECK(t->v[i].nsamples >= 1 &&
		    t->v[i].nsamples <= DT_SAMPLES);
		for (k = 0; k < t->v[i].nsamples; k++)
			FUZZ_CHECK(t->v[i].samples[k] >= 0 &&
			    t->v[i].samples[k] <= DT_SECONDS_MAX);
		/* Sorted, one line per path and unit. */
		if (i > 0) {
			int c = strcmp(t->v[i - 1].path, t->v[i].path);

			FUZZ_CHECK(c < 0 || (c == 0 && t->v[i].unit != NULL &&
			    (t->v[i - 1].unit == NULL ||
			    strcmp(t->v[i - 1].unit, t->v[i].unit) < 0)));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_timings t = { 0 }, u = { 0 };
	const struct dt_timing *first;
	size_t i;

	if (in == NULL) {
		in = fuzz_path("timings-in");
		out = fuzz_path("timings-out");
	}
	fuzz_put(in, data, size);
	if (dt_timings_read(&t, in) >= 0) {
		check(&t);
		FUZZ_CHECK(dt_timings_write(&t, out) == 0);
		FUZZ_CHECK(dt_timings_read(&u, out) == 0);
		FUZZ_CHECK(u.n == t.n);
		for (i = 0; i < t.n && i < u.n; i++)
			FUZZ_CHECK(strcmp(t.v[i].path, u.v[i].path) == 0 &&
			    fabs(t.v[i].seconds - u.v[i].seconds) < 0.0006 &&
			    t.v[i].nsamples == u.v[i].nsamples);
		if (t.n > 0) {
			dt_timings_units(&t, t.v[0].path, &first);
			dt_timings_record(&t, t.v[t.n - 1].path, 1);
			dt_timings_keep_units(&t, t.v[0].path, NULL, 0);
			dt_timings_retain(&t, &u.v[0].path, 1);
			check(&t);
		}
	}
	dt_timings_free(&t);
	dt_timings_free(&u);
	return 0;
}
