#!/bin/sh
# A heavy-tailed RSpec suite, the scheduling problem at its hardest: 240
# spec files generated the same every run (a fixed-seed generator), 237 of
# them with 1 to 4 examples that sleep for a bounded Pareto draw (0.04 s to
# 3 s, alpha 1.1: most files short, a few long) scaled to 35 s in all, and
# 3 files far longer than the rest (6, 7 and 8 s, of 6, 7 and 8 one-second
# examples, which a runner could split by example).  File sizes are padded
# at random, so that size says nothing of time and a first run orders
# files blind.  56 s of work: with 8 runners the longest file (8 s) is the
# bound, and with the example as the unit, the work shared evenly (7 s).
#
# Run side by side on the same machine with the same N runners: GNU
# parallel (one rspec per file), parallel_rspec (a first run that records
# runtimes with ParallelTests::RSpec::RuntimeLogger, then --group-by
# runtime) and distributest (a first run without timings, a second with
# those of the first, and, when the front end has --no-split, the second
# run again without splitting files by example).  Each is reported as wall
# time and as a ratio to the lower bound: the longest file, or the work
# divided by N; and to the bound when the longest unit is an example.
# Every run's example and failure counts are checked.
#
# About 80 s on 2 cores (the examples sleep, so 8 runners are real).
# Environment: BENCH_RUNNERS (default 8), HEAVY_SERIAL=1 also runs the
# suite serially (one rspec process: the work plus a boot, a minute more);
# HEAVY_KEEP=1 keeps the work directory (outputs, logs, the suite).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
N=${BENCH_RUNNERS:-8}
LIMIT=300	# seconds any one run may take
if [ ! -x "$L/dt-feed" ]; then
	echo "heavy: $L/dt-feed is missing: run 'make -s all' first" >&2
	exit 1
fi
for p in rspec parallel parallel_rspec bc; do
	command -v "$p" > /dev/null || {
		echo "heavy: $p is missing: make DEPS=\"parallel ruby-parallel-tests bc\" deps" >&2
		exit 1
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-heavy.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	if [ -n "${HEAVY_KEEP:-}" ]; then
		echo "heavy: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# No configuration but the project's; the copies go under this HOME.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
export DISTRIBUTEST_SYSTEM_CONFIG=
mkdir -p "$HOME/.parallel" "$work/suite/spec/unit" "$work/suite/spec/slow"
: > "$HOME/.parallel/will-cite"
cd "$work/suite"

# The suite, and in "$work/units" one line per file: path, seconds,
# examples, longest example.
awk -v units="$work/units" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function pareto(lo, hi, a) { return lo / (1 - rnd() * (1 - (lo / hi) ^ a)) ^ (1 / a) }
# spec(PATH, NAME, N): a file of N examples sleeping d[1..N], padded with
# PAD comment lines.
function spec(path, name, n, pad,   k, s, m) {
	printf "# frozen_string_literal: true\n" > path
	for (k = 1; k <= pad; k++)
		printf "# padding line %d: size says nothing of time here\n", k > path
	printf "RSpec.describe \"%s\" do\n", name > path
	s = m = 0
	for (k = 1; k <= n; k++) {
		printf "  it(\"example %d\") { sleep %.3f; expect(%d + 1).to eq(%d) }\n", k, d[k], k, k + 1 > path
		s += d[k]
		if (d[k] > m)
			m = d[k]
	}
	printf "end\n" > path
	close(path)
	printf "%s %.3f %d %.3f\n", path, s, n, m > units
}
BEGIN {
	# Draw every file first, then scale them to 35 s in all.
	seed = 42
	for (i = 1; i <= 237; i++) {
		t[i] = pareto(0.04, 3, 1.1)
		sum += t[i]
		ne[i] = 1 + int(rnd() * 4)
		for (k = 1; k <= ne[i]; k++)
			w[i, k] = 0.5 + rnd()
		pad[i] = int(rnd() * 60)
	}
	for (i = 1; i <= 237; i++) {
		sw = 0
		for (k = 1; k <= ne[i]; k++)
			sw += w[i, k]
		for (k = 1; k <= ne[i]; k++)
			d[k] = sprintf("%.3f", 35 * t[i] / sum * w[i, k] / sw) + 0
		spec(sprintf("spec/unit/u%03d_spec.rb", i), sprintf("unit %03d", i), ne[i], pad[i])
	}
	for (i = 6; i <= 8; i++) {
		for (k = 1; k <= i; k++)
			d[k] = 1
		spec(sprintf("spec/slow/slow%d_spec.rb", i), sprintf("slow %d", i), i, int(rnd() * 20))
	}
}'
# rspec is found by spec/, and parallel_rspec finds spec/**/*_spec.rb.
mkdir -p tmp

nfiles=$(wc -l < "$work/units")
# shellcheck disable=SC2046 # numbers, split on purpose
set -- $(awk -v n="$N" '
	{ w += $2; e += $3; if ($2 > lf) lf = $2; if ($4 > le) le = $4 }
	END {
		printf "%.3f %.3f %d %.3f %.3f %.3f\n", w, w / n, e, lf, le,
		    (lf > w / n ? lf : w / n)
	}' "$work/units")
total=$1 share=$2 nex=$3 lfile=$4 lex=$5 lb=$6
lbx=$(echo "if ($lex > $share) $lex else $share" | bc -l)

now() { date +%s.%N; }
# time_of NAME CMD...: wall seconds of one run, its output in
# "$work/NAME.out"; a run that fails or outlasts LIMIT stops the benchmark.
time_of() {
	name=$1
	shift
	t0=$(now)
	timeout "$LIMIT" "$@" > "$work/$name.out" 2>&1 || {
		echo "heavy: $* failed or took over ${LIMIT}s:" >&2
		tail -n 20 "$work/$name.out" >&2
		exit 1
	}
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}
# counts NAME: "EXAMPLES FAILURES RUNS" summed over every RSpec summary
# line ("N examples, M failures") of the run's output.
counts() {
	awk '/^[0-9]+ examples?, [0-9]+ failures?/ { e += $1; f += $3; r++ }
	END { print e + 0, f + 0, r + 0 }' "$work/$1.out"
}
# expect NAME RUNS: the RSpec summaries of a run add up to every example,
# no failure, in RUNS summaries.
expect() {
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(counts "$1")
	if [ "$3" != "$nex" ] || [ "$4" != 0 ] || [ "$5" != "$2" ]; then
		echo "heavy: $1: $3 examples, $4 failures in $5 summaries;" \
		    "expected $nex examples, 0 failures in $2" >&2
		tail -n 20 "$work/$1.out" >&2
		exit 1
	fi
}
# expect_pt NAME: a parallel_rspec run: a summary per process, N, which
# add up to every example, no failure, then its own summary of them all.
expect_pt() {
	last=$(grep -E '^[0-9]+ examples?, [0-9]+ failures?' "$work/$1.out" | tail -n 1)
	# shellcheck disable=SC2046
	set -- "$1" $(counts "$1")
	case $last in
	"$nex examples, 0 failures"*) ;;
	*) set -- "$1" -1 ;;
	esac
	if [ "$2" != $((2 * nex)) ] || [ "$3" != 0 ] || [ "$4" != $((N + 1)) ]; then
		echo "heavy: $1: not $N processes and $nex examples, 0 failures:" >&2
		tail -n 20 "$work/$1.out" >&2
		exit 1
	fi
}
# expect_dt NAME: a distributest run ran every example and passed (it
# exited 0; the count of files is not checked, since a run that splits
# files by example may count its units instead).
expect_dt() {
	grep -Eq "^[0-9]+ [a-z]+, $nex examples, 0 failures, 0 pending, 0 errors in " "$work/$1.out" || {
		echo "heavy: $1: not $nex examples, 0 failures, 0 errors:" >&2
		tail -n 20 "$work/$1.out" >&2
		exit 1
	}
}
# assigns: how many units the last distributest run handed out (more
# than the files when it split some by example).
assigns() {
	grep -c '	assign	' .distributest/log || true
}

if [ -n "${HEAVY_SERIAL:-}" ]; then
	serial=$(time_of serial rspec spec)
	expect serial 1
fi

gnu=$(time_of gnu sh -c "find spec -name '*_spec.rb' | sort | parallel -j $N rspec {}")
expect gnu "$nfiles"

# parallel_rspec: the first run, grouped by file size, records the
# runtimes (parallel_tests' README: the RuntimeLogger formatter into
# tmp/parallel_runtime_rspec.log, its default --runtime-log); the second
# groups by them.
rm -f tmp/parallel_runtime_rspec.log
pt1=$(time_of pt1 parallel_rspec -n "$N" --group-by filesize \
	-o "--format progress --format ParallelTests::RSpec::RuntimeLogger --out tmp/parallel_runtime_rspec.log" spec)
expect_pt pt1
logged=$(grep -c '_spec\.rb:' tmp/parallel_runtime_rspec.log || true)
if [ "$logged" != "$nfiles" ]; then
	echo "heavy: the runtime log of parallel_rspec has $logged files, not $nfiles" >&2
	exit 1
fi
pt2=$(time_of pt2 parallel_rspec -n "$N" --group-by runtime spec)
expect_pt pt2

rm -rf .distributest
dt1=$(time_of dt1 "$top/bin/distributest" -j "$N")
expect_dt dt1
a1=$(assigns)
# The second runs start from the same state: the timings of the first.
cp -R .distributest "$work/after-first"
cp .distributest/log "$work/dt1.log"
dt2=$(time_of dt2 "$top/bin/distributest" -j "$N")
expect_dt dt2
a2=$(assigns)
cp .distributest/log "$work/dt2.log"
nosplit=
# --no-split when the usage names it, or when the front end takes it
# (the usage line may list only its short form).
if "$top/bin/distributest" -h 2>&1 | grep -q -- --no-split ||
    "$top/bin/distributest" --no-split -p > /dev/null 2>&1; then
	rm -rf .distributest
	cp -R "$work/after-first" .distributest
	nosplit=$(time_of dt3 "$top/bin/distributest" -j "$N" --no-split)
	expect_dt dt3
	a3=$(assigns)
fi

echo "heavy-tailed suite: $nfiles RSpec files, $nex examples, $N runners"
echo "machine: $(uname -n), $(nproc) cores, $(date '+%Y-%m-%d %H:%M')"
echo "parameters: 237 files of 1-4 examples, bounded Pareto 0.04-3 s (alpha 1.1, seed 42)"
echo "  scaled to 35 s in all,"
echo "  3 files of 6, 7, 8 one-second examples; sizes padded at random;"
printf '  work %.2fs, longest file %.2fs, longest example %.2fs; one run of each\n' "$total" "$lfile" "$lex"
echo
row() {
	printf '%-52s %8.2fs %7.2fx %7.2fx\n' "$1" "$2" \
	    "$(echo "$2 / $lb" | bc -l)" "$(echo "$2 / $lbx" | bc -l)"
}
printf '%-52s %9s %8s %8s\n' run wall /bound /bound
printf '%-52s %9s %8s %8s\n' "" "" "(file)" "(exmpl)"
row "lower bound, unit = file: max($lfile, $total / $N)" "$lb"
row "lower bound, unit = example: max($lex, $total / $N)" "$lbx"
if [ -n "${HEAVY_SERIAL:-}" ]; then
	row "rspec, serial (one process)" "$serial"
else
	echo "rspec, serial: skipped (about the work, ${total}s; HEAVY_SERIAL=1 runs it)"
fi
row "GNU parallel -j $N, rspec per file" "$gnu"
row "parallel_rspec -n $N, first run (by file size)" "$pt1"
row "parallel_rspec -n $N --group-by runtime" "$pt2"
row "distributest -j $N, first run (no timings)" "$dt1"
row "distributest -j $N, second run (timings)" "$dt2"
if [ -n "$nosplit" ]; then
	row "distributest -j $N, second run, --no-split" "$nosplit"
else
	echo "distributest -j $N, second run, --no-split: skipped (distributest has no --no-split)"
fi
echo
# shellcheck disable=SC2086
echo "units handed out by distributest: first run $a1, second run $a2${nosplit:+, --no-split $a3} ($nfiles files)"
# vs NAME WALL: distributest's second run against another.
vs() {
	awk -v name="$1" -v w="$2" -v d="$dt2" 'BEGIN {
		if (w >= d)
			printf "distributest 2nd run is %.2fx faster than %s\n", w / d, name
		else
			printf "distributest 2nd run is %.2fx slower than %s\n", d / w, name
	}'
}
if [ -n "${HEAVY_SERIAL:-}" ]; then
	vs "rspec, serial" "$serial"
fi
vs "GNU parallel" "$gnu"
# The run's own bound counts each runner's setup (copy, boot) as well.
own=$(sed -n 's/^lower bound \(.*\): this run took \(.*\) that$/\1, took \2/p' "$work/dt2.out")
echo "distributest 2nd run against its own lower bound, setup included: $own"
vs "parallel_rspec, first run" "$pt1"
vs "parallel_rspec --group-by runtime" "$pt2"
vs "its own first run" "$dt1"
if [ -n "$nosplit" ]; then
	vs "its own second run with --no-split" "$nosplit"
fi
