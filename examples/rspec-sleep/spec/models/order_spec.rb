RSpec.describe "Order" do
  it "starts as a draft" do
    simulate_work 0.07
    expect(1 + 1).to eq(2)
  end

  it "moves to paid" do
    simulate_work 0.10
    expect(2 + 1).to eq(3)
  end

  it "cannot ship before payment" do
    simulate_work 0.03
    expect(3 + 1).to eq(4)
  end
end
