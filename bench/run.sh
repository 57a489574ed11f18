#!/bin/sh
# make bench: the example RSpec suite (40 files, about 28 s of sleeping
# work) run side by side, same machine, same runner count, by serial rspec,
# GNU parallel (one rspec per file), parallel_tests (plain, then with
# --group-by runtime) and distributest (first run without timings, then
# with them).  Each is reported as wall time and as a ratio to the lower
# bound: the longest file, or the work divided by the runners.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
N=${BENCH_RUNNERS:-8}
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$top/examples/rspec-sleep" "$work/suite"
cd "$work/suite"
rm -rf .distributest tmp log

now() { date +%s.%N; }
# time_of CMD...: wall seconds of one run, output discarded.
time_of() {
	t0=$(now)
	"$@" > "$work/out" 2>&1 || { echo "bench: $* failed:" >&2; tail -20 "$work/out" >&2; exit 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

nfiles=$(find spec -name '*_spec.rb' | wc -l)

echo "distributest benchmark: examples/rspec-sleep, $nfiles files, $N runners, $(nproc) cores"
echo

# Per-file times, measured once by rspec itself, give the lower bound.
rspec --format json --out "$work/times.json" spec > /dev/null 2>&1 || true
bound=$(ruby -rjson -e '
	t = Hash.new(0.0)
	JSON.parse(File.read(ARGV[0]))["examples"].each { |e| t[e["file_path"]] += e["run_time"] }
	work = t.values.sum
	printf("%.3f %.3f %.3f\n", [t.values.max, work / Integer(ARGV[1])].max, t.values.max, work)
' "$work/times.json" "$N")
# shellcheck disable=SC2086 # three numbers, split on purpose
set -- $bound
lb=$1 longest=$2 total=$3

serial=$(time_of rspec spec)
gnu=$(time_of sh -c "find spec -name '*_spec.rb' -print0 | parallel -0 -j $N rspec {}")
# Its first run records the times its --group-by runtime needs.
mkdir -p tmp
pt=$(time_of parallel_rspec -n "$N" -o "--format progress --format ParallelTests::RSpec::RuntimeLogger --out tmp/parallel_runtime_rspec.log" spec)
pt2=$(time_of parallel_rspec -n "$N" --group-by runtime spec)
rm -rf .distributest
dt1=$(time_of "$top/bin/distributest" -j "$N")
dt2=$(time_of "$top/bin/distributest" -j "$N")

row() { printf '%-44s %8.2fs %8.2fx\n' "$1" "$2" "$(echo "$2 / $lb" | bc -l)"; }
printf '%-44s %9s %9s\n' "run" "wall" "/bound"
row "lower bound (longest $longest s, work $total s / $N)" "$lb"
row "rspec, serial (one process)" "$serial"
row "GNU parallel -j $N, rspec per file" "$gnu"
row "parallel_rspec -n $N, first run" "$pt"
row "parallel_rspec -n $N --group-by runtime" "$pt2"
row "distributest -j $N, first run (no timings)" "$dt1"
row "distributest -j $N, second run (timings)" "$dt2"
echo
printf 'distributest second run vs GNU parallel: %.2fx faster\n' "$(echo "$gnu / $dt2" | bc -l)"
printf 'distributest second run vs parallel_rspec --group-by runtime: %.2fx faster\n' "$(echo "$pt2 / $dt2" | bc -l)"
