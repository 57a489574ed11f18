RSpec.describe Product, "scopes" do
  before do
    create(:product, name: "pricey", price_cents: 900, stock: 0)
    create(:product, name: "cheap", price_cents: 100, stock: 3)
    create(:product, name: "middle", price_cents: 500, stock: 1)
  end

  it "lists the cheapest first" do
    expect(Product.cheapest_first.pluck(:name)).to eq(%w[cheap middle pricey])
  end

  it "finds what is in stock" do
    expect(Product.in_stock.pluck(:name)).to contain_exactly("cheap", "middle")
  end
end
