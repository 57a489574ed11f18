/*
 * The event parser of dt-collect: a line split into fields, its verb
 * found in the table of dt_verb, its numbers checked.  A line that
 * passes has every number in its range.
 */
#define main dt_collect_main
#include "../src/dt-collect.c"
#undef main

#include "fuzz.h"

static char *f[DT_FIELDS_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dt_num *n;
	char *line, *why;
	int k, v;

	/* What dt_rd_line gives: a line without newline or NUL. */
	if (size > DT_LINE_MAX || memchr(data, '\n', size) != NULL ||
	    memchr(data, '\0', size) != NULL)
		return 0;
	line = dt_xmalloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	/* As the first line, then as any other. */
	v = parse(line, size, 1, f, &k, &why);
	FUZZ_CHECK((v == -2) == (why != NULL));
	free(why);
	memcpy(line, data, size);
	line[size] = '\0';
	v = parse(line, size, 2, f, &k, &why);
	FUZZ_CHECK((v == -2) == (why != NULL) && v >= -2 && v < DT_EV_MAX);
	free(why);
	for (n = dt_event_nums; v >= 0 && n < dt_event_nums + dt_event_nnums;
	    n++)
		if (n->verb == v && n->field < k && *f[n->field] != '\0')
			FUZZ_CHECK(n->kind == DT_NUM_SECS ? val[n->field] >= 0 &&
			    val[n->field] <= DT_SECONDS_MAX :
			    n->kind == DT_NUM_PART ? val[n->field] >= 2 &&
			    val[n->field] <= DT_FIELDS_MAX :
			    val[n->field] >= n->min && val[n->field] <= n->max);
	free(line);
	return 0;
}
