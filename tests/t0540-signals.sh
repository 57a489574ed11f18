#!/bin/sh
test_description='a signal to the whole process group keeps the summary, the log and the timings'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'setup: a file that ends and one that would not' '
	make_command_project proj &&
	printf "true\n" > proj/t/a.t &&
	printf "sh -c \"sleep 300; :\" $MARK\n" > proj/t/b.t
'

# Start a run as its own process group, as a shell job or a CI step is,
# wait until a.t is done and b.t runs, then signal the whole group.
signal_group() {
	rm -f out err proj/.distributest/log &&
	rm -f rc &&
	(cd proj && setsid sh -c "echo \$\$ > ../pgid; exec distributest -j 2" > ../out 2> ../err; echo $? > ../rc) &
	test_wait_for "assign	local	[0-9]*	t/b.t" proj/.distributest/log &&
	test_wait_for "done	local	[0-9]*	t/a.t	passed" proj/.distributest/log &&
	pgid=$(cat pgid) &&
	/bin/kill -s "$1" -- "-$pgid" &&
	test_wait_until test -s rc
}

for sig in TERM HUP; do
	test_expect_success "SIG$sig to the group: summary, log end, timings, status 128+N" '
		signal_group '$sig' &&
		case '$sig' in TERM) want=143 ;; HUP) want=129 ;; esac &&
		test "$(cat rc)" = "$want" &&
		test_grep "1 file, 1 example, 0 failures" out &&
		test_grep "still running: t/b.t" out &&
		test_grep "log: " out &&
		grep "^exit $want$" proj/.distributest/log &&
		grep "^t/a.t	" proj/.distributest/timings &&
		! ls proj/.distributest/timings.tmp.* 2> /dev/null &&
		test_no_leftovers
	'
done

test_done
