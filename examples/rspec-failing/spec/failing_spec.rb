# Two examples fail on purpose: one expectation failure, one exception.
RSpec.describe "Failing" do
  it "passes this one" do
    expect(1).to eq(1)
  end

  it "compares the wrong sum" do
    expect(1 + 1).to eq(3)
  end

  it "raises in the example" do
    raise ArgumentError, "boom from the example"
  end
end
