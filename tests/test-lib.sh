# test-lib.sh: the shared part of the black-box tests, after git's t/.
# A test script sets test_description, sources this file, runs
# test_expect_success lines and ends with test_done.  Output is TAP.
# Each script runs in a trash directory of its own, with HOME inside it,
# so node copies, configs and logs never touch the real ones.

TEST_DIRECTORY=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
SRCDIR=$(dirname -- "$TEST_DIRECTORY")
LIBEXEC=$SRCDIR/build/libexec/distributest
export LIBEXEC SRCDIR TEST_DIRECTORY
PATH=$SRCDIR/bin:$LIBEXEC:$PATH
export PATH

if [ ! -x "$LIBEXEC/dt-feed" ]; then
	echo "1..0 # SKIP not built: run make first"
	exit 0
fi

TRASH=$(mktemp -d "${TMPDIR:-/tmp}/dt-test.XXXXXX") || exit 1
HOME=$TRASH/home
XDG_CONFIG_HOME=$HOME/.config
TMPDIR=$TRASH/tmp
DISTRIBUTEST_SYSTEM_CONFIG=
export HOME XDG_CONFIG_HOME TMPDIR DISTRIBUTEST_SYSTEM_CONFIG
unset TEST_ENV_NUMBER DT_RUNNER_ID DISTRIBUTEST_LIBEXEC
mkdir -p "$HOME" "$TMPDIR"
# A marker that names this script's processes, to prove none are left.
MARK=dtmark${$}x
export MARK

# What the script proves, as a TAP comment before its first test.
echo "# ${test_description:-$(basename "$0")}"

test_count=0
test_failed=0

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

say_indented() {
	sed 's/^/# /' "$1"
}

test_expect_success() {
	test_count=$((test_count + 1))
	if ( eval "set -x; $2" ) > "$TRASH/.out" 2>&1 < /dev/null; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		say_indented "$TRASH/.out"
	fi
}

# A known bug, to be fixed: counted, reported, not failed.
test_expect_failure() {
	test_count=$((test_count + 1))
	if ( eval "set -x; $2" ) > "$TRASH/.out" 2>&1 < /dev/null; then
		echo "ok $test_count - $1 # TODO known breakage vanished"
	else
		echo "not ok $test_count - $1 # TODO known breakage"
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
