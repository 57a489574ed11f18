RSpec.describe "GET /orders" do
  let(:ann) { create(:customer) }
  let(:bob) { create(:customer) }

  it "lists the orders of one customer" do
    mine = create(:order, customer: ann)
    create(:order, customer: bob)
    get "/orders", params: { customer_id: ann.id }
    expect(response.parsed_body.map { |o| o["id"] }).to eq([mine.id])
  end

  # A known failure: filtering by status is asked for, not built yet.
  it "lists the paid orders only when asked" do
    paid = create(:order, customer: ann)
    paid.add(create(:product))
    paid.pay!
    create(:order, customer: ann)
    get "/orders", params: { status: "paid" }
    expect(response.parsed_body.map { |o| o["id"] }).to eq([paid.id])
  end

  it "is pending a page size", pending: "pagination comes later" do
    create_list(:order, 3, customer: ann)
    get "/orders", params: { per_page: 2 }
    expect(response.parsed_body.size).to eq(2)
  end
end
