RSpec.describe "Checkout" do
  it("pays by card") { simulate_work 0.74 }
  it("takes coupons") { simulate_work 1.09 }
  it("shows receipt") { simulate_work 0.36 }
  it("emails it") { simulate_work 0.72 }
  it("keeps cart") { simulate_work 1.09 }
end
