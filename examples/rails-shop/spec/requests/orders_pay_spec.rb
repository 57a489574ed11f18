RSpec.describe "POST /orders/:id/pay" do
  it "pays the order" do
    order = create(:order)
    order.add(create(:product))
    post "/orders/#{order.id}/pay"
    expect(response.parsed_body["status"]).to eq("paid")
  end

  it "refuses an empty order" do
    order = create(:order)
    post "/orders/#{order.id}/pay"
    expect(response).to have_http_status(:conflict)
    expect(response.parsed_body["error"]).to eq("cannot pay an empty order")
  end
end
