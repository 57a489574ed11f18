#!/bin/sh
# What the runners' own trees cost a run: the same project run with
# runner_dir = own (each runner in a tree of hard links to the node's
# copy, kept between runs and brought up to date) and runner_dir = shared
# (no trees: the baseline), side by side, the two taking turns.
#
# The project: TREES_SIZES small files (default 1,000 and 20,000, 100
# to a directory) and 16 command-framework test files that do nothing,
# on the local node with each of TREES_RUNNERS runners (default 4 and 16).
# Reported, as medians: the wall time of a first run (no copy, no trees:
# both are made; TREES_FIRST runs, default 3) and of a second run, the
# project unchanged (TREES_REPS runs, default 5), for own and shared, and
# own / shared; then second runs again once every runner's kept tree is
# whole (with files that do nothing, runners 2 and on are stopped while
# they make their trees, so a few runs pass before that).
#
# About 100 s on 2 cores with the defaults; TREES_SIZES="1000 20000
# 100000" adds about 3 minutes more.  Environment: TREES_SIZES, TREES_RUNNERS,
# TREES_REPS, TREES_FIRST, TREES_DISTRIBUTEST (the distributest to time,
# default this tree's bin/distributest).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
SIZES=${TREES_SIZES:-1000 20000}
RUNNERS=${TREES_RUNNERS:-4 16}
REPS=${TREES_REPS:-5}
FIRST=${TREES_FIRST:-3}
dt=${TREES_DISTRIBUTEST:-$top/bin/distributest}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup trees

# $1: directory, $2: files; runner_dir = $3.
make_project() {
	mkdir -p "$1/t" "$1/.distributest"
	printf '[run]\nframework = command\ncommand = sh {}\ntests = t/*.t\nrunner_dir = %s\n' \
		"$3" > "$1/.distributest/config"
	i=1
	while [ "$i" -le 16 ]; do
		: > "$1/t/f$i.t"
		i=$((i + 1))
	done
	make_files "$1" "$2"
}


# $1: own or shared, $2: runners; the time is added to $work/t-$1.
run() {
	s=$(date +%s.%N)
	(cd "$work/$1" && HOME="$work/home-$1" "$dt" -j "$2") > "$work/out" 2>&1 ||
		{ cat "$work/out" >&2; exit 1; }
	e=$(date +%s.%N)
	grep -q "^16 files, 16 examples, 0 failures" "$work/out" ||
		{ cat "$work/out" >&2; exit 1; }
	echo "$s $e" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/t-$1"
}

# No copy, no trees, no timings, as a first run finds a node; the last
# run's trees, when it removes them, are gone first.
forget() {
	i=0
	while [ "$i" -lt 300 ] && ls -d "$work/home-$1"/.cache/distributest/*/*/*/*.runners/*-* \
		> /dev/null 2>&1; do
		sleep 0.1
		i=$((i + 1))
	done
	rm -rf "$work/home-$1" "$work/$1/.distributest/timings"
	mkdir -p "$work/home-$1"
}

# Runs own until each of the $1 runners' kept trees has every file of the
# copy (at most 40 runs): with files that do nothing, runners 2 and on
# are stopped while they still make their trees, and each run takes the
# making further.
settle() {
	i=0
	while [ "$i" -lt 40 ]; do
		c=$(ls -d "$work/home-own"/.cache/distributest/*/*/*/own)
		want=$(find "$c" -type f | wc -l)
		k=1
		while [ "$k" -le "$1" ] &&
			[ "$(find "$c.runners/$k" -type f 2>/dev/null | wc -l)" -eq "$want" ]; do
			k=$((k + 1))
		done
		[ "$k" -le "$1" ] || return 0
		run own "$1"
		i=$((i + 1))
	done
	echo "trees: not all made after 40 runs" >&2
	exit 1
}

# Own and shared by turns, $REPS each; their medians into s1 and s2.
second_runs() {
	: > "$work/t-own"
	: > "$work/t-shared"
	k=0
	while [ "$k" -lt "$REPS" ]; do
		if [ $((k % 2)) -eq 0 ]; then
			run own "$1"
			run shared "$1"
		else
			run shared "$1"
			run own "$1"
		fi
		k=$((k + 1))
	done
	s1=$(median < "$work/t-own")
	s2=$(median < "$work/t-shared")
}

printf '%7s %7s | %-26s | %-26s | %-26s\n' "" "" "first run" "second run" \
	"every tree made"
printf '%7s %7s | %8s %8s %8s | %8s %8s %8s | %8s %8s %8s\n' files runners \
	own shared ratio own shared ratio own shared ratio
for n in $SIZES; do
	rm -rf "$work/own" "$work/shared"
	make_project "$work/own" "$n" own
	make_project "$work/shared" "$n" shared
	for r in $RUNNERS; do
		: > "$work/t-own"
		: > "$work/t-shared"
		k=0
		while [ "$k" -lt "$FIRST" ]; do
			forget own
			forget shared
			run own "$r"
			run shared "$r"
			k=$((k + 1))
		done
		f1=$(median < "$work/t-own")
		f2=$(median < "$work/t-shared")
		second_runs "$r"
		a1=$s1 a2=$s2
		settle "$r"
		second_runs "$r"
		echo "$n $r $f1 $f2 $a1 $a2 $s1 $s2" | awk '{
			printf "%7d %7d | %7.2fs %7.2fs %7.2fx | %7.2fs %7.2fs %7.2fx | %7.2fs %7.2fs %7.2fx\n",
			    $1, $2, $3, $4, $3 / $4, $5, $6, $5 / $6, $7, $8, $7 / $8 }'
	done
done
echo "medians of $FIRST first and $REPS second runs, own and shared taking turns;"
echo "16 test files that do nothing, command framework, local node;"
echo "every tree made: second runs once each runner's kept tree is whole"
