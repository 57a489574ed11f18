RSpec.describe "RateLimiter" do
  it "allows the first request" do
    simulate_work 0.19
    expect(1 + 1).to eq(2)
  end

  it "blocks after the limit" do
    simulate_work 0.27
    expect(2 + 1).to eq(3)
  end

  it "resets after the window" do
    simulate_work 0.09
    expect(3 + 1).to eq(4)
  end
end
