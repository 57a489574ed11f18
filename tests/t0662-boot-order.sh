#!/bin/sh
test_description='more runners than cores: runner 1 boots at the node'"'"'s priority, the others lower till they are up, so the first up, which takes the longest file, is up soon'
. "$(dirname "$0")/test-lib.sh"

cores=$(getconf _NPROCESSORS_ONLN)
many=$((cores + 2))
base=$(ps -o ni= -p $$ | tr -d " ")
lower=$((base + 10 > 19 ? 19 : base + 10))

# runner_setup and every test file write RUNNER NICE to a file outside
# the copy.
setup_project() {
	make_command_project p &&
	printf "#!/bin/sh\necho \"\$DT_RUNNER \$(ps -o ni= -p \$\$ | tr -d \" \")\" >> %s/setups\n" \
		"$TRASH" > p/setup &&
	chmod +x p/setup &&
	echo "runner_setup = setup" >> p/.distributest/config &&
	for i in $(seq 1 $((2 * many))); do
		echo "echo \"\$DT_RUNNER \$(ps -o ni= -p \$\$ | tr -d \" \")\" >> $TRASH/tests" > "p/t/f$i.t" || return 1
	done
}

test_expect_success 'runner 1 boots at our nice, the others 10 lower' '
	setup_project &&
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

test_expect_success 'no more runners than cores: every runner boots at our nice' '
	rm -f setups &&
	(cd p && distributest -j $cores) > out &&
	test_line_count = $cores setups &&
	cut -d " " -f 2 setups | sort -u > got &&
	echo "$base" > want && test_cmp want got
'

test_expect_success 'DT_BOOT_NICE=0 boots them all alike; a bad value is logged' '
	rm -f setups &&
	(cd p && DT_BOOT_NICE=0 distributest -j $many) > out &&
	cut -d " " -f 2 setups | sort -u > got &&
	echo "$base" > want && test_cmp want got &&
	rm -f setups &&
	(cd p && DT_BOOT_NICE=lots distributest -j $many) > out &&
	test_grep "dt-spawn: DT_BOOT_NICE lots: not a number" p/.distributest/log
'

test_done
