# Example project for distributest: 40 spec files that only sleep, so the
# per-file durations (one ~4 s, three ~2 s, the rest 0.1-0.9 s, ~28 s in all)
# exercise scheduling without depending on any application code.
#
# RSPEC_SLEEP_SCALE multiplies every sleep (e.g. 0.1 makes the suite ten times
# faster) so tests can keep the same shape of durations at a lower cost.

SLEEP_SCALE = Float(ENV.fetch("RSPEC_SLEEP_SCALE", "1"))

module SimulatedWork
  # Stands in for the real work a spec would do: sleeps for SECONDS, scaled.
  def simulate_work(seconds)
    sleep(seconds * SLEEP_SCALE)
  end
end

RSpec.configure do |config|
  config.include SimulatedWork
  config.expect_with(:rspec) { |c| c.syntax = :expect }
  config.disable_monkey_patching!
end
