RSpec.describe "Stack" do
  let(:stack) { [] }

  it "pops what was pushed last" do
    stack.push(1, 2)
    expect(stack.pop).to eq(2)
  end

  it "is empty at first" do
    expect(stack).to be_empty
  end
end
