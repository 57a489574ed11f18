ENV["RAILS_ENV"] ||= "test"
require_relative "../config/environment"
require "spec_helper"
require "rspec/rails"
require "factory_bot"

require_relative "factories"

RSpec.configure do |config|
  config.use_transactional_fixtures = true
  config.infer_spec_type_from_file_location!
  config.include FactoryBot::Syntax::Methods

  # Outside the examples' transactions, so it stays: which database each
  # file wrote to, for the tests of distributest to query after a run.
  config.before(:context) do
    connection = ActiveRecord::Base.connection
    database = connection.respond_to?(:current_database) ? connection.current_database : ActiveRecord::Base.connection_db_config.database
    SpecRun.create!(file: self.class.metadata[:rerun_file_path].to_s.delete_prefix("./"),
                    database_name: File.basename(database.to_s),
                    runner: ENV["DT_RUNNER_ID"], created_at: Time.now)
  end
end
