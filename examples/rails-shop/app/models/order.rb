class Order < ApplicationRecord
  STATUSES = %w[open paid cancelled].freeze

  belongs_to :customer
  has_many :line_items, dependent: :destroy
  has_many :products, through: :line_items

  validates :status, inclusion: { in: STATUSES }

  scope :paid, -> { where(status: "paid") }
  scope :open, -> { where(status: "open") }

  def add(product, quantity = 1)
    transaction do
      product.take!(quantity)
      line_items.create!(product: product, quantity: quantity, price_cents: product.price_cents)
      update!(total_cents: line_items.sum("quantity * price_cents"))
    end
  end

  def pay!
    raise ArgumentError, "cannot pay a #{status} order" unless status == "open"
    raise ArgumentError, "cannot pay an empty order" if line_items.empty?

    update!(status: "paid")
  end

  def cancel!
    raise ArgumentError, "cannot cancel a #{status} order" unless status == "open"

    transaction do
      line_items.includes(:product).each do |item|
        item.product.update!(stock: item.product.stock + item.quantity)
      end
      update!(status: "cancelled")
    end
  end
end
