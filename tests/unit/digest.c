/*
 * dt_rsync_match and dt_tree_digest: rsync's filter patterns as the walk
 * follows them (each case was checked by hand against rsync 3.2.7's
 * --filter='-s PATTERN'; t0040 runs rsync itself on the digests' cases),
 * and a digest that changes with what rsync's quick check sees, and
 * only that.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"
#include "tap.h"

static const struct {
	const char	*pat, *path;
	int		 isdir, want;
} cases[] = {
	{ "coverage/", "coverage", 1, 1 },
	{ "coverage/", "coverage", 0, 0 },
	{ "coverage/", "a/coverage", 1, 1 },
	{ "/coverage/", "a/coverage", 1, 0 },
	{ "/coverage", "coverage", 0, 1 },
	{ "*.pyc", "a/b.pyc", 0, 1 },
	{ "*.pyc", ".x.pyc", 0, 1 },
	{ "b/c", "a/b/c", 0, 1 },
	{ "b/c", "b/c", 0, 1 },
	{ "b/c", "xb/c", 0, 0 },
	{ "/b/c", "a/b/c", 0, 0 },
	{ "a/*/c", "a/b/c", 0, 1 },
	{ "a/*/c", "a/b/x/c", 0, 0 },
	{ "a/*/c", "z/a/b/c", 0, 1 },
	{ "*/c", "a/b/c", 0, 1 },
	{ "?og", "log", 1, 1 },
	{ "[lt]og", "tog", 0, -1 },
	{ "a[b", "a[b", 0, -1 },
	{ "node_modules", "node_modules", 1, 1 },
	{ "a*b", "axb", 0, 1 },
	{ "a*b", "a/xb", 0, 0 },
	/* Left to rsync. */
	{ "a/**/c", "a/b/c", 0, -1 },
	{ "a/***", "a", 1, -1 },
	{ "a\\*", "a*", 0, -1 },
	{ "/", "a", 1, -1 },
};

static char dir[] = "/tmp/dt-digest-test-XXXXXX";

static void
put(const char *rel, const char *text, long nsec)
{
	char *p = dt_xasprintf("%s/%s", dir, rel);
	struct timespec ts[2] = { { 1700000000, nsec }, { 1700000000, nsec } };
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0) {
		perror(p);
		exit(2);
	}
	utimensat(AT_FDCWD, p, ts, 0);
	free(p);
}

static int side;		/* 1: the node's */

/* With dt-sync's own excludes, and pat if any. */
static const char *
digest(const char *root, const char *pat)
{
	static char hex[33];
	char why[256];
	const char *roots[1] = { root };
	const char *pats[16];
	size_t n;

	for (n = 0; dt_sync_excludes[n] != NULL; n++)
		pats[n] = dt_sync_excludes[n];
	if (pat != NULL)
		pats[n++] = pat;
	if (dt_tree_digest(roots, 1, pats, n, side, hex, why, sizeof(why),
	    NULL, NULL) < 0)
		return "none";
	return hex;
}

static void
run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: failed\n", cmd);
		exit(2);
	}
}

int
main(void)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]);
	char a[40], b[40], *p, *q, why[256], hex[33];
	const char *both[2];
	struct timespec times[2];
	struct stat st;

	plan((int)n + 20);
	for (i = 0; i < n; i++)
		ok(dt_rsync_match(cases[i].pat, cases[i].path, cases[i].isdir) ==
		    cases[i].want, "\"%s\" on %s \"%s\": %d", cases[i].pat,
		    cases[i].isdir ? "directory" : "file", cases[i].path,
		    cases[i].want);

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	p = dt_xasprintf("%s/a", dir);
	q = dt_xasprintf("%s/b", dir);
	run(at("mkdir -p %s/spec %s/log %s/x/.git", p, p, p));
	put("a/spec/a_spec.rb", "one\n", 100);
	put("a/log/test.log", "log\n", 0);
	symlink("spec/a_spec.rb", at("%s/link", p));
	run(at("rsync -a --modify-window=-1 %s/ %s/", p, q));
	snprintf(a, sizeof(a), "%s", digest(p, NULL));
	ok(strcmp(a, "none") != 0 && strcmp(a, digest(q, NULL)) == 0,
	    "a tree and rsync's copy of it have one digest");
	put("b/log/test.log", "more log\n", 5);
	run(at("mkdir -p %s/x/.git/objects %s/__pycache__", q, q));
	is_str(digest(q, NULL), a, "log/, .git/ and __pycache__/ are not in it");
	put("b/spec/a_spec.rb", "two\n", 100);
	is_str(digest(q, NULL), a, "a file written again to the same size "
	    "and time is not seen, as by rsync's quick check");
	put("b/spec/a_spec.rb", "two\n", 101);
	snprintf(b, sizeof(b), "%s", digest(q, NULL));
	ok(strcmp(b, a) != 0, "a time one nanosecond later changes it");
	put("b/spec/a_spec.rb", "one\n", 100);
	is_str(digest(q, NULL), a, "and back as it was, the digest is too");
	chmod(at("%s/spec/a_spec.rb", q), 0600);
	ok(strcmp(digest(q, NULL), a) != 0, "a mode changes it");
	chmod(at("%s/spec/a_spec.rb", q), 0644);
	unlink(at("%s/link", q));
	symlink("spec/b_spec.rb", at("%s/link", q));
	ok(strcmp(digest(q, NULL), a) != 0, "a link's target changes it");
	unlink(at("%s/link", q));
	symlink("spec/a_spec.rb", at("%s/link", q));
	ok(strcmp(digest(q, NULL), a) != 0, "a link's time changes it, "
	    "as rsync -a sets it");
	lstat(at("%s/link", p), &st);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	utimensat(AT_FDCWD, at("%s/link", q), times, AT_SYMLINK_NOFOLLOW);
	is_str(digest(q, NULL), a, "and back");
	put("b/spec/extra.rb", "x\n", 0);
	ok(strcmp(digest(q, NULL), a) != 0, "a new file changes it");
	is_str(digest(q, "/spec/extra.rb"), a, "unless a pattern filters it");
	unlink(at("%s/spec/extra.rb", q));
	mkfifo(at("%s/fifo", q), 0600);
	is_str(digest(q, NULL), "none", "a FIFO makes no digest");
	unlink(at("%s/fifo", q));
	both[0] = p;
	both[1] = q;
	ok(dt_tree_digest(both, 2, NULL, 0, 0, hex, why, sizeof(why), NULL,
	    NULL) < 0 && strstr(why, "in both") != NULL, "a name in both roots: %s", why);
	is_str(digest(q, "a/**/b"), "none", "a pattern the walk cannot follow");
	side = 1;
	snprintf(b, sizeof(b), "%s", digest(q, "vendor/bundle/"));
	side = 0;
	run(at("mkdir -p %s/pkg/__pycache__ %s/vendor/bundle/x", q, q));
	ok(strcmp(digest(q, "vendor/bundle/"), a) != 0, "the project's side: "
	    "a directory holding only what is left out counts, empty");
	side = 1;
	is_str(digest(q, "vendor/bundle/"), b, "the node's side: it is left "
	    "out, as rsync could not delete it");
	run(at("mkdir -p %s/empty", q));
	ok(strcmp(digest(q, "vendor/bundle/"), b) != 0,
	    "an empty directory is not left out");
	side = 0;
	run(at("rm -r %s/empty %s/pkg %s/vendor", q, q, q));
	chmod(q, 0700);
	ok(strcmp(digest(q, NULL), a) != 0, "the top's mode is in it");
	chmod(q, 0755);
	chmod(p, 0755);
	is_str(digest(q, NULL), digest(p, NULL), "and back");
	both[0] = at("%s/link", p);
	unlink(both[0]);
	memset(why, 'x', 200);
	why[200] = '\0';
	symlink(why, both[0]);
	snprintf(b, sizeof(b), "%s", digest(p, NULL));
	symlink("short", at("%s/short", p));
	unlink(at("%s/short", p));
	is_str(digest(p, NULL), b, "a link's digest is its target's, "
	    "whatever came before it");
	run(at("rm -rf %s", dir));
	free(p);
	free(q);
	return done_testing();
}
