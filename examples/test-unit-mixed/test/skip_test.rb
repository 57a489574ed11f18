require "test_helper"

# An omission and a pending test: both count as pending.
class SkipTest < Test::Unit::TestCase
  def test_omitted
    omit "not on this platform"
  end

  def test_pending
    pend "not implemented yet"
  end

  def test_runs
    assert_equal 2, Calculator.new.add(1, 1)
  end
end
