RSpec.describe "NotificationService" do
  it "sends email" do
    simulate_work 0.30
    expect(1 + 1).to eq(2)
  end

  it "sends push" do
    simulate_work 0.45
    expect(2 + 1).to eq(3)
  end

  it "respects quiet hours" do
    simulate_work 0.15
    expect(3 + 1).to eq(4)
  end
end
