#!/bin/sh
test_description='real systemd: the socket unit runs a channel, and its end kills the control group'
. "$(dirname "$0")/test-lib.sh"

# All but the last test need systemd-nspawn (and root, to run it).
if command -v systemd-nspawn > /dev/null && test_have_prereq ROOT; then
	test_set_prereq NSPAWN
fi

# systemd boots in a container on the host's /usr (read-only, volatile
# root), with our units in /etc/systemd/system and dt-spawn bound in.
U=$TRASH/units
S=$TRASH/sock
mkdir -p "$U/sockets.target.wants" "$S" "$TRASH/copy/t"
for f in "$SRCDIR"/units/distributest-runner.socket "$SRCDIR"/units/distributest-runner@.service; do
	sed "s|@LIBEXECDIR@|/opt/distributest|" "$f" > "$U/${f##*/}"
done
ln -s ../distributest-runner.socket "$U/sockets.target.wants/"
# The socket belongs to the group distributest, which make install
# creates: the container's group file has it, as here or with a free id.
{ cat /etc/group; getent group distributest > /dev/null ||
  awk -F: '{ used[$3] = 1 } END { g = 64000; while (g in used) g--; print "distributest:x:" g ":" }' /etc/group; } > "$TRASH/group"

NS=
stop_container() {
	if [ -n "$NS" ]; then
		kill -TERM "$NS" 2>/dev/null
		timeout 15 tail --pid="$NS" -f /dev/null || kill -KILL "$NS" 2>/dev/null
		NS=
	fi
	rm -rf /run/systemd/nspawn-root 2>/dev/null
}
trap 'stop_container; test_cleanup' EXIT

test_expect_success NSPAWN 'systemd boots with the socket listening' '
	{ systemd-nspawn -D / --volatile=yes --register=no --keep-unit -q --console=read-only \
		--setenv=SYSTEMD_COLORS=0 --bind-ro="$U:/etc/systemd/system" \
		--bind="$S:/run/distributest" --bind-ro="$LIBEXEC:/opt/distributest" \
		--bind="$TRASH/copy:/srv/copy" \
		--bind-ro=/etc/passwd --bind-ro="$TRASH/group:/etc/group" \
		-b systemd.unit=multi-user.target systemd.firstboot=off > boot.log 2>&1 & } &&
	NS=$! && echo $NS > ns.pid &&
	i=0 && until test -S "$S/runner.sock"; do
		i=$((i + 1)); test $i -lt 300 || { cat boot.log; return 1; }
		kill -0 $NS || { cat boot.log; return 1; }
		sleep 0.1
	done
'
NS=$(cat ns.pid 2>/dev/null)
LEADER=$(ps -o pid= --ppid "$NS" 2>/dev/null | tr -d " ")
IN="nsenter -t $LEADER -a"

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
