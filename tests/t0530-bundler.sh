#!/bin/sh
test_description='a Gemfile: its bundle is used only when it resolves, as the user'"'"'s own command would'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq BUNDLER 'ruby -e "require %q(bundler)" 2>/dev/null'

# A spec that fails, so the rerun hint shows how the runner loaded gems.
make_rspec_project() {
	mkdir -p "$1/spec" &&
	printf "RSpec.describe \"sums\" do\n  it(\"adds\") { expect(1 + 1).to eq(2) }\n  it(\"fails\") { expect(1 + 1).to eq(3) }\nend\n" > "$1/spec/sum_spec.rb" &&
	printf "RSpec.describe \"words\" do\n  it(\"joins\") { expect(%%w[a b].join).to eq(\"ab\") }\nend\n" > "$1/spec/word_spec.rb"
}

test_expect_success RSPEC,BUNDLER 'setup: a Gemfile that names a gem nobody installed, and one that resolves' '
	make_rspec_project pinned &&
	printf "source \"https://rubygems.org\"\ngem \"rspec\"\ngem \"no-such-gem-for-distributest\"\n" > pinned/Gemfile &&
	make_rspec_project resolves &&
	printf "source \"https://rubygems.org\"\ngem \"rspec\"\n" > resolves/Gemfile &&
	(cd pinned && rspec > ../plain.out 2>&1; test $? = 1) &&
	test_grep "3 examples, 1 failure" plain.out
'

test_expect_success RSPEC,BUNDLER 'an unresolvable Gemfile: the run gives what plain rspec gives' '
	(cd pinned && distributest -j 2 > ../out 2>&1; test $? = 1) &&
	test_grep "2 files, 3 examples, 1 failure" out &&
	test_grep "rerun: rspec ./spec/sum_spec.rb" out &&
	! grep "LOST" out &&
	grep "Bundler not used: Gemfile does not resolve" pinned/.distributest/log > lines &&
	test_line_count -ge 1 lines
'

test_expect_success RSPEC,BUNDLER 'bundler = yes: a bundle that does not resolve is an error, said so' '
	printf "[run]\nbundler = yes\n" > yes.conf &&
	(cd pinned && test_expect_code 2 distributest -j 1 -c ../yes.conf > ../out 2>&1) &&
	test_grep "no-such-gem-for-distributest" out
'

test_expect_success RSPEC,BUNDLER 'a Gemfile that resolves is used, and the rerun says bundle exec' '
	(cd resolves && distributest -j 2 > ../out 2>&1; test $? = 1) &&
	test_grep "2 files, 3 examples, 1 failure" out &&
	hint=$(sed -n "s/^  rerun: //p" out) &&
	case $hint in
	"bundle exec rspec ./spec/sum_spec.rb:3"|"bundle3.1 exec rspec ./spec/sum_spec.rb:3") ;;
	*) echo "hint: $hint"; false ;;
	esac &&
	(cd resolves && eval "$hint" > ../again; test $? = 1) &&
	test_grep "1 example, 1 failure" again &&
	test_grep "Bundler used: Gemfile resolves" resolves/.distributest/log
'

test_expect_success RSPEC,BUNDLER 'bundler = no leaves even a good Gemfile alone' '
	printf "[run]\nbundler = no\n" > no.conf &&
	(cd resolves && distributest -j 1 -c ../no.conf > ../out 2>&1; test $? = 1) &&
	test_grep "rerun: rspec ./spec/sum_spec.rb" out
'

test_expect_success 'a bundler value that is not auto, yes or no is refused with its line' '
	make_command_project cp &&
	printf "bundler = maybe\n" >> cp/.distributest/config &&
	(cd cp && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: bundler: \"maybe\" is not auto, yes or no" err
'

test_done
