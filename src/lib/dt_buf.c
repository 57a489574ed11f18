/* Growable byte buffers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"

static void
grow(struct dt_buf *b, size_t more)
{
	size_t cap;

	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = dt_xrealloc(b->s, cap, 1);
	b->cap = cap;
}

void
dt_buf_add(struct dt_buf *b, const void *p, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
dt_buf_adds(struct dt_buf *b, const char *s)
{
	dt_buf_add(b, s, strlen(s));
}

void
dt_buf_addc(struct dt_buf *b, int c)
{
	char ch = c;

	dt_buf_add(b, &ch, 1);
}

void
dt_buf_addf(struct dt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	grow(b, n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void
dt_buf_reset(struct dt_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
dt_buf_free(struct dt_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
