#!/bin/sh
test_description='nothing malformed gets through: numbers in events, NUL bytes in the configuration, bad lines of the timings'
. "$(dirname "$0")/test-lib.sh"

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	ev set timings "$TRASH/proj/.distributest/timings"
	ev runner-up n1 1 id1
	ev assign n1 1 t/a.t
}

# The events of a run, then line $1 as the 6th: dt-collect must refuse it
# with 101, naming the line and what is wrong ($2).
refused() {
	{ head_events; printf '%s\n' "$1"; ev 'done' n1 1 t/a.t passed 1 1 0 0 0; ev end complete; } > in &&
	test_expect_code 101 dt-collect < in > out 2> err &&
	test_grep "dt-collect: stdin line 6: $2" err &&
	test "$(grep -c "^dt-collect: " err)" = 1
}

tab=$(printf '\t')
D="done${tab}n1${tab}1${tab}t/a.t${tab}passed"

mkdir -p proj/.distributest

while IFS='|' read -r what line why; do
	test_expect_success "refused: $what" 'refused "$line" "$why"'
done <<EOF
seconds-nan|$D${tab}nan${tab}1${tab}0${tab}0${tab}0|done: SECONDS "nan" is not a decimal number (expected 0 to 1000000000)
seconds-inf|$D${tab}inf${tab}1${tab}0${tab}0${tab}0|done: SECONDS "inf" is not a decimal number
seconds-exponent|$D${tab}1e300${tab}1${tab}0${tab}0${tab}0|done: SECONDS "1e300" is not a decimal number
seconds-negative|$D${tab}-5${tab}1${tab}0${tab}0${tab}0|done: SECONDS "-5" is too small
seconds-over-1e9|$D${tab}1000000000.5${tab}1${tab}0${tab}0${tab}0|done: SECONDS "1000000000.5" is too large
seconds-empty|$D${tab}${tab}1${tab}0${tab}0${tab}0|done: SECONDS "" is empty
seconds-blank|$D${tab} 1${tab}1${tab}0${tab}0${tab}0|done: SECONDS " 1" is not a decimal number
seconds-hex|$D${tab}0x10${tab}1${tab}0${tab}0${tab}0|done: SECONDS "0x10" is not a decimal number
examples-negative|$D${tab}1${tab}-5${tab}0${tab}0${tab}0|done: EXAMPLES "-5" is too small (expected 0 to 1000000000)
examples-huge|$D${tab}1${tab}99999999999999999999${tab}0${tab}0${tab}0|done: EXAMPLES "99999999999999999999" is too large
examples-exponent|$D${tab}1${tab}1e3${tab}0${tab}0${tab}0|done: EXAMPLES "1e3" is not a number
examples-plus|$D${tab}1${tab}+1${tab}0${tab}0${tab}0|done: EXAMPLES "+1" is not a number
examples-blank|$D${tab}1${tab} 1${tab}0${tab}0${tab}0|done: EXAMPLES " 1" is not a number
failures|$D${tab}1${tab}1${tab}x${tab}0${tab}0|done: FAILURES "x" is not a number
pending|$D${tab}1${tab}1${tab}0${tab}1.5${tab}0|done: PENDING "1.5" is not a number
errors|$D${tab}1${tab}1${tab}0${tab}0${tab}1000000001|done: ERRORS "1000000001" is too large
split-huge-m|split${tab}t/a.t${tab}99999999999${tab}1|split: M "99999999999" is too large (expected 2 to 4096)
split-one-part|split${tab}t/a.t${tab}1${tab}1|split: M "1" is too small
split-overhead|split${tab}t/a.t${tab}2${tab}nan|split: OVERHEAD "nan" is not a decimal number
tests-end-count|tests-end${tab}-1|tests-end: COUNT "-1" is too small
runner-zero|runner-up${tab}n1${tab}0${tab}id|runner-up: R "0" is too small (expected 1 to 1024)
runner-word|out${tab}n1${tab}one${tab}t/a.t${tab}text|out: R "one" is not a number
runner-huge|fail${tab}n1${tab}1025${tab}t/a.t${tab}failure${tab}d${tab}l${tab}m|fail: R "1025" is too large
unit-seconds|unit${tab}n1${tab}1${tab}t/a.t${tab}1:1${tab}-0.5|unit: SECONDS "-0.5" is too small
part-over|assign${tab}n1${tab}1${tab}t/a.t${tab}3/2|assign: K/M "3/2" is not a part K of M (expected 1 <= K <= M, 2 <= M <= 4096)
part-zero|$D${tab}1${tab}1${tab}0${tab}0${tab}0${tab}0/2|done: K/M "0/2" is not a part K of M
part-word|lost${tab}t/a.t${tab}gone${tab}1/x|lost: K/M "1/x" is not a part K of M
synced|synced${tab}n1${tab}soon|synced: SECONDS "soon" is not a decimal number
ready|ready${tab}n1${tab}-1|ready: SECONDS "-1" is too small
size|test${tab}t/a.t${tab}-1|test: SIZE "-1" is too small
node-runners|node${tab}n1${tab}2000${tab}local${tab}ssh${tab}wd|node: RUNNERS "2000" is too large
EOF

# A field of 30 tabs and x, escaped: shown as its first 40 bytes.
long=$(printf 'x\\t%.0s' $(seq 30))
cut=$(printf 'x\\t%.0s' $(seq 20))
test_expect_success 'a long bad field is shown escaped and cut short' '
	refused "$D${tab}$long${tab}1${tab}0${tab}0${tab}0" \
	    "done: SECONDS \"$cut...\" is not a decimal number"
'

test_expect_success 'a part of a file split in another number of parts is refused' '
	{ ev hello distributest-events 2 test;
	  ev runner-up n1 1 id1;
	  ev split t/a.t 2 0.5;
	  ev assign n1 1 t/a.t 1/2;
	  ev done n1 1 t/a.t passed 1 1 0 0 0 1/3;
	  ev end complete; } |
	test_expect_code 101 dt-collect > out 2> err &&
	test_grep "dt-collect: stdin line 5: done: part 1/3 of t/a.t, which was split in 2 parts" err
'

test_expect_success 'numbers at their limits are taken' '
	rm -f proj/.distributest/timings &&
	{ ev hello distributest-events 2 test;
	  ev set timings "$TRASH/proj/.distributest/timings";
	  ev node n1 1024 local ssh wd;
	  ev test t/a.t 9223372036854775807;
	  ev test t/b.t 0;
	  ev tests-end 2 all;
	  ev synced n1 0;
	  ev ready n1 0.000;
	  ev runner-up n1 1024 id;
	  ev split t/b.t 4096 0;
	  ev assign n1 1024 t/a.t "";
	  ev unit n1 1024 t/a.t 1:1 1000000000;
	  ev done n1 1024 t/a.t passed 007.50 1000000000 0 0 0 "";
	  ev end complete; } | dt-collect > out 2> err &&
	test_grep "1 file, 1000000000 examples" out &&
	test_grep "passed t/a.t (7.50s, n1/1024)" out &&
	test_grep "$(printf "t/a.t\t1000000000.000\t1000000000.000\t1:1")" proj/.distributest/timings &&
	! grep "^dt-collect: " err
'

# A comment whose NUL byte hid the rest of its line: past the 199 bytes
# inih reads at once, the rest was a line of its own, here a command.
test_expect_success 'a NUL byte in the configuration is refused with FILE:LINE' '
	mkdir -p cproj/t &&
	{ printf "[run]\nframework = command\n# note\000" &&
	  head -c 192 /dev/zero | tr "\000" p &&
	  printf "command = touch %s/pwned {}\n" "$TRASH"; } > cproj/nul.conf &&
	test_expect_code 100 dt-config -C cproj -c cproj/nul.conf > out 2> err &&
	test_grep "dt-config: cproj/nul.conf:3: NUL byte in line" err &&
	! grep "^set	command" out &&
	printf "[run]\nframework = command\ncommand = sh {}\000\n" > cproj/nul2.conf &&
	test_expect_code 100 dt-config -C cproj -c cproj/nul2.conf > out 2> err &&
	test_grep "nul2.conf:3: NUL byte in line" err
'

test_expect_success 'the project configuration too' '
	printf "[run]\n\000framework = command\n" > cproj/.distributest-config &&
	mkdir -p cproj/.distributest &&
	mv cproj/.distributest-config cproj/.distributest/config &&
	test_expect_code 100 dt-config -C cproj > out 2> err &&
	test_grep "cproj/.distributest/config:2: NUL byte in line" err
'

good_and_bad_timings() {
	printf "distributest-timings\t2\n" &&
	printf "t/keep.t\t3.000\t3.000\n" &&
	printf "t/nan.t\tnan\n" &&
	printf "t/b\\\\x.t\t1\n" &&
	printf "t/also.t\t4.000\t4.000,4.000\n"
}

test_expect_success 'dt-collect keeps the good lines of the timings, naming the bad' '
	good_and_bad_timings > proj/.distributest/timings &&
	{ head_events; ev done n1 1 t/a.t passed 1.5 1 0 0 0; ev end complete; } |
	dt-collect > out 2> err &&
	test_grep "timings: line 3 dropped: seconds \"nan\" is not a decimal number" err &&
	test_grep "timings: line 4 dropped: unknown escape" err &&
	test "$(grep -c "^dt-collect: " err)" = 2 &&
	printf "distributest-timings\t2\nt/a.t\t1.500\t1.500\nt/also.t\t4.000\t4.000,4.000\nt/keep.t\t3.000\t3.000\n" > want &&
	test_cmp want proj/.distributest/timings
'

test_expect_success 'dt-timings shows the good lines, naming the bad' '
	good_and_bad_timings > bad.t &&
	"$LIBEXEC/dt-timings" bad.t > out 2> err &&
	test_grep "bad.t: line 3 dropped" err &&
	test_grep "t/keep.t" out &&
	test_grep "2 files, 7.00s in all" out
'

test_expect_success 'many bad lines: ten named, the rest counted' '
	{ printf "distributest-timings\t2\nt/ok.t\t1\n" &&
	  for i in $(seq 15); do printf "t/%s.t\t-%s\n" "$i" "$i"; done; } > many.t &&
	"$LIBEXEC/dt-timings" many.t > out 2> err &&
	test "$(grep -c "^dt-timings: " err)" = 11 &&
	test_grep "many.t: line 12 dropped" err &&
	test_grep "many.t: 5 more bad lines dropped" err &&
	test_grep "1 file, 1.00s in all" out
'

test_expect_success 'the plan keeps the times of the good lines' '
	make_command_project plan &&
	printf "true\n" > plan/t/a.t && printf "true\n" > plan/t/b.t &&
	printf "distributest-timings\t2\nt/a.t\t2.000\nt/b.t\t1e3\n" > plan/.distributest/timings &&
	(cd plan && distributest --dry-run -j 1) > out 2> err &&
	test_grep "timings: line 3 dropped" err &&
	test_grep "2 files, 1 runner; 1 timed" out
'

test_expect_success 'an empty table reads as one' '
	printf "distributest-timings\t2\n" > empty.t &&
	"$LIBEXEC/dt-timings" empty.t > out &&
	test_grep "0 files, 0.00s in all" out &&
	"$LIBEXEC/dt-timings" -m merged.t empty.t empty.t &&
	printf "distributest-timings\t2\n" > want &&
	test_cmp want merged.t &&
	{ head_events; ev done n1 1 t/a.t passed 1 1 0 0 0; ev end complete; } |
	dt-collect > out
'

# An adapter's numbers are checked on the node: a bad one takes that
# runner down, and never reaches dt-collect as a malformed line.
test_expect_success 'an adapter that reports a bad count takes its runner down, not the run' '
	mkdir -p fake adcopy/t &&
	for p in "$LIBEXEC"/*; do ln -sf "$p" "fake/${p##*/}" || return 1; done &&
	rm -f fake/dt-spawn && cp "$LIBEXEC/dt-spawn" fake/dt-spawn &&
	cat > fake/adapter-bad <<-\EOF &&
	#!/bin/sh
	echo ready >&3
	read -r req
	printf "done\tpassed\t1\t-1\t0\t0\n" >&3
	sleep 1
	EOF
	chmod +x fake/adapter-bad &&
	: > adcopy/t/a.t &&
	rm -f out &&
	{ ev hello distributest-channel 2 test; ev set dir "$TRASH/adcopy";
	  ev set framework bad; ev set id dt_bad; ev start 1;
	  test_wait_for "^runner-up	1	" out; ev run 1 t/a.t;
	  test_wait_for "^runner-down	1	" out; } |
	fake/dt-spawn > out &&
	test_grep "adapter line 2: done: field 3 \"-1\"" out &&
	! grep "^done	" out
'

test_expect_success 'every stage checks the numbers of the events it reads, not only dt-collect' '
	for stage in dt-sync dt-prep dt-feed; do
		{ ev hello distributest-events 2 test; ev tests-end -3; } |
		test_expect_code 101 $stage > /dev/null 2> err &&
		test_grep "$stage: stdin line 2: tests-end: COUNT \"-3\"" err || return 1
	done
'

test_done
