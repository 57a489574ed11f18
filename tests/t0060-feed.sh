#!/bin/sh
test_description='dt-feed: the queue, its order, and files of lost runners'
. "$(dirname "$0")/test-lib.sh"

# The copy of project proj, whose name has the hash 0123abcd.
COPY=$TRASH/wd/ihost/iuser/0123abcd/proj

# "Remote" nodes: an rsh that runs the command here, recording its pid.
cat > fake-rsh <<RSH
#!/bin/sh
host=\$1
shift
echo \$\$ > "$TRASH/rsh-\$host.pid"
cd "\$HOME" || exit 1
exec "\$@"
RSH
chmod +x fake-rsh

# A test file kills its runner: the adapter above the "sh -c" that runs it.
KILL_ADAPTER='kill -9 $(ps -o ppid= -p $PPID); sleep 1'

head_events() {
	ev hello distributest-events 2 test
	ev set initiator ihost
	ev set user iuser
	ev set name proj-0123abcd
	ev set framework command
	ev set command "sh {}"
	ev set spawn "$LIBEXEC/dt-spawn"
	ev set timings "$TRASH/timings"
	ev set retries "${retries:-2}"
}

# Files t/NAME.t sleeping the given tenths of a second.
make_tests() {
	mkdir -p "$COPY/t" &&
	for spec in "$@"; do
		name=${spec%:*} &&
		printf "sleep 0.%s\n" "${spec#*:}" > "$COPY/t/$name.t" || return 1
	done
}

list() {
	for f in "$@"; do
		ev test "t/$f.t" "$(wc -c < "$COPY/t/$f.t")"
	done
	ev tests-end $#
}

# The input is held open until dt-feed has ended the run (test_wait_for
# "^end" out), so that what ends it is never the end of the input; out is
# removed first, so that only this run's lines count.  Where the end is
# the point, the file ended says that it came while the input was open.

test_expect_success 'longest expected first; untimed files at the median of the timed, by size' '
	make_tests a:1 b:1 c:1 d:1 &&
	printf "sleep 0.1 # a bigger file than d.t\n" > "$COPY/t/c.t" &&
	printf "distributest-timings\t1\nt/a.t\t1.500\nt/b.t\t7.000\n" > timings &&
	rm -f out &&
	{ head_events; ev node local 1 local ssh "$TRASH/wd"; list a b c d; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^assign" out | cut -f4 > got &&
	printf "t/b.t\nt/c.t\nt/d.t\nt/a.t\n" > want &&
	test_cmp want got &&
	grep "^done	local	1	t/.*	passed	" out > dones &&
	test_line_count = 4 dones &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'every upstream line is passed on before the results' '
	{ head_events; ev node local 1 local ssh "$TRASH/wd"; list a; ev ready local 0; } > in &&
	rm -f out &&
	{ cat in; test_wait_for "^end	" out; } | timeout 60 dt-feed > out &&
	head -n $(wc -l < in) out > got &&
	test_cmp in got
'

test_expect_success 'a runner killed mid-file: the file reruns on another runner' '
	make_tests a:3 b:3 c:3 d:3 e:3 f:3 &&
	printf "if ! test -e $TRASH/killed; then touch $TRASH/killed; $KILL_ADAPTER; fi\n" > "$COPY/t/kill.t" &&
	rm -f out &&
	{ head_events; ev node local 3 local ssh "$TRASH/wd"; list a b c d e f kill; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^requeue	local	[0-9]	t/kill.t	" out &&
	grep "^runner-down	local	" out &&
	grep "^done	" out > dones &&
	test_line_count = 7 dones &&
	grep "^done	local	[0-9]	t/kill.t	passed	" out &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'a file that kills every runner it meets is lost after its retries' '
	printf "$KILL_ADAPTER\n" > "$COPY/t/killer.t" &&
	rm -f out &&
	{ retries=1 head_events; ev node local 3 local ssh "$TRASH/wd"; list a killer; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^requeue	local	[0-9]	t/killer.t	" out > requeues &&
	test_line_count = 1 requeues &&
	grep "^lost	t/killer.t	.*given up after 2 tries" out &&
	grep "^done	local	[0-9]	t/a.t	passed	" out &&
	tail -n 1 out | grep "^end	complete$"
'

# runner_setup: the first runner (TEST_ENV_NUMBER empty) is set up at
# once; the others take a minute.
slow_setups() {
	mkdir -p "$COPY/.dt-hooks" &&
	printf "#!/bin/sh\n[ -z \"\$TEST_ENV_NUMBER\" ] && exit 0\nexec sleep 60\n" \
		> "$COPY/.dt-hooks/runner_setup" &&
	chmod +x "$COPY/.dt-hooks/runner_setup"
}

test_expect_success 'a node started before the list was whole is told the cap: runners left without a file stop' '
	make_tests a:1 && slow_setups &&
	rm -f out &&
	{ head_events; ev node local 4 local ssh "$TRASH/wd"; ev ready local 0;
	  test_wait_for "^runner-up	local	1	" out; list a; test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	for r in 2 3 4; do
		grep "^log	local	runner $r stopped before it was up: no file is left for it$" out ||
		return 1
	done &&
	! grep "^runner-down" out &&
	grep "^done	local	1	t/a.t	passed	" out && tail -n 1 out | grep "^end	complete$"
'

# Files $1 and $2 each wait, up to a minute, until the other has started:
# one runner cannot run both, however slowly the others come up.
meeting_tests() {
	mkdir -p "$COPY/t" && rm -f met-"$1" met-"$2" &&
	printf ": > \"$TRASH/met-%s\"; i=0; while [ ! -e \"$TRASH/met-%s\" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; test -e \"$TRASH/met-%s\"\n" \
		"$1" "$2" "$2" > "$COPY/t/$1.t" &&
	printf ": > \"$TRASH/met-%s\"; i=0; while [ ! -e \"$TRASH/met-%s\" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; test -e \"$TRASH/met-%s\"\n" \
		"$2" "$1" "$1" > "$COPY/t/$2.t"
}

test_expect_success 'the cap counts the files left; a runner that fails its runner_setup leaves others to come up' '
	meeting_tests a b && mkdir -p "$COPY/.dt-hooks" &&
	printf "#!/bin/sh\n: > \"$TRASH/setup-\$TEST_ENV_NUMBER\"\nwhile ! test -e \"$TRASH/go\"; do sleep 0.1; done\ncase \"\$TEST_ENV_NUMBER\" in \"\") exit 9 ;; 2|3) exit 0 ;; esac\nexec sleep 60\n" \
		> "$COPY/.dt-hooks/runner_setup" &&
	chmod +x "$COPY/.dt-hooks/runner_setup" &&
	rm -f out go setup-* &&
	{ head_events; ev node local 5 local ssh "$TRASH/wd"; ev ready local 0;
	  test_wait_until test -e setup-5; list a b; : > go; test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^log	local	runner 5 stopped before it was up" out &&
	grep "^log	local	runner 4 stopped before it was up" out &&
	! grep "runner [23] stopped" out &&
	grep "^done	local	.	t/a.t	passed	" out && grep "^done	local	.	t/b.t	passed	" out &&
	tail -n 1 out | grep "^end	complete$" && rm -f go
'

# Runner 2's runner_setup waits for runner 1's, which fails: else, on a
# busy machine, runner 2 could take the file before runner 1 set up, and
# runner 1 be stopped before its runner_setup ran.
test_expect_success 'a list whole at start: one runner more than the files, so a runner_setup that fails loses nothing' '
	make_tests a:1 && mkdir -p "$COPY/.dt-hooks" &&
	printf "#!/bin/sh\n: > \"$TRASH/setup-\$TEST_ENV_NUMBER\"\n[ -n \"\$TEST_ENV_NUMBER\" ] || exit 9\n%s\n" \
		"i=0; while [ ! -e \"$TRASH/setup-\" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done" \
		> "$COPY/.dt-hooks/runner_setup" &&
	chmod +x "$COPY/.dt-hooks/runner_setup" &&
	rm -f out setup-* &&
	{ head_events; ev node local 4 local ssh "$TRASH/wd"; list a; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^done	local	2	t/a.t	passed	" out &&
	test -e setup- && test -e setup-2 && ! test -e setup-3 && ! test -e setup-4 &&
	tail -n 1 out | grep "^end	complete$" &&
	rm "$COPY/.dt-hooks/runner_setup"
'

test_expect_success 'a list whole at start: the runner more stops once enough are up' '
	make_tests a:1 && slow_setups &&
	rm -f out &&
	{ head_events; ev node local 4 local ssh "$TRASH/wd"; list a; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^log	local	runner 2 stopped before it was up: no file is left for it$" out &&
	! grep "runner [34]" out && ! grep "^runner-down" out &&
	grep "^done	local	1	t/a.t	passed	" out && tail -n 1 out | grep "^end	complete$" &&
	rm "$COPY/.dt-hooks/runner_setup"
'

# Both idle runners, before the last file is let go: on a loaded machine
# the second may end its session only after the file would have, or not be
# up yet when the queue runs dry, and be stopped before it is.
NO_FILE="^log	local	runner [123] \(ended its session\|stopped before it was up\): no file is left for it$"
ended_twice() {
	test "$(grep -c "$NO_FILE" out 2> /dev/null)" -ge 2
}

test_expect_success 'the queue dry, a lower cap: idle runners end their sessions while the last file runs, not as faults' '
	make_tests a:1 b:1 &&
	printf "i=0; while [ ! -e \"$TRASH/go\" ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; test -e \"$TRASH/go\"\n" \
		> "$COPY/t/w.t" &&
	rm -f out go &&
	{ head_events; ev node local 3 local ssh "$TRASH/wd"; list w a b; ev ready local 0;
	  test_wait_until ended_twice; : > go; test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "$NO_FILE" out > ended &&
	test_line_count = 2 ended &&
	grep "ended its session" ended &&
	! grep "^runner-down" out && ! grep "^lost" out &&
	for f in w a b; do grep "^done	local	.	t/$f.t	passed	" out || return 1; done &&
	tail -n 1 out | grep "^end	complete$" && rm -f go
'

test_expect_success 'a dt-spawn that does not say it takes a cap is sent none' '
	cat > old-spawn <<-EOF &&
	#!/bin/sh
	"$LIBEXEC/dt-spawn" "\$@" | sed -u "s/^\\(starting	[0-9]*\\)	cap.*\$/\\1/"
	EOF
	chmod +x old-spawn && slow_setups &&
	rm -f out &&
	{ head_events; ev set spawn "$TRASH/old-spawn"; ev node local 3 local ssh "$TRASH/wd";
	  ev ready local 0; test_wait_for "^runner-up	local	1	" out; list a;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	! grep "stopped before it was up" out &&
	grep "^done	local	1	t/a.t	passed	" out && tail -n 1 out | grep "^end	complete$" &&
	rm "$COPY/.dt-hooks/runner_setup"
'

test_expect_success 'no runner comes up: every file is lost, the run ends' '
	mkdir -p "$COPY/.dt-hooks" &&
	printf "#!/bin/sh\nexit 1\n" > "$COPY/.dt-hooks/runner_setup" &&
	chmod +x "$COPY/.dt-hooks/runner_setup" &&
	rm -f out ended &&
	{ head_events; ev node local 2 local ssh "$TRASH/wd"; list a b; ev ready local 0;
	  test_wait_for "^end	" out && : > ended; } |
	timeout 60 dt-feed > out &&
	test -e ended &&
	grep "^runner-down	local	" out > downs &&
	test_line_count = 2 downs &&
	grep "^lost	t/a.t	no runner left" out &&
	grep "^lost	t/b.t	no runner left" out &&
	tail -n 1 out | grep "^end	no-runners$" &&
	rm "$COPY/.dt-hooks/runner_setup"
'

test_expect_success 'every node down before it was ready: the run ends at once' '
	rm -f out ended &&
	{ head_events; ev node local 2 local ssh "$TRASH/wd"; list a b; ev node-down local sync "rsync failed";
	  test_wait_for "^end	" out && : > ended; } |
	timeout 60 dt-feed > out &&
	test -e ended &&
	grep "^lost	t/a.t	no runner left" out &&
	tail -n 1 out | grep "^end	no-runners$"
'

# The second that the list waits, once dt-feed has it, is what is tested.
test_expect_success 'files wait for a node that is not ready yet' '
	rm -f out &&
	{ head_events; ev node slow 1 local ssh "$TRASH/wd"; list a; test_wait_for "^tests-end" out;
	  sleep 1; ev ready slow 0; test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^done	slow	1	t/a.t	passed" out
'

test_expect_success 'a node lost mid-run: its files run on another node' '
	make_tests a:1 b:1 c:1 &&
	printf "sleep 3\n" > "$COPY/t/long.t" &&
	mkdir -p "$HOME/wd/ihost/iuser/0123abcd" && ln -sfn "$COPY" "$HOME/wd/ihost/iuser/0123abcd/proj" &&
	rm -f out &&
	{ head_events; ev node near 1 local ssh "$TRASH/wd"; ev node far 1 farhost "$TRASH/fake-rsh" wd;
	  list long a b c; ev ready far 0; test_wait_for "^assign	far	1	t/long.t" out;
	  ev ready near 0; kill -9 $(cat rsh-farhost.pid); test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^assign	far	1	t/long.t" out &&
	grep "^node-down	far	channel	" out &&
	grep "^requeue	far	1	t/long.t	" out &&
	grep "^done	near	1	t/long.t	passed" out &&
	grep "^done	" out > dones &&
	test_line_count = 4 dones &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'a malformed channel line takes the node down, not dt-feed' '
	printf "#!/bin/sh\nprintf \"hello\\\\tdistributest-channel\\\\t2\\\\tx\\\\nrunner-up\\\\tbad\\\\\\\\q\\\\n\"\nsleep 2\n" > bad-spawn &&
	chmod +x bad-spawn &&
	rm -f out &&
	{ head_events | sed "s|^set	spawn	.*|set	spawn	$TRASH/bad-spawn|"; ev node local 1 local ssh "$TRASH/wd"; list a; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^node-down	local	channel	channel line 2: unknown escape" out &&
	tail -n 1 out | grep "^end	no-runners$"
'

# A channel that says hello, then a line no peer may send, and holds on
# past SIGTERM, as a wedged ssh might: dt-feed gives it up at once and
# kills it 5 s later, as its loop turns or at the run's end.
cat > wedged-spawn <<'SPAWN'
#!/bin/sh
echo $$ > wedged.pid
trap 'echo term >> wedged.log' TERM
printf 'hello\tdistributest-channel\t2\tx\nrunner-up\tbad\\q\n'
i=0
while [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
SPAWN
chmod +x wedged-spawn

test_expect_success 'a lost node whose channel holds on past SIGTERM: killed, and the run goes on' '
	make_tests a:1 b:1 &&
	rm -f out wedged.pid wedged.log &&
	{ head_events; ev node near 1 local ssh "$TRASH/wd";
	  ev node wedged 1 local ssh "$TRASH/wd" "$TRASH/wedged-spawn"; list a b;
	  ev ready wedged 0; test_wait_for "^node-down	wedged	" out;
	  ev ready near 0; test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^node-down	wedged	channel	channel line 2: unknown escape" out &&
	grep "^done	near	1	t/a.t	passed" out &&
	grep "^done	near	1	t/b.t	passed" out &&
	tail -n 1 out | grep "^end	complete$" &&
	grep term wedged.log &&
	! kill -0 "$(cat wedged.pid)" 2> /dev/null
'

test_expect_success 'many nodes ready at once: each file run once, no node lost' '
	make_tests a:0 b:0 c:0 d:0 e:0 f:0 g:0 h:0 i:0 j:0 k:0 l:0 &&
	rm -f out &&
	{ head_events; n=1; while [ $n -le 20 ]; do ev node "n$n" 1 local ssh "$TRASH/wd"; n=$((n + 1)); done;
	  list a b c d e f g h i j k l; n=1; while [ $n -le 20 ]; do ev ready "n$n" 0; n=$((n + 1)); done;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out &&
	grep "^done	" out | cut -f4 | sort > done-files &&
	printf "t/%s.t\n" a b c d e f g h i j k l > expect &&
	test_cmp expect done-files &&
	! grep "^node-down	" out &&
	tail -n 1 out | grep "^end	complete$"
'

# A spawn command that records its pid, then is dt-spawn.
cat > pid-spawn <<SPAWN
#!/bin/sh
echo \$\$ > "$TRASH/spawn.pid"
exec "$LIBEXEC/dt-spawn" "\$@"
SPAWN
chmod +x pid-spawn

test_expect_success 'a node synced has its channel opened while its node_setup runs; runners start once it is ready' '
	make_tests a:1 &&
	rm -f out &&
	{ head_events; ev node n1 1 local ssh "$TRASH/wd"; list a; ev synced n1 0.1;
	  test_wait_for "^log	n1	runners get from the initiator" out 60;
	  ! grep "^runner-up	" out && ev ready n1 0; test_wait_for "^end	" out; } |
	timeout 90 dt-feed > out &&
	grep "^done	n1	1	t/a.t	passed" out &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'a node opened at synced whose node_setup fails: its channel closed, one node-down' '
	make_tests a:1 &&
	rm -f out spawn.pid &&
	{ head_events; ev node n1 1 local ssh "$TRASH/wd" "$TRASH/pid-spawn"; list a; ev synced n1 0.1;
	  test_wait_for "^log	n1	runners get from the initiator" out 60;
	  ev node-down n1 prep "node_setup exited 1: no"; test_wait_for "^end	" out; } |
	timeout 90 dt-feed > out &&
	grep "^node-down	" out > downs &&
	test_line_count = 1 downs &&
	grep "^lost	t/a.t	no runner left" out &&
	tail -n 1 out | grep "^end	no-runners$" &&
	! kill -0 "$(cat spawn.pid)" 2> /dev/null
'

test_expect_success 'input that ends with a node synced, never ready: the run ends' '
	make_tests a:1 &&
	rm -f out &&
	{ head_events; ev node n1 1 local ssh "$TRASH/wd"; list a; ev synced n1 0.1;
	  test_wait_for "^log	n1	runners get from the initiator" out 60; } |
	timeout 90 dt-feed > out &&
	tail -n 1 out | grep "^end	no-runners$"
'

test_expect_success 'input that ends with 12 nodes synced, never ready, more than a turn opens: the run ends' '
	make_tests a:1 &&
	rm -f out &&
	{ head_events; n=1; while [ $n -le 12 ]; do ev node "n$n" 1 local ssh "$TRASH/wd"; n=$((n + 1)); done;
	  list a; n=1; while [ $n -le 12 ]; do ev synced "n$n" 0.1; n=$((n + 1)); done; } |
	timeout 90 dt-feed > out &&
	tail -n 1 out | grep "^end	no-runners$"
'

test_expect_success 'a channel that fails while node_setup runs: one node-down, from upstream when it reports one' '
	make_tests a:1 &&
	printf "#!/bin/sh\nexit 1\n" > false-spawn && chmod +x false-spawn &&
	rm -f out &&
	{ head_events; ev node n1 1 local ssh "$TRASH/wd" "$TRASH/false-spawn"; ev node n2 1 local ssh "$TRASH/wd";
	  list a; ev synced n1 0.1; sleep 1; ev node-down n1 prep "node_setup exited 1: no"; ev ready n2 0;
	  test_wait_for "^end	" out; } |
	timeout 90 dt-feed > out &&
	grep "^node-down	" out > downs &&
	test_line_count = 1 downs &&
	grep "^node-down	n1	prep	node_setup exited 1: no" out &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'a channel that fails while node_setup runs: its node-down said once the node is ready' '
	make_tests a:1 &&
	rm -f out &&
	{ head_events; ev node n1 1 local ssh "$TRASH/wd" "$TRASH/false-spawn"; ev node n2 1 local ssh "$TRASH/wd";
	  list a; ev synced n1 0.1; sleep 1; ev ready n1 0; ev ready n2 0; test_wait_for "^end	" out; } |
	timeout 90 dt-feed > out &&
	grep "^node-down	" out > downs &&
	test_line_count = 1 downs &&
	grep "^node-down	n1	channel	" out &&
	grep "^done	n2	1	t/a.t	passed" out &&
	tail -n 1 out | grep "^end	complete$"
'

test_expect_success 'unreadable timings are reported and the run goes on' '
	printf "not timings\n" > timings &&
	rm -f out &&
	{ head_events; ev node local 1 local ssh "$TRASH/wd"; list a; ev ready local 0;
	  test_wait_for "^end	" out; } |
	timeout 60 dt-feed > out 2> err &&
	test_grep "timings: line 1: not a timings file" err &&
	grep "^end	complete" out
'

test_expect_success 'input that ends before the test list is a data error' '
	head_events | test_expect_code 101 dt-feed > /dev/null 2> err &&
	test_grep "ended before tests-end" err
'

test_done
