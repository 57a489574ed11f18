#!/bin/sh
test_description='dt-prep: node_setup once per node through its channel'
. "$(dirname "$0")/test-lib.sh"

# The copy of project proj, whose name has the hash 0123abcd.
COPY=$HOME/.cache/distributest/ihost/iuser/0123abcd/proj

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	ev set name proj-0123abcd
	ev set initiator ihost
	ev set user iuser
	ev set spawn "$LIBEXEC/dt-spawn"
	ev node local 2 local ssh .cache/distributest
	ev tests-end 0
}

test_expect_success 'setup' '
	mkdir -p "$COPY/.dt-hooks"
'

test_expect_success 'node_setup runs in the copy; output logged; node ready' '
	printf "#!/bin/sh\necho in \$(pwd)\necho warn >&2\n" > "$COPY/.dt-hooks/node_setup" &&
	chmod +x "$COPY/.dt-hooks/node_setup" &&
	{ head_events; ev synced local 0.1; } | dt-prep > out &&
	test_grep "$(printf "log\tlocal\tin %s" "$COPY")" out &&
	test_grep "$(printf "log\tlocal\twarn")" out &&
	grep "^ready	local	[0-9.]*$" out
'

test_expect_success 'node_setup gets the env settings, as the runners do' '
	printf "#!/bin/sh\necho \"shop=\$SHOP_DB lang=\$LANG\"\n" > "$COPY/.dt-hooks/node_setup" &&
	{ head_events; ev set env SHOP_DB=mysql2; ev set env LANG=C.UTF-8; ev synced local 0.1; } |
	env -u SHOP_DB LANG=C dt-prep > out &&
	test_grep "$(printf "log\tlocal\tshop=mysql2 lang=C.UTF-8")" out
'

test_expect_success 'a node with no node_setup is ready' '
	rm "$COPY/.dt-hooks/node_setup" &&
	{ head_events; ev synced local 0.1; } | dt-prep > out &&
	grep "^ready	local	" out
'

test_expect_success 'a failing node_setup takes the node out, not the run' '
	printf "#!/bin/sh\necho bundle: missing gem\nexit 7\n" > "$COPY/.dt-hooks/node_setup" &&
	chmod +x "$COPY/.dt-hooks/node_setup" &&
	{ head_events; ev synced local 0.1; } | dt-prep > out &&
	test_grep "$(printf "log\tlocal\tbundle: missing gem")" out &&
	test_grep "$(printf "node-down\tlocal\tprep\tnode_setup exited 7: bundle: missing gem")" out &&
	! grep "^ready" out
'

test_expect_success 'a node_setup that leaves a daemon holding its output still ends' '
	printf "#!/bin/sh\nsh -c \"sleep 300; :\" $MARK &\necho started\n" > "$COPY/.dt-hooks/node_setup" &&
	rm -f out &&
	{ head_events; ev synced local 0.1; test_wait_for "^ready	local" out; } | dt-prep > out &&
	grep "^ready	local" out
'

test_expect_success 'an unreachable node: the channel fails, the node is down' '
	{ head_events; ev node far 1 far.invalid "sh -c false" wd; ev synced far 0.1; } | dt-prep > out &&
	grep "^node-down	far	channel	" out
'

test_expect_success 'a dt-spawn of another protocol version is refused by name' '
	printf "#!/bin/sh\nprintf \"hello\\\\tdistributest-channel\\\\t9\\\\t9.0\\\\n\"\ncat > /dev/null\n" > fake-spawn &&
	chmod +x fake-spawn &&
	{ head_events | sed "s|^set	spawn	.*|set	spawn	$TRASH/fake-spawn|"; ev synced local 0.1; } |
	dt-prep > out 2> err &&
	test_grep "$(printf "node-down\tlocal\tchannel\tprotocol version mismatch: dt-spawn speaks distributest-channel version 9 (9.0), we speak version 2")" out
'

test_expect_success 'synced for an unknown node is a data error' '
	{ head_events; ev synced nosuch 0.1; } | test_expect_code 101 dt-prep > /dev/null 2> err &&
	test_grep "synced names unknown node \"nosuch\"" err
'

test_done
