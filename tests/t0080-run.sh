#!/bin/sh
test_description='distributest end to end on this machine'
. "$(dirname "$0")/test-lib.sh"

HOSTNAME=$(hostname)
USERNAME=$(id -un)

test_expect_success 'setup: a command project with passing and failing files' '
	make_command_project proj &&
	for i in 1 2 3 4 5 6; do
		printf "echo file %s runner \$DT_RUNNER_ID env=[\$TEST_ENV_NUMBER] in \$(pwd)\nsleep 0.2\n" $i > proj/t/pass$i.t || return 1
	done &&
	printf "echo about to fail\nexit 1\n" > proj/t/fail1.t &&
	printf "exit 3\n" > proj/t/fail2.t
'

test_expect_success 'failures: exit 1, each failure named, totals right' '
	(cd proj && test_expect_code 1 distributest -j 3) > out 2>&1 &&
	test_grep "FAIL t/fail1.t (local/" out &&
	test_grep "command exited 1" out &&
	test_grep "about to fail" out &&
	test_grep "FAIL t/fail2.t (local/" out &&
	test_grep "command exited 3" out &&
	test_grep "8 files, 8 examples, 2 failures" out &&
	test_grep "on 3 runners" out
'

test_expect_success 'files run in the node copy, never in the project itself' '
	grep "file 1 runner" proj/.distributest/log > line &&
	test_grep "in $HOME/.cache/distributest/$HOSTNAME/$USERNAME/$(copy_path proj).runners/" line
'

test_expect_success 'every runner has its own id and TEST_ENV_NUMBER' '
	grep -o "runner dt_[a-z0-9_]* env=\[[0-9]*\]" proj/.distributest/log | sort -u > ids &&
	cut -d" " -f2 ids | sort -u > runners &&
	test_line_count = 3 runners &&
	grep "_1 env=\[\]" ids && grep "_2 env=\[2\]" ids && grep "_3 env=\[3\]" ids
'

test_expect_success 'every log line names its node' '
	! grep -v "^[0-9:.]* [^ 	]*	" proj/.distributest/log | grep -v "^exit "
'

test_expect_success 'paths restrict the run, from a subdirectory too' '
	(cd proj/t && distributest -j 2 pass1.t pass2.t) > out &&
	test_grep "2 files, 2 examples, 0 failures" out &&
	(cd proj && distributest -j 2 t/pass3.t) > out &&
	test_grep "1 file, 1 example, 0 failures" out
'

test_expect_success 'the second run goes longest first, by the first run'"'"'s times' '
	rm -rf proj/t/* && printf "sleep 1\n" > proj/t/slow.t &&
	printf "true\n" > proj/t/fast.t &&
	printf "sleep 0.5 # the largest file, so first without timings\n" > proj/t/mid.t &&
	rm -f proj/.distributest/timings &&
	(cd proj && distributest -j 1) > out &&
	grep "	assign	" proj/.distributest/log | cut -f5 > first &&
	printf "t/mid.t\nt/slow.t\nt/fast.t\n" > want && test_cmp want first &&
	(cd proj && distributest -j 1) > out &&
	grep "	assign	" proj/.distributest/log | cut -f5 > second &&
	printf "t/slow.t\nt/mid.t\nt/fast.t\n" > want && test_cmp want second
'

test_expect_success 'odd file names go through the whole pipeline' '
	rm -rf proj/t/* &&
	printf "echo ok\n" > "proj/t/with space.t" &&
	printf "echo ok\n" > "$(printf "proj/t/with\ttab.t")" &&
	printf "echo ok\n" > "$(printf "proj/t/with\nnewline.t")" &&
	printf "echo ok\n" > "$(printf "proj/t/latin1-\351.t")" &&
	printf "exit 1\n" > "$(printf "proj/t/fails\ttoo.t")" &&
	(cd proj && test_expect_code 1 distributest -j 2) > out &&
	test_grep "5 files, 5 examples, 1 failure" out &&
	test_grep "$(printf "FAIL t/fails\ttoo.t")" out
'

test_expect_success 'node_setup failing on the only node: the run ends, files lost' '
	rm -rf proj/t/* && printf "true\n" > proj/t/a.t &&
	printf "#!/bin/sh\necho cannot install gems\necho\nexit 5\n" > proj/.distributest/node_setup &&
	chmod +x proj/.distributest/node_setup &&
	(cd proj && test_expect_code 2 distributest) > out &&
	test_grep "node local is out of the run (prep): node_setup exited 5: cannot install gems" out &&
	test_grep "LOST t/a.t: no runner left to run it" out &&
	test_grep "cannot install gems" proj/.distributest/log &&
	rm proj/.distributest/node_setup
'

test_expect_success 'what node_setup starts lives while the tests run, then dies' '
	printf "#!/bin/sh\nsh -c \"sleep 600; :\" $MARK-db > /dev/null 2>&1 &\n" > proj/.distributest/node_setup &&
	chmod +x proj/.distributest/node_setup &&
	printf "sleep 0.5; pgrep -f $MARK-db\n" > proj/t/a.t &&
	(cd proj && distributest) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test_no_leftovers &&
	rm proj/.distributest/node_setup &&
	printf "true\n" > proj/t/a.t
'

test_expect_success 'a configured hook that is missing: exit 100 naming file and line' '
	printf "runner_setup = bin/nope\n" >> proj/.distributest/config &&
	(cd proj && test_expect_code 100 distributest) 2> err &&
	test_grep "proj/.distributest/config:5: runner_setup: $TRASH/proj/bin/nope: No such file" err
'

test_expect_success 'runner_setup gets the runner id; its failure takes out one runner' '
	printf "#!/bin/sh\necho setup \$1 >> $TRASH/setups\n[ \"\$TEST_ENV_NUMBER\" != 2 ] && exit\necho \"no database for \$1\" >&2\necho\nexit 1\n" > proj/bin-setup &&
	chmod +x proj/bin-setup &&
	sed -i "s|^runner_setup = .*|runner_setup = bin-setup|" proj/.distributest/config &&
	for i in 1 2 3 4; do printf "sleep 0.2\n" > proj/t/s$i.t || return 1; done &&
	(cd proj && distributest -j 3) > out &&
	grep "^setup dt_" setups > ran &&
	test_line_count = 3 ran &&
	test_grep "runner local/2 is out: runner_setup exited 1: no database for dt_" out &&
	test_grep "5 files, 5 examples, 0 failures" out
'

test_expect_success 'RSpec: the failing example suite, same totals as rspec file by file' '
	cp -R "$SRCDIR/examples/rspec-failing" rf &&
	rm -rf rf/.distributest &&
	ex=$(sed -n "s/^examples //p" rf/EXPECTED) &&
	fa=$(sed -n "s/^failures //p" rf/EXPECTED) &&
	pe=$(sed -n "s/^pending //p" rf/EXPECTED) &&
	er=$(sed -n "s/^errors //p" rf/EXPECTED) &&
	want="8 files, $ex examples, $fa failures, $pe pending, $er error" &&
	(cd rf && test_expect_code 1 distributest -j 1) > out1 &&
	test_grep "$want" out1 &&
	(cd rf && test_expect_code 1 distributest -j 4) > out4 &&
	test_grep "$want" out4 &&
	test_grep "ERROR spec/syntax_error_spec.rb" out4
'

test_expect_success 'RSpec: the example suite gives the same totals on 1 and 4 runners' '
	cp -R "$SRCDIR/examples/rspec-sleep" rs &&
	rm -rf rs/.distributest &&
	(cd rs && RSPEC_SLEEP_SCALE=0.05 distributest -j 1) > out1 &&
	(cd rs && RSPEC_SLEEP_SCALE=0.05 distributest -j 4) > out4 &&
	test_grep "40 files, 106 examples, 0 failures" out1 &&
	test_grep "40 files, 106 examples, 0 failures" out4
'

test_expect_success 'a run of two files does not boot sixteen runners' '
	rm -rf sized && make_command_project sized &&
	printf "true\n" > sized/t/a.t && printf "true\n" > sized/t/b.t &&
	(cd sized && distributest -j 16) > out &&
	test_grep "2 files, 2 examples, 0 failures" out &&
	grep "	runner-up	" sized/.distributest/log > ups &&
	# Two runners for two files, and one more in case a runner_setup
	# fails, stopped once two are up: it may be up first.
	test_line_count -le 3 ups
'

test_expect_success 'tests get SIGPIPE at its default' '
	rm -rf sp && make_command_project sp &&
	printf "yes | head -n 1 > /dev/null\n" > sp/t/pipe.t &&
	(cd sp && distributest) > out 2>&1 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	! grep "Broken pipe" sp/.distributest/log
'

test_expect_success 'a chatty test left behind does not hold up the end of the run' '
	rm -rf ch && make_command_project ch &&
	printf "(yes $MARK-chat > /dev/null &)\ntrue\n" > ch/t/a.t &&
	start=$(date +%s) &&
	(cd ch && distributest) > out 2>&1 &&
	test $(($(date +%s) - start)) -lt 5 &&
	test_no_leftovers
'

test_expect_success 'no test files: exit 3' '
	mkdir -p empty/spec &&
	(cd empty && test_expect_code 3 distributest) > out &&
	test_grep "no test files found" out
'

test_expect_success 'bad options: exit 100 with the usage' '
	test_expect_code 100 distributest -x 2> err &&
	test_grep "usage: distributest" err &&
	test_expect_code 100 distributest -j 2> err &&
	test_expect_code 100 distributest -C proj nope.t 2> err &&
	test_grep "nope.t: no such file" err
'

test_expect_success 'a reader that stops for longer than three heartbeats does not stop the run' '
	rm -rf loud && make_command_project loud &&
	for i in 1 2 3 4; do
		printf "i=0; while [ \$i -lt 3000 ]; do echo line \$i of a loud test file; i=\$((i + 1)); done\n" > loud/t/f$i.t || return 1
	done &&
	(cd loud && DISTRIBUTEST_HEARTBEAT=1 distributest -v -j 2) 2>&1 | { sleep 6; cat; } > out &&
	test_grep "4 files, 4 examples, 0 failures" out &&
	! grep -q "taken for lost\|nothing heard" out
'

test_expect_success 'DISTRIBUTEST_HEARTBEAT takes 0 to 3600 seconds' '
	test_expect_code 100 env DISTRIBUTEST_HEARTBEAT=often distributest -C loud > out 2>&1 &&
	test_grep "DISTRIBUTEST_HEARTBEAT=often: " out
'

test_expect_success 'two projects of one name do not share a copy, nor runner ids' '
	make_command_project a/app && make_command_project b/app &&
	printf "echo a\n" > a/app/t/only-a.t && printf "echo b\n" > b/app/t/only-b.t &&
	(cd a/app && distributest -j 1) > out-a &&
	(cd b/app && distributest -j 1) > out-b &&
	test_grep "1 file, 1 example, 0 failures" out-a &&
	test_grep "1 file, 1 example, 0 failures" out-b &&
	na=$(copy_name a/app) && nb=$(copy_name b/app) &&
	test "$na" != "$nb" &&
	case $na in app-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;; *) false ;; esac &&
	test -f "$HOME/.cache/distributest/$HOSTNAME/$USERNAME/$(copy_path a/app)/t/only-a.t" &&
	test -f "$HOME/.cache/distributest/$HOSTNAME/$USERNAME/$(copy_path b/app)/t/only-b.t" &&
	ida=$(grep "	runner-up	" a/app/.distributest/log | cut -f5) &&
	idb=$(grep "	runner-up	" b/app/.distributest/log | cut -f5) &&
	test -n "$ida" && test "$ida" != "$idb"
'

test_done
