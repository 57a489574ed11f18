#!/bin/sh
# The cost of ordering the queue: dt-feed -n (the plan, not the run) is
# given the events a run would give it, 'test PATH SIZE' lines and
# 'tests-end', for 10,000, 100,000 and 1,000,000 files, half of them in
# a timings file (format 1: heavy-tailed times, three runs each) and half
# not; it reads the timings, orders the files (longest expected first, a
# file never timed expected at the median of the timed ones; ties timed
# first, then larger, then by path) and prints the plan.  The baseline,
# run side by side on the same machine: GNU sort ordering the same files,
# one line each (PATH, expected SECONDS, TIMED, SIZE), by the same keys;
# the median it needs is filled in beforehand, untimed.  Both write every
# file, in order, to a file, and the two orders are compared.  Each is
# reported as wall seconds and peak resident memory (/usr/bin/time), the
# median of ORDER_REPS runs, and as a ratio to sort.
#
# About 15 s on 2 cores.
# Environment: ORDER_SIZES (file counts, default "10000 100000 1000000"),
# ORDER_RUNNERS (runners in the plan, default 8), ORDER_REPS (default 3).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
SIZES=${ORDER_SIZES:-10000 100000 1000000}
N=${ORDER_RUNNERS:-8}
REPS=${ORDER_REPS:-3}
if [ ! -x "$L/dt-feed" ]; then
	echo "order: $L/dt-feed is missing: run 'make -s all' first" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-order.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
tab=$(printf '\t')
export LC_ALL=C

# gen COUNT: "events" (dt-feed's input), "timings" (every other file, in
# path order, as dt-collect writes it) and "lines" (sort's input), all
# the same every run: the times come from their own generator, a bounded
# Pareto from 0.01 s to 60 s (alpha 1.1), sizes from 200 to 20,000 bytes.
# In "lines" a file never timed is expected at the median of the timed
# ones (of an even number, the mean of the middle two), as in dt-feed.
gen() {
	awk -v n="$1" -v runners="$N" -v spawn="$L/dt-spawn" '
	function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
	function pareto(lo, hi, a) { return lo / (1 - rnd() * (1 - (lo / hi) ^ a)) ^ (1 / a) }
	BEGIN {
		OFS = "\t"; seed = 42
		print "hello", "distributest-events", "2", "bench"
		print "set", "project", "/srv/app"
		print "set", "name", "app"
		print "set", "initiator", "bench"
		print "set", "user", "bench"
		print "set", "framework", "rspec"
		print "set", "tests", "spec/**/*_spec.rb"
		print "set", "retries", "2"
		print "set", "timings", "timings"
		print "set", "spawn", spawn
		print "node", "local", runners, "local", "ssh -o BatchMode=yes", ".cache/distributest", spawn
		print "distributest-timings", "1" > "timings"
		for (i = 1; i <= n; i++) {
			path = sprintf("spec/d%04d/f%07d_spec.rb", int(i / 1000), i)
			size = 200 + int(rnd() * 19800)
			print "test", path, size
			if (i % 2) {
				s = pareto(0.01, 60, 1.1)
				printf "%s\t%.3f\t%.3f,%.3f,%.3f\n", path, s, s * 1.1, s, s * 0.9 > "timings"
				printf "%s\t%.3f\n", path, s > "lines.0"
			} else
				printf "%s\t\t%d\n", path, size > "lines.0"
		}
		print "tests-end", n, "all"
	}' > events
	median=$(awk -F '\t' '$2 != "" { print $2 }' lines.0 | sort -g |
	    awk '{ v[NR] = $1 } END { printf "%.6f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	awk -F '\t' -v OFS='\t' -v m="$median" '
	$2 != "" { print $1, $2, 1, 0; next }
	{ print $1, m, 0, $3 }' lines.0 > lines
}

# measure OUT CMD...: CMD's output into OUT; "wall KB" of the run
# appended to "runs": wall seconds from date (/usr/bin/time counts only
# to 10 ms), peak resident KB from /usr/bin/time, or -1 without it.
measure() {
	out=$1
	shift
	t0=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o tm "$@" > "$out" || {
			echo "order: $* failed" >&2
			exit 1
		}
	else
		"$@" > "$out" || { echo "order: $* failed" >&2; exit 1; }
		echo -1 > tm
	fi
	t1=$(date +%s.%N)
	echo "$t0 $t1 $(tail -n 1 tm)" | awk '{ printf "%.4f %d\n", $2 - $1, $3 }' >> runs
}

# median: the run in "runs" of median wall time, "wall KB".
median() {
	sort -g runs | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'
}

echo "ordering the queue: dt-feed -n against GNU sort, same files, same keys"
echo "machine: $(uname -n), $(nproc) cores, $(date '+%Y-%m-%d %H:%M')"
echo "parameters: half the files timed (bounded Pareto 0.01-60 s; a format-1 timings file),"
echo "  the others expected at their median; $N runners in the plan;"
echo "  the median of $REPS runs by wall time; LC_ALL=C; $(sort --version | head -n 1)"
if [ ! -x /usr/bin/time ]; then
	echo "  (no /usr/bin/time: memory not measured)"
fi
echo
printf '%9s  %-22s %8s %9s %8s %8s\n' files run wall "max RSS" "wall" "RSS"
printf '%9s  %-22s %8s %9s %8s %8s\n' "" "" "" "" "/sort" "/sort"
same=
for n in $SIZES; do
	gen "$n"
	: > runs
	i=0
	while [ $i -lt "$REPS" ]; do
		measure sort.out sort -t "$tab" -k2,2gr -k3,3nr -k4,4nr -k1,1 lines
		i=$((i + 1))
	done
	# shellcheck disable=SC2046 # two numbers
	set -- $(median)
	sw=$1 sk=$2
	: > runs
	i=0
	while [ $i -lt "$REPS" ]; do
		measure plan.out "$L/dt-feed" -n < events
		i=$((i + 1))
	done
	# shellcheck disable=SC2046
	set -- $(median)
	fw=$1 fk=$2
	# Every file once in the plan; the same order as sort's, or where
	# they part.
	awk 'NR > 1 && NF == 0 { exit } NR > 1 { print $NF }' plan.out > plan.order
	cut -f 1 sort.out > sort.order
	if [ "$(sort -u plan.order | wc -l)" -ne "$n" ] || [ "$(wc -l < plan.order)" -ne "$n" ]; then
		echo "order: the plan of dt-feed -n does not list the $n files once each" >&2
		exit 1
	fi
	if cmp -s plan.order sort.order; then
		same="$same $n:yes"
	else
		same="$same $n:no,from-line-$(cmp plan.order sort.order | awk '{ print $NF }')"
	fi
	awk -v n="$n" -v sw="$sw" -v sk="$sk" -v fw="$fw" -v fk="$fk" '
	function mb(k) { return k < 0 ? "-" : sprintf("%.1fMB", k / 1024) }
	function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
	BEGIN {
		printf "%9d  %-22s %7.3fs %9s %8s %8s\n", n, "GNU sort (baseline)", sw, mb(sk), "1.00x", "1.00x"
		printf "%9d  %-22s %7.3fs %9s %8s %8s\n", n, "dt-feed -n", fw, mb(fk), ratio(fw, sw), (sk > 0 && fk > 0 ? ratio(fk, sk) : "-")
		printf "%9s  %-22s %6.2fus %7.0fB\n", "", "dt-feed: per file", fw / n * 1e6, (fk > 0 ? fk * 1024 / n : 0)
	}'
done
echo
echo "same order, file for file (files:yes|no):$same"
echo "Wall includes starting the program (about 1 ms); sort uses up to $(nproc)"
echo "threads, dt-feed one."
