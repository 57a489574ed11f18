/*
 * dt-prep: run node_setup once on every node that dt-sync has copied the
 * project to, through a channel to the node's dt-spawn, all nodes at
 * once.  node_setup's output goes to the log; a node whose node_setup
 * fails leaves the run with a node-down line, and a node whose setup
 * worked is announced ready.  Every other line passes through.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt.h"

#define USAGE "dt-prep"

struct node {
	struct dt_node_line nl;
	struct dt_chan	 ch;
	int		 open;		/* node_setup is running */
	int		 held;		/* done; the channel is kept */
	char		*last;		/* node_setup's last line not blank */
};

static struct node *nodes;
static size_t nnodes;
static int nopen, nheld, hold, hold_this = 1;
static int listed;		/* the list of files came whole */
static char *initiator, *user, *name, *spawn;
static char **envs;		/* set env: for node_setup, as the runners */
static size_t nenvs;

static void
finish(struct node *n, const char *verb, const char *stage, const char *why)
{
	char *closewhy, secs[32];

	snprintf(secs, sizeof(secs), "%.3f", dt_now() - n->ch.started);
	if (why == NULL && strcmp(verb, "ready") == 0 && hold && hold_this) {
		/*
		 * What node_setup left running (a database server, say)
		 * belongs to the run: dt-spawn kills it when this channel
		 * closes, so keep the channel until the run is over.
		 */
		dt_emit("ready", n->nl.name, secs, (char *)NULL);
		n->open = 0;
		n->held = 1;
		nopen--;
		nheld++;
		return;
	}
	closewhy = dt_chan_close(&n->ch, why != NULL);
	if (why == NULL && strcmp(verb, "ready") == 0)
		dt_emit("ready", n->nl.name, secs, (char *)NULL);
	else
		dt_emit("node-down", n->nl.name, stage,
		    why ? why : closewhy ? closewhy : "channel closed",
		    (char *)NULL);
	free(closewhy);
	dt_chan_free(&n->ch);
	n->open = 0;
	nopen--;
}

static void
start(struct node *n)
{
	char *dir, *why;
	size_t i;

	if (spawn == NULL || initiator == NULL || user == NULL || name == NULL)
		dt_die(DT_EX_DATA, "stdin: synced before the spawn, initiator, "
		    "user and name settings");
	if (dt_chan_open(&n->ch, n->nl.name, n->nl.host, n->nl.rsh,
	    n->nl.spawn ? n->nl.spawn : spawn) < 0) {
		why = dt_xasprintf("cannot open a channel: %s",
		    strerror(errno));
		dt_emit("node-down", n->nl.name, "channel", why, (char *)NULL);
		free(why);
		return;
	}
	n->open = 1;
	nopen++;
	dir = dt_copy_dir(n->nl.workdir, initiator, user, name);
	if (dt_send(n->ch.c.in, "set", "dir", dir, (char *)NULL) < 0 ||
	    dt_send(n->ch.c.in, "set", "node", n->nl.name, (char *)NULL) < 0)
		goto fail;
	for (i = 0; i < nenvs; i++)
		if (dt_send(n->ch.c.in, "set", "env", envs[i],
		    (char *)NULL) < 0)
			goto fail;
	if (dt_send(n->ch.c.in, "prep", (char *)NULL) < 0)
		goto fail;
	free(dir);
	return;
fail:
	finish(n, "node-down", "channel", NULL);
	free(dir);
}

/* One line from dt-spawn; non-zero when the channel was closed. */
static int
reply(void *arg, char **f, int k)
{
	struct node *n = arg;
	const char *e;
	char *why;
	int st;

	switch (dt_verb(dt_replies, DT_RP_MAX, f, k)) {
	case DT_RP_PREP_OUT:
		dt_emit("log", n->nl.name, f[1], (char *)NULL);
		if (!dt_blank(f[1], strlen(f[1]))) {
			free(n->last);
			n->last = dt_xstrdup(f[1]);
		}
		return 0;
	case DT_RP_PREP_DONE:
		st = dt_strtonum(f[1], -1, 255, &e);
		if (e == NULL && st < 0) {
			/* No node_setup: nothing left running to hold for. */
			hold_this = 0;
			finish(n, "ready", NULL, NULL);
			hold_this = 1;
		} else if (e == NULL && st == 0)
			finish(n, "ready", NULL, NULL);
		else {
			why = dt_xasprintf("node_setup exited %s%s%s", f[1],
			    n->last ? ": " : "", n->last ? n->last : "");
			finish(n, "node-down", "prep", why);
			free(why);
		}
		return 1;
	case DT_RP_ERROR:
		finish(n, "node-down", "channel", k > 1 ? f[1] : "");
		return 1;
	}
	return 0;
}

static void
channel_read(struct node *n)
{
	char *why;
	ssize_t r;
	int rc;

	if (n->held) {
		r = dt_rd_fill(&n->ch.rd);
		if (r < 0 && errno == EAGAIN)
			return;
		if (r > 0)
			n->ch.heard = dt_now();	/* its pings */
		n->ch.rd.len = 0;	/* nothing more is expected */
		if (r <= 0) {
			free(dt_chan_close(&n->ch, 0));
			dt_chan_free(&n->ch);
			n->held = 0;
			nheld--;
		}
		return;
	}
	rc = dt_chan_read(&n->ch, reply, n, &why);
	if (rc < 0) {
		finish(n, "node-down", "channel", why);
		free(why);
	} else if (rc > 0 && n->open)
		finish(n, "node-down", "channel", NULL);
}

/*
 * Pings out.  A node silent for three heartbeats while node_setup runs
 * is down.  A held channel is only pinged: closing it would end what
 * node_setup started, and if the node is really gone, dt-feed's own
 * channel to it says so, and dt-spawn there ends it all by itself.
 */
static void
heartbeats(void)
{
	double now = dt_now();
	char *why;
	size_t i;

	for (i = 0; i < nnodes; i++) {
		struct node *n = &nodes[i];

		if (n->held)
			dt_chan_tick(&n->ch, now);
		else if (n->open && dt_chan_beat(&n->ch, now, &why)) {
			finish(n, "node-down", "channel", why);
			free(why);
		}
	}
}

static const struct dt_setting_var settings[] = {
	{ "initiator", &initiator }, { "user", &user }, { "name", &name },
	{ "spawn", &spawn }, { NULL, NULL }
};

static void
event(char *l, size_t len, char **f, int k, unsigned long lineno)
{
	struct node *n;

	dt_pass(l, len);
	switch (dt_event(f, k, lineno)) {
	case DT_EV_SET:
		if (strcmp(f[1], "env") == 0) {
			envs = dt_xrealloc(envs, nenvs + 1, sizeof(*envs));
			envs[nenvs++] = dt_xstrdup(f[2]);
		} else
			dt_set(settings, f[1], f[2]);
		break;
	case DT_EV_NODE:
		nodes = dt_xrealloc(nodes, nnodes + 1, sizeof(*nodes));
		n = &nodes[nnodes++];
		memset(n, 0, sizeof(*n));
		dt_node_line(&n->nl, f, k);
		break;
	case DT_EV_TESTS_END:
		listed = 1;
		break;
	case DT_EV_SYNCED:
		n = dt_node_find(nodes, nnodes, sizeof(*nodes), f[1]);
		if (n == NULL)
			dt_die(DT_EX_DATA, "stdin line %lu: synced names "
			    "unknown node \"%s\"", lineno, f[1]);
		if (!n->open && !n->held)
			start(n);
		break;
	}
}

static void
kill_all(void)
{
	size_t i;

	for (i = 0; i < nnodes; i++)
		if ((nodes[i].open || nodes[i].held) && nodes[i].ch.c.pid > 0)
			kill(nodes[i].ch.c.pid, SIGTERM);
}

int
main(int argc, char *argv[])
{
	struct dt_stage st;
	struct stat sb;
	size_t i, k;
	int ch;

	dt_hygiene();
	dt_setprog(argv[0]);
	dt_die_with_parent();
	while ((ch = getopt(argc, argv, "")) != -1)
		dt_usage(USAGE);
	if (optind != argc)
		dt_usage(USAGE);
	atexit(kill_all);
	dt_stage_init(&st, "stdin", 0);
	dt_raise_nofile();
	(void)dt_heartbeat();	/* a bad value is a usage error, now */
	/* Into a pipe, channels are held until the reader is done. */
	hold = fstat(1, &sb) == 0 && S_ISFIFO(sb.st_mode);
	/*
	 * Input that ends before the list of files did means a stage before
	 * us died: nothing will run, so no node_setup is waited for, and
	 * nothing is held for the run.
	 */
	while (!st.eof || (listed && (nopen > 0 || nheld > 0))) {
		dt_stage_begin(&st);
		for (i = 0; i < nnodes; i++)
			if (nodes[i].open || nodes[i].held)
				dt_chan_watch(&nodes[i].ch, &st, i);
		dt_stage_wait(&st, dt_heartbeat() > 0 ? 1000 : -1, 0);
		for (k = DT_STAGE_OWN; k < st.n; k++) {
			struct node *n = &nodes[st.who[k] / 2];

			if ((n->open || n->held) && dt_chan_polled(&n->ch, &st, k))
				channel_read(n);
		}
		/* After the reads: what waited in a pipe was heard. */
		heartbeats();
		dt_stage_read(&st, event);
	}
	return 0;
}
