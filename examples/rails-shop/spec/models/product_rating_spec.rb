RSpec.describe Product, "#average_rating" do
  let(:product) { create(:product) }

  it "is nil without reviews" do
    expect(product.average_rating).to be_nil
  end

  it "is the mean of the ratings, to one decimal" do
    create(:review, product: product, rating: 5)
    create(:review, product: product, rating: 4)
    create(:review, product: product, rating: 4)
    expect(product.average_rating).to eq(4.3)
  end

  # A known failure: the shop shows half stars, the model does not round to them yet.
  it "rounds to half stars" do
    create(:review, product: product, rating: 5)
    create(:review, product: product, rating: 4)
    create(:review, product: product, rating: 4)
    expect(product.average_rating).to eq(4.5)
  end
end
