#!/bin/sh
test_description='the habits users bring: -n N runners, long options, --help; CI logs with -q, progress lines and GitHub annotations; colours and the status line on a terminal only'
. "$(dirname "$0")/test-lib.sh"

# A project of passing files and one failing, the command framework.
mixed_project() {
	make_command_project "$1" &&
	for i in 1 2 3 4; do
		echo "exit 0" > "$1/t/pass$i.t" || return 1
	done &&
	printf "echo the sum was wrong\nexit 1\n" > "$1/t/fail.t"
}

runners_of() {
	grep -c "	runner-up	local	" "$1/.distributest/log"
}

# The plan says how many runners a run starts: in a real run, one runner
# may do every file before the others are up, on a busy machine.
test_expect_success '-n N, -j N and --jobs N set the runners' '
	mixed_project m &&
	(cd m && test_expect_code 1 distributest -n 3) > out &&
	test_grep "5 files, 5 examples, 1 failure in" out &&
	(cd m && distributest -d -n 3) > out &&
	test_grep "5 files, 3 runners;" out &&
	(cd m && distributest -d --jobs=2) > out &&
	test_grep "5 files, 2 runners;" out &&
	(cd m && distributest -d --jobs 1) > out &&
	test_grep "5 files, 1 runner;" out &&
	(cd m && distributest -qdn 2) > out &&
	test_grep "5 files, 2 runners;" out
'

test_expect_success '-j auto is a runner per processor' '
	(cd m && distributest -d -j auto) > out &&
	n=$(getconf _NPROCESSORS_ONLN) &&
	if test "$n" -gt 5; then n=5; fi &&
	test_grep "5 files, $n runner" out
'

test_expect_success '-n 0 is a usage error; --nodes has no short form' '
	(cd m && test_expect_code 100 distributest -n 0) 2> err &&
	test_grep "-j 0: " err &&
	(cd m && test_expect_code 100 distributest --jobs) 2> err &&
	test_grep "option -j needs a value" err
'

test_expect_success '--help lists every option on one screen' '
	distributest --help > out &&
	test_line_count -le 30 out &&
	for o in -j -n --jobs -C -c -s --seed -S --no-split -q --quiet -v \
	    --verbose --color -d --dry-run -p --print-config -t --timings \
	    --nodes -h --help -V --version; do
		grep -e "^  .*$o[ ,=[]" out > /dev/null || { echo "no $o"; return 1; }
	done &&
	distributest -h > out2 && test_cmp out out2
'

test_expect_success '-q: no line for a passing file, the failure in full, the summary' '
	(cd m && test_expect_code 1 distributest -q) > out &&
	! grep "^passed" out &&
	test_grep "failed t/fail.t" out &&
	test_grep "the sum was wrong" out &&
	test_grep "5 files, 5 examples, 1 failure in" out
'

test_expect_success 'without -q, off a terminal, a line per file' '
	(cd m && test_expect_code 1 distributest) > out &&
	grep "^passed" out > passed &&
	test_line_count = 4 passed
'

test_expect_success 'off a terminal, silence becomes a progress line' '
	make_command_project slow &&
	echo "sleep 3" > slow/t/slow.t &&
	(cd slow && DISTRIBUTEST_PROGRESS=1 distributest -q) > out &&
	grep "^progress: 0 of 1 files, 1 running, 0 failed, [0-9]*s$" out
'

test_expect_success 'a bad DISTRIBUTEST_PROGRESS is a usage error' '
	(cd slow && DISTRIBUTEST_PROGRESS=0 test_expect_code 100 distributest) 2> err &&
	test_grep "DISTRIBUTEST_PROGRESS=0: too small (expected 1 to 86400 seconds)" err
'

test_expect_success 'no escape codes off a terminal unless asked' '
	(cd m && test_expect_code 1 distributest) > out &&
	! grep "$(printf "\033")" out &&
	(cd m && test_expect_code 1 distributest --color=always) > out &&
	grep "$(printf "\033")\[31mfailed" out &&
	grep "$(printf "\033")\[32mpassed" out &&
	(cd m && test_expect_code 100 distributest --color=sometimes) 2> err &&
	test_grep "--color=sometimes: not auto, always or never" err
'

test_expect_success RSPEC 'under GitHub Actions a failure is an annotation on its line' '
	mkdir -p gh/spec &&
	cat > gh/spec/sum_spec.rb <<-\EOF &&
	RSpec.describe "Sum" do
	  it "adds" do
	    expect(1 + 1).to eq(3)
	  end
	end
	EOF
	(cd gh && GITHUB_ACTIONS=true test_expect_code 1 distributest) > out &&
	grep "^::error file=spec/sum_spec.rb,line=2,title=Sum adds::.*expected: 3" out &&
	(cd gh && unset GITHUB_ACTIONS && test_expect_code 1 distributest) > out &&
	! grep "^::error" out
'

test_expect_success 'under GitHub Actions the annotation escapes its fields' '
	make_command_project esc &&
	printf "echo \"50%%, a: b\"\nexit 1\n" > esc/t/odd,name.t &&
	(cd esc && GITHUB_ACTIONS=true test_expect_code 1 distributest) > out &&
	grep "^::error file=t/odd%2Cname.t,title=t/odd%2Cname.t::" out
'

test_expect_success 'a framework flag that cannot work in a runner is a usage error, with why' '
	mkdir -p lf/tests && touch lf/pytest.ini &&
	echo "def test_a(): pass" > lf/tests/test_a.py &&
	(cd lf && test_expect_code 100 distributest -- -q --lf) 2> err &&
	test_grep "dt-config: after --: --lf cannot work in a runner: it selects or orders tests by pytest" err &&
	! grep "dt-feed\|interrupted" err &&
	(cd lf && test_expect_code 100 distributest -- -n4) 2> err &&
	test_grep "distributest -n N sets their number" err &&
	mkdir -p lf/.distributest &&
	printf "[run]\nargs = -q --stepwise\n" > lf/.distributest/config &&
	(cd lf && test_expect_code 100 distributest) 2> err &&
	test_grep "lf/.distributest/config:2: args: --stepwise cannot work in a runner" err &&
	mkdir -p rs/spec &&
	echo "RSpec.describe(1) { it(\"is\") { } }" > rs/spec/a_spec.rb &&
	(cd rs && test_expect_code 100 distributest -- --only-failures) 2> err &&
	test_grep "after --: --only-failures cannot work in a runner" err
'

# The run under a pseudo-terminal, as a user at a terminal sees it; the
# status is the run's.
on_tty() {
	TERM=xterm script -qec "$1" /dev/null < /dev/null
}

test_expect_success 'on a terminal: colours, and a status line a few times a second at most' '
	make_command_project many &&
	for i in $(seq 1 40); do
		echo "sleep 0.05" > many/t/f$i.t || return 1
	done &&
	echo "exit 1" > many/t/zfail.t &&
	start=$(date +%s) &&
	test_expect_code 1 on_tty "cd many && distributest -j 4" > out &&
	end=$(date +%s) &&
	grep "$(printf "\033")\[31mFAIL" out &&
	! grep "\[0/0 files" out &&
	n=$(grep -o "$(printf "\r\033")\[K$(printf "\033")\[2m\[" out | wc -l) &&
	test "$n" -ge 1 &&
	test "$n" -le $(( (end - start + 1) * 6 + 10 ))
'

test_expect_success 'on a terminal NO_COLOR turns colours off, not the status line' '
	test_expect_code 1 on_tty "cd many && NO_COLOR=1 distributest -j 4" > out &&
	! grep "$(printf "\033")\[3[12]m" out &&
	grep "$(printf "\r\033")\[K\[" out
'

test_done
