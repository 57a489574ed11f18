RSpec.describe "Coupon" do
  it "expires" do
    simulate_work 0.36
    expect(1 + 1).to eq(2)
  end

  it "applies a percentage" do
    simulate_work 0.54
    expect(2 + 1).to eq(3)
  end
end
