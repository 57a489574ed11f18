#!/bin/sh
test_description='adapter-pytest: unit lines, and run PATH only|except ID... for split files'
. "$(dirname "$0")/test-lib.sh"

# Every test needs pytest and its adapter.
test_have_prereq PYTEST ||
	skip_all "/usr/bin/python3 has no pytest (apt-get install python3-pytest)"
[ -x "$LIBEXEC/adapter-pytest" ] || skip_all "adapter-pytest not built: run make all"

TAB=$(printf '\t')

# One request line: the fields given, escaped as the protocol wants (none
# holds a newline here), tab-separated.
request() {
	sep=
	for f in "$@"; do
		printf '%s%s' "$sep" "$(printf '%s' "$f" | sed 's/\\/\\\\/g; s/\t/\\t/g')"
		sep=$TAB
	done
	printf '\n'
}

# The adapter, in proj, on the requests in file $1: results in res, output
# in out; it must exit 0.
adapter() {
	(cd proj && adapter-pytest < "../$1" 3> ../res > ../out 2>&1)
}

# The IDs of the unit lines of results file $1, still escaped, sorted.
units() {
	awk -F '\t' '$1 == "unit" { print $2 }' "$1" | sort
}

# The results of the Nth file of results file $1 (lines after the N-1th
# done, up to its own done): into file $3.
nth() {
	awk -v n="$2" 'n == 1 { print } /^done\t/ { n-- }' "$1" > "$3"
}

test_expect_success 'setup: a file of 5 tests (6 items), another of 2' '
	mkdir -p proj/tests &&
	cat > proj/tests/test_five.py <<-\EOF &&
	import pytest

	@pytest.fixture(scope="module")
	def mod():
	    with open("../setups", "a") as f:
	        f.write("mod\n")
	    return 1

	def test_pass(mod):
	    assert mod == 1

	def test_fail():
	    assert 1 == 2

	@pytest.mark.skip(reason="not now")
	def test_skip():
	    pass

	@pytest.mark.parametrize("x,y", [(1, 2), (3, 4)])
	def test_param(x, y):
	    assert x < y

	class TestK:
	    def test_in_class(self, mod):
	        assert mod
	EOF
	cat > proj/conftest.py <<-\EOF &&
	def pytest_deselected(items):
	    with open("../deselected", "a") as f:
	        f.write("".join(i.name + "\n" for i in items))
	EOF
	cat > proj/tests/test_other.py <<-\EOF &&
	def test_one():
	    pass

	def test_two():
	    pass
	EOF
	printf "%s\n" TestK::test_in_class test_fail test_param[1-2] test_param[3-4] \
	    test_pass test_skip > all_ids
'

test_expect_success 'whole file: one unit line per test, its time in seconds and its result' '
	request run tests/test_five.py > req &&
	adapter req &&
	printf "ready\n" > want && head -n 1 res > first && test_cmp want first &&
	units res > ids && test_cmp all_ids ids &&
	! awk -F "\t" "\$1 == \"unit\" && (NF != 6 || \$3 !~ /^[0-9]+(\\.[0-9]+)?\$/)" res | grep . &&
	grep "^done" res > dones &&
	printf "done\tfailed\t6\t1\t1\t0\n" > want && test_cmp want dones &&
	test "$(tail -n 1 res)" = "$(printf "done\tfailed\t6\t1\t1\t0")" &&
	test_grep "$(printf "pending\ttests/test_five.py::test_skip\t")" res &&
	test_grep "$(printf "fail\tfailure\ttests/test_five.py::test_fail\t")" res
'

test_expect_success 'only: exactly the listed units, module fixture set up for them' '
	rm -f setups &&
	request run tests/test_five.py only "test_param[1-2]" TestK::test_in_class > req &&
	adapter req &&
	units res > ids &&
	printf "%s\n" TestK::test_in_class "test_param[1-2]" > want && test_cmp want ids &&
	grep "^done" res > dones &&
	printf "done\tpassed\t2\t0\t0\t0\n" > want && test_cmp want dones &&
	! grep "^fail" res && ! grep "^pending" res &&
	test "$(cat setups)" = mod
'

test_expect_success 'except: exactly the other units, the deselected not counted' '
	rm -f deselected &&
	request run tests/test_five.py except "test_param[1-2]" TestK::test_in_class > req &&
	adapter req &&
	units res > ids &&
	printf "%s\n" test_fail "test_param[3-4]" test_pass test_skip > want && test_cmp want ids &&
	grep "^done" res > dones &&
	printf "done\tfailed\t4\t1\t1\t0\n" > want && test_cmp want dones &&
	test_grep "$(printf "fail\tfailure\ttests/test_five.py::test_fail\t")" res &&
	grep "^fail" res > fails &&
	test_line_count = 1 fails &&
	test_grep "$(printf "pending\ttests/test_five.py::test_skip\t")" res &&
	printf "%s\n" "test_param[1-2]" test_in_class > want && test_cmp want deselected
'

test_expect_success 'only and except of the same IDs: every test once, counts add up' '
	request run tests/test_five.py only test_pass "test_param[3-4]" test_skip > req &&
	request run tests/test_five.py except test_pass "test_param[3-4]" test_skip >> req &&
	adapter req &&
	units res > ids && test_cmp all_ids ids &&
	test -z "$(uniq -d ids)" &&
	grep "^done" res | awk -F "\t" "{ e += \$3; f += \$4; p += \$5; r += \$6 } END { print e, f, p, r }" > sums &&
	echo "6 1 1 0" > want && test_cmp want sums
'

test_expect_success 'only: unknown IDs are ignored; none known is a passing empty file' '
	request run tests/test_five.py only no_such_test test_pass "test_param[9-9]" > req &&
	request run tests/test_five.py only no_such_test >> req &&
	request run tests/test_five.py only >> req &&
	adapter req &&
	nth res 1 r1 && units r1 > ids && echo test_pass > want && test_cmp want ids &&
	test_grep "$(printf "done\tpassed\t1\t0\t0\t0")" r1 &&
	nth res 2 r2 && grep -v "^count" r2 > r2done &&
	printf "done\tpassed\t0\t0\t0\t0\n" > want && test_cmp want r2done &&
	nth res 3 r3 && grep -v "^count" r3 > r3done && test_cmp want r3done &&
	grep "^count" r3 | cut -f 3 | sort -u > counts &&
	echo 0 > want && test_cmp want counts
'

test_expect_success 'except with no IDs, or unknown ones: the whole file' '
	request run tests/test_five.py except > req &&
	request run tests/test_five.py except no_such_test >> req &&
	adapter req &&
	nth res 1 r1 && units r1 > ids && test_cmp all_ids ids &&
	nth res 2 r2 && units r2 > ids && test_cmp all_ids ids &&
	grep "^done	failed	6	1	1	0$" res > wholes &&
	test_line_count = 2 wholes
'

test_expect_success 'a selection holds for its request only: whole files run in full after it' '
	request run tests/test_five.py only TestK::test_in_class > req &&
	request run tests/test_five.py >> req &&
	request run tests/test_other.py >> req &&
	request run tests/test_five.py except test_pass test_fail >> req &&
	request run tests/test_other.py >> req &&
	adapter req &&
	grep "^done" res > dones &&
	test_line_count = 5 dones &&
	nth res 1 r && units r > ids && echo TestK::test_in_class > want && test_cmp want ids &&
	nth res 2 r && units r > ids && test_cmp all_ids ids &&
	test_grep "$(printf "done\tfailed\t6\t1\t1\t0")" r &&
	nth res 3 r && units r > ids && printf "%s\n" test_one test_two > want && test_cmp want ids &&
	test_grep "$(printf "done\tpassed\t2\t0\t0\t0")" r &&
	nth res 4 r && test_grep "$(printf "done\tpassed\t4\t0\t1\t0")" r &&
	nth res 5 r && units r > ids && test_cmp want ids &&
	test_grep "$(printf "done\tpassed\t2\t0\t0\t0")" r
'

test_expect_success 'IDs with blanks, tabs and backslashes go back as they came' '
	cat > proj/tests/test_odd_ids.py <<-\EOF &&
	import pytest

	@pytest.mark.parametrize("s", ["a b", "c\\d", "t\tu", "ok"])
	def test_s(s):
	    pass
	EOF
	request run tests/test_odd_ids.py > req &&
	adapter req &&
	grep "^unit" res > unit_lines &&
	test_line_count = 4 unit_lines &&
	test_grep "$(printf "unit\ttest_s[a b]\t")" res &&
	test_grep "$(printf "unit\ttest_s[c\\\\\\\\\\\\\\\\d]\t")" res &&
	awk -F "\t" "\$1 == \"unit\" && \$2 != \"test_s[ok]\" { printf \"\\t%s\", \$2 }" res > fields &&
	printf "run\ttests/test_odd_ids.py\tonly%s\n" "$(cat fields)" > req &&
	printf "run\ttests/test_odd_ids.py\texcept%s\n" "$(cat fields)" >> req &&
	adapter req &&
	nth res 1 r && grep "^unit" r > unit_lines && test_line_count = 3 unit_lines &&
	! grep "test_s\[ok\]" r &&
	test_grep "$(printf "done\tpassed\t3\t0\t0\t0")" r &&
	nth res 2 r && units r > ids && echo "test_s[ok]" > want && test_cmp want ids
'

test_expect_success 'DT_ISOLATE=fork: units passed on, selection as in the same process' '
	request run tests/test_five.py only "test_param[1-2]" TestK::test_in_class > req &&
	request run tests/test_five.py except "test_param[1-2]" TestK::test_in_class >> req &&
	request run tests/test_five.py >> req &&
	(cd proj && DT_ISOLATE=fork adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	grep "^done" res > dones &&
	printf "done\t%s\t%s\t%s\t%s\t%s\n" passed 2 0 0 0  failed 4 1 1 0 \
	    failed 6 1 1 0 > want &&
	test_cmp want dones &&
	nth res 1 r && units r > ids &&
	printf "%s\n" TestK::test_in_class "test_param[1-2]" > want && test_cmp want ids &&
	nth res 3 r && units r > ids && test_cmp all_ids ids
'

# The unit lines of results file $1 whose seconds are at least $2, but for
# the unit $3.
units_at_least() {
	awk -F '\t' -v min="$2" -v but="${3-}" \
	    '$1 == "unit" && $2 != but && $3 + 0 >= min + 0' "$1"
}

# The sum of the seconds of the units of results file $1 whose ID starts
# with $2, with three decimals.
units_sum() {
	awk -F '\t' -v p="$2" \
	    '$1 == "unit" && index($2, p) == 1 { s += $3 } END { printf "%.3f\n", s }' "$1"
}

# Whether the decimal number $1 is at least $2 and below $3.
between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x + 0 >= lo && x + 0 < hi) }'
}

test_expect_success 'setup: fixtures of module, class and function scope that sleep' '
	cat > proj/tests/test_shared.py <<-\EOF
	import time

	import pytest

	@pytest.fixture(scope="module")
	def slow_module():
	    time.sleep(1)
	    yield
	    time.sleep(0.5)

	@pytest.fixture(scope="class")
	def slow_class():
	    time.sleep(0.5)
	    yield
	    time.sleep(0.5)

	@pytest.fixture
	def slow_function():
	    time.sleep(0.3)

	@pytest.mark.parametrize("i", range(4))
	def test_m(slow_module, i):
	    time.sleep(0.05)

	class TestC:
	    def test_c1(self, slow_class):
	        time.sleep(0.05)

	    def test_c2(self, slow_class):
	        time.sleep(0.05)

	def test_f(slow_function):
	    time.sleep(0.05)
	EOF
'

# pytest counts a module or class fixture in the setup of its first test and
# the teardown of its last; every part of a split file pays it again, so it
# belongs to the file, not to the units. test_f, last, tears the module
# fixture down; its own function fixture is its own cost.
for isolate in none fork; do
	test_expect_success "DT_ISOLATE=$isolate: fixtures of a wider scope are not in the units" '
		request run tests/test_shared.py > req &&
		(cd proj && DT_ISOLATE=$isolate adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
		grep "^unit" res > unit_lines &&
		test_line_count = 7 unit_lines &&
		test_grep "$(printf "done\tpassed\t7\t0\t0\t0")" res &&
		units_at_least res 0.5 test_f > slow && test_cmp /dev/null slow &&
		between "$(units_sum res "test_m[")" 0.15 0.6 &&
		between "$(units_sum res TestC::)" 0.1 0.45 &&
		between "$(units_sum res test_f)" 0.3 0.8
	'
done

test_expect_success 'malformed: a third field other than only or except' '
	request run tests/test_five.py onyl test_pass > req &&
	(cd proj && test_expect_code 101 adapter-pytest < ../req 3> ../res 2> ../err) &&
	test_grep "stdin line 1: run takes PATH, or PATH only|except ID..." err
'

test_done
