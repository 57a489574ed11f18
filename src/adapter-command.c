/*
 * adapter-command: the framework adapter for any per-file command.  It
 * runs $DT_COMMAND once per file, "{}" standing for the file (appended
 * when absent); exit status 0 is a pass.  The file reaches the shell as
 * "$1", never pasted into the command text, so no name can inject shell.
 * A failure carries the command a person would type to rerun the file:
 * $DT_COMMAND with the path single-quoted in place of "{}".
 */
#include <errno.h>
#include <fcntl.h>
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

int
main(int argc, char *argv[])
{
	struct dt_reader r;
	struct dt_buf b = { 0 };
	char *l, *f[4], *sh, *again, why[128];
	const char *cmd;
	size_t len;
	pid_t pid;
	int n, st;

	dt_hygiene();
	dt_setprog(argv[0]);
	if (argc != 1)
		dt_usage(USAGE);
	if ((cmd = getenv("DT_COMMAND")) == NULL || *cmd == '\0')
		dt_die(DT_EX_USAGE, "DT_COMMAND is not set");
	sh = script(cmd);
	if (dt_send(3, "ready", (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "fd 3");
	dt_rd_init(&r, 0, "stdin");
	while ((n = dt_rd_getline(&r, &l, &len)) > 0) {
		if (dt_split(l, len, f, 4) < 2 || strcmp(f[0], "run") != 0)
			dt_die(DT_EX_DATA, "stdin line %lu: expected run PATH",
			    r.lineno);
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			dt_die_sys(DT_EX_SYS, "fork");
		if (pid == 0) {
			int fd = open("/dev/null", O_RDONLY);

			signal(SIGPIPE, SIG_DFL);
			/* Tests must not read the requests meant for us. */
			if (fd > 0) {
				dup2(fd, 0);
				close(fd);
			}
			close(3);
			execl("/bin/sh", "sh", "-c", sh, "sh", f[1],
			    (char *)NULL);
			dt_die_sys(DT_EX_NOEXEC, "/bin/sh");
		}
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				dt_die_sys(DT_EX_SYS, "waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			if (dt_send(3, "done", "passed", "1", "0", "0", "0",
			    (char *)NULL) < 0)
				dt_die_sys(DT_EX_SYS, "fd 3");
			continue;
		}
		dt_line_begin(&b, "fail");
		dt_line_field(&b, "failure");
		dt_line_field(&b, f[1]);
		dt_line_field(&b, f[1]);
		dt_line_fieldf(&b, "command %s", dt_status_str(st, why,
		    sizeof(why)));
		again = rerun(cmd, f[1]);
		dt_line_field(&b, again);
		free(again);
		if (dt_line_send(3, &b) < 0 || dt_send(3, "done", "failed",
		    "1", "1", "0", "0", (char *)NULL) < 0)
			dt_die_sys(DT_EX_SYS, "fd 3");
	}
	if (n < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", r.lineno,
		    dt_line_error);
	return 0;
}
