class Product < ApplicationRecord
  has_many :line_items, dependent: :restrict_with_error
  has_many :reviews, dependent: :destroy

  validates :name, presence: true
  validates :sku, presence: true, uniqueness: true
  validates :price_cents, numericality: { only_integer: true, greater_than: 0 }
  validates :stock, numericality: { only_integer: true, greater_than_or_equal_to: 0 }

  scope :in_stock, -> { where("stock > 0") }
  scope :cheapest_first, -> { order(:price_cents, :id) }

  def average_rating
    avg = reviews.average(:rating)
    avg && avg.to_f.round(1)
  end

  def take!(quantity)
    with_lock do
      raise ArgumentError, "only #{stock} of #{sku} left" if quantity > stock

      update!(stock: stock - quantity)
    end
  end
end
