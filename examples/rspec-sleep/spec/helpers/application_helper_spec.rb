RSpec.describe "ApplicationHelper" do
  it "formats a price" do
    simulate_work 0.16
    expect(1 + 1).to eq(2)
  end

  it "builds a page title" do
    simulate_work 0.24
    expect(2 + 1).to eq(3)
  end
end
