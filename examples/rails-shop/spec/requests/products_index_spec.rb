RSpec.describe "GET /products" do
  it "lists the products, cheapest first" do
    create(:product, name: "b", price_cents: 200)
    create(:product, name: "a", price_cents: 100)
    get "/products"
    expect(response.parsed_body.map { |p| p["name"] }).to eq(%w[a b])
  end

  it "lists only what is in stock when asked" do
    create(:product, name: "gone", stock: 0)
    create(:product, name: "here", stock: 1)
    get "/products", params: { in_stock: 1 }
    expect(response.parsed_body.map { |p| p["name"] }).to eq(%w[here])
  end

  it "is empty in an empty shop" do
    get "/products"
    expect(response.parsed_body).to eq([])
  end
end
