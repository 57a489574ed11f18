RSpec.describe "LineItem" do
  it "multiplies quantity by price" do
    simulate_work 0.18
    expect(1 + 1).to eq(2)
  end

  it "rejects a negative quantity" do
    simulate_work 0.27
    expect(2 + 1).to eq(3)
  end
end
