RSpec.describe "ReportGenerator" do
  it("builds sales") { simulate_work 0.67 }
  it("groups by region") { simulate_work 1.00 }
  it("renders PDF") { simulate_work 0.33 }
end
