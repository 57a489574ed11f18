#!/bin/sh
test_description='the same totals as the framework run serially; framework arguments pass through'
. "$(dirname "$0")/test-lib.sh"

Q="'"

# Sum of what rspec itself reports for each file run alone (one rspec over
# the whole directory stops at the first file that does not load).
rspec_serial() {
	dir=$1
	shift
	for f in $(cd "$dir" && find spec -name "*_spec.rb" | sort); do
		(cd "$dir" && rspec --format json --out "$TRASH/one.json" "$f" "$@" > /dev/null 2>&1)
		ruby -rjson -e '
			s = JSON.parse(File.read(ARGV[0]))["summary"]
			puts [s["example_count"], s["failure_count"], s["pending_count"],
			      s["errors_outside_of_examples_count"]].join(" ")' "$TRASH/one.json"
	done | awk '{ e += $1; f += $2; p += $3; r += $4 }
		END {
			printf "%d example%s, %d failure%s", e, e == 1 ? "" : "s", f, f == 1 ? "" : "s"
			if (p > 0) printf ", %d pending", p
			if (r > 0) printf ", %d error%s occurred outside of examples", r, r == 1 ? "" : "s"
			printf "\n"
		}'
}

# distributest's totals, in RSpec's words as rspec prints them.
dt_totals() {
	sed -n "s/^[0-9]* files*, \(.*\) in [0-9.]*s on .*/\1/p" "$1"
}

test_expect_success 'setup' '
	cp -R "$SRCDIR/examples/rspec-failing" rf && rm -rf rf/.distributest &&
	rspec_serial rf > serial &&
	cat serial &&
	grep -v "^0 examples" serial
'

test_expect_success 'rspec: 1 runner and 4 runners give what rspec gives serially' '
	(cd rf && distributest -j 1) > out1;
	(cd rf && distributest -j 4) > out4;
	dt_totals out1 > got1 && dt_totals out4 > got4 &&
	test_cmp serial got1 && test_cmp serial got4
'

test_expect_success 'framework arguments after -- reach rspec' '
	rspec_serial rf -e "wrong sum" > serial-e &&
	(cd rf && distributest -j 2 -- -e "wrong sum") > out;
	dt_totals out > got && test_cmp serial-e got &&
	grep "^1 example," got &&
	hint=$(sed -n "s/^  rerun: \(.*failing_spec.*\)/\1/p" out) &&
	test "$hint" = "rspec -e ${Q}wrong sum${Q} ./spec/failing_spec.rb:7" &&
	(cd rf && eval "$hint" > ../again; test $? = 1) &&
	test_grep "1 example, 1 failure" again
'

test_expect_success 'paths and framework arguments together' '
	(cd rf && distributest spec/failing_spec.rb -- -e "wrong sum") > out;
	test_grep "1 file, 1 example, 1 failure" out
'

test_expect_success 'framework arguments with the command framework are refused' '
	make_command_project cp && printf "true\n" > cp/t/a.t &&
	(cd cp && test_expect_code 100 distributest -- -x) 2> err &&
	test_grep "the command framework takes no framework arguments" err
'

test_expect_success 'a worker that dies is replaced, even when it was the only one' '
	make_command_project one &&
	printf "true\n" > one/t/a.t && printf "true\n" > one/t/b.t &&
	printf "if ! test -e $TRASH/died; then touch $TRASH/died; kill -9 \$(ps -o ppid= -p \$PPID); sleep 1; fi\n" > one/t/crash.t &&
	(cd one && distributest -j 1) > out &&
	test_grep "runner local/1 lost its worker (adapter killed by signal 9 (Killed)); starting a new one" out &&
	test_grep "3 files, 3 examples, 0 failures" out
'

test_done
