RSpec.describe "POST /products" do
  it "creates a product" do
    post "/products", params: { product: { name: "mug", sku: "M-1", price_cents: 450, stock: 2 } }
    expect(response).to have_http_status(:created)
    expect(Product.find_by(sku: "M-1").name).to eq("mug")
  end

  it "says what is wrong" do
    post "/products", params: { product: { name: "", sku: "M-2", price_cents: 0 } }
    expect(response).to have_http_status(:unprocessable_entity)
    expect(response.parsed_body["errors"]).to include("Name can't be blank")
  end

  it "refuses a SKU that is taken" do
    create(:product, sku: "M-3")
    post "/products", params: { product: { name: "cup", sku: "M-3", price_cents: 100 } }
    expect(response).to have_http_status(:unprocessable_entity)
  end
end
