RSpec.describe "Team" do
  it "has members" do
    simulate_work 0.26
    expect(1 + 1).to eq(2)
  end

  it "has one owner" do
    simulate_work 0.37
    expect(2 + 1).to eq(3)
  end

  it "limits seats by plan" do
    simulate_work 0.12
    expect(3 + 1).to eq(4)
  end
end
