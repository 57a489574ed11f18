RSpec.describe "InventoryService" do
  it "reserves stock" do
    simulate_work 0.26
    expect(1 + 1).to eq(2)
  end

  it "releases stock on cancel" do
    simulate_work 0.39
    expect(2 + 1).to eq(3)
  end
end
