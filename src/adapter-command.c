/*
 * adapter-command: the framework adapter for any per-file command.  It
 * runs $DT_COMMAND once per file, "{}" standing for the file (appended
 * when absent); exit status 0 is a pass.  The file reaches the shell as
 * "$1", never pasted into the command text, so no name can inject shell.
 * A failure carries the command a person would type to rerun the file:
 * $DT_COMMAND with the path single-quoted in place of "{}".
 *
 * When the command prints TAP, its test lines are the counts: each "ok"
 * a passed example, "not ok" a failure (its "#" lines after it the
 * message), SKIP and TODO pending; a non-zero exit with no failing test,
 * a "Bail out!" or fewer tests than planned is an error.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "adapter-command"

static char *
script(const char *cmd)
{
	struct dt_buf b = { 0 };
	const char *p;
	int used = 0;

	for (p = cmd; *p; p++) {
		if (p[0] == '{' && p[1] == '}') {
			dt_buf_adds(&b, "\"$1\"");
			p++;
			used = 1;
		} else
			dt_buf_addc(&b, *p);
	}
	if (!used)
		dt_buf_adds(&b, " \"$1\"");
	return b.s;
}

/* The path in single quotes, each ' in it written '\''. */
static void
quote(struct dt_buf *b, const char *path)
{
	const char *p;

	dt_buf_addc(b, '\'');
	for (p = path; *p; p++) {
		if (*p == '\'')
			dt_buf_adds(b, "'\\''");
		else
			dt_buf_addc(b, *p);
	}
	dt_buf_addc(b, '\'');
}

/* The RERUN field: the command as a person would type it for PATH. */
static char *
rerun(const char *cmd, const char *path)
{
	struct dt_buf b = { 0 };
	const char *p;
	int used = 0;

	for (p = cmd; *p; p++) {
		if (p[0] == '{' && p[1] == '}') {
			quote(&b, path);
			p++;
			used = 1;
		} else
			dt_buf_addc(&b, *p);
	}
	if (!used) {
		dt_buf_addc(&b, ' ');
		quote(&b, path);
	}
	return b.s;
}

/* What the TAP of one file said. */
struct tap {
	int		 seen, tests, failed, pending, planned, bailed;
	struct dt_buf	 desc, msg;	/* of the "not ok" being read */
	int		 open;		/* a "not ok" waits for its message */
	const char	*path, *again;
};

static void
send3(struct dt_buf *b)
{
	if (dt_line_send(3, b) < 0)
		dt_die_sys(DT_EX_SYS, "fd 3");
}

static void
flush_fail(struct tap *t)
{
	struct dt_buf b = { 0 };

	if (!t->open)
		return;
	dt_line_begin(&b, "fail");
	dt_line_field(&b, "failure");
	dt_line_field(&b, t->desc.s ? t->desc.s : "");
	dt_line_field(&b, t->path);
	dt_line_field(&b, t->msg.len ? t->msg.s : "not ok");
	dt_line_field(&b, t->again);
	send3(&b);
	dt_buf_free(&b);
	t->open = 0;
}

/* Case-insensitive: does s start with word? */
static int
starts(const char *s, const char *word)
{
	return strncasecmp(s, word, strlen(word)) == 0;
}

static void
tap_line(struct tap *t, char *l)
{
	struct dt_buf b = { 0 };
	char *p, *hash;
	int ok;

	if (t->open && l[0] == '#') {
		if (t->msg.len < 16000) {
			p = l + 1;
			if (*p == ' ')
				p++;
			if (t->msg.len)
				dt_buf_addc(&t->msg, '\n');
			dt_buf_adds(&t->msg, p);
		}
		return;
	}
	if (strncmp(l, "1..", 3) == 0 && isdigit((unsigned char)l[3])) {
		t->seen = 1;
		t->planned = atoi(l + 3);
		return;
	}
	if (starts(l, "Bail out!")) {
		t->seen = t->bailed = 1;
		return;
	}
	if (strncmp(l, "ok", 2) == 0 && (l[2] == ' ' || l[2] == '\0'))
		ok = 1;
	else if (strncmp(l, "not ok", 6) == 0 && (l[6] == ' ' || l[6] == '\0'))
		ok = 0;
	else
		return;
	flush_fail(t);
	t->seen = 1;
	t->tests++;
	p = l + (ok ? 2 : 6);
	while (*p == ' ')
		p++;
	hash = strchr(p, '#');
	if (hash != NULL) {
		char *d = hash + 1;

		while (*d == ' ')
			d++;
		if (starts(d, "skip") || starts(d, "todo")) {
			t->pending++;
			dt_line_begin(&b, "pending");
			while (hash > p && hash[-1] == ' ')
				hash--;
			*hash = '\0';
			dt_line_field(&b, p);
			dt_line_field(&b, t->path);
			dt_line_field(&b, d);
			send3(&b);
			dt_buf_free(&b);
			return;
		}
	}
	if (ok)
		return;
	t->failed++;
	t->open = 1;
	dt_buf_reset(&t->desc);
	dt_buf_adds(&t->desc, p);
	dt_buf_reset(&t->msg);
}

/*
 * The command's output goes on as it comes, and its TAP lines are read.
 * The file is over when the command exits, even if something it left in
 * the background still holds the pipe.  Returns its wait status.
 */
static int
relay(struct dt_child *c, struct tap *t)
{
	struct dt_reader o;
	char *ol;
	size_t olen;
	int k, st = 0, exited = 0;

	dt_nonblock(c->out);
	dt_rd_init(&o, c->out, "output");
	for (;;) {
		struct pollfd pfd = { c->out, POLLIN, 0 };

		if (!exited && waitpid(c->pid, &st, o.eof ? 0 : WNOHANG) ==
		    c->pid)
			exited = 1;
		if (!exited)
			(void)poll(&pfd, 1, 50);
		while (dt_rd_fill(&o) > 0)
			;
		while ((k = dt_rd_line(&o, &ol, &olen)) != 0) {
			if (k < 0) {	/* too long for TAP: pass it on */
				fwrite(o.buf + o.start, 1, o.len, stdout);
				o.len = 0;
				break;
			}
			printf("%s\n", ol);
			tap_line(t, ol);
		}
		/* As it comes: a file that hangs has said what it did. */
		fflush(stdout);
		if (exited || o.eof) {
			if (o.len > 0) {	/* a last line, unended */
				o.eof = 1;
				if (dt_rd_line(&o, &ol, &olen) > 0) {
					printf("%s\n", ol);
					tap_line(t, ol);
				}
			}
			if (exited)
				break;
		}
	}
	fflush(stdout);
	dt_rd_free(&o);
	dt_close(&c->out);
	return st;
}

/* The result of a file whose command printed no TAP: its exit status. */
static void
report_status(const char *path, int st, const char *again)
{
	struct dt_buf b = { 0 };
	char why[128];

	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		if (dt_send(3, "done", "passed", "1", "0", "0", "0",
		    (char *)NULL) < 0)
			dt_die_sys(DT_EX_SYS, "fd 3");
		return;
	}
	dt_line_begin(&b, "fail");
	dt_line_field(&b, "failure");
	dt_line_field(&b, path);
	dt_line_field(&b, path);
	dt_line_fieldf(&b, "command %s", dt_status_str(st, why, sizeof(why)));
	dt_line_field(&b, again);
	send3(&b);
	dt_buf_free(&b);
	if (dt_send(3, "done", "failed", "1", "1", "0", "0", (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "fd 3");
}

/* The result of a file whose command printed TAP: its counts. */
static void
report_tap(struct tap *t, int st, const char *again)
{
	struct dt_buf b = { 0 };
	char why[128], nums[4][16];
	int errors = 0;

	if (t->bailed || (t->planned > 0 && t->tests < t->planned) ||
	    (t->failed == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))) {
		errors = 1;
		dt_line_begin(&b, "fail");
		dt_line_field(&b, "error");
		dt_line_field(&b, t->path);
		dt_line_field(&b, t->path);
		if (t->bailed)
			dt_line_field(&b, "Bail out!");
		else if (t->planned > 0 && t->tests < t->planned)
			dt_line_fieldf(&b, "planned %d tests, ran %d",
			    t->planned, t->tests);
		else
			dt_line_fieldf(&b, "command %s", dt_status_str(st,
			    why, sizeof(why)));
		dt_line_field(&b, again);
		send3(&b);
		dt_buf_free(&b);
	}
	snprintf(nums[0], sizeof(nums[0]), "%d", t->tests);
	snprintf(nums[1], sizeof(nums[1]), "%d", t->failed);
	snprintf(nums[2], sizeof(nums[2]), "%d", t->pending);
	snprintf(nums[3], sizeof(nums[3]), "%d", errors);
	if (dt_send(3, "done", errors ? "error" : t->failed ? "failed" :
	    "passed", nums[0], nums[1], nums[2], nums[3], (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "fd 3");
}

static void
run_file(const char *cmd, char *sh, char *path)
{
	char *argv[] = { "/bin/sh", "-c", sh, "sh", path, NULL };
	struct dt_child c;
	struct tap t;
	char *again;
	int st;

	fflush(stdout);
	/* Tests must not read the requests meant for us. */
	if (dt_spawn(&c, argv, DT_SPAWN_OUT | DT_SPAWN_NULLIN) < 0)
		dt_die_sys(DT_EX_NOEXEC, "/bin/sh");
	memset(&t, 0, sizeof(t));
	t.path = path;
	again = rerun(cmd, path);
	t.again = again;
	st = relay(&c, &t);
	flush_fail(&t);
	if (t.seen)
		report_tap(&t, st, again);
	else
		report_status(path, st, again);
	free(again);
	dt_buf_free(&t.desc);
	dt_buf_free(&t.msg);
}

int
main(int argc, char *argv[])
{
	struct dt_reader r;
	char *l, *f[4], *sh;
	const char *cmd;
	size_t len;
	int n;

	dt_hygiene();
	dt_setprog(argv[0]);
	if (argc != 1)
		dt_usage(USAGE);
	if ((cmd = getenv("DT_COMMAND")) == NULL || *cmd == '\0')
		dt_die(DT_EX_USAGE, "DT_COMMAND is not set");
	sh = script(cmd);
	dt_cloexec(3);		/* the results are ours, not the tests' */
	if (dt_send(3, "ready", (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "fd 3");
	dt_rd_init(&r, 0, "stdin");
	while ((n = dt_rd_getline(&r, &l, &len)) > 0) {
		if (dt_split(l, len, f, 4) < 2 || strcmp(f[0], "run") != 0)
			dt_die(DT_EX_DATA, "stdin line %lu: expected run PATH",
			    r.lineno);
		run_file(cmd, sh, f[1]);
	}
	if (n < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", r.lineno,
		    dt_line_error);
	return 0;
}
