RSpec.describe "Profile" do
  it "updates the avatar" do
    simulate_work 0.15
    expect(1 + 1).to eq(2)
  end

  it "changes the password" do
    simulate_work 0.20
    expect(2 + 1).to eq(3)
  end
end
