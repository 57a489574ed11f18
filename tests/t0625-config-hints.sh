#!/bin/sh
test_description='config mistakes point the way; install follows PREFIX; bash completion'
. "$(dirname "$0")/test-lib.sh"

# A command project whose config ends with the lines given.
bad_project() {
	rm -rf bad && make_command_project bad &&
	printf "true\n" > bad/t/a.t &&
	printf "%s\n" "$@" >> bad/.distributest/config
}

test_expect_success 'runners under [run] points to [node NAME] and -n' '
	bad_project "runners = 4" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: \"runners\" belongs in a [node NAME] section, not [run] (or use distributest -n N or -j N)" err
'

test_expect_success 'a misspelt key names the nearest one' '
	bad_project "runer_setup = x" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: unknown key \"runer_setup\" in [run]; did you mean \"runner_setup\"?" err
'

test_expect_success 'a [run] key under a node points to [run]' '
	bad_project "[node here]" "host = local" "retries = 1" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:7: \"retries\" belongs in [run], not [node here]" err
'

test_expect_success 'a misspelt section names the nearest one' '
	bad_project "[nodes here]" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: unknown section [nodes here]; did you mean [node here]?" err &&
	bad_project "[runs]" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: unknown section [runs]; did you mean [run]?" err
'

test_expect_success 'a far key has no hint' '
	bad_project "frobnicate = yes" &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: unknown key \"frobnicate\" in [run]" err &&
	! grep "did you mean" err
'

inst() {
	make -s -C "$SRCDIR" "$@" > make.out 2>&1
}

test_expect_success 'make install PREFIX=/opt/x puts the examples in /opt/x/etc' '
	inst install DESTDIR="$TRASH/d1" PREFIX=/opt/x &&
	test -f d1/opt/x/etc/distributest/distributest.conf &&
	test -x d1/opt/x/etc/distributest/node_setup &&
	test -x d1/opt/x/etc/distributest/runner_setup &&
	test_grep "; /opt/x/etc/distributest/distributest.conf:" \
	    d1/opt/x/etc/distributest/distributest.conf &&
	! test -e d1/etc
'

test_expect_success 'make install PREFIX=/usr, or the default, puts them in /etc' '
	inst install DESTDIR="$TRASH/d2" PREFIX=/usr &&
	test -f d2/etc/distributest/distributest.conf &&
	! test -e d2/usr/etc &&
	inst install DESTDIR="$TRASH/d3" &&
	test -f d3/etc/distributest/distributest.conf &&
	test -x d3/usr/local/libexec/distributest/dt-config &&
	! test -e d3/usr/local/etc
'

test_expect_success 'SYSCONFDIR still overrides' '
	inst install DESTDIR="$TRASH/d4" PREFIX=/opt/x SYSCONFDIR=/srv/conf &&
	test -f d4/srv/conf/distributest/distributest.conf &&
	! test -e d4/opt/x/etc
'

test_expect_success 'the programs installed under a prefix read its etc' '
	inst install PREFIX="$TRASH/opt" &&
	printf "[run]\nretires = 1\n" >> opt/etc/distributest/distributest.conf &&
	make_command_project proj &&
	printf "true\n" > proj/t/a.t &&
	(unset DISTRIBUTEST_SYSTEM_CONFIG && cd proj &&
	    test_expect_code 100 "$TRASH/opt/bin/distributest") 2> err &&
	test_grep "$TRASH/opt/etc/distributest/distributest.conf:" err &&
	test_grep "did you mean \"retries\"?" err &&
	inst uninstall PREFIX="$TRASH/opt" &&
	! test -e opt/bin/distributest &&
	test -f opt/etc/distributest/distributest.conf
'

test_lazy_prereq BASH 'bash -c "mapfile -t a < /dev/null"'

# The replies to WORD ..., the last the one completed, one a line.
comp() {
	(cd proj && bash -c '
		. "$SRCDIR/shell/distributest.bash" &&
		COMP_WORDS=(distributest "$@") &&
		COMP_CWORD=$# &&
		_distributest &&
		for r in "${COMPREPLY[@]}"; do printf "%s\n" "$r"; done
	' comp "$@") > comp.out
}

test_expect_success BASH 'completion offers test files, whole, and directories' '
	mkdir -p "proj/my spec/models" &&
	: > "proj/my spec/models/a user_spec.rb" &&
	: > "proj/my spec/models/helper.rb" &&
	: > "proj/my spec/test_x.py" &&
	comp "my\\ spec/models/" &&
	printf "my spec/models/a user_spec.rb\n" > expect &&
	test_cmp expect comp.out &&
	comp "\"my spec/" &&
	sort comp.out > got &&
	printf "my spec/models\nmy spec/test_x.py\n" > expect &&
	test_cmp expect got
'

test_expect_success BASH 'after --, any file' '
	comp -- "my\\ spec/models/h" &&
	printf "my spec/models/helper.rb\n" > expect &&
	test_cmp expect comp.out
'

test_expect_success BASH 'completion offers auto for -j, -n and --jobs' '
	comp -j "" && test_grep auto comp.out && test_grep 8 comp.out &&
	comp -vn a && printf "auto\n" > expect && test_cmp expect comp.out &&
	comp --jobs "" && test_grep auto comp.out &&
	comp --jobs = a && test_cmp expect comp.out &&
	comp --jobs=a && printf -- "--jobs=auto\n" > expect &&
	test_cmp expect comp.out
'

test_expect_success BASH 'completion offers the long options and --color values' '
	comp --"" &&
	for o in --jobs --quiet --verbose --help --version --nodes --dry-run \
	    --print-config --timings --no-split --seed --color; do
		grep -x -e "$o" comp.out > /dev/null || return 1
	done &&
	comp --color = al && printf "always\n" > expect &&
	test_cmp expect comp.out &&
	comp -C . -q --no && printf -- "--no-split\n--nodes\n" > expect &&
	test_cmp expect comp.out
'

test_expect_success BASH 'no option after the first path' '
	comp "my spec" --no &&
	test_line_count = 0 comp.out
'

test_lazy_prereq SHELLCHECK 'shellcheck --version'

test_expect_success SHELLCHECK 'the completion is clean bash' '
	shellcheck -s bash "$SRCDIR/shell/distributest.bash"
'

test_done
