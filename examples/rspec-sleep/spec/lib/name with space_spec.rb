RSpec.describe "Name with space" do
  it "loads from a path with a space" do
    simulate_work 0.26
    expect(1 + 1).to eq(2)
  end

  it "still runs normally" do
    simulate_work 0.39
    expect(2 + 1).to eq(3)
  end
end
