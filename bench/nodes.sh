#!/bin/sh
# make bench, part two: distributest across 1, 2 and 3 nodes of a test
# cluster on this machine (network namespaces with their own sshd).  It
# reports, side by side on the same suite: wall time against the lower
# bound per node count; the second run's sync time per node, with the
# run's shared ssh master connection and without it; the time from the
# start to the first file running on every node; and the resident memory
# of dt-spawn on a node, idle and running.
# Then the time to first test of an RSpec project on 1 and 3 nodes, the
# first run (nothing on the nodes) and the second (no change), broken
# down by phase: see "Time to first test" below.
#
# BENCH_NODES_PARTS picks parts (default "wall sync memory ttft");
# BENCH_NODE_RUNNERS (4) is the runners per node of the first three.
# shellcheck disable=SC1091
set -u
. "$(dirname "$0")/../tests/test-lib.sh"
. "$SRCDIR/tests/cluster.sh"
RUNNERS=${BENCH_NODE_RUNNERS:-4}
PARTS=" ${BENCH_NODES_PARTS:-wall sync memory ttft} "
want() {
	case $PARTS in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

cluster_up 3 > cluster.log 2>&1 || { cat cluster.log; exit 1; }

# 48 files sleeping a heavy-tailed time, the same every run: a few long
# ones, most short; about 20 s of work in all, the longest 2 s.
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

if want wall; then
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
fi

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
if want sync; then
	if ! want wall; then		# a first run, then the second
		config 3 "$DT_SSH"
		wall > /dev/null
		wall > /dev/null
	fi
	printf 'second run, no change, with the shared ssh master connection:\n'
	report
	config 3 "env $DT_SSH"		# "env ssh": no master connection is added
	wall > /dev/null
	printf 'the same without it (a new ssh connection for rsync, prep and channel):\n'
	report
	echo
fi

# Memory: dt-spawn on node1 while its runners work, and a node at rest.
if want memory; then
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
	echo
fi

# Time to first test on the cluster, and where it goes.  An RSpec
# project of TTFT_LIB (2000) 4 KiB files beside 12 spec files of two
# 0.25 s examples (6 s of work: every node gets some); spec_helper
# sleeps TTFT_BOOT (1.0) s as an application's boot, node_setup
# TTFT_SETUP (1.0) s (none: no node_setup); 2 runners a node.  On 1 and
# 3 nodes, the first run (each node's /root emptied: no copy, no trees)
# and the second (no change), taking turns TTFT_REPS (3) times; and
# locally, 2 runners, first run (the local copy removed) and second, for
# comparison.  TTFT_MASTER=persist keeps each ssh master 60 s, across
# runs.  The points in time, since the command, come from the log and
# from probes that write to a file with the clock all namespaces share:
#   dssh     ssh started to ask the node for its copy's digest (the
#            first ssh of a node: it makes the master connection)
#   dspawn   dt-spawn --digest started on the node
#   ssh      rsync's ssh started, when the digests differ (a wrapper
#            named ssh, so that the run still adds its master connection)
#   synced   the copy is there (log: synced)
#   spawn1   dt-spawn started on the node for node_setup (its spawn
#            command is a wrapper): the first channel is open
#   setup    node_setup's first and last line ran on the node
#   ready    log: ready
#   spawn2   dt-spawn started again, for the runners: the second channel
#   up       the node's first runner-up (log): the framework booted
#   assign   the node's first assign (log)
#   test     the first example began (spec_helper's before hook)
# plus find: dt-find's tests-end (log), for the whole run.
TTFT_REPS=${TTFT_REPS:-3}
TTFT_BOOT=${TTFT_BOOT:-1.0}
TTFT_SETUP=${TTFT_SETUP:-1.0}
TTFT_LIB=${TTFT_LIB:-2000}
tt=$TRASH/tt
probe=$tt/probe
# shellcheck disable=SC2016 # the expansions are the wrappers' own
ttft_project() {
	mkdir -p "$tt/bin" "$tt/data" rproj/spec rproj/.distributest
	# With TTFT_MASTER=persist the master outlives the run by 60 s, in
	# a directory of ours: what a master kept between runs would save.
	cat > "$tt/bin/ssh" <<-EOF2
	#!/bin/sh
	echo "ssh \$(date +%s.%N) \$*" >> $probe
	if [ "${TTFT_MASTER:-run}" = persist ]; then
	  n=\$#
	  while [ "\$n" -gt 0 ]; do
	    a=\$1
	    shift
	    n=\$((n - 1))
	    case \$a in
	    ControlPath=*) a=ControlPath=$tt/cm-%C ;;
	    ControlPersist=*) a=ControlPersist=60 ;;
	    esac
	    set -- "\$@" "\$a"
	  done
	fi
	exec ssh "\$@"
	EOF2
	printf '#!/bin/sh\necho "spawn $(hostname) $(date +%%s.%%N) $*" >> %s\nexec "$@"\n' \
		"$probe" > "$tt/spawnw"
	chmod +x "$tt/bin/ssh"
	if [ "$TTFT_SETUP" != none ]; then
		printf '#!/bin/sh\necho "setup $(hostname) $(date +%%s.%%N)" >> %s\nsleep %s\necho "setup $(hostname) $(date +%%s.%%N)" >> %s\n' \
			"$probe" "$TTFT_SETUP" "$probe" > rproj/.distributest/node_setup
		chmod +x rproj/.distributest/node_setup
	fi
	printf -- '--require spec_helper\n' > rproj/.rspec
	cat > rproj/spec/spec_helper.rb <<-RUBY
	sleep $TTFT_BOOT
	RSpec.configure do |c|
	  c.before(:example) do
	    h = File.read("/proc/sys/kernel/hostname").strip
	    File.open("$probe", "a") { |f| f.puts "test #{h} #{format("%.6f", Time.now.to_f)}" }
	  end
	end
	RUBY
	i=1
	while [ "$i" -le 12 ]; do
		printf 'RSpec.describe "f%d" do\n  it "a" do sleep 0.25 end\n  it "b" do sleep 0.25 end\nend\n' \
			"$i" > "rproj/spec/f${i}_spec.rb"
		i=$((i + 1))
	done
	(cd rproj && awk -v n="$TTFT_LIB" 'BEGIN {
		x = sprintf("%4095s", "")
		for (i = 0; i < n; i++) {
			if (i % 100 == 0)
				system("mkdir -p lib/d" int(i / 100))
			f = "lib/d" int(i / 100) "/f" i ".rb"
			print "# " i x > f
			close(f)
		}
	}')
}
# ttft_config N: N nodes of the cluster; 0: the initiator alone, 2
# local runners.
ttft_config() {
	printf '[run]\nframework = rspec\n' > rproj/.distributest/config
	[ "$1" -gt 0 ] || printf '[node local]\nrunners = 2\n' >> rproj/.distributest/config
	i=1
	while [ "$i" -le "$1" ]; do
		printf '[node node%s]\nrunners = 2\nrsh = %s/bin/ssh -F %s/ssh_config\nspawn = sh %s/spawnw %s/dt-spawn --connect\n' \
			"$i" "$tt" "$TRASH" "$tt" "$LIBEXEC" >> rproj/.distributest/config
		i=$((i + 1))
	done
}
# Nothing of ours left on node $1: its /root is the copy's only place.
ttft_wipe() {
	node_exec "$1" sh -c 'rm -rf /root/* /root/.[!.]* /root/..?*' 2> /dev/null
	return 0
}
# ttft_run CASE NODES: one run; its points in time to $tt/data/CASE as
# "POINT NODE SECONDS" lines after a "run" line, the load average to
# $tt/data/CASE.load.
ttft_run() {
	ttft_config "$2"
	: > "$probe"
	cut -d' ' -f1 /proc/loadavg >> "$tt/data/$1.load"
	mid=$(date -d 00:00 +%s)
	t0=$(date +%s.%N)
	(cd rproj && distributest > ../rrun.out 2>&1) || {
		echo "ttft: run $1 failed:" >&2
		tail -n 20 rrun.out >&2
		return 1
	}
	echo "run - 0" >> "$tt/data/$1"
	awk -v t0="$t0" -v mid="$mid" -v probe="$probe" '
	function put(p, n, t) { if (t != "" && !((p, n) in seen)) { seen[p, n] = 1; print p, n, sprintf("%.3f", t - t0) } }
	FILENAME == probe {
		if ($1 == "ssh") {
			for (i = 3; i <= NF; i++)
				if ($i ~ /^node[0-9]+$/) { h = $i; break }
			if (i > NF) next
			if ($0 ~ / --digest/) put("dssh", h, $2)
			else if ($0 ~ / rsync /) put("ssh", h, $2)
			else if ($0 ~ /spawnw/) { c[h]++; put("ssh" c[h] "ch", h, $2) }
		}
		h = $2 ~ /^node[0-9]+$/ ? $2 : "local"
		if ($1 == "spawn" && $0 ~ / --digest/)
			put("dspawn", h, $3)
		else if ($1 == "spawn") {
			s[h]++
			put("spawn" s[h], h, $3)
		} else if ($1 == "setup") {
			u[h]++
			put(u[h] == 1 ? "setup0" : "setup", h, $3)
		} else if ($1 == "test") {
			if (!(h in ft) || $3 < ft[h])
				ft[h] = $3
		}
		next
	}
	{
		split($0, f, "\t")
		split(substr(f[1], 1, 12), hms, ":")
		t = mid + hms[1] * 3600 + hms[2] * 60 + hms[3]
		if (f[2] == "synced") put("synced", f[3], t)
		else if (f[2] == "ready") put("ready", f[3], t)
		else if (f[2] == "runner-up") put("up", f[3], t)
		else if (f[2] == "assign") put("assign", f[3], t)
		else if (f[2] == "tests-end") put("find", "-", t)
	}
	END { for (h in ft) put("test", h, ft[h]) }
	' "$probe" rproj/.distributest/log >> "$tt/data/$1"
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
# point CASE POINT min|max: the median over the runs of the earliest or
# latest node's POINT, among the nodes that reached it.
point() {
	awk -v p="$2" -v m="$3" '
	$1 == "run" { r++ }
	$1 == p { if (!(r in v) || (m == "min" ? $3 < v[r] : $3 > v[r])) v[r] = $3 }
	END { for (k in v) print v[k] }' "$tt/data/$1" | median
}
# phase CASE FROM TO: the median over runs and nodes of TO - FROM.
phase() {
	awk -v a="$2" -v b="$3" '
	$1 == "run" { r++ }
	$1 == a { x[r, $2] = $3 }
	$1 == b { y[r, $2] = $3 }
	END { for (k in y) if (k in x) printf "%.3f\n", y[k] - x[k] }' "$tt/data/$1" | median
}
cell() {
	if [ "$1" != 3 ]; then
		point "$2" "$3" min
	else
		printf '%s/%s' "$(point "$2" "$3" min)" "$(point "$2" "$3" max)"
	fi
}
if want ttft; then
	ttft_project
	# Timings first, so that every measured run orders the files alike.
	ttft_config 3
	(cd rproj && distributest > ../rrun.out 2>&1)
	k=0
	while [ "$k" -lt "$TTFT_REPS" ]; do
		rm -rf "$HOME/.cache/distributest"	# the local copy and trees
		ttft_run first0 0 || exit 1
		ttft_run second0 0 || exit 1
		for n in 1 3; do
			i=1
			while [ "$i" -le 3 ]; do
				ttft_wipe "$i"
				i=$((i + 1))
			done
			ttft_run "first$n" "$n" || exit 1
			ttft_run "second$n" "$n" || exit 1
		done
		k=$((k + 1))
	done
	echo "time to first test on the cluster: RSpec, $(find rproj -type f | wc -l) files ($(du -sk rproj | cut -f1) KiB), boot ${TTFT_BOOT}s, node_setup ${TTFT_SETUP}s, 2 runners a node, ssh master ${TTFT_MASTER:-run}, $(nproc) cores; medians of $TTFT_REPS runs taking turns"
	echo "seconds since the command; 3 nodes: earliest/latest node"
	printf '%-34s %7s %7s %7s %7s %12s %12s\n' point "local 1" "local 2" "1 first" "1 second" "3 first" "3 second"
	for v in "find:dt-find done (tests-end)" "dssh:ssh for the copy's digest started" \
		"dspawn:dt-spawn --digest started" "ssh:rsync's ssh started" "synced:synced" \
		"ssh1ch:ssh for node_setup started" "spawn1:dt-spawn 1 up (node_setup)" \
		"setup0:node_setup started" "setup:node_setup done" "ready:ready" \
		"ssh2ch:ssh for the runners started" "spawn2:dt-spawn 2 up (runners)" \
		"up:first runner up" "assign:first test assigned" "test:first test running"; do
		p=${v%%:*}
		printf '%-34s %7s %7s %7s %7s %12s %12s\n' "${v#*:}" "$(cell 0 first0 "$p")" \
			"$(cell 0 second0 "$p")" "$(cell 1 first1 "$p")" \
			"$(cell 1 second1 "$p")" "$(cell 3 first3 "$p")" "$(cell 3 second3 "$p")"
	done
	printf '%-34s %7s %7s %7s %7s %12s %12s\n' "load average (1 min)" \
		"$(median < "$tt/data/first0.load")" "$(median < "$tt/data/second0.load")" \
		"$(median < "$tt/data/first1.load")" "$(median < "$tt/data/second1.load")" \
		"$(median < "$tt/data/first3.load")" "$(median < "$tt/data/second3.load")"
	echo
	echo "phases: median over runs and nodes, seconds"
	printf '%-34s %7s %7s %7s %7s %12s %12s\n' phase "local 1" "local 2" "1 first" "1 second" "3 first" "3 second"
	for v in "dssh:synced:copy (digests, rsync if need be)" \
		"ssh:synced:rsync (when it ran)" "synced:spawn1:synced -> dt-spawn 1 up" \
		"spawn1:setup0:dt-spawn 1 -> node_setup runs" "setup0:setup:node_setup" \
		"setup:ready:node_setup done -> ready" "ready:spawn2:ready -> dt-spawn 2 up" \
		"spawn2:up:dt-spawn 2 -> runner up (boot)" "ready:up:ready -> runner up" \
		"up:assign:runner up -> assigned" \
		"assign:test:assigned -> test running"; do
		a=${v%%:*} r=${v#*:}
		b=${r%%:*}
		printf '%-34s %7s %7s %7s %7s %12s %12s\n' "${r#*:}" "$(phase first0 "$a" "$b")" \
			"$(phase second0 "$a" "$b")" "$(phase first1 "$a" "$b")" \
			"$(phase second1 "$a" "$b")" "$(phase first3 "$a" "$b")" "$(phase second3 "$a" "$b")"
	done
	# What ssh itself costs here: a connection of its own, and one
	# more session over a master that is up.
	c=$TRASH/cm
	k=0
	while [ "$k" -lt "$TTFT_REPS" ]; do
		s=$(date +%s.%N)
		ssh -F "$TRASH/ssh_config" node1 true
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$tt/data/ssh-new"
		ssh -F "$TRASH/ssh_config" -o ControlMaster=yes -o ControlPath="$c" -o ControlPersist=10 -f -N node1
		s=$(date +%s.%N)
		ssh -F "$TRASH/ssh_config" -o ControlPath="$c" node1 true
		e=$(date +%s.%N)
		echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$tt/data/ssh-mux"
		ssh -o ControlPath="$c" -O exit node1 2> /dev/null
		k=$((k + 1))
	done
	printf 'ssh here: a new connection %ss, a session over an open master %ss (medians)\n' \
		"$(median < "$tt/data/ssh-new")" "$(median < "$tt/data/ssh-mux")"
	echo "rerun: BENCH_NODES_PARTS=ttft TMPDIR=/tmp/h4 sh bench/nodes.sh (TTFT_REPS, TTFT_BOOT, TTFT_SETUP, TTFT_LIB, TTFT_MASTER)"
fi
