/*
 * The line codec: any bytes read as lines, each line split into fields.
 * A line that reads must split back to the same fields once they are
 * escaped and joined again, and a line cut to DT_LINE_MAX by
 * dt_line_finish must still split.  An input that starts with 0xff and
 * a byte N is the rest repeated N % 32 + 1 times, so that lines longer
 * than the limit are within reach.
 */
#include "fuzz.h"

static char *f[DT_FIELDS_MAX], *g[DT_FIELDS_MAX];

static void
round_trip(char **fields, int n)
{
	struct dt_buf b = { 0 };
	char *copy;
	int i, m;

	for (i = 0; i < n; i++) {
		if (i > 0)
			dt_buf_addc(&b, '\t');
		dt_escape(&b, fields[i], strlen(fields[i]));
	}
	dt_buf_adds(&b, "");
	copy = dt_xstrdup(b.s);
	m = dt_split(copy, b.len, g, DT_FIELDS_MAX);
	FUZZ_CHECK(m == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(strcmp(fields[i], g[i]) == 0);
	free(copy);

	/* Cut to the limit, what is left is still a line of fields. */
	dt_line_finish(&b);
	FUZZ_CHECK(b.len <= DT_LINE_MAX + 1 && b.s[b.len - 1] == '\n');
	m = dt_split(b.s, b.len - 1, g, DT_FIELDS_MAX);
	FUZZ_CHECK(m >= 1 && m <= n);
	dt_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_reader r;
	struct dt_buf in = { 0 };
	char *line;
	size_t len, k, times = 1;
	int fd, n, rc;

	if (size >= 2 && data[0] == 0xff) {
		times = data[1] % 32 + 1;
		data += 2;
		size -= 2;
	}
	for (k = 0; k < times; k++)
		dt_buf_add(&in, data, size);
	fd = fuzz_fd(in.s ? in.s : "", in.len);
	dt_rd_init(&r, fd, "fuzz");
	while ((rc = dt_rd_getline(&r, &line, &len)) > 0) {
		FUZZ_CHECK(len <= DT_LINE_MAX && strlen(line) == len);
		n = dt_split(line, len, f, DT_FIELDS_MAX);
		if (n > 0 && n < DT_FIELDS_MAX)
			round_trip(f, n);
	}
	dt_rd_free(&r);
	close(fd);

	/* Any bytes but NUL, escaped as one field, come back as they were. */
	if (size > 0 && memchr(data, '\0', size) == NULL) {
		struct dt_buf b = { 0 };

		dt_escape(&b, (const char *)data, size);
		n = dt_split(b.s, b.len, f, DT_FIELDS_MAX);
		FUZZ_CHECK(n == 1 && strlen(f[0]) == size &&
		    memcmp(f[0], data, size) == 0);
		dt_buf_free(&b);
	}
	dt_buf_free(&in);
	return 0;
}
