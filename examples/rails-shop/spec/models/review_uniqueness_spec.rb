RSpec.describe Review, "uniqueness" do
  it "is one review per customer and product" do
    first = create(:review)
    second = build(:review, product: first.product, customer: first.customer)
    expect(second).not_to be_valid
    expect(second.errors.full_messages).to include("Customer has reviewed this product already")
  end

  it "lets a customer review two products" do
    customer = create(:customer)
    create(:review, customer: customer)
    expect(build(:review, customer: customer)).to be_valid
  end
end
