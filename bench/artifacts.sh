#!/bin/sh
# What bringing artifacts home adds to a run: the same project run with
# and without an `artifacts` setting, side by side, the configurations
# taking turns.  The baseline is the run without: its tests write the same
# files, which then stay in the runners' trees and are removed with them.
#
# The project: ARTIFACTS_FILES command-framework test files, each writing
# ARTIFACTS_KB kilobytes under out/ and sleeping 0.2 s, on the local node
# with ARTIFACTS_RUNNERS runners.  Reported: the median wall time of each,
# their difference and ratio, and the artifacts' count and size.  The
# difference is what the end of a run costs for them: moving them aside
# when the runners have ended, the artifacts line, and one rsync home.
#
# About 40 s on 2 cores (8 runners share them).
# Environment: ARTIFACTS_FILES (default 32), ARTIFACTS_KB (default 100),
# ARTIFACTS_RUNNERS (default 8), ARTIFACTS_REPS (default 5).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
FILES=${ARTIFACTS_FILES:-32}
KB=${ARTIFACTS_KB:-100}
RUNNERS=${ARTIFACTS_RUNNERS:-8}
REPS=${ARTIFACTS_REPS:-5}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup artifacts

make_project() {
	mkdir -p "$1/t" "$1/.distributest"
	printf '[run]\nframework = command\ncommand = sh {}\ntests = t/*.t\n' \
		> "$1/.distributest/config"
	i=1
	while [ "$i" -le "$FILES" ]; do
		printf 'mkdir -p out && head -c %d /dev/zero > out/f%d.bin && sleep 0.2\n' \
			$((KB * 1024)) "$i" > "$1/t/f$i.t"
		i=$((i + 1))
	done
}
make_project "$work/without"
make_project "$work/with"
printf 'artifacts = out/\n' >> "$work/with/.distributest/config"


run() {
	s=$(date +%s.%N)
	(cd "$work/$1" && "$top/bin/distributest" -j "$RUNNERS") > "$work/out" 2>&1 ||
		{ cat "$work/out" >&2; exit 1; }
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/t-$1"
}

# One untimed run each: the copies are made, the timings written.
run without
run with
: > "$work/t-without"
: > "$work/t-with"
r=0
while [ "$r" -lt "$REPS" ]; do
	run without
	run with
	r=$((r + 1))
done
n=$(find "$work/with/.distributest/artifacts" -type f ! -name roots | wc -l)
[ "$n" -eq "$FILES" ] || {
	echo "artifacts: $n files came home, not $FILES" >&2
	exit 1
}
a=$(median < "$work/t-without")
b=$(median < "$work/t-with")
grep '^artifacts:' "$work/out"
echo "$a $b" | awk -v f="$FILES" -v r="$RUNNERS" -v k="$KB" '{
	printf "%d files on %d runners, %d kB each: without artifacts %.2fs, with %.2fs (+%.2fs, %.2fx), median of runs side by side\n",
	    f, r, k, $1, $2, $2 - $1, $2 / $1 }'
