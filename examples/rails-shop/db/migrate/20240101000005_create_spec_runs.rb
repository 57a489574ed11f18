# Which spec file ran against which database: written outside the tests'
# transactions, so that it stays, to be queried after a run.
class CreateSpecRuns < ActiveRecord::Migration[6.1]
  def change
    create_table :spec_runs do |t|
      t.string :file, null: false
      t.string :database_name, null: false
      t.string :runner
      t.datetime :created_at, null: false
    end
  end
end
