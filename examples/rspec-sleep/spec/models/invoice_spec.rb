RSpec.describe "Invoice" do
  it "sums its line items" do
    simulate_work 0.20
    expect(1 + 1).to eq(2)
  end

  it "is overdue after thirty days" do
    simulate_work 0.28
    expect(2 + 1).to eq(3)
  end

  it "numbers invoices sequentially" do
    simulate_work 0.09
    expect(3 + 1).to eq(4)
  end

  it "adds tax per country" do
    simulate_work 0.18
    expect(4 + 1).to eq(5)
  end
end
