#!/bin/sh
test_description='the Ruby adapters: unit lines, and run PATH only/except ID... for parts of a file'
. "$(dirname "$0")/test-lib.sh"

# The IDs of the unit lines of results file $1, sorted.
units() {
	awk -F '\t' '$1 == "unit" { print $2 }' "$1" | sort
}

# Every unit line of results file $1 has an ID and SECONDS as a decimal
# number, and there is at least one.
units_timed() {
	awk -F '\t' '
		$1 != "unit" { next }
		{ n++ }
		(NF != 3 && NF != 6) || $2 == "" || $3 !~ /^[0-9]+(\.[0-9]+)?$/ { print "bad: " $0; bad = 1 }
		END { exit bad || !n }' "$1"
}

# The SECONDS of unit $2 in results file $1 are at least $3.
unit_took() {
	awk -F '\t' -v id="$2" -v min="$3" '
		$1 == "unit" && $2 == id && $3 + 0 >= min + 0 { ok = 1 }
		END { exit !ok }' "$1"
}

# The done lines of results file $1, blanks for tabs.
dones() {
	awk -F '\t' -v OFS=' ' '$1 == "done" { $1 = $1; print }' "$1"
}

# RERUN of the fail line of results file $1 whose DESCRIPTION is $2.
rerun_of() {
	awk -F '\t' -v d="$2" '$1 == "fail" && $3 == d { print $6; exit }' "$1"
}

# The unit IDs of results file $1 written after its first done line.
units_after_first() {
	awk -F '\t' 'seen && $1 == "unit" { print $2 } $1 == "done" { seen = 1 }' "$1" | sort
}

# Runs the requests of file req with adapter $AD in project $DIR, and
# arguments "$@"; results in res, output in out.
run_adapter() {
	(cd "$DIR" && "$AD" "$@" < ../req 3> ../res > ../out 2>&1)
}

# The tests of every adapter, with:
#   DIR     the project, AD the adapter
#   FILE    the test file; $DIR.all its unit IDs, sorted
#   ID1 ID2 two of them: the failing one and another, which passes
#   REST    the done line of the others (FILE except ID1 ID2)
#   SLOW    a unit that sleeps 0.2 s
#   OTHER   another test file, whose unit IDs are in $DIR.other, and which
#           passes with 3 examples
#   FAILED  DESCRIPTION of ID1's fail line
split_tests() {
	fw=$1
	prereq=$2

	test_expect_success "$prereq" "$fw: a whole file writes one unit line per example, with its time" '
		ev run "$FILE" > req &&
		run_adapter &&
		test "$(dones res)" = "done failed 5 1 1 0" &&
		units res > got && test_cmp "$DIR.all" got &&
		units_timed res &&
		unit_took res "$SLOW" 0.2 &&
		! unit_took res "$ID1" 0.2 &&
		rerun_of res "$FAILED" > whole.rerun &&
		test -s whole.rerun
	'

	test_expect_success "$prereq" "$fw: only ID1 ID2 runs exactly those two" '
		ev run "$FILE" only "$ID1" "$ID2" > req &&
		run_adapter &&
		test "$(dones res)" = "done failed 2 1 0 0" &&
		units res > got &&
		printf "%s\n" "$ID1" "$ID2" | sort > want && test_cmp want got &&
		units_timed res &&
		grep "^fail	" res > fails &&
		test_line_count = 1 fails &&
		! grep "^pending	" res &&
		units res > only.units
	'

	test_expect_success "$prereq" "$fw: a failure in a part has the RERUN of the whole file run" '
		rerun_of res "$FAILED" > part.rerun &&
		test_cmp whole.rerun part.rerun
	'

	test_expect_success "$prereq" "$fw: except ID1 ID2 runs exactly the others" '
		ev run "$FILE" except "$ID1" "$ID2" > req &&
		run_adapter &&
		test "$(dones res)" = "$REST" &&
		units res > got &&
		printf "%s\n" "$ID1" "$ID2" | sort | comm -23 "$DIR.all" - > want &&
		test_cmp want got &&
		! grep "^fail	" res &&
		units res > except.units
	'

	test_expect_success "$prereq" "$fw: only and except over the same IDs run every example once" '
		sort only.units except.units > got &&
		test_cmp "$DIR.all" got
	'

	test_expect_success "$prereq" "$fw: IDs that do not exist are ignored" '
		ev run "$FILE" only "$ID2" "no such unit" > req &&
		ev run "$FILE" only "no such unit" >> req &&
		ev run "$FILE" only >> req &&
		ev run "$FILE" except "no such unit" >> req &&
		run_adapter &&
		printf "%s\n" "done passed 1 0 0 0" "done passed 0 0 0 0" \
		    "done passed 0 0 0 0" "done failed 5 1 1 0" > want &&
		dones res > got && test_cmp want got
	'

	test_expect_success "$prereq" "$fw: a part leaves no filter behind for the next file" '
		ev run "$FILE" only "$ID2" > req &&
		ev run "$OTHER" >> req &&
		run_adapter &&
		printf "%s\n" "done passed 1 0 0 0" "done passed 3 0 0 0" > want &&
		dones res > got && test_cmp want got &&
		units_after_first res > got && test_cmp "$DIR.other" got &&
		ev run "$FILE" except "$ID1" "$ID2" > req &&
		ev run "$OTHER" >> req &&
		run_adapter &&
		printf "%s\n" "$REST" "done passed 3 0 0 0" > want &&
		dones res > got && test_cmp want got
	'

	test_expect_success "$prereq" "$fw: the parts of a file, then the whole, in one adapter" '
		ev run "$FILE" only "$ID1" "$ID2" > req &&
		ev run "$FILE" except "$ID1" "$ID2" >> req &&
		ev run "$FILE" >> req &&
		run_adapter &&
		printf "%s\n" "done failed 2 1 0 0" "$REST" "done failed 5 1 1 0" > want &&
		dones res > got && test_cmp want got &&
		units res | uniq -c | awk "\$1 != 2" > not-twice &&
		test_cmp /dev/null not-twice &&
		units res | uniq > got && test_cmp "$DIR.all" got
	'

	test_expect_success "$prereq" "$fw: a run with a third field other than only or except is malformed" '
		ev run "$FILE" some "$ID1" > req &&
		test_expect_code 101 run_adapter &&
		test_grep "run takes PATH [only|except ID...]" out
	'
}

# --- adapter-rspec ---------------------------------------------------------

test_expect_success RSPEC 'rspec: setup' '
	mkdir -p rs/spec &&
	cat > rs/spec/split_spec.rb <<-\EOF &&
	RSpec.describe "Split" do
	  it("adds") { expect(1 + 1).to eq(2) }
	  it("fails") { expect(1).to eq(2) }
	  it("is pending") { pending("later"); raise "not yet" }
	  context "nested" do
	    before(:context) { puts "before nested" }
	    it("multiplies") { expect(2 * 2).to eq(4) }
	    it("divides") { sleep 0.2; expect(4 / 2).to eq(2) }
	  end
	end
	EOF
	cat > rs/spec/other_spec.rb <<-\EOF &&
	RSpec.describe "Other" do
	  it("a") { }
	  it("b") { }
	  it("c") { }
	end
	EOF
	printf "%s\n" 1:1 1:2 1:3 1:4:1 1:4:2 > rs.all &&
	printf "%s\n" 1:1 1:2 1:3 > rs.other
'

DIR=rs AD=adapter-rspec FILE=spec/split_spec.rb OTHER=spec/other_spec.rb
ID1=1:2 ID2=1:4:1 SLOW=1:4:2 REST="done passed 3 0 1 0" FAILED="Split fails"
split_tests rspec RSPEC

test_expect_success RSPEC 'rspec: an ID selects as in rspec FILE[ID], a group its examples' '
	ev run spec/split_spec.rb only 1:4 > req &&
	run_adapter &&
	test "$(dones res)" = "done passed 2 0 0 0" &&
	units res > got && printf "%s\n" 1:4:1 1:4:2 > want && test_cmp want got &&
	ev run spec/split_spec.rb except 1:4 > req &&
	run_adapter &&
	test "$(dones res)" = "done failed 3 1 1 0" &&
	(cd rs && rspec "spec/split_spec.rb[1:4]" > ../direct 2>&1 || :) &&
	test_grep "2 examples, 0 failures" direct
'

test_expect_success RSPEC 'rspec: before(:context) runs in each part with examples under it' '
	ev run spec/split_spec.rb only 1:1 > req &&
	ev run spec/split_spec.rb only 1:4:1 >> req &&
	ev run spec/split_spec.rb except 1:4:1 >> req &&
	run_adapter &&
	grep "^before nested$" out > befores &&
	test_line_count = 2 befores &&
	ev run spec/split_spec.rb only 1:1 > req &&
	run_adapter &&
	! grep "before nested" out
'

# rspec -e drops the ids of FILE[ID] and FILE[ID] overrides --tag: the
# parts are taken from what the arguments select, or they would overlap.
test_expect_success RSPEC 'rspec: with -e, the parts still add up to the whole file' '
	ev run spec/split_spec.rb > req &&
	ev run spec/split_spec.rb only 1:2 1:4:1 >> req &&
	ev run spec/split_spec.rb except 1:2 1:4:1 >> req &&
	run_adapter -e nested &&
	printf "%s\n" "done passed 2 0 0 0" "done passed 1 0 0 0" "done passed 1 0 0 0" > want &&
	dones res > got && test_cmp want got &&
	units res > got && printf "%s\n" 1:4:1 1:4:1 1:4:2 1:4:2 > want && test_cmp want got
'

# --- adapter-minitest, adapter-test-unit -----------------------------------

test_expect_success MINITEST 'minitest: setup' '
	mkdir -p mt/test &&
	cat > mt/test/split_test.rb <<-\EOF &&
	require "minitest/autorun"
	class SplitTest < Minitest::Test
	  def test_adds; assert_equal 2, 1 + 1; end
	  def test_fails; assert_equal 1, 2; end
	  def test_skips; skip "later"; end
	  def test_multiplies; assert_equal 4, 2 * 2; end
	  def test_divides; sleep 0.2; assert_equal 2, 4 / 2; end
	end
	EOF
	cat > mt/test/other_test.rb <<-\EOF &&
	require "minitest/autorun"
	describe "An other" do
	  it("a") { }
	  it("b") { }
	  it("c") { }
	end
	EOF
	printf "%s\n" SplitTest#test_adds SplitTest#test_fails SplitTest#test_skips \
	    SplitTest#test_multiplies SplitTest#test_divides | sort > mt.all &&
	printf "%s\n" "An other#test_0001_a" "An other#test_0002_b" "An other#test_0003_c" > mt.other
'

DIR=mt AD=$LIBEXEC/adapter-minitest FILE=test/split_test.rb OTHER=test/other_test.rb
ID1=SplitTest#test_fails ID2=SplitTest#test_multiplies SLOW=SplitTest#test_divides
REST="done passed 3 0 1 0" FAILED=SplitTest#test_fails
split_tests minitest MINITEST

test_expect_success MINITEST 'minitest: IDs with blanks, and parts forked with DT_ISOLATE=fork' '
	ev run test/other_test.rb only "An other#test_0002_b" > req &&
	ev run test/split_test.rb only "$ID1" "$ID2" >> req &&
	ev run test/split_test.rb except "$ID1" "$ID2" >> req &&
	DT_ISOLATE=fork run_adapter &&
	printf "%s\n" "done passed 1 0 0 0" "done failed 2 1 0 0" "$REST" > want &&
	dones res > got && test_cmp want got &&
	units res > got && sort mt.all > want &&
	echo "An other#test_0002_b" >> want && sort want > want.s &&
	test_cmp want.s got
'

test_expect_success MINITEST 'minitest: a part is taken from what -n selects' '
	ev run test/split_test.rb only "$ID1" "$ID2" > req &&
	ev run test/split_test.rb except "$ID1" "$ID2" >> req &&
	run_adapter -n "/multiplies|adds/" &&
	printf "%s\n" "done passed 1 0 0 0" "done passed 1 0 0 0" > want &&
	dones res > got && test_cmp want got &&
	units res > got && printf "%s\n" SplitTest#test_adds SplitTest#test_multiplies > want &&
	test_cmp want got
'

test_expect_success TEST_UNIT 'test-unit: setup' '
	mkdir -p tu/test &&
	cat > tu/test/split_test.rb <<-\EOF &&
	require "test/unit"
	class SplitTest < Test::Unit::TestCase
	  def test_adds; assert_equal 2, 1 + 1; end
	  def test_fails; assert_equal 1, 2; end
	  def test_omits; omit "later"; end
	  def test_multiplies; assert_equal 4, 2 * 2; end
	  def test_divides; sleep 0.2; assert_equal 2, 4 / 2; end
	end
	EOF
	cat > tu/test/other_test.rb <<-\EOF &&
	require "test/unit"
	class OtherTest < Test::Unit::TestCase
	  def test_a; end
	  data("small" => 1, "big" => 2)
	  def test_sum(n); assert n; end
	end
	EOF
	printf "%s\n" SplitTest#test_adds SplitTest#test_fails SplitTest#test_omits \
	    SplitTest#test_multiplies SplitTest#test_divides | sort > tu.all &&
	printf "%s\n" "OtherTest#test_a" "OtherTest#test_sum[big]" "OtherTest#test_sum[small]" > tu.other
'

DIR=tu AD=$LIBEXEC/adapter-test-unit FILE=test/split_test.rb OTHER=test/other_test.rb
ID1=SplitTest#test_fails ID2=SplitTest#test_multiplies SLOW=SplitTest#test_divides
REST="done passed 3 0 1 0" FAILED=SplitTest#test_fails
split_tests test-unit TEST_UNIT

test_expect_success TEST_UNIT 'test-unit: each data set is a unit; parts forked with DT_ISOLATE=fork' '
	ev run test/other_test.rb only "OtherTest#test_sum[big]" > req &&
	ev run test/other_test.rb except "OtherTest#test_sum[big]" >> req &&
	ev run test/split_test.rb only "$ID1" "$ID2" >> req &&
	ev run test/split_test.rb except "$ID1" "$ID2" >> req &&
	DT_ISOLATE=fork run_adapter &&
	printf "%s\n" "done passed 1 0 0 0" "done passed 2 0 0 0" \
	    "done failed 2 1 0 0" "$REST" > want &&
	dones res > got && test_cmp want got &&
	units res > got && sort tu.all tu.other > want && test_cmp want got
'

test_expect_success 'no processes left behind' '
	test_no_leftovers
'

test_done
