/* dt_exec_script: a "#!/usr/bin/env NAME" line read, every other as execv. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"
#include "tap.h"

static char dir[] = "/tmp/dt-exec-XXXXXX";

/* Script NAME with CONTENT, mode MODE; its path. */
static char *
script(const char *name, const char *content, mode_t mode)
{
	char *path = dt_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

/* Run it with two arguments: its exit status, what it wrote in *out. */
static int
run(const char *path, char *out, size_t len)
{
	char *argv[] = { (char *)path, "a b", "c", NULL };
	int p[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p) < 0 || (pid = fork()) < 0)
		exit(2);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		dt_exec_script(argv);
		_exit(120);
	}
	close(p[1]);
	while (got < (ssize_t)len - 1 &&
	    (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Script NAME run: exit status WANTST, output WANTOUT (NULL: any). */
static void
check(const char *name, const char *content, mode_t mode, int wantst,
    const char *wantout, const char *what)
{
	char out[4096], *path = script(name, content, mode);
	int st = run(path, out, sizeof(out));

	is_int(st, wantst, "%s: exit status", what);
	if (wantout != NULL)
		is_str(out, wantout, "%s: output", what);
	else
		ok(strstr(out, "dt-no-such-interpreter") != NULL,
		    "%s: env says which (%.*s)", what,
		    (int)strcspn(out, "\n"), out);
	free(path);
}

int
main(void)
{
	char *want, *cmd;

	plan(12);
	if (mkdtemp(dir) == NULL)
		return 2;
	want = dt_xasprintf("%s/env-sh|a b|c|\n", dir);
	check("env-sh", "#!/usr/bin/env sh\nprintf '%s|' \"$0\" \"$@\"; echo\n",
	    0755, 0, want, "#!/usr/bin/env sh: $0 the script, the arguments");
	free(want);
	check("plain", "#!/bin/sh\nprintf '%s|' \"$@\"; echo\n", 0755, 0,
	    "a b|c|\n", "#!/bin/sh");
	check("missing", "#!/usr/bin/env dt-no-such-interpreter\n", 0755, 127,
	    NULL, "an interpreter not in PATH, env's 127");
	check("options", "#!/usr/bin/env -S sh -e\nprintf '%s|' \"$@\"; echo\n",
	    0755, 0, "a b|c|\n", "env with options, left to env");
	check("noexec", "#!/usr/bin/env sh\necho ran\n", 0644, 120, "",
	    "not executable: execv's failure, not run by name");
	check("noline", "#!/usr/bin/env sh", 0755, 0, "",
	    "a #! line without its newline, left to the kernel");
	cmd = dt_xasprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	free(cmd);
	return done_testing();
}
