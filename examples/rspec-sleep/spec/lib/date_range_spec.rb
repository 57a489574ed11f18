RSpec.describe "DateRange" do
  it "includes both ends" do
    simulate_work 0.15
    expect(1 + 1).to eq(2)
  end

  it "splits into months" do
    simulate_work 0.20
    expect(2 + 1).to eq(3)
  end
end
