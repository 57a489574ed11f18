RSpec.describe Product, "stock under a row lock" do
  it "reads the stock again under the lock" do
    product = create(:product, stock: 2)
    Product.where(id: product.id).update_all(stock: 1)
    expect { product.take!(2) }.to raise_error(ArgumentError, /only 1/)
  end
end
