#!/bin/sh
# make bench, part four: dt-feed at scale.  A thousand simulated runners
# over local pipes: dt-feed is fed events by hand (the set, node, test,
# tests-end and ready lines that dt-config, dt-find and dt-prep emit) and
# opens one channel per node to bench/fake-spawn, which speaks the channel
# protocol like dt-spawn but runs no process per runner: a "run" becomes a
# timer and then a "done".  Nothing here uses ssh or the network; this is
# the initiator's own cost: dt-feed's CPU, memory and descriptors, and the
# dispatch latency runners see.  bench/SCALE.md reads the results.
#
#   (a) 20,000 files of no duration: dispatch throughput, dt-feed's CPU
#       per file, its peak memory and open descriptors;
#   (b) 5,000 files of 50-500 ms, heavy-tailed, the same every run: wall
#       time against the lower bound, and fairness: files and busy seconds
#       per runner, and how long runners sat idle while files were queued;
#   (c) 300 to 1,000 nodes under a soft limit of 1,024 descriptors, for
#       dt-feed and for dt-prep, which holds a channel per node too;
#   (d) nodes lost at once, mid-run: K of 200 nodes go silent (a switch
#       down); how long the other runners wait between files meanwhile,
#       with channels that end on SIGTERM (as ssh does) and that hold on
#       until SIGKILL.
#
# About 60 s on 2 cores.
# Environment: SIM_ZERO_FILES, SIM_TAIL_FILES (file counts), SIM_SCALE (a
# factor on every simulated time), SIM_KEEP=1 keeps the work directory,
# SIM_FEED the dt-feed to simulate (default this tree's: another build's,
# to compare two side by side).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
B=$top/build/bench
ZERO=${SIM_ZERO_FILES:-20000}
TAIL=${SIM_TAIL_FILES:-5000}
SCALE=${SIM_SCALE:-1}
FEED=${SIM_FEED:-$L/dt-feed}
LIMIT=120		# seconds any one scenario may take
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-sim.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	if [ -n "${SIM_KEEP:-}" ]; then
		echo "sim: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
export SIM_SCALE="$SCALE"
nrun=0

# The simulation's own programs, built with the project's flags.
cd "$top"
make -s all bench-progs
cd "$work"
mkfifo feed.fifo in.fifo

# gen NODES RUNNERS KIND ORDER [SPLIT]: the events into "in", and into
# "work" the total and longest simulated milliseconds.  KIND zero: every
# file takes no time; tail: 50-500 ms from a bounded Pareto (alpha 1.1,
# mean ~120 ms), with its own generator so that every awk draws the same
# files.  ORDER size: sizes unrelated to time (a first run); timings: a
# timings file with every file's time (a second run: longest first).
# Lines come in the pipeline's order, tests-end before ready; with SPLIT,
# tests-end goes to "in.tail" instead, for feed to send once every runner
# is up, so that dispatch is measured apart from the opening of channels.
gen() {
	rm -f timings in.tail
	awk -v nodes="$1" -v runners="$2" -v kind="$3" -v order="$4" \
	    -v tail_apart="${5:-}" \
	    -v nfiles="$([ "$3" = zero ] && echo "$ZERO" || echo "$TAIL")" \
	    -v spawn="$B/fake-spawn" -v wd="$work/wd" -v scale="$SCALE" '
	function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
	function node(i) { return sprintf("n%04d", i) }
	BEGIN {
		OFS = "\t"; seed = 20261126; lo = 50; hi = 500; a = 1.1
		print "hello", "distributest-events", "2", "sim"
		print "set", "initiator", "sim"
		print "set", "user", "bench"
		print "set", "name", "sim"
		print "set", "framework", "command"
		print "set", "command", "sh {}"
		print "set", "spawn", spawn
		print "set", "timings", "timings"
		print "set", "retries", "2"
		for (i = 1; i <= nodes; i++)
			print "node", node(i), runners, "local", "ssh -o BatchMode=yes", wd, spawn
		if (order == "timings")
			print "distributest-timings", "1" > "timings"
		for (i = 1; i <= nfiles; i++) {
			ms = 0
			if (kind == "tail")
				ms = int(lo / (1 - rnd() * (1 - (lo / hi) ^ a)) ^ (1 / a))
			path = sprintf("sim/f%d_%05d.t", ms, i)
			print "test", path, 100 + int(rnd() * 10000)
			if (order == "timings")
				printf "%s\t%.3f\n", path, ms / 1000 * scale > "timings"
			total += ms
			if (ms > longest)
				longest = ms
		}
		if (tail_apart)
			print "tests-end", nfiles > "in.tail"
		else
			print "tests-end", nfiles
		for (i = 1; i <= nodes; i++)
			print "ready", node(i), "0"
		print total * scale, longest * scale > "work"
	}' > in
}

# watch PID: a watchdog, its pid in dog, that ends PID after LIMIT
# seconds; unwatch: the watchdog gone.
watch() {
	(
		trap '{ kill "$s"; wait "$s"; } 2>/dev/null; exit 0' TERM
		sleep "$LIMIT" & s=$!
		wait "$s" && kill "$1" 2>/dev/null
	) &
	dog=$!
}
unwatch() {
	kill "$dog" 2>/dev/null || true
	wait "$dog" || true
}

# feed RUNNERS [NOFILE [HARD]]: dt-feed on "in" (then "in.tail" once
# RUNNERS runners are up), read by sim-sink into "out", with NOFILE as its
# soft limit of descriptors if given, and its hard limit too with HARD;
# dt-feed's status in "rc", its stderr in "err".  A watchdog ends it after
# LIMIT seconds.
feed() {
	# A directory a run: the agents of a failed one may still write.
	nrun=$((nrun + 1))
	stats=$work/stats.$nrun
	mkdir "$stats"
	rm -f allup
	src=in wpid=
	if [ -f in.tail ]; then
		src=in.fifo
		(
			cat in
			i=0
			while [ ! -e allup ] && [ $i -lt $((LIMIT * 10)) ]; do
				sleep 0.1
				i=$((i + 1))
			done
			cat in.tail
		) > in.fifo 2> /dev/null &
		wpid=$!
	fi
	# shellcheck disable=SC3045 # dash, bash and busybox have ulimit -n
	(
		[ -z "${2:-}" ] || ulimit -S -n "$2"
		[ -z "${3:-}" ] || ulimit -H -n "$2"
		SIM_STATS=$stats
		export SIM_STATS
		exec "$FEED"
	) < "$src" > feed.fifo 2> err &
	fpid=$!
	watch "$fpid"
	"$B/sim-sink" "$fpid" "$1" allup < feed.fifo > out
	rc=0
	wait "$fpid" || rc=$?
	unwatch
	if [ -n "$wpid" ]; then
		kill "$wpid" 2>/dev/null || true
		wait "$wpid" || true
	fi
	echo "$rc" > rc
}

# prep NODES NOFILE: dt-prep, with NOFILE as its soft limit, runs the
# (empty) node_setup of NODES nodes through fake-spawn and holds their
# channels, as it does into a pipe; "nready" gets how many were ready, when
# all were or dt-prep ended, "rc" its status and "err" its stderr.
prep() {
	awk -v nodes="$1" -v spawn="$B/fake-spawn" -v wd="$work/wd" '
	function node(i) { return sprintf("n%04d", i) }
	BEGIN {
		OFS = "\t"
		print "hello", "distributest-events", "2", "sim"
		print "set", "initiator", "sim"
		print "set", "user", "bench"
		print "set", "name", "sim"
		print "set", "spawn", spawn
		for (i = 1; i <= nodes; i++)
			print "node", node(i), 1, "local", "ssh -o BatchMode=yes", wd, spawn
		for (i = 1; i <= nodes; i++)
			print "synced", node(i), "0"
	}' > prep.in
	# shellcheck disable=SC3045
	(
		ulimit -S -n "$2"
		exec "$L/dt-prep"
	) < prep.in > feed.fifo 2> err &
	ppid=$!
	watch "$ppid"
	# Once every node is ready, grep goes and dt-prep follows.
	grep -c -m "$1" '^ready	' < feed.fifo > nready || true
	rc=0
	wait "$ppid" || rc=$?
	unwatch
	echo "$rc" > rc
}

# check NFILES: the run completed, every file once.
check() {
	if [ "$(cat rc)" != 0 ] || ! grep -q '^[0-9.]*	end	complete$' out ||
	    [ "$(grep -c '	done	' out)" != "$1" ]; then
		echo "sim: the run failed (dt-feed exited $(cat rc)):" >&2
		tail -n 5 err out >&2
		exit 1
	fi
}

# analyse: one line of numbers about the run in "out" and $stats; the
# per-runner figures go to "runners": files, busy seconds, seconds idle
# while files were queued, seconds waiting for a first file.
analyse() {
	cat "$stats"/*.stats > stats.all
	awk -F '\t' -v w="$(cat work)" '
	FILENAME == "stats.all" {
		k = $2 "/" $3; gaps[k] = $6; maxgap[k] = $7; up[k] = $8
		first[k] = $9; last[k] = $10; nr++; next
	}
	$1 == "#sample" { sc[$2] = $4; sfd[$2] = $5; shwm[$2] = $6; next }
	$1 == "#eof" { eof = $2; next }
	start == "" { start = $1 }
	te != "" && qb == "" { qb = $1 - te }	# the line after tests-end
	$2 == "tests-end" { te = $1 }
	$2 == "runner-up" { lastup = $1 }
	$2 == "assign" { if (fa == "") fa = $1; la = $1 }
	$2 == "done" { k = $3 "/" $4; files[k]++; busy[k] += $7; nd++ }
	$2 == "end" { end = $1 }
	END {
		split(w, ww, " "); total = ww[1] / 1000; longest = ww[2] / 1000
		for (k in up) {
			# Idle while files were queued (from the runner-up, or
			# the first assign if later, to the last assign):
			# waiting for a first file, between files, and after the
			# last one while others still got files.
			if (up[k] < fa)
				up[k] = fa
			if (up[k] >= la)
				wait1 = idle = 0
			else if (files[k] == 0)
				wait1 = idle = la - up[k]
			else {
				# Two observers, two reads: a hair below 0 is 0.
				wait1 = first[k] - up[k]
				if (wait1 < 0)
					wait1 = 0
				idle = wait1 + gaps[k]
				if (last[k] < la)
					idle += la - last[k]
			}
			cap += (up[k] < la ? la - up[k] : 0)
			tidle += idle; tgaps += gaps[k]
			if (maxgap[k] > mgap)
				mgap = maxgap[k]
			if (files[k] > 1)
				ngaps += files[k] - 1
			printf "%d %.6f %.6f %.6f\n", files[k], busy[k], idle, wait1 > "runners"
		}
		bound = total / nr
		if (bound < longest)
			bound = longest
		wall = end - fa
		# 1 up  2 queue  3 wall  4 files/s  5 feed CPU  6 us/file
		# 7 fds  8 peak KB  9 bound  10 idle%  11 mean gap ms
		# 12 max gap ms  13 closing the channels after end
		printf "%.3f %.3f %.3f %.0f %.3f %.2f %d %d %.3f %.2f %.3f %.1f %.3f\n",
		    lastup - start, qb, wall, nd / wall,
		    sc["end"] - sc["first-assign"],
		    (sc["end"] - sc["first-assign"]) / nd * 1e6,
		    sfd["all-up"], shwm["end"], bound,
		    (cap > 0 ? 100 * tidle / cap : 0),
		    (ngaps > 0 ? 1000 * tgaps / ngaps : 0), 1000 * mgap, eof - end
	}' stats.all out
}

# mmm COLUMN [FACTOR] [FORMAT] [SEP]: min/median/max of a column of
# "runners"; with SEP "/", just median/max.
mmm() {
	sort -g -k "$1" runners | awk -v c="$1" -v f="${2:-1}" -v fmt="${3:-%g}" -v two="${4:-}" '
	{ v[NR] = $c * f }
	END {
		if (two)
			printf fmt "/" fmt, v[int((NR + 1) / 2)], v[NR]
		else
			printf fmt "/" fmt "/" fmt, v[1], v[int((NR + 1) / 2)], v[NR]
	}'
}

echo "dt-feed at scale: simulated runners on local pipes (bench/fake-spawn), $(nproc) cores"
# shellcheck disable=SC3045
echo "descriptors: ulimit -n $(ulimit -n) (hard $(ulimit -Hn)); dt-feed and the simulation share the cores"
echo

topologies="100x10 10x100 1x1000 1000x1"

echo "(a) $ZERO files of no duration, handed out once every runner is up;"
echo "    the median of 3 runs by files/s"
printf '%-19s %5s %7s %6s %7s %6s %7s %7s %5s %6s %12s\n' nodes \
	up/s queue/s wall/s files/s CPU/s us/file close/s fds RSS/MB files/runner
# The last row: the same with a timings file of every file (a second run),
# run once: reading it is the point.
for t in $topologies 100x10t; do
	n=${t%x*} r=${t#*x} order=size reps="1 2 3"
	case $r in *t) r=${r%t} order=timings reps=1 ;; esac
	gen "$n" "$r" zero "$order" split
	: > runs
	for i in $reps; do
		feed $((n * r))
		check "$ZERO"
		echo "$(analyse) $i" >> runs
		mv runners "runners.$i"
	done
	# shellcheck disable=SC2046 # the numbers, split on purpose
	set -- $(sort -g -k 4 runs | sed -n "$(( ($(wc -l < runs) + 1) / 2 ))p")
	mv "runners.${14}" runners
	printf '%-19s %5.2f %7.3f %6.2f %7s %6.3f %7.1f %7.3f %5s %6.1f %12s\n' \
		"$n x $r$([ "$order" = size ] || echo ", timings")" \
		"$1" "$2" "$3" "$4" "$5" "$6" "${13}" "$7" "$(echo "$8 / 1024" | bc -l)" "$(mmm 1)"
done
echo "  up: start to the last runner-up, every channel opened; queue: building the"
echo "  queue at tests-end (reading the timings file, if any, and sorting); wall:"
echo "  first assign to end; CPU: dt-feed's own over that span, and per file;"
echo "  close: from end to dt-feed's exit, closing the channels one by one; fds:"
echo "  dt-feed's open descriptors with every channel up; RSS: its peak"
echo

echo "(b) $TAIL files of 50-500 ms, heavy-tailed (work $(gen 1 1 tail size; awk '{ printf "%.1f s, longest %.3f s", $1 / 1000, $2 / 1000 }' work)), in the pipeline's order"
printf '%-8s %-7s %5s %5s %5s %5s %6s %9s %14s %9s %10s %6s\n' nodes order \
	queue up/s bound wall /bound files/run "busy s/runner" "wait1 ms" "gap ms" idle%
# The last row: 1000 x 1 again, the files handed out once every runner is
# up, to tell what opening the channels costs the runners from the rest.
for t in $topologies 1000x1u; do
	n=${t%x*} r=${t#*x} orders="size timings" apart=
	case $r in *u) r=${r%u} orders=timings apart=1 ;; esac
	for order in $orders; do
		gen "$n" "$r" tail "$order" $apart
		feed $((n * r))
		check "$TAIL"
		# shellcheck disable=SC2046
		set -- $(analyse)
		printf '%-8s %-7s %5.2f %5.2f %5.2f %5.2f %6.2f %9s %14s %9s %10s %6.2f\n' \
			"$n x $r" "$order${apart:+*}" "$2" "$1" "$9" "$3" "$(echo "$3 / $9" | bc -l)" \
			"$(mmm 1)" "$(mmm 2 1 %.2f)" "$(mmm 4 1000 %.0f /)" \
			"$(printf '%.2f/%.0f' "${11}" "${12}")" "${10}"
	done
done
echo "  order size: a first run (no timings); timings: a second run, longest first;"
echo "  *: tests-end sent once every runner was up, as in (a); queue: building the"
echo "  queue at tests-end, s; up: start to the last runner-up, s; bound:"
echo "  max(longest, work / runners); wall: first assign to end; files and busy"
echo "  seconds per runner: min/median/max; wait1: a runner's wait for its first file"
echo "  (from its runner-up or the first assign, the later), median/max; gap: from"
echo "  a runner's done to its next run as fake-spawn saw it, mean/max; idle: runners"
echo "  idle while files were queued (until the last assign: wait1, gaps, and after"
echo "  their last file), a share of their time"
echo

# The soft limit of most systems is 1024 descriptors (systemd's default;
# the hard limit is higher): dt-feed and dt-prep need 3 per node, and
# poll() refuses more entries than the soft limit, open or not.
# shellcheck disable=SC3045
echo "(c) under a soft limit of 1024 descriptors (ulimit -S -n 1024; hard $(ulimit -H -n)),"
echo "    1 runner per node, files of no duration"
for n in 300 400 1000; do
	gen "$n" 1 zero size
	feed "$n" 1024
	printf '  dt-feed %4s nodes: exited %s after %s runner-up lines, %s nodes down%s\n' "$n" \
		"$(cat rc)" "$(grep -c '	runner-up	' out || true)" "$(grep -c '	node-down	' out || true)" \
		"$(if [ -s err ]; then echo ": $(tail -n 1 err)"; fi)"
done
for n in 300 400 1000; do
	prep "$n" 1024
	printf '  dt-prep %4s nodes: exited %s after %s ready lines%s\n' "$n" \
		"$(cat rc)" "$(cat nready)" \
		"$(if [ -s err ]; then echo ": $(tail -n 1 err)"; fi)"
done
echo "  and with the hard limit 1024 too:"
for n in 400 1000; do
	gen "$n" 1 zero size
	feed "$n" 1024 hard
	printf '  dt-feed %4s nodes: exited %s after %s runner-up lines, %s nodes down%s\n' "$n" \
		"$(cat rc)" "$(grep -c '	runner-up	' out || true)" "$(grep -c '	node-down	' out || true)" \
		"$(if [ -s err ]; then echo ": $(tail -n 1 err)"; fi)"
done
echo

# Files of 200-2,000 ms here (SIM_SCALE 4), so that the run outlasts the
# loss: the nodes go silent 1 s in, and a heartbeat of 1 s finds them 3 s
# later.  Silent nodes write no statistics: the figures are the others'.
echo "(d) K of 200 nodes x 2 runners silent 1 s in, $TAIL files of 200-2,000 ms (timings),"
echo "    heartbeat 1 s; the other runners' gaps between files"
printf '%-22s %6s %6s %7s %10s\n' lost wall bound /bound "gap ms"
export DISTRIBUTEST_HEARTBEAT=1
SCALE=$((SCALE * 4))
export SIM_SCALE="$SCALE"
for spec in "50 term" "100 term" "10 hold"; do
	SIM_FREEZE="${spec% *} 1 ${spec#* }"
	export SIM_FREEZE
	gen 200 2 tail timings
	feed 400
	check "$TAIL"
	# shellcheck disable=SC2046
	set -- $(analyse)
	printf '%-22s %6.2f %6.2f %7.2f %10s\n' "${spec% *} nodes, ${spec#* }" "$3" "$9" \
		"$(echo "$3 / $9" | bc -l)" "$(printf '%.1f/%.0f' "${11}" "${12}")"
done
unset SIM_FREEZE DISTRIBUTEST_HEARTBEAT
echo "  term: channels that end on SIGTERM; hold: ones that end only on SIGKILL,"
echo "  5 s after it; bound: max(longest, work / runners left); gap: from a"
echo "  runner's done to its next run, mean/max, over the runners not lost"
