#!/bin/sh
test_description='interrupting a run: nothing left behind, what ran is kept'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: files that finish, and one that never ends' '
	make_command_project proj &&
	printf "true\n" > proj/t/a.t &&
	printf "true\n" > proj/t/b.t &&
	printf "sh -c \"sleep 600; :\" $MARK-test\n" > proj/t/never.t &&
	printf "#!/bin/sh\nsh -c \"sleep 600; :\" $MARK-setup &\n" > proj/.distributest/node_setup &&
	chmod +x proj/.distributest/node_setup
'

# Start a run in the background with SIGINT at its default, as at a
# terminal; wait until the endless file runs.
start_run() {
	(cd proj && exec env --default-signal=INT distributest -j 2) > out 2>&1 &
	pid=$!
	i=0
	until pgrep -f "$MARK-test" > /dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
	sleep 0.5
}

test_expect_success 'Ctrl-C: exit 130, no process of the run left, log and timings kept' '
	start_run &&
	test_wait_for "	done	local	[0-9]*	t/a.t	" proj/.distributest/log &&
	test_wait_for "	done	local	[0-9]*	t/b.t	" proj/.distributest/log &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 130 &&
	test_no_leftovers &&
	test_grep "interrupted" out &&
	test_grep "t/a.t" proj/.distributest/timings &&
	test_grep "t/b.t" proj/.distributest/timings &&
	! grep "never" proj/.distributest/timings &&
	test_grep "	assign	local	" proj/.distributest/log
'

test_expect_success 'SIGTERM: exit 143, nothing left' '
	start_run &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 143 &&
	test_no_leftovers
'

test_expect_success 'a daemon that node_setup started in the background dies with the run' '
	start_run &&
	kill -INT $pid &&
	{ wait $pid; true; } &&
	! pgrep -f "$MARK-setup"
'

test_done
