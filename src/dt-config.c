/*
 * dt-config: read and merge the configuration files, then print the run's
 * settings as events (the head of the pipeline) or, for people, as INI
 * with the origin of every value.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-config [-FNpS] [-a arg] [-C dir] [-c file] [-j runners] [-l libexec] [-m dir] [-P k/n] [-R retry] [-r slot] [-s seed]"

static char project[PATH_MAX];
static char **cmdargs;		/* -a: framework arguments, each as it is */
static const char *partition;	/* -P K/N */
static int rerun;		/* -F: what failed in the last run */
static size_t ncmdargs;
static const char *detected;	/* why the framework was chosen */
static char seed[16];		/* of the run's random orders */
static int slot;		/* -r: runs of the project beside this one */

static const char *
origin(const struct dt_origin *o)
{
	static char buf[PATH_MAX + 32];

	if (o->file == NULL)
		return "default";
	if (o->line == 0)
		return o->file;
	snprintf(buf, sizeof(buf), "%s:%d", o->file, o->line);
	return buf;
}

static int
isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* What the Ruby files under a directory load, counted over a bounded scan. */
struct flavour {
	int	 files, minitest, testunit, rspec;
};

/*
 * Whether a line loads or subclasses a framework: `require "NAME..."` at
 * its start, or `class X < BASE`; a word in a string or a comment does
 * not count.
 */
static int
line_loads(const char *l, const char *name, const char *base)
{
	const char *b;

	l += strspn(l, " \t");
	if (strncmp(l, "require", 7) == 0 && strchr(" \t(", l[7]) != NULL) {
		l += 7 + strspn(l + 7, " \t(");
		return (*l == '"' || *l == '\'') &&
		    strncmp(l + 1, name, strlen(name)) == 0;
	}
	return strncmp(l, "class ", 6) == 0 && (b = strchr(l, '<')) != NULL &&
	    strncmp(b + 1 + strspn(b + 1, " \t"), base, strlen(base)) == 0;
}

/*
 * The word ending a heredoc that line l opens (<<ID, <<-ID, <<~ID, the ID
 * quoted or not) into id, or 0: what it holds is a string, such as a
 * test file a test writes, and loads nothing.
 */
static int
heredoc(const char *l, char *id, size_t idlen)
{
	const char *p = l, *e;
	char q;
	size_t n;

	while ((p = strstr(p, "<<")) != NULL) {
		p += 2;
		if (*p == '~' || *p == '-')
			p++;
		q = (*p == '\'' || *p == '"' || *p == '`') ? *p++ : '\0';
		for (e = p; *e == '_' || (*e >= 'A' && *e <= 'Z') ||
		    (q && ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))) ||
		    (e > p && *e >= '0' && *e <= '9'); e++)
			;
		n = (size_t)(e - p);
		if (n > 0 && n < idlen && (!q || *e == q)) {
			memcpy(id, p, n);
			id[n] = '\0';
			return 1;
		}
	}
	return 0;
}

/* Adds to fl what the text buf, a file's first bytes, loads. */
static void
count_loads(char *buf, struct flavour *fl)
{
	char *l, *nl, id[64];
	int mt = 0, tu = 0, in = 0;
	size_t n;

	for (l = buf; l != NULL && *l; l = nl) {
		if ((nl = strchr(l, '\n')) != NULL)
			*nl++ = '\0';
		if (in) {
			l += strspn(l, " \t");
			n = strcspn(l, " \t\r");
			in = !(n == strlen(id) && strncmp(l, id, n) == 0);
			continue;
		}
		mt |= line_loads(l, "minitest", "Minitest::");
		tu |= line_loads(l, "test/unit", "Test::Unit::") ||
		    line_loads(l, "test-unit", "Test::Unit::");
		in = heredoc(l, id, sizeof(id));
	}
	fl->minitest += mt;
	fl->testunit += tu;
}

static void
scan_ruby(const char *dir, int depth, struct flavour *fl)
{
	DIR *d;
	struct dirent *e;
	char *p, buf[16384];
	size_t n, len;
	FILE *f;

	if (depth > 4 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL && fl->files < 200) {
		if (e->d_name[0] == '.')
			continue;
		p = dt_xasprintf("%s/%s", dir, e->d_name);
		len = strlen(e->d_name);
		if (isdir(p))
			scan_ruby(p, depth + 1, fl);
		else if (len > 3 && strcmp(e->d_name + len - 3, ".rb") == 0 &&
		    (f = fopen(p, "r")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = '\0';
			fclose(f);
			fl->files++;
			fl->rspec += strstr(buf, "RSpec") != NULL ||
			    strstr(buf, "rspec") != NULL;
			count_loads(buf, fl);
		}
		free(p);
	}
	closedir(d);
}

/*
 * spec/ is RSpec's unless what is under it loads minitest and never RSpec
 * (minitest/spec suites); test/ is minitest's unless it loads test-unit
 * and never minitest.
 */
static const char *
ruby_framework(const char *dir, const char **why)
{
	struct flavour fl = { 0 };
	char *p = dt_xasprintf("%s/%s", project, dir);

	scan_ruby(p, 0, &fl);
	free(p);
	if (strcmp(dir, "spec") == 0) {
		if (fl.minitest > 0 && fl.rspec == 0) {
			*why = "spec/ exists and its files load minitest";
			return "minitest";
		}
		*why = "spec/ exists";
		return "rspec";
	}
	if (fl.testunit > 0 && fl.minitest == 0) {
		*why = "test/ exists and its files load test-unit";
		return "test-unit";
	}
	*why = "test/ exists";
	return "minitest";
}

/* A test_*.py or *_test.py at most a few directories down. */
static int
has_python_tests(const char *dir, int depth, int *budget)
{
	DIR *d;
	struct dirent *e;
	char *p;
	size_t len;
	int found = 0;

	if (depth > 4 || (d = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL && --*budget > 0) {
		len = strlen(e->d_name);
		if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
			continue;
		if (len > 3 && strcmp(e->d_name + len - 3, ".py") == 0 &&
		    (strncmp(e->d_name, "test_", 5) == 0 ||
		    (len > 8 && strcmp(e->d_name + len - 8, "_test.py") == 0))) {
			found = 1;
			break;
		}
		p = dt_xasprintf("%s/%s", dir, e->d_name);
		if (isdir(p))
			found = has_python_tests(p, depth + 1, budget);
		free(p);
	}
	closedir(d);
	return found;
}

/* The framework, when none is set: the first that fits, as a person looks. */
static char *
detect_framework(const struct dt_conf *c)
{
	static const struct {
		const char *file, *framework, *why;
	} marks[] = {
		{ "spec", "ruby", NULL },
		{ ".rspec", "rspec", ".rspec exists" },
		{ "pytest.ini", "pytest", "pytest.ini exists" },
		{ "conftest.py", "pytest", "conftest.py exists" },
		{ "pyproject.toml", "pytest", "pyproject.toml exists" },
		{ "test", "ruby", NULL },
		{ "tests", "pytest", "tests/ exists" },
		{ "setup.py", "pytest", "setup.py exists" },
		{ "setup.cfg", "pytest", "setup.cfg exists" },
		{ "tox.ini", "pytest", "tox.ini exists" },
	};
	const char *fw = NULL;
	char *p;
	size_t i;
	int budget = 5000;

	if (c->run[DT_RUN_COMMAND].value != NULL) {
		detected = "a command is set";
		return dt_xstrdup("command");
	}
	for (i = 0; fw == NULL && i < sizeof(marks) / sizeof(marks[0]); i++) {
		p = dt_xasprintf("%s/%s", project, marks[i].file);
		if (access(p, F_OK) == 0 && (strchr(marks[i].file, '.') ||
		    isdir(p))) {
			fw = marks[i].framework;
			detected = marks[i].why;
			if (strcmp(fw, "ruby") == 0)
				fw = ruby_framework(marks[i].file, &detected);
		}
		free(p);
	}
	if (fw == NULL && has_python_tests(project, 0, &budget)) {
		fw = "pytest";
		detected = "test_*.py files exist";
	}
	if (fw == NULL)
		dt_die(DT_EX_USAGE, "%s: cannot tell the test framework "
		    "(no spec/, test/, tests/, pytest.ini, conftest.py, "
		    "pyproject.toml, setup.py, setup.cfg, tox.ini or test_*.py, "
		    "and no command); set framework in .distributest/config",
		    project);
	return dt_xstrdup(fw);
}

/*
 * The patterns that decide the files when the framework's finder cannot:
 * its conventions.  A minitest suite may live in spec/.
 */
static char *
default_tests(const char *fw)
{
	char *p;
	int spec;

	if (strcmp(fw, "rspec") == 0)
		return dt_xstrdup("spec/**/*_spec.rb");
	if (strcmp(fw, "minitest") == 0 || strcmp(fw, "test-unit") == 0) {
		p = dt_xasprintf("%s/test", project);
		spec = !isdir(p);
		free(p);
		p = dt_xasprintf("%s/spec", project);
		spec = spec && isdir(p);
		free(p);
		return dt_xstrdup(spec ? "spec/**/*_spec.rb spec/**/spec_*.rb" :
		    "test/**/*_test.rb test/**/test_*.rb test/**/spec_*.rb");
	}
	if (strcmp(fw, "pytest") == 0)
		return dt_xstrdup("**/test_*.py **/*_test.py");
	dt_die(DT_EX_USAGE, "%s: framework command needs a tests pattern "
	    "in [run]", project);
}

/* The framework's own finder, for a run whose tests are not set. */
static char *
finder(const struct dt_conf *c, const char *libexec)
{
	static const struct {
		const char *framework, *finder;
	} finders[] = {
		{ "rspec", "find-rspec" }, { "pytest", "find-pytest" },
		{ "minitest", "find-xunit" }, { "test-unit", "find-xunit" },
	};
	const char *fw = c->run[DT_RUN_FRAMEWORK].value;
	char *p;
	size_t i;

	if (c->run[DT_RUN_TESTS].origin.file != NULL)
		return NULL;
	for (i = 0; i < sizeof(finders) / sizeof(finders[0]); i++)
		if (strcmp(fw, finders[i].framework) == 0) {
			p = dt_xasprintf("%s/%s", libexec, finders[i].finder);
			if (access(p, X_OK) == 0)
				return p;
			free(p);
		}
	return NULL;
}

/* What the command framework needs, and what it cannot take. */
static void
check_command(const struct dt_conf *c)
{
	if (strcmp(c->run[DT_RUN_FRAMEWORK].value, "command") != 0)
		return;
	if (c->run[DT_RUN_COMMAND].value == NULL)
		dt_die(DT_EX_USAGE, "%s: framework command needs a command "
		    "in [run]", project);
	if (ncmdargs > 0)
		dt_die(DT_EX_USAGE, "the command framework takes no framework "
		    "arguments; put them in command");
	if (c->run[DT_RUN_ARGS].value != NULL)
		dt_die(DT_EX_USAGE, "%s: args: the command framework takes "
		    "no args; put them in command",
		    origin(&c->run[DT_RUN_ARGS].origin));
}

/* Settings not given get their built-in or detected values here. */
static void
defaults(struct dt_conf *c)
{
	static const struct {
		int key;
		const char *value;
	} plain[] = {
		{ DT_RUN_WORKDIR, ".cache/distributest" },
		{ DT_RUN_RETRIES, "2" },
		{ DT_RUN_RUNNER_DIR, "own" },
		{ DT_RUN_SPLIT, "yes" },
		{ DT_RUN_BUNDLER, "auto" },
		{ DT_RUN_TIMEOUT, "auto" },
		{ DT_RUN_RETRY, "0" },
		{ DT_RUN_FLAKY, "pass" },
		{ DT_RUN_PRELOAD, "yes" },
	};
	size_t i;

	if (c->run[DT_RUN_FRAMEWORK].value == NULL)
		c->run[DT_RUN_FRAMEWORK].value = detect_framework(c);
	if (c->run[DT_RUN_TESTS].value == NULL)
		c->run[DT_RUN_TESTS].value =
		    default_tests(c->run[DT_RUN_FRAMEWORK].value);
	check_command(c);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (c->run[plain[i].key].value == NULL)
			c->run[plain[i].key].value = dt_xstrdup(plain[i].value);
}

/*
 * A hook given in a file must exist and be executable; one not given is
 * looked for in the project, then in the system directory.
 */
static void
hook(struct dt_conf *c, int k, const char *name)
{
	struct dt_setting *s = &c->run[k];
	char *p;

	if (s->value != NULL) {
		if (*s->value == '\0')
			return;	/* explicitly none */
		p = s->value[0] == '/' ? dt_xstrdup(s->value) :
		    dt_xasprintf("%s/%s", project, s->value);
		if (access(p, X_OK) != 0)
			dt_die(DT_EX_USAGE, "%s: %s: %s: %s", origin(&s->origin),
			    name, p, errno == EACCES ? "not executable" :
			    strerror(errno));
		free(s->value);
		s->value = p;
		return;
	}
	p = dt_xasprintf("%s/.distributest/%s", project, name);
	if (access(p, X_OK) != 0) {
		free(p);
		p = dt_xasprintf("%s/distributest/%s", DT_SYSCONFDIR, name);
		if (access(p, X_OK) != 0) {
			free(p);
			return;
		}
	}
	s->value = p;
	s->origin.file = "found";
}

/*
 * A node's host and user reach ssh and rsync as words of their own: one
 * that starts with "-" would be taken for an option, and a blank or a
 * control character makes no host nor user name.
 */
static void
check_word(const char *key, const struct dt_setting *s)
{
	const unsigned char *p;
	struct dt_buf shown = { 0 };

	if (s->value == NULL)
		return;
	if (s->value[0] == '-')
		dt_die(DT_EX_USAGE, "%s: %s: \"%s\" starts with \"-\", which "
		    "ssh and rsync would take for an option", origin(&s->origin),
		    key, s->value);
	for (p = (const unsigned char *)s->value; *p; p++)
		if (isspace(*p) || iscntrl(*p))
			break;
	if (*p == '\0')
		return;
	/* Shown escaped: the message goes to a terminal. */
	for (p = (const unsigned char *)s->value; *p; p++)
		if (iscntrl(*p))
			dt_buf_addf(&shown, "\\%03o", *p);
		else
			dt_buf_addc(&shown, *p);
	dt_die(DT_EX_USAGE, "%s: %s: \"%.*s\" has a blank or a control "
	    "character", origin(&s->origin), key, (int)shown.len, shown.s);
}

static void
check_nodes(const struct dt_conf *c)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++) {
		const struct dt_node *n = &c->nodes[i];

		check_word("host", &n->host);
		check_word("user", &n->user);
		if (n->host.value == NULL && n->name[0] == '-')
			dt_die(DT_EX_USAGE, "[node %s]: a node name that starts "
			    "with \"-\" cannot be its host; set host",
			    n->name);
	}
}

/*
 * Framework arguments that cannot work in a runner, which runs file after
 * file in one session: each is refused before anything starts, with why,
 * rather than every runner failing to boot.
 */
static const struct {
	const char	*framework, *flags, *why;
} worker_flags[] = {
	{ "pytest", "--lf --last-failed --ff --failed-first --nf --new-first "
	    "--sw --stepwise --sw-skip --stepwise-skip",
	    "it selects or orders tests by pytest's cache of a whole run, "
	    "which the runners do without; run pytest itself, or "
	    "distributest on the failing files" },
	{ "pytest", "-n* --numprocesses --dist --tx -d --maxprocesses",
	    "pytest-xdist's workers: the runners are distributest's; "
	    "distributest -n N sets their number" },
	{ "pytest", "-f --looponfail --pdb --trace",
	    "it waits at a terminal, and runners have none" },
	{ "pytest", "--co --collect-only --fixtures --fixtures-per-test "
	    "--markers --setup-plan --version -V -h --help --cache-show",
	    "it makes pytest print instead of run; run pytest itself" },
	{ "rspec", "--only-failures --next-failure",
	    "it selects by the example status file of a whole run; run "
	    "rspec itself, or distributest on the failing files" },
	{ "rspec", "--bisect", "bisecting is rspec's own run of many runs" },
	{ "rspec", "--init -v --version -h --help",
	    "it makes rspec print or write instead of run" },
};

/*
 * Whether arg is one of the space-separated flags, or --FLAG=VALUE of
 * one; a short flag written FLAG* may have its value joined (-n4).
 */
static int
is_flag(const char *arg, const char *flags)
{
	const char *f = flags;
	size_t n, a = strcspn(arg, "=");

	while (*f != '\0') {
		n = strcspn(f, " ");
		if (f[n - 1] == '*' && strncmp(arg, f, n - 1) == 0)
			return 1;
		if (n == a && strncmp(arg, f, n) == 0 &&
		    (arg[n] == '\0' || (arg[n] == '=' && f[1] == '-')))
			return 1;
		f += n + (f[n] == ' ');
	}
	return 0;
}

static void
check_arg(const char *framework, const char *arg, const char *where)
{
	size_t i;

	for (i = 0; i < sizeof(worker_flags) / sizeof(worker_flags[0]); i++)
		if (strcmp(framework, worker_flags[i].framework) == 0 &&
		    is_flag(arg, worker_flags[i].flags))
			dt_die(DT_EX_USAGE, "%s: %s cannot work in a runner: %s",
			    where, arg, worker_flags[i].why);
}

static void
check_worker_flags(const struct dt_conf *c, char **cmd, size_t ncmd)
{
	const struct dt_setting *a = &c->run[DT_RUN_ARGS];
	const char *fw = c->run[DT_RUN_FRAMEWORK].value;
	char *copy, *w, *save, *where;
	size_t i;

	if (fw == NULL)
		return;
	for (i = 0; i < ncmd; i++)
		check_arg(fw, cmd[i], "after --");
	if (a->value == NULL)
		return;
	where = dt_xasprintf("%s: args", origin(&a->origin));
	copy = dt_xstrdup(a->value);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t",
	    &save))
		check_arg(fw, w, where);
	free(copy);
	free(where);
}

/*
 * A project's own configuration may name programs, the nodes' rsh and
 * spawn, that a check of the nodes (distributest --nodes) would run on
 * this machine before any test: that needs the user's say, a
 * project_commands = yes of the user's or the system's configuration.
 */
static void
check_project_commands(const struct dt_conf *c)
{
	const struct dt_setting *allow = &c->run[DT_RUN_PROJECT_COMMANDS];
	char *own = dt_xasprintf("%s/.distributest/config", project);
	size_t i;

	if (allow->value != NULL && allow->origin.file != NULL &&
	    strcmp(allow->origin.file, own) == 0)
		dt_die(DT_EX_USAGE, "%s: project_commands: only the user's or "
		    "the system's configuration can allow a project's "
		    "commands", origin(&allow->origin));
	for (i = 0; i < c->nnodes; i++) {
		const struct dt_node *n = &c->nodes[i];
		const struct dt_setting *v[] = { &n->rsh, &n->spawn };
		const char *k[] = { "rsh", "spawn" };
		size_t j;

		for (j = 0; j < 2; j++)
			if (v[j]->value != NULL && v[j]->origin.file != NULL &&
			    strcmp(v[j]->origin.file, own) == 0 &&
			    (allow->value == NULL ||
			    strcmp(allow->value, "yes") != 0))
				dt_die(DT_EX_USAGE, "%s: %s: a project's own "
				    "command is not run to check the nodes; "
				    "set project_commands = yes in your "
				    "configuration to allow it",
				    origin(&v[j]->origin), k[j]);
	}
	free(own);
}

static void
print_ini(struct dt_conf *c, const char *libexec)
{
	char *found = finder(c, libexec);
	size_t i;
	int k;

	printf("[run]\n");
	for (k = 0; k < DT_RUN_NKEYS; k++) {
		const struct dt_setting *s = &c->run[k];

		if (s->value == NULL)
			continue;
		printf("%s = %s\t; %s%s%s%s%s\n", dt_run_keys[k], s->value,
		    origin(&s->origin),
		    k == DT_RUN_FRAMEWORK && detected ? ", detected: " : "",
		    k == DT_RUN_FRAMEWORK && detected ? detected : "",
		    k == DT_RUN_TESTS && found ? ", used only if the framework's "
		    "finder cannot list the files: " : "",
		    k == DT_RUN_TESTS && found ? found : "");
	}
	free(found);
	for (i = 0; i < c->nnodes; i++) {
		struct dt_node *n = &c->nodes[i];
		struct { const char *k; struct dt_setting *s; } v[] = {
			{ "host", &n->host }, { "user", &n->user },
			{ "runners", &n->runners }, { "rsh", &n->rsh },
			{ "workdir", &n->workdir }, { "spawn", &n->spawn } };
		size_t j;

		printf("\n[node %s]\n", n->name);
		for (j = 0; j < sizeof(v) / sizeof(v[0]); j++)
			if (v[j].s->value != NULL)
				printf("%s = %s\t; %s\n", v[j].k, v[j].s->value,
				    origin(&v[j].s->origin));
	}
}

static void
set(const char *k, const char *v)
{
	if (dt_send(1, "set", k, v, (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "write");
}

/* Emit one set line per word of a list setting. */
static void
set_words(const char *k, const char *v)
{
	char *copy, *w, *save;

	if (v == NULL)
		return;
	copy = dt_xstrdup(v);
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		set(k, w);
	free(copy);
}

/*
 * One ssh master connection per node for the whole run, shared by rsync,
 * node_setup and the runners' channel: its socket lives in the run's own
 * directory and the master goes away soon after its last user.
 */
static char *
rsh_command(const char *rsh, const char *control)
{
	const char *base;
	size_t len = strcspn(rsh, " \t");

	base = memrchr(rsh, '/', len);
	base = base ? base + 1 : rsh;
	if (control == NULL || (size_t)(rsh + len - base) != 3 ||
	    strncmp(base, "ssh", 3) != 0)
		return dt_xstrdup(rsh);
	return dt_xasprintf("%.*s -o ControlMaster=auto -o ControlPath=%s/%%C "
	    "-o ControlPersist=3%s", (int)len, rsh, control, rsh + len);
}

/*
 * The copy's name on the nodes: the project directory's name and a hash
 * of its path, so two projects of one name (~/a/app, ~/b/app) share
 * neither a copy nor runner ids.  At most 200 bytes of the name, not
 * cutting a UTF-8 character.
 */
static void
copy_name(char *name, size_t size)
{
	uint32_t h = 2166136261u;
	const char *base, *p;
	size_t len;

	base = strrchr(project, '/');
	base = base && base[1] ? base + 1 : "root";
	for (p = project; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	/* A run beside another of the project: a copy and ids of its own. */
	if (slot > 0)
		h = (h ^ (unsigned char)slot) * 16777619u;
	if ((len = strlen(base)) > 200)
		len = 200;
	while (len > 0 && len < strlen(base) &&
	    ((unsigned char)base[len] & 0xc0) == 0x80)
		len--;
	snprintf(name, size, "%.*s-%08x", (int)len, base, h);
}

/*
 * The initiator's variables the runners get on every node, so that a suite
 * runs there as here: locale, time zone, and what users set for their
 * framework.  The env setting adds names, patterns and NAME=VALUE, and
 * drops with -NAME.
 */
static const char *const env_defaults[] = {
	"LANG", "LANGUAGE", "LC_*", "TZ", "RUBYOPT", "RUBYLIB", "SPEC_OPTS",
	"TESTOPTS", "PYTHONPATH", "PYTEST_ADDOPTS", "DT_COMPILE_CACHE", NULL
};

static int
env_matches(const char *name, char **words, size_t n, int dropped)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((words[i][0] == '-') == dropped && !strchr(words[i], '=') &&
		    fnmatch(words[i] + dropped, name, 0) == 0)
			return 1;
	return 0;
}

static void
set_env(const char *value)
{
	extern char **environ;
	char *copy = dt_xstrdup(value ? value : ""), *w, *save = NULL, *name;
	char **words = NULL, **e;
	size_t n = 0, i, len;

	for (i = 0; env_defaults[i] != NULL; i++) {
		words = dt_xrealloc(words, n + 1, sizeof(*words));
		words[n++] = (char *)env_defaults[i];
	}
	for (w = strtok_r(copy, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		words = dt_xrealloc(words, n + 1, sizeof(*words));
		words[n++] = w;
	}
	for (e = environ; *e != NULL; e++) {
		if ((len = strcspn(*e, "=")) == 0 || (*e)[len] != '=')
			continue;
		name = dt_xasprintf("%.*s", (int)len, *e);
		if (env_matches(name, words, n, 0) &&
		    !env_matches(name, words, n, 1))
			set("env", *e);
		free(name);
	}
	for (i = 0; i < n; i++)
		if (words[i][0] != '-' && strchr(words[i], '=') != NULL)
			set("env", words[i]);
	free(words);
	free(copy);
}

/* A hook that is set and not empty. */
static void
set_given(const char *key, const char *value)
{
	if (value != NULL && *value != '\0')
		set(key, value);
}

static void
print_nodes(struct dt_conf *c, const char *libexec, const char *control)
{
	char cores[16], *dest, *rsh, *spawn;
	size_t i;

	snprintf(cores, sizeof(cores), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	for (i = 0; i < c->nnodes; i++) {
		struct dt_node *n = &c->nodes[i];
		const char *h = n->host.value ? n->host.value : n->name;
		const char *r = n->runners.value;
		int local = strcmp(h, "local") == 0;

		if (r == NULL || strcmp(r, "auto") == 0)
			r = local ? cores : "0";
		dest = n->user.value && *n->user.value && !local ?
		    dt_xasprintf("%s@%s", n->user.value, h) : dt_xstrdup(h);
		rsh = rsh_command(n->rsh.value ? n->rsh.value :
		    "ssh -o BatchMode=yes", control);
		spawn = n->spawn.value ? dt_xstrdup(n->spawn.value) : local ?
		    dt_xasprintf("%s/dt-spawn", libexec) :
		    dt_xasprintf("%s/dt-spawn --connect", libexec);
		if (dt_send(1, "node", n->name, r, dest, rsh,
		    n->workdir.value ? n->workdir.value :
		    c->run[DT_RUN_WORKDIR].value, spawn, (char *)NULL) < 0)
			dt_die_sys(DT_EX_SYS, "write");
		free(dest);
		free(rsh);
		free(spawn);
	}
}

static void
print_events(struct dt_conf *c, const char *libexec, const char *control)
{
	char host[256], name[256], *p;
	struct passwd *pw;
	const char *user;
	size_t i;

	if (gethostname(host, sizeof(host)) < 0)
		dt_die_sys(DT_EX_SYS, "gethostname");
	host[sizeof(host) - 1] = '\0';
	pw = getpwuid(getuid());
	user = pw ? pw->pw_name : getenv("USER");
	if (user == NULL)
		dt_die(DT_EX_SYS, "cannot tell who runs this: uid %ld has no "
		    "name", (long)getuid());
	copy_name(name, sizeof(name));
	if (dt_send(1, "hello", "distributest-events", DT_PROTOCOL_S, DT_VERSION,
	    (char *)NULL) < 0)
		dt_die_sys(DT_EX_SYS, "write");
	set("project", project);
	set("name", name);
	set("initiator", host);
	set("user", user);
	set("framework", c->run[DT_RUN_FRAMEWORK].value);
	if (c->run[DT_RUN_COMMAND].value)
		set("command", c->run[DT_RUN_COMMAND].value);
	set_words("tests", c->run[DT_RUN_TESTS].value);
	if ((p = finder(c, libexec)) != NULL) {
		set("finder", p);
		free(p);
	}
	set_words("exclude", c->run[DT_RUN_EXCLUDE].value);
	set_words("args", c->run[DT_RUN_ARGS].value);
	for (i = 0; i < ncmdargs; i++)
		set("args", cmdargs[i]);
	set("workdir", c->run[DT_RUN_WORKDIR].value);
	set_given("node_setup", c->run[DT_RUN_NODE_SETUP].value);
	set_given("runner_setup", c->run[DT_RUN_RUNNER_SETUP].value);
	set("retries", c->run[DT_RUN_RETRIES].value);
	set("retry", c->run[DT_RUN_RETRY].value);
	set("flaky", c->run[DT_RUN_FLAKY].value);
	if (c->run[DT_RUN_ISOLATE].value)
		set("isolate", c->run[DT_RUN_ISOLATE].value);
	if (c->run[DT_RUN_RUNNER_DIR].value)
		set("runner_dir", c->run[DT_RUN_RUNNER_DIR].value);
	set("split", c->run[DT_RUN_SPLIT].value);
	set("bundler", c->run[DT_RUN_BUNDLER].value);
	set("preload", c->run[DT_RUN_PRELOAD].value);
	set("seed", seed);
	if (partition != NULL)
		set("partition", partition);
	set_words("keep", c->run[DT_RUN_KEEP].value);
	set_words("artifacts", c->run[DT_RUN_ARTIFACTS].value);
	set_env(c->run[DT_RUN_ENV].value);
	set_given("python", c->run[DT_RUN_PYTHON].value);
	set("timeout", c->run[DT_RUN_TIMEOUT].value);
	p = dt_xasprintf("%s/.distributest/timings", project);
	set("timings", p);
	free(p);
	p = dt_xasprintf("%s/.distributest/failed", project);
	set("failed", p);
	if (rerun)
		set("rerun", p);
	free(p);
	p = slot > 0 ? dt_xasprintf("%s/.distributest/log-%d", project, slot) :
	    dt_xasprintf("%s/.distributest/log", project);
	set("log", p);
	free(p);
	p = dt_xasprintf("%s/dt-spawn", libexec);
	set("spawn", p);
	free(p);
	print_nodes(c, libexec, control);
}

/*
 * The files, each later one overriding an earlier one key by key; the
 * first that is wrong ends it.
 */
static void
load_files(struct dt_conf *c, const char *file)
{
	const char *env;
	char *p;
	int rc = 0;

	env = getenv("DISTRIBUTEST_SYSTEM_CONFIG");
	p = env ? dt_xstrdup(env) :
	    dt_xstrdup(DT_SYSCONFDIR "/distributest/distributest.conf");
	if (*p && dt_conf_load(c, p, 0) < 0)
		rc = DT_EX_USAGE;
	free(p);
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env)
		p = dt_xasprintf("%s/distributest/config", env);
	else
		p = dt_xasprintf("%s/.config/distributest/config",
		    getenv("HOME") ? getenv("HOME") : "/");
	if (rc == 0 && dt_conf_load(c, p, 0) < 0)
		rc = DT_EX_USAGE;
	free(p);
	p = dt_xasprintf("%s/.distributest/config", project);
	if (rc == 0 && dt_conf_load(c, p, 0) < 0)
		rc = DT_EX_USAGE;
	free(p);
	if (rc == 0 && file != NULL && dt_conf_load(c, file, 1) < 0)
		rc = DT_EX_USAGE;
	if (rc != 0)
		exit(rc);
}

/* The seed of -s, or one drawn as RSpec and minitest draw theirs. */
static void
choose_seed(const char *given)
{
	const char *e;
	long long n;

	if (given == NULL) {
		snprintf(seed, sizeof(seed), "%u", arc4random_uniform(65536));
		return;
	}
	n = dt_strtonum(given, 0, 4294967295LL, &e);
	if (e != NULL)
		dt_die(DT_EX_USAGE, "-s %s: %s (expected 0 to 4294967295)",
		    given, e);
	snprintf(seed, sizeof(seed), "%lld", n);
}

/* The directory of this program, where the other dt-* programs are. */
static const char *
own_dir(void)
{
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *p;

	if (n < 0)
		dt_die_sys(DT_EX_SYS, "/proc/self/exe");
	self[n] = '\0';
	if ((p = strrchr(self, '/')) != NULL)
		*p = '\0';
	return self;
}

static const char *
check_share(const char *v)
{
	const char *e;
	long k, n;

	dt_share(v, &k, &n, &e);
	if (e != NULL)
		dt_die(DT_EX_USAGE, "-P %s: %s (expected K/N, K from 1 to N, "
		    "N from 1 to %d)", v, e, DT_SHARES_MAX);
	return v;
}

/* A setting an option gives, whatever the files say. */
static void
override(struct dt_setting *s, const char *value, const char *option)
{
	free(s->value);
	s->value = dt_xstrdup(value);
	s->origin.file = option;
	s->origin.line = 0;
}

static void
check_jobs(const char *jobs)
{
	const char *e;

	if (jobs == NULL || strcmp(jobs, "auto") == 0)
		return;
	dt_strtonum(jobs, 1, 1024, &e);
	if (e != NULL)
		dt_die(DT_EX_USAGE, "-j %s: %s (expected 1 to 1024, or auto)",
		    jobs, e);
}

int
main(int argc, char *argv[])
{
	struct dt_conf c;
	const char *dir = ".", *file = NULL, *jobs = NULL, *libexec = NULL;
	const char *control = NULL, *given_seed = NULL, *retry = NULL;
	const char *e;
	int ch, print = 0, nosplit = 0, nodes_check = 0;
	size_t i;

	dt_hygiene();
	dt_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "a:C:c:Fj:l:m:NP:pR:r:Ss:")) != -1) {
		switch (ch) {
		case 'C': dir = optarg; break;
		case 'c': file = optarg; break;
		case 'j': jobs = optarg; break;
		case 'l': libexec = optarg; break;
		case 'm': control = optarg; break;
		case 'a':
			cmdargs = dt_xrealloc(cmdargs, ncmdargs + 1,
			    sizeof(*cmdargs));
			cmdargs[ncmdargs++] = optarg;
			break;
		case 'p': print = 1; break;
		case 'F': rerun = 1; break;
		case 'N': nodes_check = 1; break;
		case 'S': nosplit = 1; break;
		case 's': given_seed = optarg; break;
		case 'P': partition = check_share(optarg); break;
		case 'R':
			dt_strtonum(optarg, 0, DT_RETRY_MAX, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-R %s: %s (expected 0 to "
				    "%d)", optarg, e, DT_RETRY_MAX);
			retry = optarg;
			break;
		case 'r':
			slot = dt_strtonum(optarg, 0, 255, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-r %s: %s (expected 0 to "
				    "255)", optarg, e);
			break;
		default: dt_usage(USAGE);
		}
	}
	if (optind != argc)
		dt_usage(USAGE);
	check_jobs(jobs);
	choose_seed(given_seed);
	if (realpath(dir, project) == NULL)
		dt_die_sys(DT_EX_USAGE, "%s", dir);
	if (libexec == NULL)
		libexec = own_dir();

	dt_conf_init(&c);
	load_files(&c, file);
	check_nodes(&c);
	for (i = 0; jobs != NULL && i < c.nnodes; i++)
		override(&c.nodes[i].runners, jobs, "-j");
	if (nosplit)
		override(&c.run[DT_RUN_SPLIT], "no", "-S");
	if (retry != NULL)
		override(&c.run[DT_RUN_RETRY], retry, "--retry");
	defaults(&c);
	check_worker_flags(&c, cmdargs, ncmdargs);
	if (nodes_check)
		check_project_commands(&c);
	hook(&c, DT_RUN_NODE_SETUP, "node_setup");
	hook(&c, DT_RUN_RUNNER_SETUP, "runner_setup");
	if (print)
		print_ini(&c, libexec);
	else
		print_events(&c, libexec, control);
	if (fflush(stdout) == EOF)
		dt_die_sys(DT_EX_SYS, "write");
	dt_conf_free(&c);
	return 0;
}
