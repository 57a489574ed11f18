#!/bin/sh
test_description='the Ruby adapters: one result per test (unit STATUS, fail and pending IDs)'
. "$(dirname "$0")/test-lib.sh"

unset DT_ISOLATE DT_SEED SPEC_OPTS

# Runs the requests of file req with adapter $1 in project $2: results in
# res, output in out; it must exit 0.
adapter() {
	(cd "$2" && "$LIBEXEC/$1" < ../req 3> ../res > ../out 2>&1)
}

# The unit lines of results file $1 without SECONDS, sorted, as
# ID|STATUS|DESCRIPTION|LOCATION|NF.
results() {
	awk -F '\t' -v OFS='|' '$1 == "unit" { print $2, $4, $5, $6, NF }' "$1" | sort
}

# The fail lines of $1 without MESSAGE, sorted, as
# KIND|DESCRIPTION|LOCATION|RERUN|ID|NF (ID empty when there is none).
fails() {
	awk -F '\t' -v OFS='|' '$1 == "fail" { print $2, $3, $4, $6, $7, NF }' "$1" | sort
}

# The pending lines of $1, sorted, as DESCRIPTION|LOCATION|MESSAGE|ID|NF.
pendings() {
	awk -F '\t' -v OFS='|' '$1 == "pending" { print $2, $3, $4, $5, NF }' "$1" | sort
}

# Every ID of a fail or pending line of $1 is that of a unit line, with the
# same DESCRIPTION; there is at least one.
ids_known() {
	awk -F '\t' '
		$1 == "unit" { desc[$2] = $5 }
		$1 == "fail" && NF > 6 { said[$7] = $3; n++ }
		$1 == "pending" && NF > 4 { said[$5] = $2; n++ }
		END {
			for (id in said)
				if (!(id in desc) || desc[id] != said[id]) {
					print "no unit for " id ": " said[id]
					bad = 1
				}
			exit bad || !n
		}' "$1"
}

# The done lines of $1, blanks for tabs.
dones() {
	awk -F '\t' -v OFS=' ' '$1 == "done" { $1 = $1; print }' "$1"
}

# --- adapter-rspec ---------------------------------------------------------

test_expect_success RSPEC 'rspec: setup' '
	mkdir -p rs/spec &&
	cat > rs/spec/r_spec.rb <<-\EOF &&
	RSpec.describe "R" do
	  it("passes") { expect(1).to eq(1) }
	  it("fails") { expect(1).to eq(2) }
	  it("errs") { raise "boom" }
	  it("is pending") { pending("later"); raise "not yet" }
	  xit("is skipped") { }
	  context "ctx" do
	    before(:context) { raise "ctx boom" }
	    it("never runs") { }
	  end
	  after(:context) { raise "after boom" }
	end
	EOF
	cat > rs/spec/exit_spec.rb <<-\EOF &&
	RSpec.describe "E" do
	  it("passes") { }
	  it("exits") { exit 3 }
	end
	EOF
	printf "RSpec.describe \"B\" do\n  it(\"x\") {\n" > rs/spec/broken_spec.rb
'

test_expect_success RSPEC 'rspec: a unit line per example with its STATUS, DESCRIPTION and LOCATION' '
	ev run spec/r_spec.rb > req &&
	adapter adapter-rspec rs &&
	test "$(dones res)" = "done error 6 3 2 1" &&
	cat > want <<-\EOF &&
	1:1|passed|R passes|spec/r_spec.rb:2|6
	1:2|failed|R fails|spec/r_spec.rb:3|6
	1:3|failed|R errs|spec/r_spec.rb:4|6
	1:4|skipped|R is pending|spec/r_spec.rb:5|6
	1:5|skipped|R is skipped|spec/r_spec.rb:6|6
	1:6:1|error|R ctx never runs|spec/r_spec.rb:9|6
	EOF
	results res > got && test_cmp want got
'

test_expect_success RSPEC 'rspec: fail and pending lines end with their unit ID; an after(:context) error has none' '
	cat > want <<-\EOF &&
	error|An error occurred in an `after(:context)` hook.|spec/r_spec.rb:11|rspec ./spec/r_spec.rb||6
	error|R ctx never runs|spec/r_spec.rb:9|rspec ./spec/r_spec.rb:9|1:6:1|7
	failure|R errs|spec/r_spec.rb:4|rspec ./spec/r_spec.rb:4|1:3|7
	failure|R fails|spec/r_spec.rb:3|rspec ./spec/r_spec.rb:3|1:2|7
	EOF
	fails res > got && test_cmp want got &&
	cat > want <<-\EOF &&
	R is pending|spec/r_spec.rb:5|later\nRuntimeError: not yet|1:4|5
	R is skipped|spec/r_spec.rb:6|Temporarily skipped with xit|1:5|5
	EOF
	pendings res > got && test_cmp want got &&
	ids_known res
'

test_expect_success RSPEC 'rspec: the parts of a file give the same results' '
	ev run spec/r_spec.rb only 1:2 1:4 > req &&
	ev run spec/r_spec.rb except 1:2 1:4 >> req &&
	cp res whole &&
	adapter adapter-rspec rs &&
	results whole > want && results res > got && test_cmp want got &&
	ids_known res
'

test_expect_success RSPEC 'rspec: exit in an example has its ID; a file that does not load none' '
	ev run spec/exit_spec.rb > req &&
	ev run spec/broken_spec.rb >> req &&
	adapter adapter-rspec rs &&
	results res > got &&
	echo "1:1|passed|E passes|spec/exit_spec.rb:2|6" > want && test_cmp want got &&
	awk -F "\t" "\$1 == \"fail\" { print NF, \$7 }" res > got &&
	printf "%s\n" "7 1:2" "6 " > want && test_cmp want got
'

# --- adapter-minitest ------------------------------------------------------

test_expect_success MINITEST 'minitest: setup' '
	mkdir -p mt/test &&
	cat > mt/test/m_test.rb <<-\EOF &&
	require "minitest/autorun"
	class MTest < Minitest::Test
	  def test_passes; assert true; end
	  def test_fails; assert_equal 1, 2; end
	  def test_errs; raise "boom"; end
	  def test_skips; skip "later"; end
	  def test_teardown_fails; assert true; end
	  def teardown; raise "cannot clean up" if name == "test_teardown_fails"; end
	end
	describe "A spec" do
	  it("works") { _(1).must_equal 1 }
	end
	EOF
	cat > mt/test/exit_test.rb <<-\EOF &&
	require "minitest/autorun"
	class ExitTest < Minitest::Test
	  def test_exits; exit 3; end
	end
	EOF
	cat > mt/test/long_test.rb <<-\EOF &&
	require "minitest/autorun"
	class LongTest < Minitest::Test
	  define_method("test_" + "x" * 20_000) { assert_equal "a" * 40_000, "b" }
	end
	EOF
	echo "class Broken <" > mt/test/broken_test.rb &&
	cat > mt.units <<-\EOF &&
	A spec#test_0001_works|passed|A spec#test_0001_works|test/m_test.rb:11|6
	MTest#test_errs|error|MTest#test_errs|test/m_test.rb:5|6
	MTest#test_fails|failed|MTest#test_fails|test/m_test.rb:4|6
	MTest#test_passes|passed|MTest#test_passes|test/m_test.rb:3|6
	MTest#test_skips|skipped|MTest#test_skips|test/m_test.rb:6|6
	MTest#test_teardown_fails|error|MTest#test_teardown_fails|test/m_test.rb:7|6
	EOF
	cat > mt.fails <<-\EOF
	error|MTest#test_errs|test/m_test.rb:5|ruby -Itest -Ilib test/m_test.rb -n '"'"'/^test_errs$/'"'"'|MTest#test_errs|7
	error|MTest#test_teardown_fails|test/m_test.rb:8|ruby -Itest -Ilib test/m_test.rb -n '"'"'/^test_teardown_fails$/'"'"'|MTest#test_teardown_fails|7
	failure|MTest#test_fails|test/m_test.rb:4|ruby -Itest -Ilib test/m_test.rb -n '"'"'/^test_fails$/'"'"'|MTest#test_fails|7
	EOF
'

for isolate in none fork; do
	test_expect_success MINITEST "minitest, isolate $isolate: a unit line per test with its result, IDs on fail and pending" '
		ev run test/m_test.rb > req &&
		DT_ISOLATE=$isolate adapter adapter-minitest mt &&
		test "$(dones res)" = "done error 6 1 1 2" &&
		results res > got && test_cmp mt.units got &&
		fails res > got && test_cmp mt.fails got &&
		echo "MTest#test_skips|test/m_test.rb:6|later|MTest#test_skips|5" > want &&
		pendings res > got && test_cmp want got &&
		ids_known res
	'

	test_expect_success MINITEST "minitest, isolate $isolate: parts give the same results" '
		ev run test/m_test.rb only MTest#test_fails "A spec#test_0001_works" > req &&
		ev run test/m_test.rb except MTest#test_fails "A spec#test_0001_works" >> req &&
		DT_ISOLATE=$isolate adapter adapter-minitest mt &&
		results res > got && test_cmp mt.units got &&
		fails res > got && test_cmp mt.fails got &&
		ids_known res
	'

	test_expect_success MINITEST "minitest, isolate $isolate: exit in a test has its ID; a file that does not load none" '
		ev run test/exit_test.rb > req &&
		ev run test/broken_test.rb >> req &&
		DT_ISOLATE=$isolate adapter adapter-minitest mt &&
		! grep "^unit	" res &&
		awk -F "\t" "\$1 == \"fail\" { print NF, \$7 }" res > got &&
		printf "%s\n" "7 ExitTest#test_exits" "6 " > want && test_cmp want got
	'
done

test_expect_success MINITEST 'minitest: a forked worker that dies gives a fail line without ID' '
	echo "class DiesTest < Minitest::Test; def test_dies; exit! 4; end; end" > mt/test/dies_test.rb &&
	ev run test/dies_test.rb > req &&
	DT_ISOLATE=fork adapter adapter-minitest mt &&
	awk -F "\t" "\$1 == \"fail\" { print NF, \$2 }" res > got &&
	echo "6 error" > want && test_cmp want got
'

# A name too long for RERUN: the field is there, empty, before the ID,
# which is cut as in the unit line; the line stays within 65536 bytes.
test_expect_success MINITEST 'minitest: a fail line with long fields keeps an empty RERUN and fits a line' '
	ev run test/long_test.rb > req &&
	adapter adapter-minitest mt &&
	awk -F "\t" "\$1 == \"fail\" { print NF, \$6 == \"\", length(\$0) <= 65536 }" res > got &&
	echo "7 1 1" > want && test_cmp want got &&
	ids_known res
'

# --- adapter-test-unit -----------------------------------------------------

test_expect_success TEST_UNIT 'test-unit: setup' '
	mkdir -p tu/test &&
	cat > tu/test/u_test.rb <<-\EOF &&
	require "test/unit"
	class UTest < Test::Unit::TestCase
	  def test_passes; assert true; end
	  def test_fails; assert_equal 1, 2; end
	  def test_errs; raise "boom"; end
	  def test_omits; omit "later"; end
	  def test_pends; pend "soon"; end
	  data("small" => 1, "big" => 2)
	  def test_sum(n); assert_equal 1, n; end
	  test "described test" do
	    assert true
	  end
	  def test_pend_passes; pend("fixed?") { assert true }; end
	end
	class StartupTest < Test::Unit::TestCase
	  def self.startup; raise "no database"; end
	  def test_a; end
	end
	EOF
	cat > tu/test/exit_test.rb <<-\EOF &&
	require "test/unit"
	class ExitTest < Test::Unit::TestCase
	  def test_exits; exit 3; end
	end
	EOF
	cat > tu.units <<-\EOF &&
	StartupTest#test_a|passed|StartupTest#test_a|test/u_test.rb:17|6
	UTest#test: described test|passed|UTest#test: described test|test/u_test.rb:10|6
	UTest#test_errs|error|UTest#test_errs|test/u_test.rb:5|6
	UTest#test_fails|failed|UTest#test_fails|test/u_test.rb:4|6
	UTest#test_omits|skipped|UTest#test_omits|test/u_test.rb:6|6
	UTest#test_passes|passed|UTest#test_passes|test/u_test.rb:3|6
	UTest#test_pend_passes|failed|UTest#test_pend_passes|test/u_test.rb:13|6
	UTest#test_pends|skipped|UTest#test_pends|test/u_test.rb:7|6
	UTest#test_sum[big]|failed|UTest#test_sum[big]|test/u_test.rb:9|6
	UTest#test_sum[small]|passed|UTest#test_sum[small]|test/u_test.rb:9|6
	EOF
	cat > tu.pendings <<-\EOF
	UTest#test_omits|test/u_test.rb:6|later|UTest#test_omits|5
	UTest#test_pends|test/u_test.rb:7|soon|UTest#test_pends|5
	EOF
'

for isolate in none fork; do
	test_expect_success TEST_UNIT "test-unit, isolate $isolate: a unit line per test with its result, IDs on fail and pending" '
		ev run test/u_test.rb > req &&
		DT_ISOLATE=$isolate adapter adapter-test-unit tu &&
		test "$(dones res)" = "done error 10 3 2 2" &&
		results res > got && test_cmp tu.units got &&
		pendings res > got && test_cmp tu.pendings got &&
		awk -F "\t" "\$1 == \"fail\" { print \$2, \$3, NF, \$7 }" res | sort > got &&
		cat > want <<-\EOF &&
		error StartupTest 6 
		error UTest#test_errs 7 UTest#test_errs
		failure UTest#test_fails 7 UTest#test_fails
		failure UTest#test_pend_passes 7 UTest#test_pend_passes
		failure UTest#test_sum[big] 7 UTest#test_sum[big]
		EOF
		test_cmp want got &&
		ids_known res
	'
done

test_expect_success TEST_UNIT 'test-unit: parts give the same results' '
	ev run test/u_test.rb only UTest#test_fails "UTest#test_sum[big]" UTest#test_omits > req &&
	ev run test/u_test.rb except UTest#test_fails "UTest#test_sum[big]" UTest#test_omits >> req &&
	adapter adapter-test-unit tu &&
	results res > got && test_cmp tu.units got &&
	pendings res > got && test_cmp tu.pendings got &&
	ids_known res
'

test_expect_success TEST_UNIT 'test-unit: exit in a test has its ID' '
	ev run test/exit_test.rb > req &&
	adapter adapter-test-unit tu &&
	! grep "^unit	" res &&
	awk -F "\t" "\$1 == \"fail\" { print NF, \$7 }" res > got &&
	echo "7 ExitTest#test_exits" > want && test_cmp want got
'

test_expect_success 'no processes left behind' '
	test_no_leftovers
'

test_done
