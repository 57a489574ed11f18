#!/bin/sh
# make bench, part two: distributest across 1, 2 and 3 nodes of a test
# cluster on this machine (network namespaces with their own sshd).  It
# reports, side by side on the same suite: wall time against the lower
# bound per node count; the second run's sync time per node, with the
# run's shared ssh master connection and without it; the time from the
# start to the first file running on every node; and the resident memory
# of dt-spawn on a node, idle and running.
# shellcheck disable=SC1091
set -u
. "$(dirname "$0")/../tests/test-lib.sh"
. "$SRCDIR/tests/cluster.sh"
RUNNERS=${BENCH_NODE_RUNNERS:-4}

cluster_up 3 > cluster.log 2>&1 || { cat cluster.log; exit 1; }

# 48 files sleeping a heavy-tailed time, the same every run: a few long
# ones, most short; 24 s of work in all, the longest 3 s.
mkdir -p proj/t proj/.distributest
i=0
while [ $i -lt 48 ]; do
	awk -v i=$i 'BEGIN { srand(7 + i); u = rand(); t = 0.15 / (1 - 0.93 * u) ^ 1.1;
		if (t > 3) t = 3; printf "sleep %.2f\n", t }' > "proj/t/f$i.t"
	i=$((i + 1))
done
total=$(cat proj/t/*.t | awk '{ s += $2; if ($2 > m) m = $2 } END { printf "%.2f %.2f", s, m }')
work=${total% *}
longest=${total#* }

config() {
	printf "[run]\nframework = command\ncommand = sh {}\ntests = t/*.t\n" > proj/.distributest/config
	for n in $(seq 1 "$1"); do
		printf "[node node%s]\nrunners = %s\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$n" "$RUNNERS" "$2" "$LIBEXEC" >> proj/.distributest/config
	done
}

now() { date +%s.%N; }
wall() {
	t0=$(now)
	(cd proj && distributest > ../run.out 2>&1)
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

echo "distributest across nodes: 48 files, work ${work}s, longest ${longest}s, $RUNNERS runners per node, $(nproc) cores"
echo
printf '%-7s %-8s %9s %9s %9s\n' nodes runners bound wall /bound
for n in 1 2 3; do
	config "$n" "$DT_SSH"
	rm -f proj/.distributest/timings
	wall > /dev/null			# the first run records timings
	w=$(wall)
	r=$((n * RUNNERS))
	b=$(echo "w = $work / $r; if (w < $longest) w = $longest; w" | bc -l)
	printf '%-7s %-8s %8.2fs %8.2fs %8.2fx\n' "$n" "$r" "$b" "$w" "$(echo "$w / $b" | bc -l)"
done
echo

# The log of the last run (3 nodes, second run, no change): sync times
# and the first file on every node, from the start of the run.
log=proj/.distributest/log
secs() { echo "$1" | awk -F: '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 }'; }
# since EVENT NODE: seconds from the start of the run to the node's first EVENT
since() {
	t=$(grep "	$1	$2	" "$log" | head -n 1 | cut -d" " -f1)
	echo "$(secs "$t") - $(secs "$(head -n 1 "$log" | cut -d" " -f1)")" | bc -l
}
report() {
	for n in 1 2 3; do
		printf '  node%s: sync %.3fs; ready %.3fs, first file running %.3fs after the start\n' \
			"$n" "$(grep "	synced	node$n	" "$log" | cut -f4)" \
			"$(since ready "node$n")" "$(since assign "node$n")"
	done
}
printf 'second run, no change, with the shared ssh master connection:\n'
report
config 3 "env $DT_SSH"		# "env ssh": no master connection is added
wall > /dev/null
printf 'the same without it (a new ssh connection for rsync, prep and channel):\n'
report
echo

# Memory: dt-spawn on node1 while its runners work, and a node at rest.
config 1 "$DT_SSH"
(cd proj && distributest > ../run.out 2>&1) &
run=$!
sleep 3
rss=0
for p in $(node_pids 1); do
	case $(cat "/proc/$p/comm" 2>/dev/null) in
	dt-spawn) r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"); [ "$r" -gt "$rss" ] && rss=$r ;;
	esac
done
wait $run
idle=0
for p in $(node_pids 1); do
	case $(cat "/proc/$p/comm" 2>/dev/null) in
	dt-spawn) idle=$((idle + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"))) ;;
	esac
done
printf 'memory on a node: dt-spawn while running %s runners: %s KiB resident;\n' "$RUNNERS" "$rss"
printf '  between runs: %s KiB: no distributest process stays on a node (with the units, only\n  the listening socket that systemd holds)\n' "$idle"
printf '  baseline: the Erlang original kept 10-15 MB resident on every node at all times\n'
