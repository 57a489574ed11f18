/*
 * Directory trees: a runner's own tree of hard links to a project copy,
 * made or brought up to date, and removing a tree.
 */
#include <sys/stat.h>
#include <sys/vfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dt.h"

/* For a file that cannot be linked (another owner's, too many links). */
static int
copy_file(int sdir, int ddir, const char *name, const struct stat *st)
{
	char buf[65536];
	ssize_t n = 0;
	int in, out, e;

	if ((in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    st->st_mode & 07777);
	if (out < 0) {
		e = errno;
		close(in);
		errno = e;
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (dt_write_all(out, buf, (size_t)n) < 0) {
			n = -1;
			break;
		}
	e = errno;
	close(in);
	if (close(out) < 0 && n == 0)
		n = -1, e = errno;
	errno = e;
	return n < 0 ? -1 : 0;
}

/*
 * Every step relative to a descriptor opened without following links: a
 * directory swapped for a symbolic link while we walk (by whoever may
 * write there) cannot lead the removal out of the tree.
 */
static void
rm_at(int dfd, const char *name)
{
	DIR *d;
	struct dirent *e;
	int fd;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rm_at(dirfd(d), e->d_name);
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

struct walk {
	char	*why;
	size_t	 whylen;
	time_t	 settled;	/* changed before this: can be marked */
	int	 copied;	/* a file of the directory was copied */
	int	 leaves;	/* a directory's link count counts its subdirectories */
};

static int sync_dir(struct walk *, int, int, const char *, int);

static int
dots(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * Whether the tree's entry is already the copy's: a hard link to the same
 * file, or a symbolic link to the same target.  Anything else there is
 * removed, but a directory, whose entries are compared in turn.
 */
static int
same_entry(int sdir, int ddir, const char *name, const struct stat *st)
{
	struct stat dt;
	char a[PATH_MAX], b[PATH_MAX];
	ssize_t n, m;

	if (fstatat(ddir, name, &dt, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(st->st_mode) && S_ISDIR(dt.st_mode))
		return 0;
	if (S_ISREG(st->st_mode) && S_ISREG(dt.st_mode) &&
	    dt.st_ino == st->st_ino && dt.st_dev == st->st_dev)
		return 1;
	if (S_ISLNK(st->st_mode) && S_ISLNK(dt.st_mode) &&
	    dt.st_size == st->st_size) {
		n = readlinkat(sdir, name, a, sizeof(a));
		m = readlinkat(ddir, name, b, sizeof(b));
		if (n >= 0 && n == m && memcmp(a, b, (size_t)n) == 0)
			return 1;
	}
	rm_at(ddir, name);
	return 0;
}

/*
 * The tree's directory made if need be, with the copy's mode and the
 * owner's rwx, then its entries; -1 with why set.
 */
static int
sync_subdir(struct walk *w, int sdir, int ddir, const char *name,
    const struct stat *st, const char *rel, int fresh)
{
	struct stat dt;
	mode_t mode = (st->st_mode & 07777) | S_IRWXU;
	int s2, d2 = -1;

	if (mkdirat(ddir, name, mode) == 0)
		fresh = 1;
	else if (errno != EEXIST)
		goto fail;
	s2 = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (s2 < 0)
		goto fail;
	/* The umask may have taken some of the mode, or a test changed it. */
	if ((d2 = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || fstat(d2, &dt) < 0 ||
	    ((dt.st_mode & 07777) != mode && fchmod(d2, mode) < 0)) {
		snprintf(w->why, w->whylen, "%s: %s", rel, strerror(errno));
		close(s2);
		if (d2 >= 0)
			close(d2);
		return -1;
	}
	s2 = sync_dir(w, s2, d2, rel, fresh);
	close(d2);
	return s2;
fail:
	snprintf(w->why, w->whylen, "%s: %s", rel, strerror(errno));
	return -1;
}

/* A file or symbolic link of the copy into the tree; -1 with errno. */
static int
place(struct walk *w, int sdir, int ddir, const char *name,
    const struct stat *st, int fresh)
{
	char target[PATH_MAX];
	ssize_t n;

	if (!fresh && same_entry(sdir, ddir, name, st))
		return 0;
	if (S_ISLNK(st->st_mode)) {
		if ((n = readlinkat(sdir, name, target,
		    sizeof(target) - 1)) < 0)
			return -1;
		target[n] = '\0';
		return symlinkat(target, ddir, name);
	}
	if (linkat(sdir, name, ddir, name, 0) == 0)
		return 0;
	if (errno != EPERM && errno != EMLINK && errno != EXDEV)
		return -1;
	w->copied = 1;
	return copy_file(sdir, ddir, name, st);
}

/*
 * Whether the tree's directory name is in step with the copy's, whose
 * stat is st, and has no subdirectory: then it needs no look at all, not
 * even an open (see sync_dir).  Most directories of a large project are
 * such leaves, and two stats are a tenth of what opening both costs.
 */
static int
settled_leaf(struct walk *w, int ddir, const char *name,
    const struct stat *st)
{
	struct stat dt;

	if (!w->leaves || st->st_nlink != 2 ||
	    fstatat(ddir, name, &dt, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return S_ISDIR(dt.st_mode) &&
	    (dt.st_mode & 07777) == ((st->st_mode & 07777) | S_IRWXU) &&
	    dt.st_mtim.tv_sec == st->st_ctim.tv_sec &&
	    dt.st_mtim.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Removes what the tree's directory has and the copy's has not.  Each
 * name placed is there: when the tree has no more names, nothing is
 * extra, and no name needs a look in the copy.
 */
static void
prune(int sdir, int ddir, long placed)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	long n = 0;
	int fd;

	fd = openat(ddir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL)
		n += !dots(e->d_name);
	if (n > placed) {
		rewinddir(d);
		while ((e = readdir(d)) != NULL) {
			if (dots(e->d_name))
				continue;
			if (fstatat(sdir, e->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0 ? errno == ENOENT :
			    !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
			    !S_ISLNK(st.st_mode))
				rm_at(dirfd(d), e->d_name);
		}
	}
	closedir(d);
}

/*
 * Every entry of the copy's directory d into the tree's dfd; with
 * subdirs, only its directories, their entries in turn.
 */
static int
sync_entries(struct walk *w, DIR *d, int dfd, const char *rel, int fresh,
    int subdirs)
{
	struct dirent *e;
	struct stat st;
	char sub[PATH_MAX];
	long placed = 0;
	int rc = 0;

	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (dots(e->d_name) ||
		    (subdirs && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* removed while we read */
			snprintf(w->why, w->whylen, "%s: %s", sub,
			    strerror(errno));
			return -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (!fresh && !subdirs)	/* a file there goes */
				same_entry(dirfd(d), dfd, e->d_name, &st);
			if (fresh || !settled_leaf(w, dfd, e->d_name, &st))
				rc = sync_subdir(w, dirfd(d), dfd, e->d_name,
				    &st, sub, fresh);
		} else if (!subdirs && (S_ISREG(st.st_mode) ||
		    S_ISLNK(st.st_mode))) {
			if ((rc = place(w, dirfd(d), dfd, e->d_name, &st,
			    fresh)) < 0)
				snprintf(w->why, w->whylen, "%s: %s", sub,
				    strerror(errno));
		} else
			continue;	/* sockets, FIFOs: their makers' */
		placed++;
	}
	if (rc == 0 && errno != 0) {
		snprintf(w->why, w->whylen, "%s: %s", *rel ? rel : ".",
		    strerror(errno));
		rc = -1;
	}
	if (rc == 0 && !fresh && !subdirs)
		prune(dirfd(d), dfd, placed);
	return rc;
}

/*
 * The tree's directory dfd made the copy's sfd (which it closes); fresh
 * when dfd was made empty, so that nothing there needs a look.  Once in
 * step, dfd's mtime is set to sfd's ctime: while both stay as they are
 * (no entry made, renamed or removed on either side), its entries are
 * still in step, and only its subdirectories need a look.  A sfd changed
 * too lately is not marked: a test could change dfd within the same tick
 * of the clock, leaving its mtime as it was.
 */
static int
sync_dir(struct walk *w, int sfd, int dfd, const char *rel, int fresh)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
	struct stat ss, ds;
	DIR *d;
	int rc, outer = w->copied;

	if (fstat(sfd, &ss) < 0 || fstat(dfd, &ds) < 0 ||
	    (d = fdopendir(sfd)) == NULL) {
		snprintf(w->why, w->whylen, "%s: %s", *rel ? rel : ".",
		    strerror(errno));
		close(sfd);
		return -1;
	}
	if (!fresh && ds.st_mtim.tv_sec == ss.st_ctim.tv_sec &&
	    ds.st_mtim.tv_nsec == ss.st_ctim.tv_nsec)
		/* No subdirectory: nothing to look at, not even a name. */
		rc = w->leaves && ss.st_nlink == 2 ? 0 :
		    sync_entries(w, d, dfd, rel, 0, 1);
	else {
		w->copied = 0;
		rc = sync_entries(w, d, dfd, rel, fresh, 0);
		/* A copy, unlike a link, may have been written in place. */
		if (rc == 0 && !w->copied && ss.st_ctim.tv_sec < w->settled) {
			ts[1] = ss.st_ctim;
			futimens(dfd, ts);
		}
		w->copied = outer;
	}
	closedir(d);
	return rc;
}

/*
 * Make dst a tree of directories, symbolic links and hard links to the
 * regular files of src, or bring the one there up to date: an entry that
 * is not what src has, or that src has not, is made again or removed, and
 * one that is costs a stat; a directory unchanged on both sides since
 * the last time costs none.  A file created, renamed over or removed in
 * dst is dst's own; a file written in place is shared.  On failure, why
 * says which path and why.
 */
/*
 * File systems where a directory's link count is 2 plus its
 * subdirectories, so that 2 means none (find(1)'s leaf optimisation);
 * btrfs and others say 1, and get no shortcut.
 */
static int
counts_subdirs(int fd)
{
	static const unsigned long magics[] = { 0xef53 /* ext2, 3, 4 */,
	    0x58465342 /* xfs */, 0x01021994 /* tmpfs */ };
	struct statfs fs;
	size_t i;

	if (fstatfs(fd, &fs) < 0)
		return 0;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if ((unsigned long)fs.f_type == magics[i])
			return 1;
	return 0;
}

int
dt_sync_tree(const char *src, const char *dst, char *why, size_t whylen)
{
	struct walk w = { why, whylen, time(NULL) - 1, 0, 0 };
	struct stat st;
	mode_t mode;
	int sfd, dfd, rc, fresh = 0;

	if ((sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstat(sfd, &st) < 0) {
		snprintf(why, whylen, "%s: %s", src, strerror(errno));
		if (sfd >= 0)
			close(sfd);
		return -1;
	}
	mode = (st.st_mode & 07777) | S_IRWXU;
	w.leaves = counts_subdirs(sfd);
	if (lstat(dst, &st) == 0 && !S_ISDIR(st.st_mode))
		dt_rm_tree(dst);
	if (mkdir(dst, mode) == 0)
		fresh = 1;
	if ((!fresh && errno != EEXIST) || (dfd = open(dst, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(dfd, &st) < 0 ||
	    ((st.st_mode & 07777) != mode && fchmod(dfd, mode) < 0)) {
		snprintf(why, whylen, "%s: %s", dst, strerror(errno));
		close(sfd);
		return -1;
	}
	rc = sync_dir(&w, sfd, dfd, "", fresh);
	close(dfd);
	return rc;
}

/* Remove a tree, as much of it as can be; a missing one is no error. */
void
dt_rm_tree(const char *path)
{
	rm_at(AT_FDCWD, path);
}

/*
 * Make path a directory that is ours alone, mode 0700, or, with fresh 0,
 * take the one there if it is ours and nobody else may write in it; with
 * fresh 1, one of ours there is removed first, so that it starts empty.
 * A name in a shared directory such as /tmp may be taken by another user
 * first, as a directory, a symbolic link or a file: that is refused,
 * never used nor removed.  On failure, why says which path and why, and
 * errno is EEXIST when it was refused.
 */
int
dt_private_dir(const char *path, int fresh, char *why, size_t whylen)
{
	struct stat st;
	int fd, e;

	if (fresh && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid())
		dt_rm_tree(path);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		e = errno;
		if (lstat(path, &st) < 0 || S_ISDIR(st.st_mode)) {
			errno = e;
			goto fail;
		}
		snprintf(why, whylen, "%s: %s; refused", path,
		    S_ISLNK(st.st_mode) ? "a symbolic link" :
		    strerror(ENOTDIR));
		errno = EEXIST;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		goto fail;
	}
	/*
	 * Ours, and nobody else could write in it: only its mode is off,
	 * by the umask or by hand.
	 */
	if (st.st_uid == geteuid() && (st.st_mode & 07777) != 0700 &&
	    (st.st_mode & 022) == 0 && fchmod(fd, 0700) == 0)
		st.st_mode = S_IFDIR | 0700;
	close(fd);
	if (st.st_uid != geteuid())
		snprintf(why, whylen, "%s: owned by uid %ld, not by us "
		    "(uid %ld); refused", path, (long)st.st_uid,
		    (long)geteuid());
	else if ((st.st_mode & 07777) != 0700)
		snprintf(why, whylen, "%s: mode %04o, not 0700; refused", path,
		    (unsigned)(st.st_mode & 07777));
	else
		return 0;
	errno = EEXIST;
	return -1;
fail:
	e = errno;
	snprintf(why, whylen, "%s: %s", path, strerror(e));
	errno = e;
	return -1;
}

/* Whether a relative path has a ".." component. */
int
dt_has_dotdot(const char *path)
{
	const char *p;
	size_t n;

	for (p = path; *p != '\0'; p += n) {
		n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (p[n] == '/')
			n++;
	}
	return 0;
}

/* mkdir -p of the directories above path, each 0700 when new. */
static int
mkparents(char *path)
{
	char *s;

	for (s = strchr(path + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

/*
 * Moves FROM/PATH to TO/PATH, making TO's directories on the way; 0 when
 * moved, 1 when FROM/PATH is not there, -1 with why.  Both are on one
 * file system (a runner's tree and a directory beside the copy), so it
 * is a rename, whatever the size.  A symbolic link is moved as it is,
 * never followed.
 */
int
dt_move_out(const char *from, const char *path, const char *to, char *why,
    size_t len)
{
	char *src, *dst;
	struct stat st;
	int rc = 0;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	src = dt_xasprintf("%s/%s", from, path);
	dst = dt_xasprintf("%s/%s", to, path);
	/* A trailing "/" would follow a link: the name is what moves. */
	while (strlen(src) > 1 && src[strlen(src) - 1] == '/')
		src[strlen(src) - 1] = '\0';
	while (strlen(dst) > 1 && dst[strlen(dst) - 1] == '/')
		dst[strlen(dst) - 1] = '\0';
	if (lstat(src, &st) < 0)
		rc = errno == ENOENT || errno == ENOTDIR ? 1 : -1;
	else if (lstat(dst, &st) == 0)
		rc = 1;	/* announced twice, or inside one moved already */
	else if (mkparents(dst) < 0 || rename(src, dst) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(why, len, "%s: %s", src, strerror(errno));
	free(src);
	free(dst);
	return rc;
}

/* Adds the files under path (links too), and their bytes, to the counts. */
void
dt_tree_count(const char *path, long long *files, long long *bytes)
{
	struct stat st;
	struct dirent *e;
	DIR *d;
	char *p;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(*files)++;
		*bytes += S_ISREG(st.st_mode) ? st.st_size : 0;
		return;
	}
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = dt_xasprintf("%s/%s", path, e->d_name);
		dt_tree_count(p, files, bytes);
		free(p);
	}
	closedir(d);
}
