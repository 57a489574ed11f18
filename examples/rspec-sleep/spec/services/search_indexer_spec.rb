RSpec.describe "SearchIndexer" do
  it "indexes a product" do
    simulate_work 0.12
    expect(1 + 1).to eq(2)
  end

  it "removes a deleted product" do
    simulate_work 0.18
    expect(2 + 1).to eq(3)
  end
end
