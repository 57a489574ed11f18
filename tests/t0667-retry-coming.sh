#!/bin/sh
test_description='a retry waits for another runner that is up, and for a node still coming 30 s at most: its setup may never end'
. "$(dirname "$0")/test-lib.sh"

# The far node's rsh waits for "release", 180 s at most, then says it
# gave up: a run that waited for far till then would outlast it.
test_expect_success 'setup: a node whose copy does not come' '
	make_command_project p &&
	printf "exit 1\n" > p/t/a.t &&
	cat > slow-rsh <<-EOF &&
	#!/bin/sh
	i=0
	while [ \$i -lt 1800 ] && [ ! -e "$TRASH/release" ]; do sleep 0.1; i=\$((i + 1)); done
	[ -e "$TRASH/release" ] || : > "$TRASH/gave-up"
	echo "ssh: connect to host far port 22: Connection timed out" >&2
	exit 255
	EOF
	chmod +x slow-rsh &&
	printf "retry = 1\n[node local]\nrunners = 1\n[node far]\nrsh = $TRASH/slow-rsh\n" >> p/.distributest/config
'

test_expect_success 'after 30 s the retry runs on the runner it failed on, and the run ends' '
	(cd p && test_expect_code 1 distributest) > out &&
	: > release &&
	! test -e gave-up &&
	test_grep "node far took no part" out &&
	grep "	assign	local	1	t/a.t" p/.distributest/log > tries &&
	test_line_count = 2 tries
'

test_done
