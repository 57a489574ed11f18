RSpec.describe Product do
  it "is valid from the factory" do
    expect(build(:product)).to be_valid
  end

  it "has a positive price in whole cents" do
    expect(build(:product, price_cents: 0)).not_to be_valid
    expect(build(:product, price_cents: 1.5)).not_to be_valid
  end

  it "never has a negative stock" do
    expect(build(:product, stock: -1)).not_to be_valid
  end

  it "has a unique SKU" do
    create(:product, sku: "A-1")
    expect(build(:product, sku: "A-1")).not_to be_valid
  end
end
