RSpec.describe "product JSON" do
  it "has exactly the public fields" do
    product = create(:product)
    get "/products/#{product.id}"
    expect(response.parsed_body.keys).to contain_exactly("id", "name", "sku", "price_cents", "stock", "rating")
  end

  it "is JSON" do
    get "/products"
    expect(response.media_type).to eq("application/json")
  end
end
