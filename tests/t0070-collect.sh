#!/bin/sh
test_description='dt-collect: output, log, timings and the exit status'
. "$(dirname "$0")/test-lib.sh"

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	ev set log "$TRASH/proj/.distributest/log"
	ev set timings "$TRASH/proj/.distributest/timings"
	ev node n1 2 local ssh wd
	ev test t/a.t 10
	ev test t/b.t 20
	ev tests-end 2
	ev runner-up n1 1 id1
	ev runner-up n1 2 id2
	ev assign n1 1 t/a.t
	ev assign n1 2 t/b.t
}

test_expect_success 'all passed: 0, summary, timings, log with nodes' '
	mkdir proj &&
	{ head_events;
	  ev out n1 1 t/a.t "hello from a";
	  ev done n1 1 t/a.t passed 1.250 3 0 1 0;
	  ev done n1 2 t/b.t passed 0.500 2 0 0 0;
	  ev end complete; } | dt-collect > out &&
	test_grep "2 files, 5 examples, 0 failures, 1 pending" out &&
	test_grep "on 2 runners" out &&
	test_grep "passed t/a.t (1.25s, n1/1)" out &&
	! grep "hello from a" out &&
	printf "distributest-timings\t2\nt/a.t\t1.250\t1.250\nt/b.t\t0.500\t0.500\n" > want &&
	test_cmp want proj/.distributest/timings &&
	test_grep "$(printf "n1\tout\tn1\t1\tt/a.t\thello from a")" proj/.distributest/log &&
	test_grep "$(printf -- "-\thello\tdistributest-events")" proj/.distributest/log &&
	test_grep "exit 0" proj/.distributest/log
'

test_expect_success 'the previous log is kept as log.1' '
	cp proj/.distributest/log prev &&
	{ head_events; ev end complete; } | dt-collect > out;
	test_cmp prev proj/.distributest/log.1
'

test_expect_success 'a failure: 1, printed with node, runner, message and output' '
	{ head_events;
	  ev out n1 2 t/b.t "debug line of b";
	  ev fail n1 2 t/b.t failure "B adds" "./t/b.t:7" "expected 3\\ngot 4";
	  ev done n1 2 t/b.t failed 0.4 2 1 0 0;
	  ev done n1 1 t/a.t passed 0.3 1 0 0 0;
	  ev end complete; } > in &&
	test_expect_code 1 dt-collect < in > out &&
	test_grep "FAIL ./t/b.t:7 (n1/2)" out &&
	test_grep "  B adds" out &&
	test_grep "    expected 3" out &&
	test_grep "    got 4" out &&
	test_grep "debug line of b" out &&
	test_grep "2 files, 3 examples, 1 failure" out
'

test_expect_success 'an error outside examples counts: 1' '
	{ head_events;
	  ev fail n1 1 t/a.t error "" "t/a.t" "SyntaxError: unexpected end";
	  ev done n1 1 t/a.t error 0.1 0 0 0 1;
	  ev done n1 2 t/b.t passed 0.4 1 0 0 0;
	  ev end complete; } | test_expect_code 1 dt-collect > out &&
	test_grep "ERROR t/a.t (n1/1)" out &&
	test_grep "SyntaxError: unexpected end" out
'

test_expect_success 'a failed file with no counts still fails the run' '
	{ head_events;
	  ev done n1 1 t/a.t failed 0.1 0 0 0 0;
	  ev done n1 2 t/b.t passed 0.4 1 0 0 0;
	  ev end complete; } | test_expect_code 1 dt-collect > out &&
	test_grep "FAIL t/a.t (n1/1): no details" out
'

test_expect_success 'a lost file: 2, listed; the timings of the rest are kept' '
	rm -f proj/.distributest/timings &&
	{ head_events;
	  ev requeue n1 1 t/a.t "runner killed";
	  ev runner-down n1 1 "adapter killed by signal 9";
	  ev done n1 2 t/b.t passed 0.4 1 0 0 0;
	  ev lost t/a.t "runner killed; given up after 3 tries";
	  ev end no-runners; } | test_expect_code 2 dt-collect > out &&
	test_grep "LOST t/a.t: runner killed; given up after 3 tries" out &&
	test_grep "rerunning t/a.t: its runner n1/1 was lost" out &&
	test_grep "1 file was rerun" out &&
	test_grep "t/b.t	0.400" proj/.distributest/timings
'

test_expect_success 'input that ends before the end: 2, interrupted, timings saved' '
	rm -f proj/.distributest/timings &&
	{ head_events; ev done n1 2 t/b.t passed 0.7 1 0 0 0; } |
	test_expect_code 2 dt-collect > out &&
	test_grep "interrupted before its end" out &&
	test_grep "t/b.t	0.700" proj/.distributest/timings &&
	test_grep "exit 2" proj/.distributest/log
'

test_expect_success 'no test files: 3' '
	{ ev hello distributest-events 2 test; ev set project "$TRASH/proj"; ev tests-end 0; ev end complete; } |
	test_expect_code 3 dt-collect > out &&
	test_grep "no test files found in $TRASH/proj" out
'

test_expect_success 'node and runner troubles are shown' '
	{ head_events; ev node-down n2 sync "rsync exited 12: refused";
	  ev runner-down n1 2 "runner_setup exited 1";
	  ev done n1 1 t/a.t passed 0.1 1 0 0 0; ev lost t/b.t "no runner left to run it"; ev end no-runners; } |
	test_expect_code 2 dt-collect > out &&
	test_grep "node n2 is out of the run (sync): rsync exited 12: refused" out &&
	test_grep "runner n1/2 is out: runner_setup exited 1" out
'

test_expect_success 'a malformed line is a data error naming the line' '
	{ head_events; printf "done\tbad\\\\q\n"; } | test_expect_code 101 dt-collect > /dev/null 2> err &&
	test_grep "stdin line 13: unknown escape" err
'

test_expect_success 'another version of the event stream is refused by name' '
	ev hello distributest-events 3 9.9 | test_expect_code 101 dt-collect > /dev/null 2> err &&
	test_grep "version 3 (9.9), we speak version 2" err
'

test_expect_success 'a corrupt timings file is replaced, with a warning' '
	printf "garbage\n" > proj/.distributest/timings &&
	{ head_events; ev done n1 1 t/a.t passed 0.2 1 0 0 0; ev done n1 2 t/b.t passed 0.3 1 0 0 0; ev end complete; } |
	dt-collect > out 2> err &&
	test_grep "replacing it with this run" err &&
	test_grep "t/a.t	0.200" proj/.distributest/timings
'

test_done
