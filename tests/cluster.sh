# cluster.sh: a multi-node test cluster on this machine, for the tests
# that need real ssh and rsync between an initiator and its nodes.
# Source it after test-lib.sh.  Root only; the script is skipped when
# network namespaces cannot be made.
#
# Node I (node1..nodeN) is a network namespace dt<PID>nI joined to the
# root namespace by a veth pair: dtv<K> here, 10.213.<K>.1/30, and eth0
# in the node, 10.213.<K>.2/30.  In it an sshd runs in a mount namespace
# of its own whose /root, the node user's HOME, is an empty tmpfs: what
# is in a node's /root came through ssh.  The rest of the filesystem is
# shared, so a node runs the build/ and the system's programs.  Its UTS
# namespace is its own too: its hostname is nodeI.  Its sessions have
# TMPDIR $TRASH/tmp-nodeI, so that what a node killed leaves there (its
# runners' temporary directories) goes with the trash, not into /tmp.
# K is unique among all the scripts running at once: the name dtv<K> is
# claimed with the veth, and a name that exists is never taken twice.
#
#   cluster_up N       N nodes up, ssh to every one works; $DT_SSH is
#                      the rsh that reaches them: $DT_SSH node2 CMD
#   cluster_down       everything gone (run by the EXIT trap too)
#   node_ns I          the node's network namespace name
#   node_addr I        the node's address, 10.213.K.2 (the host is .1)
#   node_k I           the node's K
#   node_exec I CMD    CMD in the node's network, mount and UTS namespaces,
#                      in /
#   node_pids I        pids of the processes in the node's network namespace
#   cluster_cut I      the node's link down, both ends: packets are dropped
#                      silently, as on a real cut, never routed elsewhere
#   cluster_heal I     the link up again
#   cluster_kill I     SIGKILL to every process of the node, sshd included
#   cluster_revive I   node I killed if it is not, then its sshd started
#                      again, with an empty /root; waits for ssh
#
# The state lives in files under $TRASH/cluster, so every function works
# in a test's subshell too, cluster_up included.

CLUSTER=$TRASH/cluster
DT_SSH="ssh -F $TRASH/ssh_config"
export DT_SSH

cluster_skip() {
	skip_all "no test cluster: $*"
}

# Can this machine make the cluster?  Decided before any test runs.
cluster_probe() {
	[ "$(id -u)" = 0 ] || cluster_skip "not root"
	for cl_c in ip unshare nsenter ssh ssh-keygen ss timeout; do
		command -v "$cl_c" > /dev/null 2>&1 || cluster_skip "no $cl_c"
	done
	[ -x /usr/sbin/sshd ] || cluster_skip "no /usr/sbin/sshd"
	cl_probe=dt$$probe
	ip netns del "$cl_probe" > /dev/null 2>&1
	ip netns add "$cl_probe" > /dev/null 2>&1 || cluster_skip "ip netns add fails"
	cl_ok=
	if ip netns exec "$cl_probe" unshare --mount --uts --propagation private true > /dev/null 2>&1 &&
	   ip link add "dt$$p0" type veth peer name eth0 netns "$cl_probe" > /dev/null 2>&1; then
		cl_ok=1
	fi
	ip link del "dt$$p0" > /dev/null 2>&1
	ip netns del "$cl_probe" > /dev/null 2>&1
	[ -n "$cl_ok" ] || cluster_skip "veth or mount namespace fails"
}

cluster_probe

node_ns() {
	echo "dt$$n$1"
}

# K of node $1, from the state.
node_k() {
	cat "$CLUSTER/k$1" 2> /dev/null || {
		echo "cluster: no node$1" >&2
		return 1
	}
}

node_addr() {
	cl_k=$(node_k "$1") || return 1
	echo "10.213.$cl_k.2"
}

node_pids() {
	ip netns pids "$(node_ns "$1")" 2> /dev/null
}

node_exec() {
	cl_p=$(cat "$CLUSTER/pid$1" 2> /dev/null) || {
		echo "node_exec: no node$1" >&2
		return 1
	}
	shift
	nsenter -t "$cl_p" -n -m -u -- "$@"
}

# SIGKILL to every process in network namespace $1, until none is left.
cluster_kill_ns() {
	cl_n=0
	while :; do
		cl_pids=$(ip netns pids "$1" 2> /dev/null)
		[ -z "$cl_pids" ] && return 0
		cl_n=$((cl_n + 1))
		if [ "$cl_n" -gt 50 ]; then
			echo "cluster: processes left in $1: $cl_pids" >&2
			return 1
		fi
		# shellcheck disable=SC2086
		kill -KILL $cl_pids 2> /dev/null
		sleep 0.1
	done
}

# SIGKILL to the processes here that have a socket to address $1: the
# ssh clients and masters of the tests.  Else, when the node's link is
# gone, their packets would take the default route.
cluster_kill_clients() {
	cl_pids=$(ss -Htanp dst "$1" 2> /dev/null | grep -o 'pid=[0-9]*' | sed 's/pid=//' | sort -u)
	if [ -n "$cl_pids" ]; then
		# shellcheck disable=SC2086
		kill -KILL $cl_pids 2> /dev/null
	fi
	return 0
}

cluster_kill() {
	cluster_kill_ns "$(node_ns "$1")"
}

# Remove what scripts that died without their cleanup left: namespaces
# dt<PID>n<I> and sinks dt<PID>s whose <PID> is no process.
cluster_reap() {
	for cl_ns in $(ip netns list 2> /dev/null | sed -n 's/^\(dt[0-9][0-9]*n[0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p'); do
		cl_owner=${cl_ns#dt}
		cl_owner=${cl_owner%%n*}
		if [ "$cl_owner" = "$$" ] || ! kill -0 "$cl_owner" 2> /dev/null; then
			cluster_kill_ns "$cl_ns"
			ip netns del "$cl_ns" 2> /dev/null
		fi
	done
	for cl_dev in $(ip -o link show 2> /dev/null | sed -n 's/^[0-9]*: \(dt[0-9][0-9]*s\)[:@].*/\1/p'); do
		cl_owner=${cl_dev#dt}
		cl_owner=${cl_owner%s}
		if [ "$cl_owner" = "$$" ] || ! kill -0 "$cl_owner" 2> /dev/null; then
			ip link del "$cl_dev" 2> /dev/null
		fi
	done
	return 0
}

# The sshd of node $1, in its namespaces, with an empty /root.
cluster_start_sshd() {
	cl_ns=$(node_ns "$1")
	rm -f "$CLUSTER/sshd-node$1.pid"
	ip netns exec "$cl_ns" unshare --mount --uts --propagation private \
		sh -c 'hostname "$1" && mount -t tmpfs -o mode=0700 "dt-$1" /root &&
			exec /usr/sbin/sshd -D -e -f "$2"' \
		sh "node$1" "$CLUSTER/sshd-node$1.conf" \
		< /dev/null >> "$TRASH/sshd-node$1.log" 2>&1 &
	# ip netns exec, unshare and sh exec: this is the sshd's pid.
	echo $! > "$CLUSTER/pid$1"
}

# Wait until ssh reaches node $1, ten seconds at most.
cluster_wait_ssh() {
	cl_end=$(($(date +%s) + 10))
	cl_p=$(cat "$CLUSTER/pid$1")
	while ! timeout 5 ssh -F "$TRASH/ssh_config" "node$1" true < /dev/null > /dev/null 2> "$CLUSTER/ssh-err"; do
		if ! kill -0 "$cl_p" 2> /dev/null || [ "$(date +%s)" -ge "$cl_end" ]; then
			echo "cluster: node$1 not reachable by ssh:" >&2
			sed 's/^/| /' "$CLUSTER/ssh-err" >&2
			echo "cluster: sshd-node$1.log:" >&2
			sed 's/^/| /' "$TRASH/sshd-node$1.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

cluster_up() {
	cl_nodes=$1
	case $cl_nodes in
	[1-9] | 1[0-9] | 20) ;;
	*)
		echo "cluster_up: 1 to 20 nodes, not '$cl_nodes'" >&2
		return 1
		;;
	esac
	if [ -e "$CLUSTER/nodes" ]; then
		echo "cluster_up: the cluster is up already" >&2
		return 1
	fi
	mkdir -p "$CLUSTER" /run/sshd || return 1
	chmod 0755 /run/sshd
	cluster_reap
	if [ ! -e "$CLUSTER/host_key" ]; then
		ssh-keygen -q -t ed25519 -N '' -C dt-cluster-host -f "$CLUSTER/host_key" &&
		ssh-keygen -q -t ed25519 -N '' -C dt-cluster-client -f "$CLUSTER/id_ed25519" &&
		cp "$CLUSTER/id_ed25519.pub" "$CLUSTER/authorized_keys" || return 1
	fi
	# Where packets for a node go while its link is cut: a veth whose
	# peer is down drops them, without ARP.  Without it they would
	# follow the default route out of the machine.
	cl_sink=dt$$s
	if ! ip link show "$cl_sink" > /dev/null 2>&1; then
		ip link add "$cl_sink" type veth peer name "dt$$t" &&
		ip link set "$cl_sink" arp off &&
		ip link set "$cl_sink" up || return 1
	fi
	echo "$cl_nodes" > "$CLUSTER/nodes"
	cl_base=$(($$ % 50 * 5))
	cl_i=1
	while [ "$cl_i" -le "$cl_nodes" ]; do
		cl_ns=$(node_ns "$cl_i")
		ip netns add "$cl_ns" || return 1
		ip netns exec "$cl_ns" sh -c '
			for f in /proc/sys/net/ipv6/conf/default/disable_ipv6 /proc/sys/net/ipv6/conf/all/disable_ipv6; do
				if [ -w "$f" ]; then echo 1 > "$f"; fi
			done'
		# Claim a K: the first whose veth name and subnet are free.
		cl_k=
		cl_try=0
		while [ "$cl_try" -lt 250 ]; do
			cl_c=$(((cl_base + cl_i - 1 + cl_try) % 250 + 1))
			cl_try=$((cl_try + 1))
			ip link show "dtv$cl_c" > /dev/null 2>&1 && continue
			[ -n "$(ip -o -4 addr show to "10.213.$cl_c.0/30" 2> /dev/null)" ] && continue
			if ip link add "dtv$cl_c" type veth peer name eth0 netns "$cl_ns" 2> "$CLUSTER/ip-err"; then
				cl_k=$cl_c
				break
			fi
			if ! ip link show "dtv$cl_c" > /dev/null 2>&1; then
				echo "cluster_up: cannot make a veth:" >&2
				cat "$CLUSTER/ip-err" >&2
				return 1
			fi
		done
		if [ -z "$cl_k" ]; then
			echo "cluster_up: no free 10.213.K.0/30" >&2
			return 1
		fi
		echo "$cl_k" > "$CLUSTER/k$cl_i"
		if [ -w "/proc/sys/net/ipv6/conf/dtv$cl_k/disable_ipv6" ]; then
			echo 1 > "/proc/sys/net/ipv6/conf/dtv$cl_k/disable_ipv6"
		fi
		ip route replace "10.213.$cl_k.0/30" dev "$cl_sink" metric 4000 &&
		ip addr add "10.213.$cl_k.1/30" dev "dtv$cl_k" &&
		ip link set "dtv$cl_k" up &&
		ip -n "$cl_ns" link set lo up &&
		ip -n "$cl_ns" addr add "10.213.$cl_k.2/30" dev eth0 &&
		ip -n "$cl_ns" link set eth0 up || return 1
		cat > "$CLUSTER/sshd-node$cl_i.conf" <<-EOF || return 1
		ListenAddress 10.213.$cl_k.2
		HostKey $CLUSTER/host_key
		PidFile $CLUSTER/sshd-node$cl_i.pid
		AuthorizedKeysFile $CLUSTER/authorized_keys
		StrictModes no
		UsePAM no
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		PrintMotd no
		PrintLastLog no
		UseDNS no
		LogLevel ERROR
		Subsystem sftp internal-sftp
		SetEnv TMPDIR=$TRASH/tmp-node$cl_i
		EOF
		mkdir -p "$TRASH/tmp-node$cl_i" || return 1
		: > "$TRASH/sshd-node$cl_i.log"
		cluster_start_sshd "$cl_i"
		cl_i=$((cl_i + 1))
	done
	: > "$TRASH/ssh_config"
	cl_i=1
	while [ "$cl_i" -le "$cl_nodes" ]; do
		cat >> "$TRASH/ssh_config" <<-EOF
		Host node$cl_i
		  HostName $(node_addr "$cl_i")
		  User root
		  IdentityFile $CLUSTER/id_ed25519
		  IdentitiesOnly yes
		  StrictHostKeyChecking no
		  UserKnownHostsFile /dev/null
		  LogLevel ERROR
		  BatchMode yes
		  ConnectTimeout 3
		  ServerAliveInterval 2
		  ServerAliveCountMax 2
		EOF
		cl_i=$((cl_i + 1))
	done
	cl_i=1
	while [ "$cl_i" -le "$cl_nodes" ]; do
		cluster_wait_ssh "$cl_i" || return 1
		cl_i=$((cl_i + 1))
	done
}

cluster_ns_exists() {
	ip netns list 2> /dev/null | cut -d' ' -f1 | grep -qx "$1"
}

cluster_down() {
	[ -d "$CLUSTER" ] || return 0
	cl_nodes=$(cat "$CLUSTER/nodes" 2> /dev/null)
	case $cl_nodes in
	'' | *[!0-9]*) cl_nodes=0 ;;
	esac
	# Stray nodes of a cluster_up that failed half-way count too.
	cl_i=1
	while [ "$cl_i" -le 20 ]; do
		if [ -e "$CLUSTER/k$cl_i" ] || cluster_ns_exists "$(node_ns "$cl_i")"; then
			[ "$cl_i" -gt "$cl_nodes" ] && cl_nodes=$cl_i
		fi
		cl_i=$((cl_i + 1))
	done
	cl_i=1
	while [ "$cl_i" -le "$cl_nodes" ]; do
		cl_k=$(cat "$CLUSTER/k$cl_i" 2> /dev/null)
		[ -n "$cl_k" ] && cluster_kill_clients "10.213.$cl_k.2"
		cluster_kill_ns "$(node_ns "$cl_i")"
		# Sockets without a process left, closing, would retransmit.
		[ -n "$cl_k" ] && ss -K -Htan dst "10.213.$cl_k.2" > /dev/null 2>&1
		[ -n "$cl_k" ] && ip link del "dtv$cl_k" 2> /dev/null
		ip netns del "$(node_ns "$cl_i")" 2> /dev/null
		rm -f "$CLUSTER/k$cl_i" "$CLUSTER/pid$cl_i"
		cl_i=$((cl_i + 1))
	done
	ip link del "dt$$s" 2> /dev/null
	rm -f "$CLUSTER/nodes"
	return 0
}

cluster_cut() {
	cl_k=$(node_k "$1") || return 1
	ip link set "dtv$cl_k" down &&
	ip -n "$(node_ns "$1")" link set eth0 down
}

cluster_heal() {
	cl_k=$(node_k "$1") || return 1
	cl_ns=$(node_ns "$1")
	ip -n "$cl_ns" link set eth0 up &&
	ip link set "dtv$cl_k" up || return 1
	cl_n=0
	until [ "$(cat "/sys/class/net/dtv$cl_k/operstate" 2> /dev/null)" = up ] &&
	      ip -n "$cl_ns" -o link show eth0 | grep -q 'state UP'; do
		cl_n=$((cl_n + 1))
		if [ "$cl_n" -gt 50 ]; then
			echo "cluster_heal: node$1's link is not up" >&2
			return 1
		fi
		sleep 0.1
	done
}

cluster_revive() {
	node_k "$1" > /dev/null || return 1
	cluster_kill "$1" || return 1
	cluster_start_sshd "$1"
	cluster_wait_ssh "$1"
}

# The script's own processes first: none may reach for a node while the
# cluster goes down, and then find the default route.
trap 'pkill -KILL -f "$MARK" 2> /dev/null; cluster_down; test_cleanup' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
