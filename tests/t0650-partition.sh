#!/bin/sh
test_description='--partition K/N: N CI jobs each run a share of the files, balanced by the timings, together every file exactly once'
. "$(dirname "$0")/test-lib.sh"

# 40 files; the timings give 30 of them times from 0.1 to 3.0 s, and
# leave 10 untimed (they count as the median).
test_expect_success 'a project with timings' '
	make_command_project p &&
	printf "distributest-timings\t2\n" > p/.distributest/timings &&
	for i in $(seq 1 40); do
		echo "exit 0" > "p/t/f$i.t" &&
		if test "$i" -le 30; then
			printf "t/f%d.t\t%d.%d\n" "$i" $((i / 10)) $((i % 10)) >> p/.distributest/timings
		fi || return 1
	done
'

share() {
	dt-config -C p -P "$1" | dt-find > "events-$2" &&
	grep "^test	" "events-$2" | cut -f 2 > "share-$2"
}

test_expect_success 'the shares of 1/4 to 4/4 hold every file exactly once' '
	for k in 1 2 3 4; do
		share "$k/4" "$k" || return 1
	done &&
	cat share-1 share-2 share-3 share-4 | sort > all &&
	(cd p && ls t/*.t) | sort > want &&
	test_cmp want all &&
	for k in 1 2 3 4; do
		n=$(wc -l < "share-$k") &&
		grep "^tests-end	$n\$" "events-$k" || return 1
	done
'

test_expect_success 'the same files and timings make the same shares' '
	for k in 1 2 3 4; do
		dt-config -C p -P "$k/4" | dt-find | grep "^test	" | cut -f 2 > again &&
		test_cmp "share-$k" again || return 1
	done
'

# LPT: no share is more than the largest file over an even split.
test_expect_success 'the shares are balanced against the bound' '
	median=$(grep "^t/" p/.distributest/timings | cut -f 2 | sort -n | sed -n 15p) &&
	for k in 1 2 3 4; do
		while read -r f; do
			w=$(grep "^$f	" p/.distributest/timings | cut -f 2) &&
			echo "${w:-$median}" || return 1
		done < "share-$k" | awk -v k="$k" "{ s += \$1 } END { print k, s }" || return 1
	done > loads &&
	total=$(awk "{ t += \$2 } END { print t }" loads) &&
	awk -v t="$total" "{ if (\$2 > t / 4 + 3.0 + 0.001) { print \"share \" \$1 \" carries \" \$2; bad = 1 } } END { exit bad }" loads
'

test_expect_success 'a share is not the whole project: the others keep their timings' '
	! grep "^tests-end	.*	all" events-1
'

test_expect_success 'with no timings at all the sizes decide, and the union is still complete' '
	rm p/.distributest/timings &&
	for k in 1 2 3; do
		share "$k/3" "n$k" || return 1
	done &&
	cat share-n1 share-n2 share-n3 | sort > all &&
	test_cmp want all
'

test_expect_success 'distributest --partition runs its share, and only it' '
	dt-config -C p -P 2/3 | dt-find | grep "^test	" | cut -f 2 > want2 &&
	(cd p && distributest --partition 2/3) > out &&
	grep "	done	local	" p/.distributest/log | cut -f 5 | sort > ran &&
	sort want2 > want2s && test_cmp want2s ran &&
	n3=$(dt-config -C p -P 3/3 | dt-find | grep -c "^test	") &&
	(cd p && distributest --partition=3/3 -d) > plan &&
	test_grep "$n3 files, " plan &&
	(cd p && test_expect_code 100 distributest --partition) 2> err &&
	test_grep "option --partition needs a value" err &&
	(cd p && test_expect_code 100 distributest --partition 4/3) 2> err &&
	test_grep "-P 4/3: too large" err
'

# pytest with IDs: one file of 8 tests of 0.3 s, heavier than a share
# of 3, and 4 quick files.
test_expect_success PYTEST 'a file heavier than a share is split by test over the shares' '
	mkdir -p py/tests py/.distributest &&
	printf "[pytest]\n" > py/pytest.ini &&
	printf "[run]\nframework = pytest\n[node local]\nrunners = 1\n" > py/.distributest/config &&
	{
		echo "import time" &&
		for i in 1 2 3 4 5 6 7 8; do
			printf "def test_s%s():\n    time.sleep(0.3)\n" "$i" || return 1
		done
	} > py/tests/test_slow.py &&
	for f in 1 2 3 4; do
		printf "def test_q():\n    pass\n" > "py/tests/test_q$f.py" || return 1
	done &&
	(cd py && distributest) > out &&
	test_grep "5 files, 12 passed" out &&
	for k in 1 2 3; do
		dt-config -C py -P "$k/3" | dt-find | grep "^test	tests/test_slow.py	" > "slow-$k" || : > "slow-$k"
	done &&
	cat slow-1 slow-2 slow-3 > slow &&
	test_line_count -ge 2 slow &&
	grep "	except	" slow > rest && test_line_count = 1 rest &&
	grep "	only	" slow | cut -f 5- | tr "\t" "\n" | sort > only &&
	cut -f 5- rest | tr "\t" "\n" | sort > except &&
	test_cmp only except
'

test_expect_success PYTEST 'the shares run every test once, and a test new since the timings too' '
	printf "def test_new():\n    pass\n" >> py/tests/test_slow.py &&
	# N CI jobs start from the same timings.
	cp py/.distributest/timings timings.py &&
	for k in 1 2 3; do
		cp timings.py py/.distributest/timings &&
		(cd py && distributest --partition "$k/3") > "run-$k" || return 1
	done &&
	cat run-1 run-2 run-3 | sed -n "s/.* \([0-9]*\) passed in .*/\1/p" > counts &&
	test_line_count = 3 counts &&
	test "$(awk "{ s += \$1 } END { print s }" counts)" = 13 &&
	(cd py && distributest --partition 1/3 -d) > plan &&
	grep "tests/test_slow.py \[" plan
'

test_expect_success PYTEST 'split = no keeps a file whole in one share' '
	printf "[run]\nframework = pytest\nsplit = no\n" > py/.distributest/config &&
	for k in 1 2 3; do
		dt-config -C py -P "$k/3" | dt-find | grep "^test	tests/test_slow.py" || :
	done > whole &&
	test_line_count = 1 whole &&
	! grep -q "only\|except" whole
'

test_expect_success 'a bad share is a usage error' '
	test_expect_code 100 dt-config -C p -P 0/3 2> err &&
	test_grep "-P 0/3: too small" err &&
	test_expect_code 100 dt-config -C p -P 3 2> err &&
	test_grep "-P 3: not K/N" err &&
	test_expect_code 100 dt-config -C p -P 2/1025 2> err &&
	test_grep "-P 2/1025: too large" err
'

test_done
