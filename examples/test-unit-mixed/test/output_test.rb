require "test_helper"

$stdout.puts "output_test: loading (stdout)"
$stderr.puts "output_test: loading (stderr)"

class OutputTest < Test::Unit::TestCase
  def test_prints_to_stdout
    puts "output_test: hello from stdout"
    assert true
  end

  def test_prints_to_stderr
    warn "output_test: hello from stderr"
    assert true
  end
end
