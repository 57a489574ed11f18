/* Error reporting, process hygiene and number parsing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

const char *dt_prog = "distributest";

void
dt_setprog(const char *argv0)
{
	const char *p;

	if (argv0 == NULL)
		return;
	p = strrchr(argv0, '/');
	dt_prog = p ? p + 1 : argv0;
}

static void
vmsg(int errnum, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: ", dt_prog);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (errnum)
		n += snprintf(buf + n, sizeof(buf) - n, ": %s",
		    strerror(errnum));
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write, so lines of concurrent programs do not interleave. */
	while (write(2, buf, n) < 0 && errno == EINTR)
		;
}

void
dt_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
dt_die_sys(int code, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
	exit(code);
}

void
dt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void
dt_warn_sys(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vmsg(e, fmt, ap);
	va_end(ap);
}

int
dt_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
	return -1;
}

void
dt_usage(const char *synopsis)
{
	dt_die(DT_EX_USAGE, "usage: %s", synopsis);
}

/*
 * Make sure fds 0, 1 and 2 are open, so that a file we open later never
 * becomes someone's standard output, and take writes to a closed pipe as
 * EPIPE errors rather than as a silent death.
 */
void
dt_hygiene(void)
{
	int fd;

	for (;;) {
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			exit(DT_EX_SYS);
		if (fd > 2) {
			close(fd);
			break;
		}
	}
	signal(SIGPIPE, SIG_IGN);
}

long long
dt_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	*errstr = NULL;
	errno = 0;
	if (s == NULL || *s == '\0') {
		*errstr = "empty";
		return 0;
	}
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s)
		*errstr = "not a number";
	else if ((errno == ERANGE && v == LLONG_MIN) || v < min)
		*errstr = "too small";
	else if ((errno == ERANGE && v == LLONG_MAX) || v > max)
		*errstr = "too large";
	return *errstr ? 0 : v;
}

/*
 * Writing to the next stage failed.  A closed pipe means that stage has
 * finished, which is its business, not an error of ours.
 */
void
dt_out_failed(void)
{
	if (errno == EPIPE)
		exit(0);
	dt_die_sys(DT_EX_SYS, "write");
}
