#!/bin/sh
test_description='at the end of a run every runner ends its framework'"'"'s session as the framework ends a run, once, within a bound'
. "$(dirname "$0")/test-lib.sh"

# Each runner that ran a file leaves one line per hook in $TRASH/marks.
ran_ids() {
	grep "	assign	" "$1/.distributest/log" | cut -f 3,4 | sort -u |
	while IFS="	" read -r node r; do
		grep "	runner-up	$node	$r	" "$1/.distributest/log" | cut -f 5
	done | sort -u
}

# Every runner that ran a file wrote one "$1 ID" line in marks, and none
# wrote two; a runner that was up but got no file ends its session too.
once_each() {
	grep "^$1 " marks | sort > got &&
	uniq -d got > twice && test_line_count -eq 0 twice &&
	sed "s/^/$1 /" ids > want &&
	comm -23 want got > missing && test_line_count -eq 0 missing
}

# Processes working in a copy or a runner's tree: none once a run is over.
in_copies() {
	for p in /proc/[0-9]*; do
		c=$(readlink "$p/cwd" 2> /dev/null) || continue
		case $c in "$HOME/.cache/"*) echo "${p#/proc/} $c" ;; esac
	done
}

test_expect_success PYTEST 'pytest: sessionfinish and unconfigure run once in every runner' '
	mkdir -p py/tests &&
	cat > py/conftest.py <<-EOF &&
	import os
	def mark(what):
	    with open("$TRASH/marks", "a") as f:
	        f.write("%s %s\n" % (what, os.environ.get("DT_RUNNER_ID")))
	def pytest_sessionfinish(session, exitstatus):
	    mark("sessionfinish")
	def pytest_unconfigure(config):
	    mark("unconfigure")
	EOF
	for i in 1 2 3 4; do
		printf "def test_%s(): pass\n" $i > py/tests/test_$i.py || return 1
	done &&
	rm -f marks &&
	(cd py && distributest -j 2) > out &&
	test_grep "4 files, 4 passed in" out &&
	ran_ids py > ids && test -s ids &&
	once_each sessionfinish && once_each unconfigure
'

test_expect_success MINITEST 'minitest: after_run blocks run once in every runner' '
	mkdir -p mt/test &&
	printf "require \"minitest/autorun\"\nMinitest.after_run { File.open(\"$TRASH/marks\", \"a\") { |f| f.puts \"after_run #{ENV[%s]}\" } }\n" "\"DT_RUNNER_ID\"" > mt/test/test_helper.rb &&
	for i in 1 2 3; do
		printf "require_relative \"test_helper\"\nclass T$i < Minitest::Test\n  def test_a; end\nend\n" > mt/test/t${i}_test.rb || return 1
	done &&
	rm -f marks &&
	(cd mt && distributest -j 2) > out &&
	test_grep "3 files, 3 runs" out &&
	ran_ids mt > ids && test -s ids &&
	once_each after_run
'

test_expect_success RSPEC 'rspec: at_exit handlers, as SimpleCov'"'"'s, run once in every runner' '
	mkdir -p rs/spec &&
	printf "at_exit { File.open(\"$TRASH/marks\", \"a\") { |f| f.puts \"at_exit #{ENV[%s]}\" } }\n" "\"DT_RUNNER_ID\"" > rs/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > rs/.rspec &&
	for i in 1 2 3; do
		printf "RSpec.describe(\"s$i\") { it(\"x\") {} }\n" > rs/spec/s${i}_spec.rb || return 1
	done &&
	rm -f marks &&
	(cd rs && distributest -j 2) > out &&
	test_grep "3 files, 3 examples, 0 failures" out &&
	ran_ids rs > ids && test -s ids &&
	once_each at_exit
'

test_expect_success RSPEC 'rspec: before(:suite) and after(:suite) once in every runner, not per file' '
	mkdir -p sh/spec &&
	cat > sh/spec/spec_helper.rb <<-EOF &&
	RSpec.configure do |c|
	  c.example_status_persistence_file_path = "spec/examples.txt"
	  c.before(:suite) { File.open("$TRASH/marks", "a") { |f| f.puts "before #{ENV[%q(DT_RUNNER_ID)]}" } }
	  c.after(:suite) { File.open("$TRASH/marks", "a") { |f| f.puts "after #{ENV[%q(DT_RUNNER_ID)]}" } }
	end
	EOF
	printf -- "--require spec_helper\n" > sh/.rspec &&
	for i in 1 2 3 4 5 6; do
		printf "RSpec.describe(\"s$i\") { it(\"x\") {}; it(\"y\") {} }\n" > sh/spec/s${i}_spec.rb || return 1
	done &&
	rm -f marks &&
	(cd sh && distributest -j 2) > out &&
	test_grep "6 files, 12 examples, 0 failures" out &&
	ran_ids sh > ids && test -s ids &&
	{ sed "s/^/after /" ids && sed "s/^/before /" ids; } | sort > want &&
	sort marks > got &&
	test_cmp want got
'

test_expect_success RSPEC 'rspec: a runner no file is left for ends its session while the last file runs' '
	mkdir -p early/spec &&
	printf "at_exit { File.open(\"$TRASH/marks\", \"a\") { |f| f.puts \"at_exit #{ENV[%s]}\" } }\n" "\"DT_RUNNER_ID\"" > early/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > early/.rspec &&
	for i in 1 2; do
		printf "RSpec.describe(\"s$i\") { it(\"x\") {} }\n" > early/spec/s${i}_spec.rb || return 1
	done &&
	cat > early/spec/wait_spec.rb <<-EOF &&
	RSpec.describe("the last file") do
	  it("sees another runner end its session") do
	    600.times { break if File.exist?("$TRASH/marks"); sleep 0.1 }
	    expect(File.read("$TRASH/marks")).to match(/^at_exit /)
	  end
	end
	EOF
	rm -f marks &&
	(cd early && distributest -j 2) > out &&
	test_grep "3 files, 3 examples, 0 failures" out &&
	! grep -i "runner.*down" out &&
	grep "	log	local	runner [12] ended its session: no file is left for it$" early/.distributest/log &&
	ran_ids early > ids && test_line_count = 2 ids &&
	once_each at_exit
'

test_expect_success PYTEST 'a session end that hangs is cut at its bound; the run ends' '
	mkdir -p hang/tests &&
	printf "import time\ndef pytest_sessionfinish(session, exitstatus):\n    time.sleep(7203)\n" > hang/conftest.py &&
	printf "def test_a(): pass\n" > hang/tests/test_a.py &&
	(cd hang && distributest -j 1) > out &&
	test_grep "1 file, 1 passed in" out &&
	in_copies > left &&
	test_line_count = 0 left
'

test_done
