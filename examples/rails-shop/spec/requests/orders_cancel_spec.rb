RSpec.describe "POST /orders/:id/cancel" do
  it "cancels and restocks" do
    product = create(:product, stock: 1)
    order = create(:order)
    order.add(product)
    post "/orders/#{order.id}/cancel"
    expect(response.parsed_body["status"]).to eq("cancelled")
    expect(product.reload.stock).to eq(1)
  end
end
