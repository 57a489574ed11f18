/*
 * dt-find: pass the event stream through and, when it ends, add a test
 * line for every file of the project that matches a tests pattern, then
 * tests-end.  Paths named on the command line restrict the search; a
 * file named there is taken whatever its name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-find [path ...]"

struct found {
	char	 *path;
	long long size;
};

static char **patterns;
static size_t npatterns;
static struct found *found;
static size_t nfound, capfound;
static char *project;

static void
add(const char *path, long long size)
{
	if (nfound == capfound) {
		capfound = capfound ? capfound * 2 : 256;
		found = dt_xrealloc(found, capfound, sizeof(*found));
	}
	found[nfound].path = dt_xstrdup(path);
	found[nfound].size = size;
	nfound++;
}

static int
matches(const char *rel)
{
	size_t i;

	for (i = 0; i < npatterns; i++)
		if (dt_glob_match(patterns[i], rel))
			return 1;
	return 0;
}

/* Walk rel (relative to the project root, "" for the root itself). */
static void
walk(const char *rel)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char *abs, *sub;

	abs = *rel ? dt_xasprintf("%s/%s", project, rel) : dt_xstrdup(project);
	if ((d = opendir(abs)) == NULL) {
		dt_warn_sys("%s", abs);
		free(abs);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".git") == 0 ||
		    strcmp(de->d_name, ".distributest") == 0))
			continue;
		sub = *rel ? dt_xasprintf("%s/%s", rel, de->d_name) :
		    dt_xstrdup(de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			/* Linked files count; linked directories could loop. */
			if (S_ISLNK(st.st_mode) &&
			    (fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
			    S_ISDIR(st.st_mode)))
				st.st_mode = 0;
			if (S_ISDIR(st.st_mode))
				walk(sub);
			else if (S_ISREG(st.st_mode) && matches(sub))
				add(sub, st.st_size);
		}
		free(sub);
	}
	closedir(d);
	free(abs);
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path,
	    ((const struct found *)b)->path);
}

/*
 * A relative path written the one way the front end and the timings
 * write it: no "." or empty components, each ".." taking the one before
 * it; "." for the project itself.  -1 when it climbs out of the project.
 */
static int
normalize(char *rel)
{
	char *in = rel, *out = rel, *end = rel + strlen(rel), *c;
	size_t n;

	/* Out never passes in, but a '/' may land on the terminator. */
	while (in < end) {
		c = in;
		n = strcspn(c, "/");
		in = c[n] == '/' ? c + n + 1 : c + n;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (out == rel)
				return -1;
			for (out--; out > rel && out[-1] != '/'; out--)
				;
			continue;
		}
		memmove(out, c, n);
		out += n;
		*out++ = '/';
	}
	if (out == rel)
		*out++ = '.';
	else
		out--;
	*out = '\0';
	return 0;
}

int
main(int argc, char *argv[])
{
	struct dt_reader r;
	char *line, *f[4], *copy, size[32];
	size_t len, i;
	int n, ch;
	struct stat st;

	dt_hygiene();
	dt_setprog(argv[0]);
	dt_die_with_parent();
	while ((ch = getopt(argc, argv, "")) != -1)
		dt_usage(USAGE);
	dt_rd_init(&r, 0, "stdin");
	while ((n = dt_rd_getline(&r, &line, &len)) > 0) {
		if (strncmp(line, "set\t", 4) == 0) {
			copy = dt_xstrdup(line);
			if (dt_split(copy, len, f, 3) == 3) {
				if (strcmp(f[1], "tests") == 0) {
					patterns = dt_xrealloc(patterns,
					    npatterns + 1, sizeof(*patterns));
					patterns[npatterns++] = dt_xstrdup(f[2]);
				} else if (strcmp(f[1], "project") == 0) {
					free(project);
					project = dt_xstrdup(f[2]);
				}
			}
			free(copy);
		}
		line[len] = '\n';
		if (dt_write_all(1, line, len + 1) < 0)
			dt_out_failed();
	}
	if (n < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", r.lineno,
		    dt_line_error);
	if (project == NULL)
		dt_die(DT_EX_DATA, "stdin: no \"set project\" line");
	if (optind == argc)
		walk("");
	for (i = optind; i < (size_t)argc; i++) {
		char *rel = argv[i], *abs;

		if (rel[0] == '/' || normalize(rel) < 0)
			dt_die(DT_EX_USAGE, "%s: not inside the project %s",
			    argv[i], project);
		abs = strcmp(rel, ".") == 0 ? dt_xstrdup(project) :
		    dt_xasprintf("%s/%s", project, rel);
		if (stat(abs, &st) < 0)
			dt_die_sys(DT_EX_USAGE, "%s", argv[i]);
		if (S_ISDIR(st.st_mode))
			walk(strcmp(rel, ".") == 0 ? "" : rel);
		else
			add(rel, st.st_size);
		free(abs);
	}
	if (nfound > 0)
		qsort(found, nfound, sizeof(*found), cmp);
	len = 0;
	for (i = 0; i < nfound; i++) {
		if (i > 0 && strcmp(found[i].path, found[i - 1].path) == 0)
			continue;
		len++;
		snprintf(size, sizeof(size), "%lld", found[i].size);
		if (dt_send(1, "test", found[i].path, size, (char *)NULL) < 0)
			dt_out_failed();
	}
	snprintf(size, sizeof(size), "%zu", len);
	/* "all": no path narrowed the search, this is every test file. */
	if (dt_send(1, "tests-end", size, optind == argc ? "all" :
	    (char *)NULL, (char *)NULL) < 0)
		dt_out_failed();
	return 0;
}
