require "test_helper"

# An unexpected exception is an error, not a failure.
class ErrorTest < Minitest::Test
  def test_divides_by_zero
    Calculator.new.divide(1, 0)
  end

  def test_still_runs
    assert true
  end
end
