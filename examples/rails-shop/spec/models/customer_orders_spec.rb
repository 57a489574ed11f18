RSpec.describe Customer, "orders" do
  it "go with the customer" do
    customer = create(:customer)
    create_list(:order, 2, customer: customer)
    expect { customer.destroy }.to change(Order, :count).by(-2)
  end

  it "see the products through their lines" do
    order = create(:order)
    kettle = create(:product, name: "kettle")
    order.add(kettle)
    expect(order.products).to eq([kettle])
  end
end
