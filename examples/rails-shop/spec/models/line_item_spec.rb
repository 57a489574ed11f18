RSpec.describe LineItem do
  it "needs a positive quantity" do
    item = LineItem.new(order: create(:order), product: create(:product), quantity: 0, price_cents: 100)
    expect(item).not_to be_valid
  end

  it "has a subtotal" do
    expect(LineItem.new(quantity: 3, price_cents: 120).subtotal_cents).to eq(360)
  end
end
