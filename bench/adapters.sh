#!/bin/sh
# make bench, part three: what a persistent framework worker saves, and
# whether it grows.  60 short spec files whose spec_helper takes 1 s to
# load, 2 runners: distributest's persistent RSpec worker against one
# rspec process per file (the command framework), and the same for
# pytest; then the resident memory of one RSpec worker over 500 files.
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME="$work/home"
mkdir -p "$HOME"

now() { date +%s.%N; }
wall() {
	t0=$(now)
	(cd "$1" && "$top/bin/distributest" -j 2 > "$work/out" 2>&1) || true
	t1=$(now)
	grep -q " 0 failures" "$work/out" || { echo "bench: run failed:" >&2; tail "$work/out" >&2; exit 1; }
	echo "$t1 - $t0" | bc -l
}

# RSpec: a helper that sleeps 1 s (an application booting), 60 files.
r=$work/rspec
mkdir -p "$r/spec" "$r/.distributest"
printf 'sleep 1\n' > "$r/spec/spec_helper.rb"
printf -- '--require spec_helper\n' > "$r/.rspec"
i=0
while [ $i -lt 60 ]; do
	printf 'RSpec.describe "unit %s" do\n  it("adds") { expect(1 + %s).to eq(%s) }\nend\n' $i $i $((i + 1)) > "$r/spec/u${i}_spec.rb"
	i=$((i + 1))
done
printf '[run]\nframework = rspec\n' > "$r/.distributest/config"
rp=$(wall "$r")
printf '[run]\nframework = command\ncommand = rspec {}\ntests = spec/**/*_spec.rb\n' > "$r/.distributest/config"
rc=$(wall "$r")

# pytest: a conftest that sleeps 1 s, 60 files.
p=$work/pytest
mkdir -p "$p/tests" "$p/.distributest"
printf 'import time\ntime.sleep(1)\n' > "$p/conftest.py"
printf '[pytest]\n' > "$p/pytest.ini"
i=0
while [ $i -lt 60 ]; do
	printf 'def test_add():\n    assert 1 + %s == %s\n' $i $((i + 1)) > "$p/tests/test_u$i.py"
	i=$((i + 1))
done
printf '[run]\nframework = pytest\n' > "$p/.distributest/config"
pp=$(wall "$p")
printf '[run]\nframework = command\ncommand = /usr/bin/python3 -m pytest -q -p no:cacheprovider {}\ntests = tests/test_*.py\n' > "$p/.distributest/config"
pc=$(wall "$p")

echo "persistent workers: 60 files, a 1 s boot, 2 runners, $(nproc) cores"
printf '%-36s %9s %9s %9s\n' "" "worker" "per file" "ratio"
printf '%-36s %8.2fs %8.2fs %8.1fx\n' "rspec (adapter-rspec vs rspec FILE)" "$rp" "$rc" "$(echo "$rc / $rp" | bc -l)"
printf '%-36s %8.2fs %8.2fs %8.1fx\n' "pytest (adapter-pytest vs pytest FILE)" "$pp" "$pc" "$(echo "$pc / $pp" | bc -l)"
echo

# Memory: one RSpec worker, 500 different files in a row.
m=$work/mem
mkdir -p "$m/spec"
i=0
while [ $i -lt 500 ]; do
	printf 'RSpec.describe "mem %s" do\n  let(:data) { Array.new(1000) { |k| "row #{k}" } }\n  3.times { |k| it("works #{k}") { expect(data.size).to eq(1000) } }\nend\n' $i > "$m/spec/m${i}_spec.rb"
	i=$((i + 1))
done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
mkfifo "$work/req"
(cd "$m" && "$L/adapter-rspec" < "$work/req" 3> "$work/res" > /dev/null 2>&1) &
pid=$!
exec 4> "$work/req"
until grep -q '^ready' "$work/res" 2>/dev/null; do sleep 0.1; done
# Wait for N done lines.
await() { until [ "$(grep -c '^done' "$work/res")" -ge "$1" ]; do sleep 0.05; done; }
w=$(pgrep -P "$pid" -f adapter-rspec || echo "$pid")
i=0
while [ $i -lt 10 ]; do printf 'run\tspec/m%s_spec.rb\n' $i >&4; i=$((i + 1)); done
await 10
r10=$(rss "$w")
while [ $i -lt 500 ]; do printf 'run\tspec/m%s_spec.rb\n' $i >&4; i=$((i + 1)); done
await 500
r500=$(rss "$w")
exec 4>&-
wait $pid || true
echo "one RSpec worker: $r10 KiB resident after 10 files, $r500 KiB after 500 ($(echo "($r500 - $r10) / 490" | bc -l | cut -c1-5) KiB per file)"
