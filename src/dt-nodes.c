/*
 * dt-nodes: check every node of the configuration at once, through the
 * same channel a run would use, and print what each says of itself:
 * reachable or why not, dt-spawn's version, whether the socket unit
 * answered, its cores, load and free disk where the copies go.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-nodes [-t seconds]"

enum { K_VERSION, K_VIA, K_CORES, K_LOAD, K_FREE, K_HOST, K_USER, K_N };
static const char *const keys[K_N] = {
	"version", "via", "cores", "load", "free-gb", "host", "user"
};

struct node {
	struct dt_node_line nl;
	struct dt_chan	 ch;
	int		 open, done;
	char		*v[K_N];
	char		*why;		/* set when the node is down */
};

static struct node *nodes;
static size_t nnodes;
static char *spawn;

static void
finish(struct node *n, const char *why)
{
	char *closewhy = dt_chan_close(&n->ch, why != NULL || !n->done);

	if (!n->done && n->why == NULL)
		n->why = dt_xstrdup(why ? why : closewhy ? closewhy :
		    "the channel closed before the answer");
	free(closewhy);
	dt_chan_free(&n->ch);
	n->open = 0;
}

/* One line from dt-spawn; non-zero when the channel was closed. */
static int
reply(void *arg, char **f, int k)
{
	struct node *n = arg;
	int i;

	switch (dt_verb(dt_replies, DT_RP_MAX, f, k)) {
	case DT_RP_INFO:
		for (i = 0; i < K_N; i++)
			if (strcmp(f[1], keys[i]) == 0) {
				free(n->v[i]);
				n->v[i] = dt_xstrdup(f[2]);
			}
		return 0;
	case DT_RP_INFO_END:
		n->done = 1;
		finish(n, NULL);
		return 1;
	}
	return 0;
}

static void
channel_read(struct node *n)
{
	char *why;
	int rc;

	rc = dt_chan_read(&n->ch, reply, n, &why);
	if (rc < 0) {
		/* A version mismatch is the answer, not a failure to get one. */
		finish(n, why);
		free(why);
	} else if (rc > 0 && n->open)
		finish(n, NULL);
}

static void
event(char *l, size_t len, unsigned long lineno)
{
	char *f[DT_FIELDS_MAX];
	struct node *n;
	int k;

	k = dt_split(l, len, f, DT_FIELDS_MAX);
	if (k < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", lineno, dt_line_error);
	switch (dt_event(f, k, lineno)) {
	case DT_EV_SET:
		if (strcmp(f[1], "spawn") == 0) {
			free(spawn);
			spawn = dt_xstrdup(f[2]);
		}
		break;
	case DT_EV_NODE:
		nodes = dt_xrealloc(nodes, nnodes + 1, sizeof(*nodes));
		n = &nodes[nnodes++];
		memset(n, 0, sizeof(*n));
		dt_node_line(&n->nl, f, k);
		if (strcmp(n->nl.runners, "0") == 0) {
			free(n->nl.runners);
			n->nl.runners = dt_xstrdup("auto");
		}
		break;
	}
}

static const char *
val(struct node *n, int k)
{
	return n->v[k] ? n->v[k] : "-";
}

/* Ask every node for its facts at once. */
static void
ask_all(void)
{
	size_t i;

	for (i = 0; i < nnodes; i++) {
		struct node *n = &nodes[i];
		const char *sp = n->nl.spawn ? n->nl.spawn : spawn;

		if (sp == NULL || dt_chan_open(&n->ch, n->nl.name, n->nl.host,
		    n->nl.rsh, sp) < 0 || dt_send(n->ch.c.in, "info", n->nl.workdir,
		    (char *)NULL) < 0) {
			n->why = dt_xasprintf("cannot open a channel: %s",
			    sp ? strerror(errno) : "no spawn setting");
			continue;
		}
		n->open = 1;
		n->ch.quiet = 1;
	}
}

/* Read the answers until every node answered or the time is up. */
static void
wait_answers(long timeout)
{
	struct dt_stage ps = { 0 };	/* only its poll set: no stage */
	double start, now;
	size_t i, k;
	int open;

	start = dt_now();
	for (;;) {
		ps.n = 0;
		for (i = open = 0; i < nnodes; i++)
			if (nodes[i].open) {
				open++;
				dt_chan_watch(&nodes[i].ch, &ps, i);
			}
		if (open == 0 || dt_now() - start > timeout)
			break;
		if (poll(ps.pfd, ps.n, 500) < 0 && errno != EINTR)
			dt_die_sys(DT_EX_SYS, "poll");
		/* dt-spawn heard "set heartbeat": it must hear pings too. */
		now = dt_now();
		for (i = 0; i < nnodes; i++)
			if (nodes[i].open)
				dt_chan_tick(&nodes[i].ch, now);
		/* stderr goes to the log stream; here we want it. */
		for (k = 0; k < ps.n; k++) {
			struct node *n = &nodes[ps.who[k] / 2];

			if (n->open && dt_chan_polled(&n->ch, &ps, k))
				channel_read(n);
		}
	}
	for (i = 0; i < nnodes; i++)
		if (nodes[i].open) {
			char *why = dt_xasprintf("no answer in %lds", timeout);

			finish(&nodes[i], why);
			free(why);
		}
	free(ps.pfd);
	free(ps.who);
}

/* The table; the number of nodes down. */
static int
print_table(void)
{
	size_t i;
	int down = 0;

	printf("%-12s %-5s %-8s %-12s %-7s %-5s %-6s %-8s %s\n", "NODE",
	    "STATE", "VERSION", "VIA", "RUNNERS", "CORES", "LOAD", "FREE",
	    "WHERE");
	for (i = 0; i < nnodes; i++) {
		struct node *n = &nodes[i];
		char free_gb[32], where[512];

		if (n->why != NULL) {
			down++;
			printf("%-12s %-5s %s\n", n->nl.name, "DOWN", n->why);
			continue;
		}
		snprintf(free_gb, sizeof(free_gb), "%sG", val(n, K_FREE));
		snprintf(where, sizeof(where), "%s@%s:%s", val(n, K_USER),
		    val(n, K_HOST), n->nl.workdir);
		printf("%-12s %-5s %-8s %-12s %-7s %-5s %-6s %-8s %s\n",
		    n->nl.name, "up", val(n, K_VERSION), val(n, K_VIA), n->nl.runners,
		    val(n, K_CORES), val(n, K_LOAD), free_gb, where);
	}
	return down;
}

int
main(int argc, char *argv[])
{
	struct dt_reader in;
	const char *e;
	char *l;
	size_t len;
	int rc, ch;
	long timeout = 20;

	dt_hygiene();
	dt_setprog(argv[0]);
	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			timeout = dt_strtonum(optarg, 1, 3600, &e);
			if (e != NULL)
				dt_die(DT_EX_USAGE, "-t %s: %s", optarg, e);
			break;
		default:
			dt_usage(USAGE);
		}
	}
	if (optind != argc)
		dt_usage(USAGE);
	dt_raise_nofile();
	dt_rd_init(&in, 0, "stdin");
	while ((rc = dt_rd_getline(&in, &l, &len)) > 0)
		event(l, len, in.lineno);
	if (rc < 0)
		dt_die(DT_EX_DATA, "stdin line %lu: %s", in.lineno,
		    dt_line_error);
	if (nnodes == 0)
		dt_die(DT_EX_DATA, "stdin: no node lines");

	ask_all();
	wait_answers(timeout);
	return print_table() ? DT_EX_INCOMPLETE : DT_EX_OK;
}
