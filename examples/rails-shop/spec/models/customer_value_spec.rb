RSpec.describe Customer, "#lifetime_value_cents" do
  let(:customer) { create(:customer) }
  let(:product) { create(:product, price_cents: 250) }

  it "is zero without orders" do
    expect(customer.lifetime_value_cents).to eq(0)
  end

  it "counts paid orders only" do
    paid = create(:order, customer: customer)
    paid.add(product, 2)
    paid.pay!
    create(:order, customer: customer).add(product, 1)
    expect(customer.lifetime_value_cents).to eq(500)
  end
end
