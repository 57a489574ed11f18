RSpec.describe "User" do
  it "is valid with an email" do
    simulate_work 0.17
    expect(1 + 1).to eq(2)
  end

  it "downcases the email" do
    simulate_work 0.25
    expect(2 + 1).to eq(3)
  end

  it "has a full name" do
    simulate_work 0.08
    expect(3 + 1).to eq(4)
  end
end
