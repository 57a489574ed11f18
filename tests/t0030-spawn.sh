#!/bin/sh
test_description='dt-spawn: the node agent over its channel'
. "$(dirname "$0")/test-lib.sh"

# A project copy as dt-sync would leave it.
test_expect_success 'setup' '
	mkdir -p copy/.dt-hooks copy/t &&
	printf "#!/bin/sh\necho node setup ran in \$(pwd)\n" > copy/.dt-hooks/node_setup &&
	printf "#!/bin/sh\necho runner setup \$1 env=\$TEST_ENV_NUMBER\n" > copy/.dt-hooks/runner_setup &&
	chmod +x copy/.dt-hooks/* &&
	printf "echo pass \$DT_RUNNER_ID \$TEST_ENV_NUMBER\n" > copy/t/pass.t &&
	printf "echo failing >&2; exit 3\n" > copy/t/fail.t &&
	printf "sh -c \"sleep 300; :\" $MARK\n" > copy/t/hang.t
'

hello() {
	ev hello distributest-channel 2 test
	ev set dir "$TRASH/copy"
	ev set framework command
	ev set command "sh {}"
	ev set id dt_test
}

# The writer of a channel keeps it open until dt-spawn has answered what
# the test waits for (test_wait_for), since the end of the channel ends
# everything; out is removed first, so that only this run's lines count.

# The processes of the test files that hang: at least $1 of them, their
# pids in the file running.
hanging() {
	pgrep -f "$MARK" > running && test_line_count -ge "$1" running 2> /dev/null
}

# An initiator that talks while it waits: a ping every half second until
# file out has a line matching $1, for up to $2 pings (120 unless given).
ping_until() {
	i=0
	while ! grep -q -e "$1" out && [ "$i" -lt "${2:-120}" ]; do
		sleep 0.5
		ev ping
		i=$((i + 1))
	done
}

test_expect_success 'hello first, then node_setup output and status' '
	rm -f out &&
	{ hello; ev prep; test_wait_for "^prep-done	" out; } | dt-spawn > out &&
	head -n 1 out | grep "^hello	distributest-channel	2	" &&
	test_grep "$(printf "prep-out\tnode setup ran in %s/copy" "$TRASH")" out &&
	test_grep "$(printf "prep-done\t0")" out
'

test_expect_success 'a failing node_setup reports its status' '
	printf "#!/bin/sh\necho broken; exit 4\n" > copy/.dt-hooks/node_setup &&
	rm -f out &&
	{ hello; ev prep; test_wait_for "^prep-done	" out; } | dt-spawn > out &&
	test_grep "$(printf "prep-out\tbroken")" out &&
	test_grep "$(printf "prep-done\t4")" out
'

test_expect_success 'a node_setup without a #! line runs with /bin/sh, as execvp runs it' '
	cp copy/.dt-hooks/node_setup node_setup.shebang &&
	printf "echo plain script; exit 3\n" > copy/.dt-hooks/node_setup &&
	rm -f out &&
	{ hello; ev prep; test_wait_for "^prep-done	" out; } | dt-spawn > out &&
	cp node_setup.shebang copy/.dt-hooks/node_setup &&
	test_grep "$(printf "prep-out\tplain script")" out &&
	test_grep "$(printf "prep-done\t3")" out
'

test_expect_success 'no node_setup: prep-done -1' '
	mv copy/.dt-hooks/node_setup node_setup.saved &&
	{ hello; ev prep; } | dt-spawn > out &&
	test_grep "$(printf "prep-done\t-1")" out
'

test_expect_success 'runners run runner_setup with their id, then files' '
	rm -f out &&
	{ hello; ev start 2;
	  test_wait_for "^runner-up	1	" out; test_wait_for "^runner-up	2	" out;
	  ev run 1 t/pass.t; ev run 2 t/fail.t;
	  test_wait_for "^done	1	" out; test_wait_for "^done	2	" out; } |
	dt-spawn > out &&
	test_grep "$(printf "starting\t2")" out &&
	test_grep "$(printf "out\t1\trunner setup dt_test_1 env=")" out &&
	test_grep "$(printf "out\t2\trunner setup dt_test_2 env=2")" out &&
	test_grep "$(printf "runner-up\t1\tdt_test_1")" out &&
	test_grep "$(printf "out\t1\tpass dt_test_1")" out &&
	grep "^done	1	passed	[0-9.]*	1	0	0	0$" out &&
	test_grep "$(printf "out\t2\tfailing")" out &&
	test_grep "$(printf "fail\t2\tfailure\tt/fail.t\tt/fail.t\tcommand exited 3")" out &&
	grep "^done	2	failed	[0-9.]*	1	1	0	0$" out
'

test_expect_success 'a failing runner_setup takes only that runner out' '
	printf "#!/bin/sh\n[ \"\$TEST_ENV_NUMBER\" = 2 ] && exit 9\nexit 0\n" > copy/.dt-hooks/runner_setup &&
	rm -f out &&
	{ hello; ev start 2;
	  test_wait_for "^runner-up	1	" out; test_wait_for "^runner-down	2	" out; } |
	dt-spawn > out &&
	test_grep "$(printf "runner-up\t1\t")" out &&
	test_grep "$(printf "runner-down\t2\trunner_setup exited 9")" out
'

test_expect_success 'cap N: once N runners are up, those still starting stop, the last first' '
	printf "#!/bin/sh\n[ -z \"\$TEST_ENV_NUMBER\" ] && exit 0\nexec sh -c \"sleep 60; :\" $MARK\n" > copy/.dt-hooks/runner_setup &&
	rm -f out &&
	{ hello; ev start 4; test_wait_for "^runner-up	1	" out;
	  test_wait_until hanging 3; ev cap 1;
	  test_wait_for "^runner-down	2	" out; ev run 1 t/pass.t; test_wait_for "^done	1	" out; } |
	dt-spawn > out &&
	grep "^starting	4	cap	replaced$" out &&
	grep -n "^runner-down	[234]	no file is left for it	stopped$" out | cut -f2 > order &&
	printf "4\n3\n2\n" > want && test_cmp want order &&
	! grep "^runner-down	1	" out && grep "^done	1	passed	" out &&
	test_no_leftovers
'

test_expect_success 'cap N: not before N are up, so that one whose runner_setup fails is replaced by another' '
	printf "#!/bin/sh\n: > \"$TRASH/setup-\$TEST_ENV_NUMBER\"\nwhile ! test -e \"$TRASH/go\"; do sleep 0.1; done\ncase \"\$TEST_ENV_NUMBER\" in \"\") exit 9 ;; 2) exit 0 ;; esac\nexec sh -c \"sleep 60; :\" $MARK\n" > copy/.dt-hooks/runner_setup &&
	rm -f out go setup-* &&
	{ hello; ev start 3; test_wait_until test -e setup-3; ev cap 1; ev ping;
	  : > go; test_wait_for "^runner-up	2	" out; test_wait_for "^runner-down	3	" out;
	  ev run 2 t/pass.t; test_wait_for "^done	2	" out; } |
	dt-spawn > out &&
	grep "^runner-down	1	" out &&
	grep "^runner-down	3	no file is left for it	stopped$" out &&
	grep "^done	2	passed	" out && test_no_leftovers
'

test_expect_success 'cap N lower once runners are up: idle ones beyond N end their sessions, the last first; a run for one is lost' '
	printf "#!/bin/sh\nexit 0\n" > copy/.dt-hooks/runner_setup &&
	rm -f out &&
	{ hello; ev start 4;
	  for r in 1 2 3 4; do test_wait_for "^runner-up	$r	" out; done;
	  ev run 2 t/hang.t; test_wait_until hanging 1; ev cap 2;
	  test_wait_for "^runner-down	3	" out; ev run 3 t/pass.t;
	  test_wait_for "^lost	3	" out; ev run 1 t/pass.t;
	  test_wait_for "^done	1	" out; } |
	dt-spawn > out &&
	grep -n "^runner-down	[34]	no file is left for it	retired$" out | cut -f2 > order &&
	printf "4\n3\n" > want && test_cmp want order &&
	grep "^lost	3	runner \(ended its session\|is down\)$" out &&
	! grep "^runner-down	[12]	" out &&
	grep "^done	1	passed	" out && test_no_leftovers
'

test_expect_success 'cap before start, or of 0: a protocol error' '
	{ hello; ev cap 2; } | test_expect_code 101 dt-spawn > out 2> err &&
	test_grep "cap before start" err &&
	{ hello; ev start 1; ev cap 0; } | test_expect_code 101 dt-spawn > out 2> err &&
	test_grep "channel: cap 0: " err
'

test_expect_success 'node_setup is killed when the channel closes' '
	printf "#!/bin/sh\nsh -c \"sleep 300; :\" $MARK\n" > copy/.dt-hooks/node_setup &&
	chmod +x copy/.dt-hooks/node_setup &&
	{ hello; ev prep; test_wait_until hanging 1; } | dt-spawn > out &&
	test -s running &&
	test_no_leftovers
'

test_expect_success 'end of the channel kills every runner and its children' '
	rm copy/.dt-hooks/runner_setup &&
	rm -f out &&
	{ hello; ev start 2;
	  test_wait_for "^runner-up	1	" out; test_wait_for "^runner-up	2	" out;
	  ev run 1 t/hang.t; ev run 2 t/hang.t; test_wait_until hanging 2; } |
	dt-spawn > out &&
	test_line_count = 2 running &&
	test_no_leftovers
'

# The channel is a FIFO the test holds open until dt-spawn is gone, so
# that what kills the runners is the signal, not the end of the channel.
test_expect_success 'SIGTERM kills every runner too' '
	mkfifo ch && rm -f out &&
	{ dt-spawn < ch > out & } &&
	spawn=$! &&
	exec 9> ch &&
	{ hello; ev start 1; } >&9 &&
	test_wait_for "^runner-up	1	" out &&
	ev run 1 t/hang.t >&9 &&
	test_wait_until hanging 1 &&
	kill -TERM $spawn &&
	test_wait_until exited $spawn &&
	exec 9>&- &&
	{ wait $spawn; true; } &&
	test_no_leftovers
'

# The adapter leads the process group of its runner, the hanging test's.
test_expect_success 'a runner killed mid-file: lost, then runner-down' '
	rm -f out &&
	{ hello; ev start 1; test_wait_for "^runner-up	1	" out; ev run 1 t/hang.t;
	  test_wait_until hanging 1 &&
	  adapter=$(ps -o pgid= -p "$(cat running)" | tr -d " ") &&
	  ps -o args= -p "$adapter" > adapter.args &&
	  test_grep adapter-command adapter.args &&
	  kill -KILL "$adapter";
	  test_wait_for "^runner-down	1	" out; } | dt-spawn > out &&
	grep "^lost	1	" out &&
	grep "^runner-down	1	" out
'

# The adapter of an idle runner dies as the initiator sends it a file:
# the initiator runs that file again elsewhere when it hears of the
# replacement, so the new adapter, up before the run arrives, must not
# run it too, nor take the next run for a second (it died: "runner 1 is
# not idle", seen in the soak on a loaded machine).
up_twice() {
	[ "$(grep -c "^runner-up	1	" out)" -ge 2 ]
}
test_expect_success 'a run that crosses the news of its runner'"'"'s replacement is dropped, up to "replaced R"' '
	printf "ps -o pgid= -p \$\$ | tr -d \" \" > %s/pgid\n" "$TRASH" > copy/t/pgid.t &&
	rm -f out &&
	{ hello; ev set replaced yes; ev start 1; test_wait_for "^runner-up	1	" out;
	  ev run 1 t/pgid.t; test_wait_for "^done	1	" out;
	  kill -KILL "$(cat pgid)";
	  test_wait_for "^runner-down	1	.*	replacing$" out; test_wait_until up_twice;
	  ev run 1 t/pass.t; ev replaced 1; ev run 1 t/pass.t;
	  test_wait_for "^out	1	pass " out; test_wait_for "^done	1	passed	" out; } |
	dt-spawn > out 2> err &&
	test_grep "runner 1: a run of t/pass.t crossed the news of its replacement" err &&
	grep "^out	1	pass " out > ran && test_line_count = 1 ran &&
	test_grep "$(printf "starting\t1\tcap\treplaced")" out
'

test_expect_success 'runners get their own TMPDIR, removed at the end' '
	printf "echo tmp=\$TMPDIR; touch \$TMPDIR/scratch\n" > copy/t/tmp.t &&
	rm -f out &&
	{ hello; ev start 2;
	  test_wait_for "^runner-up	1	" out; test_wait_for "^runner-up	2	" out;
	  ev run 1 t/tmp.t; ev run 2 t/tmp.t;
	  test_wait_for "^done	1	" out; test_wait_for "^done	2	" out; } | dt-spawn > out &&
	test_grep "$(printf "out\t1\ttmp=%s/distributest-dt_test_1" "$TMPDIR")" out &&
	test_grep "$(printf "out\t2\ttmp=%s/distributest-dt_test_2" "$TMPDIR")" out &&
	! test -e "$TMPDIR/distributest-dt_test_1"
'

test_expect_success 'a protocol version mismatch names both versions' '
	ev hello distributest-channel 7 9.9 | test_expect_code 101 dt-spawn > out 2> err &&
	test_grep "version 7 (9.9)" err &&
	test_grep "we speak version 2" err &&
	test_grep "$(printf "error\tprotocol version mismatch")" out
'

test_expect_success 'malformed requests are errors with their line number' '
	{ ev hello distributest-channel 2 x; printf "set\tdir\tbad\\\\q\n"; } |
	test_expect_code 101 dt-spawn > /dev/null 2> err &&
	test_grep "channel line 2: unknown escape" err &&
	{ ev hello distributest-channel 2 x; ev frobnicate; } |
	test_expect_code 101 dt-spawn > /dev/null 2> err &&
	test_grep "channel line 2: unknown request \"frobnicate\"" err
'

test_expect_success 'heartbeat: pings out; three silent ones and the runners die, dt-spawn exits' '
	rm -f out &&
	{ hello; ev set heartbeat 1; ev start 1; test_wait_for "^runner-up	1	" out;
	  ev run 1 t/hang.t; sleep 7; } |
	dt-spawn > out 2> err &&
	test_grep "$(printf "ping")" out &&
	test_grep "the initiator: nothing heard for three heartbeats; taken for lost" err &&
	test_must_fail pgrep -f "sleep 300; : $MARK"
'

test_expect_success 'heartbeat: a talking initiator is not taken for lost' '
	rm -f out &&
	{ hello; ev set heartbeat 1; ev start 1; for i in 1 2 3 4 5; do sleep 1; ev ping; done;
	  ping_until "^runner-up	1	"; ev run 1 t/pass.t; ping_until "^done	1	"; } |
	dt-spawn > out 2> err &&
	grep "^done	1	passed	" out &&
	! grep -q "taken for lost" err
'

test_expect_success 'node_setup gone, its process group is held until the channel closes, then emptied' '
	printf "#!/bin/sh\necho \$\$ > $TRASH/prep.pgid\n" > copy/.dt-hooks/node_setup &&
	chmod +x copy/.dt-hooks/node_setup &&
	rm -f out &&
	{ hello; ev prep; test_wait_for "^prep-done	" out; pgrep -g "$(cat prep.pgid)" > held; } |
	dt-spawn > out &&
	test_grep "$(printf "prep-done\t0")" out &&
	test -s held &&
	i=0 && while pgrep -g "$(cat prep.pgid)" > left; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	rm -f copy/.dt-hooks/node_setup
'

# The flood lasts until the pinger has pinged past three heartbeats, however
# fast the machine moves lines; then it stops at a chunk boundary, and every
# line it wrote must have come through.
# A ping a second, with a heartbeat of 2 s: silence is 6 s, so a busy
# machine that holds the pinger up a few seconds does not make a loss,
# while a dt-spawn that never read its input in 10 s of flood would.
test_expect_success 'heartbeat: a test that prints without pause does not keep dt-spawn from hearing the initiator' '
	cat > copy/t/flood.t <<-EOF &&
	while [ ! -e "$TRASH/stop" ]; do
		yes | head -n 10000
		echo chunk >> "$TRASH/chunks"
	done
	EOF
	rm -f stop chunks out &&
	{ hello; ev set heartbeat 2; ev start 1; ping_until "^runner-up	1	"; ev run 1 t/flood.t;
	  for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1; ev ping; done; : > stop;
	  ping_until "^done	1	" 600; } |
	dt-spawn > out 2> err &&
	! grep -q "taken for lost" err &&
	grep "^done	1	passed	" out &&
	test -s chunks &&
	grep "^out	1	y$" out > ys &&
	test_line_count = $(($(wc -l < chunks) * 10000)) ys
'

test_done
