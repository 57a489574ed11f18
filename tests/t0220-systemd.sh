#!/bin/sh
test_description='real systemd: the socket unit runs a channel, and its end kills the control group'
. "$(dirname "$0")/test-lib.sh"

# All but the last test need systemd-nspawn (and root, to run it).
if command -v systemd-nspawn > /dev/null && test_have_prereq ROOT; then
	test_set_prereq NSPAWN
fi

. "$TEST_DIRECTORY/nspawn.sh"
mkdir -p "$TRASH/copy/t"
trap 'stop_container; test_cleanup' EXIT

test_expect_success NSPAWN 'systemd boots with the socket listening' '
	boot_container --bind="$TRASH/copy:/srv/copy"
'
container_ready

test_expect_success NSPAWN 'the socket unit is active' '
	$IN systemctl is-active distributest-runner.socket
'

# A test file whose child leaves the process group with setsid: only the
# unit's control group can catch it.
printf "echo nice=\$(nice)\nsetsid sh -c \"sleep 300; :\" $MARK-escaped > /dev/null 2>&1 &\nsleep 0.3\n" > copy/t/escape.t

# The channels are held open until the escaped process runs.
test_expect_success NSPAWN 'a channel through the socket runs tests at idle priority' '
	rm -f out &&
	{ ev hello distributest-channel 2 test; ev set dir /srv/copy; ev set framework command;
	  ev set command "sh {}"; ev set id dt_unit; ev info .; ev start 1;
	  test_wait_for "^runner-up	1	" out;
	  ev run 1 t/escape.t; test_wait_for "^done	1	" out;
	  test_wait_until pgrep -f "$MARK-escaped" > escaped;
	  $IN systemctl list-units --plain --no-legend "distributest-runner@*" > active-units;
	  $IN systemctl show -p KillMode -p Nice -p CPUWeight -p IOSchedulingClass \
		"$(cut -d" " -f1 active-units | head -n 1)" > props; :; } |
	"$LIBEXEC/dt-spawn" --connect --socket "$S/runner.sock" > out &&
	test_grep "$(printf "info\tvia\tsocket unit")" out &&
	test_grep "$(printf "out\t1\tnice=19")" out &&
	grep "^done	1	passed	" out &&
	test -s escaped &&
	grep "distributest-runner@.*active" active-units
'

test_expect_success NSPAWN 'the unit had the promised settings' '
	test_grep "KillMode=control-group" props &&
	test_grep "Nice=19" props &&
	test_grep "CPUWeight=idle" props &&
	test_grep "IOSchedulingClass=3" props
'

test_expect_success NSPAWN 'closing the channel ends the unit and every process it held' '
	i=0 && while pgrep -f "$MARK-escaped" > /dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	i=0 && while $IN systemctl -q is-active "distributest-runner@*"; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done
'

test_expect_success 'without the unit the escaped process would have lived: dt-spawn alone' '
	rm -f out &&
	{ ev hello distributest-channel 2 test; ev set dir "$TRASH/copy"; ev set framework command;
	  ev set command "sh {}"; ev set id dt_direct; ev start 1; test_wait_for "^runner-up	1	" out;
	  ev run 1 t/escape.t; test_wait_for "^done	1	" out;
	  test_wait_until pgrep -f "$MARK-escaped" > /dev/null; } |
	"$LIBEXEC/dt-spawn" > out &&
	pgrep -f "$MARK-escaped" > /dev/null &&
	for p in $(pgrep -f "$MARK-escaped"); do
		pkill -KILL -P "$p"; kill -KILL "$p"
	done
'

test_done
