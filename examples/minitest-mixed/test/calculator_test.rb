require "test_helper"

class CalculatorTest < Minitest::Test
  def setup
    @calculator = Calculator.new
  end

  def test_adds
    assert_equal 4, @calculator.add(2, 2)
  end

  def test_adds_negatives
    assert_equal(-1, @calculator.add(1, -2))
  end

  def test_divides
    assert_equal 3, @calculator.divide(9, 3)
  end
end
