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

int
main(void)
{
	char out[4096], *want, *path;
	int st;

	plan(12);
	if (mkdtemp(dir) == NULL)
		return 2;

	path = script("env-sh", "#!/usr/bin/env sh\n"
	    "printf '%s|' \"$0\" \"$@\"; echo\n", 0755);
	st = run(path, out, sizeof(out));
	want = dt_xasprintf("%s|a b|c|\n", path);
	is_int(st, 0, "#!/usr/bin/env sh: runs");
	is_str(out, want, "#!/usr/bin/env sh: $0 the script, the arguments "
	    "as given");
	free(want);
	free(path);

	path = script("plain", "#!/bin/sh\nprintf '%s|' \"$@\"; echo\n", 0755);
	st = run(path, out, sizeof(out));
	is_int(st, 0, "#!/bin/sh: runs");
	is_str(out, "a b|c|\n", "#!/bin/sh: the arguments as given");
	free(path);

	path = script("missing", "#!/usr/bin/env dt-no-such-interpreter\n",
	    0755);
	st = run(path, out, sizeof(out));
	is_int(st, 127, "an interpreter not in PATH: env's 127");
	ok(strstr(out, "dt-no-such-interpreter") != NULL,
	    "an interpreter not in PATH: env says which (%s)", out);
	free(path);

	path = script("options", "#!/usr/bin/env -S sh -e\n"
	    "printf '%s|' \"$@\"; echo\n", 0755);
	st = run(path, out, sizeof(out));
	is_int(st, 0, "env with options: left to env");
	is_str(out, "a b|c|\n", "env with options: the arguments as given");
	free(path);

	path = script("noexec", "#!/usr/bin/env sh\necho ran\n", 0644);
	st = run(path, out, sizeof(out));
	is_int(st, 120, "not executable: execv's failure, not run by name");
	is_str(out, "", "not executable: nothing ran");
	free(path);

	path = script("noline", "#!/usr/bin/env sh", 0755);
	st = run(path, out, sizeof(out));
	is_int(st, 0, "a #! line without its newline: left to the kernel");
	is_str(out, "", "a #! line without its newline: sh ran it, empty");
	free(path);

	path = dt_xasprintf("rm -rf %s", dir);
	if (system(path) != 0)
		return 2;
	free(path);
	return done_testing();
}
