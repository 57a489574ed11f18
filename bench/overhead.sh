#!/bin/sh
# What a test file costs in a persistent worker against the framework's
# own run, for every adapter, on suites with settings that do work once
# per run:
#   rspec      .rspec --require spec_helper, whose configuration keeps
#              the example status file (example_status_persistence_
#              file_path) and has before(:suite) and after(:suite) hooks;
#   pytest     pytest.ini with addopts = -p cacheprovider and
#              --junitxml, and a conftest.py with an autouse session
#              fixture (a directory from tmp_path_factory, a file written
#              at setup, a line appended at teardown);
#   minitest   test/test_helper.rb requiring minitest/autorun, writing a
#              file at load and, from Minitest.after_run, a line;
#   test-unit  the same with test/unit and at_exit.
# Each has N files (default 48) of three fast tests, and 4N.  The
# baseline, side by side: the framework's own single serial run of the
# same files (rspec FILES; /usr/bin/python3 -m pytest FILES; ruby -Itest
# -e 'require each; ARGV.clear' FILES, what rake's test loader does)
# against distributest -j 1, whose one runner runs the files one after
# another as the framework does.  The four runs of an adapter (N and 4N
# files, baseline and distributest) follow one another, in turns that
# alternate their order, the adapters taking turns in each round; every
# run must pass.
#
# First table, N files: the wall times, the ratio and the overhead a file,
# (distributest - framework) / N, which counts what distributest costs
# once (its pipeline, the copy, the worker's boot) as well.  Second table,
# the slope between N and 4N files: what one more file costs, (T(4N) -
# T(N)) / 3N, in wall time and in CPU time (user and system, of every
# process of the run: sh's times), which other load on the machine
# disturbs less; and what the run costs once, T(N) less N files.  Each
# of the four times is the median of the rounds; the ratio, the
# differences and the slopes come from those medians.
#
# About 100 s on 2 cores (3-5 minutes when other work keeps them busy).
# Environment: OVERHEAD_FILES (N, default 48),
# OVERHEAD_REPS (rounds, default 5), OVERHEAD_ADAPTERS (default "rspec
# pytest minitest test-unit"), OVERHEAD_PYTHON (default /usr/bin/python3,
# the pytest baseline's and the runners' interpreter), OVERHEAD_KEEP=1
# keeps the work directory.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
N=${OVERHEAD_FILES:-48}
REPS=${OVERHEAD_REPS:-5}
ADAPTERS=${OVERHEAD_ADAPTERS:-rspec pytest minitest test-unit}
PY=${OVERHEAD_PYTHON:-/usr/bin/python3}
dt=$top/bin/distributest
for a in $ADAPTERS; do
	case $a in
	rspec | pytest | minitest | test-unit) ;;
	*)
		echo "overhead: no adapter $a (rspec, pytest, minitest, test-unit)" >&2
		exit 1
		;;
	esac
	if [ ! -x "$top/build/libexec/distributest/adapter-$a" ]; then
		echo "overhead: the build is missing: run 'make -s all' first" >&2
		exit 1
	fi
done
for p in rspec ruby bc; do
	command -v "$p" > /dev/null || { echo "overhead: no $p" >&2; exit 1; }
done
"$PY" -c 'import pytest' 2> /dev/null || { echo "overhead: no pytest in $PY" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-overhead.XXXXXX")
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	if [ -n "${OVERHEAD_KEEP:-}" ]; then
		echo "overhead: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# No configuration but the projects'; the copies go under this HOME.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
export DISTRIBUTEST_SYSTEM_CONFIG=
export TMPDIR="$work/tmp"
# Python writes its bytecode, as it does by default: pytest keeps the test
# modules it rewrote in __pycache__ for its next run, which the runners,
# whose trees go at the end of a run, do not have.
unset DISTRIBUTEST_LIBEXEC PYTHONDONTWRITEBYTECODE
mkdir -p "$HOME" "$TMPDIR"

# project ADAPTER DIR COUNT
project() {
	mkdir -p "$2/.distributest"
	printf '[run]\nframework = %s\n' "$1" > "$2/.distributest/config"
	[ "$1" != pytest ] || printf 'python = %s\n' "$PY" >> "$2/.distributest/config"
	printf '[node local]\nrunners = 1\n' >> "$2/.distributest/config"
	case $1 in
	rspec)
		mkdir -p "$2/spec"
		printf -- '--require spec_helper\n' > "$2/.rspec"
		cat > "$2/spec/spec_helper.rb" <<-'RB'
		RSpec.configure do |c|
		  c.example_status_persistence_file_path = "spec/examples.txt"
		  c.before(:suite) { $booted = true }
		  c.after(:suite) { $booted = false }
		end
		RB
		;;
	pytest)
		mkdir -p "$2/tests"
		printf '[pytest]\naddopts = -p cacheprovider --junitxml=build/junit.xml\n' > "$2/pytest.ini"
		cat > "$2/conftest.py" <<-'PY'
		import json
		import os

		import pytest


		@pytest.fixture(scope="session", autouse=True)
		def store(tmp_path_factory):
		    path = tmp_path_factory.mktemp("store") / "store.json"
		    path.write_text(json.dumps({"pid": os.getpid()}))
		    yield path
		    with open("session.log", "a") as log:
		        log.write("session %d\n" % os.getpid())
		PY
		;;
	minitest | test-unit)
		mkdir -p "$2/test"
		if [ "$1" = minitest ]; then
			lib=minitest/autorun end=Minitest.after_run
		else
			lib=test/unit end=at_exit
		fi
		cat > "$2/test/test_helper.rb" <<-RB
		require "$lib"
		require "json"
		require "tmpdir"
		STORE = File.join(Dir.mktmpdir("store"), "store.json")
		File.write(STORE, JSON.generate("pid" => Process.pid))
		$end do
		  File.open("runs.log", "a") { |f| f.puts("run #{Process.pid}") }
		end
		RB
		;;
	esac
	i=1
	while [ "$i" -le "$3" ]; do
		case $1 in
		rspec)
			printf 'RSpec.describe("file %s") do\n  it("adds") { expect(1 + %s).to eq(%s) }\n  it("joins") { expect(%%w[a b].join).to eq("ab") }\n  it("sorts") { expect([3, 1, 2].sort).to eq([1, 2, 3]) }\nend\n' \
				"$i" "$i" $((i + 1)) > "$2/spec/f${i}_spec.rb"
			;;
		pytest)
			printf 'def test_adds():\n    assert 1 + %s == %s\n\n\ndef test_joins():\n    assert "".join(["a", "b"]) == "ab"\n\n\ndef test_store(store):\n    assert store.exists()\n' \
				"$i" $((i + 1)) > "$2/tests/test_f$i.py"
			;;
		*)
			if [ "$1" = minitest ]; then base=Minitest::Test; else base=Test::Unit::TestCase; fi
			printf 'require "test_helper"\n\nclass F%sTest < %s\n  def test_adds\n    assert_equal %s, 1 + %s\n  end\n\n  def test_joins\n    assert_equal "ab", %%w[a b].join\n  end\n\n  def test_store\n    assert File.exist?(STORE)\n  end\nend\n' \
				"$i" "$base" $((i + 1)) "$i" > "$2/test/f${i}_test.rb"
			;;
		esac
		i=$((i + 1))
	done
}

# framework ADAPTER: its own serial run of every file, in the project.
framework() {
	case $1 in
	rspec) rspec spec/*_spec.rb ;;
	pytest) "$PY" -m pytest -q tests/test_*.py ;;
	*) ruby -Itest -e 'ARGV.each { |f| require File.expand_path(f) }; ARGV.clear' test/*_test.rb ;;
	esac
}

now() { date +%s.%N; }

# run ADAPTER SIZE TOOL: runs it once in its project; prints its wall
# time and the CPU time (user and system) of its processes, in seconds.
run() {
	out=$work/out.$1.$2.$3 rc=0
	t0=$(now)
	(
		cd "$work/$1.$2"
		if [ "$3" = fw ]; then
			framework "$1" > "$out" 2>&1 || rc=$?
		else
			"$dt" -j 1 > "$out" 2>&1 || rc=$?
		fi
		times > "$work/times.run"
		exit "$rc"
	) || rc=$?
	t1=$(now)
	if [ "$rc" -ne 0 ]; then
		echo "overhead: $1, $2 files, $3: exit $rc" >&2
		tail -n 20 "$out" >&2
		exit 1
	fi
	# times: the shell's user and system time, then its children's.
	cpu=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } print s }' "$work/times.run")
	echo "$(echo "$t1 - $t0" | bc) $cpu"
}

for a in $ADAPTERS; do
	for s in "$N" $((4 * N)); do
		project "$a" "$work/$a.$s" "$s"
		# Untimed: caches and status files written, the copy made,
		# the timings taken.
		run "$a" "$s" fw > /dev/null
		run "$a" "$s" dt > /dev/null
	done
done

# Rounds: each writes ADAPTER ROUND SIZE TOOL WALL CPU lines (seconds).
r=1
while [ "$r" -le "$REPS" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		turn="$N:fw $N:dt $((4 * N)):fw $((4 * N)):dt"
	else
		turn="$((4 * N)):dt $((4 * N)):fw $N:dt $N:fw"
	fi
	for a in $ADAPTERS; do
		for t in $turn; do
			secs=$(run "$a" "${t%:*}" "${t#*:}")
			echo "$a $r ${t%:*} ${t#*:} $secs"
		done
	done
	r=$((r + 1))
done > "$work/times"

# The medians over the rounds of each adapter's four runs, wall and CPU;
# then, from them, one line each: ADAPTER fw dt ratio per-file, the
# slopes (ms) of fw and dt, wall then CPU, and what fw and dt cost once
# (s), wall.
awk -v n="$N" -v reps="$REPS" '
	{
		k = ($3 == n ? "s" : "b") $4; t[$1, $2, k] = $5; c[$1, $2, k] = $6
		if (!($1 in seen)) { seen[$1]; order[++m] = $1 }
	}
	function median(x, a, k,   i, j, y, v) {
		for (i = 1; i <= reps; i++) v[i] = x[a, i, k]
		for (i = 2; i <= reps; i++) { y = v[i]; for (j = i - 1; j >= 1 && v[j] > y; j--) v[j + 1] = v[j]; v[j + 1] = y }
		return reps % 2 ? v[(reps + 1) / 2] : (v[reps / 2] + v[reps / 2 + 1]) / 2
	}
	function slope(small, big) { return (big - small) * 1000 / (3 * n) }
	END {
		for (i = 1; i <= m; i++) {
			a = order[i]
			fs = median(t, a, "sfw"); ds = median(t, a, "sdt"); fb = median(t, a, "bfw"); db = median(t, a, "bdt")
			fw = slope(fs, fb); dw = slope(ds, db)
			fc = slope(median(c, a, "sfw"), median(c, a, "bfw")); dc = slope(median(c, a, "sdt"), median(c, a, "bdt"))
			printf "%s %.3f %.3f %.2f %.1f", a, fs, ds, ds / fs, (ds - fs) * 1000 / n
			printf " %.2f %.2f %.2f %.2f %.3f %.3f\n", fw, dw, fc, dc, fs - n * fw / 1000, ds - n * dw / 1000
		}
	}' "$work/times" > "$work/figures"

load=
[ ! -r /proc/loadavg ] || load=", load $(cut -d' ' -f1 /proc/loadavg) at the end"
echo "Per-file overhead: distributest -j 1 against the framework's own serial run,"
echo "$N files of three tests, settings that work once a run (status file, cache,"
echo "junitxml, session fixture, after_run); times the medians of $REPS rounds, $(nproc) cores$load"
printf '%-10s %10s %13s %7s %11s\n' "" "framework" "distributest" "ratio" "ms a file"
while read -r a fs ds ratio per _; do
	printf '%-10s %9.2fs %12.2fs %6.2fx %11.1f\n' "$a" "$fs" "$ds" "$ratio" "$per"
done < "$work/figures"
echo
echo "Where it goes: one file more (the slope between $N and $((4 * N)) files), in wall"
echo "and in CPU time, and what a run costs once (the wall time of $N files less"
echo "$N times the slope):"
printf '%-10s %21s %21s %19s\n' "" "a file, wall (ms)" "a file, CPU (ms)" "once, wall (s)"
printf '%-10s %10s %10s %10s %10s %9s %9s\n' "" "framework" "dt" "framework" "dt" "framework" "dt"
while read -r a _ _ _ _ fw dw fc dc fo dn; do
	printf '%-10s %10.2f %10.2f %10.2f %10.2f %9.2f %9.2f\n' "$a" "$fw" "$dw" "$fc" "$dc" "$fo" "$dn"
done < "$work/figures"
