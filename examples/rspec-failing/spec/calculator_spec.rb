RSpec.describe "Calculator" do
  it "adds" do
    expect(2 + 3).to eq(5)
  end

  it "subtracts" do
    expect(7 - 4).to eq(3)
  end

  it "divides integers towards minus infinity" do
    expect(-7 / 2).to eq(-4)
  end
end
