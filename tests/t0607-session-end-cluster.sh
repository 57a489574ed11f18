#!/bin/sh
test_description='across two nodes every runner ends its framework'"'"'s session once: what its session-end hooks write comes home under the node and runner'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

unset BUNDLE_GEMFILE DT_ISOLATE

# A project $1 of framework $2 on both nodes, 2 runners each; what the
# hooks write under marks/ comes home.
nodes_config() {
	mkdir -p "$1/.distributest" &&
	printf "[run]\nframework = %s\npython = /usr/bin/python3\nartifacts = marks/\n" "$2" > "$1/.distributest/config" &&
	for i in 1 2; do
		printf "[node node%s]\nrunners = 2\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> "$1/.distributest/config" || return 1
	done
}

# The Ruby hooks' marker: marks/WHAT-DT_RUNNER_ID, a line per call.
cat > mark.rb <<-\EOF
def mark(what)
  Dir.mkdir("marks") unless File.directory?("marks")
  File.open("marks/#{what}-#{ENV.fetch('DT_RUNNER_ID')}", "a") { |f| f.puts what }
end
EOF

# Every runner of project $1 that came up (a runner-up line in the log)
# brought home one marker of each name given, with one line, under
# NODE/N/marks/, whichever node it was on. Markers of a runner the log
# does not name (one that started as the run ended) are not counted.
marked_once() {
	p=$1
	shift
	grep "	runner-up	" "$p/.distributest/log" | cut -f 3-5 | sort -u > up &&
	test -s up &&
	while IFS="	" read -r node r id; do
		for m in "$@"; do
			echo "$node/$r/marks/$m-$id" || return 1
		done
	done < up | sort > want &&
	(cd "$p/.distributest/artifacts" && find . -path "*/marks/*" -type f) | sed "s|^\./||" | sort > got &&
	comm -23 want got > missing &&
	test_line_count -eq 0 missing &&
	cut -f 1,2 up | tr "	" / | sed "s|\$|/|" > dirs &&
	{ comm -13 want got | grep -F -f dirs > extra || :; } &&
	test_line_count -eq 0 extra &&
	while read -r f; do
		test "$(wc -l < "$p/.distributest/artifacts/$f")" -eq 1 || {
			echo "$f:" && cat "$p/.distributest/artifacts/$f"
			return 1
		}
	done < want &&
	cut -f 1 up | sort -u > nodes &&
	say_indented nodes
}

test_expect_success 'a cluster of two nodes' '
	cluster_up 2
'

test_expect_success PYTEST 'pytest: sessionfinish and unconfigure once in every runner of both nodes' '
	nodes_config py pytest &&
	mkdir -p py/tests &&
	cat > py/conftest.py <<-\EOF &&
	import os
	def mark(what):
	    os.makedirs("marks", exist_ok=True)
	    with open("marks/%s-%s" % (what, os.environ["DT_RUNNER_ID"]), "a") as f:
	        f.write(what + "\n")
	def pytest_sessionfinish(session, exitstatus):
	    mark("sessionfinish")
	def pytest_unconfigure(config):
	    mark("unconfigure")
	EOF
	for i in 1 2 3 4 5 6 7 8; do
		printf "import time\ndef test_%s():\n    time.sleep(0.3)\n" $i > py/tests/test_$i.py || return 1
	done &&
	(cd py && distributest) > out &&
	test_grep "8 files, 8 passed in" out &&
	marked_once py sessionfinish unconfigure
'

test_expect_success RSPEC 'rspec: after(:suite) and at_exit once in every runner of both nodes' '
	nodes_config rs rspec &&
	mkdir -p rs/spec &&
	{
		cat mark.rb &&
		echo "RSpec.configure { |c| c.after(:suite) { mark(%q(after_suite)) } }" &&
		echo "at_exit { mark(%q(at_exit)) }"
	} > rs/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > rs/.rspec &&
	for i in 1 2 3 4 5 6 7 8; do
		printf "RSpec.describe(\"s$i\") { it(\"x\") { sleep 0.3 } }\n" > rs/spec/s${i}_spec.rb || return 1
	done &&
	(cd rs && distributest) > out &&
	test_grep "8 files, 8 examples, 0 failures" out &&
	marked_once rs after_suite at_exit
'

test_expect_success MINITEST 'minitest: after_run once in every runner of both nodes' '
	nodes_config mt minitest &&
	mkdir -p mt/test &&
	{
		echo "require \"minitest/autorun\"" &&
		cat mark.rb &&
		echo "Minitest.after_run { mark(%q(after_run)) }"
	} > mt/test/test_helper.rb &&
	for i in 1 2 3 4 5 6 7 8; do
		printf "require_relative \"test_helper\"\nclass T$i < Minitest::Test\n  def test_a; sleep 0.3; end\nend\n" > mt/test/t${i}_test.rb || return 1
	done &&
	(cd mt && distributest) > out &&
	test_grep "8 files, 8 runs" out &&
	marked_once mt after_run
'

test_done
