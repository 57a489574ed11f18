RSpec.describe "Product" do
  it "has a price in cents" do
    simulate_work 0.12
    expect(1 + 1).to eq(2)
  end

  it "is searchable by name" do
    simulate_work 0.18
    expect(2 + 1).to eq(3)
  end
end
