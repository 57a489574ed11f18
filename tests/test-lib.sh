# test-lib.sh: the shared part of the black-box tests, after git's t/.
# A test script sets test_description, sources this file, runs
# test_expect_success lines and ends with test_done.  Output is TAP.
# Each script runs in a trash directory of its own, with HOME inside it,
# so node copies, configs and logs never touch the real ones.
#
# Options, given to the script (sh tests/t0010-config.sh -v -i):
#   -v, --verbose     show each test's commands and output, as comments
#   -i, --immediate   stop at the first test that fails, and keep the
#                     trash directory to look into
#   -d, --debug       keep the trash directory (as TEST_KEEP_TRASH=1)

test_usage() {
	echo "usage: $0 [-v|--verbose] [-i|--immediate] [-d|--debug]"
}

verbose=
immediate=
for test_arg in "$@"; do
	case $test_arg in
	-v|--verbose) verbose=t ;;
	-i|--immediate) immediate=t ;;
	-d|--debug) TEST_KEEP_TRASH=1 ;;
	-h|--help) test_usage; exit 0 ;;
	*)
		echo "error: unknown test option '$test_arg'" >&2
		test_usage >&2
		exit 1
		;;
	esac
done

test_count=0
test_failed=0

# A mistake in the test script itself, not in what it tests.
BUG() {
	echo "error: bug in the test script: $*" >&2
	exit 1
}

# Skip the whole script, saying why: for what every one of its tests
# needs.  What only some tests need is a prerequisite (below).
skip_all() {
	if [ "$test_count" -gt 0 ]; then
		BUG "skip_all after $test_count tests: use a prerequisite"
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

TEST_DIRECTORY=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SRCDIR=$(dirname -- "$TEST_DIRECTORY")
LIBEXEC=$SRCDIR/build/libexec/distributest
export LIBEXEC SRCDIR TEST_DIRECTORY
PATH=$SRCDIR/bin:$LIBEXEC:$PATH
export PATH

if [ ! -x "$LIBEXEC/dt-feed" ]; then
	skip_all "not built: run make first"
fi

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/dt-test.XXXXXX") || exit 1
HOME=$TRASH/home
XDG_CONFIG_HOME=$HOME/.config
TMPDIR=$TRASH/tmp
DISTRIBUTEST_SYSTEM_CONFIG=
export HOME XDG_CONFIG_HOME TMPDIR DISTRIBUTEST_SYSTEM_CONFIG
unset TEST_ENV_NUMBER DT_RUNNER_ID DISTRIBUTEST_LIBEXEC XDG_CACHE_HOME DT_COMPILE_CACHE
mkdir -p "$HOME" "$TMPDIR"
# A marker that names this script's processes, to prove none are left.
MARK=dtmark${$}x
export MARK

# What the script proves, as a TAP comment before its first test.
echo "# ${test_description:-$(basename "$0")}"

# Kill what the script started and was not cleaned up, then the trash.
test_cleanup() {
	pkill -KILL -f "$MARK" 2>/dev/null
	# Servers a test started on its own paths, such as socket listeners.
	pkill -KILL -f "$TRASH/" 2>/dev/null
	if [ -z "${TEST_KEEP_TRASH:-}" ]; then
		rm -rf "$TRASH"
	fi
}
trap test_cleanup EXIT

cd "$TRASH" || exit 1

# File $1 (- for standard input) as TAP comments.
say_indented() {
	sed 's/^/# /' "$1"
}

# Prerequisites: what some tests need and this machine may not have.
# A test given one it lacks is skipped ("ok N # skip ... (missing P)").
# "P,Q" needs both, "!P" needs P missing.  test_set_prereq P says it is
# there; test_lazy_prereq P SCRIPT finds out, when a test first asks,
# by running SCRIPT in a subshell (its output thrown away).
satisfied_prereq=" "
lazily_testable_prereq=" "
lazily_tested_prereq=" "
missing_prereq=

test_set_prereq() {
	case $1 in
	''|*[!A-Z0-9_]*) BUG "bad prerequisite name \"$1\"" ;;
	esac
	satisfied_prereq="$satisfied_prereq$1 "
}

test_lazy_prereq() {
	case $1 in
	''|*[!A-Z0-9_]*) BUG "bad prerequisite name \"$1\"" ;;
	esac
	[ $# -eq 2 ] || BUG "test_lazy_prereq takes NAME and SCRIPT"
	lazily_testable_prereq="$lazily_testable_prereq$1 "
	eval "test_prereq_lazily_$1=\$2"
}

test_run_lazy_prereq_() {
	mkdir -p "$TRASH/.prereq" &&
	( cd "$TRASH/.prereq" && eval "$2" ) > /dev/null 2>&1 < /dev/null
}

# True when every prerequisite of the list $1 is met; else the ones
# missing are in $missing_prereq.
test_have_prereq() {
	missing_prereq=
	test_prereq_ok=t
	test_prereq_list=$1
	while [ -n "$test_prereq_list" ]; do
		prerequisite=${test_prereq_list%%,*}
		case $test_prereq_list in
		*,*) test_prereq_list=${test_prereq_list#*,} ;;
		*) test_prereq_list= ;;
		esac
		[ -n "$prerequisite" ] || continue
		negative_prereq=
		case $prerequisite in
		!*) negative_prereq=t; prerequisite=${prerequisite#!} ;;
		esac
		case "$lazily_testable_prereq" in
		*" $prerequisite "*)
			case "$lazily_tested_prereq" in
			*" $prerequisite "*) ;;
			*)
				test_prereq_script=
				eval "test_prereq_script=\$test_prereq_lazily_$prerequisite"
				if test_run_lazy_prereq_ "$prerequisite" "$test_prereq_script"; then
					test_set_prereq "$prerequisite"
				fi
				lazily_tested_prereq="$lazily_tested_prereq$prerequisite "
				;;
			esac
			;;
		esac
		case "$satisfied_prereq" in
		*" $prerequisite "*) satisfied_this_prereq=t ;;
		*) satisfied_this_prereq= ;;
		esac
		case "$satisfied_this_prereq,$negative_prereq" in
		t,|,t) ;;
		*)
			test_prereq_ok=
			missing_prereq=${missing_prereq:+$missing_prereq,}${negative_prereq:+!}$prerequisite
			;;
		esac
	done
	[ -n "$test_prereq_ok" ]
}

# What the tests of several scripts need.
[ "$(id -u)" = 0 ] && test_set_prereq ROOT
test_lazy_prereq RSYNC 'command -v rsync'
test_lazy_prereq PYTEST '/usr/bin/python3 -c "import pytest"'
test_lazy_prereq RSPEC 'ruby -e "require \"rspec/core\"" && command -v rspec'
test_lazy_prereq MINITEST 'ruby -e "require \"minitest\""'
test_lazy_prereq TEST_UNIT 'ruby -e "require \"test/unit\"; Test::Unit::AutoRunner.need_auto_run = false"'

# The prerequisites of a test given as test_expect_* [PREREQ] DESC BODY:
# true when it is to run; else it is reported skipped.
test_skip_() {
	test_count=$((test_count + 1))
	if [ -n "$1" ] && ! test_have_prereq "$1"; then
		echo "ok $test_count # skip $2 (missing $missing_prereq)"
		return 1
	fi
	if [ -n "$verbose" ]; then
		echo "# expecting $3 of $test_count - $2:"
		printf '%s\n' "$4" | say_indented -
	fi
	return 0
}

# Runs body $1, its output in $TRASH/.out (shown with -v).
test_run_() {
	( eval "set -x; $1" ) > "$TRASH/.out" 2>&1 < /dev/null
	test_run_code=$?
	if [ -n "$verbose" ]; then
		say_indented "$TRASH/.out"
	fi
	return "$test_run_code"
}

# The arguments of a test_expect_*: [PREREQ] DESCRIPTION BODY.
test_args_() {
	kind=$1
	shift
	case $# in
	3) test_prereq=$1; test_title=$2; test_body=$3 ;;
	2) test_prereq=; test_title=$1; test_body=$2 ;;
	*) BUG "not 2 or 3 parameters to test_expect_$kind" ;;
	esac
}

test_expect_success() {
	test_args_ success "$@"
	test_skip_ "$test_prereq" "$test_title" success "$test_body" || return 0
	if test_run_ "$test_body"; then
		echo "ok $test_count - $test_title"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $test_title"
		if [ -z "$verbose" ]; then
			say_indented "$TRASH/.out"
		fi
		if [ -n "$immediate" ]; then
			TEST_KEEP_TRASH=1
			echo "# stopped at the first failure (--immediate); trash directory kept: $TRASH"
			echo "1..$test_count"
			exit 1
		fi
	fi
}

# A known bug, to be fixed: counted, reported, not failed.
test_expect_failure() {
	test_args_ failure "$@"
	test_skip_ "$test_prereq" "$test_title" failure "$test_body" || return 0
	if test_run_ "$test_body"; then
		echo "ok $test_count - $test_title # TODO known breakage vanished"
	else
		echo "not ok $test_count - $test_title # TODO known breakage"
	fi
}

# The command must fail with an ordinary error, not a crash or signal.
test_must_fail() {
	"$@"
	code=$?
	if [ "$code" -eq 0 ]; then
		echo "test_must_fail: $* succeeded" >&2
		return 1
	fi
	if [ "$code" -gt 128 ] && [ "$code" -le 192 ]; then
		echo "test_must_fail: $* died of signal $((code - 128))" >&2
		return 1
	fi
	return 0
}

test_expect_code() {
	want=$1
	shift
	"$@"
	code=$?
	if [ "$code" -ne "$want" ]; then
		echo "test_expect_code: $* exited $code, wanted $want" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# Fail unless file $2 contains the fixed string $1.
test_grep() {
	if ! grep -F -e "$1" "$2" > /dev/null; then
		echo "test_grep: no \"$1\" in $2:" >&2
		sed 's/^/| /' "$2" >&2
		return 1
	fi
}

# Fail unless file $3 has a number of lines that compares to $2 as the
# test operator $1 says: test_line_count = 3 out, test_line_count -le 2 out.
# On failure it says what was expected and shows the file (its first 200
# lines: a flood of output would drown the rest).
test_line_count() {
	if [ $# -ne 3 ]; then
		BUG "not 3 parameters to test_line_count"
	fi
	if [ ! -f "$3" ]; then
		echo "test_line_count: no file $3" >&2
		return 1
	fi
	test_lines=$(wc -l < "$3")
	if ! test "$test_lines" "$1" "$2"; then
		echo "test_line_count: line count for $3 !$1 $2 (it has $test_lines):" >&2
		sed -n 's/^/| /; 1,200p' "$3" >&2
		if [ "$test_lines" -gt 200 ]; then
			echo "| ... and $((test_lines - 200)) more" >&2
		fi
		return 1
	fi
}

# Process $1 has exited (it may wait to be reaped).
exited() {
	! test -d "/proc/$1" || grep -q "^State:[[:space:]]*Z" "/proc/$1/status" 2> /dev/null
}

# test_held_hook HOOK ADAPTER [COMMAND]: writes HOOK, a node_setup that
# waits (60 s at most) for a process of ADAPTER working in the copy, as
# it does, which can only be the node's template, booting beside it, and
# for it to be held: reading its socket, fd 4 (where /proc shows system
# calls); writes "held" or "not held" to $HELD, then runs COMMAND.
test_held_hook() {
	cat > "$1" <<-EOF &&
	#!/bin/sh
	here=\$(pwd -P)
	found="not held"
	i=0
	while [ \$i -lt 600 ] && [ "\$found" != held ]; do
		for p in \$(pgrep -f "/$2\$"); do
			[ "\$(readlink /proc/\$p/cwd)" = "\$here" ] || continue
			sc=\$(cat /proc/\$p/syscall 2> /dev/null) || sc="0 0x4 "
			[ "\${sc#0 0x4 }" = "\$sc" ] || found=held
		done
		[ "\$found" = held ] || sleep 0.1
		i=\$((i + 1))
	done
	echo "\$found" > "\$HELD"
	${3:-:}
	EOF
	chmod +x "$1"
}

# Every line of seen, less its first field (the runner), is WANT.
test_seen_all() {
	cut -d " " -f 2- seen | sort -u > got &&
	echo "$1" > want &&
	test_cmp want got
}

# Each runner named in the first field of SEEN's lines said PATTERN once in
# LOG, the runners' output log of a run: test_said_once LOG PATTERN [SEEN].
test_said_once() {
	grep "$2" "$1" | cut -f 4 | sort > said &&
	uniq -d said > twice &&
	test_line_count "=" 0 twice &&
	cut -d " " -f 1 "${3:-seen}" | sort -u > ran &&
	comm -23 ran said > silent &&
	test_line_count "=" 0 silent
}

# Wait until file $2 has a line matching the basic regular expression $1,
# looking every 0.1 s, for up to $3 seconds (30 unless given); fail,
# showing the end of the file, when none came.  For the writer of a pipe (or FIFO)
# that must keep it open until the reader has answered, instead of
# guessing how long that takes:
#     rm -f out && { ev start 1; test_wait_for "^runner-up" out; } | dt-spawn > out
# (the file must not be left from before: remove it first).
test_wait_for() {
	(
		set +x
		test_wait_n=0
		while ! grep -q -e "$1" "$2" 2> /dev/null; do
			test_wait_n=$((test_wait_n + 1))
			if [ "$test_wait_n" -gt $((${3:-30} * 10)) ]; then
				echo "test_wait_for: no line matching \"$1\" in $2 after ${3:-30}s" >&2
				if [ -f "$2" ]; then
					echo "test_wait_for: the last lines of $2:" >&2
					tail -n 50 "$2" | sed 's/^/| /' >&2
				fi
				exit 1
			fi
			sleep 0.1
		done
	)
}

# Run the command until it succeeds, every 0.1 s for up to 30 s; fail if
# it never did.  For what leaves no line to wait for, such as a process
# that must have started: test_wait_until pgrep -f "$MARK".
test_wait_until() {
	(
		set +x
		test_wait_n=0
		until "$@"; do
			test_wait_n=$((test_wait_n + 1))
			if [ "$test_wait_n" -gt 300 ]; then
				echo "test_wait_until: $* did not succeed in 30s" >&2
				exit 1
			fi
			sleep 0.1
		done
	)
}

# No process of this script left, after a short grace for exits.
test_no_leftovers() {
	i=0
	while pgrep -f "$MARK" > /dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt 50 ]; then
			echo "left behind:" >&2
			pgrep -af "$MARK" >&2
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# Make a project directory $1 whose tests are shell scripts run by the
# command framework; test files: t/NAME.t with the body given.
make_command_project() {
	mkdir -p "$1/t" "$1/.distributest" &&
	cat > "$1/.distributest/config" <<-CFG
	[run]
	framework = command
	command = sh {}
	tests = t/*.t
	CFG
}

# The name of a project's copy on the nodes: the name of its directory
# and a hash of its path, as dt-config says.
copy_name() {
	dt-config -C "$1" | sed -n "s/^set	name	//p"
}

# Where the copy is under WORKDIR/INITIATOR/USER: HASH/PROJECT.
copy_path() {
	n=$(copy_name "$1") && test -n "$n" &&
	echo "${n##*-}/${n%-*}"
}

# Events: a line of tab-separated fields (escapes are the caller's).
ev() {
	printf '%s' "$1"
	shift
	for f in "$@"; do
		printf '\t%s' "$f"
	done
	printf '\n'
}

test_done() {
	echo "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		echo "# failed $test_failed of $test_count"
		exit 1
	fi
	exit 0
}
