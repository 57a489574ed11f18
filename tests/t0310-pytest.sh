#!/bin/sh
test_description='adapter-pytest: alone, then under distributest'
. "$(dirname "$0")/test-lib.sh"

# Every test needs pytest and its adapter.
test_have_prereq PYTEST ||
	skip_all "/usr/bin/python3 has no pytest (apt-get install python3-pytest)"
[ -x "$LIBEXEC/adapter-pytest" ] || skip_all "adapter-pytest not built: run make all"

# pytest writes its pycs into the projects, as for most of its users; they
# are copied to the nodes and must not show their old paths there.
unset PYTHONDONTWRITEBYTECODE

HOSTNAME=$(hostname)
USERNAME=$(id -un)

# The pytest command first on PATH, of /usr/bin/python3, whatever this
# machine's PATH holds: the adapter runs pytest with its interpreter, and
# its RERUN is plain `pytest`.
PATH=$TRASH/bin:$PATH

# One `run` request per argument, escaped as the protocol wants.
requests() {
	for p in "$@"; do
		printf 'run\t'
		printf '%s' "$p" | awk 'NR > 1 { printf "\\n" }
		    { gsub(/\\/, "\\\\"); gsub(/\t/, "\\t"); printf "%s", $0 }'
		printf '\n'
	done
}

# The adapter run in directory $1 on the files after it: results in
# $TRASH/res, output in $TRASH/out, exit status in $TRASH/rc.
adapter() {
	dir=$1
	shift
	requests "$@" > "$TRASH/req" &&
	(cd "$dir" && adapter-pytest 3> "$TRASH/res" < "$TRASH/req" > "$TRASH/out" 2>&1
	 echo $? > "$TRASH/rc")
}

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
QUOTED_ID="tests/test_it${Q}s.py::test_p[a b]"
QUOTED_RERUN="pytest ${Q}tests/test_it${Q}\\${Q}${Q}s.py::test_p[a b]${Q}"

# A field of EXPECTED.
expected() {
	sed -n "s/^$1 //p" "$SRCDIR/examples/pytest-mixed/EXPECTED"
}

test_expect_success 'setup: the mixed example and odd projects, a pytest command' '
	mkdir -p bin &&
	printf "#!/usr/bin/python3\nimport sys\nimport pytest\nsys.exit(pytest.console_main())\n" > bin/pytest &&
	chmod +x bin/pytest &&
	cp -R "$SRCDIR/examples/pytest-mixed" mixed &&
	mkdir -p odd/t &&
	printf "import sys\ndef test_exits():\n    sys.exit(3)\ndef test_ok():\n    pass\n" > odd/t/test_exit.py &&
	printf "import os\ndef test_dies():\n    print(\"dying\")\n    os._exit(7)\n" > odd/t/test_osexit.py &&
	printf "import os\ndef test_aborts():\n    os.abort()\n" > odd/t/test_abort.py &&
	printf "def test_ctrl_c():\n    raise KeyboardInterrupt\n" > odd/t/test_interrupt.py &&
	printf "import sys\ndef test_reads_nothing():\n    try:\n        data = sys.stdin.read()\n    except OSError:\n        data = \"\"\n    assert data == \"\"\n" > odd/t/test_stdin.py &&
	printf "def test_space():\n    pass\n" > "odd/t/test_with space.py" &&
	printf "def test_tab():\n    assert 1 == 2\n" > "$(printf "odd/t/test_with\ttab.py")" &&
	printf "def test_newline():\n    pass\n" > "$(printf "odd/t/test_with\nnewline.py")" &&
	printf "def test_brackets():\n    pass\n" > "odd/t/test_x[1]::y.py"
'

test_expect_success 'the example file by file: ready, then pytest'"'"'s counts' '
	adapter mixed tests/test_classes.py tests/test_failing.py \
	    tests/test_fixture_error.py tests/test_skips.py tests/test_syntax_error.py &&
	test "$(cat rc)" = 0 &&
	head -n 1 res > first && printf "ready\n" > want && test_cmp want first &&
	grep "^done" res > dones &&
	printf "done\t%s\t%s\t%s\t%s\t%s\n" \
	    passed 4 0 0 0  failed 3 2 0 0  error 2 0 0 2  passed 3 0 2 0 \
	    error 0 0 0 1 > want &&
	test_cmp want dones
'

test_expect_success 'failures: node id, line, rewritten assertion, captured output' '
	test_grep "$(printf "fail\tfailure\ttests/test_failing.py::test_adds_wrongly\ttests/test_failing.py:8\t")" res &&
	test_grep "E       assert 4 == 5" res &&
	test_grep "Captured stdout call ----------\\nadding 2 and 2" res &&
	test_grep "$(printf "fail\tfailure\ttests/test_failing.py::test_divides_by_zero\t")" res &&
	test_grep "ZeroDivisionError: division by zero" res
'

test_expect_success 'errors: collection with its line, fixture setup and teardown' '
	test_grep "$(printf "fail\terror\ttests/test_syntax_error.py\ttests/test_syntax_error.py:5\t")" res &&
	test_grep "SyntaxError: invalid syntax" res &&
	test_grep "$(printf "fail\terror\ttests/test_fixture_error.py::test_queries\t")" res &&
	test_grep "ERROR at setup of test_queries" res &&
	test_grep "ERROR at teardown of test_cleans_up" res
'

test_expect_success 'skips and xfails are pending, with their reason' '
	test_grep "$(printf "pending\ttests/test_skips.py::test_skipped\ttests/test_skips.py:6\tnot written yet")" res &&
	test_grep "$(printf "pending\ttests/test_skips.py::test_rounding\ttests/test_skips.py:16\txfail: rounding")" res
'

test_expect_success 'RERUN: pytest with the node id, or the file' '
	test "$(rerun_of res tests/test_failing.py::test_adds_wrongly)" = \
	    "pytest ${Q}tests/test_failing.py::test_adds_wrongly${Q}" &&
	test "$(rerun_of res tests/test_fixture_error.py::test_queries)" = \
	    "pytest ${Q}tests/test_fixture_error.py::test_queries${Q}" &&
	test "$(rerun_of res tests/test_syntax_error.py)" = \
	    "pytest ${Q}tests/test_syntax_error.py${Q}" &&
	! grep "^pending.*pytest ${Q}" res
'

test_expect_success 'RERUN run in a copy runs that one test, and fails' '
	cp -R "$SRCDIR/examples/pytest-mixed" again &&
	rerun_fails again "$(rerun_of res tests/test_failing.py::test_adds_wrongly)" &&
	test_grep "collected 1 item" rerun.out &&
	test_grep " 1 failed in " rerun.out &&
	test_grep "assert 4 == 5" rerun.out &&
	rerun_fails again "$(rerun_of res tests/test_fixture_error.py::test_queries)" &&
	test_grep " 1 error in " rerun.out &&
	rerun_fails again "$(rerun_of res tests/test_syntax_error.py)" &&
	test_grep "SyntaxError" rerun.out
'

test_expect_success 'RERUN of a parametrized test whose id and path need quoting' '
	printf "import pytest\n@pytest.mark.parametrize(\"x\", [\"a b\", \"ok\"])\ndef test_p(x):\n    assert x == \"ok\"\n" > "again/tests/test_it${Q}s.py" &&
	adapter again "tests/test_it${Q}s.py" &&
	grep "^done	failed	2	1	0	0$" res &&
	test "$(rerun_of res "$QUOTED_ID")" = "$QUOTED_RERUN" &&
	rerun_fails again "$QUOTED_RERUN" &&
	test_grep "collected 1 item" rerun.out &&
	test_grep " 1 failed in " rerun.out
'

test_expect_success 'pytest writes no cache, and tmp_path is in TMPDIR' '
	! test -e mixed/.pytest_cache &&
	mkdir -p tp/t &&
	printf "import os\ndef test_tmp(tmp_path):\n    assert str(tmp_path).startswith(os.environ[\"TMPDIR\"] + \"/\")\n" > tp/t/test_tmp.py &&
	adapter tp t/test_tmp.py &&
	test_grep "$(printf "done\tpassed\t1\t0\t0\t0")" res
'

test_expect_success 'odd paths: space, tab, newline, brackets and colons' '
	adapter odd "t/test_with space.py" "$(printf "t/test_with\ttab.py")" \
	    "$(printf "t/test_with\nnewline.py")" "t/test_x[1]::y.py" &&
	grep "^done" res > dones &&
	printf "done\t%s\t%s\t%s\t%s\t%s\n" passed 1 0 0 0  failed 1 1 0 0 \
	    passed 1 0 0 0  passed 1 0 0 0 > want &&
	test_cmp want dones &&
	test_grep "$(printf "fail\tfailure\tt/test_with\\\\ttab.py::test_tab\tt/test_with\\\\ttab.py:1\t")" res
'

test_expect_success 'sys.exit fails its test; KeyboardInterrupt is an error' '
	adapter odd t/test_exit.py t/test_interrupt.py "t/test_with space.py" &&
	test "$(cat rc)" = 0 &&
	grep "^done" res > dones &&
	printf "done\t%s\t%s\t%s\t%s\t%s\n" failed 2 1 0 0  error 0 0 0 1 \
	    passed 1 0 0 0 > want &&
	test_cmp want dones &&
	test_grep "$(printf "fail\terror\tKeyboardInterrupt in t/test_interrupt.py::test_ctrl_c\t")" res
'

test_expect_success 'tests read an empty stdin, not the requests, even with -s' '
	requests t/test_stdin.py "t/test_with space.py" > req &&
	(cd odd && adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	grep "^done	passed	1	0	0	0$" res > dones &&
	test_line_count = 2 dones &&
	(cd odd && adapter-pytest -s < ../req 3> ../res > ../out 2>&1) &&
	grep "^done	passed	1	0	0	0$" res > dones &&
	test_line_count = 2 dones
'

test_expect_success 'os._exit in the same process: the adapter dies without done' '
	adapter odd t/test_osexit.py "t/test_with space.py" &&
	test "$(cat rc)" = 7 &&
	! grep "^done" res
'

test_expect_success 'DT_ISOLATE=fork: a crash is an error and the worker goes on' '
	DT_ISOLATE=fork && export DT_ISOLATE &&
	adapter odd t/test_osexit.py t/test_abort.py t/test_exit.py "t/test_with space.py" &&
	unset DT_ISOLATE &&
	test "$(cat rc)" = 0 &&
	grep "^done" res > dones &&
	printf "done\t%s\t%s\t%s\t%s\t%s\n" error 0 0 0 1  error 0 0 0 1 \
	    failed 2 1 0 0  passed 1 0 0 0 > want &&
	test_cmp want dones &&
	test_grep "$(printf "fail\terror\tt/test_osexit.py exited 7 in t/test_osexit.py::test_dies\tt/test_osexit.py:2\t")" res &&
	test_grep "killed by signal 6 (SIGABRT) in t/test_abort.py::test_aborts" res &&
	test "$(rerun_of res "t/test_osexit.py exited 7 in t/test_osexit.py::test_dies")" = \
	    "pytest ${Q}t/test_osexit.py::test_dies${Q}"
'

test_expect_success '50 files in a row, same module name: one boot, nothing leaks' '
	mkdir -p many &&
	printf "with open(\"../boots\", \"a\") as f:\n    f.write(\"boot\\\\n\")\n" > many/conftest.py &&
	i=1 && files= &&
	while [ $i -le 50 ]; do
		mkdir -p many/d$i &&
		printf "import pytest\nN = %d\n@pytest.fixture\ndef n():\n    return %d\nclass TestN:\n    def test_class(self, n):\n        assert n == N\ndef test_module(n):\n    assert n == N == %d\n" $i $i $i > many/d$i/test_same.py &&
		files="$files d$i/test_same.py" && i=$((i + 1)) || return 1
	done &&
	adapter many $files &&
	test "$(cat rc)" = 0 &&
	grep "^done	passed	2	0	0	0$" res > dones &&
	test_line_count = 50 dones &&
	test_line_count = 1 boots &&
	DT_ISOLATE=fork adapter many $files &&
	grep "^done	passed	2	0	0	0$" res > dones &&
	test_line_count = 50 dones &&
	(cd many && adapter-pytest --import-mode=append < ../req 3> ../res > ../out 2>&1) &&
	grep "^done	passed	2	0	0	0$" res > dones &&
	test_line_count = 50 dones
'

test_expect_success 'a long message is cut at 16000 bytes, on a character' '
	printf "def test_long():\n    raise ValueError(\"\\\\u00e9\\\\\\\\\\\\t\" * 10000)\n" > tp/t/test_long.py &&
	adapter tp t/test_long.py &&
	grep "^fail" res | cut -f5 > message &&
	test "$(wc -c < message)" -le 16001 &&
	test_grep "...[truncated by adapter-pytest]" message &&
	test_grep "$(printf "done\tfailed\t1\t1\t0\t0")" res
'

test_expect_success 'args -p no:terminal: pytest'"'"'s counts all the same' '
	printf "import pytest\ndef test_ok():\n    pass\n@pytest.mark.skip\ndef test_skip():\n    pass\n@pytest.mark.xfail\ndef test_xfail():\n    assert 0\n@pytest.mark.xfail\ndef test_xpass():\n    pass\n" > tp/t/test_kinds.py &&
	requests t/test_kinds.py > req &&
	(cd tp && adapter-pytest -p no:terminal < ../req 3> ../res > ../out 2>&1) &&
	test_grep "$(printf "done\tpassed\t4\t0\t2\t0")" res
'

test_expect_success 'protocol: no fd 3, malformed input, end of input' '
	printf "" | test_expect_code 100 adapter-pytest 2> err &&
	test_grep "fd 3 is not open" err &&
	(cd mixed && printf "run\tbad\\\\q\n" | test_expect_code 101 adapter-pytest 3> /dev/null 2> ../err) &&
	test_grep "stdin line 1: bad escape" err &&
	(cd mixed && printf "run\ta\tb\n" | test_expect_code 101 adapter-pytest 3> /dev/null 2> ../err) &&
	(cd mixed && printf "run\ttests/test_passing.py" | test_expect_code 101 adapter-pytest 3> /dev/null 2> ../err) &&
	test_grep "no newline at end of input" err &&
	(cd mixed && printf "frobnicate\tx\n" | adapter-pytest 3> ../res) &&
	printf "ready\n" > want && test_cmp want res
'

test_expect_success 'boot failures: down with the reason, exit 1' '
	mkdir -p broken && printf "raise RuntimeError(\"no settings\")\n" > broken/conftest.py &&
	(cd broken && test_expect_code 1 adapter-pytest 3> ../res < /dev/null > ../out 2>&1) &&
	test_grep "$(printf "down\tadapter-pytest: boot failed: cannot import ")" res &&
	test_grep "RuntimeError: no settings" res &&
	! grep "^ready" res &&
	rm broken/conftest.py && printf "[pytest]\naddopts = --no-such-option\n" > broken/pytest.ini &&
	(cd broken && test_expect_code 1 adapter-pytest 3> ../res < /dev/null > ../out 2>&1) &&
	test_grep "unrecognized arguments: --no-such-option" res &&
	(cd mixed && test_expect_code 1 adapter-pytest -k 3> ../res < /dev/null > ../out 2>&1) &&
	test_grep "$(printf "down\t")" res
'

test_expect_success 'distributest: the example on 1 and 4 runners, totals as in EXPECTED' '
	mkdir -p mixed/.distributest &&
	printf "[run]\nframework = pytest\n" > mixed/.distributest/config &&
	want="8 files, $(expected words) in " &&
	(cd mixed && test_expect_code 1 distributest -j 1) > out1 &&
	test_grep "$want" out1 &&
	(cd mixed && test_expect_code 1 distributest -j 4) > out4 &&
	test_grep "$want" out4 &&
	find "$HOME/.cache/distributest/$HOSTNAME/$USERNAME" -path "*/tests/test_failing.py" > copies &&
	test_line_count -ge 1 copies &&
	find "$HOME/.cache/distributest" -name .pytest_cache > caches &&
	test_line_count = 0 caches
'

test_expect_success 'distributest: failures named by node id, the syntax error an ERROR' '
	test_grep "FAIL tests/test_failing.py:8 (local/" out4 &&
	test_grep "  tests/test_failing.py::test_adds_wrongly" out4 &&
	test_grep "  tests/test_failing.py::test_divides_by_zero" out4 &&
	test_grep "ERROR tests/test_syntax_error.py:5 (local/" out4 &&
	test_grep "ERROR tests/test_fixture_error.py:19 (local/" out4 &&
	test_grep "  tests/test_fixture_error.py::test_queries" out4 &&
	test_grep "  rerun: pytest ${Q}tests/test_failing.py::test_adds_wrongly${Q}" out4 &&
	test_grep "  rerun: pytest ${Q}tests/test_syntax_error.py${Q}" out4 &&
	ls mixed/tests/__pycache__/*pytest*.pyc &&
	! grep "\.\./mixed/" out4
'

test_expect_success 'distributest: a file with a space in its name' '
	printf "def test_spaced(greeting):\n    assert greeting\n" > "mixed/tests/test_with space.py" &&
	(cd mixed && distributest -j 2 "tests/test_with space.py" tests/test_passing.py) > out &&
	test_grep "2 files, 4 passed in" out &&
	rm "mixed/tests/test_with space.py"
'

test_expect_success 'distributest: args = -k restricts the tests' '
	printf "args = -k parametrized\n" >> mixed/.distributest/config &&
	(cd mixed && test_expect_code 1 distributest -j 2) > out &&
	test_grep "8 files, 7 passed, 18 deselected, 1 error in" out &&
	sed -i "/^args/d" mixed/.distributest/config
'

test_expect_success 'distributest: runners writing one fixed name in basetemp do not collide' '
	mkdir -p tmpp/tests tmpp/.distributest &&
	printf "[run]\nframework = pytest\n" > tmpp/.distributest/config &&
	for i in 1 2 3 4; do
		printf "import os, time\ndef test_fixed(tmp_path_factory):\n    base = tmp_path_factory.getbasetemp()\n    assert str(base).startswith(os.environ[\"TMPDIR\"] + \"/\")\n    mine = os.environ[\"DT_RUNNER_ID\"] + \" $i\"\n    (base / \"fixed.txt\").write_text(mine)\n    time.sleep(0.3)\n    assert (base / \"fixed.txt\").read_text() == mine\n" > tmpp/tests/test_t$i.py || return 1
	done &&
	(cd tmpp && distributest -j 2) > out &&
	test_grep "4 files, 4 passed in" out
'

test_expect_success 'distributest with DT_ISOLATE=fork: a dying test costs no runner' '
	mkdir -p crash/tests crash/.distributest &&
	printf "[run]\nframework = pytest\n" > crash/.distributest/config &&
	cp odd/t/test_osexit.py crash/tests/ &&
	cp "odd/t/test_with space.py" crash/tests/ &&
	(cd crash && DT_ISOLATE=fork test_expect_code 1 distributest -j 1) > out &&
	test_grep "2 files, 1 passed, 1 error in" out &&
	test_grep "ERROR tests/test_osexit.py:2 (local/1)" out &&
	! grep "LOST" out
'

test_done
