RSpec.describe "Category" do
  it "nests under a parent" do
    simulate_work 0.20
    expect(1 + 1).to eq(2)
  end

  it "builds a breadcrumb" do
    simulate_work 0.30
    expect(2 + 1).to eq(3)
  end
end
