/*
 * dt_manifest: each directory's own digest, kept and read back, and the
 * directories that changed since; a manifest that is not one is never
 * taken for one.
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

static char dir[] = "/tmp/dt-manifest.XXXXXX";
static char tree[PATH_MAX], keep[PATH_MAX];

static void
run(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: failed\n", cmd);
		exit(2);
	}
}

/* The tree's digest into key, its manifest into m. */
static void
walk(struct dt_manifest *m, char key[33])
{
	const char *roots[1] = { tree };
	char why[256];

	if (dt_tree_digest(roots, 1, NULL, 0, 0, key, why, sizeof(why), NULL,
	    m) < 0) {
		fprintf(stderr, "digest: %s\n", why);
		exit(2);
	}
}

/* What changed in the tree since the manifest kept under key, as "a b". */
static const char *
changed(const char *key)
{
	static char out[1024];
	struct dt_manifest m = { 0 };
	struct dt_buf list = { 0 };
	char now[33];
	size_t i;
	long n;

	walk(&m, now);
	n = dt_manifest_changed(&m, keep, key, &list);
	out[0] = '\0';
	if (n < 0)
		snprintf(out, sizeof(out), "none");
	for (i = 0; n >= 0 && i < list.len; i += strlen(list.s + i) + 1)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
		    *out ? " " : "", list.s + i);
	for (i = 0; n >= 0 && i < list.len; i += strlen(list.s + i) + 1)
		n--;
	if (n > 0)
		snprintf(out, sizeof(out), "a count not the list's");
	dt_manifest_free(&m);
	dt_buf_free(&list);
	return out;
}

/* Keep the tree's manifest; its key into key. */
static void
save(char key[33])
{
	struct dt_manifest m = { 0 };
	char why[PATH_MAX + 64];

	walk(&m, key);
	if (dt_manifest_save(&m, keep, key, why, sizeof(why)) < 0) {
		fprintf(stderr, "save: %s\n", why);
		exit(2);
	}
	dt_manifest_free(&m);
}

/* A manifest of these bytes under key. */
static void
raw(const char *key, const char *bytes, size_t len)
{
	FILE *fp = fopen(at("%s/%s", keep, key), "w");

	if (fp == NULL || fwrite(bytes, 1, len, fp) != len || fclose(fp) != 0) {
		perror(key);
		exit(2);
	}
}

int
main(void)
{
	struct dt_manifest m = { 0 };
	struct dt_buf list = { 0 };
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	char key[33], k2[33], fake[33], *p;
	size_t i, n;

	plan(18);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	snprintf(keep, sizeof(keep), "%s/proj/.distributest/sync", dir);
	run(at("mkdir -p %s/a/b %s/c %s/proj && cd %s && echo x > a/x && "
	    "echo y > a/b/y && echo z > c/z && ln -s a/x l", tree, tree, dir,
	    tree));
	walk(&m, key);
	ok(m.n == 4 && strcmp(m.v[0].path, "") == 0 &&
	    strcmp(m.v[1].path, "a") == 0 && strcmp(m.v[2].path, "a/b") == 0 &&
	    strcmp(m.v[3].path, "c") == 0, "one record a directory, sorted");
	dt_manifest_free(&m);
	save(key);
	ok(access(at("%s/%s", keep, key), R_OK) == 0,
	    "kept under its key, its directories made");
	is_str(changed(key), "", "nothing changed: no directory");
	run(at("echo yy >> %s/a/b/y", tree));
	is_str(changed(key), "a/b/", "a file changed: its directory");
	run(at("mkdir -p %s/d/e && echo e > %s/d/e/f", tree, tree));
	is_str(changed(key), "./ a/b/ d/ d/e/",
	    "a new directory: it, what is in it, and its parent");
	run(at("rm -r %s/d %s/c", tree, tree));
	is_str(changed(key), "./ a/b/", "a directory gone: its parent");
	save(key);
	run(at("chmod 700 %s/a/b", tree));
	is_str(changed(key), "a/", "a directory's mode: its parent");
	save(key);
	run(at("chmod 700 %s", tree));
	is_str(changed(key), "./", "the top's mode: the top");
	run(at("touch -h -d @5 %s/l", tree));
	save(k2);
	run(at("touch -h -d @6 %s/l", tree));
	is_str(changed(k2), "./", "a link's time: its directory");
	run(at("mkdir '%s/new\nline' && echo n > '%s/new\nline/f'", tree,
	    tree));
	save(k2);
	run(at("echo m >> '%s/new\nline/f'", tree));
	is_str(changed(k2), "new\nline/", "a name with a newline, kept whole");
	is_str(changed("0123456789abcdef0123456789abcdef"), "none",
	    "no manifest under the key: none");
	is_str(changed("../sync/x"), "none", "a key that is not one: none");
	snprintf(fake, sizeof(fake), "%s", "ffffffffffffffffffffffffffffffff");
	run(at("cp %s/%s %s/%s", keep, k2, keep, fake));
	is_str(changed(fake), "none", "a manifest kept under another key: none");
	p = dt_xasprintf("distributest-manifest 1 %s", fake);
	raw(fake, p, strlen(p) + 1);
	is_str(changed(fake), "./ a/ a/b/ new\nline/",
	    "a manifest of no directory: every one changed");
	free(p);

	/* Damaged ones: none, and the list as it was. */
	dt_buf_adds(&list, "kept");
	walk(&m, k2);
	p = dt_xasprintf("distributest-manifest 1 %s%c%032d\tb%c%032d\ta%c",
	    fake, 0, 0, 0, 0, 0);
	n = strlen(p) + 1 + 2 * 35;
	raw(fake, p, n);
	ok(dt_manifest_changed(&m, keep, fake, &list) < 0 && list.len == 4,
	    "records out of order");
	raw(fake, p, n - 1);
	ok(dt_manifest_changed(&m, keep, fake, &list) < 0 && list.len == 4,
	    "a record not ended");
	p[strlen(p) + 1 + 32] = ' ';
	raw(fake, p, n);
	ok(dt_manifest_changed(&m, keep, fake, &list) < 0 && list.len == 4,
	    "a record without its tab");
	free(p);

	/* Pruning: the eight used or made last stay. */
	run(at("rm -f %s/*", keep));
	for (i = 0; i < 10; i++) {
		snprintf(fake, sizeof(fake), "%032zx", i);
		if (dt_manifest_save(&m, keep, fake, k2, sizeof(k2)) < 0)
			return 2;
		old[0].tv_sec = old[1].tv_sec = 1000 + (time_t)i * 10;
		utimensat(AT_FDCWD, at("%s/%s", keep, fake), old, 0);
	}
	snprintf(fake, sizeof(fake), "%032x", 10);
	dt_manifest_save(&m, keep, fake, k2, sizeof(k2));
	for (n = 0, i = 0; i < 11; i++)
		n += access(at("%s/%032zx", keep, i), F_OK) == 0;
	ok(n == 8 && access(at("%s/%032x", keep, 0), F_OK) != 0 &&
	    access(at("%s/%032x", keep, 2), F_OK) != 0 &&
	    access(at("%s/%032x", keep, 3), F_OK) == 0,
	    "eight kept, the oldest gone: %zu", n);
	dt_manifest_free(&m);
	dt_buf_free(&list);
	run(at("rm -rf %s", dir));
	return done_testing();
}
