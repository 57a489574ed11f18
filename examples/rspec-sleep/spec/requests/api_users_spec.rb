RSpec.describe "API /users" do
  it "returns the current user" do
    simulate_work 0.26
    expect(1 + 1).to eq(2)
  end

  it "rejects a bad token" do
    simulate_work 0.39
    expect(2 + 1).to eq(3)
  end
end
