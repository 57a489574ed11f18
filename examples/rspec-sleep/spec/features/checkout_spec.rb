RSpec.describe "Checkout" do
  it "completes an order with a saved card" do
    simulate_work 0.74
    expect(1 + 1).to eq(2)
  end

  it "applies a coupon at the payment step" do
    simulate_work 1.09
    expect(2 + 1).to eq(3)
  end

  it "shows the receipt page" do
    simulate_work 0.36
    expect(3 + 1).to eq(4)
  end

  it "emails the confirmation" do
    simulate_work 0.72
    expect(4 + 1).to eq(5)
  end

  it "keeps the cart when payment is declined" do
    simulate_work 1.09
    expect(5 + 1).to eq(6)
  end
end
