RSpec.describe "SlugGenerator" do
  it "downcases and dashes" do
    simulate_work 0.07
    expect(1 + 1).to eq(2)
  end

  it "strips accents" do
    simulate_work 0.10
    expect(2 + 1).to eq(3)
  end

  it "appends a counter on collision" do
    simulate_work 0.03
    expect(3 + 1).to eq(4)
  end
end
