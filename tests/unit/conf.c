/* The configuration reader: defaults, merging, origins and errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"
#include "tap.h"

static char dir[] = "/tmp/dt-conf-test-XXXXXX";
static char *made[64];
static int nmade;

/* Write a file in the test directory; the path lives until the end. */
static const char *
mkfile(const char *name, const char *text)
{
	char *p = dt_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0) {
		perror(p);
		exit(2);
	}
	if (nmade < (int)(sizeof(made) / sizeof(made[0])))
		made[nmade++] = p;
	return p;
}

/* The same for text of len bytes, which may hold NUL bytes. */
static const char *
mkfile_n(const char *name, const char *text, size_t len)
{
	char *p = dt_xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		perror(p);
		exit(2);
	}
	if (nmade < (int)(sizeof(made) / sizeof(made[0])))
		made[nmade++] = p;
	return p;
}

/* Load into c, capturing stderr; *msg gets what was printed. */
static int
load(struct dt_conf *c, const char *file, int required, const char **msg)
{
	int rc;

	capture_begin();
	rc = dt_conf_load(c, file, required);
	*msg = capture_end();
	return rc;
}

/*
 * A fresh configuration, one file that must fail: -1, and a message
 * holding "FILE:LINE:" and the given words.
 */
static void
check_error(const char *name, const char *text, int line, const char *words,
    const char *desc)
{
	struct dt_conf c;
	const char *path = mkfile(name, text), *msg;
	char *want = dt_xasprintf("%s:%d:", path, line);
	int rc;

	dt_conf_init(&c);
	rc = load(&c, path, 1, &msg);
	is_int(rc, -1, "%s: dt_conf_load fails", desc);
	if (!ok(strstr(msg, want) != NULL &&
	    (words == NULL || strstr(msg, words) != NULL),
	    "%s: message names FILE:%d%s%s", desc, line,
	    words ? " and says " : "", words ? words : ""))
		diag("message: %s", msg);
	dt_conf_free(&c);
	free(want);
}

/*
 * Text with a NUL byte must fail on the given line, "FILE:LINE: NUL byte
 * in line", and set no command, wherever the NUL hides one.
 */
static void
check_nul(const char *name, const char *text, size_t len, int line,
    const char *desc)
{
	struct dt_conf c;
	const char *path = mkfile_n(name, text, len), *msg;
	char *want = dt_xasprintf("%s:%d: NUL byte in line", path, line);
	int rc;

	dt_conf_init(&c);
	rc = load(&c, path, 1, &msg);
	is_int(rc, -1, "%s: dt_conf_load fails", desc);
	if (!ok(strstr(msg, want) != NULL, "%s: the message names FILE:%d",
	    desc, line))
		diag("message: %s", msg);
	ok(c.run[DT_RUN_COMMAND].value == NULL, "%s: no command is set",
	    desc);
	dt_conf_free(&c);
	free(want);
}

#define NUL_TEXT(name, s, line, desc) \
	check_nul(name, s, sizeof(s) - 1, line, desc)

static int
setting_is(const struct dt_setting *s, const char *value, const char *file,
    int line)
{
	if (s->value == NULL || strcmp(s->value, value) != 0 ||
	    (file == NULL) != (s->origin.file == NULL) ||
	    (file != NULL && strcmp(file, s->origin.file) != 0) ||
	    s->origin.line != line) {
		diag("  got \"%s\" from %s:%d, expected \"%s\" from %s:%d",
		    s->value ? s->value : "(null)",
		    s->origin.file ? s->origin.file : "(default)",
		    s->origin.line, value, file ? file : "(default)", line);
		return 0;
	}
	return 1;
}

/* As check_error(), for a message that must end with the words. */
static void
check_end(const char *name, const char *text, int line, const char *words,
    const char *desc)
{
	struct dt_conf c;
	const char *path = mkfile(name, text), *msg;
	char *want = dt_xasprintf("%s:%d: %s", path, line, words);
	size_t n, m;
	int rc;

	dt_conf_init(&c);
	rc = load(&c, path, 1, &msg);
	is_int(rc, -1, "%s: dt_conf_load fails", desc);
	n = strlen(msg);
	m = strlen(want);
	if (!ok(n >= m && strcmp(msg + n - m, want) == 0,
	    "%s: message ends FILE:%d: %s", desc, line, words))
		diag("message: %s", msg);
	dt_conf_free(&c);
	free(want);
}

/*
 * A key in the wrong section says where it belongs, a misspelt key or
 * section the nearest right one; one far from any, nothing more.
 */
static void
hints(void)
{
	check_error("h1.conf", "[run]\nruner_setup = x\n", 2,
	    "unknown key \"runer_setup\" in [run]; did you mean "
	    "\"runner_setup\"?", "a key one letter short");
	check_error("h2.conf", "[run]\n\nframewrok = rspec\n", 3,
	    "did you mean \"framework\"?", "two letters swapped");
	check_error("h3.conf", "[run]\nrunners = 4\n", 2,
	    "\"runners\" belongs in a [node NAME] section, not [run] (or use "
	    "distributest -n N or -j N)", "runners under [run]");
	check_end("h4.conf", "[run]\nhost = h\n", 2,
	    "\"host\" belongs in a [node NAME] section, not [run]",
	    "host under [run]");
	check_error("h5.conf", "[node a]\nhost = h\nretries = 2\n", 3,
	    "\"retries\" belongs in [run], not [node a]",
	    "retries under a node");
	check_error("h6.conf", "[run]\nrunner = 4\n", 2,
	    "did you mean \"runners\"? It belongs in a [node NAME] section",
	    "a misspelt key of the other section");
	check_error("h7.conf", "[node a]\nhots = h\n", 2,
	    "unknown key \"hots\" in [node a]; did you mean \"host\"?",
	    "a misspelt node key");
	check_error("h8.conf", "[node a]\nRunners = 2\n", 2,
	    "did you mean \"runners\"?", "a key in upper case");
	check_end("h9.conf", "[run]\nfrobnicate = yes\n", 2,
	    "unknown key \"frobnicate\" in [run]", "a far key has no hint");
	check_end("h10.conf", "[node a]\nhxsx = h\n", 2,
	    "unknown key \"hxsx\" in [node a]",
	    "two edits from a short key is no hint");
	check_end("h11.conf", "[run]\nrunner_setup_for_every_one = x\n", 2,
	    "unknown key \"runner_setup_for_every_one\" in [run]",
	    "a long key has no hint");
	check_error("h12.conf", "[runs]\nretries = 1\n", 1,
	    "unknown section [runs]; did you mean [run]?", "[runs]");
	check_error("h13.conf", "[run]\n[nodes x]\n", 2,
	    "unknown section [nodes x]; did you mean [node x]?", "[nodes x]");
	check_error("h14.conf", "[Node]\n", 1,
	    "unknown section [Node]; did you mean [node NAME]?", "[Node]");
	check_error("h15.conf", "runners = 2\n[node a]\n", 1,
	    "\"runners\" outside a section (put it under [node NAME])",
	    "runners before any section");
	check_error("h16.conf", "\nretries = 2\n", 2,
	    "\"retries\" outside a section (put it under [run])",
	    "retries before any section");
}

int
main(void)
{
	struct dt_conf c;
	struct dt_node *n;
	const char *p1, *p2, *msg;
	char longline[512];
	int rc, k, none;

	dt_setprog("conf-test");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	plan(160);

	/* --- defaults --- */
	dt_conf_init(&c);
	is_int(c.nnodes, 1, "defaults: one node");
	ok(c.nnodes == 1 && strcmp(c.nodes[0].name, "local") == 0,
	    "defaults: the node is \"local\"");
	ok(c.nnodes == 1 && setting_is(&c.nodes[0].runners, "auto", NULL, 0),
	    "defaults: its runners are \"auto\", a built-in default");
	ok(dt_conf_node(&c, "local") == &c.nodes[0],
	    "dt_conf_node finds \"local\"");
	ok(dt_conf_node(&c, "other") == NULL,
	    "dt_conf_node of an unknown node is NULL");
	for (none = 1, k = 0; k < DT_RUN_NKEYS; k++)
		if (c.run[k].value != NULL)
			none = 0;
	ok(none, "defaults: no [run] key is set");
	dt_conf_free(&c);

	/* --- every [run] key, with origins --- */
	p1 = mkfile("all.conf",
	    "# a comment\n"			/* 1 */
	    "[run]\n"				/* 2 */
	    "framework = command\n"		/* 3 */
	    "command = make test\n"		/* 4 */
	    "\n"				/* 5 */
	    "tests = t/*.sh\n"			/* 6 */
	    "exclude = t/slow.sh\n"		/* 7 */
	    "workdir = /srv/dt\n"		/* 8 */
	    "; another comment\n"		/* 9 */
	    "node_setup = .dt/node\n"		/* 10 */
	    "runner_setup = .dt/runner\n"	/* 11 */
	    "retries = 3\n"			/* 12 */
	    "args = --fail-fast\n");		/* 13 */
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == 0 && *msg == '\0', "a file with every [run] key loads "
	    "silently");
	ok(setting_is(&c.run[DT_RUN_FRAMEWORK], "command", p1, 3),
	    "framework with its origin");
	ok(setting_is(&c.run[DT_RUN_COMMAND], "make test", p1, 4),
	    "command with its origin");
	ok(setting_is(&c.run[DT_RUN_TESTS], "t/*.sh", p1, 6),
	    "tests with its origin");
	ok(setting_is(&c.run[DT_RUN_EXCLUDE], "t/slow.sh", p1, 7),
	    "exclude with its origin");
	ok(setting_is(&c.run[DT_RUN_WORKDIR], "/srv/dt", p1, 8),
	    "workdir with its origin");
	ok(setting_is(&c.run[DT_RUN_NODE_SETUP], ".dt/node", p1, 10),
	    "node_setup with its origin");
	ok(setting_is(&c.run[DT_RUN_RUNNER_SETUP], ".dt/runner", p1, 11),
	    "runner_setup with its origin");
	ok(setting_is(&c.run[DT_RUN_RETRIES], "3", p1, 12),
	    "retries with its origin");
	ok(setting_is(&c.run[DT_RUN_ARGS], "--fail-fast", p1, 13),
	    "args with its origin");
	ok(c.nnodes == 1 && strcmp(c.nodes[0].name, "local") == 0,
	    "a file without node sections keeps the local node");
	dt_conf_free(&c);

	p1 = mkfile("bounds.conf", "[run]\nretries = 0\n[run]\nretries = 100\n"
	    "framework = rspec\n");
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == 0 && setting_is(&c.run[DT_RUN_RETRIES], "100", p1, 4),
	    "retries 0 and 100 are accepted; a second [run] section "
	    "continues the first");
	ok(setting_is(&c.run[DT_RUN_FRAMEWORK], "rspec", p1, 5),
	    "framework rspec is accepted");
	dt_conf_free(&c);

	/* --- errors name FILE:LINE --- */
	check_error("key.conf", "[run]\n\nfrobnicate = yes\n", 3,
	    "unknown key \"frobnicate\"", "unknown key in [run]");
	check_error("nodekey.conf", "[node a]\nhost = h\ncolour = red\n", 3,
	    "unknown key \"colour\"", "unknown key in [node a]");
	check_error("sec.conf", "# first\n[run]\nretries = 1\n[runner]\n", 4,
	    "unknown section", "unknown section, last in the file");
	check_error("sec2.conf", "[run]\nretries = 1\n[bogus]\nkey = v\n", 3,
	    "unknown section", "unknown section followed by a key");
	check_error("nodename3.conf", "[node a:b]\nhost = h\n", 1,
	    "bad node name", "a bad node name followed by a key");
	check_error("fw.conf", "[run]\n# x\nframework = cucumber\n", 3,
	    "cucumber", "bad framework");
	check_error("fw2.conf", "[run]\nframework =\n", 2,
	    "framework", "empty framework");
	check_error("retries.conf", "[run]\nretries = many\n", 2,
	    "not a number", "retries \"many\"");
	check_error("retries2.conf", "[run]\nretries = 1\nretries = 101\n", 3,
	    "too large", "retries \"101\"");
	check_error("retries3.conf", "[run]\n\n\nretries = -1\n", 4,
	    "too small", "retries \"-1\"");
	check_error("retries4.conf", "[run]\nretries = 2x\n", 2,
	    "not a number", "retries \"2x\"");
	check_error("art1.conf", "[run]\nartifacts = cov/ /abs\n", 2,
	    "\"/abs\" is an absolute path", "artifacts absolute");
	check_error("art2.conf", "[run]\nartifacts = a\nartifacts = x/../..\n",
	    3, "\"x/../..\" has a \"..\" component", "artifacts with ..");
	check_error("art3.conf", "[run]\nartifacts = ./\n", 2,
	    "\"./\" is the whole project", "artifacts ./");
	p1 = mkfile("art4.conf", "[run]\nartifacts = cov/ rep\n"
	    "artifacts = ./shots/x.png\n");
	dt_conf_init(&c);
	is_int(load(&c, p1, 1, &msg), 0, "artifacts: relative paths load");
	ok(setting_is(&c.run[DT_RUN_ARTIFACTS], "cov/ rep ./shots/x.png", p1,
	    3), "artifacts: lines of one file make one list");
	dt_conf_free(&c);
	check_error("run0.conf", "[node a]\nhost = h\nrunners = 0\n", 3,
	    "too small", "runners \"0\"");
	check_error("runabc.conf", "[node a]\nrunners = abc\n", 2,
	    "not a number", "runners \"abc\"");
	check_error("run2000.conf", "[node a]\nhost = h\n\nrunners = 2000\n",
	    4, "too large", "runners \"2000\"");
	check_error("runempty.conf", "[node a]\nrunners =\n", 2,
	    "runners", "empty runners");
	check_error("hostempty.conf", "[node a]\nhost =\n", 2,
	    "empty", "empty host");
	check_error("syntax.conf", "[run]\nretries = 1\nthis is not ini\n", 3,
	    "syntax error", "a line with no '='");
	check_error("syntax2.conf", "[run]\n[run\n", 2,
	    "syntax error", "an unclosed section header");
	check_error("outside.conf", "\nretries = 1\n[run]\n", 2,
	    "outside a section", "a key before any section");
	check_error("nodename.conf", "[run]\n[node a/b]\n", 2,
	    "bad node name", "a node name with a slash");
	check_error("nodename2.conf", "[node]\n", 1,
	    "unknown section", "[node] without a name");
	check_error("first.conf", "[run]\nretries = x\nframework = y\n", 2,
	    "retries", "two errors: the first is reported");
	check_error("first2.conf", "[run]\nnot ini\nretries = x\n", 2,
	    "syntax error", "a syntax error before a bad value is reported");

	hints();

	/* Lines of 198 bytes are read; 199 is too long. */
	memset(longline, 0, sizeof(longline));
	strcpy(longline, "[run]\ncommand = ");
	memset(longline + strlen(longline), 'x', 198 - 10);
	strcat(longline, "\nretries = 1\n");
	p1 = mkfile("len198.conf", longline);
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == 0 && c.run[DT_RUN_COMMAND].value != NULL &&
	    strlen(c.run[DT_RUN_COMMAND].value) == 188 &&
	    setting_is(&c.run[DT_RUN_RETRIES], "1", p1, 3),
	    "a line of 198 bytes is read whole (rc %d)", rc);
	dt_conf_free(&c);
	strcpy(longline, "[run]\ncommand = ");
	memset(longline + strlen(longline), 'x', 199 - 10);
	strcat(longline, "\nretries = 1\n");
	check_error("len199.conf", longline, 2, "longer than 198",
	    "a line of 199 bytes");
	strcpy(longline, "[run]\nretries = 1\n\n# ");
	memset(longline + strlen(longline), 'y', 400);
	strcat(longline, "\nframework = rspec\n");
	check_error("len400.conf", longline, 4, "longer than 198",
	    "a comment line of 402 bytes");
	strcpy(longline, "[run]\ncommand = ");
	memset(longline + strlen(longline), 'z', 300);
	p1 = mkfile("lenlast.conf", longline);
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == -1 && strstr(msg, ":2:") != NULL,
	    "an over-long last line without newline fails on line 2");
	dt_conf_free(&c);

	/*
	 * A NUL byte hid the rest of its line from the length check, and
	 * what came after the 199 bytes inih reads was a line of its own.
	 */
	memset(longline, 0, sizeof(longline));
	strcpy(longline, "[run]\n# note");
	memset(longline + 14, 'p', 6 + 199 - 14);
	strcpy(longline + 6 + 199, "command = rm -rf ~\n");
	check_nul("nul.conf", longline, 6 + 199 + 19, 2,
	    "a comment whose NUL hides a setting past 198 bytes");
	NUL_TEXT("nul2.conf", "[run]\nretries = 1\0 junk\n", 2,
	    "a NUL byte in a value");
	NUL_TEXT("nul3.conf", "[run]\nretries = 2\n\0", 3,
	    "a NUL byte alone on a last line");
	NUL_TEXT("nul4.conf", "\0[run]\ncommand = x\n", 1,
	    "a NUL byte first");

	/* --- a later file overrides key by key --- */
	p1 = mkfile("one.conf",
	    "[run]\n"
	    "framework = rspec\n"		/* 2 */
	    "command = c1\n"			/* 3 */
	    "retries = 1\n"			/* 4 */
	    "tests = a/*\n"			/* 5 */
	    "tests = b/*\n"			/* 6 */
	    "exclude = x\n"			/* 7 */
	    "args = -a\n"			/* 8 */
	    "exclude = y z\n"			/* 9 */
	    "args = -b\n");			/* 10 */
	p2 = mkfile("two.conf",
	    "[run]\n"
	    "retries = 5\n"			/* 2 */
	    "tests = c/*\n"			/* 3 */
	    "args = -c\n"			/* 4 */
	    "args = -d\n");			/* 5 */
	dt_conf_init(&c);
	rc = load(&c, p1, 0, &msg);
	is_int(rc, 0, "file 1 loads");
	ok(setting_is(&c.run[DT_RUN_TESTS], "a/* b/*", p1, 6),
	    "tests repeated in one file append words");
	ok(setting_is(&c.run[DT_RUN_EXCLUDE], "x y z", p1, 9),
	    "exclude repeated in one file append words");
	ok(setting_is(&c.run[DT_RUN_ARGS], "-a -b", p1, 10),
	    "args repeated in one file append words");
	ok(setting_is(&c.run[DT_RUN_RETRIES], "1", p1, 4),
	    "retries from file 1");
	rc = load(&c, p2, 0, &msg);
	is_int(rc, 0, "file 2 loads");
	ok(setting_is(&c.run[DT_RUN_RETRIES], "5", p2, 2),
	    "file 2 overrides retries, with its origin");
	ok(setting_is(&c.run[DT_RUN_FRAMEWORK], "rspec", p1, 2),
	    "framework not in file 2 keeps file 1's value and origin");
	ok(setting_is(&c.run[DT_RUN_COMMAND], "c1", p1, 3),
	    "command not in file 2 keeps file 1's value and origin");
	ok(setting_is(&c.run[DT_RUN_TESTS], "c/*", p2, 3),
	    "tests in file 2 replaces file 1's list");
	ok(setting_is(&c.run[DT_RUN_ARGS], "-c -d", p2, 5),
	    "args repeated in file 2 replace file 1's and append in file 2");
	ok(setting_is(&c.run[DT_RUN_EXCLUDE], "x y z", p1, 9),
	    "exclude not in file 2 keeps file 1's list and origin");
	rc = load(&c, p1, 0, &msg);
	ok(rc == 0 && setting_is(&c.run[DT_RUN_TESTS], "a/* b/*", p1, 6),
	    "loading file 1 again replaces file 2's list, not appends");
	ok(setting_is(&c.run[DT_RUN_ARGS], "-a -b", p1, 10),
	    "  args likewise");

	/* Errors in a later file name that file. */
	p2 = mkfile("three.conf", "[run]\n\nretries = nine\n");
	rc = load(&c, p2, 0, &msg);
	ok(rc == -1 && strstr(msg, p2) != NULL && strstr(msg, ":3:"),
	    "an error in a second file names that file and line");
	dt_conf_free(&c);

	/* --- nodes --- */
	p1 = mkfile("node.conf",
	    "[node alpha]\n"			/* 1 */
	    "host = alpha.example\n"		/* 2 */
	    "user = ci\n"			/* 3 */
	    "runners = 4\n"			/* 4 */
	    "rsh = ssh -p 2222\n"		/* 5 */
	    "workdir = /var/dt\n");		/* 6 */
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	is_int(rc, 0, "a node file loads");
	ok(dt_conf_node(&c, "local") == NULL && c.nnodes == 1,
	    "[node alpha] replaces the built-in local node (%zu nodes)",
	    c.nnodes);
	n = dt_conf_node(&c, "alpha");
	ok(n != NULL, "node alpha exists");
	if (n == NULL)
		n = &c.nodes[0];
	ok(setting_is(&n->host, "alpha.example", p1, 2), "alpha host");
	ok(setting_is(&n->user, "ci", p1, 3), "alpha user");
	ok(setting_is(&n->runners, "4", p1, 4), "alpha runners");
	ok(setting_is(&n->rsh, "ssh -p 2222", p1, 5), "alpha rsh");
	ok(setting_is(&n->workdir, "/var/dt", p1, 6), "alpha workdir");
	dt_conf_free(&c);

	p1 = mkfile("empty-node.conf", "[node quiet]\n");
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == 0 && c.nnodes == 1 && dt_conf_node(&c, "quiet") != NULL &&
	    dt_conf_node(&c, "local") == NULL,
	    "a node section with no keys creates the node and drops local");
	dt_conf_free(&c);

	p1 = mkfile("nodes.conf",
	    "[node a]\n"
	    "[node b]\n"
	    "runners = auto\n"
	    "[node c-1.x_y]\n"
	    "runners = 1024\n"
	    "[node a]\n"
	    "runners = 1\n"
	    "user =\n");
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	is_int(rc, 0, "several node sections load");
	is_int(c.nnodes, 3, "three nodes, a repeated section is one node");
	ok(dt_conf_node(&c, "a") && dt_conf_node(&c, "b") &&
	    dt_conf_node(&c, "c-1.x_y") && !dt_conf_node(&c, "local"),
	    "nodes a, b and c-1.x_y, no local");
	n = dt_conf_node(&c, "a");
	ok(n && setting_is(&n->runners, "1", p1, 7),
	    "a repeated section adds to its node");
	ok(n && n->user.value && *n->user.value == '\0',
	    "an empty user is allowed");
	n = dt_conf_node(&c, "b");
	ok(n && setting_is(&n->runners, "auto", p1, 3), "runners auto");
	n = dt_conf_node(&c, "c-1.x_y");
	ok(n && setting_is(&n->runners, "1024", p1, 5), "runners 1024");
	dt_conf_free(&c);

	/* --- missing files --- */
	p1 = dt_xasprintf("%s/does-not-exist.conf", dir);
	dt_conf_init(&c);
	rc = load(&c, p1, 0, &msg);
	ok(rc == 0 && *msg == '\0', "a missing optional file is fine, "
	    "silently");
	ok(c.nnodes == 1 && strcmp(c.nodes[0].name, "local") == 0,
	    "  and changes nothing");
	rc = load(&c, p1, 1, &msg);
	is_int(rc, -1, "a missing required file fails");
	if (!ok(strstr(msg, p1) != NULL, "  with a message naming it"))
		diag("message: %s", msg);
	dt_conf_free(&c);
	free((char *)p1);

	/* --- the [section] header as the reader and inih see it --- */
	p1 = mkfile("blank.conf", "[node x ]\nhost = h\n");
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	if (!ok((rc == 0 && (n = dt_conf_node(&c, "x")) != NULL &&
	    n->host.value && strcmp(n->host.value, "h") == 0) ||
	    (rc == -1 && strstr(msg, "blank.conf:1:") != NULL),
	    "\"[node x ]\" with a trailing blank is either node x with its "
	    "keys, or an error on line 1"))
		diag("message: %s", msg);
	dt_conf_free(&c);

	p1 = mkfile("indent.conf", "[run]\ntests = a\n  [node x]\n");
	dt_conf_init(&c);
	rc = load(&c, p1, 1, &msg);
	ok(rc == -1 || (dt_conf_node(&c, "x") != NULL &&
	    c.run[DT_RUN_TESTS].value &&
	    strcmp(c.run[DT_RUN_TESTS].value, "a") == 0),
	    "an indented section header is either refused or a section, "
	    "not both (tests = \"%s\", node x %s)",
	    c.run[DT_RUN_TESTS].value ? c.run[DT_RUN_TESTS].value : "",
	    dt_conf_node(&c, "x") ? "made" : "not made");
	dt_conf_free(&c);

	for (k = 0; k < nmade; k++) {
		unlink(made[k]);
		free(made[k]);
	}
	rmdir(dir);
	return done_testing();
}
