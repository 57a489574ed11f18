/*
 * Lines of tab-separated fields, with backslash, tab and newline escaped
 * as \\, \t and \n inside a field.  Every other byte passes as itself, so
 * file names that are not UTF-8 survive the trip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

const char *dt_line_error = "";

void
dt_rd_init(struct dt_reader *r, int fd, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->name = name;
}

void
dt_rd_free(struct dt_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->start = r->len = r->cap = 0;
}

/* One read(2); the caller polls, so a non-blocking fd is fine. */
ssize_t
dt_rd_fill(struct dt_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len);
		r->start = 0;
	}
	if (r->cap - r->len < 4096 + 1) {
		r->cap = r->cap ? r->cap * 2 : 8192;
		r->buf = dt_xrealloc(r->buf, r->cap, 1);
	}
	do
		n = read(r->fd, r->buf + r->len, r->cap - r->len - 1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		r->eof = 1;
	if (n > 0)
		r->len += n;
	return n;
}

/*
 * Return 1 with the next complete line, 0 when more input is needed (or,
 * with r->eof set, at the end), -1 when the line is too long or holds a
 * NUL byte.
 */
int
dt_rd_line(struct dt_reader *r, char **line, size_t *len)
{
	char *p, *nl;
	size_t n;

	if (r->len == 0)
		return 0;
	p = r->buf + r->start;
	nl = memchr(p, '\n', r->len);
	if (nl == NULL) {
		if (r->len > DT_LINE_MAX) {
			r->lineno++;
			dt_line_error = "line too long";
			return -1;
		}
		if (!r->eof)
			return 0;
		/* The last line lacks its newline: take it all the same. */
		nl = p + r->len;
		n = r->len;
		r->len = 0;
		r->start = 0;
	} else {
		n = nl - p;
		r->start += n + 1;
		r->len -= n + 1;
	}
	*nl = '\0';
	r->lineno++;
	if (n > DT_LINE_MAX) {
		dt_line_error = "line too long";
		return -1;
	}
	if (memchr(p, '\0', n) != NULL) {
		dt_line_error = "NUL byte in line";
		return -1;
	}
	*line = p;
	if (len)
		*len = n;
	return 1;
}

/* Blocking: the next line, 0 at end of file, -1 on error. */
int
dt_rd_getline(struct dt_reader *r, char **line, size_t *len)
{
	int rc;
	ssize_t n;

	for (;;) {
		rc = dt_rd_line(r, line, len);
		if (rc != 0 || r->eof)
			return rc;
		n = dt_rd_fill(r);
		if (n < 0) {
			dt_line_error = strerror(errno);
			return -1;
		}
	}
}

/*
 * Split a line in place into at most max fields and unescape each.
 * Fields past max are ignored, so a newer peer may add trailing fields.
 */
int
dt_split(char *line, size_t len, char **f, int max)
{
	char *r, *w, *end = line + len;
	int n = 0;

	r = w = line;
	f[n++] = w;
	while (r < end) {
		if (*r == '\t') {
			*w++ = '\0';
			r++;
			if (n == max)
				return n;
			f[n++] = w;
		} else if (*r == '\\') {
			if (r + 1 >= end) {
				dt_line_error = "backslash at end of line";
				return -1;
			}
			switch (r[1]) {
			case '\\': *w++ = '\\'; break;
			case 't': *w++ = '\t'; break;
			case 'n': *w++ = '\n'; break;
			default:
				dt_line_error = "unknown escape";
				return -1;
			}
			r += 2;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return n;
}

void
dt_escape(struct dt_buf *b, const char *s, size_t n)
{
	const char *p, *e = s + n;

	for (p = s; p < e; p++) {
		switch (*p) {
		case '\\': dt_buf_add(b, "\\\\", 2); break;
		case '\t': dt_buf_add(b, "\\t", 2); break;
		case '\n': dt_buf_add(b, "\\n", 2); break;
		default: dt_buf_addc(b, *p); break;
		}
	}
}

void
dt_line_begin(struct dt_buf *b, const char *verb)
{
	dt_buf_reset(b);
	dt_buf_adds(b, verb);
}

void
dt_line_fieldn(struct dt_buf *b, const char *s, size_t n)
{
	dt_buf_addc(b, '\t');
	dt_escape(b, s, n);
}

void
dt_line_field(struct dt_buf *b, const char *s)
{
	dt_line_fieldn(b, s ? s : "", s ? strlen(s) : 0);
}

void
dt_line_fieldf(struct dt_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = dt_xvasprintf(fmt, ap);
	va_end(ap);
	dt_line_field(b, s);
	free(s);
}

int
dt_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* A non-blocking peer is full: wait for room. */
				usleep(1000);
				continue;
			}
			return -1;
		}
		s += w;
		n -= w;
	}
	return 0;
}

/*
 * Send a finished line.  A line over the limit loses the end of its last
 * field, marked, rather than the whole message.
 */
int
dt_line_send(int fd, struct dt_buf *b)
{
	dt_line_finish(b);
	return dt_write_all(fd, b->s, b->len);
}

/* End the line in b: cut it to DT_LINE_MAX, marked, and add the newline. */
void
dt_line_finish(struct dt_buf *b)
{
	static const char mark[] = "[...]";

	if (b->len > DT_LINE_MAX) {
		size_t cut = DT_LINE_MAX - (sizeof(mark) - 1), k = 0;

		/* An odd run of backslashes before the cut opens an escape. */
		while (k < cut && b->s[cut - 1 - k] == '\\')
			k++;
		if (k % 2 == 1)
			cut--;
		b->len = cut;
		dt_buf_adds(b, mark);
	}
	dt_buf_addc(b, '\n');
}

/* Send verb and NULL-terminated string fields as one line. */
int
dt_vsend(int fd, const char *verb, va_list ap)
{
	static struct dt_buf b;
	const char *s;

	dt_line_begin(&b, verb);
	while ((s = va_arg(ap, const char *)) != NULL)
		dt_line_field(&b, s);
	return dt_line_send(fd, &b);
}

int
dt_send(int fd, const char *verb, ...)
{
	va_list ap;
	int rc;

	va_start(ap, verb);
	rc = dt_vsend(fd, verb, ap);
	va_end(ap);
	return rc;
}

/*
 * What is wrong with a peer's hello, "hello KIND PROTOCOL VERSION", as a
 * string to free, or NULL when nothing is.  On a mismatch it names both
 * sides' versions.
 */
char *
dt_hello_mismatch(char **f, int n, const char *kind, const char *peer)
{
	const char *e;
	long long proto;

	if (n < 3 || strcmp(f[0], "hello") != 0 || strcmp(f[1], kind) != 0)
		return dt_xasprintf("expected \"hello %s\", got \"%s%s%s\"",
		    kind, f[0], n > 1 ? " " : "", n > 1 ? f[1] : "");
	proto = dt_strtonum(f[2], 0, 1000000, &e);
	if (e != NULL || proto != DT_PROTOCOL)
		return dt_xasprintf("protocol version mismatch: %s speaks %s "
		    "version %s (%s), we speak version %d (%s)", peer, kind,
		    f[2], n > 3 ? f[3] : "unknown", DT_PROTOCOL, DT_VERSION);
	return NULL;
}

/* The same, said on stderr: "prog: peer: what is wrong". */
int
dt_check_hello(char **f, int n, const char *kind, const char *peer)
{
	char *why = dt_hello_mismatch(f, n, kind, peer);
	int rc;

	if (why == NULL)
		return 0;
	rc = dt_error("%s: %s", peer, why);
	free(why);
	return rc;
}

/* Whether n bytes at p are only blanks: spaces, tabs, carriage returns. */
int
dt_blank(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
	    p[n - 1] == '\r'))
		n--;
	return n == 0;
}
