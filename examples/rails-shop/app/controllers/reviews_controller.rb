class ReviewsController < ApplicationController
  def index
    render json: product.reviews.order(:id).map { |r| r.slice(:id, :rating, :body, :customer_id) }
  end

  def create
    review = product.reviews.create!(params.require(:review).permit(:customer_id, :rating, :body))
    render json: review.slice(:id, :rating, :body), status: :created
  end

  private

  def product
    @product ||= Product.find(params[:product_id])
  end
end
