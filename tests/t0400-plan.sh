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

test_expect_success 'the plan: longest first, a new file at the median, each to the runner free first' '
	(cd proj && distributest --dry-run -j 2) > out &&
	sed -n "2,8p" out | awk "{ print \$NF, \$4 }" > got &&
	printf "t/f1.t 1\nt/f2.t 2\nt/f3.t 2\nt/f7.t 1\nt/f4.t 2\nt/f5.t 2\nt/f6.t 1\n" > want &&
	test_cmp want got &&
	grep "1.50s? .*t/f7.t" out &&
	test_grep "7 files, 2 runners; 6 timed" out &&
	test_grep "predicted wall time 6.50s, lower bound 6.25s, work 12.50s" out
'

test_expect_success 'nothing ran and nothing was copied' '
	! test -e "$HOME/.cache/distributest" &&
	! test -e proj/.distributest/log
'

test_expect_success 'the runners are capped at the files' '
	(cd proj && distributest --dry-run -j 50 t/f1.t t/f2.t) > out &&
	test_grep "2 files, 2 runners" out
'

# A run takes at least what its file sleeps, and on a busy machine maybe
# much more: the times, newest first, are checked against those floors.
test_expect_success 'timings: the median of the last three runs' '
	rm -rf tm && make_command_project tm &&
	printf "sleep \$(cat $TRASH/secs)\n" > tm/t/a.t &&
	for t in 0.1 0.9 0.2; do
		echo $t > secs && (cd tm && distributest -j 1) > /dev/null || return 1
	done &&
	grep "^t/a.t	[0-9.]*	[0-9.]*,[0-9.]*,[0-9.]*$" tm/.distributest/timings > line &&
	test_line_count = 1 line &&
	awk -F "\t" "{
		split(\$3, r, \",\");
		if (r[1] < 0.2 || r[2] < 0.9 || r[3] < 0.1) exit 1;
		lo = r[1]; hi = r[1];
		for (i = 2; i <= 3; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
		d = \$2 - (r[1] + r[2] + r[3] - lo - hi);
		if (d > 0.0005 || d < -0.0005) exit 1
	}" line
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

test_expect_success 'distributest --timings: the slowest first' '
	(cd proj && distributest --timings) > out &&
	sed -n 2p out | grep "4.00s .*t/f1.t" &&
	test_grep "6 files, 11.00s in all" out
'

test_expect_success 'dt-timings -m merges tables, the first one newest' '
	printf "distributest-timings\t1\nt/x\t1.000\t1.000,1.000,1.000\nt/y\t2.000\n" > a.t &&
	printf "distributest-timings\t1\nt/x\t9.000\t9.000,9.000\nt/z\t3.000\n" > b.t &&
	"$LIBEXEC/dt-timings" -m m.t a.t b.t &&
	grep "^t/x	1.000	1.000,1.000,1.000$" m.t &&
	grep "^t/y	2.000	" m.t && grep "^t/z	3.000	" m.t &&
	"$LIBEXEC/dt-timings" -m m2.t b.t a.t &&
	grep "^t/x	9.000	9.000,9.000,1.000$" m2.t
'

test_expect_success 'dt-timings: a missing or malformed table is an error' '
	test_expect_code 100 "$LIBEXEC/dt-timings" nope 2> err &&
	test_grep "nope: No such file" err &&
	printf "junk\n" > bad.t &&
	test_expect_code 101 "$LIBEXEC/dt-timings" bad.t 2> err &&
	test_grep "bad.t: line 1" err
'

test_done
