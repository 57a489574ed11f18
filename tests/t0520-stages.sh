#!/bin/sh
test_description='a stage that dies ends the run, with its status and its name'
. "$(dirname "$0")/test-lib.sh"

# A copy of the programs in which one stage is replaced by a script.
fake_libexec() {
	rm -rf fake && mkdir fake &&
	for p in "$LIBEXEC"/*; do
		ln -s "$p" "fake/${p##*/}" || return 1
	done &&
	rm "fake/$1" &&
	printf "#!/bin/sh\n%s\n" "$2" > "fake/$1" &&
	chmod +x "fake/$1"
}

# The bound only turns a hang into a failure; a run takes a second.
run_bounded() {
	DISTRIBUTEST_LIBEXEC=$TRASH/fake timeout 120 distributest "$@"
}

test_expect_success 'setup: a project with a node_setup, so prep holds its channel' '
	make_command_project proj &&
	printf "node_setup = .distributest/ns\n" >> proj/.distributest/config &&
	printf "#!/bin/sh\necho prepared\n" > proj/.distributest/ns &&
	chmod +x proj/.distributest/ns &&
	printf "true\n" > proj/t/a.t &&
	printf "true\n" > proj/t/b.t
'

test_expect_success 'dt-find exits 100 before tests-end: the run ends with 100' '
	fake_libexec dt-find "cat; echo \"dt-find: refused\" >&2; exit 100" &&
	(cd proj && test_expect_code 100 run_bounded) > out 2> err &&
	test_grep "dt-find: refused" err &&
	test_grep "distributest: dt-find exited 100" err &&
	test_grep "the run was interrupted before its end" out
'

test_expect_success 'dt-sync killed by a signal: the run ends with 128+N and names it' '
	fake_libexec dt-sync "kill -KILL \$\$" &&
	(cd proj && test_expect_code 137 run_bounded) > out 2> err &&
	test_grep "distributest: dt-sync was killed by signal 9" err
'

test_expect_success 'dt-prep dies: the run ends and names it' '
	fake_libexec dt-prep "head -n 3 > /dev/null; exit 111" &&
	(cd proj && test_expect_code 111 run_bounded) > out 2> err &&
	test_grep "distributest: dt-prep exited 111" err
'

test_expect_success 'the same file written three ways runs once and is timed once' '
	(cd proj && timeout 120 distributest ./t/a.t t/../t/a.t t//a.t) > out &&
	test_grep "1 file, 1 example" out &&
	grep "^t/a.t	" proj/.distributest/timings > lines &&
	test_line_count = 1 lines
'

test_expect_success 'a directory with .. inside the project is the directory' '
	(cd proj/t && timeout 120 distributest ../t/..) > out &&
	test_grep "2 files, 2 examples" out
'

test_expect_success 'nothing is left running' '
	test_no_leftovers
'

rsh_gone() {
	! pgrep -f "sleep 7192" > /dev/null
}

test_expect_success 'a node still coming when the run ends is named, not dropped without a word' '
	make_command_project far && printf "true\n" > far/t/a.t &&
	printf "#!/bin/sh\nsleep 7192\necho \"ssh: connect to host far port 22: Connection timed out\" >&2\nexit 255\n" > slow-rsh &&
	chmod +x slow-rsh &&
	printf "[node local]\nrunners = 1\n[node far]\nrsh = $TRASH/slow-rsh\n" >> far/.distributest/config &&
	(cd far && distributest) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test_grep "node far took no part: the run ended before it was ready" out &&
	! grep "node local took no part" out &&
	test_wait_until rsh_gone
'

test_done
