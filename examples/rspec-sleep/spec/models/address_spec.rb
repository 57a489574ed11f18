RSpec.describe "Address" do
  it "requires a postcode" do
    simulate_work 0.90
    expect(1 + 1).to eq(2)
  end
end
