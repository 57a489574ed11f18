class CustomersController < ApplicationController
  def index
    render json: Customer.order(:id).map { |c| customer_json(c) }
  end

  def show
    render json: customer_json(Customer.find(params[:id]))
  end

  def create
    customer = Customer.create!(params.require(:customer).permit(:name, :email))
    render json: customer_json(customer), status: :created
  end

  private

  def customer_json(customer)
    customer.slice(:id, :name, :email).merge(lifetime_value_cents: customer.lifetime_value_cents)
  end
end
