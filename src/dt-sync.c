/*
 * dt-sync: copy the project and its setup hooks to every node named in
 * the event stream, with rsync, several nodes at a time.  Each node gets
 * its copy under WORKDIR/INITIATOR/USER/HASH/NAME (dt_copy_dir), so
 * developers sharing a node never collide, the user's own tree is never
 * where tests run, and the copy has the project's name.
 * Emits synced or node-down per node and passes every other line on.
 * With -b it brings home instead what the runners of the nodes named
 * left for the initiator (dt-spawn's COPY.artifacts), and writes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-sync [-j parallel] [-r rsync] [-b dir [node ...]]"

struct job {
	char		*node, *host, *rsh, *workdir, *spawn;
	pid_t		 pid;
	int		 out;
	struct dt_buf	 part, last;
	double		 started;
	int		 done;
	int		 checking;	/* the node's digest is on its way */
	char		 node_hex[33];	/* its answer, when not the project's */
	char		*list;		/* rsync's --files-from, or NULL */
	char		*whole;		/* why rsync of it all, or NULL */
};

static struct job *jobs;
static size_t njobs;
static int running, maxpar = 16;
static const char *rsync = "rsync";
static char *project, *initiator, *user, *name, *hooks[2], *spawn;
static char **excludes;		/* rsync's filters: keep first */
static size_t nexcludes, nkeeps;
static int check = 1;		/* skip rsync when the digests agree */
static char src_hex[33];	/* the project's digest, "" for none yet */
static char src_why[PATH_MAX + 128];
static struct dt_manifest src_man;	/* its directories' own digests */
static int man_kept;		/* under src_hex in the project's sync/ */
static char *builtin[8];	/* --exclude= each of dt_sync_excludes */
static char stage[PATH_MAX];
static const char *home_dir;	/* -b: where the artifacts come */
static char **home_nodes;
static int nhome_nodes, home_failed;

static void
rmstage(void)
{
	char *p;
	int i;

	if (stage[0] == '\0')
		return;
	for (i = 0; i < 2; i++) {
		p = dt_xasprintf("%s/.dt-hooks/%s", stage,
		    i ? "runner_setup" : "node_setup");
		unlink(p);
		free(p);
	}
	p = dt_xasprintf("%s/.dt-hooks", stage);
	rmdir(p);
	free(p);
	rmdir(stage);
	stage[0] = '\0';
}

static void
kill_jobs(void)
{
	size_t i;

	/* The group: rsync's remote shell goes with it. */
	for (i = 0; i < njobs; i++) {
		if (jobs[i].pid > 0)
			kill(-jobs[i].pid, SIGTERM);
		if (jobs[i].list != NULL)
			unlink(jobs[i].list);
	}
	rmstage();
}

/* With the hook's time, so that an unchanged hook is an unchanged file. */
static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	struct timespec ts[2];
	struct stat st;
	ssize_t n;
	int in, out;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		dt_die_sys(DT_EX_USAGE, "%s", from);
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755)) < 0)
		dt_die_sys(DT_EX_SYS, "%s", to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (dt_write_all(out, buf, n) < 0)
			dt_die_sys(DT_EX_SYS, "%s", to);
	if (n < 0)
		dt_die_sys(DT_EX_SYS, "%s", from);
	/* Whatever the umask, as the manifests of the copy count modes. */
	fchmod(out, 0755);
	if (fstat(in, &st) == 0) {
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		futimens(out, ts);
	}
	close(in);
	close(out);
}

/*
 * The hooks travel in a second source directory given to the same rsync
 * call, so the node's copy of them is replaced, or deleted, with the
 * project in one transfer.
 */
static void
make_stage(void)
{
	const char *tmp = getenv("TMPDIR");
	char *p;
	int i;

	snprintf(stage, sizeof(stage), "%s/dt-sync.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(stage) == NULL)
		dt_die_sys(DT_EX_SYS, "mkdtemp %s", stage);
	p = dt_xasprintf("%s/.dt-hooks", stage);
	if (mkdir(p, 0755) < 0 || chmod(p, 0755) < 0)
		dt_die_sys(DT_EX_SYS, "mkdir %s", p);
	free(p);
	for (i = 0; i < 2; i++) {
		if (hooks[i] == NULL)
			continue;
		p = dt_xasprintf("%s/.dt-hooks/%s", stage,
		    i ? "runner_setup" : "node_setup");
		copy_file(hooks[i], p);
		free(p);
	}
}

/* A node whose copy, or artifacts, rsync could not make. */
static void
failed(const struct job *j, const char *why)
{
	if (home_dir == NULL) {
		dt_emit("node-down", j->node, "sync", why, (char *)NULL);
		return;
	}
	dt_warn("node %s: cannot bring its artifacts home to %s/%s: %s",
	    j->node, home_dir, j->node, why);
	home_failed = 1;
}

/* rsync's words for one node: the copy out, or (-b) the artifacts home. */
static char **
rsync_argv(const struct job *j, const char *dest, char **src, char **to)
{
	char **argv = dt_xcalloc(24 + sizeof(builtin) / sizeof(*builtin) +
	    nexcludes, sizeof(*argv));
	size_t n = 0, i;

	argv[n++] = (char *)rsync;
	argv[n++] = "-a";
	argv[n++] = "--mkpath";
	if (strcmp(j->host, "local") != 0) {
		argv[n++] = "-e";
		argv[n++] = j->rsh;
	}
	if (home_dir != NULL) {
		/* The node's disk is freed as the files arrive. */
		argv[n++] = "--remove-source-files";
		*src = dt_xasprintf("%.*s.artifacts/", (int)strlen(dest) - 1,
		    dest);
		*to = dt_xasprintf("%s/%s/", home_dir, j->node);
		argv[n++] = *src;
		argv[n++] = *to;
		return argv;
	}
	argv[n++] = "--delete";
	/* An edit of the same size within the same second is still seen. */
	argv[n++] = "--modify-window=-1";
	if (j->list != NULL) {
		/* Each directory named, without what is under it; the hooks,
		 * unchanged, are not in this source to be deleted for it. */
		argv[n++] = "--dirs";
		argv[n++] = "--from0";
		argv[n++] = *to = dt_xasprintf("--files-from=%s", j->list);
		/* Gone since the walk: its parent, also named, deletes it. */
		argv[n++] = "--ignore-missing-args";
		argv[n++] = "--filter=P /.dt-hooks/";
	}
	/* .git, log, tmp, ours; caches the node would rebuild, and that go
	 * stale in a copy (dt_digest.c). */
	for (i = 0; builtin[i] != NULL; i++)
		argv[n++] = builtin[i];
	for (i = 0; i < nexcludes; i++)
		argv[n++] = excludes[i];
	*src = dt_xasprintf("%s/", project);
	argv[n++] = *src;
	if (j->list == NULL)
		argv[n++] = *to = dt_xasprintf("%s/", stage);
	argv[n++] = (char *)dest;
	return argv;
}

/* The node's copy: under HOME for a local one, else as the node takes it. */
static char *
copy_dir(const struct job *j)
{
	char *copy = dt_copy_dir(j->workdir, initiator, user, name), *dir;
	const char *home = getenv("HOME");

	if (strcmp(j->host, "local") != 0 || copy[0] == '/' || home == NULL)
		return copy;
	dir = dt_xasprintf("%s/%s", home, copy);
	free(copy);
	return dir;
}

/* rsync's list of changed directories, once it has ended. */
static void
drop_list(struct job *j)
{
	if (j->list != NULL) {
		unlink(j->list);
		free(j->list);
		j->list = NULL;
	}
}

static void
start_rsync(struct job *j)
{
	struct dt_child c;
	char **argv, *dest, *dir, *src, *to = NULL;

	dir = copy_dir(j);
	dest = strcmp(j->host, "local") == 0 ? dt_xasprintf("%s/", dir) :
	    dt_xasprintf("%s:%s/", j->host, dir);
	argv = rsync_argv(j, dest, &src, &to);
	if (dt_spawn(&c, argv, DT_SPAWN_OUT | DT_SPAWN_ERR2OUT |
	    DT_SPAWN_PGRP) < 0) {
		char *why = dt_xasprintf("cannot run %s: %s", rsync,
		    strerror(errno));

		failed(j, why);
		free(why);
		j->done = 1;
		drop_list(j);
	} else {
		j->pid = c.pid;
		j->out = c.out;
		dt_nonblock(j->out);
		running++;
	}
	free(src);
	free(to);
	free(dest);
	free(dir);
	free(argv);
}

/*
 * The rules of one side: dt-sync's excludes, which both sides follow,
 * then the keeps (the node's side) or the excludes (the project's).
 */
static const char **
side_rules(int node, size_t *n)
{
	const char **v;
	size_t i, k = 0;

	for (i = 0; dt_sync_excludes[i] != NULL; i++)
		;
	v = dt_xcalloc(i + nexcludes + 1, sizeof(*v));
	for (i = 0; dt_sync_excludes[i] != NULL; i++)
		v[k++] = dt_sync_excludes[i];
	/* The pattern of "--filter=P PATTERN" or "--filter=-s PATTERN". */
	for (i = node ? 0 : nkeeps; i < (node ? nkeeps : nexcludes); i++)
		v[k++] = strchr(excludes[i], ' ') + 1;
	*n = k;
	return v;
}

/* why: freed here, or NULL to keep the one known */
static void
whole_because(struct job *j, char *why)
{
	if (why == NULL)
		return;
	free(j->whole);
	j->whole = why;
}

/* rsync of the whole copy for a node whose copy may differ: the log says why. */
static void
rsync_anyway(struct job *j)
{
	char *msg;

	if (src_hex[0] == '\0' && src_why[0] != '\0')
		whole_because(j, dt_xasprintf("no digest of the project (%s)",
		    src_why));
	msg = dt_xasprintf("dt-sync: rsync of the whole copy: %s",
	    j->whole ? j->whole : "the node did not say its copy's digest");
	dt_emit("log", j->node, msg, (char *)NULL);
	free(msg);
	start_rsync(j);
}

/*
 * The project's digest, once: the project and the stage as rsync takes
 * them, less what the excludes leave behind.
 */
static const char *
source_digest(void)
{
	const char *roots[2], **rules;
	size_t n;

	if (src_hex[0] == '\0' && src_why[0] == '\0') {
		roots[0] = project;
		roots[1] = stage;
		rules = side_rules(0, &n);
		if (dt_tree_digest(roots, 2, rules, n, 0, src_hex, src_why,
		    sizeof(src_why), NULL, &src_man) < 0)
			src_hex[0] = '\0';
		free(rules);
	}
	return src_hex[0] != '\0' ? src_hex : NULL;
}

static char *
manifests(void)
{
	return dt_xasprintf("%s/.distributest/sync", project);
}

/*
 * A copy now has the project's digest: the project's manifest is kept
 * under it, once a run, so that the next run can find what changed.
 */
static void
keep_manifest(struct job *j)
{
	char why[PATH_MAX + 64], *dir, *msg;

	if (man_kept || src_hex[0] == '\0' || src_man.n == 0)
		return;
	man_kept = 1;
	dir = manifests();
	if (dt_manifest_save(&src_man, dir, src_hex, why, sizeof(why)) < 0) {
		msg = dt_xasprintf("dt-sync: cannot keep the project's "
		    "manifest: %s", why);
		dt_emit("log", j->node, msg, (char *)NULL);
		free(msg);
	}
	free(dir);
}

/*
 * Whether rsync of these directories alone can make the copy: each is
 * still one (rsync would follow a link put in its place), and none is
 * the hooks', which are not in that source, nor are they left out.
 */
static int
partial_ok(struct job *j, const struct dt_buf *list)
{
	struct stat st;
	size_t i;
	char *p;
	int ok = 1;

	for (i = 0; i < src_man.n; i++)
		if (strcmp(src_man.v[i].path, ".dt-hooks") == 0)
			break;
	if (i == src_man.n) {
		whole_because(j, dt_xstrdup("the hooks are left out"));
		return 0;
	}
	for (i = 0; ok && i < list->len; i += strlen(list->s + i) + 1) {
		if (strcmp(list->s + i, ".dt-hooks/") == 0) {
			whole_because(j, dt_xstrdup("the hooks changed"));
			return 0;
		}
		p = dt_xasprintf("%s/%s", project, list->s + i);
		p[strlen(p) - 1] = '\0';
		ok = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
		if (!ok)
			whole_because(j, dt_xasprintf("%s is no longer a "
			    "directory", list->s + i));
		free(p);
	}
	return ok;
}

/*
 * A copy whose digest the project had when a manifest was kept: rsync of
 * the directories changed since, as the manifest tells; 0 when there is
 * no such manifest, or rsync of them could not make the copy.
 */
static int
start_changed(struct job *j, const char *hex)
{
	struct dt_buf list = { 0 };
	char *dir = manifests(), *msg;
	const char *tmp = getenv("TMPDIR");
	long n;
	int fd;

	n = src_hex[0] ? dt_manifest_changed(&src_man, dir, hex, &list) : -1;
	free(dir);
	if (n < 0 && src_hex[0] && hex[0])
		whole_because(j, dt_xstrdup("no manifest of the copy as it is "
		    "(made or changed otherwise than by a run that kept one)"));
	else if (n == 0)
		whole_because(j, dt_xstrdup("its digest differs, yet no "
		    "directory's own digest does"));
	if (n <= 0 || !partial_ok(j, &list)) {
		dt_buf_free(&list);
		return 0;
	}
	j->list = dt_xasprintf("%s/dt-sync-list.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(j->list)) < 0 ||
	    dt_write_all(fd, list.s, list.len) < 0) {
		whole_because(j, dt_xasprintf("cannot write the list of "
		    "changed directories: %s: %s", j->list, strerror(errno)));
		if (fd >= 0)
			close(fd);
		free(j->list);
		j->list = NULL;
		dt_buf_free(&list);
		return 0;
	}
	close(fd);
	dt_buf_free(&list);
	msg = dt_xasprintf("dt-sync: rsync of the %ld of %zu directories "
	    "changed since the copy was made", n, src_man.n);
	dt_emit("log", j->node, msg, (char *)NULL);
	free(msg);
	start_rsync(j);
	return 1;
}

/* The copy has the project's digest: nothing for rsync to do. */
static void
up_to_date(struct job *j, const char *entries)
{
	char secs[32], *msg;

	keep_manifest(j);
	msg = dt_xasprintf("dt-sync: the copy is the project's (%s entries "
	    "alike); rsync not run", entries);
	dt_emit("log", j->node, msg, (char *)NULL);
	free(msg);
	snprintf(secs, sizeof(secs), "%.3f", dt_now() - j->started);
	dt_emit("synced", j->node, secs, (char *)NULL);
	j->done = 1;
}

/* "digest HEX N" from the node: its copy is up to date when HEX is ours. */
static int
digest_agrees(struct job *j, const char *line, size_t len)
{
	char *f[4], *l = dt_xasprintf("%.*s", (int)len, line);
	const char *hex = source_digest();
	int n = dt_split(l, strlen(l), f, 4), rc = 0;

	/* WHY, a path's words, may hold a tab. */
	if (len > 5 && strncmp(line, "none\t", 5) == 0)
		whole_because(j, dt_xasprintf("no digest of the copy (%.*s)",
		    (int)len - 5, line + 5));
	if (n == 3 && strcmp(f[0], "digest") == 0 && hex != NULL) {
		if (strcmp(f[1], hex) == 0) {
			up_to_date(j, f[2]);
			rc = 1;
		} else if (strlen(f[1]) == sizeof(j->node_hex) - 1)
			memcpy(j->node_hex, f[1], sizeof(j->node_hex));
	}
	free(l);
	return rc;
}

/* Ask the node for its copy's digest: the spawn command with --digest. */
static void
start_check(struct job *j, const char *dir)
{
	struct dt_child c;
	const char **rules;
	size_t i, nrules;
	struct dt_buf in = { 0 };

	if (dt_spawn_on(&c, j->host, j->rsh, j->spawn ? j->spawn : spawn,
	    "--digest", DT_SPAWN_IN | DT_SPAWN_OUT | DT_SPAWN_ERR2OUT |
	    DT_SPAWN_PGRP) < 0) {
		whole_because(j, dt_xasprintf("cannot ask the node for its "
		    "copy's digest: %s", strerror(errno)));
		rsync_anyway(j);
		return;
	}
	dt_buf_add(&in, dir, strlen(dir));
	rules = side_rules(1, &nrules);
	for (i = 0; i < nrules; i++) {
		dt_buf_add(&in, "\n", 1);
		dt_buf_add(&in, rules[i], strlen(rules[i]));
	}
	free(rules);
	dt_buf_add(&in, "\n", 1);
	dt_write_all(c.in, in.s, in.len);	/* a pipe's buffer holds it */
	close(c.in);
	dt_buf_free(&in);
	j->pid = c.pid;
	j->out = c.out;
	j->checking = 1;
	dt_nonblock(j->out);
	running++;
}

/*
 * A node whose copy may already be the project's is asked for its digest
 * first, by its dt-spawn (a local one too, so that both walks go on at
 * once; without a spawn command, here); rsync runs unless they agree.
 */
static void
start(struct job *j)
{
	char *dir, hex[33], why[PATH_MAX + 128], entries[32];
	const char *root[1], **rules;
	size_t n;
	long ent;

	if (stage[0] == '\0' && home_dir == NULL)
		make_stage();
	j->started = dt_now();
	if (home_dir != NULL) {
		start_rsync(j);
		return;
	}
	if (!check) {
		whole_because(j, dt_xstrdup("DT_SYNC_ALWAYS is set"));
		rsync_anyway(j);
		return;
	}
	dir = copy_dir(j);
	if (j->spawn || spawn) {
		start_check(j, dir);
		source_digest();	/* while the node walks its copy */
	} else if (strcmp(j->host, "local") == 0 && source_digest() != NULL) {
		root[0] = dir;
		rules = side_rules(1, &n);
		if (dt_tree_digest(root, 1, rules, n, 1, hex, why, sizeof(why),
		    &ent, NULL) < 0) {
			whole_because(j, dt_xasprintf("no digest of the copy "
			    "(%s)", why));
			rsync_anyway(j);
		}
		else if (strcmp(hex, src_hex) == 0) {
			snprintf(entries, sizeof(entries), "%ld", ent);
			up_to_date(j, entries);
		} else if (!start_changed(j, hex))
			rsync_anyway(j);
		free(rules);
	} else
		rsync_anyway(j);
	free(dir);
}

static void
start_pending(void)
{
	size_t i;

	for (i = 0; i < njobs && running < maxpar; i++)
		if (!jobs[i].done && jobs[i].pid == 0)
			start(&jobs[i]);
}

/*
 * rsync's closing words when its remote shell failed, which say less than
 * what the remote shell said before them (ssh's "Connection refused").
 */
static int
trailer(const char *s, size_t n)
{
	static const char *const words[] = { "rsync error: ",
	    "rsync: connection unexpectedly closed", NULL };
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (n >= strlen(*w) && strncmp(s, *w, strlen(*w)) == 0)
			return 1;
	return 0;
}

/*
 * rsync's output goes to the log; its last line, or the last before its
 * closing words, also into node-down.
 */
static void
job_output(struct job *j, int flush)
{
	char *nl, *line;
	size_t n;

	while (j->part.len > 0) {
		nl = memchr(j->part.s, '\n', j->part.len);
		if (nl == NULL && !flush)
			return;
		n = nl ? (size_t)(nl - j->part.s) : j->part.len;
		if (n > 0) {
			if (!trailer(j->part.s, n) || j->last.len == 0) {
				dt_buf_reset(&j->last);
				dt_buf_add(&j->last, j->part.s, n);
			}
			line = dt_xasprintf("%.*s", (int)n, j->part.s);
			if (home_dir == NULL)
				dt_emit("log", j->node, line, (char *)NULL);
			free(line);
		}
		n += nl != NULL;
		memmove(j->part.s, j->part.s + n, j->part.len - n);
		j->part.len -= n;
	}
}

static void
job_read(struct job *j)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(j->out, buf, sizeof(buf))) > 0) {
		/* A digest's answer is one line; the rest is not kept. */
		if (!j->checking || j->part.len < 65536)
			dt_buf_add(&j->part, buf, n);
		if (!j->checking)
			job_output(j, 0);
	}
	if (n == 0) {
		if (!j->checking)
			job_output(j, 1);
		dt_close(&j->out);
	}
}

/*
 * ssh's own failure (255): the node cannot be reached, and rsync through
 * the same remote shell would wait as long again to say so.
 */
static void
remote_shell_failed(struct job *j)
{
	char *why;
	const char *base;
	size_t n = strcspn(j->rsh, " \t");

	base = memrchr(j->rsh, '/', n);
	base = base ? base + 1 : j->rsh;
	n -= (size_t)(base - j->rsh);
	job_output(j, 1);
	why = j->last.len ? dt_xasprintf("%.*s exited 255: %s", (int)n, base,
	    j->last.s) : dt_xasprintf("%.*s exited 255", (int)n, base);
	failed(j, why);
	free(why);
	j->done = 1;
}

/*
 * The node's answer: its digest line, or anything else (an older
 * dt-spawn's usage, ssh's words), which only means rsync runs.
 */
static void
check_done(struct job *j, int st)
{
	char *nl, *l = j->part.s;
	size_t left = j->part.len;
	int agree = 0, answered = 0;

	while (!agree && left > 0) {
		nl = memchr(l, '\n', left);
		if (nl == NULL)
			break;
		answered |= strncmp(l, "digest\t", 7) == 0 ||
		    strncmp(l, "none\t", 5) == 0;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			agree = digest_agrees(j, l, (size_t)(nl - l));
		left -= (size_t)(nl - l) + 1;
		l = nl + 1;
	}
	j->checking = 0;
	if (!agree && !answered && strcmp(j->host, "local") != 0 &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 255) {
		remote_shell_failed(j);
		return;
	}
	dt_buf_reset(&j->part);
	if (!agree && !start_changed(j, j->node_hex))
		rsync_anyway(j);
}

static void
job_exited(struct job *j, int st)
{
	char secs[32], why[128];
	char *reason;

	if (j->out >= 0)
		job_read(j);
	dt_close(&j->out);
	j->pid = -1;
	running--;
	if (j->checking) {
		check_done(j, st);
		return;
	}
	job_output(j, 1);
	j->done = 1;
	drop_list(j);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		snprintf(secs, sizeof(secs), "%.3f", dt_now() - j->started);
		if (home_dir == NULL) {
			if (check)
				keep_manifest(j);
			dt_emit("synced", j->node, secs, (char *)NULL);
		}
		return;
	}
	dt_status_str(st, why, sizeof(why));
	reason = j->last.len ? dt_xasprintf("rsync %s: %s", why, j->last.s)
	    : dt_xasprintf("rsync %s", why);
	failed(j, reason);
	free(reason);
}

static const struct dt_setting_var settings[] = {
	{ "project", &project }, { "initiator", &initiator }, { "user", &user },
	{ "name", &name }, { "node_setup", &hooks[0] },
	{ "runner_setup", &hooks[1] }, { "spawn", &spawn }, { NULL, NULL }
};

static void
event(char *l, size_t len, char **f, int n, unsigned long lineno)
{
	struct job *j;
	int i;

	if (home_dir == NULL)
		dt_pass(l, len);
	switch (dt_event(f, n, lineno)) {
	case DT_EV_SET:
		src_hex[0] = src_why[0] = '\0';	/* made again when needed */
		dt_manifest_free(&src_man);
		man_kept = 0;
		if (dt_set(settings, f[1], f[2]) ||
		    (strcmp(f[1], "exclude") != 0 &&
		    strcmp(f[1], "keep") != 0))
			break;
		excludes = dt_xrealloc(excludes, nexcludes + 1,
		    sizeof(*excludes));
		if (strcmp(f[1], "keep") == 0) {
			/* The first rule that matches wins: before excludes. */
			memmove(excludes + nkeeps + 1, excludes + nkeeps,
			    (nexcludes - nkeeps) * sizeof(*excludes));
			excludes[nkeeps++] = dt_xasprintf("--filter=P %s",
			    f[2]);
			nexcludes++;
			break;
		}
		/*
		 * Sender side only: what the node has under the pattern is
		 * not spared by --delete, so a file excluded after it was
		 * copied leaves the node's copy too.
		 */
		excludes[nexcludes++] = dt_xasprintf("--filter=-s %s", f[2]);
		break;
	case DT_EV_NODE:
		if (project == NULL || initiator == NULL || user == NULL ||
		    name == NULL)
			dt_die(DT_EX_DATA, "stdin line %lu: node before the "
			    "project, name, initiator and user settings",
			    lineno);
		for (i = 0; i < nhome_nodes; i++)
			if (strcmp(home_nodes[i], f[1]) == 0)
				break;
		if (home_dir != NULL && i == nhome_nodes)
			break;
		jobs = dt_xrealloc(jobs, njobs + 1, sizeof(*jobs));
		j = &jobs[njobs++];
		memset(j, 0, sizeof(*j));
		j->out = -1;
		j->node = dt_xstrdup(f[1]);
		j->host = dt_xstrdup(f[3]);
		j->rsh = dt_xstrdup(f[4]);
		j->workdir = dt_xstrdup(f[5]);
		j->spawn = n > 6 && *f[6] ? dt_xstrdup(f[6]) : NULL;
		start_pending();
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct dt_stage st;
	const char *e;
	size_t i, k;
	int ch, ready, status;
	pid_t pid;

	dt_hygiene();
	dt_setprog(argv[0]);
	dt_die_with_parent();
	while ((ch = getopt(argc, argv, "b:j:r:")) != -1) {
		switch (ch) {
		case 'b':
			home_dir = optarg;
			break;
		case 'j':
			maxpar = dt_strtonum(optarg, 1, 1024, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-j %s: %s", optarg, e);
			break;
		case 'r':
			rsync = optarg;
			break;
		default:
			dt_usage(USAGE);
		}
	}
	if (optind != argc && home_dir == NULL)
		dt_usage(USAGE);
	home_nodes = argv + optind;
	nhome_nodes = argc - optind;
	if ((e = getenv("DT_SYNC_ALWAYS")) != NULL && *e != '\0' &&
	    strcmp(e, "0") != 0)
		check = 0;
	for (i = 0; dt_sync_excludes[i] != NULL; i++)
		builtin[i] = dt_xasprintf("--exclude=%s", dt_sync_excludes[i]);
	dt_raise_nofile();
	atexit(kill_jobs);
	dt_stage_init(&st, "stdin", DT_STAGE_CHILDREN);
	while (!st.eof || running > 0) {
		dt_stage_begin(&st);
		for (i = 0; i < njobs; i++)
			dt_stage_watch(&st, jobs[i].out, POLLIN, i);
		ready = dt_stage_wait(&st, -1, 0);
		for (k = DT_STAGE_OWN; k < st.n; k++)
			if (st.pfd[k].revents && jobs[st.who[k]].out >= 0)
				job_read(&jobs[st.who[k]]);
		if (ready & DT_STAGE_CHILDREN) {
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				for (i = 0; i < njobs; i++)
					if (jobs[i].pid == pid)
						job_exited(&jobs[i], status);
			start_pending();
		}
		dt_stage_read(&st, event);
	}
	rmstage();
	return home_failed ? DT_EX_INCOMPLETE : 0;
}
