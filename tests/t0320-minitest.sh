#!/bin/sh
test_description='adapter-minitest and adapter-test-unit, alone and end to end'
. "$(dirname "$0")/test-lib.sh"

# Each test needs minitest (MINITEST), test-unit (TEST_UNIT) or both.

MT=$LIBEXEC/adapter-minitest
TU=$LIBEXEC/adapter-test-unit

# Copies of the example projects, with the configuration that picks them.
test_expect_success 'setup' '
	test -x "$MT" && test -x "$TU" &&
	cp -R "$SRCDIR/examples/minitest-mixed" mm &&
	cp -R "$SRCDIR/examples/test-unit-mixed" tu &&
	rm -rf mm/.distributest tu/.distributest &&
	mkdir mm/.distributest tu/.distributest &&
	printf "[run]\nframework = minitest\n" > mm/.distributest/config &&
	printf "[run]\nframework = test-unit\n" > tu/.distributest/config
'

# RERUN (the 6th field) of the fail line of results file $1 whose
# DESCRIPTION (3rd field) is $2, unescaped (\\, \t and \n, as printf %b
# does).
rerun_of() {
	printf '%b' "$(awk -F '\t' -v d="$2" '$1 == "fail" && $3 == d { print $6; exit }' "$1")"
}

# Runs the command $2 with sh in directory $1, as a person would paste it;
# its output in $TRASH/rerun.out. It must fail, as its test does, with an
# exit status.
rerun_fails() {
	code=0
	(cd "$1" && exec sh -c "$2" > "$TRASH/rerun.out" 2>&1) || code=$?
	test "$code" -ne 0 && test "$code" -le 128
}

# Commands with quotes, written once, with Q for a single quote.
Q="'"
MT_RUBY="ruby -Itest -Ilib"
MT_WRONG_SUM="$MT_RUBY test/failing_test.rb -n ${Q}/^test_wrong_sum\$/${Q}"
MT_DIVIDES="$MT_RUBY test/error_test.rb -n ${Q}/^test_divides_by_zero\$/${Q}"
MT_SPEC="$MT_RUBY ${Q}test/odd name_test.rb${Q} -n ${Q}/^test_0001_fails \\[here\\] and it${Q}\\${Q}${Q}s\$/${Q}"
MT_BASE="$MT_RUBY ${Q}test/odd name_test.rb${Q} -n ${Q}/^BaseTest#test_same\$/${Q}"
MT_SUB="$MT_RUBY ${Q}test/odd name_test.rb${Q} -n ${Q}/^SubTest#test_same\$/${Q}"

# The totals line the EXPECTED file of project $1 predicts.
want_totals() {
	nf=$(find "$1/test" -name "*_test.rb" | wc -l) &&
	echo "$nf files, $(sed -n "s/^words //p" "$1/EXPECTED") in "
}

test_expect_success MINITEST 'minitest: ready, failures named Class#test with file:line' '
	printf "run\ttest/failing_test.rb\n" | (cd mm && "$MT" 3> ../res) > out &&
	head -n 1 res | grep "^ready$" &&
	test_grep "$(printf "fail\tfailure\tFailingTest#test_wrong_sum\ttest/failing_test.rb:6\tExpected: 5")" res &&
	test_grep "$(printf "fail\tfailure\tFailingTest#test_flunks\ttest/failing_test.rb:14\t")" res &&
	grep "^done	failed	3	2	0	0$" res
'

test_expect_success MINITEST 'minitest: RERUN runs the test by its name, or the file' '
	printf "run\ttest/failing_test.rb\nrun\ttest/error_test.rb\nrun\ttest/syntax_error_test.rb\nrun\ttest/skip_test.rb\n" |
	(cd mm && "$MT" 3> ../res) > out &&
	test "$(rerun_of res FailingTest#test_wrong_sum)" = "$MT_WRONG_SUM" &&
	test "$(rerun_of res ErrorTest#test_divides_by_zero)" = "$MT_DIVIDES" &&
	test "$(rerun_of res "error while loading test/syntax_error_test.rb")" = \
	    "$MT_RUBY test/syntax_error_test.rb" &&
	! grep "^pending.*ruby" res
'

test_expect_success MINITEST 'minitest: RERUN run in a copy runs that one test, and fails' '
	cp -R "$SRCDIR/examples/minitest-mixed" mm2 &&
	rerun_fails mm2 "$MT_WRONG_SUM" &&
	test_grep "1 runs, 1 assertions, 1 failures, 0 errors, 0 skips" rerun.out &&
	rerun_fails mm2 "$MT_DIVIDES" &&
	test_grep "1 runs, 0 assertions, 0 failures, 1 errors, 0 skips" rerun.out &&
	rerun_fails mm2 "$MT_RUBY test/syntax_error_test.rb" &&
	test_grep "syntax error" rerun.out
'

test_expect_success MINITEST 'minitest: RERUN of a spec named with spaces and a quote, of a shared name' '
	cat > "mm2/test/odd name_test.rb" <<-EOF &&
	require "test_helper"
	class BaseTest < Minitest::Test
	  def test_same; assert_equal 1, 2; end
	end
	class SubTest < BaseTest
	end
	describe "A stack" do
	  describe "when odd" do
	    it("fails [here] and it${Q}s") { _(1).must_equal 2 }
	  end
	end
	EOF
	printf "run\ttest/odd name_test.rb\n" | (cd mm2 && "$MT" 3> ../res) > out &&
	grep "^done	failed	3	3	0	0$" res &&
	test "$(rerun_of res "A stack::when odd#test_0001_fails [here] and it${Q}s")" = "$MT_SPEC" &&
	test "$(rerun_of res BaseTest#test_same)" = "$MT_BASE" &&
	test "$(rerun_of res SubTest#test_same)" = "$MT_SUB" &&
	for c in "$MT_SPEC" "$MT_BASE" "$MT_SUB"; do
		rerun_fails mm2 "$c" &&
		test_grep "1 runs, 1 assertions, 1 failures, 0 errors, 0 skips" rerun.out || return 1
	done
'

test_expect_success MINITEST 'minitest: errors apart from failures, skips pending, a syntax error is an ERROR' '
	printf "run\ttest/error_test.rb\nrun\ttest/skip_test.rb\nrun\ttest/syntax_error_test.rb\n" |
	(cd mm && "$MT" 3> ../res) > out &&
	test_grep "$(printf "fail\terror\tErrorTest#test_divides_by_zero\ttest/error_test.rb:6\tZeroDivisionError")" res &&
	grep "^done	error	2	0	0	1$" res &&
	test_grep "$(printf "pending\tSkipTest#test_not_yet\ttest/skip_test.rb:5\tnot implemented yet")" res &&
	grep "^done	passed	2	0	1	0$" res &&
	test_grep "$(printf "fail\terror\terror while loading test/syntax_error_test.rb\ttest/syntax_error_test.rb:7\tSyntaxError")" res &&
	grep "^done	error	0	0	0	1$" res
'

test_expect_success MINITEST 'minitest: a class runs with its file only, never with the next' '
	printf "run\ttest/calculator_test.rb\nrun\ttest/skip_test.rb\nrun\ttest/stack_test.rb\n" |
	(cd mm && "$MT" 3> ../res) > out &&
	grep "^done" res | cut -f3 | tr "\n" " " > counts &&
	printf "3 2 3 " > want && test_cmp want counts
'

# Classes that test/a_test.rb defines and b_test.rb and c_test.rb reopen:
# b adds a test to ReopenTest, and to NoSuperTest, whose method_added
# does not call super, one of its own and one a module brings; c only a
# helper.  $1: the base class, $2 the require.
reopen_project() {
	rm -rf ro && mkdir -p ro/test &&
	cat > ro/test/a_test.rb <<-EOF &&
	require "$2"
	class ReopenTest < $1
	  def test_a; assert false, "a fails"; end
	  def test_a2; assert true; end
	end
	class NoSuperTest < $1
	  def self.method_added(_name); end
	  def test_n1; assert true; end
	end
	EOF
	cat > ro/test/b_test.rb <<-EOF &&
	require "$2"
	module SharedTests
	  def test_s; assert true; end
	end
	class ReopenTest < $1
	  def helper; end
	  def test_b; assert true; end
	end
	class NoSuperTest < $1
	  include SharedTests
	  def test_n2; assert false, "n2 fails"; end
	end
	EOF
	cat > ro/test/c_test.rb <<-EOF
	require "$2"
	class ReopenTest < $1
	  def other_helper; end
	end
	EOF
}

# The done lines' STATUS EXAMPLES FAILURES of adapter $1 running the
# requests on its standard input in ro.
reopen_counts() {
	(cd ro && "$1" 3> ../res) > out &&
	grep "^done" res | cut -f 2-4 | tr "\t\n" ": "
}

for fw in MINITEST TEST_UNIT; do
	case $fw in
	MINITEST) base=Minitest::Test req=minitest/autorun ad=$MT ;;
	TEST_UNIT) base=Test::Unit::TestCase req=test/unit ad=$TU ;;
	esac
	test_expect_success "$fw" "$fw: a file that reopens an earlier file's class runs the tests it adds, not the earlier ones" '
		reopen_project '"$base"' '"$req"' &&
		printf "run\ttest/a_test.rb\nrun\ttest/b_test.rb\nrun\ttest/c_test.rb\n" |
		reopen_counts "'"$ad"'" > got &&
		printf "failed:3:1 failed:3:1 passed:0:0 " > want && test_cmp want got &&
		grep "^unit	ReopenTest#test_b	" res &&
		grep "^unit	NoSuperTest#test_s	" res &&
		printf "run\ttest/b_test.rb\nrun\ttest/a_test.rb\n" |
		reopen_counts "'"$ad"'" > got &&
		printf "failed:3:1 failed:3:1 " > want && test_cmp want got
	'

	test_expect_success "$fw" "$fw: a split file asked for again runs its own tests, not those a later file added" '
		printf "run\ttest/a_test.rb\tonly\tReopenTest#test_a\nrun\ttest/b_test.rb\nrun\ttest/a_test.rb\texcept\tReopenTest#test_a\n" |
		reopen_counts "'"$ad"'" > got &&
		printf "failed:1:1 failed:3:1 passed:2:0 " > want && test_cmp want got &&
		printf "run\ttest/a_test.rb\nrun\ttest/b_test.rb\texcept\tReopenTest#test_b\nrun\ttest/b_test.rb\tonly\tReopenTest#test_b\tReopenTest#test_a\n" |
		reopen_counts "'"$ad"'" > got &&
		printf "failed:3:1 failed:2:1 passed:1:0 " > want && test_cmp want got
	'
done

test_expect_success MINITEST,TEST_UNIT 'end to end: reopened classes on one runner give the totals of a plain run' '
	for fw in mt tu; do
		case $fw in
		mt) reopen_project Minitest::Test minitest/autorun && w="3 files, 6 runs, 6 assertions, 2 failures" ;;
		tu) reopen_project Test::Unit::TestCase test/unit && w="3 files, 6 tests, 6 assertions, 2 failures" &&
			mkdir ro/.distributest && printf "[run]\nframework = test-unit\n" > ro/.distributest/config ;;
		esac &&
		(cd ro && ruby -Itest -e "Dir[\"test/*_test.rb\"].sort.each { |f| load f }") > plain 2>&1 || : &&
		grep -E "6 (runs|tests), 6 assertions, 2 failures" plain &&
		for k in 1 2; do
			(cd ro && test_expect_code 1 distributest -j 1) > out &&
			test_grep "$w" out || return 1
		done
	done
'

test_expect_success MINITEST,TEST_UNIT 'a file of the other framework'"'"'s tests is an error that names it, not a pass of 0 tests' '
	reopen_project Test::Unit::TestCase test/unit &&
	printf "run\ttest/a_test.rb\n" | (cd ro && "$MT" 3> ../res) > out &&
	test_grep "$(printf "fail\terror\ttest-unit tests (ReopenTest, NoSuperTest), which adapter-minitest does not run; set framework = test-unit: test/a_test.rb")" res &&
	grep "^done	error	0	0	0	1$" res &&
	printf "run\ttest/c_test.rb\n" | (cd ro && "$MT" 3> ../res) > out &&
	grep "^done	passed	0	0	0	0$" res &&
	reopen_project Minitest::Test minitest/autorun &&
	# minitest/autorun runs them at exit all the same, and fails.
	{ printf "run\ttest/a_test.rb\n" | (cd ro && "$TU" 3> ../res) > out || :; } &&
	test_grep "which adapter-test-unit does not run; set framework = minitest" res &&
	grep "^done	error	0	0	0	1$" res
'

test_expect_success MINITEST 'minitest: paths with a space, a tab and a newline' '
	sed "s/SkipTest/SpaceTest/" mm/test/skip_test.rb > "mm/test/with space_test.rb" &&
	sed "s/SkipTest/TabTest/" mm/test/skip_test.rb > "$(printf "mm/test/with\ttab_test.rb")" &&
	sed "s/SkipTest/LineTest/" mm/test/skip_test.rb > "$(printf "mm/test/with\nline_test.rb")" &&
	printf "run\ttest/with space_test.rb\nrun\ttest/with\\\\ttab_test.rb\nrun\ttest/with\\\\nline_test.rb\n" |
	(cd mm && "$MT" 3> ../res) > out &&
	test_grep "$(printf "pending\tSpaceTest#test_not_yet\ttest/with space_test.rb:5\t")" res &&
	test_grep "$(printf "pending\tTabTest#test_not_yet\ttest/with\\\\ttab_test.rb:5\t")" res &&
	test_grep "$(printf "pending\tLineTest#test_not_yet\ttest/with\\\\nline_test.rb:5\t")" res &&
	grep "^done	passed	2	0	1	0$" res > dones &&
	test_line_count = 3 dones &&
	rm "mm/test/with space_test.rb" mm/test/with*tab_test.rb mm/test/with*line_test.rb
'

test_expect_success MINITEST,TEST_UNIT 'minitest: a path not in UTF-8; test-unit refuses it' '
	sed "s/FailingTest/LatinTest/" mm/test/failing_test.rb > "$(printf "mm/test/latin\351_test.rb")" &&
	printf "run\ttest/latin\351_test.rb\n" | (cd mm && "$MT" 3> ../res) > out &&
	test_grep "$(printf "fail\tfailure\tLatinTest#test_wrong_sum\ttest/latin\351_test.rb:6\tExpected: 5")" res &&
	grep "^done	failed	3	2	0	0$" res &&
	rm mm/test/latin*_test.rb &&
	sed "s/FailingTest/LatinTest/" tu/test/failing_test.rb > "$(printf "tu/test/latin\351_test.rb")" &&
	printf "run\ttest/latin\351_test.rb\n" | (cd tu && "$TU" 3> ../res) > out &&
	test_grep "test-unit cannot run a file whose path is not valid UTF-8" res &&
	grep "^done	error	0	0	0	1$" res &&
	rm tu/test/latin*_test.rb
'

test_expect_success MINITEST 'minitest: args -n and --exclude select tests (-e is Rails'"'"' --environment where railties is installed)' '
	printf "run\ttest/calculator_test.rb\n" | (cd mm && "$MT" -n /adds/ 3> ../res) > out &&
	grep "^done	passed	2	0	0	0$" res &&
	printf "run\ttest/calculator_test.rb\n" | (cd mm && "$MT" --exclude /adds/ 3> ../res) > out &&
	grep "^done	passed	1	0	0	0$" res
'

test_expect_success MINITEST 'minitest: exit in a test is an error and the worker goes on' '
	mkdir -p ex/test &&
	printf "require \"minitest/autorun\"\nclass ExitTest < Minitest::Test\n  def test_exits; exit 3; end\nend\n" > ex/test/exit_test.rb &&
	printf "abort \"bye\"\n" > ex/test/abort_test.rb &&
	printf "require \"minitest/autorun\"\nclass OkTest < Minitest::Test\n  def test_ok; assert true; end\nend\n" > ex/test/ok_test.rb &&
	printf "run\ttest/exit_test.rb\nrun\ttest/abort_test.rb\nrun\ttest/ok_test.rb\n" |
	(cd ex && test_expect_code 0 "$MT" 3> ../res) > out 2>&1 &&
	test_grep "$(printf "fail\terror\texit (status 3) called in ExitTest#test_exits")" res &&
	test_grep "$(printf "fail\terror\texit (status 1) called while loading test/abort_test.rb")" res &&
	grep "^done	error	0	0	0	1$" res > errors &&
	test_line_count = 2 errors &&
	grep "^done	passed	1	0	0	0$" res
'

test_expect_success MINITEST 'minitest: DT_ISOLATE=fork survives exit! and gives the same results' '
	printf "require \"minitest/autorun\"\nclass BangTest < Minitest::Test\n  def test_bang; exit!(7); end\nend\n" > ex/test/bang_test.rb &&
	printf "run\ttest/bang_test.rb\nrun\ttest/exit_test.rb\nrun\ttest/ok_test.rb\n" |
	(cd ex && DT_ISOLATE=fork "$MT" 3> ../res) > out 2>&1 &&
	test_grep "$(printf "fail\terror\tthe process running test/bang_test.rb exited 7")" res &&
	test "$(rerun_of res "the process running test/bang_test.rb exited 7")" = "$MT_RUBY test/bang_test.rb" &&
	grep "^done	error	0	0	0	1$" res &&
	grep "^done	passed	1	0	0	0$" res &&
	printf "run\ttest/failing_test.rb\nrun\ttest/calculator_test.rb\n" |
	(cd mm && DT_ISOLATE=fork "$MT" 3> ../res) > out &&
	grep "^done	failed	3	2	0	0$" res &&
	grep "^done	passed	3	0	0	0$" res
'

test_expect_success MINITEST 'minitest: exit statuses for no fd 3, bad input, bad args, a broken helper' '
	(cd mm && test_expect_code 100 "$MT" < /dev/null 3>&-) &&
	printf "run\ta\tb\n" | (cd mm && test_expect_code 101 "$MT" 3> /dev/null) &&
	printf "run\ttest/skip_test.rb" | (cd mm && test_expect_code 101 "$MT" 3> /dev/null) > out &&
	(cd mm && test_expect_code 1 "$MT" --bogus < /dev/null 3> ../res) > out &&
	test_grep "$(printf "down\tadapter-minitest: bad args --bogus: invalid option")" res &&
	mkdir -p broken/test && printf "raise \"no database\"\n" > broken/test/test_helper.rb &&
	(cd broken && test_expect_code 1 "$MT" < /dev/null 3> ../res) &&
	test_grep "no database" res && ! grep "^ready" res
'

test_expect_success TEST_UNIT 'test-unit: failures, errors, omit and pend, a syntax error' '
	printf "run\ttest/failing_test.rb\nrun\ttest/error_test.rb\nrun\ttest/skip_test.rb\nrun\ttest/syntax_error_test.rb\n" |
	(cd tu && "$TU" 3> ../res) > out &&
	head -n 1 res | grep "^ready$" &&
	test_grep "$(printf "fail\tfailure\tFailingTest#test_wrong_sum\ttest/failing_test.rb:6\t<5> expected but was")" res &&
	grep "^done	failed	3	2	0	0$" res &&
	test_grep "$(printf "fail\terror\tErrorTest#test_divides_by_zero\ttest/error_test.rb:6\tZeroDivisionError")" res &&
	grep "^done	error	2	0	0	1$" res &&
	test_grep "$(printf "pending\tSkipTest#test_omitted\ttest/skip_test.rb:6\tnot on this platform")" res &&
	test_grep "$(printf "pending\tSkipTest#test_pending\ttest/skip_test.rb:10\tnot implemented yet")" res &&
	grep "^done	passed	3	0	2	0$" res &&
	test_grep "$(printf "fail\terror\terror while loading test/syntax_error_test.rb\ttest/syntax_error_test.rb:7\tSyntaxError")" res &&
	grep "^done	error	0	0	0	1$" res
'

test_expect_success TEST_UNIT 'test-unit: RERUN runs the test by --name, or the file; in a copy, it fails' '
	printf "run\ttest/failing_test.rb\nrun\ttest/error_test.rb\nrun\ttest/syntax_error_test.rb\n" |
	(cd tu && "$TU" 3> ../res) > out &&
	test "$(rerun_of res FailingTest#test_wrong_sum)" = "$MT_RUBY test/failing_test.rb --name=test_wrong_sum" &&
	test "$(rerun_of res ErrorTest#test_divides_by_zero)" = "$MT_RUBY test/error_test.rb --name=test_divides_by_zero" &&
	test "$(rerun_of res "error while loading test/syntax_error_test.rb")" = "$MT_RUBY test/syntax_error_test.rb" &&
	cp -R "$SRCDIR/examples/test-unit-mixed" tu2 &&
	rerun_fails tu2 "$(rerun_of res FailingTest#test_wrong_sum)" &&
	test_grep "1 tests, 1 assertions, 1 failures, 0 errors" rerun.out &&
	rerun_fails tu2 "$(rerun_of res ErrorTest#test_divides_by_zero)" &&
	test_grep "1 tests, 0 assertions, 0 failures, 1 errors" rerun.out &&
	rerun_fails tu2 "$MT_RUBY test/syntax_error_test.rb" &&
	test_grep "syntax error" rerun.out
'

test_expect_success TEST_UNIT 'test-unit: RERUN of a test "..." with a quote, and of a data set' '
	cat > "tu2/test/odd name_test.rb" <<-EOF &&
	require "test_helper"
	class OddTest < Test::Unit::TestCase
	  test("it${Q}s odd") { flunk }
	  data("one" => 1, "two" => 2)
	  def test_data(n); assert_equal 1, n; end
	end
	EOF
	printf "run\ttest/odd name_test.rb\n" | (cd tu2 && "$TU" 3> ../res) > out &&
	grep "^done	failed	3	2	0	0$" res &&
	test "$(rerun_of res "OddTest#test: it${Q}s odd")" = \
	    "$MT_RUBY ${Q}test/odd name_test.rb${Q} ${Q}--name=test: it${Q}\\${Q}${Q}s odd${Q}" &&
	test "$(rerun_of res "OddTest#test_data[two]")" = \
	    "$MT_RUBY ${Q}test/odd name_test.rb${Q} ${Q}--name=test_data[two]${Q}" &&
	rerun_fails tu2 "$(rerun_of res "OddTest#test: it${Q}s odd")" &&
	test_grep "1 tests, 1 assertions, 1 failures, 0 errors" rerun.out &&
	rerun_fails tu2 "$(rerun_of res "OddTest#test_data[two]")" &&
	test_grep "1 tests, 1 assertions, 1 failures, 0 errors" rerun.out
'

test_expect_success TEST_UNIT 'test-unit: one file at a time, a space in a path, -n restricts' '
	sed "s/SkipTest/SpaceTest/" tu/test/skip_test.rb > "tu/test/with space_test.rb" &&
	printf "run\ttest/calculator_test.rb\nrun\ttest/with space_test.rb\nrun\ttest/stack_test.rb\n" |
	(cd tu && "$TU" 3> ../res) > out &&
	grep "^done" res | cut -f3 | tr "\n" " " > counts &&
	printf "4 3 3 " > want && test_cmp want counts &&
	test_grep "$(printf "pending\tSpaceTest#test_omitted\ttest/with space_test.rb:6\t")" res &&
	rm "tu/test/with space_test.rb" &&
	printf "run\ttest/calculator_test.rb\n" | (cd tu && "$TU" -n /divides/ 3> ../res) > out &&
	grep "^done	passed	2	0	0	0$" res &&
	(cd tu && test_expect_code 1 "$TU" --bogus < /dev/null 3> ../res) > out &&
	test_grep "$(printf "down\tadapter-test-unit: bad args --bogus")" res
'

for p in mm tu; do
	case $p in mm) fw=MINITEST ;; tu) fw=TEST_UNIT ;; esac
	test_expect_success "$fw" "$p: distributest -j 1, -j 3 and forked give the totals of EXPECTED" '
		want=$(want_totals '$p') &&
		(cd '$p' && test_expect_code 1 distributest -j 1) > out1 &&
		test_grep "$want" out1 &&
		(cd '$p' && test_expect_code 1 distributest -j 3) > out3 &&
		test_grep "$want" out3 &&
		(cd '$p' && export DT_ISOLATE=fork && test_expect_code 1 distributest -j 3) > outf &&
		test_grep "$want" outf &&
		test_grep "FAIL test/failing_test.rb:6 (local/" out3 &&
		test_grep "  FailingTest#test_wrong_sum" out3 &&
		test_grep "ERROR test/error_test.rb:6 (local/" out3 &&
		test_grep "ERROR test/syntax_error_test.rb:7 (local/" out3 &&
		test_grep "output_test: hello from stdout" '$p'/.distributest/log &&
		test_grep "output_test: hello from stderr" '$p'/.distributest/log
	'
done

test_expect_success MINITEST,TEST_UNIT 'end to end: the rerun line under a failure' '
	(cd mm && test_expect_code 1 distributest -j 2) > out &&
	test_grep "  rerun: $MT_WRONG_SUM" out &&
	test_grep "  rerun: $MT_RUBY test/syntax_error_test.rb" out &&
	(cd tu && test_expect_code 1 distributest -j 2) > out &&
	test_grep "  rerun: $MT_RUBY test/failing_test.rb --name=test_wrong_sum" out
'

test_expect_success MINITEST 'minitest end to end: a file named with a space, and args' '
	sed "s/OutputTest/SpaceTest/" mm/test/output_test.rb > "mm/test/with space_test.rb" &&
	(cd mm && test_expect_code 1 distributest -j 2) > out &&
	test_grep "passed test/with space_test.rb (" out &&
	printf "args = -n /adds/\n" >> mm/.distributest/config &&
	(cd mm && test_expect_code 1 distributest -j 2) > out &&
	test_grep "files, 2 runs, 2 assertions, 0 failures, 1 errors, 0 skips in " out &&
	test_no_leftovers
'

# crass names tests after its CSS fixtures, NUL bytes included: no line
# of the protocol may hold one, so the adapter sends it as U+2400, and
# takes an ID asked for so (--failed, a split file's parts).
test_expect_success MINITEST 'a test name with a NUL byte: counted, reported, and run again by --failed' '
	mkdir -p nul/test &&
	cat > nul/test/nul_test.rb <<-\EOF &&
	require "minitest/autorun"
	class NulTest < Minitest::Test
	  define_method("test_nul\0a") { assert true }
	  define_method("test_nul\0b") { flunk "bad\0byte" }
	  def test_plain; assert true; end
	end
	EOF
	(cd nul && test_expect_code 1 distributest -j 2) > out &&
	test_grep "1 file, 3 runs, 3 assertions, 1 failures, 0 errors, 0 skips in " out &&
	test_grep "NulTest#test_nul$(printf "\342\220\200")b" out &&
	test_grep "bad$(printf "\342\220\200")byte" out &&
	(cd nul && test_expect_code 1 distributest --failed) > out &&
	test_grep "1 file, 1 runs, 1 assertions, 1 failures, 0 errors, 0 skips in " out
'

test_done
