/*
 * Directory trees: a runner's own tree of hard links to a project copy,
 * and removing a tree.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Remove a tree, as much of it as can be; a missing one is no error. */
void
dt_rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
