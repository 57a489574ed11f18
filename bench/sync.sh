#!/bin/sh
# What dt-sync's digests save and cost: dt-sync alone copying a project of
# SYNC_SIZES small files (default 20,000 and 100,000, 100 to a directory)
# to a local node, as it does by default (the node's dt-spawn walks the
# copy while dt-sync walks the project; rsync only when they differ) and
# with DT_SYNC_ALWAYS=1 (rsync every time: the baseline), the two taking
# turns.  Reported, as medians of SYNC_REPS (5) runs: the project
# unchanged since the last copy, and one file edited before each run.
#
# About 1 minute on 2 cores with the defaults.  Environment: SYNC_SIZES,
# SYNC_REPS.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
SIZES=${SYNC_SIZES:-20000 100000}
REPS=${SYNC_REPS:-5}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup sync
libexec=$top/build/libexec/distributest

# The events of a run with one local node, its copy under $work/home.
events() {
	printf 'hello\tdistributest-events\t2\tbench\n'
	printf 'set\tproject\t%s\n' "$work/proj"
	printf 'set\tname\tproj-0123abcd\n'
	printf 'set\tinitiator\tbench\nset\tuser\tbench\n'
	printf 'set\tspawn\t%s/dt-spawn\n' "$libexec"
	printf 'node\tlocal\t1\tlocal\tssh\tcopies\n'
}

# $1: default or always; the time dt-sync took is added to $work/t-$1.
sync_once() {
	s=$(date +%s.%N)
	if [ "$1" = always ]; then
		events | HOME="$work/home" DT_SYNC_ALWAYS=1 "$libexec/dt-sync" > "$work/out"
	else
		events | HOME="$work/home" "$libexec/dt-sync" > "$work/out"
	fi
	e=$(date +%s.%N)
	grep -q "^synced" "$work/out" || { cat "$work/out" >&2; exit 1; }
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/t-$1"
}

# $1: edit or same; runs default and always by turns.
measure() {
	: > "$work/t-default"
	: > "$work/t-always"
	k=0
	while [ "$k" -lt "$REPS" ]; do
		for v in default always; do
			[ "$1" = edit ] && echo "x = $k$v" > "$work/proj/src/d0/f0.rb"
			sync_once "$v"
		done
		k=$((k + 1))
	done
	d=$(median < "$work/t-default")
	a=$(median < "$work/t-always")
	echo "$d $a" | awk '{ printf " %8.3fs %8.3fs %7.2fx", $1, $2, $1 / $2 }'
}

printf '%8s | %-28s | %-28s\n' "" "unchanged" "one file edited"
printf '%8s | %9s %9s %8s | %9s %9s %8s\n' files digests always ratio \
	digests always ratio
for n in $SIZES; do
	rm -rf "${work:?}/proj" "${work:?}/home"
	mkdir -p "$work/proj" "$work/home"
	make_files "$work/proj" "$n"
	sync_once always
	printf '%8d |' "$n"
	measure same
	printf ' |'
	measure edit
	echo
done
echo "dt-sync alone to a local node, medians of $REPS runs taking turns;"
echo "digests: the default; always: DT_SYNC_ALWAYS=1 (rsync every run)"
