RSpec.describe "customers" do
  it "signs up a customer" do
    post "/customers", params: { customer: { name: "Ann", email: "ANN@example.com" } }
    expect(response).to have_http_status(:created)
    expect(response.parsed_body["email"]).to eq("ann@example.com")
  end

  it "lists customers with what they spent" do
    customer = create(:customer, name: "Bob")
    order = create(:order, customer: customer)
    order.add(create(:product, price_cents: 700))
    order.pay!
    get "/customers"
    expect(response.parsed_body).to eq([{ "id" => customer.id, "name" => "Bob", "email" => customer.email, "lifetime_value_cents" => 700 }])
  end

  it "shows one customer" do
    customer = create(:customer)
    get "/customers/#{customer.id}"
    expect(response.parsed_body["id"]).to eq(customer.id)
  end
end
