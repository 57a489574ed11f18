# before(:all) raises, so RSpec fails every example of the group without
# running it.
RSpec.describe "Before all error" do
  before(:all) do
    raise "database not reachable"
  end

  it "would read a row" do
    expect(1).to eq(1)
  end

  it "would write a row" do
    expect(2).to eq(2)
  end
end
