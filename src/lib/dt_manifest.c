/*
 * A manifest: for each directory of a tree as dt_tree_digest walked it,
 * the digest of its own entries (each one's name, type, mode, size, time
 * or link target; a subdirectory's entry, not what it holds).  dt-sync
 * keeps the project's manifest under the tree's digest once a copy has
 * it.  When a node's copy has that digest again, the copy is that tree,
 * and only the directories whose own digest differs now can differ on
 * the node: a file added, changed or gone changes its directory's
 * digest; a directory added, gone or chmodded, its parent's too.
 *
 * The file: "distributest-manifest 1 KEY", then "HEX<tab>PATH" for each
 * directory in strcmp order, each ended by a NUL, as a path may hold a
 * newline.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"

#define MAGIC	"distributest-manifest 1"
#define KEEP	8	/* a node a few runs behind still finds its own */
#define MAXSIZE	(256L << 20)

static int
by_path(const void *a, const void *b)
{
	return strcmp(((const struct dt_mdir *)a)->path,
	    ((const struct dt_mdir *)b)->path);
}

void
dt_manifest_sort(struct dt_manifest *m)
{
	if (m->n > 1)
		qsort(m->v, m->n, sizeof(*m->v), by_path);
}

void
dt_manifest_free(struct dt_manifest *m)
{
	while (m->n > 0)
		free(m->v[--m->n].path);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int
is_key(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

struct aged {
	char		*name;
	struct timespec	 mtime;
};

static int
newest_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct aged *)a)->mtime,
	    *y = &((const struct aged *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return (y->tv_sec > x->tv_sec) - (y->tv_sec < x->tv_sec);
	return (y->tv_nsec > x->tv_nsec) - (y->tv_nsec < x->tv_nsec);
}

/* The KEEP manifests used or made last stay; a writer's leftovers go. */
static void
prune(const char *dir)
{
	struct aged *v = NULL;
	struct dirent *e;
	struct stat st;
	size_t n = 0, cap = 0, i;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (strncmp(e->d_name, ".new.", 5) == 0 &&
		    st.st_mtime < time(NULL) - 3600)
			unlinkat(dirfd(d), e->d_name, 0);
		if (!is_key(e->d_name))
			continue;
		if (n == cap)
			v = dt_xrealloc(v, cap = cap ? 2 * cap : 16, sizeof(*v));
		v[n].name = dt_xstrdup(e->d_name);
		v[n++].mtime = st.st_mtim;
	}
	if (n > KEEP) {
		qsort(v, n, sizeof(*v), newest_first);
		for (i = KEEP; i < n; i++)
			unlinkat(dirfd(d), v[i].name, 0);
	}
	closedir(d);
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/*
 * m into DIR/KEY, whole or not at all (a rename), DIR made when missing;
 * -1 with why.
 */
int
dt_manifest_save(const struct dt_manifest *m, const char *dir,
    const char *key, char *why, size_t whylen)
{
	struct dt_buf b = { 0 };
	char *tmp, *path, *up;
	size_t i;
	int fd, rc = -1;

	up = dt_xasprintf("%s", dir);
	if (strrchr(up, '/') != NULL) {
		*strrchr(up, '/') = '\0';
		mkdir(up, 0755);
	}
	free(up);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* Unique even where two hosts share the project. */
	tmp = dt_xasprintf("%s/.new.XXXXXX", dir);
	path = dt_xasprintf("%s/%s", dir, key);
	dt_buf_addf(&b, "%s %s", MAGIC, key);
	dt_buf_addc(&b, '\0');
	for (i = 0; i < m->n; i++) {
		dt_buf_addf(&b, "%s\t%s", m->v[i].hex, m->v[i].path);
		dt_buf_addc(&b, '\0');
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) >= 0) {
		fchmod(fd, 0644);
		rc = dt_write_all(fd, b.s, b.len) < 0 ? -1 : 0;
		rc |= close(fd);
		if (rc == 0)
			rc = rename(tmp, path);
	}
	if (rc < 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
	}
	dt_buf_free(&b);
	free(tmp);
	free(path);
	prune(dir);
	return rc;
}

/* DIR/KEY whole, NUL-ended, and seen as used; NULL when not there. */
static char *
load(const char *dir, const char *key, size_t *len)
{
	struct stat st;
	char *path, *s = NULL;
	ssize_t n;
	int fd;

	if (!is_key(key))
		return NULL;
	path = dt_xasprintf("%s/%s", dir, key);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    st.st_size < MAXSIZE) {
		s = dt_xcalloc(1, (size_t)st.st_size + 1);
		if ((n = read(fd, s, (size_t)st.st_size)) == st.st_size)
			*len = (size_t)n;
		else {
			free(s);
			s = NULL;
		}
	}
	close(fd);
	return s;
}

static void
add(struct dt_buf *list, const char *path)
{
	dt_buf_adds(list, *path ? path : ".");
	dt_buf_add(list, "/", 2);
}

/*
 * The directories of cur whose own digest is not the one DIR/KEY has for
 * them, or that it does not have, into list as rsync's --from0 names
 * ("dir/", "./" for the top): how many, or -1 when there is no such
 * manifest or it is not one (then list is left as it was).
 */
long
dt_manifest_changed(const struct dt_manifest *cur, const char *dir,
    const char *key, struct dt_buf *list)
{
	char *s, *p, *end, *path, *prev = NULL;
	size_t len, i = 0, at = list->len;
	long n = 0;
	int c;

	if ((s = load(dir, key, &len)) == NULL)
		return -1;
	end = s + len;
	p = s + strlen(s) + 1;
	if (strncmp(s, MAGIC " ", sizeof(MAGIC)) != 0 ||
	    strcmp(s + sizeof(MAGIC), key) != 0 || p > end || end[-1] != '\0')
		goto bad;
	for (; p < end; prev = path, p = path + strlen(path) + 1) {
		if (strspn(p, "0123456789abcdef") != 32 || p[32] != '\t')
			goto bad;
		path = p + 33;
		if (prev != NULL && strcmp(prev, path) >= 0)
			goto bad;
		while (i < cur->n && (c = strcmp(cur->v[i].path, path)) <= 0) {
			if (c < 0 || memcmp(cur->v[i].hex, p, 32) != 0) {
				add(list, cur->v[i].path);
				n++;
			}
			i++;
		}
	}
	for (; i < cur->n; i++, n++)
		add(list, cur->v[i].path);
	free(s);
	/* Used: among the last, which pruning keeps. */
	s = dt_xasprintf("%s/%s", dir, key);
	utimensat(AT_FDCWD, s, NULL, 0);
	free(s);
	return n;
bad:
	list->len = at;
	free(s);
	return -1;
}
