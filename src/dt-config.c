/*
 * dt-config: read and merge the configuration files, then print the run's
 * settings as events (the head of the pipeline) or, for people, as INI
 * with the origin of every value.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-config [-pS] [-a arg] [-C dir] [-c file] [-j runners] [-l libexec] [-m dir]"

static char project[PATH_MAX];
static char **cmdargs;		/* -a: framework arguments, each as it is */
static size_t ncmdargs;
static const char *detected;	/* why the framework was chosen */

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

/* The framework, when none is set: the first that fits, as a person looks. */
static char *
detect_framework(const struct dt_conf *c)
{
	static const struct {
		const char *file, *framework, *why;
	} marks[] = {
		{ "spec", "rspec", "spec/ exists" },
		{ "pytest.ini", "pytest", "pytest.ini exists" },
		{ "conftest.py", "pytest", "conftest.py exists" },
		{ "pyproject.toml", "pytest", "pyproject.toml exists" },
		{ "test", "minitest", "test/ exists" },
		{ "tests", "pytest", "tests/ exists" },
	};
	char *p, *fw = NULL;
	size_t i;

	if (c->run[DT_RUN_COMMAND].value != NULL) {
		detected = "a command is set";
		return dt_xstrdup("command");
	}
	for (i = 0; fw == NULL && i < sizeof(marks) / sizeof(marks[0]); i++) {
		p = dt_xasprintf("%s/%s", project, marks[i].file);
		if (access(p, F_OK) == 0 && (strchr(marks[i].file, '.') ||
		    isdir(p))) {
			fw = dt_xstrdup(marks[i].framework);
			detected = marks[i].why;
		}
		free(p);
	}
	if (fw == NULL)
		dt_die(DT_EX_USAGE, "%s: cannot tell the test framework "
		    "(no spec/, test/, tests/, pytest.ini, conftest.py "
		    "or pyproject.toml, and no command); set framework "
		    "in .distributest/config", project);
	return fw;
}

/* The framework's own test file patterns. */
static char *
default_tests(const char *fw)
{
	if (strcmp(fw, "rspec") == 0)
		return dt_xstrdup("spec/**/*_spec.rb");
	if (strcmp(fw, "minitest") == 0 || strcmp(fw, "test-unit") == 0)
		return dt_xstrdup("test/**/*_test.rb");
	if (strcmp(fw, "pytest") == 0)
		return dt_xstrdup("**/test_*.py **/*_test.py");
	dt_die(DT_EX_USAGE, "%s: framework command needs a tests pattern "
	    "in [run]", project);
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

static void
print_ini(struct dt_conf *c)
{
	size_t i;
	int k;

	printf("[run]\n");
	for (k = 0; k < DT_RUN_NKEYS; k++) {
		const struct dt_setting *s = &c->run[k];

		if (s->value == NULL)
			continue;
		printf("%s = %s\t; %s%s%s\n", dt_run_keys[k], s->value,
		    origin(&s->origin),
		    k == DT_RUN_FRAMEWORK && detected ? ", detected: " : "",
		    k == DT_RUN_FRAMEWORK && detected ? detected : "");
	}
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
	if ((len = strlen(base)) > 200)
		len = 200;
	while (len > 0 && len < strlen(base) &&
	    ((unsigned char)base[len] & 0xc0) == 0x80)
		len--;
	snprintf(name, size, "%.*s-%08x", (int)len, base, h);
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
	set_words("exclude", c->run[DT_RUN_EXCLUDE].value);
	set_words("args", c->run[DT_RUN_ARGS].value);
	for (i = 0; i < ncmdargs; i++)
		set("args", cmdargs[i]);
	set("workdir", c->run[DT_RUN_WORKDIR].value);
	set_given("node_setup", c->run[DT_RUN_NODE_SETUP].value);
	set_given("runner_setup", c->run[DT_RUN_RUNNER_SETUP].value);
	set("retries", c->run[DT_RUN_RETRIES].value);
	if (c->run[DT_RUN_ISOLATE].value)
		set("isolate", c->run[DT_RUN_ISOLATE].value);
	if (c->run[DT_RUN_RUNNER_DIR].value)
		set("runner_dir", c->run[DT_RUN_RUNNER_DIR].value);
	set("split", c->run[DT_RUN_SPLIT].value);
	set("bundler", c->run[DT_RUN_BUNDLER].value);
	p = dt_xasprintf("%s/.distributest/timings", project);
	set("timings", p);
	free(p);
	p = dt_xasprintf("%s/.distributest/log", project);
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

int
main(int argc, char *argv[])
{
	struct dt_conf c;
	const char *dir = ".", *file = NULL, *jobs = NULL, *libexec = NULL;
	const char *control = NULL;
	const char *e;
	char *p;
	int ch, print = 0, nosplit = 0;
	size_t i;

	dt_hygiene();
	dt_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "a:C:c:j:l:m:pS")) != -1) {
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
		case 'S': nosplit = 1; break;
		default: dt_usage(USAGE);
		}
	}
	if (optind != argc)
		dt_usage(USAGE);
	if (jobs != NULL) {
		dt_strtonum(jobs, 1, 1024, &e);
		if (e != NULL)
			dt_die(DT_EX_USAGE, "-j %s: %s (expected 1 to 1024)",
			    jobs, e);
	}
	if (realpath(dir, project) == NULL)
		dt_die_sys(DT_EX_USAGE, "%s", dir);
	if (libexec == NULL) {
		static char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n < 0)
			dt_die_sys(DT_EX_SYS, "/proc/self/exe");
		self[n] = '\0';
		if ((p = strrchr(self, '/')) != NULL)
			*p = '\0';
		libexec = self;
	}

	dt_conf_init(&c);
	load_files(&c, file);
	check_nodes(&c);
	if (jobs != NULL)
		for (i = 0; i < c.nnodes; i++) {
			free(c.nodes[i].runners.value);
			c.nodes[i].runners.value = dt_xstrdup(jobs);
			c.nodes[i].runners.origin.file = "-j";
			c.nodes[i].runners.origin.line = 0;
		}
	if (nosplit) {
		free(c.run[DT_RUN_SPLIT].value);
		c.run[DT_RUN_SPLIT].value = dt_xstrdup("no");
		c.run[DT_RUN_SPLIT].origin.file = "-S";
		c.run[DT_RUN_SPLIT].origin.line = 0;
	}
	defaults(&c);
	hook(&c, DT_RUN_NODE_SETUP, "node_setup");
	hook(&c, DT_RUN_RUNNER_SETUP, "runner_setup");
	if (print)
		print_ini(&c);
	else
		print_events(&c, libexec, control);
	if (fflush(stdout) == EOF)
		dt_die_sys(DT_EX_SYS, "write");
	dt_conf_free(&c);
	return 0;
}
