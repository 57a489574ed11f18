RSpec.describe "ReportGenerator" do
  it "builds the monthly sales report" do
    simulate_work 0.67
    expect(1 + 1).to eq(2)
  end

  it "groups revenue by region" do
    simulate_work 1.00
    expect(2 + 1).to eq(3)
  end

  it "renders the PDF" do
    simulate_work 0.33
    expect(3 + 1).to eq(4)
  end
end
