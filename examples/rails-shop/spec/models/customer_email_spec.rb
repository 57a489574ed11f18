RSpec.describe Customer, "email" do
  it "is stored stripped and in lower case" do
    customer = create(:customer, email: "  Ann@Example.COM ")
    expect(customer.reload.email).to eq("ann@example.com")
  end

  it "is unique whatever its case" do
    create(:customer, email: "bob@example.com")
    duplicate = build(:customer, email: "BOB@example.com")
    expect(duplicate).not_to be_valid
  end

  it "is unique in the database too" do
    create(:customer, email: "eve@example.com")
    duplicate = build(:customer, email: "eve@example.com")
    expect { duplicate.save!(validate: false) }.to raise_error(ActiveRecord::RecordNotUnique)
  end
end
