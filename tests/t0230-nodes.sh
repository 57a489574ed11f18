#!/bin/sh
test_description='a run across three nodes over ssh, and the faults it survives'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

HOSTNAME=$(hostname)
Q="'"

# The project: files that say where they ran, leave a mark in their
# working directory, and take a little while.
make_project() {
	rm -rf proj && make_command_project proj &&
	for i in $(seq 1 "$1"); do
		printf "echo ran on \$DT_NODE as \$DT_RUNNER_ID\ntouch \$HOME/ran-%s\nsleep %s\n" "$i" "${2:-0.3}" > "proj/t/f$i.t" || return 1
	done
}

nodes_config() {
	for i in "$@"; do
		printf "[node node%s]\nrunners = 2\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> proj/.distributest/config || return 1
	done
}

# How many lines of file $2 match $1; 0 when there is no file yet.
count() {
	c=$(grep -c "$1" "$2" 2>/dev/null) || :
	echo "${c:-0}"
}

# Pids on node I other than its sshd and the sessions of this test's ssh.
node_leftovers() {
	for p in $(node_pids "$1"); do
		c=$(tr "\0" " " < "/proc/$p/cmdline" 2>/dev/null) || continue
		case $c in
		*sshd*|"") ;;
		*) echo "node$1: $p $c" ;;
		esac
	done
}

test_expect_success 'a cluster of three nodes' '
	cluster_up 3
'

test_expect_success 'distributest --nodes runs no command of the project'"'"'s own unless the user allows it' '
	make_project 1 && nodes_config 1 2 3 &&
	(cd proj && test_expect_code 100 distributest --nodes) > out 2> err &&
	test_grep "proj/.distributest/config:7: rsh: a project${Q}s own command is not run to check the nodes; set project_commands = yes in your configuration to allow it" err &&
	printf "[run]\nproject_commands = yes\n" >> proj/.distributest/config &&
	(cd proj && test_expect_code 100 distributest --nodes) 2> err &&
	test_grep "project_commands: only the user${Q}s or the system${Q}s configuration can allow a project${Q}s commands" err
'

test_expect_success 'distributest --nodes sees every node' '
	mkdir -p "$XDG_CONFIG_HOME/distributest" &&
	printf "[run]\nproject_commands = yes\n" > "$XDG_CONFIG_HOME/distributest/config" &&
	make_project 1 && nodes_config 1 2 3 &&
	(cd proj && distributest --nodes) > out &&
	grep " up " out > up &&
	test_line_count = 3 up &&
	v=$(distributest -V | sed "s/^distributest //") && test -n "$v" &&
	grep "^node1 .* up .*$v .*direct" out
'

test_expect_success 'a run spreads over every node; same totals as on one machine' '
	make_project 12 && nodes_config 1 2 3 &&
	(cd proj && distributest) > out &&
	test_grep "12 files, 12 examples, 0 failures" out &&
	for i in 1 2 3; do
		grep "	done	node$i	" proj/.distributest/log > /dev/null || return 1
	done &&
	grep "ran on node" proj/.distributest/log > ran &&
	test_line_count = 12 ran
'

test_expect_success 'the copies are on the nodes only, keyed by initiator, user and project' '
	name=$(copy_path proj) && test -n "$name" &&
	copy=/root/.cache/distributest/$HOSTNAME/root/$name &&
	for i in 1 2 3; do
		node_exec $i test -f "$copy/t/f1.t" || return 1
	done &&
	! test -e "$HOME/.cache/distributest/$HOSTNAME/root/$name/t/f1.t" &&
	for i in 1 2 3; do
		node_exec $i ls /root > ls$i &&
		{ grep "^ran-" ls$i || :; } >> marks || return 1
	done &&
	test_line_count = 12 marks &&
	! ls /root | grep ^ran-
'

# ssh cannot make a master socket whose path is over 107 bytes.
test_expect_success 'under a long TMPDIR, ssh masters are made in /tmp, and removed' '
	long=$TMPDIR/$(printf "%070d" 0) && mkdir -p "$long" &&
	ls -d /tmp/dt-ssh.* > before 2> /dev/null || : &&
	(cd proj && TMPDIR=$long distributest) > out &&
	test_grep "12 files, 12 examples, 0 failures" out &&
	ls -d /tmp/dt-ssh.* > after 2> /dev/null || : &&
	test_cmp before after
'

test_expect_success 'nothing of the run is left on any node' '
	sleep 0.5 &&
	for i in 1 2 3; do node_leftovers $i; done > left &&
	test_must_fail test -s left
'

test_expect_success 'an unreachable node is skipped; the run goes on' '
	make_project 12 1.5 && nodes_config 1 2 3 &&
	cluster_cut 3 &&
	(cd proj && distributest) > out &&
	cluster_heal 3 &&
	test_grep "node node3 is out of the run (sync)" out &&
	test_grep "12 files, 12 examples, 0 failures" out
'

test_expect_success 'a node whose link is cut mid-run: its files run elsewhere' '
	make_project 12 1 && nodes_config 1 2 3 &&
	rm -f proj/.distributest/log &&
	{ (cd proj && exec distributest) > out & } && run=$! &&
	i=0 && until grep -q "	assign	node2	" proj/.distributest/log 2>/dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	cluster_cut 2 &&
	wait $run &&
	cluster_heal 2 &&
	test_grep "node node2 is out of the run (channel)" out &&
	test_grep "rerunning" out &&
	test_grep "12 files, 12 examples, 0 failures" out
'

test_expect_success 'a node cut off: within three heartbeats its runners are gone, while still cut off' '
	make_project 12 3 && nodes_config 1 2 3 &&
	rm -f proj/.distributest/log &&
	{ (cd proj && DISTRIBUTEST_HEARTBEAT=1 exec distributest) > out & } && run=$! &&
	i=0 && until grep -q "	assign	node2	" proj/.distributest/log 2>/dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	node_leftovers 2 | grep -q dt-spawn &&
	cluster_cut 2 &&
	i=0 && while node_leftovers 2 | grep -q .; do
		i=$((i + 1)); test $i -lt 100 || { node_leftovers 2; return 1; }; sleep 0.1
	done &&
	wait $run &&
	cluster_heal 2 &&
	test_grep "node node2 is out of the run" out &&
	test_grep "12 files, 12 examples, 0 failures" out
'

test_expect_success 'a node killed mid-run, sshd and all: its files run elsewhere' '
	rm -f proj/.distributest/log &&
	{ (cd proj && exec distributest) > out & } && run=$! &&
	i=0 && until grep -q "	assign	node3	" proj/.distributest/log 2>/dev/null; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	cluster_kill 3 &&
	wait $run &&
	test_grep "node node3 is out of the run" out &&
	test_grep "12 files, 12 examples, 0 failures" out &&
	cluster_revive 3
'

test_expect_success 'every node lost: the run ends at once, the lost files listed' '
	make_project 6 3 && nodes_config 1 2 &&
	rm -f proj/.distributest/log &&
	{ (cd proj && exec distributest) > out & } && run=$! &&
	i=0 && until test "$(count "	assign	" proj/.distributest/log)" -ge 4; do
		i=$((i + 1)); test $i -lt 100 || return 1; sleep 0.1
	done &&
	cluster_kill 1 && cluster_kill 2 &&
	{ wait $run; rc=$?; } &&
	test $rc -eq 2 &&
	test_grep "LOST t/f" out &&
	cluster_revive 1 && cluster_revive 2
'

test_expect_success 'the initiator killed with SIGKILL: nothing left on any node' '
	make_project 6 30 && nodes_config 1 2 3 &&
	rm -f proj/.distributest/log &&
	{ (cd proj && exec distributest) > out 2>&1 & } && run=$! &&
	i=0 && until test "$(count "	assign	" proj/.distributest/log)" -ge 6; do
		i=$((i + 1)); test $i -lt 150 || return 1; sleep 0.1
	done &&
	for i in 1 2 3; do node_leftovers $i; done > before &&
	test -s before &&
	kill -KILL $run &&
	i=0 && while for n in 1 2 3; do node_leftovers $n; done | grep . > left; do
		i=$((i + 1)); test $i -lt 100 || { cat left; return 1; }; sleep 0.1
	done
'

test_expect_success 'a failing runner_setup on a node takes out that runner only' '
	make_project 6 && nodes_config 1 &&
	printf "#!/bin/sh\n[ \"\$TEST_ENV_NUMBER\" != 2 ]\n" > proj/.distributest/runner_setup &&
	chmod +x proj/.distributest/runner_setup &&
	(cd proj && distributest) > out &&
	test_grep "runner node1/2 is out: runner_setup exited 1" out &&
	test_grep "6 files, 6 examples, 0 failures" out
'

test_expect_success 'two initiators at once on the same nodes do not collide' '
	make_project 8 && nodes_config 1 2 &&
	cp -R proj proj2 &&
	{ (cd proj2 && exec unshare --uts sh -c "hostname otherbox && exec distributest") > out2 & } && other=$! &&
	(cd proj && distributest) > out &&
	wait $other &&
	test_grep "8 files, 8 examples, 0 failures" out &&
	test_grep "8 files, 8 examples, 0 failures" out2 &&
	node_exec 1 test -d "/root/.cache/distributest/otherbox/root/$(copy_path proj2)" &&
	node_exec 1 test -d "/root/.cache/distributest/$HOSTNAME/root/$(copy_path proj)" &&
	grep -q "dt_otherbox_root_proj2_[0-9a-f]*_node" proj2/.distributest/log
'

test_done
