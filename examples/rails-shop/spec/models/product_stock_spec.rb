RSpec.describe Product, "#take!" do
  let(:product) { create(:product, stock: 3) }

  it "takes from the stock" do
    product.take!(2)
    expect(product.reload.stock).to eq(1)
  end

  it "refuses to take more than there is" do
    expect { product.take!(4) }.to raise_error(ArgumentError, /only 3/)
    expect(product.reload.stock).to eq(3)
  end
end
