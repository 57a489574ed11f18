RSpec.describe "Password reset" do
  it "sends a reset link" do
    simulate_work 0.06
    expect(1 + 1).to eq(2)
  end

  it "expires the link" do
    simulate_work 0.07
    expect(2 + 1).to eq(3)
  end

  it "signs the user in" do
    simulate_work 0.02
    expect(3 + 1).to eq(4)
  end
end
