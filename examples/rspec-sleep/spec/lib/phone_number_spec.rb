RSpec.describe "PhoneNumber" do
  it "normalises to E.164" do
    simulate_work 0.45
    expect(1 + 1).to eq(2)
  end
end
