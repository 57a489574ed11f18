#!/bin/sh
test_description='retry across nodes: a file that failed runs again on another node, and is flaky when it passes there'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

# The mark of a first run is in the trash, which every node sees: the
# nodes share this machine's filesystem but for their /root.
MARKS=$TRASH/marks
export MARKS
mkdir marks

test_expect_success 'a cluster of two nodes' '
	cluster_up 2
'

test_expect_success 'the retry of a failed file goes to the other node' '
	make_command_project c &&
	cat > c/t/flaky.t <<-\EOF &&
	echo "$DT_NODE" >> "$MARKS/ran"
	test -e "$MARKS/flaky" && exit 0
	: > "$MARKS/flaky"
	echo "fails the first time"
	exit 1
	EOF
	echo "exit 0" > c/t/ok.t &&
	printf "retry = 1\nenv = MARKS\n" >> c/.distributest/config &&
	for i in 1 2; do
		printf "[node node%s]\nrunners = 1\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> c/.distributest/config || return 1
	done &&
	(cd c && distributest --format json) > out 2> err || { cat err out; false; } &&
	test_line_count = 2 marks/ran &&
	first=$(sed -n 1p marks/ran) && second=$(sed -n 2p marks/ran) &&
	test "$first" != "$second" &&
	grep "\"file\":\"t/flaky.t\",\"status\":\"failed\",.*\"node\":\"$first\",.*\"retried\":true" out &&
	grep "\"file\":\"t/flaky.t\",\"status\":\"passed\",.*\"node\":\"$second\",.*\"try\":2" out &&
	grep "\"name\":\"t/flaky.t\",\"status\":\"passed\",.*\"node\":\"$second\",.*\"try\":2,\"flaky\":true" out &&
	tail -n 1 out > last &&
	grep "\"flaky\":1,.*\"exit\":0}" last
'

test_done
