/*
 * The verbs of the two wire formats, distributest-events(5) and
 * distributest-channel(5): each with the fields it has at least, verb
 * included, and whether its first field names a node (an event) or a
 * runner (a reply).  A program dispatches on the index through a table
 * of its own handlers.
 */
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
	[DT_EV_DONE] =		{ "done",	10, 1 },
	[DT_EV_REQUEUE] =	{ "requeue",	 5, 1 },
	[DT_EV_LOST] =		{ "lost",	 3, 0 },
	[DT_EV_END] =		{ "end",	 1, 0 },
};

const struct dt_verb dt_requests[DT_RQ_MAX] = {
	[DT_RQ_HELLO] =		{ "hello",	 3, 0 },
	[DT_RQ_SET] =		{ "set",	 3, 0 },
	[DT_RQ_PREP] =		{ "prep",	 1, 0 },
	[DT_RQ_START] =		{ "start",	 2, 0 },
	[DT_RQ_RUN] =		{ "run",	 3, 1 },
	[DT_RQ_PING] =		{ "ping",	 1, 0 },
	[DT_RQ_INFO] =		{ "info",	 1, 0 },
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
	[DT_RP_DONE] =		{ "done",	 2, 1 },
	[DT_RP_LOST] =		{ "lost",	 2, 1 },
	[DT_RP_INFO] =		{ "info",	 3, 0 },
	[DT_RP_INFO_END] =	{ "info-end",	 1, 0 },
	[DT_RP_ERROR] =		{ "error",	 1, 0 },
	[DT_RP_PING] =		{ "ping",	 1, 0 },
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

/* An event read on stdin; a known verb with too few fields is fatal. */
int
dt_event(char **f, int k, unsigned long lineno)
{
	int v = dt_verb(dt_events, DT_EV_MAX, f, k);

	if (v == -2)
		dt_die(DT_EX_DATA, "stdin line %lu: \"%s\" needs %d fields, "
		    "has %d", lineno, f[0], dt_verb_fields(dt_events,
		    DT_EV_MAX, f[0]), k);
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
