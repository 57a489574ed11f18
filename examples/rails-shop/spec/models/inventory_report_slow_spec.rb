# Deliberately slow, as a report over a big table would be.
RSpec.describe "inventory report" do
  it "counts the stock of every product" do
    create_list(:product, 20, stock: 2)
    sleep 1
    expect(Product.sum(:stock)).to eq(40)
  end

  it "values the stock" do
    create_list(:product, 5, stock: 3, price_cents: 200)
    sleep 0.5
    expect(Product.sum("stock * price_cents")).to eq(3000)
  end
end
