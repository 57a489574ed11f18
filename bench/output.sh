#!/bin/sh
# make bench: what a line of test output costs on its way through
# dt-spawn, the node agent.  One test file prints N lines; it runs once
# through dt-spawn over its channel (each line read from the runner's
# pipe, escaped, and written as an "out" event), and once as the same
# command into a pipe read by cat, the baseline: producing and piping the
# lines with nothing in between.  Each is the median of OUTPUT_REPS runs;
# the difference, per line, is dt-spawn's cost.
# Environment: OUTPUT_LINES (default 2000000), OUTPUT_REPS (default 3).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
N=${OUTPUT_LINES:-2000000}
REPS=${OUTPUT_REPS:-3}
if [ ! -x "$L/dt-spawn" ]; then
	echo "output: $L/dt-spawn is missing: run 'make -s all' first" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-output.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home"
mkdir -p "$HOME" "$work/copy/t"
printf 'yes "a line of test output" | head -n %s\n' "$N" > "$work/copy/t/out.t"

now() { date +%s.%N; }
median() { sort -n | sed -n "$(((REPS + 1) / 2))p"; }

ev() {
	printf '%s' "$1"
	shift
	for f in "$@"; do
		printf '\t%s' "$f"
	done
	printf '\n'
}

# The file runs once its runner is up (the time includes that start, a
# few ms), and the channel stays open until the file's "done" is out: the
# last line, so only the file's tail is read while it grows.
# shellcheck disable=SC2094
through_spawn() {
	: > "$work/spawn.out"
	t0=$(now)
	{
		ev hello distributest-channel 2 bench
		ev set dir "$work/copy"
		ev set framework command
		ev set command "sh {}"
		ev set id bench
		ev start 1
		while ! grep -q '^runner-up	1	' "$work/spawn.out" 2>/dev/null; do
			sleep 0.05
		done
		ev run 1 t/out.t
		while ! tail -c 200 "$work/spawn.out" 2>/dev/null |
		    grep -q '^done	'; do
			sleep 0.05
		done
	} | "$L/dt-spawn" > "$work/spawn.out"
	t1=$(now)
	got=$(grep -c '^out	1	a line of test output$' "$work/spawn.out")
	[ "$got" -eq "$N" ] || {
		echo "output: $got lines of $N came through" >&2
		exit 1
	}
	echo "$t1 - $t0" | bc -l
}

baseline() {
	t0=$(now)
	(cd "$work/copy" && sh t/out.t) | cat > /dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

i=0
: > "$work/s"
: > "$work/b"
while [ $i -lt "$REPS" ]; do
	through_spawn >> "$work/s"
	baseline >> "$work/b"
	i=$((i + 1))
done
s=$(median < "$work/s")
b=$(median < "$work/b")
echo "output path: $N lines of test output, median of $REPS runs"
printf '%-44s %8.2fs\n' "the file into a pipe read by cat (baseline)" "$b"
printf '%-44s %8.2fs  %.2fx the baseline\n' "the file through dt-spawn, as out events" \
    "$s" "$(echo "$s / $b" | bc -l)"
printf 'dt-spawn costs %.2f us a line\n' \
    "$(echo "($s - $b) * 1000000 / $N" | bc -l)"
