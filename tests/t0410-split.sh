#!/bin/sh
test_description='slow files split by example: parts on several runners, results merged per file'
. "$(dirname "$0")/test-lib.sh"

PYTEST=/usr/bin/python3

# A pytest project: one slow file of six tests, and six quick files.
test_expect_success 'setup: a pytest project with one slow file' '
	mkdir -p py/tests py/.distributest &&
	printf "[pytest]\n" > py/pytest.ini &&
	{
		echo "import time" &&
		for i in 1 2 3 4 5 6; do
			printf "def test_s%s():\n    time.sleep(0.4)\n" $i || return 1
		done
	} > py/tests/test_slow.py &&
	for f in 1 2 3 4 5 6; do
		printf "import time\ndef test_a():\n    time.sleep(0.1)\n" > py/tests/test_f$f.py || return 1
	done &&
	printf "[run]\nframework = pytest\ntests = tests/test_*.py\n[node local]\nrunners = 4\n" > py/.distributest/config
'

test_expect_success 'the first run times every file and every test' '
	(cd py && distributest) > out &&
	test_grep "7 files, 12 passed in" out &&
	head -n 1 py/.distributest/timings > hdr &&
	printf "distributest-timings\t2\n" > want && test_cmp want hdr &&
	grep "^tests/test_slow.py	2\.[0-9]*	[0-9.,]*$" py/.distributest/timings &&
	grep "^tests/test_slow.py	0\.[0-9]*	[0-9.,]*	test_s[1-6]$" py/.distributest/timings > units &&
	test_line_count = 6 units &&
	! grep -q "	split	tests/" py/.distributest/log
'

test_expect_success 'the plan splits the slow file; every test is in one part' '
	(cd py && distributest --dry-run) > plan &&
	grep "tests/test_slow.py \[part [1-9]/" plan > parts &&
	test_line_count -ge 2 parts &&
	m=$(wc -l < parts) &&
	test_grep "7 files in $((6 + m)) parts, 4 runners" plan &&
	grep "all units but the other parts. [0-9]*\]" plan > rest &&
	test_line_count = 1 rest &&
	grep "units\{0,1\}\]" plan | sed "s/.*, \([0-9]*\) units\{0,1\}\]/\1/" > only &&
	grep "all units but" plan | sed "s/.*parts. \([0-9]*\)\]/\1/" > except &&
	sum=0 && for n in $(cat only); do sum=$((sum + n)); done &&
	test "$sum" -eq "$(cat except)" &&
	! grep -q "tests/test_f[1-6].py \[part" plan
'

test_expect_success 'the second run splits it, and counts what a serial run counts' '
	(cd py && distributest) > out &&
	test_grep "7 files, 12 passed in" out &&
	m=$(grep "	split	tests/test_slow.py	" py/.distributest/log | cut -f4) &&
	test "$m" -ge 2 &&
	grep "	assign	local	[1-4]	tests/test_slow.py	[1-9]/$m$" py/.distributest/log > assigns &&
	test_line_count = "$m" assigns &&
	(cd py && $PYTEST -m pytest -q -p no:cacheprovider tests) > serial 2>&1 &&
	test_grep "12 passed" serial
'

test_expect_success 'the file is timed once, as the sum of its parts' '
	grep "^tests/test_slow.py	2\.[0-9]*	2\.[0-9]*,2\.[0-9]*$" py/.distributest/timings &&
	grep "	test_s[1-6]$" py/.distributest/timings > units &&
	test_line_count = 6 units
'

test_expect_success 'a test added since the timings runs, in the part that runs the rest' '
	printf "def test_new():\n    pass\n" >> py/tests/test_slow.py &&
	(cd py && distributest) > out &&
	test_grep "7 files, 13 passed in" out &&
	grep "	test_new$" py/.distributest/timings
'

test_expect_success 'a failure in a part: reported, the file counted once, exit 1' '
	sed -i "s/def test_s4():/def test_s4():\n    assert 1 == 2/" py/tests/test_slow.py &&
	test_expect_code 1 sh -c "cd py && exec distributest" > out &&
	test_grep "7 files, 1 failed, 12 passed in" out &&
	test_grep "tests/test_slow.py::test_s4" out &&
	test_grep "rerun: " out &&
	grep "^failed tests/test_slow.py \[part [1-9]/[1-9]\]" out
'

test_expect_success 'a test removed from the file leaves the timings' '
	sed -i "/def test_new/,\$d" py/tests/test_slow.py &&
	(cd py && distributest) > /dev/null; 
	! grep "	test_new$" py/.distributest/timings &&
	grep "	test_s1$" py/.distributest/timings
'

test_expect_success '--no-split and split = no run the file whole' '
	(cd py && distributest --no-split) > out; 
	! grep -q "	split	tests/" py/.distributest/log &&
	(cd py && distributest --dry-run --no-split) > plan &&
	! grep -q "part" plan &&
	sed -i "s/^\[run\]$/[run]\nsplit = no/" py/.distributest/config &&
	(cd py && distributest --dry-run) > plan &&
	! grep -q "part" plan &&
	(cd py && distributest --print-config) > cfg &&
	test_grep "split = no	; $TRASH/py/.distributest/config:2" cfg
'

test_expect_success 'split takes yes or no only, and says where' '
	sed -i "s/^split = no$/split = sometimes/" py/.distributest/config &&
	test_expect_code 100 sh -c "cd py && exec distributest" 2> err &&
	test_grep "py/.distributest/config:2: split: \"sometimes\" is not yes or no" err &&
	sed -i "/^split = /d" py/.distributest/config
'

test_expect_success 'one runner: nothing to split for' '
	(cd py && distributest --dry-run -j 1) > plan &&
	! grep -q "part" plan
'

# RSpec: a slow spec of six examples, one failing, one pending.
test_expect_success 'rspec: the second run splits the slow spec; totals as a serial rspec' '
	mkdir -p rs/spec rs/.distributest &&
	{
		echo "RSpec.describe \"slow\" do" &&
		for i in 1 2 3 4 5; do
			printf "  it(\"s%s\") { sleep 0.3 }\n" $i || return 1
		done &&
		echo "  it(\"fails\") { sleep 0.3; expect(1).to eq 2 }" &&
		echo "  it(\"waits\") { pending(\"later\"); raise \"no\" }" &&
		echo "end"
	} > rs/spec/slow_spec.rb &&
	for f in 1 2 3 4; do
		printf "RSpec.describe \"q$f\" do\n  it(\"a\") { sleep 0.1 }\nend\n" > rs/spec/q${f}_spec.rb || return 1
	done &&
	printf "[run]\nframework = rspec\n[node local]\nrunners = 4\n" > rs/.distributest/config &&
	(cd rs && rspec) > serial 2>&1;
	test_grep "11 examples, 1 failure, 1 pending" serial &&
	test_expect_code 1 sh -c "cd rs && exec distributest" > out &&
	test_grep "5 files, 11 examples, 1 failure, 1 pending" out &&
	test_expect_code 1 sh -c "cd rs && exec distributest" > out &&
	grep "	split	spec/slow_spec.rb	" rs/.distributest/log &&
	test_grep "5 files, 11 examples, 1 failure, 1 pending" out &&
	test_grep "rerun: rspec ./spec/slow_spec.rb:7" out
'

test_expect_success 'minitest: the second run splits the slow file; totals as a serial run' '
	mkdir -p mt/test mt/.distributest &&
	{
		echo "require \"minitest/autorun\"" &&
		echo "class SlowTest < Minitest::Test" &&
		for i in 1 2 3 4 5 6; do
			printf "  def test_s%s; sleep 0.3; end\n" $i || return 1
		done &&
		echo "  def test_skip; skip \"later\"; end" &&
		echo "end"
	} > mt/test/slow_test.rb &&
	for f in 1 2 3 4; do
		printf "require \"minitest/autorun\"\nclass Q${f}Test < Minitest::Test\n  def test_a; sleep 0.1; end\nend\n" > mt/test/q${f}_test.rb || return 1
	done &&
	printf "[run]\nframework = minitest\n[node local]\nrunners = 4\n" > mt/.distributest/config &&
	(cd mt && ruby -Itest -e "ARGV.each { |f| require File.expand_path(f) }" test/*_test.rb) > serial 2>&1 &&
	test_grep "11 runs, 0 assertions, 0 failures, 0 errors, 1 skips" serial &&
	(cd mt && distributest) > out &&
	(cd mt && distributest) > out &&
	grep "	split	test/slow_test.rb	" mt/.distributest/log &&
	test_grep "5 files, 11 runs, 0 assertions, 0 failures, 0 errors, 1 skips in" out
'

test_expect_success 'one slow file alone is split over the runners' '
	(cd py && distributest --dry-run tests/test_slow.py) > plan &&
	grep "tests/test_slow.py \[part" plan > parts &&
	test_line_count -ge 3 parts
'

test_expect_success 'rspec: a file whose time is its before(:all) is not split' '
	{
		echo "RSpec.describe \"setup\" do" &&
		echo "  before(:all) { sleep 2 }" &&
		for i in 1 2 3 4; do
			printf "  it(\"e%s\") { }\n" $i || return 1
		done &&
		echo "end"
	} > rs/spec/setup_spec.rb &&
	test_expect_code 1 sh -c "cd rs && exec distributest" > out &&
	grep "^spec/setup_spec.rb	2\." rs/.distributest/timings &&
	(cd rs && distributest --dry-run) > plan &&
	! grep -q "setup_spec.rb \[part" plan &&
	grep "slow_spec.rb \[part" plan
'

# Which runner takes a part depends on which is up: on a busy machine one
# runner may take them all.  Here each part waits (60 s at most) for
# another runner to have begun one, so the parts must run side by side.
test_expect_success 'the parts run side by side on several runners' '
	mkdir -p rv/tests rv/.distributest marks &&
	printf "[pytest]\n" > rv/pytest.ini &&
	cat > rv/tests/test_pair.py <<-\EOF &&
	import os, time
	marks = os.environ.get("RV_MARKS")
	if marks and os.environ.get("RV_WAIT"):
	    open(os.path.join(marks, os.environ["DT_RUNNER"]), "w").close()
	    end = time.time() + 60
	    while len(os.listdir(marks)) < 2 and time.time() < end:
	        time.sleep(0.05)
	def test_1(): time.sleep(0.4)
	def test_2(): time.sleep(0.4)
	def test_3(): time.sleep(0.4)
	def test_4(): time.sleep(0.4)
	EOF
	printf "[run]\nframework = pytest\nenv = RV_MARKS RV_WAIT\n[node local]\nrunners = 2\n" > rv/.distributest/config &&
	(cd rv && RV_MARKS="$TRASH/marks" distributest) > out &&
	(cd rv && RV_MARKS="$TRASH/marks" RV_WAIT=1 distributest) > out &&
	test_grep "1 file, 4 passed in" out &&
	grep "	split	tests/test_pair.py	" rv/.distributest/log &&
	grep "	assign	local	[12]	tests/test_pair.py	" rv/.distributest/log | cut -f4 | sort -u > runners &&
	test_line_count = 2 runners
'

test_expect_success 'a file with more unit ids than a request should carry is not split' '
	mkdir -p many/tests many/.distributest &&
	printf "[pytest]\n" > many/pytest.ini &&
	: > many/tests/test_big.py && : > many/tests/test_small.py && : > many/tests/test_other.py &&
	printf "[run]\nframework = pytest\ntests = tests/test_*.py\n[node local]\nrunners = 4\n" > many/.distributest/config &&
	awk -v n=3000 "BEGIN {
		printf \"distributest-timings\\t2\\n\";
		printf \"tests/test_big.py\\t9.000\\n\";
		for (i = 1; i <= n; i++) printf \"tests/test_big.py\\t0.003\\t0.003\\ttest_unit_%05d\\n\", i;
		printf \"tests/test_other.py\\t1.000\\n\";
		printf \"tests/test_small.py\\t6.000\\n\";
		for (i = 1; i <= 60; i++) printf \"tests/test_small.py\\t0.100\\t0.100\\ttest_unit_%05d\\n\", i;
	}" > many/.distributest/timings &&
	(cd many && distributest --dry-run) > plan &&
	! grep -q "test_big.py \[part" plan &&
	grep -q "test_small.py \[part" plan
'

test_done
