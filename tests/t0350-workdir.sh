#!/bin/sh
test_description='each runner works in its own tree: fixed names in the working directory or TMPDIR do not collide'
. "$(dirname "$0")/test-lib.sh"

HOSTNAME=$(hostname)
# The copy is in a directory named by a hash of the project's path, from
# the name dt-config gives it (proj-HASH).
make_command_project proj
NAME=$(copy_name proj)
COPY=$HOME/.cache/distributest/$HOSTNAME/$(id -un)/${NAME##*-}/proj

# Each file writes its own name into fixed names in its working directory
# (a new file, and one the project already has), and in TMPDIR, then
# reads them back after the other runners have had time to do the same.
make_project() {
	rm -rf proj && make_command_project proj &&
	mkdir proj/out && echo original > proj/out/state &&
	for i in $(seq 1 "$1"); do
		cat > "proj/t/f$i.t" <<-EOF || return 1
		echo f$i > result.txt
		echo f$i > "\$TMPDIR/result.txt"
		echo f$i > out/state.new && mv out/state.new out/state
		sleep 0.5
		test "\$(cat result.txt)" = f$i || { echo "cwd clobbered: \$(cat result.txt)"; exit 1; }
		test "\$(cat "\$TMPDIR/result.txt")" = f$i || { echo "TMPDIR clobbered"; exit 1; }
		test "\$(cat out/state)" = f$i || { echo "state clobbered: \$(cat out/state)"; exit 1; }
		echo "cwd \$(pwd)"
		EOF
	done
}

test_expect_success 'runners writing the same names in cwd and TMPDIR do not collide' '
	make_project 8 &&
	(cd proj && distributest -j 4) > out &&
	test_grep "8 files, 8 examples, 0 failures" out
'

test_expect_success 'every runner had its own tree next to the copy, named as the copy' '
	grep -o "cwd .*" proj/.distributest/log | sort -u > dirs &&
	test_line_count = 4 dirs &&
	grep -v "cwd $COPY\\.runners/[1-4]/proj\$" dirs > other || :
	test_must_fail test -s other
'

test_expect_success 'the copy is as synced: what runners wrote stayed in their trees' '
	test "$(cat "$COPY/out/state")" = original &&
	! test -e "$COPY/result.txt"
'

# Trees are removed by a detached process, so that nobody waits: poll.
gone() {
	i=0 && while test -e "$1"; do
		i=$((i + 1)) && test $i -lt 50 || return 1
		sleep 0.1
	done
}

test_expect_success 'the trees are kept for the next run, and no other' '
	for r in 1 2 3 4; do test -d "$COPY.runners/$r/proj" || return 1; done &&
	ls "$COPY.runners" > trees &&
	test_must_fail grep -- - trees
'

test_expect_success 'runner_dir = shared: runners work in the copy, and collide' '
	printf "runner_dir = shared\n" >> proj/.distributest/config &&
	test_expect_code 1 sh -c "cd proj && exec distributest -j 4" > out &&
	test_grep "clobbered" out &&
	test "$(cat "$COPY/result.txt")" != ""
'

test_expect_success 'runner_dir takes own or shared only, and says where' '
	printf "runner_dir = mine\n" >> proj/.distributest/config &&
	test_expect_code 100 sh -c "cd proj && exec distributest" 2> err &&
	test_grep "proj/.distributest/config:6: runner_dir: \"mine\" is not own or shared" err
'

test_expect_success 'a tree left by a dt-spawn that was killed is removed by the next run' '
	make_project 2 &&
	mkdir -p "$COPY.runners/999999-1/deep" &&
	(cd proj && distributest -j 2) > out &&
	test_grep "2 files, 2 examples, 0 failures" out &&
	gone "$COPY.runners/999999-1"
'

test_expect_success 'a runner whose tree cannot be made is out, and says why' '
	make_project 2 &&
	rm -rf "$COPY.runners" && : > "$COPY.runners" &&
	test_expect_code 2 sh -c "cd proj && exec distributest -j 2" > out 2>&1 &&
	rm -f "$COPY.runners" &&
	test_grep "is out: cannot make the runner'"'"'s own tree: " out &&
	test_grep "Not a directory" out
'

test_expect_success 'symbolic links and modes are kept in the runner tree' '
	make_project 1 &&
	ln -s out proj/link && chmod 0750 proj/out &&
	cat >> proj/t/f1.t <<-\EOF &&
	test -L link && test "$(readlink link)" = out
	test "$(stat -c %a out)" = 750
	test "$(stat -c %h t/f1.t)" -ge 2
	EOF
	(cd proj && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out
'

test_done
