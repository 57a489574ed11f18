RSpec.describe Order, "#add" do
  let(:order) { create(:order) }
  let(:product) { create(:product, price_cents: 300, stock: 5) }

  it "adds a line at the product's price" do
    order.add(product, 2)
    expect(order.line_items.count).to eq(1)
    expect(order.line_items.first.slice(:quantity, :price_cents)).to eq("quantity" => 2, "price_cents" => 300)
  end

  it "updates the total" do
    order.add(product, 2)
    order.add(create(:product, price_cents: 50), 1)
    expect(order.reload.total_cents).to eq(650)
  end

  it "takes the stock" do
    order.add(product, 5)
    expect(product.reload.stock).to eq(0)
  end

  it "adds nothing when the stock is short" do
    expect { order.add(product, 6) }.to raise_error(ArgumentError)
    expect(order.line_items.count).to eq(0)
  end
end
