/* The timings table: round trips, lookups, atomic writes, bad files. */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"
#include "tap.h"

static char dir[] = "/tmp/dt-timings-test-XXXXXX";

static char *
path_in(const char *name)
{
	return dt_xasprintf("%s/%s", dir, name);
}

static void
put(const char *file, const char *text, size_t len)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || dt_write_all(fd, text, len) < 0 || close(fd) < 0) {
		perror(file);
		exit(2);
	}
}

static char *
slurp(const char *file, size_t *len)
{
	struct dt_buf b = { 0 };
	char buf[4096];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	dt_buf_adds(&b, "");
	if (fd < 0)
		return b.s;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		dt_buf_add(&b, buf, n);
	close(fd);
	if (len)
		*len = b.len;
	return b.s;
}

/* The names in dir, sorted, space-separated. */
static char *
listing(const char *d)
{
	struct dirent **v;
	struct dt_buf b = { 0 };
	int i, n = scandir(d, &v, NULL, alphasort);

	dt_buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			dt_buf_addf(&b, "%s%s", b.len ? " " : "", v[i]->d_name);
		free(v[i]);
	}
	if (n >= 0)
		free(v);
	return b.s;
}

/* Read file into a fresh table, capturing stderr. */
static int
read_into(struct dt_timings *t, const char *file, const char **msg)
{
	int rc;

	memset(t, 0, sizeof(*t));
	capture_begin();
	rc = dt_timings_read(t, file);
	*msg = capture_end();
	return rc;
}

/* Not a timings file: -1 with a message naming the file and "line N". */
static void
check_bad(const char *text, size_t len, int line, const char *desc)
{
	struct dt_timings t;
	char *file = path_in("bad"), *want = dt_xasprintf("line %d", line);
	const char *msg;
	int rc;

	put(file, text, len);
	rc = read_into(&t, file, &msg);
	is_int(rc, -1, "%s: dt_timings_read fails", desc);
	if (!ok(strstr(msg, file) != NULL && strstr(msg, want) != NULL,
	    "%s: the message names the file and %s", desc, want))
		diag("message: %s", msg);
	dt_timings_free(&t);
	unlink(file);
	free(file);
	free(want);
}

#define BAD(s, line, desc) check_bad(s, sizeof(s) - 1, line, desc)

/*
 * A bad line between two good ones, on line 3: dropped with a message
 * naming the file and the line, the good lines kept.
 */
static void
check_dropped(const char *bad, size_t len, const char *desc)
{
	static const char hdr[] = "distributest-timings\t2\ngood\t1\n";
	static const char tail[] = "\nafter\t2\n";
	struct dt_timings t;
	struct dt_buf b = { 0 };
	char *file = path_in("bad"), *want;
	const char *msg;
	int rc;

	dt_buf_add(&b, hdr, sizeof(hdr) - 1);
	dt_buf_add(&b, bad, len);
	dt_buf_add(&b, tail, sizeof(tail) - 1);
	put(file, b.s, b.len);
	want = dt_xasprintf("%s: line 3 dropped: ", file);
	rc = read_into(&t, file, &msg);
	is_int(rc, 1, "%s: dt_timings_read drops one line", desc);
	if (!ok(strncmp(msg, "timings-test: ", 14) == 0 &&
	    strncmp(msg + 14, want, strlen(want)) == 0 &&
	    strchr(msg, '\n') == NULL,
	    "%s: one message, naming the file and line 3", desc))
		diag("message: %s", msg);
	ok(t.n == 2 && dt_timings_get(&t, "good") == 1 &&
	    dt_timings_get(&t, "after") == 2,
	    "%s: the lines before and after are kept (%zu entries)", desc,
	    t.n);
	dt_timings_free(&t);
	dt_buf_free(&b);
	unlink(file);
	free(file);
	free(want);
}

#define DROPPED(s, desc) check_dropped(s, sizeof(s) - 1, desc)
#define PUTS(f, s) put(f, s, sizeof(s) - 1)
#define HDR "distributest-timings\t2\n"

int
main(void)
{
	static const struct {
		const char	*path;
		double		 seconds;
	} odd[] = {
		{ "spec/a b/c d_spec.rb", 1.5 },
		{ "spec/tab\there_spec.rb", 0 },
		{ "spec/new\nline_spec.rb", 123.456 },
		{ "spec/back\\slash_spec.rb", 0.001 },
		{ "spec/\\t literal\\n_spec.rb", 7 },
		{ "spec/trailing\\", 8 },
		{ "spec/\xff\xfe/\x80\xc3(_spec.rb", 9.25 },
		{ "spec/caf\xc3\xa9_spec.rb", 1000000 },
		{ " leading space", 2 },
		{ "\t\n\\", 3 },
		{ "plain_spec.rb", 42 },
	};
	enum { NODD = sizeof(odd) / sizeof(odd[0]) };
	struct dt_timings t = { 0 }, u;
	struct stat st1, st2;
	char *file, *sub, *text, *old, *keep;
	const char *msg;
	size_t i, len;
	int rc, good, fd;

	dt_setprog("timings-test");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	plan(143);
	file = path_in("timings");

	/* --- lookups --- */
	ok(dt_timings_get(&t, "x") < 0, "get on an empty table is < 0");
	dt_timings_set(&t, "a", 1);
	dt_timings_set(&t, "b", 2);
	dt_timings_set(&t, "a", 3.5);
	ok(t.n == 2 && dt_timings_get(&t, "a") == 3.5,
	    "set of a known path overrides it (n %zu, a %g)", t.n,
	    dt_timings_get(&t, "a"));
	ok(dt_timings_get(&t, "b") == 2, "the other entry is untouched");
	ok(dt_timings_get(&t, "c") < 0, "get of an unknown path is < 0");
	ok(dt_timings_get(&t, "") < 0, "get of \"\" is < 0");
	ok(dt_timings_get(&t, "a/") < 0 && dt_timings_get(&t, "A") < 0,
	    "lookups are exact");
	dt_timings_set(&t, "0", 0);
	ok(dt_timings_get(&t, "0") == 0, "a time of 0 is stored as 0, "
	    "not unknown");
	for (i = 0; i < 1000; i++) {
		char p[32];

		snprintf(p, sizeof(p), "f%zu", (i * 7919) % 1000);
		dt_timings_set(&t, p, (double)i);
	}
	for (good = 1, i = 0; i < 1000; i++) {
		char p[32];

		snprintf(p, sizeof(p), "f%zu", (i * 7919) % 1000);
		if (dt_timings_get(&t, p) != (double)i)
			good = 0;
	}
	ok(good && t.n == 1003, "1000 interleaved sets and gets (n %zu)",
	    t.n);
	dt_timings_free(&t);

	/* --- round trip with odd paths --- */
	for (i = 0; i < NODD; i++)
		dt_timings_set(&t, odd[i].path, odd[i].seconds);
	rc = dt_timings_write(&t, file);
	is_int(rc, 0, "dt_timings_write of odd paths returns 0");
	text = slurp(file, &len);
	ok(strncmp(text, HDR, sizeof(HDR) - 1) == 0,
	    "the file starts with the header line");
	free(text);
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && *msg == '\0', "dt_timings_read reads it back silently");
	is_int(u.n, NODD, "as many entries as written");
	for (i = 0; i < NODD; i++) {
		double s = dt_timings_get(&u, odd[i].path);

		ok(fabs(s - odd[i].seconds) < 0.0005,
		    "entry %zu comes back with %g seconds (got %g)", i,
		    odd[i].seconds, s);
	}
	ok(dt_timings_get(&u, "spec/tab") < 0 &&
	    dt_timings_get(&u, "spec/new") < 0,
	    "no path was split at its tab or newline");
	dt_timings_free(&u);

	/* The exact bytes: sorted by path, escaped, three decimals. */
	dt_timings_free(&t);
	dt_timings_set(&t, "b\tc", 2);
	dt_timings_set(&t, "a", 1.5);
	dt_timings_set(&t, "a\\n", 0.0004);
	rc = dt_timings_write(&t, file);
	text = slurp(file, &len);
	is_str(text, HDR "a\t1.500\t1.500\na\\\\n\t0.000\t0.000\n"
	    "b\\tc\t2.000\t2.000\n",
	    "the file is sorted by path, escaped, with three decimals");
	free(text);

	/* --- atomic replacement --- */
	sub = path_in("d");
	if (mkdir(sub, 0755) < 0) {
		perror(sub);
		return 2;
	}
	free(file);
	file = dt_xasprintf("%s/timings", sub);
	rc = dt_timings_write(&t, file);
	text = listing(sub);
	ok(rc == 0 && strcmp(text, "timings") == 0,
	    "after a write the directory holds the file alone: \"%s\"", text);
	free(text);
	stat(file, &st1);
	fd = open(file, O_RDONLY);
	dt_timings_set(&t, "a", 99);
	dt_timings_set(&t, "new", 5);
	rc = dt_timings_write(&t, file);
	text = listing(sub);
	ok(rc == 0 && strcmp(text, "timings") == 0,
	    "after a second write, still no temporary file: \"%s\"", text);
	free(text);
	stat(file, &st2);
	ok(st1.st_ino != st2.st_ino, "the file was replaced (new inode), not "
	    "rewritten in place");
	{
		char buf[256];
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		buf[n > 0 ? n : 0] = '\0';
		ok(strstr(buf, "a\t1.500\t") != NULL && !strstr(buf, "new"),
		    "a reader holding the old file still sees the old table");
		close(fd);
	}
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && u.n == 4 && dt_timings_get(&u, "a") == 99 &&
	    dt_timings_get(&u, "new") == 5,
	    "the new file holds the new table");
	dt_timings_free(&u);

	/* A failed rename leaves no temporary file behind. */
	old = dt_xasprintf("%s/busy", sub);
	mkdir(old, 0755);
	keep = dt_xasprintf("%s/keep", old);
	put(keep, "x", 1);
	capture_begin();
	rc = dt_timings_write(&t, old);
	msg = capture_end();
	text = listing(sub);
	ok(rc == -1 && strcmp(text, "busy timings") == 0,
	    "writing over a directory fails and leaves no temporary file: "
	    "\"%s\"", text);
	free(text);
	ok(strstr(msg, old) != NULL, "  and the message names the file");
	unlink(keep);
	free(keep);
	rmdir(old);
	free(old);

	old = dt_xasprintf("%s/no/such/dir/timings", dir);
	capture_begin();
	rc = dt_timings_write(&t, old);
	msg = capture_end();
	ok(rc == -1 && strstr(msg, "no/such/dir") != NULL,
	    "writing into a missing directory fails, naming the path");
	free(old);
	unlink(file);
	rmdir(sub);
	free(sub);
	dt_timings_free(&t);

	/* --- reading: missing, empty table, merging --- */
	old = path_in("missing");
	rc = read_into(&u, old, &msg);
	ok(rc == 0 && u.n == 0 && *msg == '\0',
	    "a missing file is an empty table, silently");
	free(old);
	dt_timings_free(&u);

	free(file);
	file = path_in("timings");
	PUTS(file, HDR);
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && u.n == 0, "a header alone is an empty table");
	dt_timings_free(&u);

	PUTS(file, HDR "a\t1\na\t2\n");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && u.n == 1 && dt_timings_get(&u, "a") == 2,
	    "a repeated path: the later line wins");
	dt_timings_free(&u);

	PUTS(file, "distributest-timings\t1\na\t1.25\t1.25,9\tlater field\n");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && dt_timings_get(&u, "a") == 1.25 && u.n == 1,
	    "format 1: fields past the samples are ignored");
	dt_timings_free(&u);
	PUTS(file, HDR "a\t1.25\t1.25,9\t1:1\tlater field\n");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && u.n == 1 && u.v[0].unit != NULL &&
	    strcmp(u.v[0].unit, "1:1") == 0,
	    "format 2: the fourth field is a unit, later ones are ignored");
	dt_timings_free(&u);

	PUTS(file, HDR "a\t1");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && dt_timings_get(&u, "a") == 1,
	    "a last line without newline is read");
	dt_timings_free(&u);

	PUTS(file, HDR "x\t1000000000\n");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && dt_timings_get(&u, "x") == 1e9, "1e9 seconds is the "
	    "largest accepted");
	dt_timings_free(&u);
	unlink(file);

	/* --- malformed files --- */
	BAD("timings\t1\na\t1\n", 1, "a wrong header word");
	BAD("distributest-timings\t4\na\t1\n", 1, "header version 4");
	BAD("distributest-timings\n", 1, "a header without a version");
	BAD("a\t1\n", 1, "no header at all");
	BAD("\\q\ta\n", 1, "a bad escape in the header");
	BAD("distributest-timings\t2\0\na\t1\n", 1, "a NUL byte in the header");

	/* --- bad lines: dropped one by one, the rest kept --- */
	DROPPED("b\tabc", "seconds \"abc\"");
	DROPPED("b\t-1", "negative seconds");
	DROPPED("b\t1.5s", "seconds with a unit");
	DROPPED("b\t", "empty seconds");
	DROPPED("b\t1e10", "seconds over 1e9");
	DROPPED("b\t1000000000.001", "seconds just over 1e9");
	DROPPED("b", "a line with the seconds missing");
	DROPPED("b\\x\t1", "a bad escape in the path");
	DROPPED("b\t1\\", "a trailing backslash");
	DROPPED("b\0c\t1", "a NUL byte");
	DROPPED("b\tnan", "seconds \"nan\"");
	DROPPED("b\tinf", "seconds \"inf\"");
	DROPPED("b\t1e3", "seconds with an exponent");
	DROPPED("b\t0x10", "hexadecimal seconds");
	DROPPED("b\t 1", "seconds after a blank");
	DROPPED("b\t+1", "seconds with a plus sign");
	DROPPED("b\t.5", "seconds without a digit before the point");
	DROPPED("b\t1\t1,x", "bad samples");
	DROPPED("b\t1\t1,,2", "an empty sample");
	DROPPED("b\t1\t", "empty samples");
	DROPPED("b\t1\t1,2,3,-4", "a bad fourth sample");

	/* A line longer than a reader holds, and one at the end. */
	{
		struct dt_buf b = { 0 };
		size_t k;

		dt_buf_adds(&b, HDR "a\t1\n");
		for (k = 0; k < 3 * DT_LINE_MAX; k++)
			dt_buf_addc(&b, 'x');
		dt_buf_adds(&b, "\t1\nb\t2\n");
		put(file, b.s, b.len);
		rc = read_into(&u, file, &msg);
		ok(rc == 1 && u.n == 2 && dt_timings_get(&u, "b") == 2 &&
		    strstr(msg, "line 3 dropped: line too long") != NULL,
		    "a line too long is dropped, the next one read (rc %d, "
		    "n %zu)", rc, u.n);
		dt_timings_free(&u);
		dt_buf_adds(&b, "c\t");
		for (k = 0; k < 2 * DT_LINE_MAX; k++)
			dt_buf_addc(&b, '9');
		put(file, b.s, b.len);
		rc = read_into(&u, file, &msg);
		ok(rc == 2 && u.n == 2 && strstr(msg, "line 5 dropped: "
		    "line too long") != NULL,
		    "so is a last one, without its newline (rc %d)", rc);
		dt_timings_free(&u);
		dt_buf_free(&b);
	}

	/* Many bad lines: the first ten named, then a count. */
	{
		struct dt_buf b = { 0 };
		int k, lines = 0;

		dt_buf_adds(&b, HDR);
		for (k = 0; k < 25; k++)
			dt_buf_addf(&b, "good%d\t%d\nbad%d\tx\n", k, k, k);
		put(file, b.s, b.len);
		rc = read_into(&u, file, &msg);
		for (text = (char *)msg; (text = strchr(text, '\n')); text++)
			lines++;
		ok(rc == 25 && u.n == 25 && dt_timings_get(&u, "good24") == 24,
		    "25 bad lines: 25 dropped, the 25 good ones kept (rc %d)",
		    rc);
		ok(lines == 10 && strstr(msg, "line 21 dropped") != NULL &&
		    strstr(msg, "line 23 dropped") == NULL &&
		    strstr(msg, ": 15 more bad lines dropped") != NULL,
		    "ten are named, the rest counted");
		if (lines != 10)
			diag("message: %s", msg);
		dt_timings_free(&u);
		dt_buf_free(&b);
	}

	/* Good numbers at their limits. */
	PUTS(file, HDR "a\t0\t0,0.000,1000000000.000\nb\t007.50\t1,2,3,4\n");
	rc = read_into(&u, file, &msg);
	ok(rc == 0 && *msg == '\0' && u.n == 2 &&
	    dt_timings_get(&u, "b") == 7.5 && u.v[1].nsamples == 3 &&
	    u.v[1].samples[2] == 3,
	    "0, 1e9 and leading zeros are good; samples past three are not "
	    "kept");
	dt_timings_free(&u);
	unlink(file);

	/* An empty table sorts and looks up without touching NULL. */
	{
		const struct dt_timing *first = NULL;

		memset(&u, 0, sizeof(u));
		ok(dt_timings_units(&u, "a", &first) == 0 && first == NULL,
		    "an empty table has no units");
		dt_timings_retain(&u, NULL, 0);
		dt_timings_keep_units(&u, "a", NULL, 0);
		is_int(u.n, 0, "retaining and keeping nothing of nothing");
		dt_timings_free(&u);
	}

	/* --- smoothing: the median of the last three runs --- */
	{
		struct dt_timings m = { 0 };
		char *keep[] = { "b", "c" };

		dt_timings_record(&m, "a", 1);
		ok(dt_timings_get(&m, "a") == 1, "one run: its time");
		dt_timings_record(&m, "a", 9);
		ok(dt_timings_get(&m, "a") == 5, "two runs: their mean");
		dt_timings_record(&m, "a", 2);
		ok(dt_timings_get(&m, "a") == 2, "three runs: the median, the "
		    "outlier has no say");
		dt_timings_record(&m, "a", 3);
		ok(dt_timings_get(&m, "a") == 3, "the oldest run drops out");
		dt_timings_record(&m, "a", 3);
		ok(dt_timings_get(&m, "a") == 3, "a file that got slower moves "
		    "after two runs");
		dt_timings_write(&m, file);
		dt_timings_free(&m);
		rc = read_into(&m, file, &msg);
		dt_timings_record(&m, "a", 100);
		ok(rc == 0 && dt_timings_get(&m, "a") == 3, "the samples survive "
		    "the file: one more outlier changes nothing");
		dt_timings_record(&m, "b", 1);
		dt_timings_record(&m, "c", 1);
		dt_timings_retain(&m, keep, 2);
		ok(m.n == 2 && dt_timings_get(&m, "a") < 0 &&
		    dt_timings_get(&m, "b") == 1, "retain forgets the files not "
		    "listed");
		dt_timings_free(&m);
	}

	/* --- units: a file's examples, after the file --- */
	{
		struct dt_timings m = { 0 };
		const struct dt_timing *first;
		char *ids[] = { "1:2" }, *keep[] = { "spec/a_spec.rb" };
		size_t n;

		dt_timings_record(&m, "spec/a_spec.rb", 5);
		dt_timings_record(&m, "spec/a_spec.rb.orig", 1);
		dt_timings_record_unit(&m, "spec/a_spec.rb", "1:2", 3);
		dt_timings_record_unit(&m, "spec/a_spec.rb", "1:1", 1.5);
		dt_timings_record_unit(&m, "spec/b_spec.rb", "1:1", 9);
		dt_timings_record_unit(&m, "spec/a_spec.rb", "1:2", 4);
		n = dt_timings_units(&m, "spec/a_spec.rb", &first);
		ok(n == 2 && strcmp(first[0].unit, "1:1") == 0 &&
		    first[0].seconds == 1.5 && first[1].seconds == 3.5,
		    "a file's units follow it, by id, smoothed");
		ok(dt_timings_get(&m, "spec/a_spec.rb") == 5 &&
		    dt_timings_get(&m, "spec/b_spec.rb") < 0,
		    "units are not files");
		n = dt_timings_units(&m, "spec/a_spec", &first);
		ok(n == 0, "a prefix of a path has no units");
		ok(dt_timings_units(&m, "spec/b_spec.rb", &first) == 1,
		    "units of a file never timed as a whole");
		dt_timings_write(&m, file);
		dt_timings_free(&m);
		text = slurp(file, &len);
		ok(text != NULL && strstr(text, "distributest-timings\t2\n") ==
		    text && strstr(text, "spec/a_spec.rb\t5.000\t5.000\n"
		    "spec/a_spec.rb\t1.500\t1.500\t1:1\n"
		    "spec/a_spec.rb\t3.500\t4.000,3.000\t1:2\n") != NULL,
		    "format 2: a unit line has a fourth field, the id");
		free(text);
		rc = read_into(&m, file, &msg);
		n = dt_timings_units(&m, "spec/a_spec.rb", &first);
		ok(rc == 0 && n == 2 && first[1].nsamples == 2,
		    "units survive the file, with their samples");
		dt_timings_keep_units(&m, "spec/a_spec.rb", ids, 1);
		n = dt_timings_units(&m, "spec/a_spec.rb", &first);
		ok(n == 1 && strcmp(first[0].unit, "1:2") == 0 &&
		    dt_timings_get(&m, "spec/a_spec.rb") == 5,
		    "keep_units forgets removed examples, not the file");
		dt_timings_retain(&m, keep, 1);
		ok(m.n == 2 && dt_timings_units(&m, "spec/b_spec.rb", &first)
		    == 0, "retain forgets a deleted file's units too");
		dt_timings_free(&m);
		unlink(file);
	}

	/* --- format 3: flaky counts; written only when there is one --- */
	{
		struct dt_timings m = { 0 };
		const struct dt_timing *first;
		char *text;
		size_t len, n;

		free(file);
		file = path_in("flaky");
		dt_timings_record(&m, "t/a.t", 2);
		dt_timings_record_unit(&m, "t/a.t", "u1", 1);
		dt_timings_record(&m, "t/b.t", 1);
		dt_timings_write(&m, file);
		text = slurp(file, &len);
		ok(strncmp(text, "distributest-timings\t2\n", 23) == 0,
		    "no flaky count: written in format 2");
		free(text);
		dt_timings_flaky(&m, "t/a.t", NULL, 1);
		dt_timings_flaky(&m, "t/a.t", "u1", 2);
		dt_timings_flaky(&m, "t/c.t", NULL, 1);
		ok(m.n == 3, "a count for an entry not there adds none");
		dt_timings_write(&m, file);
		dt_timings_free(&m);
		text = slurp(file, &len);
		ok(strcmp(text, "distributest-timings\t3\n"
		    "t/a.t\t2.000\t2.000\t\t1\n"
		    "t/a.t\t1.000\t1.000\tu1\t2\n"
		    "t/b.t\t1.000\t1.000\n") == 0,
		    "format 3: a file's count after an empty unit, a unit's "
		    "after its id");
		free(text);
		rc = read_into(&m, file, &msg);
		n = dt_timings_units(&m, "t/a.t", &first);
		ok(rc == 0 && m.n == 3 && n == 1 && first[0].flaky == 2 &&
		    dt_timings_get(&m, "t/a.t") == 2,
		    "format 3 read: the empty unit is the file's own line");
		dt_timings_free(&m);
		PUTS(file, "distributest-timings\t3\na\t1\t1\t\tmany\nb\t1\n");
		rc = read_into(&m, file, &msg);
		ok(rc == 1 && m.n == 1 && strstr(msg, "flaky count \"many\"")
		    != NULL, "a bad flaky count drops its line");
		dt_timings_free(&m);
		PUTS(file, HDR "a\t1\t1\t\t5\n");
		rc = read_into(&m, file, &msg);
		ok(rc == 0 && m.n == 1 && m.v[0].unit != NULL &&
		    m.v[0].flaky == 0, "format 2: an empty unit is a unit, "
		    "and no count is read");
		dt_timings_free(&m);
		unlink(file);
	}

	rmdir(dir);
	free(file);
	return done_testing();
}
