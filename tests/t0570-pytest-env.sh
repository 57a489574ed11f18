#!/bin/sh
test_description='adapter-pytest: the interpreter, sys.path and packages of the user'"'"'s own pytest, and a rerun hint that reproduces them'
. "$(dirname "$0")/test-lib.sh"

# Every test needs pytest and its adapter.
test_have_prereq PYTEST ||
	skip_all "/usr/bin/python3 has no pytest (apt-get install python3-pytest)"
[ -x "$LIBEXEC/adapter-pytest" ] || skip_all "adapter-pytest not built: run make all"

# Exact hints name -P, which only Python 3.11 has.
test_lazy_prereq PY311 '/usr/bin/python3 -c "import sys; sys.exit(sys.version_info < (3, 11))"'

# The pytest command the user types, first on PATH whatever this machine's
# PATH holds: a console script of /usr/bin/python3, as pip writes them.
PATH=$TRASH/bin:$PATH
Q="'"

# pytest's totals on the last line of its output in file $1, which
# distributest's summary says in the same words: "1 failed, 3 passed".
pytest_totals() {
	tail -n 1 "$1" | tr -d "=" | sed "s/^ *//; s/ in [0-9.]*s.*//; s/\$/ in /"
}

# The command after "rerun: " under the failure named $2 in distributest's
# output $1.
hint_of() {
	awk -v d="  $2" '$0 == d { found = 1 } found && /^  rerun: / { sub(/^  rerun: /, ""); print; exit }' "$1"
}

# Runs command $2 with sh in directory $1, as a person would paste it; its
# output in rerun.out. It must fail with an exit status, as its test did.
rerun_fails() {
	code=0
	(cd "$1" && exec sh -c "$2" > "$TRASH/rerun.out" 2>&1) || code=$?
	test "$code" -ne 0 && test "$code" -le 128
}

pytest_project() {
	mkdir -p "$1/tests" "$1/.distributest" &&
	printf "[pytest]\n" > "$1/pytest.ini" &&
	printf "[run]\nframework = pytest\n" > "$1/.distributest/config"
}

test_expect_success 'setup: the pytest command; a project importing a module of its root' '
	mkdir -p bin &&
	printf "#!/usr/bin/python3\nimport sys\nimport pytest\nsys.exit(pytest.console_main())\n" > bin/pytest &&
	chmod +x bin/pytest &&
	pytest_project sp &&
	printf "VALUE = 1\n" > sp/helper.py &&
	printf "import helper\n\ndef test_value():\n    assert helper.VALUE == 1\n" > sp/tests/test_helper.py &&
	cat > sp/tests/test_path.py <<-\EOF
	import os
	import sys

	def test_root_not_on_path():
	    assert os.getcwd() not in [os.path.abspath(p) for p in sys.path]
	EOF
'

# The pytest command keeps the project root off sys.path (python -m pytest
# puts it there): a module of the root does not import from tests/.
test_expect_success 'sys.path: the run and its rerun hint give what plain pytest gives' '
	(cd sp && pytest --continue-on-collection-errors > ../plain.out 2>&1; test $? = 1) &&
	test_grep "ModuleNotFoundError: No module named ${Q}helper${Q}" plain.out &&
	(cd sp && test_expect_code 1 distributest -j 2) > out &&
	test_grep "2 files, $(pytest_totals plain.out)" out &&
	test "$(hint_of out tests/test_helper.py)" = "pytest ${Q}tests/test_helper.py${Q}" &&
	rerun_fails sp "$(hint_of out tests/test_helper.py)" &&
	test_grep "ModuleNotFoundError: No module named ${Q}helper${Q}" rerun.out &&
	test_grep "1 error in" rerun.out &&
	(cd sp && /usr/bin/python3 -m pytest tests/test_helper.py > ../m.out 2>&1) &&
	test_grep "1 passed" m.out &&
	grep "adapter-pytest: python /usr/bin/python3 (Python [0-9.]*): that of pytest on PATH, $TRASH/bin/pytest$" sp/.distributest/log > lines &&
	test_line_count = 2 lines
'

test_expect_success 'pytest on PATH by #!/usr/bin/env, or a shell script: said, and the hint follows' '
	mkdir -p envbin shbin &&
	ln -s /usr/bin/python3 envbin/python3 &&
	printf "#!/usr/bin/env python3\nimport sys\nimport pytest\nsys.exit(pytest.console_main())\n" > envbin/pytest &&
	printf "#!/bin/sh\nexec /usr/bin/python3 -m pytest \"\\$@\"\n" > shbin/pytest &&
	chmod +x envbin/pytest shbin/pytest &&
	printf "run\ttests/test_helper.py\n" > req &&
	(cd sp && PATH=$TRASH/envbin:$PATH adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	test_grep "adapter-pytest: python $TRASH/envbin/python3 (Python " out &&
	test_grep "$(printf "\tpytest ${Q}tests/test_helper.py${Q}")" res &&
	(cd sp && PATH=$TRASH/shbin:$PATH adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	test_grep "adapter-pytest: python /usr/bin/python3 (Python " out &&
	test_grep "the adapter${Q}s own; pytest on PATH, $TRASH/shbin/pytest, is not a Python script" out &&
	test_grep "$(printf "\t/usr/bin/python3 -")" res
'

test_expect_success PY311 'an interpreter of another pytest command: the hint keeps the root off sys.path too' '
	(cd sp && PATH=$TRASH/shbin:$PATH adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	test_grep "$(printf "\t/usr/bin/python3 -P -m pytest ${Q}tests/test_helper.py${Q}")" res &&
	rerun_fails sp "/usr/bin/python3 -P -m pytest ${Q}tests/test_helper.py${Q}" &&
	test_grep "No module named ${Q}helper${Q}" rerun.out
'

test_expect_success 'setup: a project with its .venv, holding a module nothing else has' '
	pytest_project vp &&
	/usr/bin/python3 -m venv --without-pip --system-site-packages vp/.venv &&
	site=$(vp/.venv/bin/python -c "import sysconfig; print(sysconfig.get_path(\"purelib\"))") &&
	case $site in "$TRASH/vp/.venv/"*) ;; *) false ;; esac &&
	printf "WHERE = \"venv\"\n" > "$site/onlyvenv.py" &&
	cat > vp/tests/test_venv.py <<-\EOF &&
	import os
	import sys

	import onlyvenv

	def test_value():
	    assert onlyvenv.WHERE == "venv"

	def test_prefix_is_the_venv_of_the_tree():
	    assert os.path.realpath(sys.prefix) == os.path.realpath(".venv")

	def test_fails():
	    assert onlyvenv.WHERE == "elsewhere"
	EOF
	cat > vp/tests/test_activated.py <<-\EOF
	import os
	import shutil
	import sys

	def test_activated_here():
	    if os.path.isdir(os.environ.get("VIRTUAL_ENV", "/nonexistent")):
	        assert os.environ["VIRTUAL_ENV"] == sys.prefix
	        assert shutil.which("python") == os.path.join(sys.prefix, "bin", "python")
	EOF
'

test_expect_success 'the project'"'"'s .venv: used on the node, its hint fails as the test did' '
	(cd vp && /usr/bin/python3 -m pytest tests/test_venv.py > ../plain.out 2>&1; test $? = 2) &&
	test_grep "No module named ${Q}onlyvenv${Q}" plain.out &&
	(cd vp && .venv/bin/python -m pytest > ../plain.out 2>&1; test $? = 1) &&
	(cd vp && test_expect_code 1 distributest -j 2) > out &&
	test_grep "2 files, $(pytest_totals plain.out)" out &&
	grep "adapter-pytest: python .venv/bin/python (Python [0-9.]*): the project${Q}s .venv$" vp/.distributest/log > lines &&
	test_line_count = 2 lines &&
	hint=$(hint_of out tests/test_venv.py::test_fails) &&
	case $hint in ".venv/bin/python "*" ${Q}tests/test_venv.py::test_fails${Q}") ;; *) false ;; esac &&
	rerun_fails vp "$hint" &&
	test_grep "1 failed in" rerun.out &&
	test_grep "assert ${Q}venv${Q} == ${Q}elsewhere${Q}" rerun.out
'

test_expect_success PY311 'the project'"'"'s .venv: the hint is .venv/bin/python -P -m pytest' '
	test "$(hint_of out tests/test_venv.py::test_fails)" = \
	    ".venv/bin/python -P -m pytest ${Q}tests/test_venv.py::test_fails${Q}"
'

test_expect_success 'VIRTUAL_ENV of the project: its copy, activated in the copy' '
	(cd vp && VIRTUAL_ENV=$TRASH/vp/.venv PATH=$TRASH/vp/.venv/bin:$PATH \
	    test_expect_code 1 distributest -j 2) > out &&
	test_grep "2 files, 1 failed, 3 passed in" out &&
	test_grep "FAIL tests/test_venv.py:12 (local/" out &&
	grep "adapter-pytest: python .venv/bin/python (Python [0-9.]*): VIRTUAL_ENV=$TRASH/vp/.venv, the project${Q}s, from its copy$" vp/.distributest/log > lines &&
	test_line_count = 2 lines
'

test_expect_success 'VIRTUAL_ENV not on the node: said, and the project'"'"'s .venv used' '
	(cd vp && VIRTUAL_ENV=/nonexistent/venv test_expect_code 1 distributest -j 1) > out &&
	test_grep "2 files, 1 failed, 3 passed in" out &&
	test_grep "the project${Q}s .venv; VIRTUAL_ENV=/nonexistent/venv is not on this node" vp/.distributest/log
'

test_expect_success 'VIRTUAL_ENV elsewhere on the node: that one' '
	/usr/bin/python3 -m venv --without-pip --system-site-packages other &&
	site=$(other/bin/python -c "import sysconfig; print(sysconfig.get_path(\"purelib\"))") &&
	printf "WHERE = \"elsewhere\"\n" > "$site/onlyvenv.py" &&
	(cd vp && VIRTUAL_ENV=$TRASH/other PATH=$TRASH/other/bin:$PATH \
	    test_expect_code 1 distributest -j 1) > out &&
	test_grep "2 files, 2 failed, 2 passed in" out &&
	test_grep "FAIL tests/test_venv.py:6 (local/" out &&
	test_grep "FAIL tests/test_venv.py:9 (local/" out &&
	test_grep "adapter-pytest: python $TRASH/other/bin/python (Python " vp/.distributest/log &&
	hint=$(hint_of out tests/test_venv.py::test_value) &&
	case $hint in "$TRASH/other/bin/python "*) ;; *) false ;; esac
'

test_expect_success 'DT_PYTHON: that interpreter, relative to the project or on PATH' '
	(cd vp && DT_PYTHON=.venv/bin/python test_expect_code 1 distributest -j 1) > out &&
	test_grep "2 files, 1 failed, 3 passed in" out &&
	test_grep "adapter-pytest: python .venv/bin/python (Python " vp/.distributest/log &&
	test_grep "): DT_PYTHON" vp/.distributest/log &&
	(cd sp && DT_PYTHON=python3 PATH=$TRASH/envbin:$PATH test_expect_code 1 distributest -j 1) > out &&
	test_grep "2 files, 1 passed, 1 error in" out &&
	test_grep "adapter-pytest: python python3 (Python " sp/.distributest/log
'

test_expect_success 'DT_PYTHON without pytest, or not there: the runner is down, naming it' '
	/usr/bin/python3 -m venv --without-pip bare &&
	(cd vp && DT_PYTHON=$TRASH/bare/bin/python test_expect_code 2 distributest -j 1) > out 2>&1 &&
	test_grep "cannot load pytest into python $TRASH/bare/bin/python (DT_PYTHON): ModuleNotFoundError" out &&
	(cd vp && DT_PYTHON=no-such-python3 test_expect_code 2 distributest -j 1) > out 2>&1 &&
	test_grep "python no-such-python3 (DT_PYTHON): not found on PATH" out &&
	(cd vp && DT_PYTHON=./no/python test_expect_code 2 distributest -j 1) > out 2>&1 &&
	test_grep "cannot run python ./no/python (DT_PYTHON): No such file or directory" out
'

test_expect_success 'setup: a package with doctests in __init__.py and in a module' '
	pytest_project dp &&
	mkdir -p dp/pkg &&
	cat > dp/pkg/__init__.py <<-\EOF &&
	"""A package.

	>>> 1 + 1
	2
	"""


	def double(x):
	    """
	    >>> double(2)
	    4
	    """
	    return 2 * x
	EOF
	cat > dp/pkg/mod.py <<-\EOF
	def triple(x):
	    """
	    >>> triple(2)
	    6
	    """
	    return 3 * x


	def wrong():
	    """
	    >>> wrong()
	    1
	    """
	    return 2
	EOF
'

# pytest 7 takes pkg/__init__.py alone for the whole package.
test_expect_success '__init__.py with --doctest-modules: its own doctests, totals as plain pytest'"'"'s' '
	(cd dp && pytest --doctest-modules > ../plain.out 2>&1; test $? = 1) &&
	test_grep "1 failed, 3 passed" plain.out &&
	(cd dp && test_expect_code 1 distributest -j 2 pkg/__init__.py pkg/mod.py -- --doctest-modules) > out &&
	test_grep "2 files, $(pytest_totals plain.out)" out &&
	test "$(hint_of out pkg/mod.py::pkg.mod.wrong)" = \
	    "pytest --doctest-modules ${Q}pkg/mod.py::pkg.mod.wrong${Q}" &&
	rerun_fails dp "$(hint_of out pkg/mod.py::pkg.mod.wrong)" &&
	test_grep "1 failed in" rerun.out
'

test_expect_success '__init__.py alone: the units are its own, whatever runs before it' '
	printf "run\tpkg/mod.py\nrun\tpkg/__init__.py\n" > req &&
	(cd dp && adapter-pytest --doctest-modules < ../req 3> ../res > ../out 2>&1) &&
	awk -F "\t" "\$1 == \"unit\" || \$1 == \"done\" { print \$1, \$2 }" res > got &&
	printf "%s\n" "unit pkg.mod.triple" "unit pkg.mod.wrong" "done failed" \
	    "unit pkg" "unit pkg.double" "done passed" > want &&
	sort -o got got && sort -o want want && test_cmp want got &&
	printf "run\tpkg/__init__.py\n" > req &&
	(cd dp && adapter-pytest < ../req 3> ../res > ../out 2>&1) &&
	test_grep "$(printf "done\tpassed\t0\t0\t0\t0")" res
'

test_done
