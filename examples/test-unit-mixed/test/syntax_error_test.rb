require "test_helper"

# This file does not parse: it counts as 0 tests and 1 error.
class SyntaxErrorTest < Test::Unit::TestCase
  def test_never_runs
    assert true
end
