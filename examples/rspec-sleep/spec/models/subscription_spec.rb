RSpec.describe "Subscription" do
  it "renews monthly" do
    simulate_work 0.07
    expect(1 + 1).to eq(2)
  end

  it "can be paused" do
    simulate_work 0.06
    expect(2 + 1).to eq(3)
  end

  it "cancels at period end" do
    simulate_work 0.02
    expect(3 + 1).to eq(4)
  end

  it "prorates an upgrade" do
    simulate_work 0.04
    expect(4 + 1).to eq(5)
  end

  it "keeps history" do
    simulate_work 0.06
    expect(5 + 1).to eq(6)
  end
end
