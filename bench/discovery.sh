#!/bin/sh
# What listing the test files costs: `distributest --dry-run` (dt-config,
# dt-find and the plan; no runner starts) on generated projects, with the
# framework's own finder (find-rspec, find-pytest, find-xunit: no tests
# setting) against the patterns (a .distributest/config whose tests
# setting gives the same files, the baseline), run side by side, and for
# pytest the framework's own listing too: pytest --collect-only -q, which
# imports every test module.  RSpec has no listing short of loading every
# file (rspec --dry-run loads spec_helper and the files and lists
# examples), nor has minitest: no third column for them.
#
# The projects, of 100 and 2,000 trivial test files, 100 to a directory:
#   rspec     spec/dNN/uNNNN_spec.rb; .rspec with --require spec_helper,
#             whose spec_helper.rb sleeps 1 s (an application booting);
#   pytest    tests/dNN/test_uNNNN.py; pytest.ini with testpaths = tests,
#             a conftest.py with a fixture;
#   minitest  test/dNN/uNNNN_test.rb requiring test/test_helper.rb; a
#             Rakefile with a Rake::TestTask.
# Both configurations are a .distributest/config, the same but for the
# tests line, and give the same files: every run's list is checked.  One
# untimed run of each first (warm caches, .pyc files) records what was
# loaded: every test file, spec_helper and conftest.py notes its loading
# in a probe file then.  Every time is the median of DISCOVERY_REPS runs,
# the configurations taking turns.
#
# About 50 s on 2 cores.
# Environment: DISCOVERY_SIZES (file counts, default "100 2000"),
# DISCOVERY_REPS (default 5), DISCOVERY_FRAMEWORKS (default "rspec pytest
# minitest"), DISCOVERY_PYTHON (default /usr/bin/python3: the runners'
# interpreter, DT_PYTHON), DISCOVERY_PYTEST (default /usr/bin/pytest).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
L=$top/build/libexec/distributest
SIZES=${DISCOVERY_SIZES:-100 2000}
REPS=${DISCOVERY_REPS:-5}
FRAMEWORKS=${DISCOVERY_FRAMEWORKS:-rspec pytest minitest}
PY=${DISCOVERY_PYTHON:-/usr/bin/python3}
PYTEST=${DISCOVERY_PYTEST:-/usr/bin/pytest}
LIMIT=120	# seconds any one run may take
for p in dt-find find-rspec find-pytest find-xunit; do
	[ -x "$L/$p" ] || {
		echo "discovery: $L/$p is missing: run 'make -s all' first" >&2
		exit 1
	}
done
case " $FRAMEWORKS " in
*" rspec "* | *" minitest "*)
	ruby -e 'require "rspec/core"; require "rake"; require "minitest"' 2> /dev/null || {
		echo "discovery: ruby with rspec-core, rake and minitest is missing: make deps" >&2
		exit 1
	} ;;
esac
case " $FRAMEWORKS " in
*" pytest "*)
	if ! "$PY" -c 'import pytest' 2> /dev/null || [ ! -x "$PYTEST" ]; then
		echo "discovery: $PY without pytest, or no $PYTEST: make deps" >&2
		exit 1
	fi ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-discovery.XXXXXX")
trap 'rm -rf "$work"' EXIT
# No configuration but the project's; the build tree's programs; the
# runners' Python, which find-pytest lists under.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
export DISTRIBUTEST_SYSTEM_CONFIG='' DT_PYTHON="$PY"
unset DISTRIBUTEST_LIBEXEC DISCOVERY_PROBE SPEC_OPTS
mkdir -p "$HOME"
export LC_ALL=C

# project FRAMEWORK DIR COUNT: the project, and in "pattern" the tests
# setting that gives its COUNT test files.  Each loaded file appends a
# line to $DISCOVERY_PROBE when it is set: "helper" for spec_helper.rb,
# test_helper.rb and conftest.py, "file" for a test file.
project() {
	mkdir -p "$2"
	case $1 in
	rspec)
		mkdir -p "$2/spec"
		printf -- '--require spec_helper\n' > "$2/.rspec"
		printf '%s\n' 'p = ENV["DISCOVERY_PROBE"]' \
		    'File.write(p, "helper\n", mode: "a") if p' 'sleep 1' > "$2/spec/spec_helper.rb"
		echo 'spec/**/*_spec.rb' > "$work/pattern"
		;;
	pytest)
		mkdir -p "$2/tests"
		printf '[pytest]\ntestpaths = tests\n' > "$2/pytest.ini"
		printf '%s\n' 'import os' 'import pytest' '' \
		    'if os.environ.get("DISCOVERY_PROBE"):' \
		    '    open(os.environ["DISCOVERY_PROBE"], "a").write("helper\n")' '' '' \
		    '@pytest.fixture' 'def one():' '    return 1' > "$2/conftest.py"
		echo 'tests/**/test_*.py' > "$work/pattern"
		;;
	minitest)
		mkdir -p "$2/test"
		printf '%s\n' 'require "rake/testtask"' '' \
		    'Rake::TestTask.new(:test) do |t|' '  t.libs << "test"' \
		    '  t.pattern = "test/**/*_test.rb"' 'end' '' 'task default: :test' > "$2/Rakefile"
		printf '%s\n' 'p = ENV["DISCOVERY_PROBE"]' \
		    'File.write(p, "helper\n", mode: "a") if p' 'require "minitest/autorun"' > "$2/test/test_helper.rb"
		echo 'test/**/*_test.rb' > "$work/pattern"
		;;
	esac
	awk -v fw="$1" -v d="$2" -v n="$3" 'BEGIN {
		for (i = 1; i <= n; i++) {
			sub_ = sprintf("d%02d", int((i - 1) / 100))
			if (fw == "rspec") {
				dir = d "/spec/" sub_; f = sprintf("%s/u%04d_spec.rb", dir, i)
			} else if (fw == "pytest") {
				dir = d "/tests/" sub_; f = sprintf("%s/test_u%04d.py", dir, i)
			} else {
				dir = d "/test/" sub_; f = sprintf("%s/u%04d_test.rb", dir, i)
			}
			if (dir != made) {
				system("mkdir -p " dir)
				made = dir
			}
			if (fw == "rspec") {
				print "p = ENV[\"DISCOVERY_PROBE\"]" > f
				print "File.write(p, \"file\\n\", mode: \"a\") if p" > f
				printf "RSpec.describe \"unit %d\" do\n  it(\"adds\") { expect(1 + %d).to eq(%d) }\nend\n", i, i, i + 1 > f
			} else if (fw == "pytest") {
				print "import os" > f
				print "if os.environ.get(\"DISCOVERY_PROBE\"):" > f
				print "    open(os.environ[\"DISCOVERY_PROBE\"], \"a\").write(\"file\\n\")" > f
				printf "\n\ndef test_add(one):\n    assert one + %d == %d\n", i, i + 1 > f
			} else {
				print "require_relative \"../test_helper\"" > f
				print "p = ENV[\"DISCOVERY_PROBE\"]" > f
				print "File.write(p, \"file\\n\", mode: \"a\") if p" > f
				printf "class U%04dTest < Minitest::Test\n  def test_add\n    assert_equal %d, 1 + %d\n  end\nend\n", i, i + 1, i > f
			}
			close(f)
		}
	}'
	mkdir -p "$2/.distributest"
}

# conf finder|patterns: the project's configuration, without and with
# the tests setting.
conf() {
	if [ "$1" = patterns ]; then
		printf '[run]\ntests = %s\n' "$(cat "$work/pattern")" > .distributest/config
	else
		printf '[run]\n' > .distributest/config
	fi
}

now() { date +%s.%N; }
# run VARIANT: one run in the current directory, its output in
# "$work/VARIANT.out"; the wall seconds appended to "$work/VARIANT.runs".
# A run that fails or outlasts LIMIT stops the benchmark.
run() {
	case $1 in
	own) set -- own "$PYTEST" --collect-only -q -p no:cacheprovider ;;
	*) conf "$1"; set -- "$1" "$top/bin/distributest" --dry-run ;;
	esac
	v=$1
	shift
	t0=$(now)
	timeout "$LIMIT" "$@" > "$work/$v.out" 2>&1 || {
		echo "discovery: $v: $* failed or took over ${LIMIT}s:" >&2
		tail -n 20 "$work/$v.out" >&2
		exit 1
	}
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >> "$work/$v.runs"
	# Nothing but the plan: a finder that fails is warned about, and the
	# patterns then list the same files.
	[ "$v" = own ] || awk '
	NR == 1 && /^order / { next }
	NF == 0 && !blank { blank = 1; next }
	!blank && $1 ~ /^[0-9]+$/ { next }
	blank && /^[0-9]+ files?, / { next }
	{ print "discovery: '"$v"': not in a plan: " $0 > "/dev/stderr"; bad = 1 }
	END { exit bad }' "$work/$v.out" || exit 1
}

# listed VARIANT: the files of the last run, sorted: from the plan of
# distributest --dry-run, or the node ids of pytest --collect-only -q.
listed() {
	if [ "$1" = own ]; then
		grep '::' "$work/own.out" | sed 's/::.*//' | sort -u
	else
		awk 'NR > 1 && NF == 0 { exit } NR > 1 { print $NF }' "$work/$1.out" | sort
	fi
}

# loaded VARIANT: "F H", the test files and helpers the last probed run
# loaded.
loaded() {
	awk '$1 == "file" { f++ } $1 == "helper" { h++ } END { print f + 0, h + 0 }' "$work/$1.probe"
}

# median VARIANT: the median of its runs.
median() {
	sort -g "$work/$1.runs" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "listing the test files: distributest --dry-run, the framework's finder against the patterns"
echo "machine: $(uname -n), $(nproc) cores, $(date '+%Y-%m-%d %H:%M'), load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "parameters: the median of $REPS runs each, the variants taking turns, after one untimed run;"
echo "  ruby $(ruby -e 'print RUBY_VERSION'), rspec-core $(ruby -e 'require "rspec/core"; print RSpec::Core::Version::STRING'), rake $(ruby -e 'require "rake"; print Rake::VERSION'), minitest $(ruby -e 'require "minitest"; print Minitest::VERSION');"
echo "  pytest $("$PY" -c 'import pytest; print(pytest.__version__)') under $PY (DT_PYTHON); own listing: $PYTEST --collect-only -q -p no:cacheprovider"
echo
printf '%-9s %6s %9s %9s %9s %9s %9s %9s\n' "" "" patterns finder "framework" finder finder finder
printf '%-9s %6s %9s %9s %9s %9s %9s %9s\n' framework files "(base)" "" "listing" -patterns /patterns /listing
: > "$work/loads"
for fw in $FRAMEWORKS; do
	for n in $SIZES; do
		dir=$work/$fw-$n
		project "$fw" "$dir" "$n"
		cd "$dir"
		variants="patterns finder"
		[ "$fw" != pytest ] || variants="$variants own"
		# The untimed run: the lists, and what each variant loaded.
		for v in $variants; do
			: > "$work/$v.probe"
			DISCOVERY_PROBE=$work/$v.probe
			export DISCOVERY_PROBE
			run "$v"
			unset DISCOVERY_PROBE
			listed "$v" > "$work/$v.list"
			rm "$work/$v.runs"
		done
		for v in $variants; do
			if [ "$(wc -l < "$work/$v.list")" -ne "$n" ] ||
			    ! cmp -s "$work/patterns.list" "$work/$v.list"; then
				echo "discovery: $fw, $n files: $v lists $(wc -l < "$work/$v.list") files, not the $n of the patterns:" >&2
				diff "$work/patterns.list" "$work/$v.list" | head -n 10 >&2
				exit 1
			fi
		done
		# shellcheck disable=SC2046 # two numbers, split on purpose
		set -- $(loaded finder)
		printf '%-9s %6s  the finder loaded %s test files and %s helpers' "$fw" "$n" "$1" "$2" >> "$work/loads"
		if [ "$fw" = pytest ]; then
			# shellcheck disable=SC2046
			set -- $(loaded own)
			printf '; pytest --collect-only %s test files and %s helpers' "$1" "$2" >> "$work/loads"
		fi
		echo >> "$work/loads"
		i=0
		while [ $i -lt "$REPS" ]; do
			for v in $variants; do
				run "$v"
			done
			i=$((i + 1))
		done
		own=-
		[ "$fw" != pytest ] || own=$(median own)
		awk -v fw="$fw" -v n="$n" -v p="$(median patterns)" -v f="$(median finder)" -v o="$own" '
		BEGIN {
			printf "%-9s %6d %8.3fs %8.3fs %9s %8.3fs %8.2fx %9s\n", fw, n, p, f,
			    (o == "-" ? "-" : sprintf("%.3fs", o)), f - p, f / p,
			    (o == "-" ? "-" : sprintf("%.2fx", f / o))
		}'
		cd "$work"
		rm -rf "$dir"
	done
done
echo
echo "loaded while listing (the untimed run; helpers: spec_helper.rb, which sleeps 1 s,"
echo "test_helper.rb, conftest.py):"
cat "$work/loads"
echo "patterns: the tests setting, dt-find's own walk; finder: no tests setting, dt-find runs"
echo "find-rspec, find-pytest or find-xunit; listing: the framework's own, where it has one."
echo "Every time is that of the whole distributest --dry-run (dt-config, dt-find, the plan)."
