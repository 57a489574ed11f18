RSpec.describe "API orders" do
  it("lists") { simulate_work 0.50 }
  it("creates") { simulate_work 0.75 }
  it("422 if empty") { simulate_work 0.25 }
  it("paginates") { simulate_work 0.50 }
end
