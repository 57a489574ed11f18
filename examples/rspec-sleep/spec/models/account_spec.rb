RSpec.describe "Account" do
  it "starts with a zero balance" do
    simulate_work 0.08
    expect(1 + 1).to eq(2)
  end

  it "belongs to a user" do
    simulate_work 0.12
    expect(2 + 1).to eq(3)
  end
end
