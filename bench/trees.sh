#!/bin/sh
# Setup that should not grow with the project: the time from the command
# to every runner busy, with runner_dir = own (each runner in its own tree
# of hard links to the node's copy, kept between runs and brought up to
# date), runner_dir = shared (no trees) and parallel_rspec (no copy, no
# trees), side by side, taking turns.
#
# The project: TREES_SIZES small files (default 1,000 and 20,000, 100 to
# a directory) and, for R runners (TREES_RUNNERS, default 4 and 16), R
# RSpec files of one example of 2 s (R/8 s beyond 16 runners), each of
# which writes the time it starts and its runner, so that the R-th time
# is when every runner had work.
# Reported, as medians: a first run (no copy, no trees, no timings: all are
# made; TREES_FIRST runs, default 2) and a second run, the project
# unchanged (TREES_REPS runs, default 3), and how much later the second
# run of own had every runner busy than shared and than parallel_rspec.
# A run whose files did not start on R different runners (a runner came
# up after another had finished its file and taken a second) is counted
# and said.
#
# About 5 minutes on 2 cores with the defaults; TREES_SIZES="1000 20000
# 100000" TREES_RUNNERS="4 16 32" is the issue's whole grid, about 25.
# Environment: TREES_SIZES, TREES_RUNNERS, TREES_REPS, TREES_FIRST,
# TREES_DISTRIBUTEST (the distributest to time, default this tree's
# bin/distributest).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
SIZES=${TREES_SIZES:-1000 20000}
RUNNERS=${TREES_RUNNERS:-4 16}
REPS=${TREES_REPS:-3}
FIRST=${TREES_FIRST:-2}
dt=${TREES_DISTRIBUTEST:-$top/bin/distributest}
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"
bench_setup trees
export TREES_PROBE="$work/probe"
short=0

# $1: directory, $2: files; runner_dir = $3.
make_project() {
	mkdir -p "$1/spec" "$1/.distributest"
	printf '[run]\nenv = TREES_PROBE\nrunner_dir = %s\n' "$3" \
		> "$1/.distributest/config"
	make_files "$1" "$2"
}

# $1: directory, $2: runners; exactly $2 spec files.
make_specs() {
	rm -f "$1"/spec/*_spec.rb
	i=1
	while [ "$i" -le "$2" ]; do
		printf '%s\nRSpec.describe "b%d" do\n  it "x" do sleep %d end\nend\n' \
			'File.open(ENV.fetch("TREES_PROBE"), "a") { |f| f.puts "#{Time.now.to_f} r#{ENV["TEST_ENV_NUMBER"]}" }' \
			"$i" $(($2 / 8 > 2 ? $2 / 8 : 2)) > "$1/spec/b${i}_spec.rb"
		i=$((i + 1))
	done
}

# $1: own, shared or pt, $2: runners, $3: first or second; the time from
# the command to the last file's start is added to $work/$3-$1.
run() {
	: > "$TREES_PROBE"
	d=$1
	[ "$1" = pt ] && d=shared
	s=$(date +%s.%N)
	if [ "$1" = pt ]; then
		(cd "$work/$d" && parallel_rspec -n "$2" spec) > "$work/out" 2>&1
	else
		(cd "$work/$d" && HOME="$work/home-$d" "$dt" -j "$2") > "$work/out" 2>&1
	fi || { tail -20 "$work/out" >&2; exit 1; }
	[ "$(wc -l < "$TREES_PROBE")" -eq "$2" ] || { cat "$work/out" >&2; exit 1; }
	[ "$(cut -d' ' -f2 "$TREES_PROBE" | sort -u | wc -l)" -eq "$2" ] ||
		short=$((short + 1))
	sort -n "$TREES_PROBE" | tail -1 |
		awk -v s="$s" '{ printf "%.3f\n", $1 - s }' >> "$work/$3-$1"
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

printf '%7s %7s | %-23s | %-23s | %-15s\n' "" "" "first run" "second run" \
	"own, 2nd, later"
printf '%7s %7s | %7s %7s %7s | %7s %7s %7s | %7s %7s\n' files runners \
	own shared pt own shared pt "/shared" "/pt"
for n in $SIZES; do
	rm -rf "$work/own" "$work/shared"
	make_project "$work/own" "$n" own
	make_project "$work/shared" "$n" shared
	for r in $RUNNERS; do
		make_specs "$work/own" "$r"
		make_specs "$work/shared" "$r"
		rm -f "$work"/first-* "$work"/second-*
		k=0
		while [ "$k" -lt "$FIRST" ]; do
			forget own
			forget shared
			run own "$r" first
			run shared "$r" first
			run pt "$r" first
			k=$((k + 1))
		done
		k=0
		while [ "$k" -lt "$REPS" ]; do
			case $((k % 3)) in
			0) set -- own shared pt ;;
			1) set -- shared pt own ;;
			*) set -- pt own shared ;;
			esac
			for v; do
				run "$v" "$r" second
			done
			k=$((k + 1))
		done
		f1=$(median < "$work/first-own")
		f2=$(median < "$work/first-shared")
		f3=$(median < "$work/first-pt")
		s1=$(median < "$work/second-own")
		s2=$(median < "$work/second-shared")
		s3=$(median < "$work/second-pt")
		echo "$n $r $f1 $f2 $f3 $s1 $s2 $s3" | awk '{
			printf "%7d %7d | %6.2fs %6.2fs %6.2fs | %6.2fs %6.2fs %6.2fs | %+6.2fs %+6.2fs\n",
			    $1, $2, $3, $4, $5, $6, $7, $8, $6 - $7, $6 - $8 }'
	done
done
echo "time from the command to every runner busy, medians of $FIRST first and"
echo "$REPS second runs taking turns; pt: parallel_rspec -n RUNNERS; $(nproc) cores"
[ "$short" -eq 0 ] ||
	echo "$short runs had a runner take a second file before every runner had one"
