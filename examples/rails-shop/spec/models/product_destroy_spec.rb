RSpec.describe Product, "#destroy" do
  it "goes with its reviews" do
    review = create(:review)
    review.product.destroy
    expect(Review.exists?(review.id)).to be(false)
  end

  it "is refused while an order has it" do
    product = create(:product)
    create(:order).add(product)
    expect(product.destroy).to be(false)
    expect(Product.exists?(product.id)).to be(true)
  end
end
