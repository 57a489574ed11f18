#!/bin/sh
test_description='two runs of one project at once: each its own runner ids, directories and log, both correct'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq FLOCK 'command -v flock'

# The file meets the other run's runner: each says it started, under its
# runner id, and waits (60 s at most) for a second id; meanwhile its own
# TMPDIR must keep what it wrote there.
test_expect_success FLOCK 'setup: a project whose test needs the other run going' '
	make_command_project two &&
	cat > two/t/pair.t <<-EOF
	echo \$\$ > "\$TMPDIR/mine"
	touch "$TRASH/started-\$DT_RUNNER_ID"
	i=0
	while [ \$(ls "$TRASH" | grep -c "^started-") -lt 2 ] && [ \$i -lt 600 ]; do
		sleep 0.1; i=\$((i + 1))
	done
	echo "id \$DT_RUNNER_ID tmp \$TMPDIR"
	test \$(ls "$TRASH" | grep -c "^started-") -ge 2 &&
	test "\$(cat "\$TMPDIR/mine")" = \$\$
	EOF
	printf "true\n" > two/t/other.t
'

test_expect_success FLOCK 'both runs pass, with distinct runner ids and temporary directories' '
	(cd two && distributest -j 1 > ../out-a 2> ../err-a) &
	a=$! &&
	(cd two && distributest -j 1 > ../out-b 2> ../err-b); b=$?
	# A, whatever B did: a run left going would spoil the next test.
	wait $a; a=$?
	test $a = 0 && test $b = 0 || {
		for f in out-a err-a out-b err-b two/.distributest/log two/.distributest/log-1; do
			sed "s|^|$f: |" "$f" >&2
		done
		false
	} &&
	test_grep "2 files, 2 examples, 0 failures" out-a &&
	test_grep "2 files, 2 examples, 0 failures" out-b &&
	ls started-* > ids &&
	test_line_count = 2 ids &&
	cat err-a err-b > err &&
	test_grep "another run of this project is going on; this one has its own copy, runner ids and log (.distributest/log-1)" err &&
	test -s two/.distributest/log && test -s two/.distributest/log-1
'

test_expect_success FLOCK 'a run after them is alone again: slot 0, the usual log' '
	rm -f started-* &&
	printf "true\n" > two/t/pair.t &&
	(cd two && distributest -j 1) > out 2> err &&
	grep "^log: $TRASH/two/.distributest/log$" out &&
	! grep "another run" err
'

test_done
