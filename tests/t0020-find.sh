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

test_done
