RSpec.describe "CsvExporter" do
  it "writes a header row" do
    simulate_work 0.06
    expect(1 + 1).to eq(2)
  end

  it "quotes commas" do
    simulate_work 0.09
    expect(2 + 1).to eq(3)
  end
end
