/*
 * A tiny TAP producer for the unit tests.
 *
 *	plan(n);
 *	ok(cond, "what %s", x);
 *	is_int(got, expected, "what");
 *	is_str(got, expected, "what");
 *	is_mem(got, gotlen, expected, explen, "what");
 *	todo("bug: ...");  ...tests...  todo(NULL);
 *	return done_testing();
 *
 * A test inside todo() prints "# TODO reason" and does not fail the
 * program.  done_testing() returns 0 when every non-TODO test passed and
 * the number run matches the plan, 1 otherwise.
 *
 * capture_begin()/capture_end() redirect fd 2 to a temporary file and
 * give back what was written there, less trailing newlines, for
 * checking error messages.
 */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tap_state {
	int		 planned, run, failed;
	const char	*todo;
	int		 saved_fd2;
	FILE		*capture;
	char		*captured;
};
static struct tap_state tap_st = { 0, 0, 0, NULL, -1, NULL, NULL };

static inline void
plan(int n)
{
	tap_st.planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void
diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Mark the following tests TODO with this reason; NULL ends it. */
static inline void
todo(const char *reason)
{
	tap_st.todo = reason;
}

static inline int
tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_st.run++;
	printf("%sok %d - ", cond ? "" : "not ", tap_st.run);
	vprintf(fmt, ap);
	if (tap_st.todo != NULL)
		printf(" # TODO %s", tap_st.todo);
	printf("\n");
	fflush(stdout);
	if (!cond && tap_st.todo == NULL)
		tap_st.failed++;
	return cond;
}

static inline int
ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int
ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static inline int
is_int(long long got, long long exp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int
is_int(long long got, long long exp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got == exp, fmt, ap);
	va_end(ap);
	if (!r)
		diag("  got: %lld\n#   expected: %lld", got, exp);
	return r;
}

static inline int
is_str(const char *got, const char *exp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int
is_str(const char *got, const char *exp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(got != NULL && exp != NULL ? strcmp(got, exp) == 0 :
	    got == exp, fmt, ap);
	va_end(ap);
	if (!r)
		diag("  got: %s%s%s\n#   expected: %s%s%s",
		    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
		    exp ? "\"" : "", exp ? exp : "NULL", exp ? "\"" : "");
	return r;
}

static inline int
is_mem(const void *got, size_t gotlen, const void *exp, size_t explen,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int
is_mem(const void *got, size_t gotlen, const void *exp, size_t explen,
    const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int r;

	r = gotlen == explen && (explen == 0 || memcmp(got, exp, explen) == 0);
	va_start(ap, fmt);
	r = tap_vok(r, fmt, ap);
	va_end(ap);
	if (!r) {
		for (i = 0; i < gotlen && i < explen; i++)
			if (((const unsigned char *)got)[i] !=
			    ((const unsigned char *)exp)[i])
				break;
		diag("  got %zu bytes, expected %zu; first difference at %zu",
		    gotlen, explen, i);
	}
	return r;
}

static inline int
done_testing(void)
{
	if (tap_st.run != tap_st.planned) {
		diag("planned %d tests but ran %d", tap_st.planned, tap_st.run);
		return 1;
	}
	if (tap_st.failed) {
		diag("failed %d of %d tests", tap_st.failed, tap_st.run);
		return 1;
	}
	return 0;
}

/* Redirect fd 2 into a temporary file until capture_end(). */
static inline void
capture_begin(void)
{
	fflush(stderr);
	tap_st.capture = tmpfile();
	if (tap_st.capture == NULL) {
		perror("tmpfile");
		exit(2);
	}
	tap_st.saved_fd2 = dup(2);
	dup2(fileno(tap_st.capture), 2);
}

/* Restore fd 2; return what was written to it (valid until next call). */
static inline const char *
capture_end(void)
{
	struct stat st;
	long n;

	fflush(stderr);
	dup2(tap_st.saved_fd2, 2);
	close(tap_st.saved_fd2);
	tap_st.saved_fd2 = -1;
	if (fstat(fileno(tap_st.capture), &st) < 0)
		st.st_size = 0;
	n = (long)st.st_size;
	free(tap_st.captured);
	tap_st.captured = calloc(1, n + 1);
	if (tap_st.captured == NULL)
		exit(2);
	rewind(tap_st.capture);
	n = (long)fread(tap_st.captured, 1, n, tap_st.capture);
	tap_st.captured[n] = '\0';
	while (n > 0 && tap_st.captured[n - 1] == '\n')
		tap_st.captured[--n] = '\0';	/* diag() adds its own */
	fclose(tap_st.capture);
	tap_st.capture = NULL;
	return tap_st.captured;
}

/* A path or command, formatted; good until eight more are made. */
static inline const char *
at(const char *fmt, ...)
{
	static char buf[8][4160];
	static int k;
	va_list ap;

	k = (k + 1) % 8;
	va_start(ap, fmt);
	vsnprintf(buf[k], sizeof(buf[k]), fmt, ap);
	va_end(ap);
	return buf[k];
}

#endif
