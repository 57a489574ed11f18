#!/bin/sh
test_description='adapter-rspec and adapter-command: the RERUN field of fail'
. "$(dirname "$0")/test-lib.sh"

# A field of a result line, as the protocol escapes it, made plain again:
# \\, \t and \n are the only escapes, and printf %b undoes each.
unescape() {
	printf '%b' "$1"
}

# RERUN (the 6th field) of the fail line of results file $1 whose
# DESCRIPTION (3rd field) is $2, unescaped.
rerun_of() {
	unescape "$(awk -F '\t' -v d="$2" '$1 == "fail" && $3 == d { print $6; exit }' "$1")"
}

# Runs the command $2 with sh in directory $1, as a person would paste it;
# its output in $TRASH/rerun.out. It must fail, as its example does, with
# an exit status, not a signal.
rerun_fails() {
	code=0
	(cd "$1" && exec sh -c "$2" > "$TRASH/rerun.out" 2>&1) || code=$?
	test "$code" -ne 0 && test "$code" -le 128
}

# One `run` request per argument (no tabs, newlines or backslashes).
requests() {
	for p in "$@"; do
		printf 'run\t%s\n' "$p"
	done
}

# Names and commands with quotes, written once, with Q for a single quote.
Q="'"
IT=t/it${Q}s.t				# a test file named with a quote
IT_RERUN="sh ${Q}t/it${Q}\\${Q}${Q}s.t${Q}"	# sh 't/it'\''s.t'
SPACE_RERUN="sh ${Q}t/a b.t${Q}"
TWINS_ID_RERUN="rspec ${Q}./spec/twins spec_spec.rb[1:2]${Q}"
TWINS_LINE_RERUN="rspec ${Q}./spec/twins spec_spec.rb:3${Q}"

# --- adapter-command ---------------------------------------------------

test_expect_success 'command: setup, files that fail, one with a space and a quote' '
	make_command_project cp &&
	printf "echo \"ran t/a b.t\"\nexit 3\n" > "cp/t/a b.t" &&
	printf "echo \"ran %s\"\nexit 1\n" "$IT" > "cp/$IT" &&
	printf "echo \"ran t/ok.t\"\n" > cp/t/ok.t
'

test_expect_success 'command: RERUN is the command with the path single-quoted for {}' '
	requests "t/a b.t" "$IT" t/ok.t > req &&
	(cd cp && DT_COMMAND="sh {}" adapter-command < ../req 3> ../res > ../out) &&
	test "$(rerun_of res "t/a b.t")" = "$SPACE_RERUN" &&
	test "$(rerun_of res "$IT")" = "$IT_RERUN" &&
	grep "^done	passed	1	0	0	0$" res &&
	grep "^fail	" res > fails &&
	test_line_count = 2 fails
'

test_expect_success 'command: without {} the quoted path is appended' '
	requests "t/a b.t" > req &&
	(cd cp && DT_COMMAND="sh -e" adapter-command < ../req 3> ../res > ../out) &&
	test "$(rerun_of res "t/a b.t")" = "sh -e ${Q}t/a b.t${Q}"
'

test_expect_success 'command: running RERUN in a copy runs just that file, and fails' '
	cp -R cp cp2 &&
	requests "t/a b.t" "$IT" > req &&
	(cd cp && DT_COMMAND="sh {}" adapter-command < ../req 3> ../res > ../out) &&
	rerun_fails cp2 "$(rerun_of res "t/a b.t")" &&
	printf "ran t/a b.t\n" > want && test_cmp want rerun.out &&
	rerun_fails cp2 "$(rerun_of res "$IT")" &&
	printf "ran %s\n" "$IT" > want && test_cmp want rerun.out
'

test_expect_success 'command: distributest prints the rerun line under the failure' '
	(cd cp && test_expect_code 1 distributest -j 2) > out &&
	test_grep "FAIL t/a b.t (local/" out &&
	test_grep "  rerun: $SPACE_RERUN" out &&
	test_grep "  rerun: $IT_RERUN" out &&
	! grep "rerun: .*ok.t" out
'

# --- adapter-rspec -----------------------------------------------------

test_expect_success RSPEC 'rspec: setup, copies of the failing example' '
	cp -R "$SRCDIR/examples/rspec-failing" rf &&
	rm -rf rf/.distributest &&
	cp -R rf rr
'

test_expect_success RSPEC 'rspec: RERUN is rspec with the location RSpec prints' '
	requests spec/failing_spec.rb spec/before_all_error_spec.rb \
	    spec/syntax_error_spec.rb spec/calculator_spec.rb > req &&
	(cd rf && adapter-rspec < ../req 3> ../res > ../out) &&
	test "$(rerun_of res "Failing compares the wrong sum")" = "rspec ./spec/failing_spec.rb:7" &&
	test "$(rerun_of res "Failing raises in the example")" = "rspec ./spec/failing_spec.rb:11" &&
	test "$(rerun_of res "Before all error would read a row")" = "rspec ./spec/before_all_error_spec.rb:8" &&
	test "$(rerun_of res "An error occurred while loading ./spec/syntax_error_spec.rb.")" = \
	    "rspec ./spec/syntax_error_spec.rb"
'

test_expect_success RSPEC 'rspec: running RERUN in a copy runs that one example, and fails' '
	rerun_fails rr "$(rerun_of res "Failing compares the wrong sum")" &&
	test_grep "1 example, 1 failure" rerun.out &&
	test_grep "expected: 3" rerun.out &&
	rerun_fails rr "$(rerun_of res "Failing raises in the example")" &&
	test_grep "1 example, 1 failure" rerun.out &&
	test_grep "boom from the example" rerun.out &&
	rerun_fails rr "$(rerun_of res "Before all error would read a row")" &&
	test_grep "1 example, 1 failure" rerun.out &&
	rerun_fails rr "$(rerun_of res "An error occurred while loading ./spec/syntax_error_spec.rb.")" &&
	test_grep "0 examples, 0 failures, 1 error occurred outside of examples" rerun.out
'

test_expect_success RSPEC 'rspec: examples sharing a line get the id, quoted; odd paths are quoted' '
	printf "RSpec.describe \"Twins\" do\n  [1, 2].each { |n| it(\"is one, #{n}\") { expect(n).to eq(1) } }\n  it(\"is odd\") { expect(2).to eq(3) }\nend\n" > "rf/spec/twins spec_spec.rb" &&
	cp "rf/spec/twins spec_spec.rb" rr/spec/ &&
	requests "spec/twins spec_spec.rb" > req &&
	(cd rf && adapter-rspec < ../req 3> ../res > ../out) &&
	test "$(rerun_of res "Twins is one, 2")" = "$TWINS_ID_RERUN" &&
	test "$(rerun_of res "Twins is odd")" = "$TWINS_LINE_RERUN" &&
	rerun_fails rr "$(rerun_of res "Twins is one, 2")" &&
	test_grep "1 example, 1 failure" rerun.out &&
	test_grep "got: 2" rerun.out &&
	rerun_fails rr "$(rerun_of res "Twins is odd")" &&
	test_grep "1 example, 1 failure" rerun.out &&
	test_grep "got: 2" rerun.out
'

test_expect_success RSPEC 'rspec: distributest prints the rerun line under the failure' '
	(cd rf && test_expect_code 1 distributest -j 2) > out &&
	test_grep "FAIL spec/failing_spec.rb:7 (local/" out &&
	test_grep "  rerun: rspec ./spec/failing_spec.rb:7" out &&
	test_grep "  rerun: rspec ./spec/syntax_error_spec.rb" out &&
	test_grep "  rerun: $TWINS_ID_RERUN" out
'

# Bundler, when its gems are here: a Gemfile makes the rerun `bundle exec`.
if (mkdir bundled && cd bundled && printf 'gem "rspec"\n' > Gemfile &&
    ruby -rbundler/setup -e 'require "rspec/core"') > /dev/null 2>&1; then
	test_set_prereq BUNDLER
fi

test_expect_success RSPEC,BUNDLER 'rspec: with a Gemfile, RERUN starts with bundle exec' '
	cp -R rr/spec rr/.rspec bundled/ &&
	requests spec/failing_spec.rb > req &&
	(cd bundled && adapter-rspec < ../req 3> ../res > ../out) &&
	# The bundle command this machine has: bundle, or Debian ruby'"'"'s own.
	hint=$(rerun_of res "Failing compares the wrong sum") &&
	case $hint in
	"bundle exec rspec ./spec/failing_spec.rb:7") command -v bundle ;;
	"bundle3.1 exec rspec ./spec/failing_spec.rb:7") ! command -v bundle ;;
	*) false ;;
	esac &&
	rerun_fails bundled "$hint" &&
	test_grep "1 example, 1 failure" rerun.out
'

test_expect_success 'no processes left behind' '
	test_no_leftovers
'

test_expect_success 'command: TAP output gives the counts, failures with their message' '
	rm -rf tap && make_command_project tap &&
	cat > tap/t/a.t <<-\TAP &&
	echo 1..4
	echo "ok 1 - adds"
	echo "not ok 2 - rounds half up"
	echo "# expected 3"
	echo "# got 2"
	echo "ok 3 - network # SKIP no network"
	echo "ok 4 - later # TODO not yet"
	TAP
	printf "echo 1..3\necho ok 1\n" > tap/t/short.t &&
	printf "echo no tap here\n" > tap/t/plain.t &&
	(cd tap && test_expect_code 1 distributest -j 2) > out &&
	test_grep "3 files, 6 examples, 1 failure, 2 pending, 1 error" out &&
	test_grep "FAIL t/a.t (local/" out &&
	test_grep "  2 - rounds half up" out &&
	test_grep "    expected 3" out &&
	test_grep "ERROR t/short.t (local/" out &&
	test_grep "planned 3 tests, ran 1" out
'

test_expect_success 'command: a file is over when its command exits, whatever it left behind' '
	rm -rf bg && make_command_project bg &&
	printf "echo 1..1\necho ok 1\n(sh -c \"sleep 300; :\" $MARK-bg &)\n" > bg/t/a.t &&
	(cd bg && timeout 60 distributest) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test_no_leftovers
'

test_done
