/*
 * dt-find: pass the event stream through and, when it ends, add a test
 * line for every test file of the project, then tests-end.  The files are
 * the ones the framework's own finder lists (set finder), or, without one
 * or when it fails, the ones matching a tests pattern.  Paths named on the
 * command line restrict the search; a file named there is taken whatever
 * its name.  With set partition K/N only the K-th of N shares goes on,
 * the shares balanced by the timings.  With set rerun FILE the files, and
 * their units, are those FILE lists: what failed in the last run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-find [path ...]"

struct found {
	char	 *path;
	long long size;
	char	 *ids;		/* a rerun's units, escaped fields, or NULL */
};

/* A finder that takes longer is killed, and the patterns decide. */
#define FINDER_SECONDS 120

static char **patterns;
static size_t npatterns;
static char **args;		/* the framework's arguments, for the finder */
static size_t nargs;
static char *finder;
static struct found *found;
static size_t nfound, capfound;
static char *project;
static char *partition, *timings;	/* set partition K/N, set timings */
static char *rerun;			/* set rerun: the failed list */
static int nosplit;			/* set split no */

static void
add(const char *path, long long size)
{
	if (nfound == capfound) {
		capfound = capfound ? capfound * 2 : 256;
		found = dt_xrealloc(found, capfound, sizeof(*found));
	}
	found[nfound].path = dt_xstrdup(path);
	found[nfound].size = size;
	found[nfound].ids = NULL;
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

/* A virtual environment's tree holds its packages' tests, not ours. */
static int
is_venv(int dfd, const char *name)
{
	char *p = dt_xasprintf("%s/pyvenv.cfg", name);
	int yes = faccessat(dfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;

	free(p);
	return yes;
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
			if (S_ISDIR(st.st_mode) && !is_venv(dirfd(d),
			    de->d_name))
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

/* A path from the finder, relative to the project, taken if it is a file. */
static void
take(char *rel)
{
	struct stat st;
	char *abs;

	if (rel[0] == '/' || normalize(rel) < 0 || strcmp(rel, ".") == 0) {
		dt_warn("%s: %s: not a file inside the project %s, skipped",
		    finder, rel, project);
		return;
	}
	abs = dt_xasprintf("%s/%s", project, rel);
	if (stat(abs, &st) == 0 && S_ISREG(st.st_mode))
		add(rel, st.st_size);
	else
		dt_warn("%s: %s: not a regular file, skipped", finder, rel);
	free(abs);
}

/* Reads the finder's NUL-ended paths until it closes its output. */
static int
read_paths(int fd, pid_t pid)
{
	struct dt_buf b = { 0 };
	struct pollfd p = { fd, POLLIN, 0 };
	double end = dt_now() + FINDER_SECONDS;
	char chunk[65536], *s, *z;
	ssize_t n;
	size_t done = 0;

	for (;;) {
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			dt_die_sys(DT_EX_SYS, "poll");
		if (dt_now() > end) {
			kill(-pid, SIGKILL);
			dt_warn("%s: no answer in %d s, killed", finder,
			    FINDER_SECONDS);
			free(b.s);
			return -1;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((n = read(fd, chunk, sizeof(chunk))) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			dt_die_sys(DT_EX_SYS, "%s: read", finder);
		}
		if (n == 0)
			break;
		dt_buf_add(&b, chunk, (size_t)n);
	}
	for (s = b.s; b.len > 0 && (z = memchr(s, '\0', b.len - done)) != NULL;
	    s = z + 1) {
		take(s);
		done = (size_t)(z + 1 - b.s);
	}
	if (done < b.len)
		dt_warn("%s: a last path without its NUL, skipped", finder);
	free(b.s);
	return 0;
}

/*
 * The framework's finder lists the files, as the framework would take
 * them (distributest.conf(5), tests).  0 when it did; -1 when it could
 * not, and the patterns decide.  Its usage errors end the run.
 */
static int
run_finder(char **paths, size_t npaths)
{
	struct dt_child c;
	char **argv, why[128];
	size_t i, n = 0;
	int status, rc;

	argv = dt_xcalloc(2 * nargs + npaths + 3, sizeof(*argv));
	argv[n++] = finder;
	for (i = 0; i < nargs; i++) {
		argv[n++] = "-a";
		argv[n++] = args[i];
	}
	argv[n++] = "--";
	for (i = 0; i < npaths; i++)
		argv[n++] = paths[i];
	if (chdir(project) < 0)
		dt_die_sys(DT_EX_USAGE, "%s", project);
	if (dt_spawn(&c, argv, DT_SPAWN_OUT | DT_SPAWN_NULLIN |
	    DT_SPAWN_PGRP) < 0) {
		dt_warn_sys("%s", finder);
		free(argv);
		return -1;
	}
	free(argv);
	rc = read_paths(c.out, c.pid);
	close(c.out);
	while (waitpid(c.pid, &status, 0) < 0)
		if (errno != EINTR)
			dt_die_sys(DT_EX_SYS, "waitpid");
	if (rc < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == DT_EX_USAGE)
		exit(DT_EX_USAGE);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	dt_warn("%s %s; the tests patterns decide the files", finder,
	    dt_status_str(status, why, sizeof(why)));
	for (i = 0; i < nfound; i++)
		free(found[i].path);
	nfound = 0;
	return -1;
}

/* The paths named, checked and written relative to the project. */
static void
check_paths(char **paths, size_t npaths)
{
	struct stat st;
	size_t i;
	char *abs, *name;

	for (i = 0; i < npaths; i++) {
		name = dt_xstrdup(paths[i]);
		if (paths[i][0] == '/' || normalize(paths[i]) < 0)
			dt_die(DT_EX_USAGE, "%s: not inside the project %s",
			    name, project);
		abs = dt_xasprintf("%s/%s", project, paths[i]);
		if (stat(abs, &st) < 0)
			dt_die_sys(DT_EX_USAGE, "%s", name);
		free(abs);
		free(name);
	}
}

/*
 * The failed list of the last run (dt-collect): a header, then lines of a
 * path and the units of it that failed, none for the whole file.  A file
 * gone since is left out, with a word.
 */
static void
read_failed(void)
{
	struct dt_reader r;
	struct stat st;
	char *l, *f[DT_FIELDS_MAX], *abs, *p;
	size_t len;
	int n, k, fd;

	if ((fd = open(rerun, O_RDONLY | O_CLOEXEC)) < 0)
		dt_die_sys(DT_EX_USAGE, "%s", rerun);
	dt_rd_init(&r, fd, rerun);
	while ((n = dt_rd_getline(&r, &l, &len)) > 0) {
		if ((k = dt_split(l, len, f, DT_FIELDS_MAX)) < 0)
			dt_die(DT_EX_DATA, "%s line %lu: %s", rerun, r.lineno,
			    dt_line_error);
		if (r.lineno == 1) {
			if (k != 2 || strcmp(f[0], "distributest-failed") != 0 ||
			    strcmp(f[1], "1") != 0)
				dt_die(DT_EX_DATA, "%s: not a list of failures "
				    "(distributest-failed 1)", rerun);
			continue;
		}
		abs = dt_xasprintf("%s/%s", project, f[0]);
		if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
			dt_warn("%s: failed in the last run, and is gone",
			    f[0]);
			free(abs);
			continue;
		}
		free(abs);
		add(f[0], st.st_size);
		p = NULL;
		if (k > 1) {
			struct dt_buf b = { 0 };

			dt_line_begin(&b, "");
			dt_line_field(&b, "only");
			for (n = 1; n < k; n++)
				dt_line_field(&b, f[n]);
			p = dt_xstrdup(b.s + 1);	/* the fields, tab-joined */
			dt_buf_free(&b);
		}
		found[nfound - 1].ids = p;
	}
	if (n < 0)
		dt_die(DT_EX_DATA, "%s line %lu: %s", rerun, r.lineno,
		    dt_line_error);
	close(fd);
}

static void
search(char **paths, size_t npaths)
{
	struct stat st;
	size_t i;
	char *abs;

	if (rerun != NULL) {
		read_failed();
		return;
	}
	if (finder != NULL && run_finder(paths, npaths) == 0)
		return;
	if (npaths == 0)
		walk("");
	for (i = 0; i < npaths; i++) {
		abs = dt_xasprintf("%s/%s", project, paths[i]);
		if (stat(abs, &st) < 0)
			dt_die_sys(DT_EX_USAGE, "%s", paths[i]);
		if (S_ISDIR(st.st_mode))
			walk(strcmp(paths[i], ".") == 0 ? "" : paths[i]);
		else
			add(paths[i], st.st_size);
		free(abs);
	}
}

static double *weight;	/* of each found file, for the shares */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each file's weight: its time in the timings; a file never timed counts
 * as the median of those timed, and with none timed the sizes decide.
 */
static void
weigh(size_t n, struct dt_timings *t)
{
	double *known = dt_xcalloc(n + 1, sizeof(*known)), median;
	size_t i, nknown = 0;

	weight = dt_xcalloc(n + 1, sizeof(*weight));
	if (timings != NULL && dt_timings_read(t, timings) < 0)
		dt_timings_free(t);
	for (i = 0; i < n; i++)
		if ((weight[i] = dt_timings_get(t, found[i].path)) > 0)
			known[nknown++] = weight[i];
	if (nknown > 0)
		qsort(known, nknown, sizeof(*known), cmp_double);
	median = nknown > 0 ? known[nknown / 2] : 0;
	for (i = 0; i < n; i++)
		if (weight[i] <= 0)
			weight[i] = nknown > 0 ? median :
			    (double)found[i].size + 1;
	free(known);
}

/*
 * What goes into the shares: a file, or a unit of a file heavier than a
 * share with two timed units or more, which goes out unit by unit as a
 * run splits it.  Each share that gets a unit of it also pays the file's
 * time beyond its units' (loading it, its setup) once.
 */
struct item {
	size_t		 file;
	const char	*unit;		/* NULL: the whole file */
	double		 w;
	long		 share;
};
static struct item *items;
static size_t nitems;
static double *over;		/* a split file's time beyond its units' */
static long *slot;		/* a split file's row in got, or -1 */
static unsigned char *got;	/* split file x share: has a unit of it */

static void
push(size_t file, const char *unit, double w)
{
	items = dt_xrealloc(items, nitems + 1, sizeof(*items));
	items[nitems++] = (struct item){ file, unit, w, -1 };
}

static size_t
make_items(struct dt_timings *t, long n)
{
	const struct dt_timing *u;
	size_t i, k, nu, nsplit = 0;
	double sum = 0, fair;

	for (i = 0; i < nfound; i++)
		sum += weight[i];
	fair = sum / (double)n;
	over = dt_xcalloc(nfound + 1, sizeof(*over));
	slot = dt_xcalloc(nfound + 1, sizeof(*slot));
	for (i = 0; i < nfound; i++) {
		slot[i] = -1;
		nu = nosplit || n < 2 || found[i].ids != NULL ||
		    weight[i] <= fair || weight[i] < 0.5 || timings == NULL ?
		    0 : dt_timings_units(t, found[i].path, &u);
		if (nu < 2) {
			push(i, NULL, weight[i]);
			continue;
		}
		for (sum = 0, k = 0; k < nu; k++)
			sum += u[k].seconds;
		over[i] = weight[i] > sum ? weight[i] - sum : 0;
		slot[i] = (long)nsplit++;
		for (k = 0; k < nu; k++)
			push(i, u[k].unit, u[k].seconds);
	}
	return nsplit;
}

static int
heavier(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	if ((c = strcmp(found[x->file].path, found[y->file].path)) != 0)
		return c;
	if (x->unit == NULL || y->unit == NULL)
		return (x->unit != NULL) - (y->unit != NULL);
	return strcmp(x->unit, y->unit);
}

/* The heaviest item first into the lightest share (LPT). */
static void
fill_shares(long n, size_t nsplit)
{
	double *load = dt_xcalloc((size_t)n, sizeof(*load)), cost = 0, c;
	size_t i;
	long j, best;

	got = dt_xcalloc(nsplit * (size_t)n + 1, 1);
	if (nitems > 1)
		qsort(items, nitems, sizeof(*items), heavier);
	for (i = 0; i < nitems; i++) {
		struct item *it = &items[i];
		unsigned char *g = slot[it->file] < 0 ? NULL :
		    got + slot[it->file] * n;

		for (best = -1, j = 0; j < n; j++) {
			c = load[j] + it->w + (g && !g[j] ? over[it->file] : 0);
			if (best < 0 || c < cost) {
				best = j;
				cost = c;
			}
		}
		load[best] = cost;
		it->share = best;
		if (g != NULL)
			g[best] = 1;
	}
	free(load);
}

/*
 * A split file in share k: the units it got ("only"), or, in the share
 * that got its heaviest unit, all but the other shares' ("except"), so
 * that units new since the timings run too; nothing, or the whole file,
 * when it got none, or all.
 */
static int
split_file(size_t f, long k)
{
	struct dt_buf b = { 0 };
	size_t i, mine = 0, others = 0;
	long rest = -1;

	for (i = 0; i < nitems; i++)
		if (items[i].file == f) {
			if (rest < 0)
				rest = items[i].share;
			if (items[i].share == k)
				mine++;
			else
				others++;
		}
	if (rest != k && mine == 0)
		return 0;
	if (rest == k && others == 0)
		return 1;
	dt_line_begin(&b, "");
	dt_line_field(&b, rest == k ? "except" : "only");
	for (i = 0; i < nitems; i++)
		if (items[i].file == f && (items[i].share == k) != (rest == k))
			dt_line_field(&b, items[i].unit);
	found[f].ids = dt_xstrdup(b.s + 1);
	dt_buf_free(&b);
	return 1;
}

/*
 * Keep the K-th of N shares, balanced by the timings, ties by path, unit
 * and then the lower share, so that N jobs given the same files and
 * timings make the same shares, each file, or unit, in exactly one.  The
 * files must be sorted and unique.
 */
static void
keep_share(void)
{
	struct dt_timings t = { 0 };
	const char *e;
	size_t i, kept = 0, nsplit;
	long k, n;

	dt_share(partition, &k, &n, &e);
	if (e != NULL)
		dt_die(DT_EX_DATA, "set partition %s: %s", partition, e);
	weigh(nfound, &t);
	nsplit = make_items(&t, n);
	fill_shares(n, nsplit);
	for (i = 0; i < nitems; i++)
		if (items[i].unit == NULL && items[i].share != k - 1)
			found[items[i].file].path[0] = '\0';
	for (i = 0; i < nfound; i++)
		if (slot[i] >= 0 && !split_file(i, k - 1))
			found[i].path[0] = '\0';
	for (i = 0; i < nfound; i++)
		if (found[i].path[0] != '\0')
			found[kept++] = found[i];
	nfound = kept;
	dt_timings_free(&t);
	free(items);
	free(over);
	free(slot);
	free(got);
	free(weight);
}

/* A set line: the ones dt-find uses are kept. */
static void
setting(const char *line, size_t len)
{
	char *copy, *f[4];

	copy = dt_xstrdup(line);
	if (dt_split(copy, len, f, 3) == 3) {
		if (strcmp(f[1], "tests") == 0) {
			patterns = dt_xrealloc(patterns, npatterns + 1,
			    sizeof(*patterns));
			patterns[npatterns++] = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "args") == 0) {
			args = dt_xrealloc(args, nargs + 1, sizeof(*args));
			args[nargs++] = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "project") == 0) {
			free(project);
			project = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "finder") == 0) {
			free(finder);
			finder = *f[2] ? dt_xstrdup(f[2]) : NULL;
		} else if (strcmp(f[1], "rerun") == 0) {
			free(rerun);
			rerun = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "partition") == 0) {
			free(partition);
			partition = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "split") == 0) {
			nosplit = strcmp(f[2], "no") == 0;
		} else if (strcmp(f[1], "timings") == 0) {
			free(timings);
			timings = dt_xstrdup(f[2]);
		} else if (strcmp(f[1], "python") == 0)
			setenv("DT_PYTHON", f[2], 1);	/* as the runners */
	}
	free(copy);
}

int
main(int argc, char *argv[])
{
	struct dt_reader r;
	struct dt_buf b = { 0 };
	char *line, size[32];
	size_t len, i;
	int n, ch;

	dt_hygiene();
	dt_setprog(argv[0]);
	dt_die_with_parent();
	while ((ch = getopt(argc, argv, "")) != -1)
		dt_usage(USAGE);
	dt_rd_init(&r, 0, "stdin");
	while ((n = dt_rd_getline(&r, &line, &len)) > 0) {
		if (strncmp(line, "set\t", 4) == 0)
			setting(line, len);
		line[len] = '\n';
		if (dt_write_all(1, line, len + 1) < 0)
			dt_out_failed();
	}
	if (n < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", r.lineno,
		    dt_line_error);
	if (project == NULL)
		dt_die(DT_EX_DATA, "stdin: no \"set project\" line");
	check_paths(argv + optind, (size_t)(argc - optind));
	search(argv + optind, (size_t)(argc - optind));
	if (nfound > 0)
		qsort(found, nfound, sizeof(*found), cmp);
	for (i = len = 0; i < nfound; i++)
		if (i == 0 || strcmp(found[i].path, found[len - 1].path) != 0)
			found[len++] = found[i];
	nfound = len;
	if (partition != NULL)
		keep_share();
	len = 0;
	for (i = 0; i < nfound; i++) {
		len++;
		dt_line_begin(&b, "test");
		dt_line_field(&b, found[i].path);
		dt_line_fieldf(&b, "%lld", found[i].size);
		if (found[i].ids != NULL) {
			dt_buf_addc(&b, '\t');
			dt_buf_adds(&b, found[i].ids);
		}
		if (dt_line_send(1, &b) < 0)
			dt_out_failed();
	}
	snprintf(size, sizeof(size), "%zu", len);
	/* "all": no path narrowed the search, this is every test file. */
	if (dt_send(1, "tests-end", size, optind == argc &&
	    partition == NULL && rerun == NULL ? "all" :
	    (char *)NULL, (char *)NULL) < 0)
		dt_out_failed();
	return 0;
}
