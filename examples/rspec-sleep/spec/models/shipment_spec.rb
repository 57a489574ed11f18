RSpec.describe "Shipment" do
  it "has a tracking number" do
    simulate_work 0.23
    expect(1 + 1).to eq(2)
  end

  it "is delivered once scanned" do
    simulate_work 0.32
    expect(2 + 1).to eq(3)
  end

  it "notifies the customer" do
    simulate_work 0.10
    expect(3 + 1).to eq(4)
  end
end
