/*
 * dt-timeline's parts: the stamps of a log and its clock, the text of
 * the page, the ticks of its axis, and what a log makes of bars, phases
 * and the lower bound.
 */
#define main dt_timeline_main
#include "../../src/dt-timeline.c"
#undef main

#include "tap.h"

static void
stamp(const char *s, double want)
{
	double got = stamp_secs(s);

	ok(got > want - 1e-9 && got < want + 1e-9, "stamp \"%s\" is %g "
	    "(got %g)", s, want, got);
}

static void
text(const char *in, const char *want, const char *what)
{
	char *s = NULL;
	size_t n = 0;
	FILE *o = open_memstream(&s, &n);

	put_text(o, in);
	fclose(o);
	is_str(s, want, "%s", what);
	free(s);
}

static void
step(double span, double want, int want_dec)
{
	int dec;
	double got = tick_step(span, &dec);

	ok(got > want * 0.999 && got < want * 1.001 && dec == want_dec,
	    "ticks over %gs: every %g, %d decimals (got %g, %d)", span, want,
	    want_dec, got, dec);
}

/* A log, read as dt-timeline reads one. */
static void
read_text(const char *log)
{
	FILE *in = fmemopen((void *)log, strlen(log), "r");

	read_log(in, "test");
	fclose(in);
}

static struct bar *
bar_of(const char *path, const char *part, int nth)
{
	size_t i;

	for (i = 0; i < nbars; i++)
		if (same(&bars[i], path, part) && nth-- == 0)
			return &bars[i];
	return NULL;
}

static const char run_log[] =
    "23:59:59.000 -\thello\tdistributest-events\t2\ttest\n"
    "23:59:59.000 a\tnode\ta\t2\tlocal\tssh\twd\tspawn\n"
    "23:59:59.500 a\tsynced\ta\t0.400\n"
    "23:59:59.900 a\tready\ta\t0.300\n"
    "00:00:00.000 a\trunner-up\ta\t1\tid1\n"
    "00:00:00.000 a\tassign\ta\t1\tt/x.t\n"
    "00:00:00.500 a\trunner-up\ta\t2\tid2\n"
    "00:00:00.500 a\tassign\ta\t2\tt/k.t\n"
    "00:00:01.000 a\trequeue\ta\t2\tt/k.t\trunner killed\n"
    "00:00:01.000 a\trunner-down\ta\t2\tkilled\treplacing\n"
    "00:00:01.500 a\trunner-up\ta\t2\tid2\n"
    "00:00:01.500 a\tassign\ta\t2\tt/k.t\n"
    "00:00:02.000 a\trequeue\ta\t2\tt/k.t\trunner killed\n"
    "00:00:02.000 -\tlost\tt/k.t\tgiven up\n"
    "00:00:03.000 a\tdone\ta\t1\tt/x.t\tfailed\t2.900\t1\t1\t0\t0\n"
    "00:00:03.000 a\tassign\ta\t1\tt/s.t\t1/2\n"
    "00:00:03.100 a\tweird\tnew verb\n"
    "00:00:04.000 a\ttimeout\ta\t1\tt/s.t\t1\t1/2\n"
    "00:00:04.000 -\tlost\tt/s.t\ttimed out after 1 s\t1/2\n"
    "00:00:04.000 -\tlost\tt/never.t\tno runner left\n"
    "00:00:04.100 a\tassign\ta\t2\tt/r.t\n"
    "00:00:04.200 a\tretry\ta\t2\tt/r.t\t2\n"
    "00:00:04.200 a\tdone\ta\t2\tt/r.t\tfailed\t0.100\t1\t1\t0\t0\n"
    "00:00:04.200 a\tassign\ta\t1\tt/r.t\n"
    "00:00:04.300 a\tdone\ta\t1\tt/r.t\tpassed\t0.100\t1\t0\t0\t0\n"
    "00:00:04.500 -\tend\tcomplete\n"
    "exit 2\n";

static void
run(void)
{
	struct bar *b;
	struct bound lb = { 0 };
	int have;

	read_text(run_log);
	ok(now > 5.5 - 1e-9 && now < 5.5 + 1e-9, "past midnight: 5.5 s "
	    "(got %g)", now);
	is_int(nbars, 6, "a bar per assign");
	b = bar_of("t/x.t", NULL, 0);
	ok(b && b->outcome == O_FAILED && b->secs == 2.9 && b->start == 1 &&
	    b->end == 4, "failed, timed by its done line, placed by the log");
	b = bar_of("t/k.t", NULL, 0);
	ok(b && b->outcome == O_REQUEUED, "the first try of a lost file: "
	    "requeued");
	b = bar_of("t/k.t", NULL, 1);
	ok(b && b->outcome == O_LOST && strcmp(b->why, "lost: given up") == 0,
	    "its last try: lost, and why");
	b = bar_of("t/s.t", "1/2", 0);
	ok(b && b->outcome == O_TIMEOUT && b->end == 5, "a part timed out "
	    "stays timed out when lost");
	b = bar_of("t/r.t", NULL, 0);
	ok(b && b->outcome == O_RETRIED && strcmp(b->why, "run again, as try "
	    "2") == 0 && (b = bar_of("t/r.t", NULL, 1)) != NULL &&
	    b->outcome == O_PASSED, "a try that failed and ran again, then "
	    "the one that passed");
	is_int(lost_files, 3, "three lost");
	is_int(lost_unrun, 1, "one never ran");
	is_int(exit_status, 2, "the exit line");
	is_int(nspans, 4, "two boots, a restart, a runner lost");
	have = lower_bound(&lb);
	ok(have && lb.longest && !lb.part &&
	    lb.secs > 3.9 - 1e-9 && lb.secs < 3.9 + 1e-9,
	    "the bound: the longest file, 2.9 s, after the first runner's "
	    "setup, 1 s (got %g)", lb.secs);
}

int
main(void)
{
	plan(26);
	stamp("00:00:00.000", 0);
	stamp("23:59:60.999", 86400.999);
	stamp("12:34:56.789 x", 45296.789);
	stamp("24:00:00.000", -1);
	stamp("12:60:00.000", -1);
	stamp("12:00:00,000", -1);
	stamp("1:00:00.000 ", -1);
	text("a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c&#39;", "markup escaped");
	text("tab\there\x7f", "tab\xe2\x90\x89here\xe2\x90\xa1",
	    "control characters as their pictures");
	text("caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "UTF-8 as it is");
	text("\xff\xc0\x80\xed\xa0\x80\xef\xbf\xbf\xe2\x82",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd",
	    "bytes that are not characters: U+FFFD each");
	step(1.01, 0.2, 1);
	step(348, 50, 0);
	step(0.05, 0.01, 2);
	run();
	return done_testing();
}
