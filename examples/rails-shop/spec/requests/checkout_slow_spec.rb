# Deliberately slow: a checkout that waits on a payment provider.
RSpec.describe "checkout" do
  it "takes an order from cart to paid" do
    customer = create(:customer)
    product = create(:product, price_cents: 1_250, stock: 3)
    post "/orders", params: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] }
    id = response.parsed_body["id"]
    sleep 1.5
    post "/orders/#{id}/pay"
    expect(response.parsed_body).to include("status" => "paid", "total_cents" => 2_500)
    get "/customers/#{customer.id}"
    expect(response.parsed_body["lifetime_value_cents"]).to eq(2_500)
  end

  it "gives the stock back when the payment is abandoned" do
    product = create(:product, stock: 1)
    post "/orders", params: { customer_id: create(:customer).id, items: [{ product_id: product.id }] }
    sleep 0.5
    post "/orders/#{response.parsed_body['id']}/cancel"
    expect(product.reload.stock).to eq(1)
  end
end
