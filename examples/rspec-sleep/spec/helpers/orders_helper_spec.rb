RSpec.describe "OrdersHelper" do
  it "labels the status" do
    simulate_work 0.65
    expect(1 + 1).to eq(2)
  end
end
