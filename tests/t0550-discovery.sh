#!/bin/sh
test_description='with no tests setting, the framework'"'"'s own rules decide the files, as its plain run in the project root would'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq BUNDLER 'ruby -e "require %q(bundler)" 2>/dev/null'

# Each case: the plain command's totals, then distributest's, in one project.
# The files a run takes are the "test" lines of its dry run.
planned() {
	distributest -d -S "$@" |
	awk '$1 ~ /^[0-9]+$/ && ($2 == "?" || $2 ~ /^[0-9.]+s[?]?$/) { print $NF }' |
	sort
}

test_expect_success RSPEC '.rspec with --default-path, --pattern and --exclude-pattern' '
	mkdir -p rs/checks/slow rs/spec &&
	printf "RSpec.describe(\"a\") { it(\"x\") {}; it(\"y\") {} }\n" > rs/checks/a_check.rb &&
	printf "RSpec.describe(\"b\") { it(\"x\") {} }\n" > rs/checks/slow/b_check.rb &&
	printf "RSpec.describe(\"c\") { it(\"x\") {} }\n" > rs/checks/c_check.rb &&
	printf "RSpec.describe(\"s\") { it(\"x\") {} }\n" > rs/spec/s_spec.rb &&
	printf "%s\n" "--default-path checks" "--pattern **/*_check.rb" \
	    "--exclude-pattern **/slow/*" > rs/.rspec &&
	(cd rs && rspec > ../plain) &&
	test_grep "3 examples, 0 failures" plain &&
	(cd rs && planned) > got &&
	printf "%s\n" checks/a_check.rb checks/c_check.rb > want &&
	test_cmp want got &&
	(cd rs && distributest -j 2) > out &&
	test_grep "2 files, 3 examples, 0 failures" out
'

test_expect_success RSPEC 'SPEC_OPTS and a directory argument, as rspec takes them' '
	(cd rs && SPEC_OPTS="--exclude-pattern **/c_*" rspec checks > ../plain) &&
	test_grep "3 examples" plain &&
	(cd rs && SPEC_OPTS="--exclude-pattern **/c_*" planned checks) > got &&
	printf "%s\n" checks/a_check.rb checks/slow/b_check.rb > want &&
	test_cmp want got
'

test_expect_success RSPEC 'a --require file is not loaded to list the files' '
	mkdir -p rq/spec &&
	printf "RSpec.describe(\"a\") { it(\"x\") {} }\n" > rq/spec/a_spec.rb &&
	printf "File.write(%s, %s)\n" "\"$TRASH/required\"" "\"yes\"" > rq/spec/spec_helper.rb &&
	printf "%s\n" "--require spec_helper" > rq/.rspec &&
	(cd rq && planned) > got &&
	echo spec/a_spec.rb > want &&
	test_cmp want got &&
	! test -e required
'

test_expect_success PYTEST 'pytest: testpaths, python_files and norecursedirs' '
	mkdir -p py/tests/sub py/tests/bench py/other &&
	printf "def test_a(): pass\ndef test_b(): pass\n" > py/tests/test_a.py &&
	printf "def test_c(): pass\n" > py/tests/sub/check_c.py &&
	printf "def test_d(): pass\n" > py/tests/bench/test_d.py &&
	printf "def test_e(): pass\n" > py/other/test_e.py &&
	printf "[pytest]\ntestpaths = tests\npython_files = test_*.py check_*.py\nnorecursedirs = bench\n" > py/pytest.ini &&
	(cd py && /usr/bin/pytest -q -p no:cacheprovider > ../plain) &&
	test_grep "3 passed" plain &&
	(cd py && planned) > got &&
	printf "%s\n" tests/sub/check_c.py tests/test_a.py > want &&
	test_cmp want got &&
	(cd py && distributest -j 2) > out &&
	test_grep "2 files, 3 passed in" out
'

test_expect_success PYTEST 'pytest: --ignore and collect_ignore in a conftest.py' '
	printf "collect_ignore = [\"sub\"]\n" > py/tests/conftest.py &&
	(cd py && /usr/bin/pytest -q -p no:cacheprovider > ../plain) &&
	test_grep "2 passed" plain &&
	(cd py && planned) > got &&
	echo tests/test_a.py > want &&
	test_cmp want got &&
	rm py/tests/conftest.py &&
	(cd py && planned -- --ignore=tests/sub) > got &&
	test_cmp want got
'

test_expect_success PYTEST 'pytest: tests inside the package, and no root tests/ nor pytest.ini' '
	mkdir -p pk/pkg/tests &&
	: > pk/pkg/__init__.py && : > pk/pkg/tests/__init__.py &&
	printf "def twice(x):\n    return 2 * x\n" > pk/pkg/core.py &&
	printf "from pkg.core import twice\ndef test_twice(): assert twice(2) == 4\n" > pk/pkg/tests/test_core.py &&
	(cd pk && /usr/bin/pytest -q -p no:cacheprovider > ../plain) &&
	test_grep "1 passed" plain &&
	(cd pk && distributest --print-config) > config &&
	test_grep "detected: test_*.py files exist" config &&
	(cd pk && distributest -j 2) > out &&
	test_grep "1 file, 1 passed in" out
'

test_expect_success PYTEST 'pytest: a framework argument it refuses ends the run with its message' '
	(cd py && test_expect_code 100 distributest -- --no-such-option) 2> err &&
	test_grep "no-such-option" err
'

make_minitest() {
	mkdir -p "$1" &&
	printf "require \"minitest/autorun\"\nclass T%s < Minitest::Test\n  def test_one; assert true; end\n  def test_two; assert true; end\nend\n" "$3" > "$1/$2"
}

test_expect_success MINITEST 'minitest: test/spec_*.rb and test_*.rb, but not test_helper.rb' '
	make_minitest mt/test spec_a.rb A &&
	make_minitest mt/test/unit b_test.rb B &&
	make_minitest mt/test test_c.rb C &&
	printf "require \"minitest/autorun\"\n" > mt/test/test_helper.rb &&
	(cd mt && planned) > got &&
	printf "%s\n" test/spec_a.rb test/test_c.rb test/unit/b_test.rb > want &&
	test_cmp want got &&
	(cd mt && ruby -Itest -e "ARGV.each { |f| require File.expand_path(f) }" test/spec_a.rb test/test_c.rb test/unit/b_test.rb > ../plain) &&
	test_grep "6 runs, 6 assertions, 0 failures, 0 errors, 0 skips" plain &&
	(cd mt && distributest -j 2) > out &&
	test_grep "3 files, 6 runs, 6 assertions, 0 failures, 0 errors, 0 skips in" out
'

test_expect_success MINITEST 'minitest: the Rakefile'"'"'s TestTask decides, as rake test would' '
	cat > mt/Rakefile <<-\EOF &&
	require "rake/testtask"
	Rake::TestTask.new(:test) { |t| t.pattern = "test/unit/*_test.rb" }
	task default: :test
	EOF
	(cd mt && rake test > ../plain 2>&1) &&
	test_grep "2 runs, 2 assertions" plain &&
	(cd mt && planned) > got &&
	echo test/unit/b_test.rb > want &&
	test_cmp want got
'

test_expect_success MINITEST 'minitest: a Rakefile that does not load leaves the conventions, said so' '
	printf "require \"no/such/library\"\nRake::TestTask.new\n" > mt/Rakefile &&
	(cd mt && planned) > got 2> err &&
	printf "%s\n" test/spec_a.rb test/test_c.rb test/unit/b_test.rb > want &&
	test_cmp want got &&
	test_grep "Rakefile: cannot load it" err
'

test_expect_success MINITEST 'minitest specs under spec/ are minitest'"'"'s, not RSpec'"'"'s' '
	mkdir -p ms/spec &&
	printf "require \"minitest/autorun\"\ndescribe \"a\" do\n  it(\"x\") { _(1).must_equal 1 }\nend\n" > ms/spec/a_spec.rb &&
	(cd ms && distributest --print-config) > config &&
	test_grep "framework = minitest	; default, detected: spec/ exists and its files load minitest" config &&
	(cd ms && distributest -j 1) > out &&
	test_grep "1 file, 1 runs, 1 assertions, 0 failures, 0 errors, 0 skips in" out
'

test_expect_success TEST_UNIT 'test-unit is told from what test/ loads, with no configuration' '
	mkdir -p tu/test &&
	printf "require \"test/unit\"\nclass TU < Test::Unit::TestCase\n  def test_one; assert true; end\nend\n" > tu/test/test_one.rb &&
	(cd tu && ruby -Itest test/test_one.rb > ../plain) &&
	test_grep "1 tests, 1 assertions" plain &&
	(cd tu && distributest --print-config) > config &&
	test_grep "framework = test-unit	; default, detected: test/ exists and its files load test-unit" config &&
	printf "# not minitest/autorun\nX = %s\n" "\"require \\\"minitest/autorun\\\"\"" > tu/test/support.rb &&
	(cd tu && distributest --print-config) > config &&
	test_grep "framework = test-unit	; default, detected: test/ exists and its files load test-unit" config &&
	cat > tu/test/support.rb <<-\EOF &&
	File.write "a_test.rb", <<~A_TEST
	  require "minitest/autorun"
	  class ExitTaskTest < Minitest::Test
	  end
	A_TEST
	X = <<-"EOS"
	    require "minitest"
	    EOS
	EOF
	(cd tu && distributest --print-config) > config &&
	test_grep "framework = test-unit	; default, detected: test/ exists and its files load test-unit" config &&
	printf "X = <<~EOS\nEOS\n  require( %s )\n" "\"minitest/autorun\"" > tu/test/support.rb &&
	(cd tu && distributest --print-config) > config &&
	test_grep "framework = minitest	; default, detected: test/ exists" config &&
	rm tu/test/support.rb &&
	(cd tu && distributest -j 1) > out &&
	test_grep "1 file, 1 tests, 1 assertions, 0 failures, 0 errors, 0 pendings, 0 omissions, 0 notifications in" out
'

test_expect_success RSPEC 'a tests setting still decides alone' '
	printf "[run]\ntests = spec/**/*_spec.rb\n" > tests.conf &&
	(cd rs && planned -c ../tests.conf) > got &&
	echo spec/s_spec.rb > want &&
	test_cmp want got
'

test_expect_success RSPEC 'a .rspec alone says RSpec; a pattern RSpec also applies to the cwd runs each file once' '
	mkdir -p mm/one/spec mm/two/spec &&
	printf "RSpec.describe(\"a\") { it(\"x\") {} }\n" > mm/one/spec/a_spec.rb &&
	printf "RSpec.describe(\"b\") { it(\"y\") {}; it(\"z\") {} }\n" > mm/two/spec/b_spec.rb &&
	printf "%s\n" "-P */spec/**_spec.rb" "--default-path ." > mm/.rspec &&
	(cd mm && rspec > ../plain) &&
	test_grep "3 examples, 0 failures" plain &&
	(cd mm && distributest --print-config) > config &&
	test_grep "detected: .rspec exists" config &&
	(cd mm && planned) > got &&
	printf "%s\n" one/spec/a_spec.rb two/spec/b_spec.rb > want &&
	test_cmp want got &&
	(cd mm && distributest -j 2) > out &&
	test_grep "2 files, 3 examples, 0 failures" out
'

test_expect_success MINITEST 'minitest: a TestTask in rakelib/ decides too; spec_helper.rb is no test file' '
	make_minitest rl/test/unit a_test.rb A &&
	make_minitest rl/test/integration b_test.rb B &&
	mkdir -p rl/rakelib &&
	printf "require \"rake/testtask\"\nRake::TestTask.new(:test) { |t| t.pattern = \"test/unit/*_test.rb\" }\n" > rl/rakelib/test.rake &&
	echo "task default: :test" > rl/Rakefile &&
	(cd rl && planned) > got &&
	echo test/unit/a_test.rb > want &&
	test_cmp want got &&
	make_minitest sh/spec a_spec.rb A &&
	printf "require \"minitest/autorun\"\n" > sh/spec/spec_helper.rb &&
	(cd sh && planned) > got &&
	echo spec/a_spec.rb > want &&
	test_cmp want got
'

test_expect_success MINITEST,BUNDLER 'listing the files writes no Gemfile.lock' '
	make_minitest gl/test a_test.rb A &&
	printf "source \"https://rubygems.org\"\ngem \"minitest\"\n" > gl/Gemfile &&
	(cd gl && planned) > got &&
	echo test/a_test.rb > want &&
	test_cmp want got &&
	! test -e gl/Gemfile.lock
'

test_expect_success MINITEST,RSPEC,BUNDLER 'a Gemfile that resolves without rake or rspec-core: the finders leave it, as the runners do' '
	make_minitest gb/test check_a.rb A &&
	make_minitest gb/test b_test.rb B &&
	printf "require \"rake/testtask\"\nRake::TestTask.new(:test) { |t| t.pattern = \"test/**/check_*.rb\" }\n" > gb/Rakefile &&
	: > gb/Gemfile && (cd gb && ruby -e "require %q(bundler/setup)") && test -e gb/Gemfile.lock &&
	(cd gb && planned) > got 2> err &&
	echo test/check_a.rb > want && test_cmp want got &&
	test_must_fail grep "cannot load" err &&
	mkdir -p gr/spec gr/checks && : > gr/Gemfile && cp gb/Gemfile.lock gr/ &&
	printf "RSpec.describe(1) { it(\"a\") { } }\n" > gr/checks/a_check.rb &&
	cp gr/checks/a_check.rb gr/spec/b_spec.rb &&
	printf -- "--default-path checks --pattern checks/*_check.rb\n" > gr/.rspec &&
	(cd gr && planned) > got 2> err &&
	echo checks/a_check.rb > want && test_cmp want got &&
	test_must_fail grep "cannot load" err
'

test_expect_success PYTEST 'pytest: the files are listed by the runners'"'"' interpreter, the project'"'"'s .venv' '
	mkdir -p pv/tests &&
	/usr/bin/python3 -m venv --without-pip --system-site-packages pv/.venv &&
	site=$(pv/.venv/bin/python -c "import sysconfig; print(sysconfig.get_path(\"purelib\"))") &&
	echo "WHERE = 1" > "$site/onlyvenv.py" &&
	echo "import onlyvenv" > pv/conftest.py &&
	printf "[pytest]\npython_files = check_*.py\n" > pv/pytest.ini &&
	printf "def test_a(): pass\n" > pv/tests/check_a.py &&
	printf "def test_b(): pass\n" > pv/tests/test_b.py &&
	(cd pv && .venv/bin/python -m pytest -q -p no:cacheprovider > ../plain) &&
	test_grep "1 passed" plain &&
	(cd pv && planned) > got 2> err &&
	echo tests/check_a.py > want &&
	test_cmp want got &&
	! grep "patterns decide" err
'

test_done
