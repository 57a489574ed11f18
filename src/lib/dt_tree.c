/*
 * Directory trees: a runner's own tree of hard links to a project copy,
 * and removing a tree.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
link_dir(int sfd, int dfd, char *why, size_t whylen, const char *rel)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char target[PATH_MAX], sub[PATH_MAX];
	ssize_t n;
	int s2, d2, rc = 0;

	if ((d = fdopendir(sfd)) == NULL) {
		snprintf(why, whylen, "%s: %s", rel, strerror(errno));
		close(sfd);
		return -1;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* removed while we read */
			goto fail;
		}
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, e->d_name, (st.st_mode & 07777) |
			    S_IRWXU) < 0 &&
			    errno != EEXIST)
				goto fail;
			s2 = openat(dirfd(d), e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0)
				goto fail;
			d2 = openat(dfd, e->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (d2 < 0) {
				close(s2);
				goto fail;
			}
			rc = link_dir(s2, d2, why, whylen, sub);
			close(d2);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlinkat(dirfd(d), e->d_name, target,
			    sizeof(target) - 1);
			if (n < 0)
				goto fail;
			target[n] = '\0';
			if (symlinkat(target, dfd, e->d_name) < 0)
				goto fail;
		} else if (S_ISREG(st.st_mode)) {
			if (linkat(dirfd(d), e->d_name, dfd, e->d_name, 0) < 0 &&
			    ((errno != EPERM && errno != EMLINK &&
			    errno != EXDEV) ||
			    copy_file(dirfd(d), dfd, e->d_name, &st) < 0))
				goto fail;
		}
		/* Sockets and FIFOs belong to whoever made them: skip. */
		continue;
fail:
		snprintf(why, whylen, "%s: %s", sub, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && errno != 0) {
		snprintf(why, whylen, "%s: %s", *rel ? rel : ".",
		    strerror(errno));
		rc = -1;
	}
	closedir(d);
	return rc;
}

/*
 * Make dst (which must not exist) a tree of directories, symbolic links
 * and hard links to the regular files of src.  A file created, renamed
 * over or removed in dst is dst's own; a file written in place is shared.
 * On failure, why says which path and why.
 */
int
dt_link_tree(const char *src, const char *dst, char *why, size_t whylen)
{
	struct stat st;
	int sfd, dfd, rc;

	if ((sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s", src, strerror(errno));
		return -1;
	}
	if (fstat(sfd, &st) < 0 || mkdir(dst, (st.st_mode & 07777) |
	    S_IRWXU) < 0 ||
	    (dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(why, whylen, "%s: %s", dst, strerror(errno));
		close(sfd);
		return -1;
	}
	rc = link_dir(sfd, dfd, why, whylen, "");
	close(dfd);
	return rc;
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
