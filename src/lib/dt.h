/*
 * The distributest internal library: one concern per file, names prefixed
 * with dt_.  Every program links it statically.
 */
#ifndef DT_H
#define DT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#define DT_PROTOCOL 2	/* 2: run requests name units, results time them */
#define DT_PROTOCOL_S "2"
#define DT_LINE_MAX 65536	/* escaped bytes in one line, newline excluded */
#define DT_FIELDS_MAX 4096	/* a run request names up to 4000 units */

/* Exit statuses: the one table, documented in distributest(1). */
enum {
	DT_EX_OK = 0,		/* every file ran and passed */
	DT_EX_FAILED = 1,	/* a test failed or a file had an error */
	DT_EX_INCOMPLETE = 2,	/* a file could not be run, or no runner came up */
	DT_EX_NOTESTS = 3,	/* no test file was found */
	DT_EX_USAGE = 100,	/* bad option, bad configuration */
	DT_EX_DATA = 101,	/* malformed event or protocol line */
	DT_EX_SYS = 111,	/* a system call failed */
	DT_EX_NOEXEC = 126,
	DT_EX_NOTFOUND = 127,
	DT_EX_SIGNAL = 128	/* plus the signal number */
};

/* dt_err.c: messages as "prog: what failed: why". */
extern const char *dt_prog;
void dt_setprog(const char *);
noreturn void dt_die(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));
noreturn void dt_die_sys(int, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void dt_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void dt_warn_sys(const char *, ...) __attribute__((format(printf, 1, 2)));
int dt_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void dt_hygiene(void);
void dt_out_failed(void);
noreturn void dt_usage(const char *);
long long dt_strtonum(const char *, long long, long long, const char **);
#define DT_COUNT_MAX 1000000000LL	/* a count in an event: files, examples */
#define DT_SECONDS_MAX 1e9		/* seconds in an event or the timings */
double dt_strtosecs(const char *, const char **);
#define DT_SHARES_MAX 1024	/* the N of --partition K/N */
void dt_share(const char *, long *, long *, const char **);

/* dt_aux.c: allocation that dies rather than fails, and the clock. */
void *dt_xmalloc(size_t);
void *dt_xcalloc(size_t, size_t);
void *dt_xrealloc(void *, size_t, size_t);
char *dt_xstrdup(const char *);
char *dt_xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));
char *dt_xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
double dt_now(void);

/* dt_buf.c: growable byte buffers. */
struct dt_buf {
	char	*s;
	size_t	 len, cap;
};
void dt_buf_add(struct dt_buf *, const void *, size_t);
void dt_buf_adds(struct dt_buf *, const char *);
void dt_buf_addf(struct dt_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void dt_buf_addc(struct dt_buf *, int);
void dt_buf_reset(struct dt_buf *);
void dt_buf_free(struct dt_buf *);

/* dt_line.c: the line codec shared by events, the channel and adapters. */
struct dt_reader {
	int		 fd;
	const char	*name;		/* for messages: "stdin", "channel to x" */
	char		*buf;
	size_t		 start, len, cap;
	unsigned long	 lineno;
	int		 eof;
};
extern const char *dt_line_error;
void dt_rd_init(struct dt_reader *, int, const char *);
void dt_rd_free(struct dt_reader *);
ssize_t dt_rd_fill(struct dt_reader *);
int dt_rd_line(struct dt_reader *, char **, size_t *);
int dt_rd_getline(struct dt_reader *, char **, size_t *);
int dt_blank(const char *, size_t);
int dt_split(char *, size_t, char **, int);
void dt_escape(struct dt_buf *, const char *, size_t);
void dt_line_begin(struct dt_buf *, const char *);
void dt_line_field(struct dt_buf *, const char *);
void dt_line_fieldn(struct dt_buf *, const char *, size_t);
void dt_line_fieldf(struct dt_buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int dt_line_send(int, struct dt_buf *);
int dt_write_all(int, const void *, size_t);
int dt_vsend(int, const char *, va_list);
int dt_send(int, const char *, ...);
void dt_line_finish(struct dt_buf *);
char *dt_hello_mismatch(char **, int, const char *, const char *);
int dt_check_hello(char **, int, const char *, const char *);

/* dt_proc.c: children, pipes and signals. */
struct dt_child {
	pid_t	 pid;
	int	 in;		/* write end of the child's stdin, or -1 */
	int	 out;		/* read end of the child's stdout, or -1 */
	int	 err;		/* read end of the child's stderr, or -1 */
};
int dt_spawn(struct dt_child *, char *const[], int);
void dt_exec_script(char *const[]);
#define DT_SPAWN_IN	1
#define DT_SPAWN_OUT	2
#define DT_SPAWN_ERR	4
#define DT_SPAWN_ERR2OUT 8
#define DT_SPAWN_PGRP	16
#define DT_SPAWN_NULLIN	32
int dt_wait_status(int);
const char *dt_status_str(int, char *, size_t);
void dt_cloexec(int);
void dt_nonblock(int);
void dt_close(int *);
void dt_die_with_parent(void);
void dt_raise_nofile(void);

/* Seconds a runner has to end its framework's session when a run ends. */
#define DT_SESSION_END 10

/* dt_chan.c: channels to a node's dt-spawn. */
struct dt_chan {
	char		*node;
	struct dt_child	 c;
	struct dt_reader rd;
	struct dt_buf	 errpart, lasterr;
	double		 started;
	double		 heard, pinged;	/* last line in, last ping out */
	int		 hello;		/* the peer's hello was read */
	int		 quiet;		/* keep stderr's last line, emit none */
	double		 kill_at;	/* abandoned: SIGKILL then, if not gone */
};
int dt_heartbeat(void);
void dt_chan_sink(void (*)(const char *, size_t));
int dt_chan_beat(struct dt_chan *, double, char **);
struct dt_stage;
void dt_chan_watch(const struct dt_chan *, struct dt_stage *, size_t);
int dt_chan_polled(struct dt_chan *, const struct dt_stage *, size_t);
void dt_chan_tick(struct dt_chan *, double);
int dt_spawn_on(struct dt_child *, const char *, const char *, const char *,
    const char *, int);
int dt_chan_open(struct dt_chan *, const char *, const char *, const char *,
    const char *);
int dt_chan_read(struct dt_chan *, int (*)(void *, char **, int), void *,
    char **);
char *dt_chan_close(struct dt_chan *, int);
void dt_chan_abandon(struct dt_chan *);
int dt_chan_reap(struct dt_chan *, double);
char *dt_chan_close_lines(struct dt_chan *, int (*)(void *, char **, int),
    void *);
void dt_chan_free(struct dt_chan *);

/* dt_verb.c: the verbs of the event stream and of the channel. */
struct dt_verb {
	const char	*name;
	int		 fields;	/* at least, the verb included */
	int		 who;		/* field 1 names a node, or a runner */
};
enum { DT_EV_HELLO, DT_EV_SET, DT_EV_NODE, DT_EV_TEST, DT_EV_TESTS_END,
    DT_EV_SYNCED, DT_EV_NODE_DOWN, DT_EV_LOG, DT_EV_READY, DT_EV_RUNNER_UP,
    DT_EV_RUNNER_DOWN, DT_EV_SPLIT, DT_EV_ASSIGN, DT_EV_OUT, DT_EV_FAIL,
    DT_EV_PENDING, DT_EV_UNIT, DT_EV_COUNT, DT_EV_DONE, DT_EV_REQUEUE,
    DT_EV_TIMEOUT, DT_EV_LOST, DT_EV_ARTIFACTS, DT_EV_END, DT_EV_RETRY,
    DT_EV_MAX };
enum { DT_RQ_HELLO, DT_RQ_SET, DT_RQ_PREP, DT_RQ_START, DT_RQ_RUN,
    DT_RQ_KILL, DT_RQ_PING, DT_RQ_INFO, DT_RQ_CAP, DT_RQ_REPLACED,
    DT_RQ_MAX };
enum { DT_RP_HELLO, DT_RP_STARTING, DT_RP_PREP_OUT, DT_RP_PREP_DONE,
    DT_RP_RUNNER_UP, DT_RP_RUNNER_DOWN, DT_RP_OUT, DT_RP_FAIL, DT_RP_PENDING,
    DT_RP_UNIT, DT_RP_COUNT, DT_RP_DONE, DT_RP_LOST, DT_RP_INFO,
    DT_RP_INFO_END, DT_RP_ERROR, DT_RP_PING, DT_RP_ARTIFACTS, DT_RP_MAX };
extern const struct dt_verb dt_events[DT_EV_MAX];
extern const struct dt_verb dt_requests[DT_RQ_MAX];
extern const struct dt_verb dt_replies[DT_RP_MAX];
int dt_verb(const struct dt_verb *, int, char **, int);
int dt_verb_fields(const struct dt_verb *, int, const char *);
#define DT_EV_NUMFIELDS 11	/* fields up to the last number's */
enum { DT_NUM_INT, DT_NUM_SECS, DT_NUM_PART };
struct dt_num {			/* a field of an event that is a number */
	int		 verb, field, kind;
	const char	*name;
	long long	 min, max;
};
extern const struct dt_num dt_event_nums[];
extern const size_t dt_event_nnums;
char *dt_event_numbers(int, char **, int, double *);
int dt_event(char **, int, unsigned long);
struct dt_setting_var {
	const char	*key;
	char		**var;
};
int dt_set(const struct dt_setting_var *, const char *, const char *);
struct dt_node_line {		/* first in a program's struct of a node */
	char	*name, *runners, *host, *rsh, *workdir, *spawn;
};
void dt_node_line(struct dt_node_line *, char **, int);
void *dt_node_find(void *, size_t, size_t, const char *);

/* dt_socket.c: dt-spawn's socket side, the relay and the peer switch. */
int dt_connect_service(const char *);
noreturn void dt_relay(int);
void dt_become_peer(void);

/* dt_stage.c: the loop of a pipeline stage, and its events out. */
enum { DT_STAGE_IN, DT_STAGE_SIG, DT_STAGE_OUT, DT_STAGE_OWN };	/* slots */
#define DT_STAGE_CHILDREN 1	/* init: SIGCHLD too; wait: a child changed */
#define DT_STAGE_CHANNEL 2	/* init: stdout is the channel, not a pipe */
#define DT_STAGE_WRITABLE 4	/* wait: stdout takes more */
struct dt_stage {
	struct dt_reader in;
	int		 sfd, flags;
	int		 eof;		/* stdin has ended */
	ssize_t		 got;		/* what the last read of stdin gave */
	struct pollfd	*pfd;		/* the slots above, then the stage's */
	size_t		*who;		/* the stage's tag for each slot */
	size_t		 n, cap;
	void		(*lastwords)(int);	/* before exiting 128+N */
};
void dt_stage_init(struct dt_stage *, const char *, int);
void dt_stage_begin(struct dt_stage *);
void dt_stage_watch(struct dt_stage *, int, short, size_t);
int dt_stage_wait(struct dt_stage *, int, short);
typedef void (*dt_stage_fn)(char *, size_t, char **, int, unsigned long);
int dt_stage_read(struct dt_stage *, dt_stage_fn);
void dt_emit(const char *, ...);
void dt_pass(char *, size_t);

/* dt_conf.c: the configuration files, merged key by key. */
struct dt_origin {
	const char	*file;		/* NULL for a built-in default */
	int		 line;
};
struct dt_setting {
	char		*value;
	struct dt_origin origin;
};
struct dt_node {
	char		*name;
	struct dt_setting host, user, runners, rsh, workdir, spawn;
};
enum { DT_RUN_FRAMEWORK, DT_RUN_COMMAND, DT_RUN_TESTS, DT_RUN_EXCLUDE,
    DT_RUN_WORKDIR, DT_RUN_NODE_SETUP, DT_RUN_RUNNER_SETUP, DT_RUN_RETRIES,
    DT_RUN_ARGS, DT_RUN_ISOLATE, DT_RUN_RUNNER_DIR, DT_RUN_SPLIT,
    DT_RUN_BUNDLER, DT_RUN_KEEP, DT_RUN_ENV, DT_RUN_PYTHON, DT_RUN_TIMEOUT,
    DT_RUN_PROJECT_COMMANDS, DT_RUN_ARTIFACTS, DT_RUN_RETRY, DT_RUN_FLAKY,
    DT_RUN_PRELOAD, DT_RUN_NKEYS };
#define DT_RETRY_MAX 10		/* tries again of what failed: retry */
extern const char *const dt_run_keys[DT_RUN_NKEYS];
struct dt_conf {
	struct dt_setting run[DT_RUN_NKEYS];
	struct dt_node	*nodes;
	size_t		 nnodes;
	int		 nodes_from_file;
	const char	*file;		/* the file being read */
	int		 line;
	char		*errmsg;	/* first error, with its line */
	int		 errline;
	FILE		*fp;
	char		**files;	/* the names origins point at */
	size_t		 nfiles;
};
#define DT_RUNNERS_MAX 1024	/* runners on one node */
void dt_conf_init(struct dt_conf *);
int dt_conf_load(struct dt_conf *, const char *, int);
void dt_conf_free(struct dt_conf *);
struct dt_node *dt_conf_node(struct dt_conf *, const char *);
char *dt_copy_dir(const char *, const char *, const char *, const char *);

/* dt_preload.c: a node's preloaded template, the runners' side. */
int dt_preload_go(int, int);
int dt_preload_pass(int, int);
void dt_preload_run(int, char *const []);

/* dt_queue.c: the order in which test files are handed out. */
struct dt_test {
	char	*path;
	long long size;
	double	 time;		/* last recorded seconds, < 0 when unknown */
	double	 est;		/* what the queue expects, < 0 when unknown */
	int	 tries;		/* runs lost: retries */
	int	 attempt;	/* runs that failed before this one: retry */
	int	 from_node, from_r;	/* where the last failed: index + 1 */
	double	 queued;	/* when a retry was queued */
	int	 part, nparts;	/* part 1..nparts of a split file, or 0 */
	int	 except;	/* run the units not in ids, not those in it */
	char	**ids;		/* units of path: the part's, or the others' */
	size_t	 nids;
};
double dt_queue_median(struct dt_test *const *, size_t);
void dt_queue_sort(struct dt_test **, size_t);

/* dt_timings.c: the timings table in .distributest/. */
#define DT_SAMPLES 3
struct dt_timing {
	char	*path;
	char	*unit;			/* a unit of path (an example), or NULL */
	double	 seconds;		/* the median of the samples */
	double	 samples[DT_SAMPLES];	/* the latest runs, newest first */
	int	 nsamples;
	long	 flaky;			/* runs it failed, then passed */
	size_t	 seq;			/* line order while reading */
};
struct dt_timings {
	struct dt_timing *v;
	size_t	 n, cap;
	int	 sorted;
	size_t	*index;		/* hash of path and unit: position + 1 */
	size_t	 nindex;	/* its slots; 0 when v was reordered */
};
int dt_timings_read(struct dt_timings *, const char *);
int dt_timings_write(const struct dt_timings *, const char *);
double dt_timings_get(const struct dt_timings *, const char *);
void dt_timings_set(struct dt_timings *, const char *, double);
void dt_timings_record(struct dt_timings *, const char *, double);
void dt_timings_retain(struct dt_timings *, char *const *, size_t);
void dt_timings_record_unit(struct dt_timings *, const char *, const char *,
    double);
size_t dt_timings_units(const struct dt_timings *, const char *,
    const struct dt_timing **);
void dt_timings_keep_units(struct dt_timings *, const char *, char *const *,
    size_t);
void dt_timings_flaky(struct dt_timings *, const char *, const char *, long);
void dt_timings_free(struct dt_timings *);

/* dt_tree.c: a runner's own tree, removing a tree, a directory of our own. */
int dt_sync_tree(const char *, const char *, char *, size_t);
void dt_rm_tree(const char *);
int dt_private_dir(const char *, int, char *, size_t);
int dt_has_dotdot(const char *);
int dt_move_out(const char *, const char *, const char *, char *, size_t);
void dt_tree_count(const char *, long long *, long long *);

/* dt_digest.c: a tree as rsync's quick check sees it, and its patterns. */
extern const char *const dt_sync_excludes[];
int dt_rsync_match(const char *, const char *, int);
struct dt_manifest;
int dt_tree_digest(const char *const *, int, const char *const *, size_t,
    int, char [33], char *, size_t, long *, struct dt_manifest *);

/* dt_manifest.c: the directories of a digest, to find those that changed. */
struct dt_mdir {
	char	*path;		/* "" for the top */
	char	 hex[33];	/* the digest of its own entries */
};
struct dt_manifest {
	struct dt_mdir	*v;
	size_t		 n, cap;
};
void dt_manifest_sort(struct dt_manifest *);
void dt_manifest_free(struct dt_manifest *);
int dt_manifest_save(const struct dt_manifest *, const char *, const char *,
    char *, size_t);
long dt_manifest_changed(const struct dt_manifest *, const char *,
    const char *, struct dt_buf *);

/* dt_glob.c: shell patterns where ** spans directories. */
int dt_glob_match(const char *, const char *);

#endif
