#!/bin/sh
test_description='Ruby: SimpleCov in every runner, its results brought home and merged by merge-ruby as one serial run writes them; test-unit'"'"'s session hooks once per runner'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq SIMPLECOV 'ruby -e "require \"simplecov\"; require \"simplecov-html\""'
unset BUNDLE_GEMFILE DT_ISOLATE

# The coverage of a .resultset.json ($1), its paths relative to $2: per
# file a line of - (not code), 0 (missed) and 1 (run), then its branches
# with their counts. Hit counts of lines are not compared: a line run when
# a file loads runs once in each runner that loads it.
cover() {
	ruby "$TRASH/cover.rb" "$@"
}

# A project: lib code with branches, a helper starting SimpleCov, and
# test files ($2: spec or test) each covering part of it.
project() {
	mkdir -p "$1/lib" &&
	cp "$TRASH/calc.rb" "$TRASH/words.rb" "$1/lib/"
}

# Every runner of project $1 that ran a file, by the log, brought its
# result home: a runner that took no file, or none at all, is no failure.
ran_home() {
	grep "	assign	" "$1/.distributest/log" | cut -f 3,4 | tr "	" / | sort -u > ran &&
	test -s ran &&
	(cd "$1/.distributest/artifacts" && ls -d -- */*/coverage/.resultset.json) | cut -d/ -f 1,2 | sort > brought &&
	comm -23 ran brought > missing &&
	test_line_count -eq 0 missing
}

test_expect_success 'setup' '
	cat > cover.rb <<-\EOF &&
	require "json"
	set = JSON.parse(File.read(ARGV[0]))
	root = File.realpath(ARGV[1])
	set.values.map { |v| v["coverage"] }.inject { |a, b| a.merge(b) }.sort.each do |file, data|
	  puts "#{file.delete_prefix("#{root}/")} #{data["lines"].map { |n| n.nil? ? "-" : n.zero? ? 0 : 1 }.join}"
	  (data["branches"] || {}).sort.each { |b, arms| arms.sort.each { |a, n| puts "  #{b} #{a} #{n}" } }
	end
	EOF
	cat > calc.rb <<-\EOF &&
	module Calc
	  def self.sign(n)
	    if n.positive?
	      :pos
	    elsif n.negative?
	      :neg
	    else
	      :zero
	    end
	  end

	  def self.grade(score)
	    case score
	    when 90.. then "A"
	    when 80...90 then "B"
	    else "C"
	    end
	  end

	  def self.never
	    :never
	  end
	end
	EOF
	cat > words.rb <<-\EOF &&
	module Words
	  def self.shout(s)
	    s.upcase + "!"
	  end

	  def self.whisper(s)
	    s.downcase
	  end
	end
	EOF
	# name, then what its test checks
	cat > cases <<-\EOF
	pos Calc.sign(2) == :pos
	neg Calc.sign(-2) == :neg
	a Calc.grade(95) == "A"
	b Calc.grade(85) == "B"
	shout Words.shout("a") == "A!"
	both Calc.sign(0) == :zero && Calc.grade(1) == "C"
	EOF
'

test_expect_success RSPEC,SIMPLECOV 'rspec: the merged coverage of 3 runners is a serial run'"'"'s' '
	project rs &&
	mkdir rs/spec &&
	cat > rs/spec/spec_helper.rb <<-\EOF &&
	require "simplecov"
	SimpleCov.start do
	  enable_coverage :branch
	  add_filter "/spec/"
	end
	require_relative "../lib/calc"
	require_relative "../lib/words"
	EOF
	printf -- "--require spec_helper\n" > rs/.rspec &&
	while read -r name check; do
		printf "RSpec.describe(\"%s\") { it(\"x\") { sleep 0.2; expect(%s).to be(true) } }\n" "$name" "$check" > rs/spec/${name}_spec.rb || return 1
	done < cases &&
	(cd rs && rspec) > serial.out &&
	test_grep "6 examples, 0 failures" serial.out &&
	cover rs/coverage/.resultset.json rs > want &&
	cp want want.rspec &&
	grep "^lib/calc.rb " want > calc && test_grep "lib/calc.rb 111111-1---11111---10--" calc &&
	test_grep "lib/words.rb 111--10--" want &&
	grep "^Coverage report generated" serial.out | sed "s/ to .*\. / /" > want.summary &&
	rm -rf rs/coverage &&
	(cd rs && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	ran_home rs &&
	cat rs/.distributest/artifacts/local/*/coverage/.resultset.json > runners &&
	grep "\"RSpec (distributest local/[0-9]*)\"" runners &&
	cover rs/coverage/.resultset.json rs > got &&
	test_cmp want got &&
	grep "^Coverage report generated" out | sed "s/ to .*\. / /" > got.summary &&
	test_cmp want.summary got.summary &&
	test_grep "\"RSpec\"" rs/coverage/.resultset.json &&
	test -f rs/coverage/index.html &&
	! grep -i distributest/ rs/coverage/.resultset.json
'

test_expect_success RSPEC,SIMPLECOV 'a Gemfile that does not resolve: its gemspec leaves no file loaded before SimpleCov, and no noise' '
	mkdir -p gs/lib/dtv gs/spec &&
	cat > gs/dtv.gemspec <<-\EOF &&
	require_relative "lib/dtv/version"
	warn "noise from the gemspec"
	Gem::Specification.new do |s|
	  s.name = "dtv"
	  s.version = Dtv::VERSION
	  s.summary = "x"
	  s.authors = ["x"]
	  s.files = `sh -c "echo noise from git ls-files >&2"`.split("\n")
	end
	EOF
	printf "source \"https://rubygems.org\"\ngemspec\ngem \"no-such-gem-for-distributest\"\n" > gs/Gemfile &&
	printf "module Dtv\n  VERSION = \"1.0\"\nend\n" > gs/lib/dtv/version.rb &&
	printf "require_relative \"dtv/version\"\nmodule Dtv\n  def self.hi = \"hi\"\nend\n" > gs/lib/dtv.rb &&
	printf "require \"simplecov\"\nSimpleCov.start { add_filter \"/spec/\" }\nrequire_relative \"../lib/dtv\"\n" > gs/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > gs/.rspec &&
	for n in 1 2 3; do
		printf "RSpec.describe(\"%s\") { it(\"x\") { sleep 0.2; expect(Dtv.hi).to eq(\"hi\") } }\n" $n > gs/spec/s${n}_spec.rb || return 1
	done &&
	(cd gs && rspec) > serial.out 2>&1 &&
	cover gs/coverage/.resultset.json gs > want &&
	test_grep "lib/dtv/version.rb 11-" want &&
	rm -rf gs/coverage &&
	(cd gs && distributest -j 2) > out 2>&1 &&
	test_grep "3 files, 3 examples, 0 failures" out &&
	! grep noise out gs/.distributest/log &&
	grep "Bundler not used: Gemfile does not resolve" gs/.distributest/log > said &&
	grep "	runner-up	" gs/.distributest/log > up &&
	test_line_count -eq "$(wc -l < up)" said &&
	cover gs/coverage/.resultset.json gs > got &&
	test_cmp want got
'

# $1: a project with SimpleCov, whose test file $2 is not filtered out;
# $3: the adapter; $4: a unit of the file. The adapter runs the file in
# two parts, $4 then the rest, as a runner given both parts of a split file
# does, and covers what one serial run of the file ($5) covers.
two_parts() {
	(cd "$1" && $5) > serial.out &&
	cover "$1/coverage/.resultset.json" "$1" > want &&
	rm -rf "$1/coverage" &&
	printf "run\t%s\tonly\t%s\nrun\t%s\texcept\t%s\n" "$2" "$4" "$2" "$4" > req &&
	(cd "$1" && "$3" < ../req 3> ../res > ../out) &&
	grep "^done	passed	" res > dones &&
	test_line_count -eq 2 dones &&
	cover "$1/coverage/.resultset.json" "$1" > got &&
	test_cmp want got
}

test_expect_success RSPEC,SIMPLECOV 'rspec: a runner given two parts of one file covers both, as one run of it' '
	project sp &&
	mkdir sp/spec &&
	printf "require \"simplecov\"\nSimpleCov.start { enable_coverage :branch }\nrequire_relative \"../lib/calc\"\n" > sp/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > sp/.rspec &&
	cat > sp/spec/calc_spec.rb <<-\EOF &&
	RSpec.describe "Calc" do
	  it "pos" do
	    n = 2
	    expect(Calc.sign(n)).to eq(:pos)
	  end
	  it "neg" do
	    n = -2
	    expect(Calc.sign(n)).to eq(:neg)
	  end
	end
	EOF
	two_parts sp spec/calc_spec.rb adapter-rspec 1:1 rspec &&
	test_grep "spec/calc_spec.rb 1111-111--" got
'

test_expect_success MINITEST,SIMPLECOV 'minitest: a runner given two parts of one file covers both, as one run of it' '
	project mp &&
	mkdir mp/test &&
	printf "require \"simplecov\"\nSimpleCov.start { enable_coverage :branch }\nrequire \"minitest/autorun\"\nrequire \"calc\"\n" > mp/test/test_helper.rb &&
	cat > mp/test/calc_test.rb <<-\EOF &&
	require "test_helper"
	class TC < Minitest::Test
	  def test_pos
	    n = 2
	    assert_equal :pos, Calc.sign(n)
	  end

	  def test_neg
	    n = -2
	    assert_equal :neg, Calc.sign(n)
	  end
	end
	EOF
	# The adapter loads the helper first, so the file is covered.
	printf "require \"test_helper\"\nrequire_relative \"test/calc_test\"\n" > mp/serial.rb &&
	two_parts mp test/calc_test.rb adapter-minitest "TC#test_pos" "ruby -Itest -Ilib serial.rb" &&
	test_grep "test/calc_test.rb 11111--111--" got
'

test_expect_success MINITEST,SIMPLECOV 'minitest: the merged coverage is that of ruby -Itest over every file' '
	project mt &&
	mkdir mt/test &&
	cat > mt/test/test_helper.rb <<-\EOF &&
	require "simplecov"
	SimpleCov.start do
	  enable_coverage :branch
	  add_filter "/test/"
	end
	require "minitest/autorun"
	require "calc"
	require "words"
	EOF
	while read -r name check; do
		printf "require \"test_helper\"\nclass T_%s < Minitest::Test\n  def test_it = assert(%s)\nend\n" "$name" "$check" > mt/test/${name}_test.rb || return 1
	done < cases &&
	(cd mt && ruby -Itest -Ilib -e "ARGV.each { |f| require File.expand_path(f) }" test/*_test.rb) > serial.out &&
	test_grep "6 runs, 6 assertions, 0 failures" serial.out &&
	cover mt/coverage/.resultset.json mt > want &&
	grep "^Coverage report generated" serial.out | sed "s/ to .*\. / /" > want.summary &&
	test_grep "for Unit Tests" want.summary &&
	rm -rf mt/coverage &&
	(cd mt && distributest -j 3) > out &&
	test_grep "6 files, 6 runs" out &&
	cover mt/coverage/.resultset.json mt > got &&
	test_cmp want got &&
	grep "^Coverage report generated" out | sed "s/ to .*\. / /" > got.summary &&
	test_cmp want.summary got.summary
'

test_expect_success MINITEST,SIMPLECOV 'minitest: code a file loads before the helper starts SimpleCov is named, with the file and the runner' '
	project mu &&
	mkdir mu/test &&
	printf "require \"simplecov\"\nSimpleCov.start { add_filter \"/test/\" }\nrequire \"minitest/autorun\"\n" > mu/test/helper.rb &&
	# the larger file, so the first run runs it first
	{
		printf "require \"calc\"\nrequire \"words\"\nrequire_relative \"helper\"\n" &&
		printf "class TA < Minitest::Test\n  def test_a = assert(Calc.sign(1) == :pos)\nend\n" &&
		printf "# %s\n" $(seq 1 200)
	} > mu/test/a_test.rb &&
	printf "require_relative \"helper\"\nrequire \"words\"\nclass TB < Minitest::Test\n  def test_b = assert(Words.shout(\"a\") == \"A!\")\nend\n" > mu/test/b_test.rb &&
	(cd mu && distributest -j 1) > out 2> err &&
	test_grep "2 files, 2 runs" out &&
	test_grep "merge-ruby: coverage: on local/1, test/a_test.rb loaded lib/calc.rb, lib/words.rb before SimpleCov started" err &&
	grep "lib/calc.rb" mu/.distributest/artifacts/local/1/coverage/.distributest.json &&
	{ ! grep "lib/calc.rb\|lib/words.rb" mu/coverage/.resultset.json; } &&
	printf "require_relative \"helper\"\nrequire \"calc\"\nclass TA < Minitest::Test\n  def test_a = assert(Calc.sign(1) == :pos)\nend\n" > mu/test/a_test.rb &&
	(cd mu && distributest -j 1) > out 2> err &&
	test_grep "2 files, 2 runs" out &&
	! grep "before SimpleCov" err &&
	cover mu/coverage/.resultset.json mu > got &&
	grep "^lib/calc.rb 1111" got &&
	test_grep "lib/words.rb 111--10--" got
'

# test-unit's project, marks in $TRASH/marks: Test::Unit.at_start and
# at_exit, and each class's shutdown, with the runner's id.
tu_project() {
	project "$1" &&
	mkdir "$1/test" &&
	cat > "$1/test/test_helper.rb" <<-EOF &&
	$2
	require "test/unit"
	require "calc"
	require "words"
	def mark(what) = File.open("$TRASH/marks", "a") { |f| f.puts "#{what} #{ENV["DT_RUNNER_ID"]}" }
	Test::Unit.at_start { mark("at_start") }
	Test::Unit.at_exit { mark("at_exit") }
	EOF
	while read -r name check; do
		printf "require \"test_helper\"\nclass T_%s < Test::Unit::TestCase\n  def self.shutdown = mark(\"shutdown\")\n  def test_it = assert(%s)\nend\n" "$name" "$check" > "$1/test/test_${name}.rb" || return 1
	done < cases
}

test_expect_success TEST_UNIT 'test-unit: at_start and at_exit once in every runner, shutdown once per class, as in one run' '
	tu_project tu "" &&
	rm -f marks &&
	(cd tu && ruby -Itest -Ilib -e "ARGV.each { |f| require File.expand_path(f) }" test/test_*.rb) > serial.out &&
	test_grep "6 tests, 6 assertions, 0 failures" serial.out &&
	cut -d" " -f1 marks | sort | uniq -c > want &&
	test_grep " 1 at_start" want && test_grep " 1 at_exit" want && test_grep " 6 shutdown" want &&
	rm -f marks &&
	(cd tu && distributest -j 3) > out &&
	test_grep "6 files, 6 tests" out &&
	grep "^shutdown " marks > shutdowns &&
	test_line_count -eq 6 shutdowns &&
	grep "^at_start " marks | sort > starts &&
	uniq -d starts > twice && test_line_count -eq 0 twice &&
	grep "^at_exit " marks | sed "s/^at_exit/at_start/" | sort > exits &&
	test_cmp starts exits &&
	cut -d" " -f2 shutdowns | sort -u > ran &&
	cut -d" " -f2 starts | sort > started &&
	comm -23 ran started > missing &&
	test_line_count -eq 0 missing
'

test_expect_success TEST_UNIT,SIMPLECOV 'test-unit, isolate = fork: the files'"'"' coverage from the forked children, hooks once per runner' '
	tu_project tf "require \"simplecov\"
	SimpleCov.start { enable_coverage :branch; add_filter \"/test/\" }" &&
	(cd tf && ruby -Itest -Ilib -e "ARGV.each { |f| require File.expand_path(f) }" test/test_*.rb) > serial.out &&
	cover tf/coverage/.resultset.json tf > want &&
	rm -rf tf/coverage marks &&
	mkdir tf/.distributest &&
	printf "[run]\nisolate = fork\n" > tf/.distributest/config &&
	(cd tf && distributest -j 2) > out &&
	test_grep "6 files, 6 tests" out &&
	cover tf/coverage/.resultset.json tf > got &&
	test_cmp want got &&
	grep "^at_start " marks | sort > starts &&
	uniq -d starts > twice && test_line_count -eq 0 twice &&
	grep "^at_exit " marks | sed "s/^at_exit/at_start/" | sort > exits &&
	test_cmp starts exits &&
	grep "^shutdown " marks > shutdowns &&
	test_line_count -eq 6 shutdowns
'

test_expect_success RSPEC,SIMPLECOV 'merge-ruby: two serial runs of some files each, in two trees, merge into the whole run' '
	rm -rf rs/coverage rs/.distributest &&
	cp -R rs one && cp -R rs two &&
	rm one/spec/pos_spec.rb one/spec/neg_spec.rb one/spec/a_spec.rb &&
	rm two/spec/b_spec.rb two/spec/shout_spec.rb two/spec/both_spec.rb &&
	(cd one && rspec) > /dev/null && (cd two && rspec) > /dev/null &&
	mkdir -p art/local/1 art/local/2 &&
	mv one/coverage art/local/1/ && mv two/coverage art/local/2/ &&
	printf "1\t%s\n2\t%s\n" "$(cd one && pwd -P)" "$(cd two && pwd -P)" > art/local/roots &&
	(cd rs && merge-ruby "$PWD" "$TRASH/art") > merge.out &&
	test_grep "Coverage report generated for RSpec to $(cd rs && pwd -P)/coverage" merge.out &&
	cover rs/coverage/.resultset.json rs > got &&
	test_cmp want.rspec got
'

test_expect_success 'merge-ruby: nothing came home: exit 0, silently; usage: 100' '
	mkdir -p empty/local/1 &&
	merge-ruby "$PWD" "$TRASH/empty" > out 2>&1 &&
	test_line_count -eq 0 out &&
	merge-ruby "$PWD" "$TRASH/none" > out 2>&1 &&
	test_line_count -eq 0 out &&
	test_expect_code 100 merge-ruby "$PWD" > out 2>&1 &&
	test_grep "merge-ruby: usage: " out
'

test_expect_success SIMPLECOV 'merge-ruby: a result that is not JSON: exit 1, saying which' '
	mkdir -p bad/local/1/coverage proj &&
	echo "{" > bad/local/1/coverage/.resultset.json &&
	test_expect_code 1 merge-ruby "$TRASH/proj" "$TRASH/bad" > out 2>&1 &&
	test_grep "merge-ruby: $TRASH/bad/local/1/coverage/.resultset.json: not JSON" out &&
	test ! -e proj/coverage/.resultset.json
'

test_done
