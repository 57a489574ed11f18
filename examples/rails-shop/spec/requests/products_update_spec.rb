RSpec.describe "PATCH /products/:id" do
  let(:product) { create(:product, price_cents: 100) }

  it "changes the price" do
    patch "/products/#{product.id}", params: { product: { price_cents: 150 } }
    expect(response).to have_http_status(:ok)
    expect(product.reload.price_cents).to eq(150)
  end

  it "refuses a negative stock" do
    patch "/products/#{product.id}", params: { product: { stock: -5 } }
    expect(response).to have_http_status(:unprocessable_entity)
  end
end
