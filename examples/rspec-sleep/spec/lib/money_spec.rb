RSpec.describe "Money" do
  it "adds amounts of the same currency" do
    simulate_work 0.24
    expect(1 + 1).to eq(2)
  end

  it "refuses to add different currencies" do
    simulate_work 0.33
    expect(2 + 1).to eq(3)
  end

  it "formats with two decimals" do
    simulate_work 0.11
    expect(3 + 1).to eq(4)
  end

  it "rounds half to even" do
    simulate_work 0.22
    expect(4 + 1).to eq(5)
  end
end
