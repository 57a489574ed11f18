RSpec.describe "Payment" do
  it "records the gateway id" do
    simulate_work 0.11
    expect(1 + 1).to eq(2)
  end

  it "can be refunded" do
    simulate_work 0.15
    expect(2 + 1).to eq(3)
  end

  it "refuses a double refund" do
    simulate_work 0.04
    expect(3 + 1).to eq(4)
  end
end
