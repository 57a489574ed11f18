RSpec.describe "Admin dashboard" do
  it "lists recent orders" do
    simulate_work 0.12
    expect(1 + 1).to eq(2)
  end

  it "shows revenue today" do
    simulate_work 0.18
    expect(2 + 1).to eq(3)
  end
end
