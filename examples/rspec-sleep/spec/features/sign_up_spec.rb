RSpec.describe "Sign up" do
  it "creates an account from the form" do
    simulate_work 0.67
    expect(1 + 1).to eq(2)
  end

  it "rejects a taken email" do
    simulate_work 1.00
    expect(2 + 1).to eq(3)
  end

  it "sends the welcome email" do
    simulate_work 0.33
    expect(3 + 1).to eq(4)
  end
end
