RSpec.describe "MarkdownRenderer" do
  it "renders emphasis" do
    simulate_work 0.26
    expect(1 + 1).to eq(2)
  end

  it "escapes HTML" do
    simulate_work 0.37
    expect(2 + 1).to eq(3)
  end

  it "links URLs" do
    simulate_work 0.12
    expect(3 + 1).to eq(4)
  end
end
