#!/bin/sh
test_description='--failed runs again exactly what failed in the last run: the failing tests of a file, or the whole file when no test is named, distributed like any run'
. "$(dirname "$0")/test-lib.sh"

# The files a run gave to runners, from its log.
ran() {
	grep "	assign	" "$1/.distributest/log" | cut -f 5 | sort -u
}

test_expect_success 'command framework: the files that failed or were lost, whole' '
	make_command_project c &&
	for i in 1 2 3 4; do
		echo "exit 0" > "c/t/ok$i.t" || return 1
	done &&
	echo "exit 1" > c/t/bad1.t &&
	echo "exit 1" > c/t/bad2.t &&
	(cd c && test_expect_code 1 distributest -j 2) > out &&
	printf "distributest-failed\t1\nt/bad1.t\nt/bad2.t\n" > want &&
	test_cmp want c/.distributest/failed &&
	(cd c && test_expect_code 1 distributest --failed -j 2) > out &&
	ran c > got &&
	printf "t/bad1.t\nt/bad2.t\n" > want && test_cmp want got &&
	test_grep "2 files, 2 examples, 2 failures" out
'

test_expect_success 'a rerun whose files pass leaves an empty list, and the next says so' '
	echo "exit 0" > c/t/bad1.t && echo "exit 0" > c/t/bad2.t &&
	(cd c && distributest --failed) > out &&
	printf "distributest-failed\t1\n" > want &&
	test_cmp want c/.distributest/failed &&
	(cd c && distributest --failed) > out &&
	test_grep "nothing failed in the last run" out
'

test_expect_success 'a file that failed and is gone is left out, with a word' '
	echo "exit 1 # again" > c/t/bad1.t && echo "exit 1 # again" > c/t/bad2.t &&
	(cd c && test_expect_code 1 distributest) > out &&
	rm c/t/bad2.t &&
	(cd c && test_expect_code 1 distributest --failed) > out 2> err &&
	test_grep "t/bad2.t: failed in the last run, and is gone" err &&
	ran c > got && echo t/bad1.t > want && test_cmp want got
'

test_expect_success '--failed with no earlier run, or with paths, is a usage error' '
	make_command_project fresh && echo "exit 0" > fresh/t/a.t &&
	(cd fresh && test_expect_code 100 distributest --failed) 2> err &&
	test_grep "no run has left a list of what failed" err &&
	(cd c && test_expect_code 100 distributest --failed t) 2> err &&
	test_grep "takes no path (t)" err
'

test_expect_success PYTEST 'pytest: only the tests that failed run again, on several runners' '
	mkdir -p py/tests && touch py/pytest.ini &&
	for f in a b c; do
		printf "def test_ok1(): pass\ndef test_ok2(): pass\ndef test_bad(): assert False\n" > "py/tests/test_$f.py" || return 1
	done &&
	printf "def test_fine(): pass\n" > py/tests/test_d.py &&
	(cd py && test_expect_code 1 distributest -j 3) > out &&
	test_grep "3 failed, 7 passed" out &&
	test_line_count = 4 py/.distributest/failed &&
	grep "^tests/test_a.py	test_bad$" py/.distributest/failed &&
	(cd py && test_expect_code 1 distributest --failed -j 3) > out &&
	test_grep "3 files, 3 failed in" out &&
	! grep "passed" out &&
	ran py > got &&
	printf "tests/test_a.py\ntests/test_b.py\ntests/test_c.py\n" > want &&
	test_cmp want got
'

# A file's own line has its samples only; its units' lines end with an ID.
test_expect_success PYTEST 'pytest: a rerun keeps the file times, and the other units'"'"' ones' '
	grep "^tests/test_a.py	[0-9.]*	[0-9.]*\$" py/.distributest/timings > before &&
	grep "	test_ok1\$" py/.distributest/timings > ok-before &&
	(cd py && test_expect_code 1 distributest --failed -j 3) > out &&
	grep "^tests/test_a.py	[0-9.]*	[0-9.]*\$" py/.distributest/timings > after &&
	test_cmp before after &&
	grep "	test_ok1\$" py/.distributest/timings > ok-after &&
	test_cmp ok-before ok-after
'

test_done
