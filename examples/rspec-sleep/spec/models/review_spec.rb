RSpec.describe "Review" do
  it "has a rating from 1 to 5" do
    simulate_work 0.16
    expect(1 + 1).to eq(2)
  end

  it "is hidden when flagged" do
    simulate_work 0.24
    expect(2 + 1).to eq(3)
  end
end
