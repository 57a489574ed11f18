class Review < ApplicationRecord
  belongs_to :product
  belongs_to :customer

  validates :rating, inclusion: { in: 1..5 }
  validates :customer_id, uniqueness: { scope: :product_id, message: "has reviewed this product already" }
end
