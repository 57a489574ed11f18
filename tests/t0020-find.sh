#!/bin/sh
test_description='dt-find: the test list'
. "$(dirname "$0")/test-lib.sh"

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	for p in "$@"; do
		ev set tests "$p"
	done
}

test_expect_success 'setup' '
	mkdir -p proj/spec/models proj/spec/support proj/lib proj/.git &&
	echo 1 > proj/spec/a_spec.rb &&
	echo 12345 > proj/spec/models/user_spec.rb &&
	: > "proj/spec/models/name with space_spec.rb" &&
	: > proj/spec/support/helper.rb &&
	: > proj/lib/x_spec.rb &&
	: > proj/.git/y_spec.rb
'

test_expect_success 'patterns with ** find files at any depth, sorted, with sizes' '
	head_events "spec/**/*_spec.rb" | dt-find > out &&
	grep -v "^set" out | grep -v "^hello" > got &&
	cat > want <<-EOF &&
	test	spec/a_spec.rb	2
	test	spec/models/name with space_spec.rb	0
	test	spec/models/user_spec.rb	6
	tests-end	3	all
	EOF
	test_cmp want got
'

test_expect_success 'every event read is passed on first, in order' '
	head_events "spec/**/*_spec.rb" > in &&
	dt-find < in | head -n 3 > got &&
	test_cmp in got
'

test_expect_success 'paths restrict the search; a named file is taken as it is' '
	head_events "spec/**/*_spec.rb" | dt-find spec/models lib/x_spec.rb ./spec/a_spec.rb > out &&
	grep "^test	" out | cut -f2 > got &&
	printf "lib/x_spec.rb\nspec/a_spec.rb\nspec/models/name with space_spec.rb\nspec/models/user_spec.rb\n" > want &&
	test_cmp want got
'

test_expect_success 'a missing path or one outside the project is an error' '
	head_events "spec/**/*_spec.rb" > in &&
	test_expect_code 100 dt-find spec/nope < in > /dev/null 2> err &&
	test_grep "spec/nope: No such file" err &&
	test_expect_code 100 dt-find ../etc < in > /dev/null 2> err &&
	test_grep "not inside the project" err
'

test_expect_success 'file names with tabs and newlines are escaped' '
	mkdir -p odd/t &&
	: > "$(printf "odd/t/tab\there.t")" &&
	: > "$(printf "odd/t/new\nline.t")" &&
	{ ev hello distributest-events 2 x; ev set project "$TRASH/odd"; ev set tests "t/*.t"; } |
	dt-find > out &&
	test_grep "$(printf "test\tt/new\\\\nline.t\t0")" out &&
	test_grep "$(printf "test\tt/tab\\\\there.t\t0")" out
'

test_expect_success 'no project setting is a data error' '
	ev set tests x | test_expect_code 101 dt-find > /dev/null 2> err &&
	test_grep "no \"set project\" line" err
'

# A finder that prints what it was given and lists the files of $LIST.
make_finder() {
	cat > "$1" <<-EOF &&
	#!/bin/sh
	printf "%s\n" "\$*" > "$TRASH/finder.args"
	pwd > "$TRASH/finder.pwd"
	for f in $2; do printf "%s\\\\0" "\$f"; done
	exit ${3:-0}
	EOF
	chmod +x "$1"
}

test_expect_success 'a finder lists the files: in the project, with the arguments and paths' '
	make_finder finder "spec/models/user_spec.rb ./spec/a_spec.rb lib/x_spec.rb" &&
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/finder" &&
	  ev set args "--tag" && ev set args "a b"; } | dt-find spec > out &&
	grep -v "^set" out | grep -v "^hello" > got &&
	cat > want <<-EOF &&
	test	lib/x_spec.rb	0
	test	spec/a_spec.rb	2
	test	spec/models/user_spec.rb	6
	tests-end	3
	EOF
	test_cmp want got &&
	echo "-a --tag -a a b -- spec" > want &&
	test_cmp want finder.args &&
	echo "$TRASH/proj" > want &&
	test_cmp want finder.pwd
'

test_expect_success 'what a finder lists outside the project or not a file is skipped, said so' '
	make_finder finder "/etc/passwd ../outside spec spec/nothing_spec.rb spec/a_spec.rb" &&
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/finder"; } |
	dt-find > out 2> err &&
	grep "^test[^s]" out > got &&
	printf "test\tspec/a_spec.rb\t2\n" > want &&
	test_cmp want got &&
	test_grep "finder: /etc/passwd: not a file inside the project" err &&
	test_grep "finder: ../outside: not a file inside the project" err &&
	test_grep "finder: spec: not a regular file" err &&
	test_grep "finder: spec/nothing_spec.rb: not a regular file" err
'

test_expect_success 'a finder that fails: a warning, and the patterns decide' '
	make_finder finder "spec/a_spec.rb" 1 &&
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/finder"; } |
	dt-find > out 2> err &&
	grep "^tests-end" out > got &&
	printf "tests-end\t3\tall\n" > want &&
	test_cmp want got &&
	test_grep "finder exited 1; the tests patterns decide the files" err
'

test_expect_success 'a finder that cannot start: a warning, and the patterns decide' '
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/no-finder"; } |
	dt-find > out 2> err &&
	grep "^tests-end" out > got &&
	printf "tests-end\t3\tall\n" > want &&
	test_cmp want got &&
	test_grep "no-finder" err
'

test_expect_success 'a finder'"'"'s usage error (100) ends dt-find with 100' '
	make_finder finder "spec/a_spec.rb" 100 &&
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/finder"; } > in &&
	test_expect_code 100 dt-find < in > out &&
	! grep "^tests-end" out
'

test_expect_success 'an empty finder setting means the patterns' '
	{ head_events "spec/**/*_spec.rb" && ev set finder "$TRASH/finder" &&
	  ev set finder ""; } | dt-find > out &&
	grep "^tests-end" out > got &&
	printf "tests-end\t3\tall\n" > want &&
	test_cmp want got
'

test_expect_success 'a virtual environment is no place for the project'"'"'s tests' '
	mkdir -p proj/venv/lib/pkg/tests &&
	: > proj/venv/pyvenv.cfg &&
	: > proj/venv/lib/pkg/tests/test_vendored.py &&
	: > proj/lib/test_mine.py &&
	head_events "**/test_*.py" | dt-find > out &&
	grep "^test[^s]" out > got &&
	printf "test\tlib/test_mine.py\t0\n" > want &&
	test_cmp want got
'

test_done
