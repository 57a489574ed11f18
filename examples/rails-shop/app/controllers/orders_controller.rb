class OrdersController < ApplicationController
  def index
    orders = Order.order(:id)
    orders = orders.where(customer_id: params[:customer_id]) if params[:customer_id]
    render json: orders.map { |o| order_json(o) }
  end

  def show
    render json: order_json(Order.find(params[:id]))
  end

  # items: [{product_id:, quantity:}]
  def create
    order = Order.transaction do
      o = Order.create!(customer: Customer.find(params.require(:customer_id)))
      Array(params[:items]).each do |item|
        o.add(Product.find(item[:product_id]), Integer(item[:quantity] || 1))
      end
      o
    end
    render json: order_json(order), status: :created
  end

  def pay
    order = Order.find(params[:id])
    order.pay!
    render json: order_json(order)
  end

  def cancel
    order = Order.find(params[:id])
    order.cancel!
    render json: order_json(order)
  end

  private

  def order_json(order)
    order.slice(:id, :status, :total_cents, :customer_id).merge(
      items: order.line_items.order(:id).map { |i| i.slice(:product_id, :quantity, :price_cents) }
    )
  end
end
