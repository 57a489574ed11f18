#!/bin/sh
# Fan-out of the copy, simulated on a test cluster of network namespaces
# with their own sshd (tests/cluster.sh), with real rsync and real ssh.
# Node 1 of the cluster plays the initiator; nodes 2 to N+1 are the
# nodes.  Every namespace's uplink (its eth0, towards the root
# namespace, which routes between them) is limited to the same rate by
# a tc tbf qdisc, so the initiator's uplink is one shared link, as on a
# real machine.  Without tc tbf, each rsync gets --bwlimit, the rate
# divided by the copies its sender runs at once; the output says so.
#
# A project tree of source-like text files is copied to the N nodes two
# ways, the two taking turns:
#   direct   the initiator runs an rsync to every node, -j at a time,
#            with dt-sync's options and filters (as dt-sync does)
#   fan-out  the initiator copies to K nodes; as soon as one of them has
#            its copy, it copies on from that copy to its share of the
#            other nodes (round robin), node to node over ssh with a key
#            of its own that the script makes and puts on the nodes
# each for a first copy (nothing on the nodes) and a second copy after
# a small change (FANOUT_CHANGE files edited).  Reported, as medians:
# the wall time until the last node had its copy, the first node's
# time, the bytes that left the initiator (its interface counters), the
# bytes on all uplinks, the initiator's CPU time, and fan-out / direct.
# Then a model (awk) takes the measured costs per node and per hop to
# 100 and 1,000 nodes, direct and through a tree of fan-out K.
#
# With the defaults (7 nodes, K 2, 30 MB, 100 Mbit/s, 3 runs) it takes
# about 5 minutes on 2 busy cores, 8 with FANOUT_REPS=5.  Root only;
# skipped without network namespaces.  All nodes run on this machine's
# cores: when the copies between nodes need more CPU than it has, the
# second level of the fan-out is bound by CPU, not by its links (here,
# at 100 Mbit/s and K 3); a lower FANOUT_RATE keeps it bound by links.
#
# Environment:
#   FANOUT_NODES   nodes besides the initiator, 2 to 19 (default 7)
#   FANOUT_K       nodes the initiator copies to under fan-out (2)
#   FANOUT_MB      size of the tree, MB, in 4 KiB files (30)
#   FANOUT_RATE    every uplink's rate, Mbit/s (100)
#   FANOUT_REPS    runs of each of the four cases (3)
#   FANOUT_J       rsyncs at once from one sender, dt-sync's -j (16)
#   FANOUT_CHANGE  files edited before a second copy (10)
#   FANOUT_MODEL_MB, FANOUT_MODEL_RATE   the tree (41 MB) and uplink
#                  (1000 Mbit/s) of the model's second table
#   FANOUT_MODEL_CORES  the initiator's cores in the model (this machine's)
#   FANOUT_NOTC=1  use the --bwlimit fallback even where tc works
# shellcheck disable=SC1091
set -u
. "$(dirname "$0")/../tests/test-lib.sh"
. "$SRCDIR/tests/cluster.sh"
N=${FANOUT_NODES:-7}
K=${FANOUT_K:-2}
MB=${FANOUT_MB:-30}
RATE=${FANOUT_RATE:-100}
REPS=${FANOUT_REPS:-3}
J=${FANOUT_J:-16}
CHANGE=${FANOUT_CHANGE:-10}
MODEL_MB=${FANOUT_MODEL_MB:-41}
MODEL_RATE=${FANOUT_MODEL_RATE:-1000}
MODEL_CORES=${FANOUT_MODEL_CORES:-$(nproc)}
num() {
	case $2 in
	'' | *[!0-9]*) echo "fanout: $1 must be a number, not '$2'" >&2; exit 1 ;;
	esac
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		echo "fanout: $1 must be $3 to $4, not $2" >&2
		exit 1
	fi
}
num FANOUT_NODES "$N" 2 19
num FANOUT_K "$K" 1 "$((N - 1))"
num FANOUT_MB "$MB" 1 2000
num FANOUT_RATE "$RATE" 1 10000
num FANOUT_REPS "$REPS" 1 20
num FANOUT_J "$J" 1 1024
num FANOUT_CHANGE "$CHANGE" 0 1000
num FANOUT_MODEL_MB "$MODEL_MB" 1 100000
num FANOUT_MODEL_RATE "$MODEL_RATE" 1 1000000
num FANOUT_MODEL_CORES "$MODEL_CORES" 1 4096
command -v rsync > /dev/null 2>&1 || skip_all "no rsync"

FAN=$TRASH/fan
mkdir -p "$FAN" "$FAN/data"
cluster_up $((N + 1)) > "$FAN/cluster.log" 2>&1 || { cat "$FAN/cluster.log"; exit 1; }

# Routes between the namespaces, through the root namespace: forwarding
# on our own veths only (IPv4 decides by the interface a packet came
# in on), and in each namespace a route to each other node's /30 alone.
i=1
while [ "$i" -le $((N + 1)) ]; do
	ki=$(node_k "$i")
	echo 1 > "/proc/sys/net/ipv4/conf/dtv$ki/forwarding" || exit 1
	j=1
	while [ "$j" -le $((N + 1)) ]; do
		if [ "$j" != "$i" ]; then
			ip -n "$(node_ns "$i")" route replace "10.213.$(node_k "$j").0/30" via "10.213.$ki.1" || exit 1
		fi
		j=$((j + 1))
	done
	i=$((i + 1))
done

# Every uplink limited to RATE.  The burst is 10 ms at the rate, at least
# 64 KiB (a GSO packet); the queue holds 50 ms.
shaper=tbf
if [ "${FANOUT_NOTC:-}" != 1 ]; then
	burst=$((RATE * 10000 / 8))
	[ "$burst" -lt 65536 ] && burst=65536
	i=1
	while [ "$i" -le $((N + 1)) ]; do
		tc -n "$(node_ns "$i")" qdisc replace dev eth0 root tbf rate "${RATE}mbit" \
			burst "$burst" latency 50ms 2> "$FAN/tc.err" || { shaper=bwlimit; break; }
		i=$((i + 1))
	done
else
	shaper=bwlimit
fi
if [ "$shaper" = bwlimit ]; then
	why="FANOUT_NOTC=1"
	[ -s "$FAN/tc.err" ] && why="no tc tbf here: $(head -n 1 "$FAN/tc.err")"
	echo "fanout: $why; falling back to rsync --bwlimit, the rate split over each sender's copies at once"
	i=1
	while [ "$i" -le $((N + 1)) ]; do
		tc -n "$(node_ns "$i")" qdisc del dev eth0 root > /dev/null 2>&1
		i=$((i + 1))
	done
fi

# The node-to-node key: each node gets the private key, and an ssh
# config naming its peers; the nodes' sshd accept it from the nodes'
# addresses only.
ssh-keygen -q -t ed25519 -N '' -C dt-fanout -f "$FAN/node_key" || exit 1
from=
i=2
while [ "$i" -le $((N + 1)) ]; do
	from=$from${from:+,}$(node_addr "$i")
	i=$((i + 1))
done
printf 'from="%s" %s\n' "$from" "$(cat "$FAN/node_key.pub")" >> "$CLUSTER/authorized_keys"
: > "$FAN/node_config"
i=2
while [ "$i" -le $((N + 1)) ]; do
	printf 'Host node%s\n  HostName %s\n  User root\n  IdentityFile /root/.ssh/fanout\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n  ConnectTimeout 3\n' \
		"$i" "$(node_addr "$i")" >> "$FAN/node_config"
	i=$((i + 1))
done
i=2
while [ "$i" -le $((N + 1)) ]; do
	# shellcheck disable=SC2086 # DT_SSH is words
	if ! $DT_SSH "node$i" 'umask 077 && mkdir -p /root/.ssh && cat > /root/.ssh/fanout' < "$FAN/node_key" ||
	   ! $DT_SSH "node$i" 'cat > /root/.ssh/config' < "$FAN/node_config"; then
		echo "fanout: cannot put the node key on node$i" >&2
		exit 1
	fi
	i=$((i + 1))
done
# A node reaches another with its own key: the proof, before measuring.
# shellcheck disable=SC2086
$DT_SSH node2 "ssh node$((N + 1)) hostname" > "$FAN/peer" 2>&1
if [ "$(cat "$FAN/peer")" != "node$((N + 1))" ]; then
	echo "fanout: node2 cannot reach node$((N + 1)) by ssh:" >&2
	cat "$FAN/peer" >&2
	exit 1
fi

# The project: MB MB of 4 KiB source-like files, 100 to a directory,
# text that does not repeat, and a .git/ that is not copied.
proj=$TRASH/proj
mkdir -p "$proj/.git"
(cd "$proj" && awk -v n=$((MB * 256)) 'BEGIN {
	srand(15)
	split("def end if else return self value items count name user test node copy each map", w, " ")
	for (i = 0; i < n; i++) {
		if (i % 100 == 0)
			system("mkdir -p lib/d" int(i / 100))
		f = "lib/d" int(i / 100) "/f" i ".rb"
		s = 0
		while (s < 4000) {
			l = sprintf("  %s %s_%d(%d) # %x", w[int(rand() * 17) + 1], w[int(rand() * 17) + 1], int(rand() * 100000), i, int(rand() * 2 ^ 31))
			print l > f
			s += length(l) + 1
		}
		close(f)
	}
}') || exit 1
head -c 1000000 /dev/urandom > "$proj/.git/pack"
files=$(find "$proj/lib" -type f | wc -l)
kib=$(du -sk "$proj/lib" | cut -f1)

# The copy, where dt-sync puts it: WORKDIR/INITIATOR/USER/HASH/NAME.
COPY=.cache/distributest/node1/root/0a1b2c3d/proj-0a1b2c3d
OPTS="-a --delete --modify-window=-1 --mkpath --exclude=.git/ --exclude=/log/ --exclude=/tmp/ --exclude=/.distributest/ --exclude=__pycache__/ --exclude=/.pytest_cache/"

# The initiator's side, run in node1's namespaces: one.sh NODE COPIES
# copies to NODE as dt-sync does, over an ssh master (dt-config's
# ControlMaster=auto) in $CM, a directory made new for each measurement;
# ControlPersist is 30 s, not dt-config's 3, so that the masters' CPU
# time can still be read when the last copy is done (then they are ended).  ServerAliveInterval is ssh's default, off: the
# cluster's 2 s x 2 killed copies here, as a keepalive waits behind up to
# 4 MB of data in the socket's buffer on a shared, saturated uplink.  It writes "done NODE TIME" or "fail NODE".
cat > "$FAN/one.sh" <<-EOF
	bw=
	if [ "$shaper" = bwlimit ]; then bw=--bwlimit=\$(($RATE * 125 / \$2)); fi
	if timeout 600 rsync $OPTS \$bw -e "ssh -F $TRASH/ssh_config -o ControlMaster=auto -o ControlPath=\$CM/%C -o ControlPersist=30 -o ServerAliveInterval=0" \\
		$proj/ "\$1:$COPY/" > "$FAN/rsync-\$1.out" 2>&1; then
		echo "done \$1 \$(date +%s.%N)"
	else
		echo "fail \$1"
	fi
EOF
# mid.sh NODE COPIES CHILD...: the copy to NODE, then NODE copies on to
# each CHILD from its own copy, all at once (at most 16 children here),
# over the channel's ssh master, with its own key.
cat > "$FAN/mid.sh" <<-EOF
	m=\$1 c=\$2
	shift 2
	r=\$(sh $FAN/one.sh "\$m" "\$c")
	echo "\$r"
	case \$r in done*) ;; *) exit 0 ;; esac
	[ \$# -gt 0 ] || exit 0
	bw=
	if [ "$shaper" = bwlimit ]; then bw=--bwlimit=\$(($RATE * 125 / \$#)); fi
	timeout 600 ssh -F $TRASH/ssh_config -o ControlMaster=auto -o ControlPath=\$CM/%C -o ControlPersist=30 -o ServerAliveInterval=0 "\$m" \\
		"cd /root && for c in \$*; do (if rsync $OPTS \$bw $COPY/ \\\$c:$COPY/ > /dev/null 2>&1; then echo \"done \\\$c \\\$(date +%s.%N)\"; else echo \"fail \\\$c\"; fi) & done; wait"
EOF

now() { date +%s.%N; }
HZ=$(getconf CLK_TCK)
# Bytes that node I has sent: the root side of its veth received them.
sent() {
	cat "/sys/class/net/dtv$(node_k "$1")/statistics/rx_bytes"
}
sent_all() {
	s=0
	i=1
	while [ "$i" -le $((N + 1)) ]; do
		s=$((s + $(sent "$i")))
		i=$((i + 1))
	done
	echo "$s"
}
wipe() {
	i=2
	while [ "$i" -le $((N + 1)) ]; do
		# shellcheck disable=SC2086
		$DT_SSH "node$i" 'rm -rf /root/.cache' || exit 1
		i=$((i + 1))
	done
}
# A small change: CHANGE files get a line more, different each time.
edits=0
change() {
	edits=$((edits + 1))
	c=0
	while [ "$c" -lt "$CHANGE" ]; do
		f=$(((edits * 7919 + c * 104729) % files))
		echo "  # edit $edits" >> "$proj/lib/d$((f / 100))/f$f.rb"
		c=$((c + 1))
	done
}
nodes=
i=2
while [ "$i" -le $((N + 1)) ]; do
	nodes="$nodes node$i"
	i=$((i + 1))
done
seq=0
# measure MODE KIND: one copy to every node; a line "wall first
# initiator-bytes all-bytes initiator-cpu load" to data/MODE-KIND.
measure() {
	seq=$((seq + 1))
	CM=$FAN/cm$seq
	mkdir -p "$CM"
	rm -f "$FAN"/rsync-*.out
	export CM
	load=$(cut -d' ' -f1 /proc/loadavg)
	b0=$(sent 1)
	a0=$(sent_all)
	t0=$(now)
	(
		if [ "$1" = direct ]; then
			c=$N
			[ "$c" -gt "$J" ] && c=$J
			# shellcheck disable=SC2016 # sh -c's own arguments
			node_exec 1 sh -c 'printf "%s\n" $1 | xargs -P "$2" -I @ sh "$3/one.sh" @ "$4"' \
				sh "$nodes" "$J" "$FAN" "$c"
		else
			k=1
			for m in $nodes; do
				[ "$k" -gt "$K" ] && break
				kids=
				x=0
				for c in $nodes; do
					[ "$x" -ge "$K" ] && [ $(((x - K) % K + 1)) = "$k" ] && kids="$kids $c"
					x=$((x + 1))
				done
				# shellcheck disable=SC2086
				node_exec 1 sh "$FAN/mid.sh" "$m" "$K" $kids &
				k=$((k + 1))
			done
			wait
		fi
		times | tail -n 1 > "$FAN/times"
	) > "$FAN/out" 2>&1
	t1=$(now)
	b1=$(sent 1)
	a1=$(sent_all)
	if [ "$(grep -c '^done ' "$FAN/out")" != "$N" ]; then
		# Counted, left out of the medians; too many end the script.
		echo "fanout: $1 $2 copy $seq: not every node has its copy:" >&2
		grep -v '^done ' "$FAN/out" >&2
		cat "$FAN"/rsync-*.out >&2 2> /dev/null
		echo "$1 $2" >> "$FAN/failed"
		[ "$(wc -l < "$FAN/failed")" -le "$REPS" ] || exit 1
		return 0
	fi
	# The initiator's CPU: user and system of the children reaped, and
	# of the ssh masters, which live on for ControlPersist: theirs is
	# read, and they are ended, so that no measurement inherits them.
	cpu=$(awk '{ gsub(/s/, ""); n = split($0, f, /[ m]/); print f[1] * 60 + f[2] + f[3] * 60 + f[4] }' "$FAN/times")
	for p in $(pgrep -f "$CM/"); do
		t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null) || continue
		cpu=$(awk -v c="$cpu" -v t="$t" -v hz="$HZ" 'BEGIN { print c + t / hz }')
		kill "$p" 2> /dev/null
	done
	awk -v t0="$t0" -v t1="$t1" -v b="$((b1 - b0))" -v a="$((a1 - a0))" -v cpu="$cpu" -v ld="$load" '
		$1 == "done" { if (first == "" || $3 < first) first = $3 }
		END { printf "%.3f %.3f %d %d %.2f %s\n", t1 - t0, first - t0, b, a, cpu, ld }' \
		"$FAN/out" >> "$FAN/data/$1-$2"
}

echo "fan-out of the copy: $N nodes and the initiator (cluster namespaces), fan-out K=$K;"
echo "  a tree of $files files, $((kib / 1024)) MB; every uplink $RATE Mbit/s ($shaper); -j $J; $(nproc) cores;"
echo "  medians of $REPS runs taking turns, second copies after $CHANGE files edited"
r=0
while [ "$r" -lt "$REPS" ]; do
	if [ $((r % 2)) = 0 ]; then order="direct fanout"; else order="fanout direct"; fi
	for mode in $order; do
		wipe
		measure "$mode" first
		change
		measure "$mode" second
	done
	r=$((r + 1))
done

# col MODE KIND N: the median of column N.
col() {
	awk -v c="$3" '{ print $c }' "$FAN/data/$1-$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'
}
echo
if [ -s "$FAN/failed" ]; then
	echo "copies that failed, left out of the medians: $(sort "$FAN/failed" | uniq -c | tr -s ' \n' '  ')"
fi
printf '%-44s %11s %11s %10s\n' "" direct "fan-out" "ratio"
for kind in first second; do
	for v in "1:s:wall, until the last node had it" "2:s:first node had it" \
		"3:MB:left the initiator" "4:MB:on all uplinks" "5:s:initiator CPU (user+sys)" \
		"6::load average (1 min)"; do
		c=${v%%:*} rest=${v#*:}
		unit=${rest%%:*}
		d=$(col direct "$kind" "$c") f=$(col fanout "$kind" "$c")
		awk -v l="$kind copy: ${rest#*:}" -v u="$unit" -v d="$d" -v f="$f" 'BEGIN {
			if (u == "MB") { d /= 1e6; f /= 1e6 }
			printf "%-44s %9.2f%-2s %9.2f%-2s %9.2fx\n", l, d, u, f, u, (d > 0 ? f / d : 0) }'
	done
done

# The model.  From the medians of the measurements:
#   R    the uplink's rate (the shaper's: tbf counts the bytes on the wire)
#   B    bytes on the wire per first copy (the initiator's, direct, / N)
#   b    the same for a second copy (file list and the change)
#   h1d  a direct first copy's wall time less N x B / R: the part not
#        bound by the uplink (ssh, file lists, the tail), N copies at once
#   h1   the same per level of the fan-out: its wall time less
#        (K + ceil((N - K) / K)) x B / R, halved (two levels here)
#   h2d  a direct second copy's wall time, N copies at once
#   h2   a fan-out second copy's wall time, halved: a level's latency
# h1 and h2 come from the run's K; the other K of the tables use them too.
#   c1, c2  the initiator's CPU per node, first and second copy
# The second table scales B, b, c1 and c2 by the size of the tree.
# Assumed: every node has an uplink like the initiator's, and the switch
# carries all uplinks at once; the h stay the same at any N, and the
# initiator queues only on its uplink and its CPU, on MODEL_CORES cores;
# -j J copies at once; a node copies on only when its own copy is
# complete; in a tree of fan-out K every node that has its copy copies
# to K others, all K at once, so the depth d is the least with
# K + K^2 + ... + K^d >= N; no node fails.  Here the nodes and the
# initiator share one machine's cores, so the h are larger than on a
# real cluster, where each node's CPU is its own.
#   direct first    max(N x B / R + h1d, N x c1 / cores)
#   direct second   max(N x b / R, ceil(N / J) x h2d, N x c2 / cores)
#   tree first      d x (K x B / R + h1)
#   tree second     d x max(K x b / R, h2)
echo
awk -v n="$N" -v mb="$(echo "$kib" | awk '{ print $1 / 1024 }')" -v rate="$RATE" -v j="$J" \
	-v cores="$MODEL_CORES" -v w1="$(col direct first 1)" -v B="$(col direct first 3)" \
	-v c1="$(col direct first 5)" -v w2="$(col direct second 1)" -v b="$(col direct second 3)" \
	-v c2="$(col direct second 5)" -v fw1="$(col fanout first 1)" -v fw2="$(col fanout second 1)" \
	-v k="$K" -v mmb="$MODEL_MB" -v mrate="$MODEL_RATE" '
function ceil(x) { return x == int(x) ? x : int(x) + 1 }
function max(a, b) { return a > b ? a : b }
function depth(n, k,   d, s, p) {
	if (k == 1) return n
	d = 0; s = 0; p = 1
	while (s < n) { p *= k; s += p; d++ }
	return d
}
# t(K, N, FIRST): K 0 is direct; seconds until the last node has it.
function t(kk, nn, first) {
	if (kk == 0)
		return first ? max(nn * Bx / R + h1d, nn * c1x / cores) : \
		    max(max(nn * bx / R, ceil(nn / j) * h2d), nn * c2x / cores)
	return first ? depth(nn, kk) * (kk * Bx / R + h1) : depth(nn, kk) * max(kk * bx / R, h2)
}
function table(title, scale, r,   i, kk) {
	Bx = B * scale; bx = b * scale; c1x = c1 * scale; c2x = c2 * scale; R = r
	printf "%s\n", title
	printf "  %-18s %12s %12s %12s %12s\n", "", "first, 100", "first, 1000", "second, 100", "second, 1000"
	for (i = 0; i <= 4; i++) {
		kk = i == 0 ? 0 : i == 4 ? 8 : i + 1
		printf "  %-18s %11.1fs %11.1fs %11.1fs %11.1fs\n", \
		    kk ? sprintf("tree K=%d (d %d/%d)", kk, depth(100, kk), depth(1000, kk)) : "direct", \
		    t(kk, 100, 1), t(kk, 1000, 1), t(kk, 100, 0), t(kk, 1000, 0)
	}
}
BEGIN {
	B /= n; b /= n; c1 /= n; c2 /= n
	R = rate * 1e6 / 8
	h1d = max(w1 - n * B / R, 0); h2d = w2
	h1 = max((fw1 - (k + ceil((n - k) / k)) * B / R) / 2, 0); h2 = fw2 / 2
	printf "model, from the medians: per node %.2f MB on the wire a first copy, %.0f KB a second;\n", B / 1e6, b / 1e3
	printf "  besides the bytes, a first copy costs h1d = %.2f s direct (%d at once), h1 = %.2f s a level of the tree;\n", h1d, n, h1
	printf "  a second copy h2d = %.2f s direct, h2 = %.2f s a level of the tree;\n", h2d, h2
	printf "  the initiator'"'"'s CPU per node %.3f s a first copy, %.4f s a second, on %d cores\n", c1, c2, cores
	table(sprintf("the measured tree, %.0f MB, at %d Mbit/s; seconds until the last node has its copy:", mb, rate), 1, R)
	table(sprintf("a %d MB tree at %d Mbit/s (B, b and CPU in proportion to the size), seconds:", mmb, mrate), mmb / mb, mrate * 1e6 / 8)
}'
echo
echo "rerun: TMPDIR=/tmp/h1 sh bench/fanout.sh (FANOUT_NODES, FANOUT_K, FANOUT_MB, FANOUT_RATE, FANOUT_REPS, FANOUT_J, FANOUT_CHANGE)"
