class Customer < ApplicationRecord
  has_many :orders, dependent: :destroy
  has_many :reviews, dependent: :destroy

  validates :name, presence: true
  validates :email, presence: true, uniqueness: { case_sensitive: false },
                    format: { with: /\A[^@\s]+@[^@\s]+\z/ }

  before_validation { self.email = email.to_s.strip.downcase }

  def lifetime_value_cents
    orders.paid.sum(:total_cents)
  end
end
