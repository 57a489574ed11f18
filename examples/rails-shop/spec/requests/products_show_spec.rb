RSpec.describe "GET /products/:id" do
  it "shows a product with its rating" do
    product = create(:product, name: "kettle")
    create(:review, product: product, rating: 3)
    get "/products/#{product.id}"
    expect(response.parsed_body).to include("name" => "kettle", "rating" => 3.0)
  end

  it "is 404 for a product that is not there" do
    get "/products/0"
    expect(response).to have_http_status(:not_found)
  end
end
