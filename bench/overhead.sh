#!/bin/sh
# What a file costs in a persistent worker against the framework's own
# run, on a suite with once-per-run settings: an RSpec suite with
# config.example_status_persistence_file_path and suite hooks, N and 4N
# files of two examples each.  The baseline, side by side: one `rspec`
# over the files.  The cost per file is the slope between the two sizes,
# (T(4N) - T(N)) / 3N, which leaves out what a run costs once (rsync,
# boot, ready); distributest runs one runner, so the files go one after
# another as in rspec.  Each time is the median of OVERHEAD_REPS runs.
# About 40 s on 2 cores.
# Environment: OVERHEAD_FILES (N, default 50), OVERHEAD_REPS (default 3).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
N=${OVERHEAD_FILES:-50}
REPS=${OVERHEAD_REPS:-3}
if [ ! -x "$top/build/libexec/distributest/adapter-rspec" ]; then
	echo "overhead: the build is missing: run 'make -s all' first" >&2
	exit 1
fi
command -v rspec > /dev/null || { echo "overhead: no rspec" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-overhead.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
export DISTRIBUTEST_SYSTEM_CONFIG=
unset DISTRIBUTEST_LIBEXEC
mkdir -p "$HOME"

now() { date +%s.%N; }
median() { sort -n | sed -n "$(((REPS + 1) / 2))p"; }

# project DIR COUNT
project() {
	mkdir -p "$1/spec" "$1/.distributest"
	printf '[run]\nframework = rspec\n[node local]\nrunners = 1\n' > "$1/.distributest/config"
	printf -- '--require spec_helper\n' > "$1/.rspec"
	cat > "$1/spec/spec_helper.rb" <<-'RB'
	RSpec.configure do |c|
	  c.example_status_persistence_file_path = "spec/examples.txt"
	  c.before(:suite) { $booted = true }
	  c.after(:suite) { $booted = false }
	end
	RB
	i=1
	while [ "$i" -le "$2" ]; do
		printf 'RSpec.describe("file %s") do\n  it("adds") { expect(1 + 1).to eq(2) }\n  it("joins") { expect(%%w[a b].join).to eq("ab") }\nend\n' "$i" > "$1/spec/f${i}_spec.rb"
		i=$((i + 1))
	done
}

# time_of DIR CMD...: the median wall time of CMD in DIR
time_of() {
	d=$1
	shift
	r=0
	while [ "$r" -lt "$REPS" ]; do
		t0=$(now)
		(cd "$d" && "$@" > /dev/null 2>&1) || true
		t1=$(now)
		echo "$t1 - $t0" | bc
		r=$((r + 1))
	done | median
}

project "$work/small" "$N"
project "$work/big" $((4 * N))
dt=$top/bin/distributest
(cd "$work/small" && "$dt" > /dev/null 2>&1) || true	# copies made, timings
(cd "$work/big" && "$dt" > /dev/null 2>&1) || true
rs_small=$(time_of "$work/small" rspec)
rs_big=$(time_of "$work/big" rspec)
dt_small=$(time_of "$work/small" "$dt")
dt_big=$(time_of "$work/big" "$dt")
per() { echo "scale=2; ($2 - $1) * 1000 / (3 * $N)" | bc; }
rs_per=$(per "$rs_small" "$rs_big")
dt_per=$(per "$dt_small" "$dt_big")
echo "Per-file cost, RSpec with a status persistence file and suite hooks, two examples a file"
printf '%-36s %8s %8s %12s\n' "" "$N files" "$((4 * N)) files" "a file"
printf '%-36s %7.2fs %7.2fs %9s ms\n' "rspec, one process (baseline)" "$rs_small" "$rs_big" "$rs_per"
printf '%-36s %7.2fs %7.2fs %9s ms\n' "distributest, one runner" "$dt_small" "$dt_big" "$dt_per"
echo "a file in a worker costs $(echo "scale=2; $dt_per - $rs_per" | bc) ms more than in rspec"
