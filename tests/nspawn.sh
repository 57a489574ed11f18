# nspawn.sh: systemd booted in a container on the host's /usr (read-only,
# volatile root), with our units in /etc/systemd/system, dt-spawn bound in
# at /opt/distributest and the socket's directory at $S.  Sourced after
# test-lib.sh by the tests of the real units.
#
# The socket belongs to the group distributest, which make install
# creates: the container's group file has it, as on the host or with a
# free id, DGID.

U=$TRASH/units
S=$TRASH/sock
mkdir -p "$U/sockets.target.wants" "$S"
for f in "$SRCDIR"/units/distributest-runner.socket "$SRCDIR"/units/distributest-runner@.service; do
	sed "s|@LIBEXECDIR@|/opt/distributest|" "$f" > "$U/${f##*/}"
done
ln -s ../distributest-runner.socket "$U/sockets.target.wants/"
DGID=$(getent group distributest | cut -d: -f3)
if [ -z "$DGID" ]; then
	DGID=$(awk -F: '{ used[$3] = 1 } END { g = 64000; while (g in used) g--; print g }' /etc/group)
	{ cat /etc/group; echo "distributest:x:$DGID:"; } > "$TRASH/group"
else
	cat /etc/group > "$TRASH/group"
fi

NS=
stop_container() {
	if [ -n "$NS" ]; then
		kill -TERM "$NS" 2>/dev/null
		timeout 15 tail --pid="$NS" -f /dev/null || kill -KILL "$NS" 2>/dev/null
		NS=
	fi
	rm -rf /run/systemd/nspawn-root 2>/dev/null
}

# Boot, with the extra systemd-nspawn options given, until the socket is
# there (30 s at most); then IN runs a command inside.
boot_container() {
	{ systemd-nspawn -D / --volatile=yes --register=no --keep-unit -q --console=read-only \
		--setenv=SYSTEMD_COLORS=0 --bind-ro="$U:/etc/systemd/system" \
		--bind="$S:/run/distributest" --bind-ro="$LIBEXEC:/opt/distributest" \
		--bind-ro=/etc/passwd --bind-ro="$TRASH/group:/etc/group" \
		"$@" -b systemd.unit=multi-user.target systemd.firstboot=off > boot.log 2>&1 & } &&
	NS=$! && echo $NS > ns.pid &&
	i=0 && until test -S "$S/runner.sock"; do
		i=$((i + 1)); test $i -lt 300 || { cat boot.log; return 1; }
		kill -0 $NS || { cat boot.log; return 1; }
		sleep 0.1
	done
}

# After boot_container's test, in the script: who runs commands inside.
container_ready() {
	NS=$(cat ns.pid 2>/dev/null)
	LEADER=$(ps -o pid= --ppid "$NS" 2>/dev/null | tr -d " ")
	IN="nsenter -t $LEADER -a"
}
