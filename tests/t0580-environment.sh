#!/bin/sh
test_description='runners on every node get the initiator'"'"'s locale, time zone and framework variables; one seed orders every runner'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

nodes_config() {
	for i in "$@"; do
		printf "[node node%s]\nrunners = 1\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> "$P/.distributest/config" || return 1
	done
}

test_expect_success 'a cluster of two nodes, whose ssh gives no locale' '
	cluster_up 2 &&
	$DT_SSH node1 env > node-env &&
	! grep "^LANG=" node-env && ! grep "^LC_" node-env
'

test_expect_success RSPEC 'a UTF-8 spec passes on the nodes as it does here' '
	P=utf && mkdir -p utf/spec utf/.distributest &&
	printf "h\303\251llo\n" > utf/word.txt &&
	for i in 1 2 3 4; do
		printf "RSpec.describe(\"utf-8 $i\") { it(\"counts characters\") { expect(File.read(\"word.txt\").chomp.length).to eq(5) } }\n" > utf/spec/u${i}_spec.rb || return 1
	done &&
	(cd utf && LANG=C.UTF-8 rspec > ../plain) &&
	test_grep "4 examples, 0 failures" plain &&
	(cd utf && LANG=C rspec > ../plain-c; test $? = 1) &&
	printf "[run]\nframework = rspec\n" > utf/.distributest/config &&
	nodes_config 1 2 &&
	(cd utf && env -u LC_ALL -u LANGUAGE LANG=C.UTF-8 distributest) > out &&
	test_grep "4 files, 4 examples, 0 failures" out &&
	! grep "^seed" out &&
	grep "	done	node[12]	" utf/.distributest/log > done &&
	test_line_count = 4 done &&
	grep "	log	node1	runners get from the initiator: LANG" utf/.distributest/log &&
	grep "	log	node2	runners get from the initiator: LANG" utf/.distributest/log
'

test_expect_success 'env adds and drops variables, and the log names them, not their values' '
	P=ev && make_command_project ev &&
	printf "test \"\$TZ\" = Pacific/Auckland && test \"\$DATABASE_HOST\" = db1 && test \"\$FIXED\" = yes && test -z \"\$LC_TIME\" && test -z \"\$SECRET\"\n" > ev/t/env.t &&
	printf "env = DATABASE_* FIXED=yes -LC_TIME\n" >> ev/.distributest/config &&
	nodes_config 1 &&
	(cd ev && TZ=Pacific/Auckland DATABASE_HOST=db1 LC_TIME=C SECRET=s3cret distributest) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	grep "	log	node1	runners get from the initiator: " ev/.distributest/log > line &&
	test_grep "TZ" line && test_grep "DATABASE_HOST" line && test_grep "FIXED" line &&
	! grep "LC_TIME\|SECRET\|db1\|Auckland" line
'

test_expect_success 'a bad env word is refused with its line' '
	P=bad && make_command_project bad &&
	printf "env = 9LIVES\n" >> bad/.distributest/config &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: env: \"9LIVES\" is not NAME, a pattern of names, NAME=VALUE or -NAME" err
'

# Examples that pass in one order only: the second leaks state into the first.
test_expect_success RSPEC 'random order: one seed for every runner, shown, and --seed reproduces it' '
	mkdir -p rnd/spec rnd/.distributest &&
	printf "RSpec.configure { |c| c.order = :random }\n" > rnd/spec/spec_helper.rb &&
	printf -- "--require spec_helper\n" > rnd/.rspec &&
	for f in a b; do
		printf "\$%s = nil\nRSpec.describe(\"order $f\") do\n  it(\"first\") { expect(\$%s).to be_nil }\n  it(\"second\") { \$%s = 1 }\nend\n" $f $f $f > rnd/spec/${f}_spec.rb || return 1
	done &&
	printf "[run]\nframework = rspec\n" > rnd/.distributest/config &&
	(cd rnd && distributest -j 2) > out1;
	seed=$(sed -n "s/^seed \([0-9]*\): distributest --seed [0-9]* orders the tests within each file the same$/\1/p" out1) &&
	test -n "$seed" &&
	grep "adapter-rspec: Randomized with seed" rnd/.distributest/log > lines &&
	test_line_count -ge 1 lines &&
	grep "adapter-rspec: Randomized with seed $seed$" lines > same &&
	test_cmp lines same &&
	for s in 1 2 3 4 5 6 7 8; do
		(cd rnd && distributest -j 2 --seed $s) > out-$s
		grep "files, " out-$s > totals-$s || return 1
		(cd rnd && distributest -j 1 --seed $s) > again-$s
		grep "files, " again-$s | sed "s/ in .*//" > a &&
		sed "s/ in .*//" totals-$s > b &&
		test_cmp b a || return 1
		grep -q "^seed $s:" out-$s || return 1
	done &&
	cat totals-* | sed "s/ in .*//" | sort -u > outcomes &&
	test_line_count -ge 2 outcomes
'

test_expect_success MINITEST 'minitest takes the run'"'"'s seed unless SEED gives one' '
	mkdir -p ms/test &&
	printf "require \"minitest/autorun\"\nclass T < Minitest::Test\n  def test_a; end\nend\n" > ms/test/a_test.rb &&
	(cd ms && distributest -j 1 --seed 4242) > out &&
	grep "Run options: .*--seed 4242" ms/.distributest/log &&
	(cd ms && SEED=77 distributest -j 1 --seed 4242) > out &&
	grep "Run options: .*--seed 77" ms/.distributest/log
'

test_expect_success 'a seed that is no number is refused' '
	make_command_project sd &&
	(cd sd && test_expect_code 100 distributest --seed x) 2> err &&
	test_grep "-s x: not a number" err
'

test_done
