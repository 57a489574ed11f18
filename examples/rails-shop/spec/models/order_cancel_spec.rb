RSpec.describe Order, "#cancel!" do
  let(:product) { create(:product, stock: 4) }
  let(:order) { create(:order) }

  it "puts the stock back" do
    order.add(product, 3)
    order.cancel!
    expect(product.reload.stock).to eq(4)
    expect(order.reload.status).to eq("cancelled")
  end

  it "refuses a paid order" do
    order.add(product)
    order.pay!
    expect { order.cancel! }.to raise_error(ArgumentError, /paid/)
  end
end
