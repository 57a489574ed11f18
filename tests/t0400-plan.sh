#!/bin/sh
test_description='--dry-run: the plan, its order and its prediction'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: files of known times' '
	make_command_project proj &&
	for t in 4 2 2 1 1 1 1; do
		i=$((${i:-0} + 1)) &&
		printf "sleep 0.%s\n" "$t" > proj/t/f$i.t || return 1
	done &&
	printf "distributest-timings\t1\n" > proj/.distributest/timings &&
	for i in 1 2 3 4 5 6; do
		printf "t/f%s.t\t%s.000\n" $i $(sed -n "s/sleep 0.//p" proj/t/f$i.t) >> proj/.distributest/timings || return 1
	done
'

test_expect_success 'without timings: largest first, no prediction' '
	mv proj/.distributest/timings saved &&
	(cd proj && distributest --dry-run -j 2) > out &&
	test_grep "no timings yet" out &&
	mv saved proj/.distributest/timings
'

test_expect_success 'the plan: longest first, each to the runner free first' '
	(cd proj && distributest --dry-run -j 2) > out &&
	sed -n "2,8p" out | awk "{ print \$NF, \$4 }" > got &&
	printf "t/f1.t 1\nt/f2.t 2\nt/f3.t 2\nt/f4.t 1\nt/f5.t 2\nt/f6.t 1\nt/f7.t 2\n" > want &&
	test_cmp want got &&
	grep "2.00s? .*t/f7.t" out &&
	test_grep "7 files, 2 runners; 6 timed" out &&
	test_grep "predicted wall time 7.00s, lower bound 6.50s, work 13.00s" out
'

test_expect_success 'nothing ran and nothing was copied' '
	! test -e "$HOME/.cache/distributest" &&
	! test -e proj/.distributest/log
'

test_expect_success 'the runners are capped at the files' '
	(cd proj && distributest --dry-run -j 50 t/f1.t t/f2.t) > out &&
	test_grep "2 files, 2 runners" out
'

test_expect_success 'timings: the median of the last three runs' '
	rm -rf tm && make_command_project tm &&
	printf "sleep \$(cat $TRASH/secs)\n" > tm/t/a.t &&
	for t in 0.1 0.9 0.2; do
		echo $t > secs && (cd tm && distributest -j 1) > /dev/null || return 1
	done &&
	grep "^t/a.t	0.2[0-9]*	0.2[0-9]*,0.9[0-9]*,0.1[0-9]*$" tm/.distributest/timings
'

test_expect_success 'timings: a deleted file is forgotten after a run of the whole project' '
	printf "true\n" > tm/t/b.t &&
	(cd tm && distributest -j 1) > /dev/null &&
	grep "^t/b.t	" tm/.distributest/timings &&
	rm tm/t/b.t &&
	(cd tm && distributest -j 1 t/a.t) > /dev/null &&
	grep "^t/b.t	" tm/.distributest/timings &&
	(cd tm && distributest -j 1) > /dev/null &&
	! grep "^t/b.t	" tm/.distributest/timings &&
	grep "^t/a.t	" tm/.distributest/timings
'

test_done
