# Example project for distributest with known results (see ../EXPECTED):
# passing files, failures, pending and skipped examples, a file that does not
# load, an error in before(:all), and a file that writes to stdout and stderr.

RSpec.configure do |config|
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  config.disable_monkey_patching!
end
