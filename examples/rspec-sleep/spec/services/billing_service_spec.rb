RSpec.describe "BillingService" do
  it "charges the card on file" do
    simulate_work 0.06
    expect(1 + 1).to eq(2)
  end

  it "retries a failed charge" do
    simulate_work 0.07
    expect(2 + 1).to eq(3)
  end

  it "marks the invoice paid" do
    simulate_work 0.02
    expect(3 + 1).to eq(4)
  end

  it "sends a dunning email" do
    simulate_work 0.05
    expect(4 + 1).to eq(5)
  end
end
