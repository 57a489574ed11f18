RSpec.describe "CurrencyConverter" do
  it "converts with the daily rate" do
    simulate_work 0.16
    expect(1 + 1).to eq(2)
  end

  it "caches rates" do
    simulate_work 0.24
    expect(2 + 1).to eq(3)
  end
end
