#!/bin/sh
# What dt-sync's digests and manifests save and cost: dt-sync alone
# copying a project of SYNC_SIZES small files (default 20,000 and 100,000,
# 100 to a directory) to a local node, as it does by default (the node's
# dt-spawn walks the copy while dt-sync walks the project; no rsync when
# they agree, rsync of the directories changed since the copy's manifest
# when they do not), without manifests (rsync of the whole copy after the
# digests, as before there were any), and with DT_SYNC_ALWAYS=1 (rsync of
# the whole copy every time, no digests: the baseline), the three taking
# turns, each with a copy of its own.  Reported, as medians of SYNC_REPS
# (5) runs: the project unchanged since the last copy, and one file
# edited before each run.
#
# About 2 minutes on 2 cores with the defaults.  Environment: SYNC_SIZES,
# SYNC_REPS.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
SIZES=${SYNC_SIZES:-20000 100000}
REPS=${SYNC_REPS:-5}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup sync
libexec=$top/build/libexec/distributest

# The events of a run with one local node, its copy $1 under $work/home.
events() {
	printf 'hello\tdistributest-events\t2\tbench\n'
	printf 'set\tproject\t%s\n' "$work/proj"
	printf 'set\tname\tproj-0123abcd\n'
	printf 'set\tinitiator\tbench\nset\tuser\tbench\n'
	printf 'set\tspawn\t%s/dt-spawn\n' "$libexec"
	printf 'node\tlocal\t1\tlocal\tssh\tcopies-%s\n' "$1"
}

# $1: default, whole or always; the time dt-sync took is added to
# $work/t-$1.
sync_once() {
	m=$work/proj/.distributest
	# Whole: without the others' manifests, and keeping none of its own.
	[ "$1" != whole ] || [ ! -d "$m/sync" ] || mv "$m/sync" "$m/aside"
	s=$(date +%s.%N)
	if [ "$1" = always ]; then
		events "$1" | HOME="$work/home" DT_SYNC_ALWAYS=1 "$libexec/dt-sync" > "$work/out"
	else
		events "$1" | HOME="$work/home" "$libexec/dt-sync" > "$work/out"
	fi
	e=$(date +%s.%N)
	if [ "$1" = whole ]; then
		rm -rf "$m/sync"
		[ ! -d "$m/aside" ] || mv "$m/aside" "$m/sync"
	fi
	grep -q "^synced" "$work/out" || { cat "$work/out" >&2; exit 1; }
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/t-$1"
}

# $1: edit or same; runs the three by turns.
measure() {
	for v in default whole always; do : > "$work/t-$v"; done
	k=0
	while [ "$k" -lt "$REPS" ]; do
		for v in default whole always; do
			[ "$1" = edit ] && echo "x = $k$v" > "$work/proj/src/d0/f0.rb"
			sync_once "$v"
		done
		k=$((k + 1))
	done
	d=$(median < "$work/t-default")
	w=$(median < "$work/t-whole")
	a=$(median < "$work/t-always")
	echo "$d $w $a" | awk '{ printf " %7.3fs %7.3fs %7.3fs %6.2fx", $1, $2, $3, $1 / $3 }'
}

printf '%8s | %-34s | %-34s\n' "" "unchanged" "one file edited"
printf '%8s | %8s %8s %8s %7s | %8s %8s %8s %7s\n' files default whole \
	always ratio default whole always ratio
for n in $SIZES; do
	rm -rf "${work:?}/proj" "${work:?}/home"
	mkdir -p "$work/proj" "$work/home"
	make_files "$work/proj" "$n"
	for v in default whole always; do sync_once "$v"; done
	printf '%8d |' "$n"
	measure same
	printf ' |'
	measure edit
	echo
done
echo "dt-sync alone to a local node, medians of $REPS runs taking turns;"
echo "default: digests, then rsync of the directories changed since the"
echo "copy's manifest; whole: without manifests (rsync of the whole copy"
echo "after the digests); always: DT_SYNC_ALWAYS=1 (rsync of the whole copy"
echo "every run); ratio: default / always"
