#!/bin/sh
test_description='a log that cannot be written, or fills the disk, is said so; the summary never points at an earlier run'"'"'s log'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq TMPFS 'mkdir m && mount -t tmpfs -o size=64k tmpfs m && umount m'

cleanup_mounts() {
	umount "$TRASH/full/.distributest" 2>/dev/null
	umount "$TRASH/ro/.distributest" 2>/dev/null
	:
}
trap cleanup_mounts EXIT

test_expect_success ROOT,TMPFS 'a full disk: the log is cut short, said at once and in the summary' '
	make_command_project full &&
	cp full/.distributest/config full.conf &&
	mount -t tmpfs -o size=128k tmpfs full/.distributest &&
	cp full.conf full/.distributest/config &&
	for i in 1 2 3 4 5 6; do
		printf "i=0; while [ \$i -lt 400 ]; do echo \"line \$i of a chatty test file\"; i=\$((i + 1)); done\n" > full/t/f$i.t || return 1
	done &&
	head -c 100000 /dev/zero > full/.distributest/filler 2>/dev/null || : &&
	(cd full && distributest -j 2) > out 2> err &&
	test_grep "dt-collect: log $TRASH/full/.distributest/log: No space left on device; the log lacks what follows" err &&
	test_grep "log: $TRASH/full/.distributest/log, cut short (No space left on device)" out &&
	test_grep "6 files, 6 examples, 0 failures" out
'

test_expect_success ROOT,TMPFS 'a read-only .distributest: no log, said so, and no earlier one named' '
	make_command_project ro && printf "true\n" > ro/t/a.t &&
	(cd ro && distributest -j 1) > out &&
	test_grep "log: $TRASH/ro/.distributest/log" out &&
	cp ro/.distributest/config ro.conf &&
	mount -t tmpfs -o ro tmpfs ro/.distributest &&
	(cd ro && distributest -j 1 -c ../ro.conf) > out 2> err &&
	test_grep "log: none, $TRASH/ro/.distributest/log cannot be written (Read-only file system)" out &&
	test_grep "1 file, 1 example, 0 failures" out
'

test_done
