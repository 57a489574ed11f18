# bench/lib.sh: what the benchmarks share.  Source it after setting top
# (the source tree) and set -eu.
#
#   bench_setup NAME    exits unless the build is there; makes $work, a
#                       directory removed at exit, with its own HOME and
#                       XDG_CONFIG_HOME, and no system configuration, so
#                       that no one's settings of this machine count
#   median              the median of the numbers on stdin, one a line
#   make_files DIR N    N small Ruby files in DIR/src, 100 to a directory

# shellcheck disable=SC2154 # top is the sourcing script's
bench_setup() {
	[ -x "$top/build/libexec/distributest/dt-spawn" ] || {
		echo "$1: run 'make -s all' first" >&2
		exit 1
	}
	work=$(mktemp -d "${TMPDIR:-/tmp}/dt-$1.XXXXXX")
	# shellcheck disable=SC2064 # $work is set now, for good
	trap "rm -rf '$work'" EXIT
	export DISTRIBUTEST_SYSTEM_CONFIG=
	export XDG_CONFIG_HOME="$work/config"
	export HOME="$work/home"
	mkdir -p "$HOME"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

make_files() {
	(cd "$1" && awk -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % 100 == 0)
				system("mkdir -p src/d" int(i / 100))
			f = "src/d" int(i / 100) "/f" i ".rb"
			print "x = " i > f
			close(f)
		}
	}')
}
