/* The line codec: escaping, splitting, reading, sending, hello checks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"
#include "tap.h"

/* Build "verb<TAB>field..." with the codec, split it back, compare. */
static int
roundtrip(const char *desc, const char *const *fv, const size_t *lv, int n)
{
	struct dt_buf b = { 0 };
	char *f[DT_FIELDS_MAX + 4], *copy;
	int i, got, good = 1;

	dt_line_begin(&b, "verb");
	for (i = 0; i < n; i++)
		dt_line_fieldn(&b, fv[i], lv[i]);
	if (memchr(b.s, '\n', b.len) != NULL) {
		diag("%s: escaped line holds a raw newline", desc);
		good = 0;
	}
	copy = dt_xmalloc(b.len + 1);
	memcpy(copy, b.s, b.len + 1);
	got = dt_split(copy, b.len, f, DT_FIELDS_MAX + 4);
	if (got != n + 1) {
		diag("%s: split gave %d fields, expected %d", desc, got, n + 1);
		good = 0;
	} else {
		if (strcmp(f[0], "verb") != 0)
			good = 0;
		for (i = 0; i < n; i++) {
			if (strlen(f[i + 1]) != lv[i] ||
			    memcmp(f[i + 1], fv[i], lv[i]) != 0) {
				diag("%s: field %d differs", desc, i + 1);
				good = 0;
			}
		}
	}
	free(copy);
	dt_buf_free(&b);
	return ok(good, "round trip: %s", desc);
}

/* Split a constant string; returns the count, fields in f. */
static int
split_s(char *buf, size_t bufsz, const char *s, char **f, int max)
{
	snprintf(buf, bufsz, "%s", s);
	return dt_split(buf, strlen(buf), f, max);
}

/* A child writing data to a pipe chunk bytes at a time. */
static pid_t
writer(const char *data, size_t len, size_t chunk, useconds_t delay,
    int *rfd)
{
	int p[2];
	pid_t pid;
	size_t off, k;

	if (pipe(p) < 0) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(p[0]);
		for (off = 0; off < len; off += k) {
			k = len - off < chunk ? len - off : chunk;
			if (dt_write_all(p[1], data + off, k) < 0)
				_exit(1);
			if (delay)
				usleep(delay);
		}
		_exit(0);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void
reap(pid_t pid, int fd)
{
	int st;

	close(fd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Everything written to a temporary file by dt_line_send. */
static char *
send_capture(struct dt_buf *b, size_t *len, int *rc)
{
	FILE *fp = tmpfile();
	char *s;
	long n;

	if (fp == NULL) {
		perror("tmpfile");
		exit(2);
	}
	*rc = dt_line_send(fileno(fp), b);
	n = lseek(fileno(fp), 0, SEEK_END);
	lseek(fileno(fp), 0, SEEK_SET);
	s = dt_xmalloc(n + 1);
	if (read(fileno(fp), s, n) != n) {
		perror("read");
		exit(2);
	}
	s[n] = '\0';
	*len = n;
	fclose(fp);
	return s;
}

/*
 * Send verb plus one field of n copies of c; check the line is cut to at
 * most DT_LINE_MAX + 1 bytes with the newline, ends in "[...]", splits
 * without error and its field is a prefix of the original.
 */
static void
check_truncation(const char *verb, int c, size_t n, const char *what)
{
	struct dt_buf b = { 0 };
	char *raw = dt_xmalloc(n), *out, *f[4];
	size_t len, i, flen;
	int rc, nf, good;

	memset(raw, c, n);
	dt_line_begin(&b, verb);
	dt_line_fieldn(&b, raw, n);
	out = send_capture(&b, &len, &rc);
	is_int(rc, 0, "%s, verb \"%s\": dt_line_send returns 0", what, verb);
	ok(len <= DT_LINE_MAX + 1 && len > DT_LINE_MAX - 16,
	    "%s, verb \"%s\": cut to %zu bytes (at most %d)", what, verb,
	    len, DT_LINE_MAX + 1);
	ok(len >= 6 && memcmp(out + len - 6, "[...]\n", 6) == 0,
	    "%s, verb \"%s\": ends with \"[...]\" and a newline", what, verb);
	nf = dt_split(out, len - 1, f, 4);
	good = nf == 2 && strcmp(f[0], verb) == 0;
	if (good) {
		flen = strlen(f[1]);
		good = flen >= 5 && strcmp(f[1] + flen - 5, "[...]") == 0;
		for (i = 0; good && i < flen - 5; i++)
			good = f[1][i] == c;
	}
	ok(good, "%s, verb \"%s\": no dangling escape, splits back to a "
	    "prefix of the field (split gave %d)", what, verb, nf);
	free(out);
	free(raw);
	dt_buf_free(&b);
}

int
main(void)
{
	char buf[256], *f[DT_FIELDS_MAX + 4], *line;
	const char *fv[DT_FIELDS_MAX + 4], *msg;
	size_t lv[DT_FIELDS_MAX + 4], len;
	struct dt_buf b = { 0 };
	struct dt_reader r;
	char all[255];
	int i, n, fd, rc;
	pid_t pid;

	dt_setprog("line-test");
	signal(SIGPIPE, SIG_IGN);
	plan(77);

	/* --- dt_escape and dt_split --- */
	dt_escape(&b, "a\tb\nc\\d", 8);
	is_str(b.s, "a\\tb\\nc\\\\d", "dt_escape writes \\t, \\n and \\\\");
	dt_buf_reset(&b);
	dt_escape(&b, "\\t", 2);
	is_str(b.s, "\\\\t", "dt_escape: a literal backslash-t stays two bytes "
	    "apart");
	dt_buf_free(&b);

	for (i = 0; i < 255; i++)
		all[i] = (char)(i + 1);
	fv[0] = all; lv[0] = 255;
	roundtrip("one field of every byte 1..255", fv, lv, 1);

	fv[0] = "\t"; lv[0] = 1;
	fv[1] = "\n"; lv[1] = 1;
	fv[2] = "\\"; lv[2] = 1;
	fv[3] = "\\t\\n\\\\"; lv[3] = 6;
	fv[4] = "\t\t\n\n\\\\"; lv[4] = 6;
	fv[5] = "a\\\tb\\\nc"; lv[5] = 7;
	roundtrip("tabs, newlines, backslashes and literal escapes", fv, lv, 6);

	fv[0] = ""; lv[0] = 0;
	fv[1] = ""; lv[1] = 0;
	fv[2] = "x"; lv[2] = 1;
	fv[3] = ""; lv[3] = 0;
	roundtrip("empty fields, including the last", fv, lv, 4);

	for (i = 0; i < DT_FIELDS_MAX + 2; i++) {
		fv[i] = i % 3 == 0 ? "" : i % 3 == 1 ? "f\tg" : all;
		lv[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? 3 : 255;
	}
	roundtrip("18 fields mixing empty, tab and every byte", fv, lv,
	    DT_FIELDS_MAX + 2);

	n = split_s(buf, sizeof(buf), "", f, 4);
	ok(n == 1 && strcmp(f[0], "") == 0, "an empty line is one empty field");
	n = split_s(buf, sizeof(buf), "verb\t\t", f, 4);
	ok(n == 3 && *f[0] && !*f[1] && !*f[2],
	    "\"verb<TAB><TAB>\" is three fields, two empty (got %d)", n);

	dt_line_error = "";
	n = split_s(buf, sizeof(buf), "a\tb\\xc", f, 4);
	is_int(n, -1, "dt_split rejects \\x");
	ok(strstr(dt_line_error, "escape") != NULL,
	    "  and says why (\"%s\")", dt_line_error);
	n = split_s(buf, sizeof(buf), "a\\", f, 4);
	is_int(n, -1, "dt_split rejects a trailing lone backslash");
	ok(strstr(dt_line_error, "backslash") != NULL,
	    "  and says why (\"%s\")", dt_line_error);
	n = split_s(buf, sizeof(buf), "a\tb\t\\", f, 4);
	is_int(n, -1, "dt_split rejects a lone backslash as a whole last field");
	n = split_s(buf, sizeof(buf), "a\t\\\\\\", f, 4);
	is_int(n, -1, "dt_split rejects an odd run of backslashes at the end");
	n = split_s(buf, sizeof(buf), "a\t\\\\\\\\", f, 4);
	ok(n == 2 && strcmp(f[1], "\\\\") == 0,
	    "dt_split takes an even run of backslashes at the end");
	n = split_s(buf, sizeof(buf), "a\\0", f, 4);
	is_int(n, -1, "dt_split rejects \\0");

	n = split_s(buf, sizeof(buf), "a\tb\tc\td", f, 2);
	ok(n == 2 && strcmp(f[0], "a") == 0 && strcmp(f[1], "b") == 0,
	    "fields past max are ignored (max 2: \"%s\", \"%s\")",
	    n >= 1 ? f[0] : "", n >= 2 ? f[1] : "");
	n = split_s(buf, sizeof(buf), "a\tb\\tx\tc\\q", f, 2);
	ok(n == 2 && strcmp(f[1], "b\tx") == 0,
	    "a bad escape past max is ignored too, kept fields unescaped");
	n = split_s(buf, sizeof(buf), "a\tb\tc", f, 3);
	is_int(n, 3, "exactly max fields");

	/* --- dt_rd_getline over a pipe fed one byte at a time --- */
	{
		static const char data[] = "hello\tworld\n\nsecond line\n"
		    "x\\ty\nlast-without-newline";
		static const char *const want[] = { "hello\tworld", "",
		    "second line", "x\\ty", "last-without-newline" };
		int good = 1, count = 0;

		pid = writer(data, sizeof(data) - 1, 1, 200, &fd);
		dt_rd_init(&r, fd, "pipe");
		while ((rc = dt_rd_getline(&r, &line, &len)) > 0) {
			if (count >= 5 || strcmp(line, want[count]) != 0 ||
			    len != strlen(want[count]) ||
			    r.lineno != (unsigned long)count + 1) {
				diag("line %d: \"%s\" (%zu) lineno %lu", count + 1,
				    line, len, r.lineno);
				good = 0;
			}
			count++;
		}
		is_int(rc, 0, "dt_rd_getline ends with 0 at end of file");
		is_int(count, 5, "five lines read from a 1-byte-at-a-time pipe");
		ok(good, "each with the right text, length and line number");
		is_int(dt_rd_getline(&r, &line, &len), 0,
		    "dt_rd_getline keeps returning 0 after the end");
		dt_rd_free(&r);
		reap(pid, fd);
	}

	/*
	 * The same with dt_rd_fill and dt_rd_line, as a poller does; the
	 * bytes written here one at a time, so that each read gets one
	 * however slow the reader (a sanitized build on a loaded machine).
	 */
	{
		static const char data[] = "one\ntwo\tfields\n\nfour";
		static const char *const want[] = { "one", "two\tfields", "",
		    "four" };
		int good = 1, count = 0, zeros = 0, p[2];
		size_t k;

		if (pipe(p) < 0) {
			perror("pipe");
			return 2;
		}
		dt_rd_init(&r, p[0], "pipe");
		is_int(dt_rd_line(&r, &line, &len), 0,
		    "dt_rd_line on an empty reader wants more input");
		for (k = 0, rc = 0; k <= sizeof(data) - 1 && rc >= 0; k++) {
			if (k < sizeof(data) - 1)
				rc = dt_write_all(p[1], data + k, 1);
			else
				rc = close(p[1]);
			if (rc < 0 || dt_rd_fill(&r) < 0) {
				rc = -1;
				break;
			}
			while ((rc = dt_rd_line(&r, &line, &len)) > 0) {
				if (count >= 4 || strcmp(line, want[count]) ||
				    r.lineno != (unsigned long)count + 1)
					good = 0;
				count++;
			}
			if (rc == 0 && !r.eof)
				zeros++;
		}
		ok(rc == 0 && r.eof && count == 4 && good,
		    "dt_rd_fill + dt_rd_line: 4 lines, last without newline "
		    "(rc %d, count %d)", rc, count);
		ok(zeros > 4, "  and dt_rd_line asked for more input between "
		    "bytes (%d times)", zeros);
		dt_rd_free(&r);
		close(p[0]);
	}

	/* --- line length limits --- */
	{
		size_t big = DT_LINE_MAX + 1;
		char *data = dt_xmalloc(big + 16);

		/* Exactly DT_LINE_MAX bytes is fine. */
		memset(data, 'a', DT_LINE_MAX);
		memcpy(data + DT_LINE_MAX, "\nnext\n", 6);
		pid = writer(data, DT_LINE_MAX + 6, 4093, 0, &fd);
		dt_rd_init(&r, fd, "pipe");
		rc = dt_rd_getline(&r, &line, &len);
		ok(rc == 1 && len == DT_LINE_MAX,
		    "a line of exactly DT_LINE_MAX bytes is read (rc %d)", rc);
		rc = dt_rd_getline(&r, &line, &len);
		ok(rc == 1 && strcmp(line, "next") == 0 && r.lineno == 2,
		    "  and the line after it too");
		dt_rd_free(&r);
		reap(pid, fd);

		/* One more byte is an error, fed in small chunks. */
		memset(data, 'b', big);
		memcpy(data + big, "\nnext\n", 6);
		pid = writer(data, big + 6, 1000, 0, &fd);
		dt_rd_init(&r, fd, "pipe");
		dt_line_error = "";
		rc = dt_rd_getline(&r, &line, &len);
		is_int(rc, -1, "a line of DT_LINE_MAX+1 bytes from a pipe is -1");
		ok(strstr(dt_line_error, "too long") != NULL,
		    "  with dt_line_error \"%s\"", dt_line_error);
		is_int(r.lineno, 1, "  on line 1");
		dt_rd_free(&r);
		reap(pid, fd);

		/* The same, all in one read from a file. */
		{
			FILE *fp = tmpfile();

			if (fp == NULL || dt_write_all(fileno(fp), "ok\n", 3) ||
			    dt_write_all(fileno(fp), data, big + 6))
				exit(2);
			lseek(fileno(fp), 0, SEEK_SET);
			dt_rd_init(&r, fileno(fp), "file");
			rc = dt_rd_getline(&r, &line, &len);
			ok(rc == 1 && strcmp(line, "ok") == 0, "file: line 1");
			dt_line_error = "";
			rc = dt_rd_getline(&r, &line, &len);
			ok(rc == -1 && strstr(dt_line_error, "too long") &&
			    r.lineno == 2,
			    "file: an over-long line 2 is -1, \"%s\", lineno %lu",
			    dt_line_error, r.lineno);
			dt_rd_free(&r);
			fclose(fp);
		}

		/* Over-long and unterminated at end of file. */
		pid = writer(data, big, 8192, 0, &fd);
		dt_rd_init(&r, fd, "pipe");
		dt_line_error = "";
		rc = dt_rd_getline(&r, &line, &len);
		ok(rc == -1 && strstr(dt_line_error, "too long"),
		    "an over-long last line without newline is -1 (%d, \"%s\")",
		    rc, dt_line_error);
		dt_rd_free(&r);
		reap(pid, fd);
		free(data);
	}

	/* --- NUL bytes --- */
	{
		static const char data[] = "ab\0cd\nnext\n";

		pid = writer(data, sizeof(data) - 1, 1, 0, &fd);
		dt_rd_init(&r, fd, "pipe");
		dt_line_error = "";
		rc = dt_rd_getline(&r, &line, &len);
		is_int(rc, -1, "a NUL byte in a line gives -1");
		ok(strstr(dt_line_error, "NUL") != NULL && r.lineno == 1,
		    "  with dt_line_error \"%s\" on line %lu", dt_line_error,
		    r.lineno);
		dt_rd_free(&r);
		reap(pid, fd);

		pid = writer("x\0", 2, 1, 0, &fd);
		dt_rd_init(&r, fd, "pipe");
		rc = dt_rd_getline(&r, &line, &len);
		is_int(rc, -1, "a NUL byte in an unterminated last line gives -1");
		dt_rd_free(&r);
		reap(pid, fd);
	}

	/* --- dt_line_send --- */
	{
		char *out;

		dt_line_begin(&b, "out");
		dt_line_field(&b, "a\tb");
		dt_line_field(&b, NULL);
		dt_line_fieldf(&b, "%d-%s", 7, "x\\");
		out = send_capture(&b, &len, &rc);
		ok(rc == 0 && strcmp(out, "out\ta\\tb\t\t7-x\\\\\n") == 0,
		    "dt_line_send of a short line adds only the newline");
		free(out);

		/* Exactly DT_LINE_MAX bytes: sent whole. */
		dt_line_begin(&b, "out");
		dt_buf_addc(&b, '\t');
		while (b.len < DT_LINE_MAX)
			dt_buf_addc(&b, 'z');
		out = send_capture(&b, &len, &rc);
		ok(rc == 0 && len == DT_LINE_MAX + 1 && out[len - 1] == '\n' &&
		    out[len - 2] == 'z',
		    "a line of exactly DT_LINE_MAX bytes is sent whole");
		free(out);

		/* One byte more: cut. */
		dt_line_begin(&b, "out");
		dt_buf_addc(&b, '\t');
		while (b.len < DT_LINE_MAX + 1)
			dt_buf_addc(&b, 'z');
		out = send_capture(&b, &len, &rc);
		ok(rc == 0 && len <= DT_LINE_MAX + 1 &&
		    memcmp(out + len - 6, "[...]\n", 6) == 0,
		    "a line of DT_LINE_MAX+1 bytes is cut and marked");
		free(out);
		dt_buf_free(&b);
	}
	/* Both parities of the cut against the escape pairs. */
	check_truncation("v", '\\', DT_LINE_MAX, "all backslashes");
	check_truncation("vv", '\\', DT_LINE_MAX, "all backslashes");
	check_truncation("v", '\t', DT_LINE_MAX, "all tabs");
	check_truncation("vv", '\t', DT_LINE_MAX, "all tabs");
	check_truncation("v", '\n', DT_LINE_MAX / 2 + 10, "all newlines");
	check_truncation("vv", 'q', DT_LINE_MAX * 2, "plain bytes");

	/* Random mixes near the limit: every cut line is valid. */
	{
		unsigned seed = 12345;
		int trial, bad = 0, toolong = 0, unmarked = 0;
		char *raw = dt_xmalloc(DT_LINE_MAX);
		static const char pick[] = "\\\\\\\t\tab\n";

		for (trial = 0; trial < 200; trial++) {
			size_t k, rl = DT_LINE_MAX / 2 + rand_r(&seed) %
			    (DT_LINE_MAX / 2);
			char *out, *ff[4];

			for (k = 0; k < rl; k++)
				raw[k] = pick[rand_r(&seed) % (sizeof(pick) - 1)];
			dt_line_begin(&b, trial % 2 ? "v" : "vv");
			dt_line_fieldn(&b, raw, rl);
			if (b.len <= DT_LINE_MAX)
				dt_buf_adds(&b, "\t\\\\\\\\\\\\\\\\\\\\\\\\"
				    "\\\\\\\\\\\\\\\\\\\\\\\\");
			while (b.len <= DT_LINE_MAX)
				dt_line_fieldn(&b, raw, 1000);
			out = send_capture(&b, &len, &rc);
			if (len > DT_LINE_MAX + 1)
				toolong++;
			if (len < 6 || memcmp(out + len - 6, "[...]\n", 6))
				unmarked++;
			if (dt_split(out, len - 1, ff, 4) < 0)
				bad++;
			free(out);
		}
		ok(toolong == 0 && unmarked == 0 && bad == 0,
		    "200 random over-long lines of \\, TAB, newline and letters: "
		    "%d too long, %d unmarked, %d with a bad escape",
		    toolong, unmarked, bad);
		free(raw);
		dt_buf_free(&b);
	}

	/* dt_send */
	{
		FILE *fp = tmpfile();
		char got[64];
		ssize_t k;

		if (fp == NULL)
			exit(2);
		rc = dt_send(fileno(fp), "hello", "a\tb", "", "c\\", NULL);
		lseek(fileno(fp), 0, SEEK_SET);
		k = read(fileno(fp), got, sizeof(got) - 1);
		got[k > 0 ? k : 0] = '\0';
		ok(rc == 0 && strcmp(got, "hello\ta\\tb\t\tc\\\\\n") == 0,
		    "dt_send writes verb and escaped fields as one line");
		fclose(fp);
	}

	/* --- dt_check_hello --- */
	{
		char *h[5];

		h[0] = "hello"; h[1] = "distributest-channel"; h[2] = "2";
		h[3] = "0.2.0";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		ok(rc == 0 && *msg == '\0', "dt_check_hello accepts the right "
		    "hello, silently");
		is_int(dt_check_hello(h, 3, "distributest-channel", "peer"), 0,
		    "dt_check_hello accepts a hello without a version field");

		h[1] = "distributest-events";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects a wrong kind");
		if (!ok(strstr(msg, "peer") &&
		    strstr(msg, "distributest-channel"),
		    "  and says what it expected"))
			diag("message: %s", msg);
		ok(strstr(msg, "distributest-events") != NULL,
		    "  and names the kind it got");

		h[1] = "distributest-channel";
		h[2] = "1";
		h[3] = "9.9.9";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects protocol version 1");
		if (!ok(strstr(msg, "version 1") && strstr(msg, "9.9.9") &&
		    strstr(msg, "version 2") && strstr(msg, DT_VERSION),
		    "  and names both sides' versions"))
			diag("message: %s", msg);

		h[2] = "2x";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects protocol \"2x\"");
		h[2] = "";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects an empty protocol");

		h[0] = "set"; h[2] = "2";
		capture_begin();
		rc = dt_check_hello(h, 4, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects a line that is no hello");
		h[0] = "hello";
		capture_begin();
		rc = dt_check_hello(h, 2, "distributest-channel", "peer");
		msg = capture_end();
		is_int(rc, -1, "dt_check_hello rejects a hello with no protocol");
	}

	return done_testing();
}
