/*
 * Allocation that dies rather than returns NULL, and the clock: a leaf of
 * the library, needing only dt_err.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dt.h"

void *
dt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		dt_die_sys(DT_EX_SYS, "malloc");
	return p;
}

void *
dt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		dt_die_sys(DT_EX_SYS, "calloc");
	return p;
}

void *
dt_xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		dt_die_sys(DT_EX_SYS, "realloc");
	}
	p = realloc(p, (n * size) != 0 ? n * size : 1);
	if (p == NULL)
		dt_die_sys(DT_EX_SYS, "realloc");
	return p;
}

char *
dt_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		dt_die_sys(DT_EX_SYS, "strdup");
	return p;
}

char *
dt_xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		dt_die_sys(DT_EX_SYS, "vasprintf");
	return s;
}

char *
dt_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = dt_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

double
dt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
