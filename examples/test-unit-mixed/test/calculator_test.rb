require "test_helper"

class CalculatorTest < Test::Unit::TestCase
  def setup
    @calculator = Calculator.new
  end

  def test_adds
    assert_equal 4, @calculator.add(2, 2)
  end

  def test_adds_negatives
    assert_equal(-1, @calculator.add(1, -2))
  end

  data("small" => [3, 9, 3], "large" => [100, 1000, 10])
  def test_divides(data)
    quotient, dividend, divisor = data
    assert_equal quotient, @calculator.divide(dividend, divisor)
  end
end
