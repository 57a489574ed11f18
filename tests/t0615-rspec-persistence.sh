#!/bin/sh
test_description='RSpec'"'"'s example status file after a distributed run is the one a plain rspec run of the same files leaves, from the same previous file'
. "$(dirname "$0")/test-lib.sh"

unset BUNDLE_GEMFILE DT_ISOLATE
HOSTNAME=$(hostname)
USERNAME=$(id -un)

# Example ids and statuses of a status file, without the run times.
statuses() {
	sed 1,2d "$1" | cut -d"|" -f1,2 | tr -s " "
}

# The same files run by rspec in the copy "plain" and by distributest in
# "rs"; both leave the same ids and statuses. Arguments: the files, or
# none. Each run has a failure.
same_as_rspec() {
	(cd plain && rspec "$@") > plain.out
	test_expect_code 1 sh -c 'cd rs && exec distributest -j 3 "$@"' sh "$@" > out &&
	statuses plain/spec/examples.txt > want &&
	statuses rs/spec/examples.txt > got &&
	test_cmp want got
}

# The ids of the examples `rspec --only-failures` runs in $1.
only_failures() {
	(cd "$1" && rspec --only-failures --dry-run --format json --out "$TRASH/of.json") > /dev/null &&
	ruby -rjson -e "puts JSON.parse(File.read(ARGV[0]))[%q(examples)].map { |e| e[%q(id)] }" of.json | sort
}

test_expect_success RSPEC 'setup: failures, pending, skips, nested groups and a slow file' '
	mkdir -p rs/spec &&
	printf "RSpec.configure { |c| c.example_status_persistence_file_path = %s }\n" "\"spec/examples.txt\"" > rs/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > rs/.rspec &&
	cat > rs/spec/a_spec.rb <<-\EOF &&
	RSpec.describe("a") do
	  it("passes") { expect(1).to eq(1) }
	  it("fails") { expect(1).to eq(2) }
	  it("is pending") { pending("later"); expect(1).to eq(2) }
	  context("inner") do
	    it("passes too") {}
	    it("is skipped") { skip "no" }
	  end
	end
	EOF
	# With RV_MARKS, b and c each wait (60 s at most) till two runners
	# have begun one of them: they run side by side, on two runners.
	cat > rs/spec/rendezvous.rb <<-\EOF &&
	if (marks = ENV["RV_MARKS"]) && ENV["DT_RUNNER"]
	  File.write(File.join(marks, ENV["DT_RUNNER"]), "")
	  t = Time.now + 60
	  sleep 0.05 while Dir.children(marks).size < 2 && Time.now < t
	end
	EOF
	printf "require_relative \"rendezvous\"\nRSpec.describe(\"b\") do\n  it(\"one\") {}\n  it(\"two\") {}\n  it(\"three\") {}\nend\n" > rs/spec/b_spec.rb &&
	printf "require_relative \"rendezvous\"\nRSpec.describe(\"c\") do\n  it(\"ok\") {}\n  it(\"bad\") { expect(1).to eq(2) }\nend\n" > rs/spec/c_spec.rb &&
	printf "RSpec.describe(\"d\") { it(\"gone later\") { expect(1).to eq(2) } }\n" > rs/spec/d_spec.rb &&
	{
		echo "RSpec.describe(\"slow\") do" &&
		for i in 1 2 3 4 5 6; do
			printf "  it(\"s%s\") { sleep 0.3; expect(%s).not_to eq(4) }\n" $i $i || return 1
		done &&
		echo "end"
	} > rs/spec/slow_spec.rb &&
	cp -R rs plain
'

test_expect_success RSPEC 'a first run, without a previous file' '
	mkdir marks &&
	RV_MARKS=$TRASH/marks && export RV_MARKS &&
	same_as_rspec &&
	unset RV_MARKS &&
	ls marks > marked && test_line_count -ge 2 marked &&
	test_grep "./spec/a_spec.rb[1:2] | failed" got &&
	test_grep "./spec/a_spec.rb[1:3] | pending" got &&
	test_grep "./spec/a_spec.rb[1:4:2] | pending" got &&
	test_grep "./spec/slow_spec.rb[1:4] | failed" got &&
	test_line_count = 17 got &&
	ls rs/.distributest/artifacts/local/*/.distributest/rspec-examples.*.json > sides &&
	test_line_count -ge 2 sides
'

test_expect_success RSPEC 'the runners leave the node'"'"'s copy of the file as it came' '
	copy=$HOME/.cache/distributest/$HOSTNAME/$USERNAME/$(copy_path rs) &&
	cp rs/spec/examples.txt before &&
	same_as_rspec &&
	test_cmp before "$copy/spec/examples.txt" &&
	! find "$copy.runners" -name examples.txt -newer before | grep .
'

test_expect_success RSPEC 'a fixed example passes, and the examples of a deleted file or example go; the slow file split' '
	for d in rs plain; do
		rm $d/spec/d_spec.rb &&
		printf "RSpec.describe(\"b\") do\n  it(\"one\") {}\n  it(\"two\") {}\nend\n" > $d/spec/b_spec.rb &&
		sed "s/expect(1).to eq(2)/expect(2).to eq(2)/" rs/spec/c_spec.rb > c &&
		cp c $d/spec/c_spec.rb || return 1
	done &&
	same_as_rspec &&
	grep "	split	spec/slow_spec.rb	" rs/.distributest/log &&
	test_grep "./spec/c_spec.rb[1:2] | passed" got &&
	! grep "d_spec\|b_spec.rb\[1:3\]" got &&
	test_grep "./spec/slow_spec.rb[1:4] | failed" got &&
	test_line_count = 15 got
'

test_expect_success RSPEC 'the examples of files not run keep their status' '
	sed "s/(\"fails\") { expect(1).to eq(2) }/(\"fails\") {}/" rs/spec/a_spec.rb > a &&
	printf "RSpec.describe(\"b\") do\n  it(\"one\") {}\n  it(\"two\") { expect(1).to eq(2) }\nend\n" > b &&
	for d in rs plain; do
		cp a $d/spec/a_spec.rb && cp b $d/spec/b_spec.rb || return 1
	done &&
	same_as_rspec spec/a_spec.rb spec/b_spec.rb &&
	test_grep "./spec/a_spec.rb[1:2] | passed" got &&
	test_grep "./spec/a_spec.rb[1:3] | pending" got &&
	test_grep "./spec/b_spec.rb[1:2] | failed" got &&
	test_grep "./spec/c_spec.rb[1:2] | passed" got &&
	test_grep "./spec/slow_spec.rb[1:4] | failed" got &&
	test_line_count = 15 got
'

test_expect_success RSPEC 'rspec --only-failures then runs exactly the failures' '
	only_failures plain > want &&
	only_failures rs > got &&
	test_cmp want got &&
	printf "./spec/b_spec.rb[1:2]\n./spec/slow_spec.rb[1:4]\n" > want &&
	test_cmp want got
'

test_expect_success RSPEC 'without the setting nothing is written' '
	mkdir -p none/spec &&
	printf "RSpec.describe(\"n\") { it(\"x\") {} }\n" > none/spec/n_spec.rb &&
	(cd none && distributest -j 2) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	! test -e none/spec/examples.txt &&
	! test -e none/.distributest/artifacts
'

test_done
