#!/bin/sh
test_description='pytest: each runner'"'"'s junitxml report and coverage data come home; merge-pytest makes the coverage report one plain pytest --cov run makes'
. "$(dirname "$0")/test-lib.sh"

test_have_prereq PYTEST ||
	skip_all "/usr/bin/python3 has no pytest (apt-get install python3-pytest)"
/usr/bin/python3 -c "import pytest_cov, coverage" 2> /dev/null ||
	skip_all "/usr/bin/python3 has no pytest-cov (apt-get install python3-pytest-cov)"
[ -x "$LIBEXEC/merge-pytest" ] || skip_all "merge-pytest not built: run make all"

# The cluster of tests/cluster.sh, when this machine can make one: it is
# probed in a subshell first, as sourcing it skips the whole script when it
# cannot.
# shellcheck disable=SC2317 # skip_all is called from cluster.sh
if (skip_all() { exit 1; }; . "$TEST_DIRECTORY/cluster.sh"; trap - EXIT; exit 0) > /dev/null 2>&1; then
	. "$TEST_DIRECTORY/cluster.sh"
	test_set_prereq CLUSTER
fi

# The user's pytest, first on PATH: the runners take its interpreter.
PATH=$TRASH/bin:$PATH

# pytest-cov's report in output $1: its heading to its TOTAL line.
cov_section() {
	sed -n "/^-* coverage: /,/^TOTAL /p" "$1"
}

# Runs /usr/bin/python3 -m pytest in project $1 with the arguments that
# follow; its coverage section in serial.cov, coverage's own report of the
# data it left in serial.report, the testcases of its junitxml in
# serial.cases.
serial() {
	s_dir=$1 && shift &&
	rm -f "$s_dir/.coverage" &&
	(cd "$s_dir" && /usr/bin/python3 -m pytest -p no:cacheprovider --junitxml=serial.xml "$@") > serial.out 2>&1 &&
	cov_section serial.out > serial.cov &&
	test -s serial.cov &&
	(cd "$s_dir" && /usr/bin/python3 -m coverage report -m) > serial.report &&
	testcases "$s_dir/serial.xml" > serial.cases &&
	rm "$s_dir/serial.xml"
}

# The testcases of junitxml files $@, one "CLASSNAME NAME" a line, sorted.
testcases() {
	cat "$@" | grep -o "<testcase [^>]*>" |
	sed "s/.*classname=\"\([^\"]*\)\" name=\"\([^\"]*\)\".*/\1 \2/" | sort
}

# The test files runner $2 of node $1 ran, by the log of project $3, as
# junitxml names their classes: tests.test_x.
ran_by() {
	awk -F "\t" -v n="$1" -v r="$2" '$2 == "done" && $3 == n && $4 == r { print $5 }' "$3/.distributest/log" |
	sed "s/\.py\$//; s|/|.|g" | sort -u
}

# Each test file of cp takes a second, so that every runner gets some while
# the slowest come up. With $1, a file also waits (up to a minute) until $1
# runners of this machine have started one: on a loaded machine the first
# runner up could otherwise run every file before another is.
slow_files() {
	rm -rf met && mkdir met &&
	cat > cp/tests/conftest.py <<-EOF
	import os
	import time
	import pytest

	@pytest.fixture(autouse=True, scope="module")
	def slow():
	    time.sleep(1)
	    if ${1:-0}:
	        open(os.path.join("$TRASH/met", os.environ["DT_RUNNER_ID"]), "w").close()
	        for _ in range(600):
	            if len(os.listdir("$TRASH/met")) >= ${1:-0}:
	                break
	            time.sleep(0.1)
	EOF
}

test_expect_success 'setup: a package with branches, tests that cover different parts of it' '
	mkdir -p bin cp/pkg cp/tests cp/.distributest &&
	printf "#!/usr/bin/python3\nimport sys\nimport pytest\nsys.exit(pytest.console_main())\n" > bin/pytest &&
	chmod +x bin/pytest &&
	printf "[pytest]\npythonpath = .\n" > cp/pytest.ini &&
	printf "[run]\nframework = pytest\nsplit = no\n" > cp/.distributest/config &&
	printf "VERSION = \"1\"\n" > cp/pkg/__init__.py &&
	cat > cp/pkg/shapes.py <<-\EOF &&
	def area(kind, a, b=None):
	    if kind == "square":
	        return a * a
	    if kind == "rect":
	        return a * b
	    raise ValueError(kind)


	class Counter:
	    def __init__(self):
	        self.n = 0

	    def add(self, k=1):
	        if k < 0:
	            raise ValueError("negative")
	        self.n += k
	        return self.n
	EOF
	cat > cp/pkg/grades.py <<-\EOF &&
	def grade(score):
	    if score >= 90:
	        return "A"
	    elif score >= 75:
	        return "B"
	    elif score >= 50:
	        return "C"
	    return "F"


	def passed(scores):
	    return [s for s in scores if grade(s) != "F"]
	EOF
	cat > cp/pkg/text.py <<-\EOF &&
	def shout(s, times=1):
	    out = []
	    for _ in range(times):
	        out.append(s.upper())
	    return " ".join(out)


	def initials(name):
	    if not name:
	        return ""
	    return "".join(w[0] for w in name.split())
	EOF
	printf "def never():\n    return 1\n" > cp/pkg/unused.py &&
	printf "from pkg.shapes import area\n\ndef test_square():\n    assert area(\"square\", 3) == 9\n" > cp/tests/test_square.py &&
	printf "import pytest\nfrom pkg.shapes import area\n\ndef test_rect():\n    assert area(\"rect\", 2, 3) == 6\n\ndef test_bad():\n    with pytest.raises(ValueError):\n        area(\"circle\", 1)\n" > cp/tests/test_rect.py &&
	printf "from pkg.shapes import Counter\n\nclass TestCounter:\n    def test_add(self):\n        assert Counter().add(2) == 2\n" > cp/tests/test_counter.py &&
	printf "from pkg.grades import grade\n\ndef test_a():\n    assert grade(95) == \"A\"\n" > cp/tests/test_grade_a.py &&
	printf "import pytest\nfrom pkg.grades import grade\n\n@pytest.mark.parametrize(\"score,want\", [(60, \"C\"), (10, \"F\")])\ndef test_grade(score, want):\n    assert grade(score) == want\n" > cp/tests/test_grade_cf.py &&
	printf "from pkg.grades import passed\n\ndef test_passed():\n    assert passed([95, 10]) == [95]\n" > cp/tests/test_passed.py &&
	printf "from pkg.text import shout\n\ndef test_shout():\n    assert shout(\"a\", 2) == \"A A\"\n" > cp/tests/test_shout.py &&
	printf "from pkg.text import initials\n\ndef test_initials():\n    assert initials(\"Ann Bee\") == \"AB\"\n" > cp/tests/test_initials.py
'

test_expect_success 'the merged report is that of a plain pytest --cov run, line for line' '
	serial cp --cov=pkg --cov-report=term-missing &&
	grep "^TOTAL .* [0-9]*%" serial.cov &&
	! grep "^TOTAL .* 100%" serial.cov &&
	slow_files 2 &&
	(cd cp && distributest -j 3 -- --cov=pkg --cov-report=term-missing --junitxml=reports/junit.xml) > out &&
	rm cp/tests/conftest.py &&
	grep "^8 files, 10 passed in " out &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov &&
	(cd cp && /usr/bin/python3 -m coverage report -m) > merged.report &&
	test_cmp serial.report merged.report &&
	! ls -a cp/.coverage.* 2> /dev/null
'

test_expect_success 'each runner'"'"'s junitxml report came home with the tests of the files it ran' '
	cut -f 1 cp/.distributest/artifacts/local/roots | sort > runners &&
	test_line_count -ge 2 runners &&
	for r in $(cat runners); do
		test -f cp/.distributest/artifacts/local/$r/.coverage &&
		testcases cp/.distributest/artifacts/local/$r/reports/junit.xml > cases-$r &&
		cut -d " " -f 1 cases-$r | sed "s/\.[A-Z][A-Za-z0-9_]*\$//" | sort -u > classes-$r &&
		ran_by local $r cp > files-$r &&
		test_cmp files-$r classes-$r || return 1
	done &&
	cat files-* > files && test_line_count = 8 files &&
	testcases cp/.distributest/artifacts/local/*/reports/junit.xml > cases &&
	test_cmp serial.cases cases &&
	! test -e cp/reports
'

test_expect_success 'data in the project and in its copies does not leak into the merge' '
	serial cp --cov=pkg tests/test_square.py tests/test_grade_a.py &&
	mv serial.cov subset.cov &&
	serial cp --cov=pkg &&
	test -f cp/.coverage &&
	(cd cp && distributest -j 2 tests/test_square.py tests/test_grade_a.py -- --cov=pkg) > out &&
	cov_section out > merged.cov &&
	test_cmp subset.cov merged.cov
'

test_expect_success 'branches, skip-covered and the file reports, where pytest-cov writes them' '
	serial cp --cov=pkg --cov-branch --cov-report=term:skip-covered --cov-report=xml:cov/c.xml --cov-report=html:cov/html &&
	grep "^Coverage .* written to " serial.out > serial.files &&
	grep "<coverage " cp/cov/c.xml | sed "s/timestamp=\"[0-9]*\"//" > serial.xml &&
	rm -r cp/cov &&
	(cd cp && distributest -j 3 -- --cov=pkg --cov-branch --cov-report=term:skip-covered --cov-report=xml:cov/c.xml --cov-report=html:cov/html) > out &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov &&
	grep "^Coverage .* written to " out > merged.files &&
	test_line_count = 2 merged.files &&
	test_cmp serial.files merged.files &&
	grep "<coverage " cp/cov/c.xml | sed "s/timestamp=\"[0-9]*\"//" > merged.xml &&
	test_cmp serial.xml merged.xml &&
	test -f cp/cov/html/index.html
'

test_expect_success '--cov-report= writes no report, and the data is there' '
	(cd cp && distributest -j 2 -- --cov=pkg --cov-report=) > out &&
	! grep -q coverage out &&
	(cd cp && /usr/bin/python3 -m coverage report) > merged.report &&
	(cd cp && /usr/bin/python3 -m pytest -p no:cacheprovider --cov=pkg > /dev/null 2>&1) &&
	(cd cp && /usr/bin/python3 -m coverage report) > serial.report &&
	test_cmp serial.report merged.report
'

test_expect_success '--cov-fail-under: said as pytest-cov says it, and the run fails' '
	serial cp --cov=pkg --cov-fail-under=100 || true &&
	grep "^FAIL Required test coverage of 100% not reached. Total coverage: [0-9.]*%$" serial.out > serial.line &&
	(cd cp && test_expect_code 1 distributest -j 2 -- --cov=pkg --cov-fail-under=100) > out 2> err &&
	grep "^8 files, 10 passed in " out &&
	grep "^FAIL Required test coverage" out > merged.line &&
	test_cmp serial.line merged.line &&
	grep "^merge-pytest: coverage: the total, [0-9.]*%, is below the 100% required$" err &&
	(cd cp && distributest -j 2 -- --cov=pkg --cov-fail-under=50) > out &&
	grep "^Required test coverage of 50% reached. Total coverage: " out
'

test_expect_success 'addopts of pytest'"'"'s configuration count, as in pytest' '
	printf "[pytest]\npythonpath = .\naddopts = --cov=pkg --cov-report=term-missing\n" > cp/pytest.ini &&
	serial cp &&
	(cd cp && distributest -j 3) > out &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov &&
	printf "[pytest]\npythonpath = .\n" > cp/pytest.ini
'

test_expect_success 'without --cov nothing is merged, and nothing said' '
	(cd cp && exec distributest -j 2 -- --junitxml=j.xml > ../out 2> ../err) &&
	! grep -q coverage out &&
	test_line_count = 0 err &&
	ls cp/.distributest/artifacts/local/*/j.xml > reports &&
	test_line_count -ge 1 reports &&
	! ls cp/.distributest/artifacts/local/*/.coverage* 2> /dev/null
'

test_expect_success 'isolate = fork: what the children measured is merged too' '
	serial cp --cov=pkg --cov-report=term-missing &&
	cp cp/.distributest/config config.own &&
	printf "isolate = fork\n" >> cp/.distributest/config &&
	(cd cp && distributest -j 3 -- --cov=pkg --cov-report=term-missing) > out &&
	cp config.own cp/.distributest/config &&
	grep "	done	local	[0-9]*	tests/" cp/.distributest/log > done &&
	test_line_count = 8 done &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov
'

test_expect_success 'runner_dir = shared: a report and a data file per runner, merged the same' '
	serial cp --cov=pkg --cov-report=term-missing &&
	cp cp/.distributest/config config.own &&
	printf "runner_dir = shared\n" >> cp/.distributest/config &&
	slow_files 2 &&
	(cd cp && distributest -j 3 -- --cov=pkg --cov-report=term-missing --junitxml=reports/junit.xml) > out &&
	rm cp/tests/conftest.py &&
	cp config.own cp/.distributest/config &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov &&
	test "$(cut -f 1 cp/.distributest/artifacts/local/roots)" = shared &&
	(cd cp/.distributest/artifacts/local/shared && ls -a .coverage* reports) > files &&
	grep "^\.coverage\.dt[0-9]*$" files > data &&
	grep "^junit\.[0-9]*\.xml$" files > xml &&
	test_line_count -ge 2 data &&
	test_line_count -ge 2 xml &&
	testcases cp/.distributest/artifacts/local/shared/reports/junit.*.xml > cases &&
	test_cmp serial.cases cases
'

test_expect_success 'merge-pytest alone: without pytest-cov it reports as pytest-cov 4.0 does' '
	(cd cp && distributest -j 3 -- --cov=pkg) > out &&
	cov_section out > merged.cov &&
	mkdir -p nocov/pytest_cov &&
	printf "raise ImportError(\"hidden\")\n" > nocov/pytest_cov/__init__.py &&
	(cd cp && PYTHONPATH=$TRASH/nocov merge-pytest -a --cov=pkg "$TRASH/cp" .distributest/artifacts) > alone &&
	cov_section alone > alone.cov &&
	test_cmp merged.cov alone.cov
'

test_expect_success 'merge-pytest alone: no data for --cov is an error; nothing asked, nothing said' '
	mkdir -p empty &&
	test_expect_code 1 merge-pytest -a --cov=pkg cp empty > out 2> err &&
	test_line_count = 0 out &&
	grep "^merge-pytest: no coverage data came home: no runner left .coverage in $TRASH/empty" err &&
	merge-pytest -a -x cp empty > out 2> err &&
	test_line_count = 0 out && test_line_count = 0 err &&
	merge-pytest -a --cov=pkg -a --no-cov cp empty > out 2> err &&
	test_line_count = 0 out && test_line_count = 0 err &&
	test_expect_code 100 merge-pytest cp 2> err &&
	grep "^merge-pytest: takes ROOT and ARTDIR, got 1 operand" err &&
	test_expect_code 100 merge-pytest -z cp empty 2> err &&
	grep "^usage: merge-pytest \[-a ARG\]... ROOT ARTDIR" err
'

test_expect_success 'merge-pytest alone: unreadable data is an error that names the file' '
	mkdir -p bad/local/1 &&
	printf "not a database\n" > bad/local/1/.coverage &&
	printf "1\t/nonexistent\n" > bad/local/roots &&
	test_expect_code 1 merge-pytest -a --cov=pkg cp bad 2> err &&
	grep "^merge-pytest: $TRASH/bad/local/1/.coverage: cannot read coverage data: " err
'

test_expect_success CLUSTER 'two nodes: every runner'"'"'s data, mapped from its node, merged the same' '
	cluster_up 2 &&
	for i in 1 2; do
		printf "[node node%s]\nrunners = 2\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> cp/.distributest/config || return 1
	done &&
	serial cp --cov=pkg --cov-report=term-missing &&
	slow_files &&
	(cd cp && distributest -- --cov=pkg --cov-report=term-missing --junitxml=reports/junit.xml) > out &&
	rm cp/tests/conftest.py &&
	grep "^8 files, 10 passed in " out &&
	cov_section out > merged.cov &&
	test_cmp serial.cov merged.cov &&
	ls cp/.distributest/artifacts > nodes &&
	test -s nodes && ! grep -v "^node[12]\$" nodes &&
	for n in $(cat nodes); do
		grep "^[0-9]*	/root/.cache/distributest/" cp/.distributest/artifacts/$n/roots || return 1
	done &&
	ls -d cp/.distributest/artifacts/*/[0-9]* > runners &&
	test_line_count -ge 2 runners &&
	testcases cp/.distributest/artifacts/*/*/reports/junit.xml > cases &&
	test_cmp serial.cases cases
'

test_done
