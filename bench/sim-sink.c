/*
 * sim-sink: the reader of dt-feed's output in the scale simulation
 * (bench/sim.sh).  It copies every line of its standard input to its
 * standard output behind the CLOCK_MONOTONIC time it was read, and looks
 * at dt-feed itself, process PID, from /proc at three moments: the first
 * "assign", when the RUNNERS-th "runner-up" has arrived (every channel
 * open), and "end" (before dt-feed closes its channels).  Each look is a
 * line
 *
 *	#sample NAME TIME CPU FDS HWM_KB
 *
 * CPU being the seconds dt-feed has run (its own, not its children's),
 * FDS its open file descriptors and HWM_KB its peak resident memory.
 * At end of file, when dt-feed has closed its channels and exits, a line
 * "#eof TIME".
 *
 * With a third argument, FILE, it creates FILE when every runner is up,
 * for the writer of dt-feed's input to go on.
 *
 * usage: sim-sink PID RUNNERS [FILE]
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dt.h"

static long pid;

static double
cpu_seconds(void)
{
	char path[64], buf[1024], *p;
	unsigned long long ns, ut, st;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
	if ((fp = fopen(path, "r")) != NULL) {
		i = fscanf(fp, "%llu", &ns);
		fclose(fp);
		if (i == 1)
			return ns / 1e9;
	}
	/* No schedstat: utime and stime, in clock ticks. */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(buf, sizeof(buf), fp);
	fclose(fp);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return -1;
	/* After ")": state is field 3; utime 14, stime 15. */
	for (i = 3; i < 14 && p; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, "%llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static long
fds(void)
{
	char path[64];
	struct dirent *d;
	DIR *dp;
	long n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	if ((dp = opendir(path)) == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			n++;
	closedir(dp);
	return n;
}

static long
hwm_kb(void)
{
	char path[64], buf[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(buf, sizeof(buf), fp) != NULL)
		if (sscanf(buf, "VmHWM: %ld", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

static void
sample(const char *name, double t)
{
	printf("#sample\t%s\t%.6f\t%.6f\t%ld\t%ld\n", name, t, cpu_seconds(),
	    fds(), hwm_kb());
}

int
main(int argc, char *argv[])
{
	static char obuf[1 << 20];
	struct dt_reader in;
	const char *e;
	long runners, up = 0;
	int assigned = 0, rc;
	double t;
	size_t len;
	ssize_t got;
	FILE *fp;
	char *l;

	dt_setprog(argv[0]);
	if (argc != 3 && argc != 4)
		dt_usage("sim-sink PID RUNNERS [FILE]");
	pid = dt_strtonum(argv[1], 1, 1L << 30, &e);
	if (e != NULL)
		dt_die(DT_EX_USAGE, "PID %s: %s", argv[1], e);
	runners = dt_strtonum(argv[2], 1, 1L << 30, &e);
	if (e != NULL)
		dt_die(DT_EX_USAGE, "RUNNERS %s: %s", argv[2], e);
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	dt_rd_init(&in, 0, "stdin");
	for (;;) {
		got = dt_rd_fill(&in);
		if (got < 0)
			dt_die_sys(DT_EX_SYS, "stdin");
		t = dt_now();
		while ((rc = dt_rd_line(&in, &l, &len)) > 0) {
			printf("%.6f\t%s\n", t, l);
			if (!assigned && strncmp(l, "assign\t", 7) == 0) {
				assigned = 1;
				sample("first-assign", t);
			} else if (strncmp(l, "runner-up\t", 10) == 0 &&
			    ++up == runners) {
				sample("all-up", t);
				if (argc == 4 && (fp = fopen(argv[3], "w")) != NULL)
					fclose(fp);
			} else if (strncmp(l, "end\t", 4) == 0)
				sample("end", t);
		}
		if (rc < 0)
			dt_die(DT_EX_DATA, "stdin line %lu: %s", in.lineno,
			    dt_line_error);
		if (in.eof)
			break;
	}
	/* dt-feed closed its output: it has closed its channels too. */
	printf("#eof\t%.6f\n", dt_now());
	if (fflush(stdout) != 0)
		dt_die_sys(DT_EX_SYS, "stdout");
	return 0;
}
