RSpec.describe "the test database" do
  it "is this runner's own" do
    expected = ENV.fetch("DT_RUNNER_ID") { "shop_test#{ENV['TEST_ENV_NUMBER']}" }
    database = ActiveRecord::Base.connection_db_config.database
    expect(File.basename(database, ".sqlite3")).to eq(expected)
  end

  it "starts each example empty" do
    expect(Product.count + Customer.count + Order.count).to eq(0)
  end

  it "has the schema of db/schema.rb" do
    expect(ActiveRecord::Base.connection.table_exists?(:reviews)).to be(true)
    newest = Dir[Rails.root.join("db/migrate/*.rb")].map { |f| File.basename(f).to_i }.max
    expect(ActiveRecord::Base.connection.migration_context.current_version).to eq(newest)
  end
end
