FactoryBot.define do
  factory :customer do
    sequence(:name) { |n| "Customer #{n}" }
    sequence(:email) { |n| "customer#{n}@example.com" }
  end

  factory :product do
    sequence(:name) { |n| "Product #{n}" }
    sequence(:sku) { |n| format("SKU-%05d", n) }
    price_cents { 1_000 }
    stock { 10 }
  end

  factory :order do
    customer
  end

  factory :review do
    product
    customer
    rating { 4 }
    body { "Does what it says." }
  end
end
