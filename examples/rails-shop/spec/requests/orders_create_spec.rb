RSpec.describe "POST /orders" do
  let(:customer) { create(:customer) }
  let(:kettle) { create(:product, price_cents: 2_000, stock: 2) }
  let(:mug) { create(:product, price_cents: 500, stock: 10) }

  it "places an order with its lines" do
    post "/orders", params: { customer_id: customer.id, items: [{ product_id: kettle.id, quantity: 1 }, { product_id: mug.id, quantity: 4 }] }
    expect(response).to have_http_status(:created)
    expect(response.parsed_body["total_cents"]).to eq(4_000)
    expect(mug.reload.stock).to eq(6)
  end

  it "places nothing when an item is out of stock" do
    post "/orders", params: { customer_id: customer.id, items: [{ product_id: mug.id, quantity: 1 }, { product_id: kettle.id, quantity: 3 }] }
    expect(response).to have_http_status(:conflict)
    expect(Order.count).to eq(0)
    expect(mug.reload.stock).to eq(10)
  end

  it "is 404 for a customer that is not there" do
    post "/orders", params: { customer_id: 0 }
    expect(response).to have_http_status(:not_found)
  end
end
