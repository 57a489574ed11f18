#!/bin/sh
test_description='dt-config: merging, printing and refusing configuration'
. "$(dirname "$0")/test-lib.sh"

mkdir -p proj/spec proj/.distributest

test_expect_success 'no configuration: rspec detected, local node, one runner per core' '
	dt-config -C proj -p > out &&
	test_grep "framework = rspec	; default, detected: spec/ exists" out &&
	test_grep "tests = spec/**/*_spec.rb	; default" out &&
	test_grep "[node local]" out &&
	test_grep "runners = auto	; default" out &&
	dt-config -C proj > ev &&
	test_grep "$(printf "node\tlocal\t%s\tlocal\t" "$(nproc)")" ev
'

test_expect_success 'events start with a versioned hello and name the project' '
	dt-config -C proj > ev &&
	head -n 1 ev | grep "^hello	distributest-events	2	" &&
	test_grep "$(printf "set\tproject\t%s/proj" "$TRASH")" ev &&
	test_grep "$(printf "set\tname\tproj")" ev
'

test_expect_success 'a later file overrides key by key; origins are shown' '
	mkdir -p "$XDG_CONFIG_HOME/distributest" &&
	printf "[run]\nretries = 5\nworkdir = /srv/dt\n" > "$XDG_CONFIG_HOME/distributest/config" &&
	printf "[run]\n# comment\nretries = 1\n" > proj/.distributest/config &&
	dt-config -C proj -p > out &&
	test_grep "retries = 1	; $TRASH/proj/.distributest/config:3" out &&
	test_grep "workdir = /srv/dt	; $XDG_CONFIG_HOME/distributest/config:3" out &&
	rm "$XDG_CONFIG_HOME/distributest/config"
'

test_expect_success 'the system file comes first and -c last' '
	printf "[run]\nretries = 7\nexclude = a\n" > sys.conf &&
	printf "[run]\nexclude = b c\n" > extra.conf &&
	DISTRIBUTEST_SYSTEM_CONFIG=$TRASH/sys.conf dt-config -C proj -c extra.conf -p > out &&
	test_grep "retries = 1	; " out &&
	test_grep "exclude = b c	; extra.conf:2" out &&
	DISTRIBUTEST_SYSTEM_CONFIG=$TRASH/sys.conf dt-config -C proj -c extra.conf > ev &&
	test_grep "$(printf "set\texclude\tb")" ev &&
	test_grep "$(printf "set\texclude\tc")" ev &&
	! grep "$(printf "set\texclude\ta")" ev
'

test_expect_success 'a node section replaces the built-in local node' '
	printf "[node alpha]\nhost = alpha.example\nuser = ci\nrunners = 3\n[node beta]\nhost = local\n" > nodes.conf &&
	dt-config -C proj -c nodes.conf > ev &&
	test_grep "$(printf "node\talpha\t3\tci@alpha.example\tssh -o BatchMode=yes\t.cache/distributest")" ev &&
	test_grep "$(printf "node\tbeta\t%s\tlocal" "$(nproc)")" ev &&
	! grep "$(printf "node\tlocal\t")" ev
'

test_expect_success '-j sets the runners of every node' '
	dt-config -C proj -c nodes.conf -j 6 > ev &&
	test_grep "$(printf "node\talpha\t6\t")" ev &&
	test_grep "$(printf "node\tbeta\t6\t")" ev
'

check_error() {
	printf "$1" > bad.conf &&
	test_expect_code 100 dt-config -C proj -c bad.conf > /dev/null 2> err &&
	test_grep "$2" err
}

test_expect_success 'an unknown key is an error naming file and line' '
	check_error "[run]\nretries = 1\nfrobnicate = yes\n" "bad.conf:3: unknown key \"frobnicate\" in [run]"
'

test_expect_success 'a bad value is an error naming file and line' '
	check_error "[run]\nretries = lots\n" "bad.conf:2: retries: \"lots\" is not a number" &&
	check_error "[node a]\nrunners = 0\n" "bad.conf:2: runners: \"0\" is too small" &&
	check_error "[run]\n\nframework = jest\n" "bad.conf:3: framework: unknown framework \"jest\""
'

test_expect_success 'a syntax error names its line' '
	check_error "[run]\nretries = 1\nthis is not ini\n" "bad.conf:3: syntax error"
'

test_expect_success 'an unknown section and a bad node name are errors' '
	check_error "[runn]\nretries = 1\n" "bad.conf:1: unknown section [runn]" &&
	check_error "[node a/b]\nhost = x\n" "bad.conf:1: bad node name"
'

test_expect_success 'a line too long for the parser is an error, not a truncation' '
	long=$(printf "%0250d" 0) &&
	check_error "[run]\ncommand = $long\n" "bad.conf:2: line longer than"
'

test_expect_success 'a hook given in the config must exist and be executable' '
	check_error "[run]\nnode_setup = bin/setup\n" "bad.conf:2: node_setup: $TRASH/proj/bin/setup: No such file" &&
	mkdir -p proj/bin && : > proj/bin/setup &&
	check_error "[run]\nnode_setup = bin/setup\n" "not executable" &&
	chmod +x proj/bin/setup &&
	dt-config -C proj -c bad.conf > ev &&
	test_grep "$(printf "set\tnode_setup\t%s/proj/bin/setup" "$TRASH")" ev
'

test_expect_success 'hooks are found in .distributest/ without configuration' '
	printf "#!/bin/sh\n" > proj/.distributest/runner_setup &&
	chmod +x proj/.distributest/runner_setup &&
	dt-config -C proj > ev &&
	test_grep "$(printf "set\trunner_setup\t%s/proj/.distributest/runner_setup" "$TRASH")" ev
'

test_expect_success 'the command framework needs a command and tests' '
	mkdir -p plain &&
	test_expect_code 100 dt-config -C plain 2> err &&
	test_grep "cannot tell the test framework" err &&
	printf "[run]\nframework = command\n" > cmd.conf &&
	test_expect_code 100 dt-config -C plain -c cmd.conf 2> err &&
	test_grep "needs a tests pattern" err
'

test_expect_success 'bad options are usage errors' '
	test_expect_code 100 dt-config -j 0 2> err &&
	test_grep "-j 0: too small" err &&
	test_expect_code 100 dt-config -x 2> err &&
	test_grep "usage: dt-config" err &&
	test_expect_code 100 dt-config -c missing.conf -C proj 2> err &&
	test_grep "missing.conf: No such file" err
'

test_expect_success 'distributest --print-config shows the merged result' '
	(cd proj && distributest --print-config) > out &&
	test_grep "framework = rspec" out
'

test_done
