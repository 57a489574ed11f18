/*
 * The manifest reader: any bytes as a manifest.  It is taken whole or
 * not at all: a list of directories of the tree walked now, each once
 * and in order, as many as it says; or none, and the list as it was.
 */
#include <sys/stat.h>

#include "fuzz.h"

#define KEY	"0123456789abcdef0123456789abcdef"

static const char *const paths[] = { "", "a", "a/b", "a/b/c", "b",
    "new\nline" };
static char *dir, *file;
static struct dt_manifest cur;

static void
gone(void)
{
	unlink(file);
	rmdir(dir);
}

static void
setup(void)
{
	size_t i, n = sizeof(paths) / sizeof(*paths);

	dir = dt_xstrdup(fuzz_path("manifests"));
	if (mkdir(dir, 0700) < 0)
		abort();
	file = dt_xasprintf("%s/%s", dir, KEY);
	atexit(gone);
	cur.v = dt_xcalloc(n, sizeof(*cur.v));
	cur.n = cur.cap = n;
	for (i = 0; i < n; i++) {
		cur.v[i].path = dt_xstrdup(paths[i]);
		snprintf(cur.v[i].hex, sizeof(cur.v[i].hex), "%032zx", i);
	}
	dt_manifest_sort(&cur);
}

/* The index in cur of a list entry, "PATH/" or "./"; -1 for none. */
static long
which(const char *e)
{
	const char *p;
	size_t i, n;

	for (i = 0; i < cur.n; i++) {
		p = *cur.v[i].path ? cur.v[i].path : ".";
		n = strlen(p);
		if (strncmp(e, p, n) == 0 && strcmp(e + n, "/") == 0)
			return (long)i;
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_buf list = { 0 };
	size_t i, at;
	long n, k = 0, last = -1, j;

	if (dir == NULL)
		setup();
	fuzz_put(file, data, size);
	dt_buf_adds(&list, "kept");
	at = list.len;
	n = dt_manifest_changed(&cur, dir, KEY, &list);
	if (n < 0)
		FUZZ_CHECK(list.len == at);
	else {
		for (i = at; i < list.len; i += strlen(list.s + i) + 1, k++) {
			j = which(list.s + i);
			FUZZ_CHECK(j > last);
			last = j;
		}
		FUZZ_CHECK(k == n);
	}
	dt_buf_free(&list);
	return 0;
}
