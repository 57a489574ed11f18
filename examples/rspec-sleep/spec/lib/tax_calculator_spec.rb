RSpec.describe "TaxCalculator" do
  it "uses the EU VAT rate" do
    simulate_work 0.09
    expect(1 + 1).to eq(2)
  end

  it "exempts B2B with a VAT id" do
    simulate_work 0.12
    expect(2 + 1).to eq(3)
  end

  it "rounds per line" do
    simulate_work 0.04
    expect(3 + 1).to eq(4)
  end
end
