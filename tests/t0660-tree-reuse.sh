#!/bin/sh
test_description='a runner'"'"'s own tree is kept between runs and brought up to date: what changed is seen, what a test wrote is gone'
. "$(dirname "$0")/test-lib.sh"

HOSTNAME=$(hostname)
make_command_project proj
NAME=$(copy_name proj)
COPY=$HOME/.cache/distributest/$HOSTNAME/$(id -un)/${NAME##*-}/proj
T1=$COPY.runners/1/proj

# A run that must pass, its output in out, and shown when it does not.
run() {
	(cd proj && distributest "$@") > out 2>&1 || { cat out; return 1; }
}

# Run 1's test writes a file of its own, renames over a project file,
# writes one in place, removes one, makes a directory; each check below is
# of what run 2 sees after the project changed in between.
test_expect_success 'a first run makes runner 1'"'"'s tree, COPY.runners/1' '
	echo v1 > proj/data.txt && echo same > proj/keep.txt &&
	echo old > proj/old.txt && echo orig > proj/over.txt &&
	echo orig > proj/inplace.txt && echo orig > proj/removed.txt &&
	echo a > proj/a.txt && mkdir proj/dir && echo f > proj/dir/f &&
	echo file > proj/turns && ln -s data.txt proj/link &&
	cat > proj/t/a.t <<-\EOF &&
	set -e
	test "$(cat data.txt)" = v1
	echo mine > written.txt
	echo mine > over.new && mv over.new over.txt
	echo more >> inplace.txt
	rm removed.txt
	mkdir -p scratch/deep && echo x > scratch/deep/x
	chmod 0700 dir
	echo "cwd $(pwd)"
	EOF
	run -j 1 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	grep -q "cwd $T1\$" proj/.distributest/log &&
	test -f "$T1/written.txt" && test -d "$T1/scratch" &&
	stat -c %i "$T1" > tree-ino &&
	stat -c %i "$T1/keep.txt" > keep-ino &&
	test "$(cat keep-ino)" = "$(stat -c %i "$COPY/keep.txt")"
'

test_expect_success 'the tree stays when the run ends' '
	sleep 0.5 && test -d "$T1" && test -f "$T1/written.txt"
'

test_expect_success 'run 2 sees the project as it is now, and none of run 1'"'"'s writes' '
	echo v22 > proj/data.txt && rm proj/old.txt && echo new > proj/new.txt &&
	mv proj/a.txt proj/b.txt && rm proj/turns && mkdir proj/turns &&
	echo in > proj/turns/in && rm -r proj/dir && echo now-a-file > proj/dir &&
	rm proj/link && ln -s keep.txt proj/link &&
	cat > proj/t/a.t <<-\EOF &&
	set -e
	test "$(cat data.txt)" = v22 || { echo "stale data.txt"; exit 1; }
	! test -e old.txt || { echo "deleted file seen"; exit 1; }
	! test -e written.txt || { echo "run 1 wrote it"; exit 1; }
	! test -e scratch || { echo "run 1 made it"; exit 1; }
	test "$(cat over.txt)" = orig || { echo "renamed over"; exit 1; }
	test "$(cat inplace.txt)" = orig || { echo "written in place"; exit 1; }
	test "$(cat removed.txt)" = orig || { echo "removed in run 1"; exit 1; }
	test "$(cat new.txt)" = new && test "$(cat b.txt)" = a && ! test -e a.txt
	test -d turns && test "$(cat turns/in)" = in
	test -f dir && test "$(cat dir)" = now-a-file
	test -L link && test "$(readlink link)" = keep.txt
	echo "cwd $(pwd)"
	EOF
	run -j 1 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	grep -q "cwd $T1\$" proj/.distributest/log
'

test_expect_success 'it was the same tree, and an unchanged file the same link' '
	test "$(stat -c %i "$T1")" = "$(cat tree-ino)" &&
	test "$(stat -c %i "$T1/keep.txt")" = "$(cat keep-ino)" &&
	test "$(stat -c %i "$T1/data.txt")" = "$(stat -c %i "$COPY/data.txt")"
'

test_expect_success 'a directory'"'"'s mode is the copy'"'"'s again' '
	chmod 0750 proj/turns &&
	printf "test \"\$(stat -c %%a turns)\" = 750\n" > proj/t/a.t &&
	run -j 1 &&
	test_grep "1 file, 1 example, 0 failures" out
'

test_expect_success 'every runner'"'"'s tree is brought up to date' '
	for i in 1 2 3 4; do
		printf "test \"\$(cat data.txt)\" = v333 || exit 1\necho \$\$ > own.txt\nsleep 0.3\n" > proj/t/f$i.t || return 1
	done &&
	echo v333 > proj/data.txt && rm proj/new.txt &&
	run -j 2 &&
	test_grep "5 files, 5 examples, 0 failures" out &&
	echo v4444 > proj/data.txt &&
	sed -i s/v333/v4444/ proj/t/f*.t &&
	run -j 2 &&
	test_grep "5 files, 5 examples, 0 failures" out &&
	for r in 1 2; do
		test "$(cat "$COPY.runners/$r/proj/data.txt")" = v4444 &&
		! test -e "$COPY.runners/$r/proj/new.txt" || return 1
	done
'

# A directory of the copy changed over a second ago is marked in the tree
# (its mtime set to the copy's ctime) once in step; while neither side
# changes, its entries are not looked at again.  A test's write changes
# the tree's side, and the next run looks again.
test_expect_success 'a settled directory is marked, and a write in it is still undone' '
	rm -f proj/t/f*.t && mkdir -p proj/sub &&
	echo s > proj/sub/s &&
	printf "echo w > sub/w\necho w > w\nrm sub/s\n" > proj/t/a.t &&
	run -j 1 && sleep 1.1 && run -j 1 &&
	test "$(stat -c %y "$T1/turns")" = "$(stat -c %z "$COPY/turns")" &&
	test -f "$T1/sub/w" && ! test -e "$T1/sub/s" &&
	printf "! test -e sub/w && ! test -e w && test -f sub/s\n" > proj/t/a.t &&
	sleep 1.1 && run -j 1 && run -j 1 &&
	test_grep "1 file, 1 example, 0 failures" out
'

# The initiator runs one dt-spawn of a copy at a time; another's, holding
# the lock of tree 1, sends runner 1 to a tree of its own for the run.
test_expect_success 'a tree in use by another dt-spawn is not shared: a tree for the run' '
	rm -f proj/t/f*.t &&
	printf "echo \"cwd \$(pwd)\"\necho mine > written.txt\n" > proj/t/a.t &&
	{ sh -c "exec 9> \"\$1\" && flock 9 && exec sleep 60" sh "$COPY.runners/1.lock" & } &&
	holder=$! &&
	test_wait_until test_must_fail flock -n "$COPY.runners/1.lock" true &&
	(cd proj && distributest -j 1) > out; st=$?
	kill $holder; wait $holder
	test $st = 0 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	grep -o "cwd .*" proj/.distributest/log > dirs &&
	grep -q "^cwd $COPY\\.runners/[0-9]*-1/proj\$" dirs &&
	! test -e "$T1/written.txt" &&
	d=$(sed "s/^cwd //; s|/proj\$||" dirs) &&
	i=0 && while test -e "$d"; do
		i=$((i + 1)) && test $i -lt 50 || return 1
		sleep 0.1
	done
'

test_expect_success 'with the lock free again, runner 1 is back in its kept tree' '
	run -j 1 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	grep -q "cwd $T1\$" proj/.distributest/log &&
	test "$(stat -c %i "$T1")" = "$(cat tree-ino)"
'

test_done
