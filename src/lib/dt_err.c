/* Error reporting, process hygiene and number parsing. */
#include <ctype.h>
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

/* Add to buf what fits of its size, less a byte kept for the newline. */
static size_t
msgcat(char *buf, size_t n, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len > size - 1 - n)
		len = size - 1 - n;
	memcpy(buf + n, s, len);
	return n + len;
}

static void
vmsg(int errnum, const char *fmt, va_list ap)
{
	char buf[4096], what[4096];
	size_t n;

	/* Pieces joined by hand: snprintf's truncation warnings say nothing. */
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	n = msgcat(buf, 0, sizeof(buf), dt_prog);
	n = msgcat(buf, n, sizeof(buf), ": ");
	n = msgcat(buf, n, sizeof(buf), what);
	if (errnum) {
		n = msgcat(buf, n, sizeof(buf), ": ");
		n = msgcat(buf, n, sizeof(buf), strerror(errnum));
	}
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

/*
 * A decimal integer from min to max; otherwise 0, with *errstr saying
 * why.  Only digits, after a minus sign when min is negative: strtoll
 * alone would also take leading blanks and a plus sign.
 */
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
	if (!isdigit((unsigned char)s[*s == '-']))
		*errstr = "not a number";
	v = strtoll(s, &end, 10);
	if (*errstr != NULL || *end != '\0' || end == s)
		*errstr = "not a number";
	else if ((errno == ERANGE && v == LLONG_MIN) || v < min ||
	    (*s == '-' && min >= 0))
		*errstr = "too small";
	else if ((errno == ERANGE && v == LLONG_MAX) || v > max)
		*errstr = "too large";
	return *errstr ? 0 : v;
}

/*
 * Seconds as the programs write them, digits with a decimal point and
 * digits or without, from 0 to DT_SECONDS_MAX; otherwise 0, with *errstr
 * saying why.  strtod alone would also take blanks, signs, exponents,
 * hexadecimal, "inf" and "nan".
 */
double
dt_strtosecs(const char *s, const char **errstr)
{
	const char *p;
	double v;

	*errstr = NULL;
	if (s == NULL || *s == '\0') {
		*errstr = "empty";
		return 0;
	}
	p = s + (*s == '-');
	if (!isdigit((unsigned char)*p))
		*errstr = "not a decimal number";
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.' && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*errstr == NULL && *p != '\0')
		*errstr = "not a decimal number";
	if (*errstr != NULL)
		return 0;
	if (*s == '-') {
		*errstr = "too small";
		return 0;
	}
	v = strtod(s, NULL);
	if (!(v <= DT_SECONDS_MAX)) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

/*
 * A share K/N, K from 1 to N, N from 1 to DT_SHARES_MAX; otherwise *errstr
 * says why.
 */
void
dt_share(const char *s, long *k, long *n, const char **errstr)
{
	const char *slash = strchr(s, '/');
	char *ks;

	*k = *n = 0;
	if (slash == NULL) {
		*errstr = "not K/N";
		return;
	}
	*n = dt_strtonum(slash + 1, 1, DT_SHARES_MAX, errstr);
	if (*errstr != NULL)
		return;
	ks = dt_xasprintf("%.*s", (int)(slash - s), s);
	*k = dt_strtonum(ks, 1, *n, errstr);
	free(ks);
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
