#!/bin/sh
test_description='a soak: thousands of short files on three nodes while adapters and a node are killed; every file counted once, the documented status, dt-feed and dt-spawn flat'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

# The number of test files, DT_SOAK_FILES (default 2000); every 100th
# fails on purpose.  The kills come at points of the run's progress, not
# at times, so that a slower machine sees the same soak.
FILES=${DT_SOAK_FILES:-2000}
case $FILES in
'' | *[!0-9]*) BUG "DT_SOAK_FILES=$FILES: not a number" ;;
esac
# Fewer would be over before the samples say anything.
[ "$FILES" -ge 500 ] || BUG "DT_SOAK_FILES=$FILES: 500 files at least"
RUNNERS=4
# DT_SOAK_RETRIES, when set, is the retries of the run (default 2): with
# 0, every file whose runner is killed is lost.
RETRIES=${DT_SOAK_RETRIES:-}
LOG=proj/.distributest/log

# The soak plan: at P% of the files done, kill one adapter (a), kill
# node 3 whole, sshd included (k), or bring it back (r).  The adapter
# kills take, in turn, any adapter and one that runs a file.
PLAN="3:a 6:a 10:a 14:a 18:a 22:a 26:a 30:k 34:a 40:a 46:r 50:a 56:a 62:a 68:a 74:a 80:a 86:a"

make_soak_project() {
	rm -rf proj && make_command_project proj &&
	awk -v n="$FILES" 'BEGIN {
		for (i = 1; i <= n; i++) {
			f = sprintf("t/f%05d.t", i)
			print f > "files"
			# A floor to the run that is not CPU time: on a fast
			# idle machine the plan keeps pace with the run.
			print "sleep 0.05" > ("proj/" f)
			if (i % 100 == 0) {
				print f > "failing"
				print "echo file " i " fails on purpose >&2\nexit 1" > ("proj/" f)
			} else if (i % 2)
				print "echo file " i " on $DT_NODE/$DT_RUNNER" > ("proj/" f)
			else
				print "echo file " i "\necho on $DT_NODE/$DT_RUNNER" > ("proj/" f)
			close("proj/" f)
		}
	}' &&
	if [ -n "$RETRIES" ]; then
		echo "retries = $RETRIES" >> proj/.distributest/config
	fi &&
	for i in 1 2 3; do
		printf "[node node%s]\nrunners = %s\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$RUNNERS" "$DT_SSH" "$LIBEXEC" >> proj/.distributest/config || return 1
	done
}

# The files done so far: "done" lines of the log.
done_count() {
	c=$(grep -c "^[^	]*	done	" "$LOG" 2> /dev/null) || :
	echo "${c:-0}"
}

# The run's dt-feed: the one with this script's MARK in its environment.
feed_pid() {
	for p in $(pgrep -x dt-feed); do
		if tr "\0" "\n" < "/proc/$p/environ" 2> /dev/null | grep -qx "MARK=$MARK"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The dt-spawn agent of node $1: one with children, its runners, and
# not a child of another dt-spawn (a runner that has not executed its
# adapter yet).
spawn_pid() {
	for p in $(node_pids "$1"); do
		read -r comm < "/proc/$p/comm" 2> /dev/null || continue
		[ "$comm" = dt-spawn ] || continue
		kids=
		read -r kids < "/proc/$p/task/$p/children" 2> /dev/null
		[ -n "$kids" ] || continue
		read -r _ _ _ pp _ < "/proc/$p/stat" 2> /dev/null || continue
		read -r pcomm < "/proc/$pp/comm" 2> /dev/null || continue
		[ "$pcomm" = dt-spawn ] && continue
		echo "$p"
		return 0
	done
	return 1
}

# One line of a sample: PROGRAM PID FDS RSS-KB; nothing when it is gone.
sample_one() {
	[ -n "$2" ] || return 0
	fds=0
	for f in "/proc/$2/fd/"*; do
		{ [ -e "$f" ] || [ -L "$f" ]; } && fds=$((fds + 1))
	done
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$2/status" 2> /dev/null)
	[ -n "$rss" ] && [ "$fds" -gt 0 ] && echo "$1 $2 $fds $rss"
}

# Centiseconds since the machine booted.
uptime_cs() {
	read -r up _ < /proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# Every fifth of a second or so while process $1 lives, at most $2 times: for
# dt-feed and the dt-spawn of nodes 1 and 2, which survive the run,
#     SECONDS DONE PROGRAM PID FDS RSS-KB
# SECONDS counting from the start of the loop.
sample_loop() {
	set +x
	n=0 feed='' s1='' s2='' t0=$(uptime_cs)
	while kill -0 "$1" 2> /dev/null && [ "$n" -lt "$2" ]; do
		t=$(($(uptime_cs) - t0))
		d=$(done_count)
		[ -n "$feed" ] && [ -d "/proc/$feed" ] || feed=$(feed_pid)
		o1=$s1 o2=$s2
		[ -n "$s1" ] && [ -d "/proc/$s1" ] || s1=$(spawn_pid 1)
		[ -n "$s2" ] && [ -d "/proc/$s2" ] || s2=$(spawn_pid 2)
		# Which agent was sampled when: a lost one says why samples stop.
		[ "$o1" = "$s1" ] || echo "$d node1 ${o1:--} ${s1:--}" >> agents
		[ "$o2" = "$s2" ] || echo "$d node2 ${o2:--} ${s2:--}" >> agents
		{
			sample_one dt-feed "$feed"
			sample_one dt-spawn-node1 "$s1"
			sample_one dt-spawn-node2 "$s2"
		} | sed "s/^/$((t / 100)).$((t / 10 % 10)) $d /"
		n=$((n + 1))
		# Often enough that a busy machine's fast last third has some.
		sleep 0.2
	done
}

# SIGKILL to one adapter of the nodes $2...: with $1 "busy", preferably
# one running a file (it has a child), looking for up to about a second;
# with "any", any one, busy or idle (between files, or just handed one).
# Writes
#     adapter NODE PID busy|idle
kill_adapter() {
	mode=$1
	shift
	t=0
	while :; do
		busy='' idle=''
		for i in "$@"; do
			for p in $(node_pids "$i"); do
				read -r comm < "/proc/$p/comm" 2> /dev/null || continue
				[ "$comm" = adapter-command ] || continue
				# Not its child before it executes the file's
				# command: killing that fails the file.
				read -r _ _ _ pp _ < "/proc/$p/stat" 2> /dev/null || continue
				read -r comm < "/proc/$pp/comm" 2> /dev/null || continue
				[ "$comm" = dt-spawn ] || continue
				kids=
				read -r kids < "/proc/$p/task/$p/children" 2> /dev/null
				if [ -n "$kids" ]; then
					busy="$busy $i:$p"
				else
					idle="$idle $i:$p"
				fi
			done
		done
		t=$((t + 1))
		if [ "$mode" = any ] && [ -n "$busy$idle" ]; then
			# shellcheck disable=SC2086
			v=$(shuf -n 1 -e $busy $idle) &&
			case " $busy " in
			*" $v "*) how=busy ;;
			*) how=idle ;;
			esac &&
			break
		fi
		if [ -n "$busy" ]; then
			# shellcheck disable=SC2086
			v=$(shuf -n 1 -e $busy) && how=busy && break
		fi
		if [ "$t" -ge 10 ] && [ -n "$idle" ]; then
			# shellcheck disable=SC2086
			v=$(shuf -n 1 -e $idle) && how=idle && break
		fi
		[ "$t" -lt 20 ] || return 0
		sleep 0.1
	done
	kill -KILL "${v#*:}" 2> /dev/null &&
	echo "adapter node${v%%:*} ${v#*:} $how"
}

# The plan, against run $1: each step waits for its point of progress,
# looking every 0.1 s, at most $2 looks in all; a step whose point the
# run did not reach before it ended is not taken.  Writes what it did:
#     DONE adapter NODE PID busy|idle | DONE node-kill 3 | DONE node-revive 3
soak_kills() {
	set +x
	looks=0 alive="1 2 3" mode=any
	for step in $PLAN; do
		want=$((${step%%:*} * FILES / 100))
		while d=$(done_count) && [ "$d" -lt "$want" ]; do
			kill -0 "$1" 2> /dev/null || return 0
			looks=$((looks + 1))
			[ "$looks" -lt "$2" ] || return 0
			sleep 0.1
		done
		kill -0 "$1" 2> /dev/null || return 0
		case ${step#*:} in
		a)
			# Every other one busy, the others at random.
			if [ "$mode" = any ]; then mode=busy; else mode=any; fi
			# shellcheck disable=SC2086
			k=$(kill_adapter $mode $alive) && [ -n "$k" ] && echo "$d $k"
			;;
		k)
			cluster_kill 3 && alive="1 2" && echo "$d node-kill 3"
			;;
		r)
			cluster_revive 3 && echo "$d node-revive 3"
			;;
		esac
	done
	return 0
}

# Pids on node I other than its sshd and the sessions of this test's ssh.
node_leftovers() {
	for p in $(node_pids "$1"); do
		c=$(tr "\0" " " < "/proc/$p/cmdline" 2>/dev/null) || continue
		case $c in
		*sshd*|"") ;;
		*) echo "node$1: $p $c" ;;
		esac
	done
}

# What breaks the rules of hand-outs in the log: an "assign" to a runner
# that holds a file, a "done" or "requeue" of a file the runner does not
# hold, a file handed out other than once per "done", "requeue" or
# "lost" after its tries (which frees its runner: the file is not
# requeued).
check_handouts() {
	awk -F '\t' '
		$2 == "assign" {
			if (held[$3, $4] != "") print "assign to a busy runner:", $0
			held[$3, $4] = $5
			a[$5]++
		}
		$2 == "done" || $2 == "requeue" {
			if (held[$3, $4] != $5) print "not held:", $0
			held[$3, $4] = ""
			e[$5]++
		}
		$2 == "lost" && $4 ~ /given up after/ {
			for (k in held)
				if (held[k] == $3) held[k] = ""
			e[$3]++
		}
		END {
			for (f in a)
				if (a[f] != e[f]) print f, a[f], "assigns,", e[f] + 0, "ends"
			for (f in e)
				if (!(f in a)) print f, "never assigned,", e[f], "ends"
		}' "$LOG"
}

# Why a check failed: the events of the files that differ between
# sorted lists $1 and $2 (or that list $1 has), and the kills.
explain() {
	if [ $# -eq 2 ]; then
		comm -3 "$1" "$2" | tr -d "\t"
	else
		cat "$1"
	fi | head -n 10 > explained
	while read -r f; do
		echo "the events of $f:"
		grep -F "	$f" "$LOG" | grep -v "^[^	]*	test	"
	done < explained
	echo "the kills (DONE what):"
	cat kills
	return 1
}

# Field $2 of samples of program $1 whose DONE is in [$3, $4) percent of
# the files: one number a line.
samples() {
	awk -v p="$1" -v f="$2" -v lo="$(($3 * FILES / 100))" -v hi="$(($4 * FILES / 100))" \
		'$3 == p && $2 >= lo && $2 < hi { print $f }' samples
}

test_expect_success 'a cluster of three nodes' '
	cluster_up 3
'

test_expect_success "a project of $FILES short files, every 100th failing on purpose" '
	make_soak_project &&
	test_line_count = "$FILES" files &&
	test_line_count = $((FILES / 100)) failing &&
	sort files > files.sorted &&
	ls proj/t | sed "s|^|t/|" | sort > listed &&
	test_cmp files.sorted listed
'

test_expect_success 'the soak: adapters killed with SIGKILL and a node killed and revived mid-run' '
	rm -f "$LOG" &&
	start=$(date +%s) &&
	{ (cd proj && exec timeout -k 10 240 distributest) > out 2> err & } && run=$! &&
	: > agents &&
	{ sample_loop $run 3000 > samples & } && sampler=$! &&
	soak_kills $run 3000 > kills
	wait $run
	echo $? > rc
	echo $(($(date +%s) - start)) > seconds
	wait $sampler
	cat kills &&
	test -s samples
'

test_expect_success 'the run ends with the documented status: 2 when a file was lost, else 1' '
	grep "^[^	]*	lost	" "$LOG" > lost-lines || :
	if test -s lost-lines; then want=2; else want=1; fi &&
	echo "exit $want" > want &&
	read -r rc < rc && echo "exit $rc" > got &&
	test_cmp want got &&
	tail -n 1 "$LOG" | sed "s/^[^	]*	//" > last &&
	test_cmp want last &&
	grep "^[^	]*	end	complete$" "$LOG"
'

test_expect_success 'every file is accounted for exactly once: done or lost' '
	awk -F "\t" "\$2 == \"done\" { print \$5 }" "$LOG" > done-files &&
	awk -F "\t" "\$2 == \"lost\" { print \$3 }" "$LOG" > lost-files &&
	test $(($(wc -l < done-files) + $(wc -l < lost-files))) -eq "$FILES" &&
	sort done-files lost-files > accounted &&
	test_cmp files.sorted accounted &&
	grep "^$(wc -l < done-files) files, " out
'

test_expect_success 'each runner holds one file at a time; each file was handed out once per try' '
	check_handouts > wrong &&
	test_must_fail test -s wrong
'

test_expect_success 'the failing files are reported as failures unless lost; the others passed' '
	awk -F "\t" "\$2 == \"done\" { print \$5, \$6 }" "$LOG" | sort > statuses &&
	sort failing > failing.sorted &&
	sort lost-files > lost.sorted &&
	join -v 1 failing.sorted lost.sorted > want-failed &&
	sed -n "s/ failed\$//p" statuses > got-failed &&
	{ test_cmp want-failed got-failed || explain want-failed got-failed; } &&
	sed -n "/ passed\$/d; / failed\$/d; s/ .*//p" statuses > other &&
	{ test_must_fail test -s other || explain other; } &&
	awk -F "\t" "\$2 == \"fail\" { print \$5 }" "$LOG" | sort -u > fail-events &&
	join -v 1 want-failed fail-events > no-fail-event &&
	{ test_must_fail test -s no-fail-event || explain no-fail-event; } &&
	join -v 1 fail-events failing.sorted > fail-event-of-passing &&
	{ test_must_fail test -s fail-event-of-passing || explain fail-event-of-passing; } &&
	d=$(wc -l < done-files) && f=$(wc -l < want-failed) &&
	grep -E "^$d files, $d examples, $f failures?(,| in )" out
'

test_expect_success 'the kills happened, and the files their runners held were run again' '
	grep " node-kill 3\$" kills &&
	grep " node-revive 3\$" kills &&
	grep " adapter " kills > adapter-kills &&
	test_line_count -ge 8 adapter-kills &&
	grep "^[^	]*	node-down	node3	" "$LOG" &&
	{ test_must_fail grep "^[^	]*	node-down	node[12]	" "$LOG" ||
	  { grep "^[^	]*	node-down	" "$LOG"; return 1; }; } &&
	if [ "${RETRIES:-2}" -gt 0 ]; then
		grep "^[^	]*	requeue	" "$LOG" > requeues
	else
		grep "^[^	]*	lost	.*given up after" "$LOG" > requeues
	fi &&
	test_line_count -ge 1 requeues &&
	grep "^[^	]*	runner-down	node[12]	.*	replacing$" "$LOG" > replaced &&
	test_line_count -ge 1 replaced
'

test_expect_success 'dt-feed'"'"'s descriptors stay flat: late in the run as early on' '
	samples dt-feed 5 1 34 | sort -n | tail -n 1 > early &&
	samples dt-feed 5 66 100 | sort -n | head -n 1 > late &&
	test -s early && test -s late &&
	test "$(cat late)" -le $(($(cat early) + 4))
'

test_expect_success 'dt-spawn'"'"'s descriptors stay flat on the nodes that survive' '
	for n in 1 2; do
		samples dt-spawn-node$n 5 1 34 | sort -n | tail -n 1 > early &&
		samples dt-spawn-node$n 5 66 100 | sort -n | head -n 1 > late &&
		test -s early && test -s late &&
		test "$(cat late)" -le $(($(cat early) + 4)) ||
		{ grep " dt-spawn-node$n " samples; echo "agents (DONE NODE WAS NOW):";
		  cat agents; grep "^[^	]*	[a-z-]*	node$n	" "$LOG" | grep -v "	done	\|	assign	" | tail -n 20;
		  return 1; }
	done
'

test_expect_success 'resident memory: no more than 4x early plus 8 MB' '
	for p in dt-feed dt-spawn-node1 dt-spawn-node2; do
		samples $p 6 1 34 | head -n 1 > early &&
		samples $p 6 66 100 | tail -n 1 > late &&
		test -s early && test -s late &&
		test "$(cat late)" -le $(($(cat early) * 4 + 8192)) ||
		{ grep " $p " samples; return 1; }
	done
'

test_expect_success 'nothing of the run is left on any node or here' '
	i=0 && while {
		for n in 1 2 3; do node_leftovers $n; done
		pgrep -af "$TRASH/tmp/distributest\."
		feed_pid
	} > left; test -s left; do
		i=$((i + 1)); test $i -lt 100 || { cat left; return 1; }; sleep 0.1
	done
'

# The figures, for the record: descriptors and resident memory early
# (the first sample past 3% of the files) and late (the last one before
# the end), per program.
if [ -s samples ]; then
	echo "# $FILES files in $(cat seconds 2> /dev/null)s, exit $(cat rc 2> /dev/null); kills: $(grep -c " adapter " kills) adapters ($(grep -c " busy$" kills) busy), node3 killed at $(awk '$2 == "node-kill" { print $1 }' kills) done; $(grep -c "^[^	]*	requeue	" "$LOG") requeues, $(grep -c "^[^	]*	lost	" "$LOG") lost"
	for p in dt-feed dt-spawn-node1 dt-spawn-node2; do
		awk -v p="$p" -v lo="$((3 * FILES / 100))" '
			$3 != p { next }
			!e && $2 >= lo { e = $0 }
			{ l = $0; if ($5 > mf) mf = $5; if ($6 > mr) mr = $6; n++ }
			END {
				split(e, a, " "); split(l, b, " ")
				printf "# %s: %d samples; fds %d early (%s s, %d done), %d late (%s s, %d done), %d at most; RSS %d kB early, %d kB late (%.2fx), %d kB at most\n",
				    p, n, a[5], a[1], a[2], b[5], b[1], b[2], mf, a[6], b[6], a[6] ? b[6] / a[6] : 0, mr
			}' samples
	done
fi

test_done
