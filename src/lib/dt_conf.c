/*
 * The configuration: INI files read with inih, each later file replacing
 * an earlier one's values key by key.  inih as Debian builds it does not
 * pass line numbers to the handler, so we feed it lines ourselves and
 * count them; that also lets us see section headers with no keys, and
 * refuse lines longer than inih would read whole and lines with a NUL
 * byte, whose rest inih would not see.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"

#define INI_LINE 200	/* INI_MAX_LINE of Debian's libinih */

const char *const dt_run_keys[DT_RUN_NKEYS] = {
	"framework", "command", "tests", "exclude", "workdir",
	"node_setup", "runner_setup", "retries", "args", "isolate",
	"runner_dir", "split", "bundler", "keep", "env", "python", "timeout",
	"project_commands", "artifacts", "retry", "flaky", "preload"
};

/* Keys whose repeats within one file add words rather than replace. */
static int
is_list(int k)
{
	return k == DT_RUN_TESTS || k == DT_RUN_EXCLUDE || k == DT_RUN_ARGS ||
	    k == DT_RUN_KEEP || k == DT_RUN_ENV || k == DT_RUN_ARTIFACTS;
}

/* The keys node_key() takes, for the hints of unknown_key(). */
static const char *const node_keys[] = {
	"host", "user", "runners", "rsh", "workdir", "spawn"
};
#define NODE_NKEYS (sizeof(node_keys) / sizeof(node_keys[0]))

#define NEAR_MAX 20	/* longer names are never near a known one */

static const char *const frameworks[] = {
	"rspec", "minitest", "test-unit", "pytest", "command", NULL
};

static void
setv(struct dt_setting *s, const char *v, const char *file, int line)
{
	free(s->value);
	s->value = dt_xstrdup(v);
	s->origin.file = file;
	s->origin.line = line;
}

static int
fail(struct dt_conf *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errmsg != NULL)
		return 0;
	va_start(ap, fmt);
	c->errmsg = dt_xvasprintf(fmt, ap);
	va_end(ap);
	c->errline = c->line;
	return 0;
}

struct dt_node *
dt_conf_node(struct dt_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			return &c->nodes[i];
	return NULL;
}

static void
node_free(struct dt_node *n)
{
	free(n->name);
	free(n->host.value);
	free(n->user.value);
	free(n->runners.value);
	free(n->rsh.value);
	free(n->workdir.value);
	free(n->spawn.value);
}

static struct dt_node *
node_add(struct dt_conf *c, const char *name)
{
	struct dt_node *n;

	c->nodes = dt_xrealloc(c->nodes, c->nnodes + 1, sizeof(*c->nodes));
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->name = dt_xstrdup(name);
	return n;
}

/*
 * The optimal string alignment distance of a and b (Levenshtein, and a
 * swap of two neighbours is one edit), blind to case since the keys are
 * lower case; 3 when it is more than 2, or a name is too long to be near.
 */
static int
distance(const char *a, const char *b)
{
	int d[NEAR_MAX + 1][NEAR_MAX + 1];
	char x[NEAR_MAX + 1], y[NEAR_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;
	int v;

	if (la > NEAR_MAX || lb > NEAR_MAX || la > lb + 2 || lb > la + 2)
		return 3;
	for (i = 0; i <= la; i++)
		x[i] = tolower((unsigned char)a[i]);
	for (j = 0; j <= lb; j++)
		y[j] = tolower((unsigned char)b[j]);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (x[i - 1] != y[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && x[i - 1] == y[j - 2] &&
			    x[i - 2] == y[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] > 2 ? 3 : d[la][lb];
}

/*
 * The key of keys[0..n) nearest name, if nearer than *best and near
 * enough: two edits, one for a name of four letters or fewer.
 */
static const char *
nearest(const char *name, const char *const *keys, size_t n, int *best)
{
	const char *near = NULL;
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		d = distance(name, keys[i]);
		if (d < *best && d <= (strlen(keys[i]) > 4 ? 2 : 1)) {
			*best = d;
			near = keys[i];
		}
	}
	return near;
}

static int
is_key(const char *name, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, keys[i]) == 0)
			return 1;
	return 0;
}

/* "node NAME" gives NAME; anything else in brackets but "run" is wrong. */
static const char *
node_name(const char *section)
{
	if (strncmp(section, "node", 4) != 0 || !isspace((unsigned char)section[4]))
		return NULL;
	section += 4;
	while (isspace((unsigned char)*section))
		section++;
	return section;
}

static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/* [runs] is [run] and [nodes x] is [node x] misspelt: say so. */
static int
unknown_section(struct dt_conf *c, const char *sec)
{
	const char *rest;
	char *word;
	size_t n;
	int run, node;

	n = strcspn(sec, " \t");
	rest = sec + n + strspn(sec + n, " \t");
	word = dt_xasprintf("%.*s", (int)n, sec);
	run = distance(word, "run") <= 1;
	node = distance(word, "node") <= 1;
	free(word);
	if (*rest == '\0' && run)
		return fail(c, "unknown section [%s]; did you mean [run]?",
		    sec);
	if (node && valid_name(rest))
		return fail(c, "unknown section [%s]; did you mean "
		    "[node %s]?", sec, rest);
	if (node && *rest == '\0')
		return fail(c, "unknown section [%s]; did you mean "
		    "[node NAME]?", sec);
	return fail(c, "unknown section [%s] (expected [run] or "
	    "[node NAME])", sec);
}

static int
section(struct dt_conf *c, const char *sec)
{
	const char *name;

	if (strcmp(sec, "run") == 0)
		return 1;
	if ((name = node_name(sec)) == NULL)
		return unknown_section(c, sec);
	if (!valid_name(name))
		return fail(c, "bad node name \"%s\" (letters, digits, "
		    ". _ and - only)", name);
	if (!c->nodes_from_file) {
		/* Nodes named in a file replace the built-in local node. */
		while (c->nnodes > 0)
			node_free(&c->nodes[--c->nnodes]);
		c->nodes_from_file = 1;
	}
	if (dt_conf_node(c, name) == NULL)
		node_add(c, name);
	return 1;
}

static int
check_runners(struct dt_conf *c, const char *v)
{
	const char *e;

	if (strcmp(v, "auto") == 0)
		return 1;
	dt_strtonum(v, 1, DT_RUNNERS_MAX, &e);
	if (e != NULL)
		return fail(c, "runners: \"%s\" is %s (expected 1 to 1024 "
		    "or auto)", v, e);
	return 1;
}

static int
one_of(const char *value, const char *const *choices)
{
	for (; *choices != NULL; choices++)
		if (strcmp(value, *choices) == 0)
			return 1;
	return 0;
}

/*
 * Each word of env: NAME, a pattern of names (LC_*), NAME=VALUE, or -NAME
 * to drop a name or pattern of the defaults.  Names as sh(1) takes them.
 */
static int
check_env(struct dt_conf *c, const char *value)
{
	char *copy = dt_xstrdup(value), *w, *save = NULL;
	size_t n;
	int ok = 1;

	for (w = strtok_r(copy, " \t", &save); w && ok;
	    w = strtok_r(NULL, " \t", &save)) {
		const char *name = *w == '-' ? w + 1 : w, *glob;

		n = strcspn(name, "=");
		glob = strpbrk(name, "*?");
		if (n == 0 || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_*?") != n ||
		    (name[0] >= '0' && name[0] <= '9') ||
		    (name[n] == '=' && (*w == '-' ||
		    (glob != NULL && glob < name + n))))
			ok = fail(c, "env: \"%s\" is not NAME, a pattern of "
			    "names, NAME=VALUE or -NAME", w);
	}
	free(copy);
	return ok;
}

/*
 * Artifacts are paths inside a runner's tree: relative, without "..", so
 * that moving them out can never reach beyond it.
 */
static int
check_artifacts(struct dt_conf *c, const char *v)
{
	char *copy = dt_xstrdup(v), *w, *save, *p;
	int ok = 1;

	for (w = strtok_r(copy, " \t", &save); w && ok;
	    w = strtok_r(NULL, " \t", &save)) {
		for (p = w; *p == '.' && p[1] == '/'; p += 2)
			;
		if (*w == '/')
			ok = fail(c, "artifacts: \"%s\" is an absolute path "
			    "(expected one relative to the project)", w);
		else if (dt_has_dotdot(w))
			ok = fail(c, "artifacts: \"%s\" has a \"..\" "
			    "component", w);
		else if (*p == '\0' || strcmp(p, ".") == 0)
			ok = fail(c, "artifacts: \"%s\" is the whole "
			    "project", w);
	}
	free(copy);
	return ok;
}

/* A [run] value that is not one the key takes fails with why. */
static int
check_run(struct dt_conf *c, int k, const char *value)
{
	static const char *const isolates[] = { "none", "fork", NULL };
	static const char *const dirs[] = { "own", "shared", NULL };
	static const char *const yesno[] = { "yes", "no", NULL };
	static const char *const bundlers[] = { "auto", "yes", "no", NULL };
	static const char *const flakies[] = { "pass", "fail", NULL };
	const char *e;

	if (k == DT_RUN_FRAMEWORK && !one_of(value, frameworks))
		return fail(c, "framework: unknown framework \"%s\" (expected "
		    "rspec, minitest, test-unit, pytest or command)", value);
	if (k == DT_RUN_ISOLATE && !one_of(value, isolates))
		return fail(c, "isolate: \"%s\" is not none or fork", value);
	if (k == DT_RUN_RUNNER_DIR && !one_of(value, dirs))
		return fail(c, "runner_dir: \"%s\" is not own or shared",
		    value);
	if (k == DT_RUN_BUNDLER && !one_of(value, bundlers))
		return fail(c, "bundler: \"%s\" is not auto, yes or no", value);
	if (k == DT_RUN_PRELOAD && !one_of(value, yesno))
		return fail(c, "preload: \"%s\" is not yes or no", value);
	if (k == DT_RUN_SPLIT && !one_of(value, yesno))
		return fail(c, "split: \"%s\" is not yes or no", value);
	if (k == DT_RUN_PROJECT_COMMANDS && !one_of(value, yesno))
		return fail(c, "project_commands: \"%s\" is not yes or no",
		    value);
	if (k == DT_RUN_RETRIES) {
		dt_strtonum(value, 0, 100, &e);
		if (e != NULL)
			return fail(c, "retries: \"%s\" is %s (expected 0 "
			    "to 100)", value, e);
	}
	if (k == DT_RUN_RETRY) {
		dt_strtonum(value, 0, DT_RETRY_MAX, &e);
		if (e != NULL)
			return fail(c, "retry: \"%s\" is %s (expected 0 "
			    "to %d)", value, e, DT_RETRY_MAX);
	}
	if (k == DT_RUN_FLAKY && !one_of(value, flakies))
		return fail(c, "flaky: \"%s\" is not pass or fail", value);
	if (k == DT_RUN_ENV)
		return check_env(c, value);
	if (k == DT_RUN_ARTIFACTS)
		return check_artifacts(c, value);
	if (k == DT_RUN_TIMEOUT && strcmp(value, "auto") != 0) {
		dt_strtonum(value, 1, 604800, &e);
		if (e != NULL)
			return fail(c, "timeout: \"%s\" is not auto nor seconds "
			    "from 1 to 604800", value);
	}
	return 1;
}

/*
 * Where a key of the other kind of section goes, and the option that
 * does for one run what runners does: the end of a message.
 */
static const char *
belongs(int in_run)
{
	return in_run ? "a [node NAME] section" : "[run]";
}

static const char *
option(int in_run, const char *key)
{
	if (in_run && strcmp(key, "runners") == 0)
		return " (or use distributest -n N or -j N)";
	return "";
}

/*
 * A key sec does not take: the section it belongs to if another, else
 * the nearest key of either.  New users write runners under [run].
 */
static int
unknown_key(struct dt_conf *c, const char *sec, const char *key)
{
	const char *const *own = dt_run_keys, *const *other = node_keys;
	size_t nown = DT_RUN_NKEYS, nother = NODE_NKEYS;
	const char *near, *alt;
	int in_run, best = 3;

	if (!(in_run = strcmp(sec, "run") == 0)) {
		own = node_keys;
		nown = NODE_NKEYS;
		other = dt_run_keys;
		nother = DT_RUN_NKEYS;
	}
	if (is_key(key, other, nother))
		return fail(c, "\"%s\" belongs in %s, not [%s]%s", key,
		    belongs(in_run), sec, option(in_run, key));
	near = nearest(key, own, nown, &best);
	if ((alt = nearest(key, other, nother, &best)) != NULL)
		return fail(c, "unknown key \"%s\" in [%s]; did you mean "
		    "\"%s\"? It belongs in %s%s", key, sec, alt,
		    belongs(in_run), option(in_run, alt));
	if (near != NULL)
		return fail(c, "unknown key \"%s\" in [%s]; did you mean "
		    "\"%s\"?", key, sec, near);
	return fail(c, "unknown key \"%s\" in [%s]", key, sec);
}

static int
run_key(struct dt_conf *c, const char *key, const char *value)
{
	struct dt_setting *s;
	char *v;
	int k;

	for (k = 0; k < DT_RUN_NKEYS; k++)
		if (strcmp(key, dt_run_keys[k]) == 0)
			break;
	if (k == DT_RUN_NKEYS)
		return unknown_key(c, "run", key);
	if (!check_run(c, k, value))
		return 0;
	s = &c->run[k];
	/* A list given on several lines of one file is one list. */
	if (is_list(k) && s->origin.file == c->file && s->value != NULL &&
	    s->origin.file != NULL) {
		v = dt_xasprintf("%s %s", s->value, value);
		setv(s, v, c->file, c->line);
		free(v);
		return 1;
	}
	setv(s, value, c->file, c->line);
	return 1;
}

static int
node_key(struct dt_conf *c, const char *sec, const char *key,
    const char *value)
{
	struct dt_setting *s;
	const char *name;
	struct dt_node *n;

	name = node_name(sec);
	if (name == NULL || (n = dt_conf_node(c, name)) == NULL)
		return 0;	/* section() has said why */
	if (strcmp(key, "host") == 0)
		s = &n->host;
	else if (strcmp(key, "user") == 0)
		s = &n->user;
	else if (strcmp(key, "runners") == 0) {
		if (!check_runners(c, value))
			return 0;
		s = &n->runners;
	} else if (strcmp(key, "rsh") == 0)
		s = &n->rsh;
	else if (strcmp(key, "workdir") == 0)
		s = &n->workdir;
	else if (strcmp(key, "spawn") == 0)
		s = &n->spawn;
	else
		return unknown_key(c, sec, key);
	if (*value == '\0' && s != &n->user)
		return fail(c, "%s: empty value", key);
	setv(s, value, c->file, c->line);
	return 1;
}

/* s without the blanks around it, as a string to free. */
static char *
trim(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return dt_xasprintf("%.*s", (int)len, s);
}

static int
outside(struct dt_conf *c, const char *key)
{
	int run = is_key(key, dt_run_keys, DT_RUN_NKEYS);
	int node = is_key(key, node_keys, NODE_NKEYS);

	if (run != node)
		return fail(c, "\"%s\" outside a section (put it under %s)",
		    key, run ? "[run]" : "[node NAME]");
	return fail(c, "\"%s\" outside a section (put it under [run] "
	    "or [node NAME])", key);
}

static int
handler(void *user, const char *rawsec, const char *key, const char *value)
{
	struct dt_conf *c = user;
	char *sec;
	int rc;

	/* inih keeps blanks inside the brackets; the reader trimmed them. */
	sec = trim(rawsec, strlen(rawsec));
	if (strcmp(sec, "") == 0)
		rc = outside(c, key);
	else if (strcmp(sec, "run") == 0)
		rc = run_key(c, key, value);
	else
		rc = node_key(c, sec, key, value);
	free(sec);
	return rc;
}

/*
 * inih's reader callback: a line, counted, its sections seen.  Read a
 * byte at a time, as fgets would not tell a NUL byte from the end.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct dt_conf *c = stream;
	char *p, *q;
	size_t len = 0;
	int ch, nul = 0, cut = 0;

	while ((ch = getc(c->fp)) != EOF) {
		if (ch == '\0')
			nul = 1;
		if (len < (size_t)num - 1)
			str[len++] = ch;
		else
			cut = 1;
		if (ch == '\n')
			break;
	}
	if (len == 0 && ch == EOF)
		return NULL;
	str[len] = '\0';
	c->line++;
	if (nul)
		fail(c, "NUL byte in line");
	else if (cut)
		fail(c, "line longer than %d bytes", INI_LINE - 2);
	if (nul || cut) {
		str[0] = '\0';	/* inih sees an empty line */
		return str;
	}
	for (p = str; isspace((unsigned char)*p); p++)
		;
	/* inih would take an indented header for a continuation line. */
	if (*p == '[' && p != str) {
		fail(c, "indented section header (start it in column 1)");
		str[0] = '\0';
		return str;
	}
	if (*p == '[' && (q = strchr(p, ']')) != NULL) {
		p = trim(p + 1, q - (p + 1));
		section(c, p);
		free(p);
	}
	return str;
}

void
dt_conf_init(struct dt_conf *c)
{
	struct dt_node *n;

	memset(c, 0, sizeof(*c));
	n = node_add(c, "local");
	setv(&n->runners, "auto", NULL, 0);
}

/*
 * Read one file.  A missing file is fine unless required.  Returns -1
 * after printing "file:line: what".
 */
int
dt_conf_load(struct dt_conf *c, const char *file, int required)
{
	int line;

	c->fp = fopen(file, "re");
	if (c->fp == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		return dt_error("%s: %s", file, strerror(errno));
	}
	c->file = dt_xstrdup(file);	/* origins point at it for good */
	c->files = dt_xrealloc(c->files, c->nfiles + 1, sizeof(*c->files));
	c->files[c->nfiles++] = (char *)c->file;
	c->line = 0;
	free(c->errmsg);
	c->errmsg = NULL;
	line = ini_parse_stream(reader, c, handler, c);
	fclose(c->fp);
	c->fp = NULL;
	if (line == 0 && c->errmsg == NULL)
		return 0;
	if (c->errmsg != NULL && (line == 0 || line >= c->errline))
		return dt_error("%s:%d: %s", file, c->errline, c->errmsg);
	if (line < 0)
		return dt_error("%s: %s", file, strerror(errno));
	return dt_error("%s:%d: syntax error (expected \"key = value\", "
	    "\"[section]\" or a comment)", file, line);
}

void
dt_conf_free(struct dt_conf *c)
{
	size_t i;
	int k;

	for (k = 0; k < DT_RUN_NKEYS; k++)
		free(c->run[k].value);
	for (i = 0; i < c->nnodes; i++)
		node_free(&c->nodes[i]);
	free(c->nodes);
	free(c->errmsg);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	memset(c, 0, sizeof(*c));
}

/*
 * Where a node keeps an initiator's copy of a project: one directory per
 * initiating host and user, one per project path (the hash that ends
 * name, NAME-HASH), and in it the copy, named as the project is, since
 * tests may ask the name of the directory they run in.  A copy as 0.2.0
 * made it, WORKDIR/INITIATOR/USER/NAME-HASH, is thus never in the way.
 * A name without a hash, or whose NAME is "." or "..", which would not
 * name a directory of its own, is taken whole for both.
 */
char *
dt_copy_dir(const char *workdir, const char *initiator, const char *user,
    const char *name)
{
	size_t n = strlen(name);
	int base;

	if (n > 9 && name[n - 9] == '-' &&
	    strspn(name + n - 8, "0123456789abcdef") == 8) {
		base = (int)(n - 9);
		if (!(base == 1 && name[0] == '.') &&
		    !(base == 2 && name[0] == '.' && name[1] == '.'))
			return dt_xasprintf("%s/%s/%s/%s/%.*s", workdir,
			    initiator, user, name + n - 8, base, name);
	}
	return dt_xasprintf("%s/%s/%s/%s/%s", workdir, initiator, user, name,
	    name);
}
