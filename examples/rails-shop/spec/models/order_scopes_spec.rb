RSpec.describe Order, "scopes" do
  it "tells open and paid orders apart" do
    open = create(:order)
    paid = create(:order)
    paid.add(create(:product))
    paid.pay!
    expect(Order.open).to eq([open])
    expect(Order.paid).to eq([paid])
  end

  it "refuses an unknown status" do
    expect(build(:order, status: "lost")).not_to be_valid
  end
end
