/*
 * The verbs of the two wire formats, distributest-events(5) and
 * distributest-channel(5): each with the fields it has at least, verb
 * included, and whether its first field names a node (an event) or a
 * runner (a reply).  A program dispatches on the index through a table
 * of its own handlers.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"

const struct dt_verb dt_events[DT_EV_MAX] = {
	[DT_EV_HELLO] =		{ "hello",	 1, 0 },
	[DT_EV_SET] =		{ "set",	 3, 0 },
	[DT_EV_NODE] =		{ "node",	 6, 1 },
	[DT_EV_TEST] =		{ "test",	 2, 0 },
	[DT_EV_TESTS_END] =	{ "tests-end",	 2, 0 },
	[DT_EV_SYNCED] =	{ "synced",	 2, 1 },
	[DT_EV_NODE_DOWN] =	{ "node-down",	 4, 1 },
	[DT_EV_LOG] =		{ "log",	 3, 1 },
	[DT_EV_READY] =		{ "ready",	 2, 1 },
	[DT_EV_RUNNER_UP] =	{ "runner-up",	 3, 1 },
	[DT_EV_RUNNER_DOWN] =	{ "runner-down", 4, 1 },
	[DT_EV_SPLIT] =		{ "split",	 4, 0 },
	[DT_EV_ASSIGN] =	{ "assign",	 4, 1 },
	[DT_EV_OUT] =		{ "out",	 5, 1 },
	[DT_EV_FAIL] =		{ "fail",	 8, 1 },
	[DT_EV_PENDING] =	{ "pending",	 7, 1 },
	[DT_EV_UNIT] =		{ "unit",	 6, 1 },
	[DT_EV_COUNT] =		{ "count",	 6, 1 },
	[DT_EV_DONE] =		{ "done",	10, 1 },
	[DT_EV_REQUEUE] =	{ "requeue",	 5, 1 },
	[DT_EV_TIMEOUT] =	{ "timeout",	 5, 1 },
	[DT_EV_LOST] =		{ "lost",	 3, 0 },
	[DT_EV_ARTIFACTS] =	{ "artifacts",	 4, 1 },
	[DT_EV_END] =		{ "end",	 1, 0 },
	[DT_EV_RETRY] =		{ "retry",	 5, 1 },
};

const struct dt_verb dt_requests[DT_RQ_MAX] = {
	[DT_RQ_HELLO] =		{ "hello",	 3, 0 },
	[DT_RQ_SET] =		{ "set",	 3, 0 },
	[DT_RQ_PREP] =		{ "prep",	 1, 0 },
	[DT_RQ_START] =		{ "start",	 2, 0 },
	[DT_RQ_RUN] =		{ "run",	 3, 1 },
	[DT_RQ_KILL] =		{ "kill",	 3, 1 },
	[DT_RQ_PING] =		{ "ping",	 1, 0 },
	[DT_RQ_INFO] =		{ "info",	 1, 0 },
	[DT_RQ_CAP] =		{ "cap",	 2, 0 },
	[DT_RQ_REPLACED] =	{ "replaced",	 2, 1 },
};

const struct dt_verb dt_replies[DT_RP_MAX] = {
	[DT_RP_HELLO] =		{ "hello",	 3, 0 },
	[DT_RP_STARTING] =	{ "starting",	 2, 0 },
	[DT_RP_PREP_OUT] =	{ "prep-out",	 2, 0 },
	[DT_RP_PREP_DONE] =	{ "prep-done",	 2, 0 },
	[DT_RP_RUNNER_UP] =	{ "runner-up",	 2, 1 },
	[DT_RP_RUNNER_DOWN] =	{ "runner-down", 2, 1 },
	[DT_RP_OUT] =		{ "out",	 2, 1 },
	[DT_RP_FAIL] =		{ "fail",	 2, 1 },
	[DT_RP_PENDING] =	{ "pending",	 2, 1 },
	[DT_RP_UNIT] =		{ "unit",	 2, 1 },
	[DT_RP_COUNT] =		{ "count",	 4, 1 },
	[DT_RP_DONE] =		{ "done",	 2, 1 },
	[DT_RP_LOST] =		{ "lost",	 2, 1 },
	[DT_RP_INFO] =		{ "info",	 3, 0 },
	[DT_RP_INFO_END] =	{ "info-end",	 1, 0 },
	[DT_RP_ERROR] =		{ "error",	 1, 0 },
	[DT_RP_PING] =		{ "ping",	 1, 0 },
	[DT_RP_ARTIFACTS] =	{ "artifacts",	 3, 0 },
};

/*
 * The index of f[0] in a table of n verbs, or -1 for a verb it does not
 * have (a newer writer's, passed on); -2 when the line has fewer fields
 * than the verb has at least.
 */
int
dt_verb(const struct dt_verb *table, int n, char **f, int k)
{
	int i;

	for (i = 0; i < n; i++)
		if (table[i].name != NULL && strcmp(table[i].name, f[0]) == 0)
			return k < table[i].fields ? -2 : i;
	return -1;
}

/*
 * The fields of the events that are numbers, with their ranges; each
 * is checked, when the line has it, before the line is acted on.
 */
const struct dt_num dt_event_nums[] = {
	{ DT_EV_NODE,		2, DT_NUM_INT,  "RUNNERS", 0, DT_RUNNERS_MAX },
	{ DT_EV_TEST,		2, DT_NUM_INT,  "SIZE", 0, LLONG_MAX },
	{ DT_EV_TESTS_END,	1, DT_NUM_INT,  "COUNT", 0, DT_COUNT_MAX },
	{ DT_EV_SYNCED,		2, DT_NUM_SECS, "SECONDS", 0, 0 },
	{ DT_EV_READY,		2, DT_NUM_SECS, "SECONDS", 0, 0 },
	{ DT_EV_RUNNER_UP,	2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_RUNNER_DOWN,	2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_SPLIT,		2, DT_NUM_INT,  "M", 2, DT_FIELDS_MAX },
	{ DT_EV_SPLIT,		3, DT_NUM_SECS, "OVERHEAD", 0, 0 },
	{ DT_EV_ASSIGN,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_ASSIGN,		4, DT_NUM_PART, "K/M", 0, 0 },
	{ DT_EV_ASSIGN,		5, DT_NUM_INT,  "TRY", 2, DT_RETRY_MAX + 1 },
	{ DT_EV_OUT,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_FAIL,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_PENDING,	2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_UNIT,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_UNIT,		5, DT_NUM_SECS, "SECONDS", 0, 0 },
	{ DT_EV_COUNT,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_COUNT,		5, DT_NUM_INT,  "N", 0, DT_COUNT_MAX },
	{ DT_EV_DONE,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_DONE,		5, DT_NUM_SECS, "SECONDS", 0, 0 },
	{ DT_EV_DONE,		6, DT_NUM_INT,  "EXAMPLES", 0, DT_COUNT_MAX },
	{ DT_EV_DONE,		7, DT_NUM_INT,  "FAILURES", 0, DT_COUNT_MAX },
	{ DT_EV_DONE,		8, DT_NUM_INT,  "PENDING", 0, DT_COUNT_MAX },
	{ DT_EV_DONE,		9, DT_NUM_INT,  "ERRORS", 0, DT_COUNT_MAX },
	{ DT_EV_DONE,		10, DT_NUM_PART, "K/M", 0, 0 },
	{ DT_EV_REQUEUE,	2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_TIMEOUT,	2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_TIMEOUT,	4, DT_NUM_SECS, "SECONDS", 0, 0 },
	{ DT_EV_TIMEOUT,	5, DT_NUM_PART, "K/M", 0, 0 },
	{ DT_EV_ARTIFACTS,	2, DT_NUM_INT,  "FILES", 0, LLONG_MAX },
	{ DT_EV_ARTIFACTS,	3, DT_NUM_INT,  "BYTES", 0, LLONG_MAX },
	{ DT_EV_LOST,		3, DT_NUM_PART, "K/M", 0, 0 },
	{ DT_EV_RETRY,		2, DT_NUM_INT,  "R", 1, DT_RUNNERS_MAX },
	{ DT_EV_RETRY,		4, DT_NUM_INT,  "TRY", 2, DT_RETRY_MAX + 1 },
	{ DT_EV_RETRY,		5, DT_NUM_PART, "K/M", 0, 0 },
};
const size_t dt_event_nnums = sizeof(dt_event_nums) / sizeof(*dt_event_nums);

/* "K/M", part K of M, M from 2 to DT_FIELDS_MAX as dt-feed splits: M. */
static double
part_of(const char *s, const char **errstr)
{
	const char *e1, *e2, *slash = strchr(s, '/');
	char *k;
	long long nk, nm;

	*errstr = "not a part K of M";
	if (slash == NULL)
		return 0;
	k = dt_xasprintf("%.*s", (int)(slash - s), s);
	nk = dt_strtonum(k, 1, DT_FIELDS_MAX, &e1);
	free(k);
	nm = dt_strtonum(slash + 1, 2, DT_FIELDS_MAX, &e2);
	if (e1 != NULL || e2 != NULL || nk > nm)
		return 0;
	*errstr = NULL;
	return nm;
}

/*
 * What is wrong with the numbers of a line of verb v, as a message to
 * free, or NULL when nothing is; their values go to val, by field.  An empty K/M
 * is no part.
 */
char *
dt_event_numbers(int v, char **f, int k, double *val)
{
	const struct dt_num *n;
	struct dt_buf q = { 0 };
	const char *e = NULL;
	char *why;

	for (n = dt_event_nums; n < dt_event_nums + dt_event_nnums; n++) {
		if (n->verb != v || n->field >= k)
			continue;
		if (n->kind == DT_NUM_INT)
			val[n->field] = dt_strtonum(f[n->field], n->min,
			    n->max, &e);
		else if (n->kind == DT_NUM_SECS)
			val[n->field] = dt_strtosecs(f[n->field], &e);
		else if (*f[n->field] != '\0')
			val[n->field] = part_of(f[n->field], &e);
		if (e != NULL)
			break;
	}
	if (e == NULL)
		return NULL;
	/* The field as the line had it, escaped, cut short. */
	dt_escape(&q, f[n->field], strlen(f[n->field]) > 40 ? 40 :
	    strlen(f[n->field]));
	dt_buf_adds(&q, strlen(f[n->field]) > 40 ? "..." : "");
	if (n->kind == DT_NUM_PART)
		why = dt_xasprintf("%s: %s \"%s\" is %s (expected 1 <= K <= "
		    "M, 2 <= M <= %d)", f[0], n->name, q.s, e, DT_FIELDS_MAX);
	else if (n->kind == DT_NUM_SECS)
		why = dt_xasprintf("%s: %s \"%s\" is %s (expected 0 to "
		    "%.0f)", f[0], n->name, q.s, e, DT_SECONDS_MAX);
	else
		why = dt_xasprintf("%s: %s \"%s\" is %s (expected %lld to "
		    "%lld)", f[0], n->name, q.s, e, n->min, n->max);
	dt_buf_free(&q);
	return why;
}

/* An event read on stdin; a known verb with too few fields, or a bad
 * number, is fatal. */
int
dt_event(char **f, int k, unsigned long lineno)
{
	int v = dt_verb(dt_events, DT_EV_MAX, f, k);

	double val[DT_EV_NUMFIELDS];
	char *why;

	if (v == -2)
		dt_die(DT_EX_DATA, "stdin line %lu: \"%s\" needs %d fields, "
		    "has %d", lineno, f[0], dt_verb_fields(dt_events,
		    DT_EV_MAX, f[0]), k);
	if (v >= 0 && (why = dt_event_numbers(v, f, k, val)) != NULL)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", lineno, why);
	return v;
}

int
dt_verb_fields(const struct dt_verb *table, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (table[i].name != NULL && strcmp(table[i].name, name) == 0)
			return table[i].fields;
	return 0;
}

/* A "set" line's value into the variable its key names, if one does. */
int
dt_set(const struct dt_setting_var *vars, const char *key, const char *value)
{
	for (; vars->key != NULL; vars++)
		if (strcmp(vars->key, key) == 0) {
			free(*vars->var);
			*vars->var = dt_xstrdup(value);
			return 1;
		}
	return 0;
}

/* A "node" event's fields. */
void
dt_node_line(struct dt_node_line *nl, char **f, int k)
{
	nl->name = dt_xstrdup(f[1]);
	nl->runners = dt_xstrdup(f[2]);
	nl->host = dt_xstrdup(f[3]);
	nl->rsh = dt_xstrdup(f[4]);
	nl->workdir = dt_xstrdup(f[5]);
	nl->spawn = k > 6 && *f[6] ? dt_xstrdup(f[6]) : NULL;
}

/*
 * The element of an array of n structs of the given size, each starting
 * with its struct dt_node_line, whose node has that name; NULL if none.
 */
void *
dt_node_find(void *base, size_t n, size_t size, const char *name)
{
	char *p = base;
	size_t i;

	for (i = 0; i < n; i++, p += size)
		if (strcmp(((struct dt_node_line *)(void *)p)->name, name) == 0)
			return p;
	return NULL;
}
