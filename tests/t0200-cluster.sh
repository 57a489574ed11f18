#!/bin/sh
test_description='the test cluster: nodes in namespaces, reached by ssh and rsync'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

# Names outside the trash, in /root: unlikely to be there by chance.
X=dt-cluster-x
COPY=dt-cluster-copy
CM="-o ControlMaster=auto -o ControlPath=$TRASH/cm-%n -o ControlPersist=yes"

# The K node1 would take first is claimed by another script, as it were:
# node1 must take another one.
test_expect_success 'three nodes come up, around a K that is taken' '
	test ! -e /root/$X &&
	test ! -e /root/$COPY &&
	taken=$(($$ % 50 * 5 + 1)) &&
	if ip link add dtv$taken type veth peer name dt$$q; then
		echo $taken > taken
	fi &&
	cluster_up 3
	up=$?
	if test -s taken; then
		ip link del dtv$taken
	fi
	test $up -eq 0 &&
	if test -s taken; then
		test "$(node_k 1)" != $taken
	fi &&
	for i in 1 2 3; do
		$DT_SSH node$i true &&
		test "$(cat cluster/sshd-node$i.pid)" = "$(cat cluster/pid$i)" &&
		node_pids $i > pids &&
		grep -qx "$(cat cluster/pid$i)" pids || return 1
	done
'

test_expect_success 'names and addresses are short and distinct' '
	for i in 1 2 3; do
		ns=$(node_ns $i) &&
		test "$ns" = "dt$$n$i" &&
		test ${#ns} -le 15 &&
		ip netns list | cut -d" " -f1 | grep -qx "$ns" &&
		node_addr $i >> addrs || return 1
	done &&
	sort -u addrs > distinct &&
	test_line_count = 3 distinct &&
	! grep -v "^10\.213\.[0-9]*\.2$" addrs &&
	for a in $(cat addrs); do
		k=${a#10.213.} && k=${k%.2} && test "$k" -ge 1 && test "$k" -le 250 &&
		ip -o -4 addr show dev dtv$k | grep -q "inet 10\.213\.$k\.1/30" || return 1
	done
'

test_expect_success 'a command runs in its node, as root in /root' '
	for i in 1 2 3; do
		$DT_SSH node$i "hostname; ip -o -4 addr show" > out &&
		test "$(head -n 1 out)" = node$i &&
		test_grep "inet $(node_addr $i)/30" out &&
		grep "inet 10\.213\." out > inet &&
		test_line_count = 1 inet &&
		$DT_SSH node$i "id -u; pwd; echo \$HOME" > out &&
		printf "0\n/root\n/root\n" > want &&
		test_cmp want out || return 1
	done &&
	$DT_SSH node2 "echo \$SSH_CONNECTION" > out &&
	a=$(node_addr 2) &&
	test_grep "${a%.2}.1 " out &&
	test_grep " $a 22" out
'

test_expect_success 'each node has a /root and a hostname of its own' '
	! grep " /root .* dt-node" /proc/self/mountinfo &&
	test "$(hostname)" != node1 &&
	for i in 1 2 3; do
		node_exec $i hostname > out &&
		echo node$i > want &&
		test_cmp want out &&
		node_exec $i findmnt -n -o FSTYPE /root > out &&
		echo tmpfs > want &&
		test_cmp want out &&
		node_exec $i ls -A /root > out &&
		test_cmp /dev/null out || return 1
	done
'

test_expect_success 'a file written over ssh is in that node only' '
	$DT_SSH node1 "mkdir -p $X && echo hi > $X/f" &&
	node_exec 1 test -f /root/$X/f &&
	echo hi > want &&
	node_exec 1 cat /root/$X/f > out &&
	test_cmp want out &&
	$DT_SSH node1 cat $X/f > out &&
	test_cmp want out &&
	test_must_fail node_exec 2 test -e /root/$X &&
	test_must_fail node_exec 3 test -e /root/$X &&
	test ! -e /root/$X
'

test_expect_success RSYNC 'rsync copies a tree to one node' '
	mkdir -p dir/sub &&
	echo one > dir/a &&
	echo two > dir/sub/b &&
	ln -s a dir/link &&
	rsync -a -e "$DT_SSH" dir/ node2:$COPY/ &&
	node_exec 2 diff -r "$TRASH/dir" /root/$COPY &&
	node_exec 2 readlink /root/$COPY/link > out &&
	echo a > want &&
	test_cmp want out &&
	test_must_fail node_exec 1 test -e /root/$COPY &&
	test_must_fail node_exec 3 test -e /root/$COPY &&
	test ! -e /root/$COPY &&
	echo three > dir/sub/b &&
	rsync -a -e "$DT_SSH" dir/ node2:$COPY/ &&
	$DT_SSH node2 cat $COPY/sub/b > out &&
	echo three > want &&
	test_cmp want out
'

test_expect_success 'ssh connections are multiplexed through a master' '
	$DT_SSH node1 "echo \$PPID" > plain1 &&
	$DT_SSH node1 "echo \$PPID" > plain2 &&
	! cmp -s plain1 plain2 &&
	$DT_SSH $CM node1 "echo \$PPID" > mux1 &&
	test -S "$TRASH/cm-node1" &&
	$DT_SSH -o ControlPath="$TRASH/cm-%n" -O check node1 &&
	$DT_SSH $CM node1 "echo \$PPID" > mux2 &&
	test_cmp mux1 mux2 &&
	$DT_SSH -o ControlPath="$TRASH/cm-%n" -O exit node1 &&
	i=0 &&
	while test -e "$TRASH/cm-node1" && test $i -lt 50; do
		sleep 0.1 && i=$((i + 1))
	done &&
	test ! -e "$TRASH/cm-node1"
'

test_expect_success 'a cut node is unreachable, a healed one reachable again' '
	a=$(node_addr 1) &&
	ip route get $a > route &&
	test_grep "dev dtv" route || return 1
	timeout 20 $DT_SSH node1 "echo up; sleep 30" > session 2>&1 &
	session=$!
	i=0 &&
	while ! grep -q up session && test $i -lt 50; do
		sleep 0.1 && i=$((i + 1))
	done &&
	test_grep up session &&
	cluster_cut 1 &&
	ip route get $a > route &&
	test_grep "dev dt$$s" route &&
	start=$(date +%s) &&
	test_must_fail $DT_SSH node1 true 2> err &&
	test $(($(date +%s) - start)) -le 5 &&
	test_grep "timed out" err || return 1
	wait $session
	test $? -eq 255 &&
	test $(($(date +%s) - start)) -le 9 &&
	cluster_heal 1 &&
	$DT_SSH node1 cat $X/f > out &&
	echo hi > want &&
	test_cmp want out
'

test_expect_success 'a killed node has no process left' '
	$DT_SSH node3 "sleep 120 > /dev/null 2>&1 < /dev/null &" || return 1
	node_exec 3 sleep 120 &
	i=0 &&
	while test $(node_pids 3 | wc -l) -lt 3 && test $i -lt 50; do
		sleep 0.1 && i=$((i + 1))
	done &&
	node_pids 3 > pids &&
	test_line_count -ge 3 pids &&
	cluster_kill 3 &&
	node_pids 3 > pids &&
	test_cmp /dev/null pids &&
	test_must_fail $DT_SSH node3 true &&
	$DT_SSH node1 true &&
	$DT_SSH node2 true
'

test_expect_success 'a revived node has its sshd back and an empty /root' '
	cluster_revive 3 &&
	$DT_SSH node3 "echo x > f" &&
	node_exec 3 test -f /root/f &&
	cluster_revive 3 &&
	$DT_SSH node3 true &&
	node_exec 3 ls -A /root > out &&
	test_cmp /dev/null out
'

test_expect_success 'cluster_down leaves nothing behind' '
	for i in 1 2 3; do
		node_k $i >> ks || return 1
	done &&
	cluster_down &&
	cluster_down &&
	ip netns list > ns &&
	! grep "^dt$$n" ns &&
	for k in $(cat ks); do
		test_must_fail ip link show dtv$k 2> /dev/null &&
		! ip route | grep "^10\.213\.$k\.0/" &&
		ss -Htan exclude time-wait dst 10.213.$k.2 > socks &&
		test_cmp /dev/null socks || return 1
	done &&
	test_must_fail ip link show dt$$s 2> /dev/null &&
	! pgrep -f "$TRASH/cluster/sshd-node" &&
	! ls /run/netns | grep "^dt$$n"
'

test_done
