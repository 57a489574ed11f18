/*
 * A digest of a directory tree as rsync -a sees it with its quick check:
 * for every entry not filtered out, its path, type and permissions, and
 * a file's size and modification time to the nanosecond, or a link's
 * time and target.  When the project and a node's copy have one digest, rsync
 * would copy nothing and delete nothing, so dt-sync need not run it.
 * Owners and directory times are left out: a copy belongs to the node's
 * user, and rsync's quick check looks at neither.  Anything the walk
 * cannot judge as rsync would (a pattern it does not know, a device, a
 * name in both roots) makes no digest, and rsync runs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

/* dt-sync's own excludes, for both sides: rsync's words, and the walk's. */
const char *const dt_sync_excludes[] = { ".git/", "/log/", "/tmp/",
    "/.distributest/", "__pycache__/", "/.pytest_cache/", NULL };

#define BASIS (((unsigned __int128)0x6c62272e07bb0142ULL << 64) | \
	0x62b821756295c58dULL)	/* FNV-1a's, 128 bits */

struct pat {
	char	*s;
	int	 anchored, dironly, full, wild;
};

struct digest {
	unsigned __int128 h;
	unsigned __int128 sh;		/* this directory's own entries */
	struct dt_manifest *man;	/* each directory's sh, or NULL */
	const char	*top;		/* the top directory's mode */
	int		 spared;	/* the node's side: see subdir() */
	struct pat	*pats;
	size_t		 npats;
	char		 rel[PATH_MAX];
	char		*why;
	size_t		 whylen;
	long		 entries;
};

struct ent {
	char	*name;
	int	 fd;		/* the directory it is in */
};

/*
 * The part of rsync's pattern language the walk can follow exactly:
 * a leading "/" anchors, a trailing "/" means directories only, a "/"
 * inside matches the whole path or its end, and * and ? are fnmatch's.
 * "**", "***", brackets (fnmatch's and rsync's differ) and backslashes
 * are left to rsync.
 */
static int
compile(struct pat *p, const char *text)
{
	size_t n = strlen(text);

	memset(p, 0, sizeof(*p));
	if (strstr(text, "**") != NULL || strpbrk(text, "[\\") != NULL)
		return -1;
	if (n > 0 && text[n - 1] == '/') {
		p->dironly = 1;
		n--;
	}
	if (n > 0 && text[0] == '/') {
		p->anchored = 1;
		text++;
		n--;
	}
	if (n == 0)
		return -1;
	p->s = dt_xasprintf("%.*s", (int)n, text);
	p->full = p->anchored || strchr(p->s, '/') != NULL;
	p->wild = strpbrk(p->s, "*?") != NULL;
	return 0;
}

static int
same(const struct pat *p, const char *s, int flags)
{
	return p->wild ? fnmatch(p->s, s, flags) == 0 : strcmp(p->s, s) == 0;
}

static int
match(const struct pat *p, const char *rel, const char *base, int isdir)
{
	const char *q;

	if (p->dironly && !isdir)
		return 0;
	if (!p->full)
		return same(p, base, 0);
	if (p->anchored)
		return same(p, rel, FNM_PATHNAME);
	for (q = rel; q != NULL; q = (q = strchr(q, '/')) ? q + 1 : NULL)
		if (same(p, q, FNM_PATHNAME))
			return 1;
	return 0;
}

int
dt_rsync_match(const char *pattern, const char *rel, int isdir)
{
	struct pat p;
	const char *base = strrchr(rel, '/');
	int rc;

	if (compile(&p, pattern) < 0)
		return -1;
	rc = match(&p, rel, base ? base + 1 : rel, isdir);
	free(p.s);
	return rc;
}

static void
fnv(unsigned __int128 *h, const void *buf, size_t n)
{
	/* FNV-1a, 128 bits: 2^88 + 0x13b. */
	const unsigned __int128 prime = ((unsigned __int128)1 << 88) + 0x13b;
	const unsigned char *p = buf;

	while (n-- > 0) {
		*h ^= *p++;
		*h *= prime;
	}
}

/* Into the tree's digest, and the directory's own when a manifest is made. */
static void
feed(struct digest *g, const void *buf, size_t n)
{
	fnv(&g->h, buf, n);
	if (g->man != NULL)
		fnv(&g->sh, buf, n);
}

static void
hexify(unsigned __int128 h, char hex[33])
{
	snprintf(hex, 33, "%016llx%016llx", (unsigned long long)(h >> 64),
	    (unsigned long long)h);
}

/* A directory's own digest into the manifest: its path, as rsync's. */
static void
record(struct digest *g)
{
	struct dt_manifest *m = g->man;

	if (m->n == m->cap)
		m->v = dt_xrealloc(m->v, m->cap = m->cap ? 2 * m->cap : 64,
		    sizeof(*m->v));
	m->v[m->n].path = dt_xstrdup(g->rel);
	hexify(g->sh, m->v[m->n++].hex);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name,
	    ((const struct ent *)b)->name);
}

static int
fail(struct digest *g, const char *what)
{
	snprintf(g->why, g->whylen, "%s: %s", *g->rel ? g->rel : ".", what);
	return -1;
}

/* The names of the directories fds, sorted; NULL with why set. */
static struct ent *
list(struct digest *g, const int *fds, int nfds, size_t *n)
{
	struct ent *v = NULL;
	struct dirent *e;
	DIR *d;
	size_t cap = 0;
	int i, fd, e2;

	*n = 0;
	for (i = 0; i < nfds; i++) {
		if ((fd = dup(fds[i])) < 0 || (d = fdopendir(fd)) == NULL) {
			if (fd >= 0)
				close(fd);
			fail(g, strerror(errno));
			goto bad;
		}
		while ((errno = 0, e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			if (*n == cap)
				v = dt_xrealloc(v, cap = cap ? 2 * cap : 16,
				    sizeof(*v));
			v[*n].name = dt_xstrdup(e->d_name);
			v[(*n)++].fd = fds[i];
		}
		e2 = errno;
		closedir(d);
		if (e2 != 0) {
			fail(g, strerror(e2));
			goto bad;
		}
	}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), by_name);
	return v ? v : dt_xcalloc(1, sizeof(*v));
bad:
	while (*n > 0)
		free(v[--*n].name);
	free(v);
	return NULL;
}

/*
 * One entry into the digest, its path and what rsync compares, each
 * ended by a NUL: 0, 1 for a directory, -1 with why.
 */
static int
entry(struct digest *g, int dfd, const char *name, const struct stat *st)
{
	char meta[128], target[PATH_MAX];
	ssize_t n = 0;

	if (S_ISDIR(st->st_mode))
		snprintf(meta, sizeof(meta), "d %o",
		    (unsigned)(st->st_mode & 07777));
	else if (S_ISREG(st->st_mode))
		snprintf(meta, sizeof(meta), "f %o %lld %lld.%09ld",
		    (unsigned)(st->st_mode & 07777), (long long)st->st_size,
		    (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	else if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(dfd, name, target, sizeof(target))) < 0)
			return fail(g, strerror(errno));
		if ((size_t)n >= sizeof(target))
			return fail(g, strerror(ENAMETOOLONG));
		target[n] = '\0';
		/* rsync -a sets a link's time too. */
		snprintf(meta, sizeof(meta), "l %lld.%09ld",
		    (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	} else
		return fail(g, "not a file, directory or symbolic link");
	feed(g, g->rel, strlen(g->rel) + 1);
	feed(g, meta, strlen(meta) + 1);
	if (S_ISLNK(st->st_mode))
		feed(g, target, (size_t)n + 1);
	g->entries++;
	return S_ISDIR(st->st_mode);
}

static int walk(struct digest *, const int *, int, long *, long *);

/*
 * A directory: its entry, then the digest of what is in it.  On the
 * node's side, one that holds something the rules spare and nothing else
 * is left out, as rsync could not delete it: a package gone from the
 * project whose __pycache__ stays on the node, a vendor/ that only holds
 * a kept vendor/bundle/.  Where the project has that directory, the
 * digests then differ, and rsync runs.  On the project's side such a
 * directory counts, as rsync makes it on the node, empty.
 */
static int
subdir(struct digest *g, int dfd, const char *name, const struct stat *st,
    long *fed, long *left)
{
	unsigned __int128 outer = g->h, inner;
	long f = 0, l = 0;
	int sub, rc;

	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (sub < 0)
		return fail(g, strerror(errno));
	g->h = BASIS;
	rc = walk(g, &sub, 1, &f, &l);
	close(sub);
	inner = g->h;
	g->h = outer;
	if (rc < 0)
		return -1;
	if (g->spared && f == 0 && l > 0) {
		(*left)++;
		return 0;	/* nothing in it was fed, nor counted */
	}
	(*fed)++;
	if (entry(g, dfd, name, st) < 0)
		return -1;
	fnv(&g->h, &inner, sizeof(inner));
	return 0;
}

static int
walk(struct digest *g, const int *fds, int nfds, long *fed, long *left)
{
	struct ent *v;
	struct stat st;
	size_t n, i, j, at = strlen(g->rel);
	unsigned __int128 outer = g->sh;
	int rc = 0;

	if ((v = list(g, fds, nfds, &n)) == NULL)
		return -1;
	g->sh = BASIS;
	if (at == 0 && g->man != NULL)
		fnv(&g->sh, g->top, strlen(g->top) + 1);
	for (i = 0; rc == 0 && i < n; i++) {
		if (i + 1 < n && strcmp(v[i].name, v[i + 1].name) == 0) {
			rc = fail(g, "a name in both sources");
			break;
		}
		if (at + strlen(v[i].name) + 2 > sizeof(g->rel)) {
			rc = fail(g, strerror(ENAMETOOLONG));
			break;
		}
		snprintf(g->rel + at, sizeof(g->rel) - at, "%s%s",
		    at ? "/" : "", v[i].name);
		if (fstatat(v[i].fd, v[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = fail(g, strerror(errno));
			break;
		}
		for (j = 0; j < g->npats; j++)
			if (match(&g->pats[j], g->rel, v[i].name,
			    S_ISDIR(st.st_mode)))
				break;
		if (j < g->npats)
			(*left)++;
		else if (S_ISDIR(st.st_mode))
			rc = subdir(g, v[i].fd, v[i].name, &st, fed, left);
		else if ((rc = entry(g, v[i].fd, v[i].name, &st)) == 0)
			(*fed)++;
	}
	g->rel[at] = '\0';
	if (rc == 0 && g->man != NULL)
		record(g);
	g->sh = outer;
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return rc;
}

/*
 * The digest of roots[] taken as one tree (rsync's several sources, the
 * first one's mode for the top), less what the patterns filter out (on
 * the node's side when node is 1: what rsync spares there), as
 * 32 hexadecimal digits in hex; -1 with why when there is none.  The
 * words fed first change whenever the walk or its patterns do, so that
 * a node of another version never agrees by chance.  With man, the
 * digest of each directory's own entries too (dt_manifest.c), sorted.
 */
int
dt_tree_digest(const char *const *roots, int nroots,
    const char *const *patterns, size_t npatterns, int node, char hex[33],
    char *why, size_t whylen, long *entries, struct dt_manifest *man)
{
	struct digest g;
	struct stat st;
	size_t i;
	long fed = 0, left = 0;
	int fds[4] = { -1, -1, -1, -1 }, nfds = 0, rc = -1;
	char top[32] = "";

	memset(&g, 0, sizeof(g));
	g.why = why;
	g.whylen = whylen;
	g.h = BASIS;
	g.spared = node;
	g.man = man;
	g.top = top;
	if (man != NULL)
		dt_manifest_free(man);
	g.pats = dt_xcalloc(npatterns + 1, sizeof(*g.pats));
	for (i = 0; i < npatterns; i++, g.npats++)
		if (compile(&g.pats[i], patterns[i]) < 0) {
			snprintf(why, whylen, "pattern %s: not one the walk "
			    "follows as rsync does", patterns[i]);
			goto out;
		}
	feed(&g, "distributest-digest 4", 22);
	for (nfds = 0; nfds < nroots && nfds < 4; nfds++)
		if ((fds[nfds] = open(roots[nfds], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0 || fstat(fds[nfds], &st) < 0) {
			snprintf(why, whylen, "%s: %s", roots[nfds],
			    strerror(errno));
			nfds += fds[nfds] >= 0;
			goto out;
		} else if (nfds == 0) {
			snprintf(top, sizeof(top), "%o",
			    (unsigned)(st.st_mode & 07777));
			feed(&g, top, strlen(top) + 1);
		}
	if ((rc = walk(&g, fds, nfds, &fed, &left)) == 0) {
		hexify(g.h, hex);
		if (entries != NULL)
			*entries = g.entries;
		if (man != NULL)
			dt_manifest_sort(man);
	} else if (man != NULL)
		dt_manifest_free(man);
out:
	while (nfds > 0)
		close(fds[--nfds]);
	for (i = 0; i < g.npats; i++)
		free(g.pats[i].s);
	free(g.pats);
	return rc;
}
