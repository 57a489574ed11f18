require "test_helper"

class SkipTest < Minitest::Test
  def test_not_yet
    skip "not implemented yet"
  end

  def test_runs
    assert_equal 2, Calculator.new.add(1, 1)
  end
end
