#!/bin/sh
test_description='the systemd units and dt-spawn behind a socket, inetd style'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'the installed units pass systemd-analyze verify' '
	make -s -C "$SRCDIR" install PREFIX="$TRASH/usr" SYSCONFDIR="$TRASH/etc" > make.out 2>&1 &&
	u=$TRASH/usr/lib/systemd &&
	grep "^ExecStart=$TRASH/usr/libexec/distributest/dt-spawn --as-peer$" "$u/system/distributest-runner@.service" &&
	systemd-analyze verify --man=no "$u/system/distributest-runner.socket" "$u/system/distributest-runner@.service" &&
	mkdir -p run && XDG_RUNTIME_DIR=$TRASH/run systemd-analyze --user verify --man=no \
		"$u/user/distributest-runner.socket" "$u/user/distributest-runner@.service"
'

# A project copy anyone may read, and a test that says who runs it.
test_expect_success 'setup' '
	mkdir -p copy/t && chmod 755 "$TRASH" copy copy/t &&
	printf "echo user=\$(id -un) home=\$HOME\nsh -c \"sleep 300; :\" $MARK &\nsleep 0.2\n" > copy/t/who.t &&
	chmod 644 copy/t/who.t
'

# A channel that runs t/who.t, held open until its results are in file
# out, where the channel's output must go (removed first).
session() {
	ev hello distributest-channel 2 test
	ev set dir "$TRASH/copy"
	ev set framework command
	ev set command "sh {}"
	ev set id dt_sock
	ev start 1
	test_wait_for "^runner-up	1	" out
	ev run 1 t/who.t
	test_wait_for "^done	1	" out
}

start_inetd() {
	rm -f runner.sock &&
	{ systemd-socket-activate -l "$TRASH/runner.sock" --accept --inetd \
		"$LIBEXEC/dt-spawn" --as-peer > inetd.log 2>&1 & } &&
	inetd=$! &&
	i=0 && until test -S runner.sock; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	chmod 666 runner.sock
}

test_expect_success 'dt-spawn --connect reaches the socket and runs as the peer' '
	start_inetd && rm -f out &&
	session | runuser -u nobody -- "$LIBEXEC/dt-spawn" --connect --socket "$TRASH/runner.sock" > out &&
	test_grep "$(printf "out\t1\tuser=nobody home=")" out &&
	grep "^done	1	passed	" out &&
	test_no_leftovers &&
	kill $inetd
'

test_expect_success 'a socket that refuses the user is an error, not a fallback' '
	start_inetd && chmod 600 runner.sock &&
	echo | XDG_RUNTIME_DIR= test_expect_code 111 runuser -u nobody -- "$LIBEXEC/dt-spawn" --connect --socket "$TRASH/runner.sock" 2> err &&
	test_grep "Permission denied" err &&
	kill $inetd
'

test_expect_success 'root connecting stays root' '
	start_inetd && rm -f out &&
	session | "$LIBEXEC/dt-spawn" --connect --socket "$TRASH/runner.sock" > out &&
	test_grep "$(printf "out\t1\tuser=root")" out &&
	kill $inetd
'

test_expect_success 'without a socket --connect runs the agent itself' '
	rm -f out &&
	session | XDG_RUNTIME_DIR=$TRASH/none "$LIBEXEC/dt-spawn" --connect > out &&
	grep "^done	1	passed	" out
'

test_expect_success 'the user socket in $XDG_RUNTIME_DIR comes first' '
	mkdir -p xdg/distributest &&
	{ systemd-socket-activate -l "$TRASH/xdg/distributest/runner.sock" --accept --inetd \
		"$LIBEXEC/dt-spawn" --as-peer > inetd2.log 2>&1 & } &&
	inetd2=$! &&
	i=0 && until test -S xdg/distributest/runner.sock; do
		i=$((i + 1)); test $i -lt 50 || return 1; sleep 0.1
	done &&
	rm -f out &&
	{ ev hello distributest-channel 2 x; ev info .; test_wait_for "^info-end" out; } |
	XDG_RUNTIME_DIR=$TRASH/xdg "$LIBEXEC/dt-spawn" --connect > out &&
	test_grep "$(printf "info\tvia\tsocket unit")" out &&
	kill $inetd2
'

test_expect_success '--as-peer refuses a standard input that is not a socket' '
	echo | test_expect_code 100 "$LIBEXEC/dt-spawn" --as-peer 2> err &&
	test_grep "not a Unix stream socket" err
'

test_expect_success '--connect with a named socket that is not there fails' '
	echo | test_expect_code 111 "$LIBEXEC/dt-spawn" --connect --socket "$TRASH/nope" 2> err &&
	test_grep "connect $TRASH/nope" err
'

test_done
