RSpec.describe "API /orders" do
  it "lists orders for the token owner" do
    simulate_work 0.50
    expect(1 + 1).to eq(2)
  end

  it "creates an order" do
    simulate_work 0.75
    expect(2 + 1).to eq(3)
  end

  it "returns 422 for an empty cart" do
    simulate_work 0.25
    expect(3 + 1).to eq(4)
  end

  it "paginates with a cursor" do
    simulate_work 0.50
    expect(4 + 1).to eq(5)
  end
end
