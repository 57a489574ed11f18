#!/bin/sh
test_description='a file that hangs: killed with its runner'"'"'s process group at its timeout, reported with the end of its output; the run goes on'
. "$(dirname "$0")/test-lib.sh"

test_expect_success 'a hanging file times out; the others pass on a fresh runner' '
	make_command_project hang &&
	printf "echo starting\nfor i in 1 2 3; do echo step \$i; done\nsleep 6171\n" > hang/t/a.t &&
	printf "true\n" > hang/t/b.t && printf "true\n" > hang/t/c.t &&
	printf "timeout = 3\n" >> hang/.distributest/config &&
	(cd hang && test_expect_code 2 distributest -j 1) > out &&
	test_grep "TIMEOUT t/a.t (local/1): no result after 3 s; its runner was killed and replaced" out &&
	test_grep "  | step 3" out &&
	test_grep "LOST t/a.t: timed out after 3 s" out &&
	test_grep "passed t/b.t" out && test_grep "passed t/c.t" out &&
	test_grep "2 files, 2 examples, 0 failures, 1 lost in" out &&
	grep "	timeout	local	1	t/a.t	3$" hang/.distributest/log &&
	! pgrep -f "sleep 6171"
'

test_expect_success 'a timed-out file is not run again: it would hang again' '
	grep "	assign	local	[0-9]*	t/a.t$" hang/.distributest/log > assigns &&
	test_line_count = 1 assigns
'

test_expect_success RSPEC 'an RSpec file that hangs: the worker goes, a new one runs the rest' '
	mkdir -p rs/spec rs/.distributest &&
	printf "RSpec.describe(\"hang\") { it(\"waits\") { puts \"waiting\"; \$stdout.flush; sleep 6172 } }\n" > rs/spec/a_spec.rb &&
	printf "RSpec.describe(\"ok\") { it(\"passes\") {} }\n" > rs/spec/b_spec.rb &&
	printf "[run]\nframework = rspec\ntimeout = 4\n" > rs/.distributest/config &&
	(cd rs && test_expect_code 2 distributest -j 1) > out &&
	test_grep "TIMEOUT spec/a_spec.rb (local/1)" out &&
	test_grep "  | waiting" out &&
	test_grep "1 file, 1 example, 0 failures, 1 lost in" out &&
	! pgrep -f "sleep 6172"
'

test_expect_success 'a long output keeps its end, for a hang as for a failure' '
	make_command_project long &&
	printf "i=0\nwhile [ \$i -lt 4000 ]; do echo \"chatter line \$i of a file that talks a lot\"; i=\$((i + 1)); done\necho the last words\nexit 1\n" > long/t/a.t &&
	(cd long && test_expect_code 1 distributest -j 1) > out &&
	test_grep "the last words" out &&
	test_grep "chatter line 3999 " out &&
	! grep "chatter line 0 " out
'

test_expect_success 'a timeout that is not seconds is refused with its line' '
	make_command_project bad &&
	printf "timeout = soon\n" >> bad/.distributest/config &&
	(cd bad && test_expect_code 100 distributest) 2> err &&
	test_grep "config:5: timeout: \"soon\" is not auto nor seconds from 1 to 604800" err
'

test_done
