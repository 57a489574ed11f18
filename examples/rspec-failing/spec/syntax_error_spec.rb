# This file does not parse: RSpec reports an error outside of examples.
RSpec.describe "Syntax error" do
  it "never runs" do
    expect(1).to eq(1)
  end
