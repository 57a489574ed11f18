class ProductsController < ApplicationController
  def index
    products = Product.cheapest_first
    products = products.in_stock if params[:in_stock]
    render json: products.map { |p| product_json(p) }
  end

  def show
    render json: product_json(Product.find(params[:id]))
  end

  def create
    product = Product.create!(product_params)
    render json: product_json(product), status: :created
  end

  def update
    product = Product.find(params[:id])
    product.update!(product_params)
    render json: product_json(product)
  end

  def destroy
    product = Product.find(params[:id])
    if product.destroy
      head :no_content
    else
      render json: { errors: product.errors.full_messages }, status: :conflict
    end
  end

  private

  def product_params
    params.require(:product).permit(:name, :sku, :price_cents, :stock)
  end

  def product_json(product)
    product.slice(:id, :name, :sku, :price_cents, :stock).merge(rating: product.average_rating)
  end
end
