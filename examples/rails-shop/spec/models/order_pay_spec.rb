RSpec.describe Order, "#pay!" do
  let(:order) { create(:order) }

  it "pays an open order" do
    order.add(create(:product))
    order.pay!
    expect(order.reload.status).to eq("paid")
  end

  it "refuses an empty order" do
    expect { order.pay! }.to raise_error(ArgumentError, /empty/)
  end

  it "refuses to pay twice" do
    order.add(create(:product))
    order.pay!
    expect { order.pay! }.to raise_error(ArgumentError, /paid/)
  end
end
