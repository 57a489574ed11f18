RSpec.describe Order, "totals" do
  it "sums many lines" do
    order = create(:order)
    1.upto(10) { |i| order.add(create(:product, price_cents: i * 100), i) }
    expect(order.reload.total_cents).to eq((1..10).sum { |i| i * i * 100 })
  end

  it "keeps the price of the day" do
    product = create(:product, price_cents: 100)
    order = create(:order)
    order.add(product)
    product.update!(price_cents: 999)
    expect(order.line_items.first.subtotal_cents).to eq(100)
  end
end
