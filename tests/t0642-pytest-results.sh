#!/bin/sh
test_description='adapter-pytest: one result per test (unit STATUS, fail and pending IDs)'
. "$(dirname "$0")/test-lib.sh"

# Every test needs pytest and its adapter.
test_have_prereq PYTEST ||
	skip_all "/usr/bin/python3 has no pytest (apt-get install python3-pytest)"
[ -x "$LIBEXEC/adapter-pytest" ] || skip_all "adapter-pytest not built: run make all"

# The pytest command first on PATH, of /usr/bin/python3, so that RERUN is
# plain `pytest` whatever this machine's PATH holds.
PATH=$TRASH/bin:$PATH
unset VIRTUAL_ENV DT_PYTHON DT_ISOLATE

TAB=$(printf '\t')

# One request line: the fields given, tab-separated (none needs escaping).
request() {
	(IFS=$TAB; printf '%s\n' "$*")
}

# The adapter, in proj, on the requests in file $1: results in res; it
# must exit 0.
adapter() {
	(cd proj && adapter-pytest < "../$1" 3> ../res > ../out 2>&1)
}

# The unit lines of results file $1 without SECONDS, sorted: ID STATUS
# DESCRIPTION LOCATION.
results() {
	awk -F '\t' -v OFS='\t' '$1 == "unit" { print $2, $4, $5, $6 }' "$1" | sort
}

# The fail lines of $1 without MESSAGE: KIND DESCRIPTION LOCATION RERUN ID,
# and the number of fields.
fails() {
	awk -F '\t' -v OFS='\t' '$1 == "fail" { print $2, $3, $4, $6, $7, NF }' "$1" | sort
}

# The pending lines of $1: DESCRIPTION LOCATION MESSAGE ID, and the number
# of fields.
pendings() {
	awk -F '\t' -v OFS='\t' '$1 == "pending" { print $2, $3, $4, $5, NF }' "$1" | sort
}

F=tests/test_results.py

test_expect_success 'setup: tests that pass, fail, err, skip, xfail and xpass' '
	mkdir -p bin proj/tests &&
	printf "#!/usr/bin/python3\nimport sys\nimport pytest\nsys.exit(pytest.console_main())\n" > bin/pytest &&
	chmod +x bin/pytest &&
	cat > proj/$F <<-\EOF &&
	import pytest

	@pytest.fixture
	def broken():
	    raise RuntimeError("no database")

	@pytest.fixture
	def bad_teardown():
	    yield 1
	    raise RuntimeError("cannot clean up")

	def test_pass():
	    assert True

	def test_fail():
	    assert 1 == 2

	def test_error(broken):
	    pass

	def test_teardown_error(bad_teardown):
	    pass

	def test_fail_and_teardown_error(bad_teardown):
	    assert 0

	@pytest.mark.skip(reason="not now")
	def test_skip():
	    pass

	@pytest.mark.skipif(True, reason="never here")
	def test_skipif():
	    pass

	def test_skip_inside():
	    pytest.skip("later")

	@pytest.mark.xfail(reason="known bug")
	def test_xfail():
	    assert 0

	@pytest.mark.xfail(reason="fixed?")
	def test_xpass():
	    pass

	@pytest.mark.xfail(reason="must fail", strict=True)
	def test_xpass_strict():
	    pass

	class TestK:
	    @pytest.mark.parametrize("x", [1, 2])
	    def test_p(self, x):
	        assert x == 1
	EOF
	cat > proj/tests/test_outside.py <<-\EOF &&
	import pytest
	pytest.skip("whole module", allow_module_level=True)
	EOF
	printf "def test_x(:\n    pass\n" > proj/tests/test_syntax.py &&
	cat > proj/tests/test_ends.py <<-\EOF &&
	import os

	def test_ok():
	    pass

	def test_interrupted():
	    raise KeyboardInterrupt

	def test_never():
	    pass
	EOF
	cat > proj/tests/test_dies.py <<-\EOF &&
	import os

	def test_dies():
	    os._exit(7)
	EOF
	while read -r id status line; do
		printf "%s\t%s\t%s\t%s\n" "$id" "$status" "$F::$id" "$F:$line"
	done > want_units <<-\EOF &&
	TestK::test_p[1] passed 51
	TestK::test_p[2] failed 51
	test_error error 18
	test_fail failed 15
	test_fail_and_teardown_error error 24
	test_pass passed 12
	test_skip skipped 27
	test_skip_inside skipped 35
	test_skipif skipped 31
	test_teardown_error error 21
	test_xfail skipped 38
	test_xpass passed 42
	test_xpass_strict failed 46
	EOF
	while read -r kind id line; do
		printf "%s\t%s\t%s\tpytest %s\t%s\t7\n" "$kind" "$F::$id" "$F:$line" "'\''$F::$id'\''" "$id"
	done > want_fails <<-\EOF &&
	failure TestK::test_p[2] 51
	error test_error 18
	failure test_fail 15
	failure test_fail_and_teardown_error 24
	error test_fail_and_teardown_error 24
	error test_teardown_error 21
	failure test_xpass_strict 46
	EOF
	sort -o want_fails want_fails &&
	while IFS=: read -r id line why; do
		printf "%s\t%s\t%s\t%s\t5\n" "$F::$id" "$F:$line" "$why" "$id"
	done > want_pending <<-\EOF
	test_skip:27:not now
	test_skip_inside:35:later
	test_skipif:31:never here
	test_xfail:38:xfail: known bug
	EOF
'

for isolate in none fork; do
	test_expect_success "DT_ISOLATE=$isolate: a unit line per test with its STATUS, DESCRIPTION, LOCATION" '
		request run $F > req &&
		(DT_ISOLATE=$isolate && export DT_ISOLATE && adapter req) &&
		results res > units && test_cmp want_units units &&
		! awk -F "\t" "\$1 == \"unit\" && (NF != 6 || \$3 !~ /^[0-9]+\\.[0-9]+\$/)" res | grep . &&
		test "$(tail -n 1 res)" = "$(printf "done\terror\t12\t4\t4\t3")"
	'

	test_expect_success "DT_ISOLATE=$isolate: fail and pending lines end with the unit ID" '
		fails res > got && test_cmp want_fails got &&
		pendings res > got && test_cmp want_pending got &&
		awk -F "\t" "\$1 == \"unit\" { print \$2 }" res | sort > ids &&
		{ awk -F "\t" "\$1 == \"fail\" { print \$7 } \$1 == \"pending\" { print \$5 }" res |
		  sort -u > used; } &&
		comm -13 ids used > orphans && test_cmp /dev/null orphans
	'
done

test_expect_success 'a split file: the parts give the same results, skipped IDs select' '
	request run $F only test_skip test_error test_xfail "TestK::test_p[2]" > req &&
	request run $F except test_skip test_error test_xfail "TestK::test_p[2]" >> req &&
	adapter req &&
	results res > units && test_cmp want_units units &&
	awk -F "\t" "\$1 == \"unit\" { print \$2 } /^done/ { exit }" res | sort > first &&
	printf "%s\n" "TestK::test_p[2]" test_error test_skip test_xfail > want &&
	test_cmp want first &&
	fails res > got && test_cmp want_fails got &&
	pendings res > got && test_cmp want_pending got &&
	grep "^done" res | awk -F "\t" "{ e += \$3; f += \$4; p += \$5; r += \$6 } END { print e, f, p, r }" > sums &&
	echo "12 4 4 3" > want && test_cmp want sums
'

test_expect_success 'outside tests: a collection error and a module skip have no ID' '
	request run tests/test_syntax.py > req &&
	request run tests/test_outside.py >> req &&
	adapter req &&
	! grep "^unit" res &&
	fails res > got &&
	printf "error\ttests/test_syntax.py\ttests/test_syntax.py:1\tpytest '\''tests/test_syntax.py'\''\t\t6\n" > want &&
	test_cmp want got &&
	pendings res > got &&
	printf "tests/test_outside.py\ttests/test_outside.py\twhole module\t\t4\n" > want &&
	test_cmp want got
'

test_expect_success 'a test a KeyboardInterrupt ends: no unit line, its ID in its fail line' '
	request run tests/test_ends.py > req &&
	adapter req &&
	results res > units &&
	printf "test_ok\tpassed\ttests/test_ends.py::test_ok\ttests/test_ends.py:3\n" > want &&
	test_cmp want units &&
	fails res | cut -f 1,2,5,6 > got &&
	printf "error\tKeyboardInterrupt in tests/test_ends.py::test_interrupted\ttest_interrupted\t7\n" > want &&
	test_cmp want got
'

test_expect_success 'DT_ISOLATE=fork: a child that dies in a test gives that test ID' '
	request run tests/test_dies.py > req &&
	(DT_ISOLATE=fork && export DT_ISOLATE && adapter req) &&
	! grep "^unit" res &&
	fails res | cut -f 1,2,3,5,6 > got &&
	printf "error\ttests/test_dies.py exited 7 in tests/test_dies.py::test_dies\ttests/test_dies.py:3\ttest_dies\t7\n" > want &&
	test_cmp want got
'

test_done
