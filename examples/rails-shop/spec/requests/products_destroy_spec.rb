RSpec.describe "DELETE /products/:id" do
  it "deletes a product nobody ordered" do
    product = create(:product)
    delete "/products/#{product.id}"
    expect(response).to have_http_status(:no_content)
    expect(Product.count).to eq(0)
  end

  it "keeps a product that was ordered" do
    product = create(:product)
    create(:order).add(product)
    delete "/products/#{product.id}"
    expect(response).to have_http_status(:conflict)
  end
end
