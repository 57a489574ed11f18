RSpec.describe "reviews" do
  let(:product) { create(:product) }
  let(:customer) { create(:customer) }

  it "creates and lists reviews" do
    post "/products/#{product.id}/reviews", params: { review: { customer_id: customer.id, rating: 5, body: "great" } }
    expect(response).to have_http_status(:created)
    get "/products/#{product.id}/reviews"
    expect(response.parsed_body.map { |r| r["body"] }).to eq(%w[great])
  end

  it "refuses a second review by the same customer" do
    create(:review, product: product, customer: customer)
    post "/products/#{product.id}/reviews", params: { review: { customer_id: customer.id, rating: 1 } }
    expect(response).to have_http_status(:unprocessable_entity)
  end
end
