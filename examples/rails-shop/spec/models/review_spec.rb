RSpec.describe Review do
  it "is rated 1 to 5" do
    expect(build(:review, rating: 0)).not_to be_valid
    expect(build(:review, rating: 6)).not_to be_valid
    expect(build(:review, rating: 5)).to be_valid
  end

  it "belongs to a product and a customer" do
    review = create(:review)
    expect(review.product.reviews).to eq([review])
    expect(review.customer.reviews).to eq([review])
  end
end
