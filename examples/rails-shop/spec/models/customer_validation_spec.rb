RSpec.describe Customer do
  it "is valid from the factory" do
    expect(build(:customer)).to be_valid
  end

  it "needs a name" do
    expect(build(:customer, name: "")).not_to be_valid
  end

  it "needs an email that looks like one" do
    customer = build(:customer, email: "not an email")
    expect(customer).not_to be_valid
    expect(customer.errors[:email]).to include("is invalid")
  end
end
