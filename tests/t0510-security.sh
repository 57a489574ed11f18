#!/bin/sh
test_description='never let anyone in: private runner directories, test files only from the copy, no options for ssh in the configuration, the socket unit and the groups of its peers'
. "$(dirname "$0")/test-lib.sh"

# Two throwaway users, a victim V and another user A of the same node,
# and a group G that V is a member of; made here as root, removed at the
# end.  Without root the tests that need them are skipped.
V=dtsecv$$
A=dtseca$$
G=dtsecg$$
if test_have_prereq ROOT && command -v useradd > /dev/null &&
   command -v setpriv > /dev/null &&
   groupadd "$G" &&
   useradd -M -N -d /nonexistent -s /usr/sbin/nologin -G "$G" "$V" &&
   useradd -M -N -d /nonexistent -s /usr/sbin/nologin "$A"; then
	test_set_prereq USERS
fi
if test_have_prereq USERS && command -v systemd-nspawn > /dev/null; then
	test_set_prereq NSPAWN
fi

. "$TEST_DIRECTORY/nspawn.sh"
drop_users() {
	for u in "$V" "$A"; do
		if id "$u" > /dev/null 2>&1; then
			pkill -KILL -u "$u"
			userdel "$u"
		fi
	done
	if getent group "$G" > /dev/null; then
		groupdel "$G"
	fi
}
trap 'stop_container; test_cleanup; test_have_prereq ROOT && drop_users' EXIT

# Run a command as user $1, with that user's groups.
as_user() {
	as_user_name=$1
	shift
	setpriv --reuid="$as_user_name" --regid="$(id -g "$as_user_name")" \
		--init-groups "$@"
}

hello() {
	ev hello distributest-channel 2 test
	ev set dir "$1"
	ev set framework command
	ev set command "sh {}"
	ev set id dt_sec$$
}

# The channel is held open until file out has the answer (removed first).
done_count() {
	test "$(grep -c "^done	1	" out)" -ge "$1"
}

test_expect_success 'setup' '
	mkdir -p copy/.dt-hooks copy/t &&
	printf "echo pass\n" > copy/t/pass.t &&
	printf "touch \"%s/ran-outside\"\n" "$TRASH" > outside.t &&
	ln -s ../../outside.t copy/t/out-link.t &&
	ln -s "$TRASH" copy/t/out-dir &&
	ln -s pass.t copy/t/in-link.t &&
	printf "#!/bin/sh\necho \"secret of \$1\" > \"\$TMPDIR/secret\"\n" > copy/.dt-hooks/runner_setup &&
	chmod +x copy/.dt-hooks/runner_setup
'

REAL=$(cd "$TRASH" && pwd -P)

# 2. Test files are relative paths in the copy, checked on the node.
test_expect_success 'run: a path that leads out of the copy is an error of that file, and is not run' '
	rm -f out &&
	{ hello "$TRASH/copy"; ev start 1; test_wait_for "^runner-up	1	" out;
	  n=0;
	  for p in ../../../etc/passwd ../outside.t "$TRASH/outside.t" \
		t/out-link.t t/out-dir/outside.t t/../t/pass.t "" t/in-link.t; do
		n=$((n + 1)); ev run 1 "$p"; test_wait_until done_count $n;
	  done; } | dt-spawn > out &&
	! test -e ran-outside &&
	test_grep "$(printf "fail\t1\terror\t../../../etc/passwd\t../../../etc/passwd\tdt-spawn refused to run ../../../etc/passwd: a \"..\" component")" out &&
	test_grep "$(printf "fail\t1\terror\t../outside.t\t../outside.t\tdt-spawn refused to run ../outside.t: a \"..\" component")" out &&
	test_grep "$(printf "dt-spawn refused to run %s/outside.t: an absolute path, not one in the project copy" "$TRASH")" out &&
	test_grep "$(printf "dt-spawn refused to run t/out-link.t: it leads out of the project copy, to %s/outside.t" "$REAL")" out &&
	test_grep "$(printf "dt-spawn refused to run t/out-dir/outside.t: it leads out of the project copy, to %s/outside.t" "$REAL")" out &&
	test_grep "$(printf "dt-spawn refused to run t/../t/pass.t: a \"..\" component")" out &&
	test_grep "$(printf "dt-spawn refused to run : an empty path")" out &&
	test "$(grep -c "^done	1	error	0.000	0	0	0	1$" out)" = 7 &&
	grep "^done	1	passed	" out > passed &&
	test_line_count = 1 passed
'

test_expect_success 'run: a file that is not there is an error saying so' '
	rm -f out &&
	{ hello "$TRASH/copy"; ev start 1; test_wait_for "^runner-up	1	" out;
	  ev run 1 t/nope.t; test_wait_for "^done	1	" out; } | dt-spawn > out &&
	test_grep "$(printf "fail\t1\terror\tt/nope.t\tt/nope.t\tdt-spawn refused to run t/nope.t: No such file or directory")" out
'

# 5. node_setup: the copy is entered first.
test_expect_success 'prep without the copy: cannot enter it, 111, not "no node_setup"' '
	rm -f out &&
	{ hello "$TRASH/no-copy"; ev prep; test_wait_for "^prep-done	" out; } | dt-spawn > out &&
	test_grep "$(printf "prep-out\tcannot enter %s/no-copy: No such file or directory" "$TRASH")" out &&
	test_grep "$(printf "prep-done\t111")" out
'

# 3. host and user go to ssh and rsync as words of their own.
test_expect_success 'setup a project' '
	make_command_project proj
'

check_error() {
	printf "%b" "$1" > bad.conf &&
	test_expect_code 100 dt-config -C proj -c bad.conf > /dev/null 2> err &&
	test_grep "$2" err
}

test_expect_success 'a host that starts with "-" is an error naming file and line' '
	check_error "[node b1]\nrunners = 2\nhost = -oProxyCommand=touch /tmp/x\n" \
		"dt-config: bad.conf:3: host: \"-oProxyCommand=touch /tmp/x\" starts with \"-\", which ssh and rsync would take for an option"
'

test_expect_success 'a user that starts with "-" is an error naming file and line' '
	check_error "[node b1]\nhost = b1.example.com\nuser = -oProxyCommand=x\n" \
		"dt-config: bad.conf:3: user: \"-oProxyCommand=x\" starts with \"-\""
'

test_expect_success 'a host or user with a blank or a control character is an error' '
	check_error "[node b1]\nhost = b1 -oProxyCommand=x\n" \
		"dt-config: bad.conf:2: host: \"b1 -oProxyCommand=x\" has a blank or a control character" &&
	check_error "[node b1]\nhost = b1\001x\n" \
		"dt-config: bad.conf:2: host: \"b1\\001x\" has a blank or a control character" &&
	check_error "[node b1]\nhost = b1\nuser = ci\tx\n" \
		"dt-config: bad.conf:3: user: " &&
	check_error "[node b 1]\nrunners = 2\n" \
		"dt-config: bad.conf:1: bad node name"
'

test_expect_success 'a node name that starts with "-" cannot be its host' '
	check_error "[node -F]\nrunners = 2\n" \
		"dt-config: [node -F]: a node name that starts with \"-\" cannot be its host; set host" &&
	printf "[node -F]\nhost = b1.example.com\nuser = ci\n" > good.conf &&
	dt-config -C proj -c good.conf > ev &&
	test_grep "$(printf "node\t-F\t0\tci@b1.example.com\t")" ev
'

# 1. The runner's TMPDIR and the runners' trees, where another user of
# the node may write: V runs dt-spawn, A plants the names first.
test_expect_success ROOT,USERS 'setup: a shared TMPDIR and work directory, and V'"'"'s copy' '
	chmod 755 "$TRASH" &&
	mkdir -m 1777 shared sharedwd &&
	mkdir vhome &&
	cp -R copy vhome/copy &&
	printf "echo groups=\$(id -G)\n" > vhome/copy/t/groups.t &&
	mkdir vhome/tmp &&
	chown -R "$V" vhome &&
	chmod 700 vhome/tmp &&
	as_user "$V" cp -R copy sharedwd/copy
'

# Start one runner as V; the channel stays open until it is up or down,
# as the file its answers go to says.
# shellcheck disable=SC2094
v_runner() {
	rm -f out
	{ hello "$1"; ev start 1; test_wait_for "^runner-\(up\|down\)	1	" out; } |
	as_user "$V" env TMPDIR="$2" dt-spawn > out
}

test_expect_success ROOT,USERS 'a runner TMPDIR taken by another user as a symbolic link is refused' '
	as_user "$A" mkdir -m 777 shared/evil &&
	as_user "$A" ln -s evil shared/distributest-dt_sec$$_1 &&
	v_runner "$TRASH/vhome/copy" "$TRASH/shared" &&
	test_grep "$(printf "runner-down\t1\tcannot make the runner'"'"'s temporary directory: %s/shared/distributest-dt_sec%s_1: a symbolic link; refused" "$TRASH" $$)" out &&
	! test -e shared/evil/secret
'

test_expect_success ROOT,USERS 'a runner TMPDIR taken by another user as a directory is refused' '
	rm -rf shared/* &&
	as_user "$A" mkdir -m 777 shared/distributest-dt_sec$$_1 &&
	v_runner "$TRASH/vhome/copy" "$TRASH/shared" &&
	test_grep "$(printf "runner-down\t1\tcannot make the runner'"'"'s temporary directory: %s/shared/distributest-dt_sec%s_1: owned by uid %s, not by us (uid %s); refused" "$TRASH" $$ "$(id -u "$A")" "$(id -u "$V")")" out &&
	! test -e shared/distributest-dt_sec$$_1/secret
'

test_expect_success ROOT,USERS 'a TMPDIR of the runner'"'"'s own user that it left is emptied and used' '
	rm -rf shared/* &&
	as_user "$V" mkdir -m 755 shared/distributest-dt_sec$$_1 &&
	as_user "$V" touch shared/distributest-dt_sec$$_1/stale &&
	rm -f out &&
	{ hello "$TRASH/vhome/copy"; ev start 1; test_wait_for "^runner-up	1	" out;
	  ls -la shared/distributest-dt_sec$$_1 > listing; ev ping; } |
	as_user "$V" env TMPDIR="$TRASH/shared" dt-spawn > out &&
	test_grep secret listing &&
	! grep stale listing &&
	grep "^drwx------ .* $V .* \.$" listing
'

test_expect_success ROOT,USERS 'the runners'"'"' trees next to a copy: a directory another user made there is refused' '
	as_user "$A" mkdir -m 777 sharedwd/copy.runners &&
	v_runner "$TRASH/sharedwd/copy" "$TRASH/vhome/tmp" &&
	test_grep "$(printf "runner-down\t1\tcannot make the runner'"'"'s own tree: %s/sharedwd/copy.runners: owned by uid %s, not by us (uid %s); refused" "$REAL" "$(id -u "$A")" "$(id -u "$V")")" out &&
	test -z "$(ls -A sharedwd/copy.runners)"
'

# 4. The agent of a peer has the groups the peer's process had: a group
# it dropped stays dropped.
start_inetd() {
	rm -f runner.sock &&
	{ systemd-socket-activate -l "$TRASH/runner.sock" --accept --inetd \
		-E TMPDIR="$TRASH/shared" \
		"$LIBEXEC/dt-spawn" --as-peer > inetd.log 2>&1 & } &&
	inetd=$! &&
	test_wait_until test -S runner.sock &&
	chmod 666 runner.sock
}

groups_session() {
	hello "$1"
	ev start 1
	test_wait_for "^runner-up	1	" out
	ev run 1 t/groups.t
	test_wait_for "^done	1	" out
}

test_expect_success ROOT,USERS '--as-peer: a peer that dropped its groups does not get them back' '
	rm -rf shared/* &&
	start_inetd && rm -f out &&
	groups_session "$TRASH/vhome/copy" |
	setpriv --reuid="$V" --regid="$(id -g "$V")" --clear-groups \
		dt-spawn --connect --socket "$TRASH/runner.sock" > out &&
	kill $inetd &&
	grep -x "$(printf "out\t1\tgroups=%s" "$(id -g "$V")")" out
'

test_expect_success ROOT,USERS '--as-peer: a peer keeps the groups it has' '
	start_inetd && rm -f out &&
	groups_session "$TRASH/vhome/copy" |
	setpriv --reuid="$V" --regid="$(id -g "$V")" --groups="$(getent group "$G" | cut -d: -f3)" \
		dt-spawn --connect --socket "$TRASH/runner.sock" > out &&
	kill $inetd &&
	grep -x "$(printf "out\t1\tgroups=%s %s" "$(id -g "$V")" "$(getent group "$G" | cut -d: -f3)")" out
'

# The units under a real systemd, booted in a container as in
# t0220-systemd.sh (nspawn.sh, sourced above).
test_expect_success ROOT,NSPAWN 'systemd boots with the socket listening' '
	printf "echo groups=\$(id -G) nice=\$(nice) pid1=\$(test -d /proc/1 && echo seen || echo hidden)\n" > vhome/copy/t/unit.t &&
	chown "$V" vhome/copy/t/unit.t &&
	boot_container --machine=dt0510-$$ --bind="$TRASH/vhome:/srv/v"
'
container_ready

test_expect_success ROOT,NSPAWN 'the socket is for root and the group distributest only' '
	test "$(stat -c "%a %u %g" "$S/runner.sock")" = "660 0 $DGID" &&
	$IN systemctl show -p SocketMode -p SocketGroup -p MaxConnectionsPerSource \
		distributest-runner.socket > props &&
	test_grep "SocketMode=0660" props &&
	test_grep "SocketGroup=distributest" props &&
	test_grep "MaxConnectionsPerSource=16" props
'

test_expect_success ROOT,NSPAWN 'a user not in the group is refused' '
	echo | XDG_RUNTIME_DIR= test_expect_code 111 setpriv --reuid="$A" --regid="$(id -g "$A")" --clear-groups \
		dt-spawn --connect --socket "$S/runner.sock" 2> err &&
	test_grep "Permission denied" err
'

test_expect_success ROOT,NSPAWN 'a member runs tests in the sandbox, with its own groups' '
	rm -f out &&
	{ hello /srv/v/copy; ev start 1; test_wait_for "^runner-up	1	" out;
	  ev run 1 t/unit.t; test_wait_for "^done	1	" out; } |
	setpriv --reuid="$V" --regid="$(id -g "$V")" --groups="$DGID" \
		dt-spawn --connect --socket "$S/runner.sock" > out &&
	grep "^done	1	passed	" out &&
	grep -x "$(printf "out\t1\tgroups=%s %s nice=19 pid1=hidden" "$(id -g "$V")" "$DGID")" out
'

test_expect_success ROOT,NSPAWN 'the service has the promised sandbox' '
	$IN systemctl show -p PrivateDevices -p ProtectProc -p RestrictAddressFamilies \
		-p SystemCallErrorNumber -p ProtectSystem -p NoNewPrivileges \
		distributest-runner@x.service > props &&
	test_grep "PrivateDevices=yes" props &&
	test_grep "ProtectProc=invisible" props &&
	test_grep "RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX" props &&
	test_grep "ProtectSystem=full" props &&
	test_grep "NoNewPrivileges=yes" props
'

test_done
