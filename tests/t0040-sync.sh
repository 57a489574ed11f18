#!/bin/sh
test_description='dt-sync: the project and hooks copied to each node'
. "$(dirname "$0")/test-lib.sh"

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	ev set name "${name:-proj-0123abcd}"
	ev set initiator ihost
	ev set user iuser
}

# The hash that ends the name, then the project's own name.
COPY=$HOME/.cache/distributest/ihost/iuser/0123abcd/proj

test_expect_success 'setup' '
	mkdir -p proj/spec proj/.git proj/log proj/tmp proj/.distributest proj/coverage &&
	echo a > proj/spec/a_spec.rb &&
	echo g > proj/.git/HEAD &&
	echo l > proj/log/test.log &&
	echo t > proj/tmp/x &&
	echo c > proj/coverage/index.html &&
	printf "#!/bin/sh\necho setup\n" > hook
'

test_expect_success 'a local node gets a copy under workdir/initiator/user/hash/name' '
	{ head_events; ev set node_setup "$TRASH/hook"; ev node local 2 local ssh .cache/distributest; } |
	dt-sync > out &&
	grep "^synced	local	[0-9.]*$" out &&
	test_cmp proj/spec/a_spec.rb "$COPY/spec/a_spec.rb" &&
	test_cmp hook "$COPY/.dt-hooks/node_setup" &&
	test -x "$COPY/.dt-hooks/node_setup" &&
	! test -e "$COPY/.dt-hooks/runner_setup"
'

test_expect_success '.git, log, tmp and .distributest stay behind; so do excludes' '
	{ head_events; ev set exclude coverage/; ev node local 2 local ssh wd2; } |
	dt-sync > out &&
	c=$HOME/wd2/ihost/iuser/0123abcd/proj &&
	test -e "$c/spec/a_spec.rb" &&
	! test -e "$c/.git" && ! test -e "$c/log" && ! test -e "$c/tmp" &&
	! test -e "$c/.distributest" && ! test -e "$c/coverage"
'

test_expect_success 'every event is passed on; files deleted in the project go on the node' '
	rm proj/spec/a_spec.rb && echo b > proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; ev test spec/b_spec.rb 2; } > in &&
	dt-sync < in > out &&
	head -n 7 out > got && test_cmp in got &&
	! test -e "$COPY/spec/a_spec.rb" && test -e "$COPY/spec/b_spec.rb" &&
	! test -e "$COPY/.dt-hooks/node_setup"
'

test_expect_success 'an edit of the same size within the same second reaches the node' '
	echo old > proj/spec/b_spec.rb &&
	touch -d "2024-01-01 00:00:00.100" proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	echo new > proj/spec/b_spec.rb &&
	touch -d "2024-01-01 00:00:00.600" proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test_cmp proj/spec/b_spec.rb "$COPY/spec/b_spec.rb"
'

test_expect_success 'what a node made in its log/ and tmp/ stays there' '
	mkdir -p "$COPY/tmp" && echo keep > "$COPY/tmp/cache" &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test -e "$COPY/tmp/cache"
'

test_expect_success 'an absolute workdir is used as it is' '
	{ head_events; ev node local 2 local ssh "$TRASH/wd"; } | dt-sync > out &&
	test -e "$TRASH/wd/ihost/iuser/0123abcd/proj/spec/b_spec.rb"
'

test_expect_success 'a name without a hash names both directories' '
	{ name=proj head_events; ev node local 2 local ssh wd3; } | dt-sync > out &&
	test -e "$HOME/wd3/ihost/iuser/proj/proj/spec/b_spec.rb"
'

test_expect_success 'a file excluded after it was copied leaves the node; what the node made stays' '
	echo g > proj/Gemfile &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test -e "$COPY/Gemfile" &&
	mkdir -p "$COPY/tmp" "$COPY/spec/__pycache__" &&
	echo keep > "$COPY/tmp/cache" && echo keep > "$COPY/spec/__pycache__/m.pyc" &&
	{ head_events; ev set exclude Gemfile; ev set exclude tmp/; ev set exclude "*.pyc";
	  ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	! test -e "$COPY/Gemfile" && test -e proj/Gemfile &&
	test -e "$COPY/tmp/cache" && test -e "$COPY/spec/__pycache__/m.pyc" &&
	rm proj/Gemfile
'

test_expect_success 'a failing rsync takes the node out with its reason' '
	printf "#!/bin/sh\necho rsync: connection refused >&2\nexit 12\n" > fake-rsync &&
	chmod +x fake-rsync &&
	{ head_events; ev node n1 2 local ssh .cache/distributest; } |
	dt-sync -r ./fake-rsync > out &&
	test_grep "$(printf "log\tn1\trsync: connection refused")" out &&
	test_grep "$(printf "node-down\tn1\tsync\trsync exited 12: rsync: connection refused")" out
'

test_expect_success 'a remote shell that fails: its own words, not rsync'"'"'s closing ones, in node-down' '
	printf "#!/bin/sh\necho \"ssh: connect to host n1 port 22: Connection refused\" >&2\necho \"rsync: connection unexpectedly closed (0 bytes received so far) [sender]\" >&2\necho \"rsync error: unexplained error (code 255) at io.c(232) [sender=3.2.7]\" >&2\nexit 255\n" > fake-ssh-rsync &&
	chmod +x fake-ssh-rsync &&
	{ head_events; ev node n1 2 n1 ssh .cache/distributest; } |
	dt-sync -r ./fake-ssh-rsync > out &&
	test_grep "$(printf "log\tn1\trsync error: unexplained error")" out &&
	test_grep "$(printf "node-down\tn1\tsync\trsync exited 255: ssh: connect to host n1 port 22: Connection refused")" out
'

test_expect_success 'a missing rsync is a node-down, not a crash' '
	{ head_events; ev node n1 2 local ssh .cache/distributest; } |
	dt-sync -r ./no-such-rsync > out &&
	test_grep "$(printf "node-down\tn1\tsync\tcannot run ./no-such-rsync")" out
'

test_expect_success 'nodes sync in parallel' '
	printf "#!/bin/sh\nsleep 1\n" > slow-rsync && chmod +x slow-rsync &&
	{ head_events; for i in 1 2 3 4 5 6; do ev node n$i 1 local ssh wd; done; } > in &&
	start=$(date +%s) &&
	dt-sync -r ./slow-rsync < in > out &&
	end=$(date +%s) &&
	grep "^synced" out > synced &&
	test_line_count = 6 synced &&
	test $((end - start)) -lt 5
'

test_expect_success 'a node before the project settings is a data error' '
	ev node n1 1 local ssh wd | test_expect_code 101 dt-sync > /dev/null 2> err &&
	test_grep "stdin line 1: node before the project" err
'

test_expect_success 'a malformed line is an error naming its line' '
	{ head_events; printf "set\tx\tbad\\\\z\n"; } | test_expect_code 101 dt-sync > /dev/null 2> err &&
	test_grep "stdin line 6: unknown escape" err
'

test_done
