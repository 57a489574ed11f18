class HealthController < ApplicationController
  def show
    database = ActiveRecord::Base.connection.current_database if ActiveRecord::Base.connection.respond_to?(:current_database)
    render json: { ok: true, database: database || ActiveRecord::Base.connection_db_config.database }
  end
end
