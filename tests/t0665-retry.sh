#!/bin/sh
test_description='retry: what failed runs again on another runner; a test that fails and then passes is flaky'
. "$(dirname "$0")/test-lib.sh"

# The tests below fail the first time they run and pass after: each
# leaves a mark in $MARKS, a directory of the trash, outside the project
# and its copies, which every runner and every try sees; the tests of
# pytest and RSpec also say in it that they ran, to count their runs.
MARKS=$TRASH/marks
export MARKS
mkdir marks

# test_grep for a basic regular expression.
grep_re() {
	if ! grep -e "$1" "$2" > /dev/null; then
		echo "grep_re: no \"$1\" in $2:" >&2
		sed 's/^/| /' "$2" >&2
		return 1
	fi
}

# The log's assign lines of PATH: NODE/R and the try, one a line.
tries() {
	awk -F '\t' -v p="$2" '$2 == "assign" && $5 == p {
		print $3 "/" $4 " " ($7 == "" ? 1 : $7) }' "$1/.distributest/log"
}

# A file of the command framework that fails on its first run only, the
# run that finds no mark $MARKS/$2.
flaky_file() {
	printf "m=\$MARKS/%s\n" "$2" > "$1" &&
	cat >> "$1" <<-\EOF
	if test -e "$m"; then echo "passes now"; exit 0; fi
	: > "$m"
	echo "fails the first time"
	exit 1
	EOF
}

test_expect_success 'command: a file that fails, then passes on another runner, is flaky' '
	make_command_project c &&
	flaky_file c/t/flaky.t c-flaky &&
	echo "exit 0" > c/t/ok.t &&
	printf "retry = 1\n" >> c/.distributest/config &&
	(cd c && distributest -n 2 --junit ../c.xml) > out &&
	grep_re "retrying t/flaky.t: it failed on local/[12]; try 2 of 2" out &&
	test_grep "2 files, 2 examples, 0 failures, 1 flaky in" out &&
	grep_re "^FLAKY t/flaky.t (failed on local/[12], passed on try 2 on local/[12])" out &&
	tries c t/flaky.t > got &&
	test_line_count = 2 got &&
	first=$(sed -n "1s/ 1\$//p" got) && second=$(sed -n "2s/ 2\$//p" got) &&
	test -n "$first" && test -n "$second" && test "$first" != "$second" &&
	test_grep "<testsuites name=\"distributest\" tests=\"2\" failures=\"0\" errors=\"0\"" c.xml &&
	test_grep "<flakyFailure message=\"command exited 1\" type=\"failure\"><stackTrace>" c.xml &&
	printf "distributest-failed\t1\n" > want &&
	test_cmp want c/.distributest/failed
'

test_expect_success 'the timings table counts the runs that found a file flaky' '
	printf "distributest-timings\t3\n" > want &&
	head -n 1 c/.distributest/timings > got &&
	test_cmp want got &&
	grep "^t/flaky.t	[0-9.]*	[0-9.,]*		1\$" c/.distributest/timings &&
	grep "^t/ok.t	[0-9.]*	[0-9.,]*\$" c/.distributest/timings &&
	(cd c && distributest -n 2) > out &&
	! grep "FLAKY\|flaky in" out &&
	grep "^t/flaky.t	.*		1\$" c/.distributest/timings &&
	rm marks/c-flaky &&
	(cd c && distributest -n 2) > out &&
	test_grep ", 1 flaky in" out &&
	grep "^t/flaky.t	.*		2\$" c/.distributest/timings &&
	(cd c && distributest --timings) > out &&
	grep -x "        2x  t/flaky.t" out
'

test_expect_success 'flaky = fail: a flaky pass fails the run, and --failed takes it' '
	rm marks/c-flaky &&
	printf "flaky = fail\n" >> c/.distributest/config &&
	(cd c && test_expect_code 1 distributest -n 2 --format json) > out &&
	tail -n 1 out > last &&
	grep_re "\"flaky\":1,.*\"exit\":1}" last &&
	grep_re "\"file\":\"t/flaky.t\",\"name\":\"t/flaky.t\",\"status\":\"passed\",.*\"try\":2,\"flaky\":true" out &&
	printf "distributest-failed\t1\nt/flaky.t\n" > want &&
	test_cmp want c/.distributest/failed &&
	rm marks/c-flaky &&
	(cd c && test_expect_code 1 distributest -n 2) > out &&
	test_grep "flaky tests fail this run (flaky = fail)" out
'

test_expect_success 'a file that fails every try fails the run, after retry + 1 tries' '
	make_command_project b &&
	printf "echo broken; exit 1\n" > b/t/bad.t &&
	echo "exit 0" > b/t/ok.t &&
	(cd b && test_expect_code 1 distributest -n 2 --retry 2) > out &&
	grep_re "retrying t/bad.t: it failed on local/[12]; try 2 of 3" out &&
	grep_re "retrying t/bad.t: it failed on local/[12]; try 3 of 3" out &&
	test_grep "2 files, 2 examples, 1 failure in" out &&
	! grep "FLAKY\|flaky" out &&
	tries b t/bad.t > got &&
	test_line_count = 3 got &&
	printf "distributest-failed\t1\nt/bad.t\n" > want &&
	test_cmp want b/.distributest/failed
'

test_expect_success 'no retry by default: a test that fails once fails the run' '
	make_command_project d &&
	flaky_file d/t/flaky.t d-flaky &&
	(cd d && test_expect_code 1 distributest -n 2) > out &&
	! grep "retrying" out &&
	test_grep "1 file, 1 example, 1 failure in" out &&
	test "$(tries d t/flaky.t | wc -l)" = 1
'

test_expect_success 'retries of a lost runner and retry of a failure are two settings' '
	(cd d && distributest -p) > out &&
	grep -x "retries = 2	; default" out &&
	grep -x "retry = 0	; default" out &&
	grep -x "flaky = pass	; default" out &&
	(cd d && distributest -p --retry 3) > out &&
	grep -x "retry = 3	; --retry" out &&
	(cd d && test_expect_code 100 distributest --retry 11) 2> err &&
	test_grep "dt-config: -R 11: too large (expected 0 to 10)" err &&
	(cd d && test_expect_code 100 distributest --retry) 2> err &&
	test_grep "option --retry needs a value" err &&
	printf "[run]\nflaky = maybe\n" > bad.conf &&
	(cd d && test_expect_code 100 distributest -c ../bad.conf) 2> err &&
	test_grep "bad.conf:2: flaky: \"maybe\" is not pass or fail" err
'

test_expect_success PYTEST 'pytest: only the tests that failed run again; one is flaky, one fails' '
	mkdir -p py/tests && touch py/pytest.ini &&
	cat > py/tests/test_x.py <<-\EOF &&
	import os

	def ran(name):
	    with open(os.path.join(os.environ["MARKS"], "py-ran"), "a") as f:
	        f.write(name + "\n")

	def test_ok():
	    ran("ok")

	def test_flaky():
	    ran("flaky")
	    mark = os.path.join(os.environ["MARKS"], "py-flaky")
	    if not os.path.exists(mark):
	        open(mark, "w").close()
	        assert False, "fails the first time"

	def test_bad():
	    ran("bad")
	    assert False, "fails every time"
	EOF
	printf "def test_fine(): pass\n" > py/tests/test_y.py &&
	(cd py && test_expect_code 1 distributest -j 2 --retry 1 --junit ../py.xml) > out &&
	grep_re "retrying tests/test_x.py: 2 tests failed on local/[12]; try 2 of 2" out &&
	test_grep "2 files, 1 failed, 3 passed, 1 flaky in" out &&
	grep_re "^FLAKY tests/test_x.py:10 tests/test_x.py::test_flaky (failed on local/[12], passed on try 2 on local/[12])\$" out &&
	sort marks/py-ran > got &&
	printf "bad\nbad\nflaky\nflaky\nok\n" > want &&
	test_cmp want got &&
	grep "	retry	local	[12]	tests/test_x.py	2		" py/.distributest/log > retry &&
	test_grep "test_flaky" retry && test_grep "test_bad" retry &&
	! grep "test_ok" retry &&
	tries py tests/test_x.py > got &&
	test "$(sed -n "1s/ 1\$//p" got)" != "$(sed -n "2s/ 2\$//p" got)" &&
	test "$(grep -c "<flakyFailure " py.xml)" = 1 &&
	test "$(grep -c "<rerunFailure " py.xml)" = 1 &&
	test_grep "<testsuites name=\"distributest\" tests=\"4\" failures=\"1\" errors=\"0\"" py.xml &&
	grep "^tests/test_x.py	[0-9.]*	[0-9.,]*	test_flaky	1\$" py/.distributest/timings &&
	grep "^tests/test_x.py	[0-9.]*	[0-9.,]*	test_ok\$" py/.distributest/timings
'

test_expect_success RSPEC 'rspec: only the examples that failed run again' '
	mkdir -p rs/spec &&
	cat > rs/spec/x_spec.rb <<-\EOF &&
	def ran(name)
	  File.open(File.join(ENV.fetch("MARKS"), "rs-ran"), "a") { |f| f.puts(name) }
	end

	RSpec.describe "X" do
	  it("passes") { ran("ok") }
	  it("is flaky") do
	    ran("flaky")
	    mark = File.join(ENV.fetch("MARKS"), "rs-flaky")
	    next if File.exist?(mark)
	    File.write(mark, "")
	    expect(1).to eq(2)
	  end
	  it("always fails") { ran("bad"); expect(:this).to eq(:that) }
	end
	EOF
	printf "RSpec.describe \"Y\" do\n  it(\"is fine\") { }\nend\n" > rs/spec/y_spec.rb &&
	mkdir rs/.distributest &&
	printf "[run]\nframework = rspec\nretry = 1\n" > rs/.distributest/config &&
	(cd rs && test_expect_code 1 distributest -j 2) > out &&
	grep_re "retrying spec/x_spec.rb: 2 tests failed on local/[12]; try 2 of 2" out &&
	test_grep "2 files, 4 examples, 1 failure, 1 flaky in" out &&
	grep_re "^FLAKY spec/x_spec.rb:7 X is flaky (failed on local/[12], passed on try 2 on local/[12])\$" out &&
	sort marks/rs-ran > got &&
	printf "bad\nbad\nflaky\nflaky\nok\n" > want &&
	test_cmp want got &&
	tries rs spec/x_spec.rb > got &&
	test "$(sed -n "1s/ 1\$//p" got)" != "$(sed -n "2s/ 2\$//p" got)" &&
	grep "^spec/x_spec.rb	[0-9.]*	[0-9.,]*	1:2	1\$" rs/.distributest/timings
'

test_expect_success MINITEST 'minitest: only the test that failed runs again' '
	mkdir -p mt/test &&
	cat > mt/test/x_test.rb <<-\EOF &&
	require "minitest/autorun"

	class XTest < Minitest::Test
	  def ran(name)
	    File.open(File.join(ENV.fetch("MARKS"), "mt-ran"), "a") { |f| f.puts(name) }
	  end

	  def test_ok
	    ran("ok")
	  end

	  def test_flaky
	    ran("flaky")
	    mark = File.join(ENV.fetch("MARKS"), "mt-flaky")
	    return if File.exist?(mark)
	    File.write(mark, "")
	    assert_equal 1, 2
	  end
	end
	EOF
	printf "require \"minitest/autorun\"\nclass YTest < Minitest::Test\n  def test_y; end\nend\n" > mt/test/y_test.rb &&
	(cd mt && distributest -j 2 --retry 1) > out &&
	grep_re "retrying test/x_test.rb: 1 test failed on local/[12]; try 2 of 2" out &&
	test_grep "2 files, 3 runs, 1 assertions, 0 failures, 0 errors, 0 skips, 1 flaky in" out &&
	grep_re "^FLAKY test/x_test.rb:[0-9]* XTest#test_flaky (failed on local/[12], passed on try 2 on local/[12])\$" out &&
	sort marks/mt-ran > got &&
	printf "flaky\nflaky\nok\n" > want &&
	test_cmp want got
'

# Three tries of spec/x_spec.rb, by hand: a, b and c fail on the first,
# on n1/1; a passes on the second, on runner $2 of node $1; b and c pass
# on the third, on runner $4 of node $3, or c fails again with $5 failed.
x_unit() {
	ev unit "$1" "$2" spec/x_spec.rb "$3" 0.010 "$4" "X $5" "./spec/x_spec.rb:$6"
}
x_fail() {
	ev fail "$1" "$2" spec/x_spec.rb failure "X $5" "./spec/x_spec.rb:$6" "$4" "" "$3"
	x_unit "$1" "$2" "$3" failed "$5" "$6"
}
three_tries() {
	ev hello distributest-events 2 test
	ev set framework rspec
	ev set retry 2
	ev node n1 2 local ssh wd
	ev node n2 1 local ssh wd
	ev test spec/x_spec.rb 10
	ev tests-end 1 all
	ev runner-up n1 1 id1
	ev runner-up n1 2 id2
	ev runner-up n2 1 id3
	ev assign n1 1 spec/x_spec.rb
	x_unit n1 1 1:1 passed ok 2
	x_fail n1 1 1:2 "try 1" a 5
	x_fail n1 1 1:3 "try 1" b 8
	x_fail n1 1 1:4 "try 1" c 11
	ev retry n1 1 spec/x_spec.rb 2 "" 1:2 1:3 1:4
	ev "done" n1 1 spec/x_spec.rb failed 0.100 4 3 0 0
	ev assign "$1" "$2" spec/x_spec.rb "" 2
	x_unit "$1" "$2" 1:2 passed a 5
	x_fail "$1" "$2" 1:3 "try 2" b 8
	x_fail "$1" "$2" 1:4 "try 2" c 11
	ev retry "$1" "$2" spec/x_spec.rb 3 "" 1:3 1:4
	ev "done" "$1" "$2" spec/x_spec.rb failed 0.050 3 2 0 0
	ev assign "$3" "$4" spec/x_spec.rb "" 3
	x_unit "$3" "$4" 1:3 passed b 8
	if test "$5" = failed; then
		x_fail "$3" "$4" 1:4 "try 3" c 11
		ev "done" "$3" "$4" spec/x_spec.rb failed 0.040 2 1 0 0
	else
		x_unit "$3" "$4" 1:4 passed c 11
		ev "done" "$3" "$4" spec/x_spec.rb passed 0.040 2 0 0 0
	fi
	ev end complete
}

test_expect_success 'a test that passes on a middle try is flaky there, once' '
	three_tries n2 1 n1 2 > in &&
	dt-collect -j mid.xml < in > out &&
	test_grep "1 file, 4 examples, 0 failures, 3 flaky in" out &&
	grep -Fx "FLAKY ./spec/x_spec.rb:5 X a (failed on n1/1, passed on try 2 on n2/1)" out &&
	grep -Fx "FLAKY ./spec/x_spec.rb:8 X b (failed on n1/1, n2/1, passed on try 3 on n1/2)" out &&
	grep -Fx "FLAKY ./spec/x_spec.rb:11 X c (failed on n1/1, n2/1, passed on try 3 on n1/2)" out &&
	test "$(grep -c "^FLAKY" out)" = 3 &&
	grep -Fx "      0.05s  spec/x_spec.rb  (n2/1, try 2)" out &&
	grep -Fx "      0.10s  spec/x_spec.rb  (n1/1)" out &&
	test_grep "<testsuites name=\"distributest\" tests=\"4\" failures=\"0\" errors=\"0\"" mid.xml &&
	test "$(grep -c "<testcase name=\"X a\"" mid.xml)" = 1 &&
	test "$(grep -c "<flakyFailure " mid.xml)" = 5 &&
	dt-collect -f json < in > mid.json &&
	grep "\"type\":\"test\"" mid.json | grep -v "\"retried\":true" > final &&
	test_line_count = 4 final &&
	grep_re "\"name\":\"X a\",.*\"status\":\"passed\",.*\"try\":2,\"flaky\":true" final
'

test_expect_success 'a test that passes on a middle try, and the last try fails' '
	three_tries n1 1 n2 1 failed > in &&
	test_expect_code 1 dt-collect -j last.xml < in > out &&
	test_grep "1 file, 4 examples, 1 failure, 2 flaky in" out &&
	grep -Fx "FLAKY ./spec/x_spec.rb:5 X a (failed on n1/1, passed on try 2 on n1/1)" out &&
	grep -Fx "FLAKY ./spec/x_spec.rb:8 X b (failed on n1/1, passed on try 3 on n2/1)" out &&
	test "$(grep -c "^FLAKY" out)" = 2 &&
	test_grep "<testsuites name=\"distributest\" tests=\"4\" failures=\"1\" errors=\"0\"" last.xml &&
	test "$(grep -c "<testcase name=\"X a\"" last.xml)" = 1 &&
	test "$(grep -c "<flakyFailure " last.xml)" = 3 &&
	test "$(grep -c "<rerunFailure " last.xml)" = 2 &&
	test_expect_code 1 dt-collect -f json < in > last.json &&
	grep "\"type\":\"test\"" last.json | grep -v "\"retried\":true" > final &&
	test_line_count = 4 final &&
	grep_re "\"name\":\"X c\",.*\"status\":\"failed\",.*\"try\":3," final
'

test_expect_success 'GitHub: a failure that runs again is a warning; with flaky = fail, a flaky test an error' '
	three_tries n2 1 n1 2 | sed "1a set	flaky	fail" > in &&
	GITHUB_ACTIONS=true test_expect_code 1 dt-collect < in > out &&
	grep -Fx "::warning file=spec/x_spec.rb,line=5,title=X a::try 1" out &&
	grep -Fx "::warning file=spec/x_spec.rb,line=8,title=X b::try 2" out &&
	grep -Fx "::error file=spec/x_spec.rb,line=5,title=X a::flaky: failed on n1/1, passed on try 2 on n2/1" out &&
	grep -Fx "::error file=spec/x_spec.rb,line=11,title=X c::flaky: failed on n1/1, n2/1, passed on try 3 on n1/2" out &&
	test "$(grep -c "^::error" out)" = 3
'

test_expect_success 'GitHub: the failure of a try that may run again, then lost, is an error' '
	{
		ev hello distributest-events 2 test &&
		ev set framework command &&
		ev set retry 1 &&
		ev node n1 1 local ssh wd &&
		ev test t/a.t 10 && ev tests-end 1 all &&
		ev runner-up n1 1 id1 &&
		ev assign n1 1 t/a.t &&
		ev fail n1 1 t/a.t failure t/a.t t/a.t "it broke" &&
		ev timeout n1 1 t/a.t 5 &&
		ev lost t/a.t "timed out after 5 s" &&
		ev end complete
	} > in &&
	GITHUB_ACTIONS=true test_expect_code 2 dt-collect < in > out &&
	grep -Fx "::error file=t/a.t,title=t/a.t::it broke" out &&
	! grep "^::warning" out
'

test_expect_success 'a timings table of a format to come is refused' '
	printf "distributest-timings\t9\n" > timings &&
	test_expect_code 101 dt-timings timings 2> err &&
	test_grep "not a timings file (expected \"distributest-timings	3\")" err
'

test_expect_success 'a retry lost: the try before it is the result' '
	{
		ev hello distributest-events 2 test &&
		ev set framework command &&
		ev set retry 1 &&
		ev node n1 2 local ssh wd &&
		ev test t/a.t 10 && ev test t/ok.t 10 &&
		ev tests-end 2 all &&
		ev runner-up n1 1 id1 && ev runner-up n1 2 id2 &&
		ev assign n1 1 t/a.t &&
		ev fail n1 1 t/a.t failure t/a.t t/a.t "command exited 1" "sh t/a.t" &&
		ev retry n1 1 t/a.t 2 &&
		ev done n1 1 t/a.t failed 0.030 1 1 0 0 &&
		ev assign n1 2 t/ok.t &&
		ev done n1 2 t/ok.t passed 0.050 1 0 0 0 &&
		ev assign n1 1 t/a.t "" 2 &&
		ev lost t/a.t "adapter killed; given up after 1 tries" &&
		ev end complete
	} > in &&
	test_expect_code 2 dt-collect -j lost.xml < in > out &&
	test_grep "2 examples, 1 failure, 1 lost in" out &&
	test_grep "<testsuites name=\"distributest\" tests=\"3\" failures=\"1\" errors=\"1\"" lost.xml &&
	test_grep "<failure message=\"command exited 1\"" lost.xml &&
	test_grep "<error message=\"lost: adapter killed; given up after 1 tries\" type=\"lost\"" lost.xml &&
	test_expect_code 2 dt-collect -f json < in > lost.json &&
	grep "\"type\":\"test\"" lost.json | grep -v "\"retried\":true" > final &&
	test_line_count = 3 final &&
	grep_re "\"file\":\"t/a.t\",.*\"status\":\"failed\"" final
'

test_done
