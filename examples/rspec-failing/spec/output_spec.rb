# Writes to stdout and stderr while loading and while running; all pass.
$stdout.puts "output_spec: loading (stdout)"
$stderr.puts "output_spec: loading (stderr)"

RSpec.describe "Output" do
  it "prints to stdout" do
    puts "output_spec: hello from stdout"
    expect(true).to be(true)
  end

  it "prints to stderr" do
    warn "output_spec: hello from stderr"
    $stderr.puts "output_spec: a second stderr line"
    expect(true).to be(true)
  end
end
