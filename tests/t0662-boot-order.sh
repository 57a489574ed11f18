#!/bin/sh
test_description='more runners than cores: runner 1 boots at the node'"'"'s priority, the others lower till each is up, so the first up, which takes the longest file, is up soon and runs it at full speed'
. "$(dirname "$0")/test-lib.sh"

cores=$(getconf _NPROCESSORS_ONLN)
many=$((cores + 2))
base=$(ps -o ni= -p $$ | tr -d " ")
lower=$((base + 10 > 19 ? 19 : base + 10))

# runner_setup and every test file write RUNNER NICE to a file outside
# the copy.  Each setup then waits (60 s at most) till every runner's setup
# has written, so that none is up before all have begun; with the file
# after, the setups of runners other than 1 then wait till a file has run,
# and write again there: by then a runner is up.
setup_project() {
	make_command_project p &&
	cat > p/setup <<-EOF &&
	#!/bin/sh
	echo "\$DT_RUNNER \$(ps -o ni= -p \$\$ | tr -d " ")" >> $TRASH/setups
	i=0
	while [ \$i -lt 600 ] && [ "\$(wc -l < $TRASH/setups)" -lt "\$(cat $TRASH/runners)" ]; do
		sleep 0.1
		i=\$((i + 1))
	done
	if [ "\$DT_RUNNER" != 1 ] && [ -e $TRASH/after ]; then
		while [ \$i -lt 600 ] && [ ! -s $TRASH/tests ]; do
			sleep 0.1
			i=\$((i + 1))
		done
		echo "\$DT_RUNNER \$(ps -o ni= -p \$\$ | tr -d " ")" >> $TRASH/after
	fi
	EOF
	chmod +x p/setup &&
	echo "runner_setup = setup" >> p/.distributest/config &&
	# Each file waits (60 s at most) till every runner has been set up,
	# so that no runner is killed before it is, on a busy machine.
	cat > p/wait.sh <<-EOF &&
	i=0
	while [ \$i -lt 600 ] && [ "\$(wc -l < $TRASH/setups)" -lt "\$(cat $TRASH/runners)" ]; do
		sleep 0.1
		i=\$((i + 1))
	done
	EOF
	# With the file after, each file then waits (60 s at most) till the
	# other runners have written there: else runner 1 could run every
	# file first, and those still booting be stopped, no file being left.
	cat > p/after.sh <<-EOF &&
	i=0
	while [ \$i -lt 600 ] && [ -e $TRASH/after ] &&
	    [ "\$(wc -l < $TRASH/after)" -lt "\$((\$(cat $TRASH/runners) - 1))" ]; do
		sleep 0.1
		i=\$((i + 1))
	done
	EOF
	for i in $(seq 1 $((2 * many))); do
		{
			echo ". ./wait.sh" &&
			echo "echo \"\$DT_RUNNER \$(ps -o ni= -p \$\$ | tr -d \" \")\" >> $TRASH/tests" &&
			echo ". ./after.sh"
		} > "p/t/f$i.t" || return 1
	done
}

test_expect_success 'runner 1 boots at our nice, the others 10 lower' '
	setup_project &&
	: > setups && echo $many > runners &&
	(cd p && distributest -j $many) > out &&
	test_grep "$((2 * many)) files" out &&
	test_line_count = $many setups &&
	echo "1 $base" > want && grep "^1 " setups > got && test_cmp want got &&
	grep -v "^1 " setups | cut -d " " -f 2 | sort -u > got &&
	echo "$lower" > want && test_cmp want got
'

test_expect_success ROOT 'once up, a runner has our nice back where the system allows it' '
	cut -d " " -f 2 tests | sort -u > got &&
	echo "$base" > want && test_cmp want got
'

test_expect_success ROOT 'those still booting when the first is up keep the lower nice till they are up' '
	: > setups && : > tests && : > after && echo $many > runners &&
	(cd p && distributest -j $many) > out &&
	test_line_count = $((many - 1)) after &&
	cut -d " " -f 2 after | sort -u > got &&
	echo "$lower" > want && test_cmp want got &&
	grep -v "^1 " setups | cut -d " " -f 2 | sort -u > got &&
	echo "$lower" > want && test_cmp want got &&
	cut -d " " -f 2 tests | sort -u > got &&
	echo "$base" > want && test_cmp want got
'

test_expect_success ROOT 'where the nice could not be given back (no CAP_SYS_NICE, RLIMIT_NICE 0), every runner boots at our nice' '
	: > setups && echo $many > runners &&
	(cd p && prlimit --nice=0 setpriv --bounding-set=-sys_nice distributest -j $many) > out &&
	test_line_count = $many setups &&
	cut -d " " -f 2 setups | sort -u > got &&
	echo "$base" > want && test_cmp want got
'

test_expect_success 'no more runners than cores: every runner boots at our nice' '
	: > setups && echo $cores > runners &&
	(cd p && distributest -j $cores) > out &&
	test_line_count = $cores setups &&
	cut -d " " -f 2 setups | sort -u > got &&
	echo "$base" > want && test_cmp want got
'

test_expect_success 'DT_BOOT_NICE=0 boots them all alike; a bad value is logged' '
	: > setups && echo $many > runners &&
	(cd p && DT_BOOT_NICE=0 distributest -j $many) > out &&
	cut -d " " -f 2 setups | sort -u > got &&
	echo "$base" > want && test_cmp want got &&
	: > setups &&
	(cd p && DT_BOOT_NICE=lots distributest -j $many) > out &&
	test_grep "dt-spawn: DT_BOOT_NICE lots: not a number" p/.distributest/log
'

test_done
