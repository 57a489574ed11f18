require "test_helper"

class StackTest < Test::Unit::TestCase
  setup do
    @stack = []
  end

  test "starts empty" do
    assert_empty @stack
  end

  sub_test_case "after a push" do
    setup do
      @stack.push(1)
    end

    test "has one element" do
      assert_equal 1, @stack.size
    end

    test "pops what was pushed" do
      assert_equal 1, @stack.pop
    end
  end
end
