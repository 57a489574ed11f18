#!/bin/sh
# From the command to the tests: how soon a run's first test starts and
# how close the run comes to its bound when one file sets it, side by side with the same runs without the preloaded
# template (preload = no: every runner boots RSpec itself), without the
# boot priority (DT_BOOT_NICE=0: every runner boots alike) and with
# parallel_rspec (no copy, no trees, one rspec per process).  How soon
# every runner is busy, by the project's size, is bench/trees.sh's.
#
# 1. The critical path: 40 RSpec files, the longest one example of 4.0 s
#    (it cannot be split), the rest two examples of 0.3 s; BOOT_RUNNERS
#    (8) runners, second runs (timings known).  Reported, as medians of
#    BOOT_REPS (5) runs taking turns: wall time, its ratio to the 4.0 s
#    bound, and the time from the command to the first test; then the
#    same project with a Gemfile of rspec (and its Gemfile.lock), which
#    each runner, or the template, sets up as `bundle exec` would; then
#    the same files as pytest tests, beside pytest-xdist (by file, as
#    distributest hands them out, with no order by time).
# 2. One file: distributest -j BOOT_RUNNERS on one of part 1's files (two
#    examples of 0.3 s, so two parts), beside rspec and parallel_rspec on
#    it; wall time, CPU time (user and system, of every process of the
#    run) and, for distributest, the runners that came up: the finder
#    lists the file after the node is ready, and the runners beyond what
#    it needs are stopped while they boot (dt-feed's cap).
#
# About 5 minutes on 2 cores.  Environment: BOOT_RUNNERS, BOOT_REPS,
# BOOT_DISTRIBUTEST (default this tree's bin/distributest).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
N=${BOOT_RUNNERS:-8}
REPS=${BOOT_REPS:-5}
dt=${BOOT_DISTRIBUTEST:-$top/bin/distributest}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup boot

# The log's first assign, in seconds since the epoch: it names no day.
first_assign() {
	t=$(grep -m1 "	assign	" "$1/.distributest/log" | cut -c1-12)
	date -d "$(date -d "@${2%.*}" +%F) $t" +%s.%N
}

# $1: name, $2: directory, then the command; appends wall and
# time-to-first-test to $work/w-NAME and $work/f-NAME.
timed() {
	name=$1 dir=$2
	shift 2
	s=$(date +%s.%N)
	(cd "$dir" && "$@") > "$work/out" 2>&1 || {
		tail -20 "$work/out" >&2
		exit 1
	}
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/w-$name"
	if [ "${name%pt}" = "$name" ] && [ "$name" != xdist ]; then
		echo "$s $(first_assign "$dir" "$s")" |
			awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/f-$name"
	fi
}

mkdir -p "$work/crit/spec"
i=1
while [ "$i" -le 39 ]; do
	printf 'RSpec.describe "f%d" do\n  it "a" do sleep 0.3 end\n  it "b" do sleep 0.3 end\nend\n' \
		"$i" > "$work/crit/spec/f${i}_spec.rb"
	i=$((i + 1))
done
printf 'RSpec.describe "long" do\n  it "x" do sleep 4.0 end\nend\n' \
	> "$work/crit/spec/long_spec.rb"
"$dt" -C "$work/crit" -j "$N" > /dev/null 2>&1 || true
mkdir -p "$work/crit/tmp"
(cd "$work/crit" && parallel_rspec -n "$N" -o "--format progress --format ParallelTests::RSpec::RuntimeLogger --out tmp/parallel_runtime_rspec.log" \
	spec > /dev/null 2>&1) || true

# The same with a Gemfile that resolves, as most projects have: each
# runner sets its bundle up, or the template does once.
cp -R "$work/crit" "$work/gem"
rm -rf "$work/gem/.distributest/log"*
printf 'source "https://rubygems.org"\ngem "rspec"\n' > "$work/gem/Gemfile"
(cd "$work/gem" && bundle3.1 lock --local > /dev/null 2>&1) ||
	(cd "$work/gem" && bundle lock --local > /dev/null)
"$dt" -C "$work/gem" -j "$N" > /dev/null 2>&1 || true

# And pytest's: the same files as pytest tests.
mkdir -p "$work/py/tests" "$work/py/.distributest"
printf '[run]\nframework = pytest\n' > "$work/py/.distributest/config"
i=1
while [ "$i" -le 39 ]; do
	printf 'import time\n\n\ndef test_a():\n    time.sleep(0.3)\n\n\ndef test_b():\n    time.sleep(0.3)\n' \
		> "$work/py/tests/test_f$i.py"
	i=$((i + 1))
done
printf 'import time\n\n\ndef test_long():\n    time.sleep(4.0)\n' > "$work/py/tests/test_long.py"
"$dt" -C "$work/py" -j "$N" > /dev/null 2>&1 || true

printf '[run]\npreload = no\n' > "$work/cold.conf"
k=0
while [ "$k" -lt "$REPS" ]; do
	timed nice "$work/crit" "$dt" -j "$N"
	timed cold "$work/crit" "$dt" -c "$work/cold.conf" -j "$N"
	timed alike "$work/crit" env DT_BOOT_NICE=0 "$dt" -j "$N"
	timed pt "$work/crit" parallel_rspec -n "$N" --group-by runtime spec
	timed gem "$work/gem" "$dt" -j "$N"
	timed gemcold "$work/gem" "$dt" -c "$work/cold.conf" -j "$N"
	timed gempt "$work/gem" parallel_rspec -n "$N" --group-by runtime spec
	timed py "$work/py" "$dt" -j "$N"
	timed pycold "$work/py" "$dt" -c "$work/cold.conf" -j "$N"
	timed xdist "$work/py" /usr/bin/python3 -m pytest -q -p no:cacheprovider -n "$N" --dist loadfile
	k=$((k + 1))
done
echo "1. 40 RSpec files, the longest 4.0 s, $N runners, $(nproc) cores, second runs (medians of $REPS)"
printf '%-44s %8s %8s %10s\n' run wall /bound "first test"
for v in "nice:distributest (preloaded, runner 1 first)" "cold:distributest, preload = no" \
	"alike:distributest, DT_BOOT_NICE=0" \
	"pt:parallel_rspec --group-by runtime" "gem:with a Gemfile: distributest (preloaded)" \
	"gemcold:with a Gemfile: preload = no" \
	"gempt:with a Gemfile: parallel_rspec" "py:pytest: distributest (preloaded)" \
	"pycold:pytest: preload = no" "xdist:pytest -n $N --dist loadfile (xdist)"; do
	w=$(median < "$work/w-${v%%:*}")
	f=-
	[ -s "$work/f-${v%%:*}" ] && f=$(median < "$work/f-${v%%:*}")
	printf '%-44s %7.2fs %7.2fx %10s\n' "${v#*:}" "$w" "$(echo "$w / 4.0" | bc -l)" "$f"
done

# 2. One file.
one() {
	name=$1
	shift
	(cd "$work/crit" && /usr/bin/time -f "%e %U %S" -o "$work/time" "$@") \
		> "$work/out" 2>&1 || {
		tail -20 "$work/out" >&2
		exit 1
	}
	awk '{ printf "%.3f\n", $1 }' "$work/time" >> "$work/o-$name"
	awk '{ printf "%.3f\n", $2 + $3 }' "$work/time" >> "$work/c-$name"
	if [ "$name" = dt ]; then
		grep -c "	runner-up	" "$work/crit/.distributest/log" >> "$work/u-$name" || true
	fi
}
k=0
while [ "$k" -lt "$REPS" ]; do
	one dt "$dt" -j "$N" spec/f1_spec.rb
	one rspec rspec spec/f1_spec.rb
	one pt parallel_rspec -n "$N" spec/f1_spec.rb
	k=$((k + 1))
done
echo
echo "2. one file of two 0.3 s examples, $N runners asked (medians of $REPS)"
printf '%-44s %8s %8s %8s\n' run wall cpu runners
for v in "dt:distributest -j $N FILE" "rspec:rspec FILE" "pt:parallel_rspec -n $N FILE"; do
	u=-
	[ -s "$work/u-${v%%:*}" ] && u=$(median < "$work/u-${v%%:*}")
	printf '%-44s %7.2fs %7.2fs %8s\n' "${v#*:}" "$(median < "$work/o-${v%%:*}")" \
		"$(median < "$work/c-${v%%:*}")" "$u"
done
