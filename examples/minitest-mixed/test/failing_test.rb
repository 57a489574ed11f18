require "test_helper"

# Two failed assertions and a passing test.
class FailingTest < Minitest::Test
  def test_wrong_sum
    assert_equal 5, Calculator.new.add(2, 2)
  end

  def test_refuted
    refute_nil Calculator.new, "a calculator is never nil"
  end

  def test_flunks
    flunk "this test always fails"
  end
end
