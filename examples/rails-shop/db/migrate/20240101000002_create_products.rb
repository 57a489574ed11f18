class CreateProducts < ActiveRecord::Migration[6.1]
  def change
    create_table :products do |t|
      t.string :name, null: false
      t.string :sku, null: false
      t.integer :price_cents, null: false
      t.integer :stock, null: false, default: 0
      t.timestamps
    end
    add_index :products, :sku, unique: true
  end
end
