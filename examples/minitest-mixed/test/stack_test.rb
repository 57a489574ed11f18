require "test_helper"

describe "A stack" do
  before { @stack = [] }

  it "starts empty" do
    _(@stack).must_be_empty
  end

  describe "after a push" do
    before { @stack.push(1) }

    it "has one element" do
      _(@stack.size).must_equal 1
    end

    it "pops what was pushed" do
      _(@stack.pop).must_equal 1
    end
  end
end
