#!/bin/sh
# Dispatch overhead per file: 2,000 empty test files whose test does
# nothing (the command framework, 'command = true {}'), run on N local
# runners by distributest, side by side with GNU parallel (parallel -j N
# true ::: FILES) and xargs (xargs -P N -n1 true) on the same files.  Each
# is reported as wall time per file, and as wall time less that tool's
# fixed cost (a run of one file, in a project of one file), per file:
# what handing out one more file costs, with nothing to run.  Ratios are
# against GNU parallel.  Every time is the median of DISPATCH_REPS runs.
#
# About 40 s on 2 cores.
# Environment: DISPATCH_FILES (default 2000), DISPATCH_RUNNERS (default 4),
# DISPATCH_REPS (default 3).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
F=${DISPATCH_FILES:-2000}
N=${DISPATCH_RUNNERS:-4}
REPS=${DISPATCH_REPS:-3}
if [ ! -x "$L/dt-feed" ]; then
	echo "dispatch: $L/dt-feed is missing: run 'make -s all' first" >&2
	exit 1
fi
command -v parallel > /dev/null || {
	echo "dispatch: GNU parallel is missing: make DEPS=parallel deps" >&2
	exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-dispatch.XXXXXX")
trap 'rm -rf "$work"' EXIT
# No configuration but the project's; the copies go under this HOME.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
export DISTRIBUTEST_SYSTEM_CONFIG=
mkdir -p "$HOME/.parallel"
: > "$HOME/.parallel/will-cite"

# project DIR COUNT: COUNT empty files t/fNNNNN.t and the configuration.
project() {
	mkdir -p "$1/t" "$1/.distributest"
	awk -v n="$2" -v d="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "" > sprintf("%s/t/f%05d.t", d, i) }'
	printf '[run]\nframework = command\ncommand = true {}\ntests = t/*.t\n\n[node local]\nrunners = %s\n' "$N" > "$1/.distributest/config"
}
project "$work/many" "$F"
project "$work/one" 1

now() { date +%s.%N; }
# time_of CMD...: wall seconds of one run in the current directory,
# output into "out".
time_of() {
	t0=$(now)
	"$@" > "$work/out" 2>&1 || {
		echo "dispatch: $* failed:" >&2
		tail -n 20 "$work/out" >&2
		exit 1
	}
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}
# median CMD...: the median wall time of REPS runs.
median() {
	: > "$work/runs"
	i=0
	while [ $i -lt "$REPS" ]; do
		time_of "$@" >> "$work/runs"
		check "$@"
		i=$((i + 1))
	done
	sort -g "$work/runs" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# check: a distributest run ran every file of its project and they
# passed; the others are checked by their exit status.
check() {
	case $1 in
	*/distributest)
		want=$(find t -name '*.t' | wc -l)
		grep -q "^$want files\\{0,1\\}, $want examples\\{0,1\\}, 0 failures, 0 pending, 0 errors in " "$work/out" || {
			echo "dispatch: distributest did not run $want files cleanly:" >&2
			tail -n 5 "$work/out" >&2
			exit 1
		}
		;;
	esac
}

# The first run copies the project; the others find it unchanged.
cd "$work/many"
dtcopy=$(time_of "$top/bin/distributest" -j "$N")
check "$top/bin/distributest"
dtw=$(median "$top/bin/distributest" -j "$N")
gpw=$(median sh -c "parallel -j $N true ::: t/*.t")
xaw=$(median sh -c "find t -name '*.t' | xargs -P $N -n1 true")
cd "$work/one"
time_of "$top/bin/distributest" -j "$N" > /dev/null
dt1=$(median "$top/bin/distributest" -j "$N")
gp1=$(median sh -c "parallel -j $N true ::: t/*.t")
xa1=$(median sh -c "find t -name '*.t' | xargs -P $N -n1 true")

echo "dispatch overhead: $F files whose test does nothing, $N runners"
echo "machine: $(uname -n), $(nproc) cores, $(date '+%Y-%m-%d %H:%M')"
echo "parameters: distributest 'framework = command', 'command = true {}';"
echo "  GNU parallel $(parallel --version | awk 'NR == 1 { print $3 }'): parallel -j $N true ::: FILES;"
echo "  xargs: find | xargs -P $N -n1 true; the median of $REPS runs each;"
echo "  fixed cost: the same run on a project of 1 file (distributest then starts 1 runner)"
echo
printf '%-40s %8s %8s %9s %10s %8s %8s\n' run "wall" "1 file" "ms/file" "ms/file" "/GNU" "/GNU"
printf '%-40s %8s %8s %9s %10s %8s %8s\n' "" "" "fixed" "" "-fixed" "" "-fixed"
row() {
	awk -v name="$1" -v w="$2" -v f="$3" -v gw="$gpw" -v gf="$gp1" -v n="$F" '
	BEGIN {
		m = 1000 * w / n; mf = 1000 * (w - f) / n
		gm = 1000 * gw / n; gmf = 1000 * (gw - gf) / n
		printf "%-40s %7.2fs %7.3fs %9.3f %10.3f %7.2fx %7.2fx\n", name, w, f, m, mf, m / gm, mf / gmf
	}'
}
row "GNU parallel -j $N (baseline)" "$gpw" "$gp1"
row "xargs -P $N -n1" "$xaw" "$xa1"
row "distributest -j $N" "$dtw" "$dt1"
echo
printf 'distributest, first run (rsync copies the %s files): %.2fs\n' "$F" "$dtcopy"
awk -v d="$dtw" -v d1="$dt1" -v g="$gpw" -v g1="$gp1" -v x="$xaw" -v x1="$xa1" '
function cmp(name, a, b, a1, b1) {
	if (b >= a)
		printf "distributest is %.2fx faster per file than %s", b / a, name
	else
		printf "distributest is %.2fx slower per file than %s", a / b, name
	if (b - b1 >= a - a1)
		printf " (%.2fx faster net of fixed costs)\n", (b - b1) / (a - a1)
	else
		printf " (%.2fx slower net of fixed costs)\n", (a - a1) / (b - b1)
}
BEGIN { cmp("GNU parallel", d, g, d1, g1); cmp("xargs", d, x, d1, x1) }'
