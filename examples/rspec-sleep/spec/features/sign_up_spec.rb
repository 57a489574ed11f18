RSpec.describe "Sign up" do
  it("creates account") { simulate_work 0.67 }
  it("rejects taken email") { simulate_work 1.00 }
  it("sends welcome") { simulate_work 0.33 }
end
