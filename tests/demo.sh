#!/bin/sh
# make demo: run the example suite twice on 8 local runners.  The first
# run has no timings and goes by file size; the second goes by the first
# run's times, longest first.
set -e
cd "$(dirname "$0")/../examples/rspec-sleep"
rm -f .distributest/timings
echo "== distributest, first run (no timings yet): 40 files, 8 runners"
../../bin/distributest -j 8 || exit $?
echo
echo "== distributest, second run (ordered by the first run's times)"
../../bin/distributest -j 8
