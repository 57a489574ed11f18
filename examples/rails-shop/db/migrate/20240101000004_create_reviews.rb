class CreateReviews < ActiveRecord::Migration[6.1]
  def change
    create_table :reviews do |t|
      t.references :product, null: false, foreign_key: true
      t.references :customer, null: false, foreign_key: true
      t.integer :rating, null: false
      t.text :body
      t.timestamps
    end
    add_index :reviews, %i[product_id customer_id], unique: true
  end
end
