RSpec.describe "Search" do
  it "finds products by name" do
    simulate_work 0.14
    expect(1 + 1).to eq(2)
  end

  it "filters by category" do
    simulate_work 0.20
    expect(2 + 1).to eq(3)
  end

  it "shows no results" do
    simulate_work 0.06
    expect(3 + 1).to eq(4)
  end
end
