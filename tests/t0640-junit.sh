#!/bin/sh
test_description='dt-collect -j and distributest --junit: the JUnit XML report'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/data/report-events.sh"

test_lazy_prereq XMLLINT 'command -v xmllint'
test_lazy_prereq JUNITPARSER '/usr/bin/python3 -c "import junitparser"'

# The report with the run's wall time made fixed.
fixed_time() {
	sed 's/^\(<testsuites .*\) time="[0-9.]*">$/\1 time="T">/' "$1"
}

valid() {
	xmllint --noout --schema "$TEST_DIRECTORY/data/junit.xsd" "$1"
}

test_expect_success 'every kind of result, as the golden report has it' '
	report_events > in &&
	test_expect_code 2 dt-collect -j report.xml < in > out &&
	fixed_time report.xml > got &&
	test_cmp "$TEST_DIRECTORY/data/t0640-junit.xml" got &&
	test_grep "LOST spec/lost_spec.rb" out &&
	! test -e report.xml.tmp
'

test_expect_success XMLLINT 'the report is valid by the schema' '
	valid report.xml
'

test_expect_success 'a flaky test: its failed try in a flakyFailure, the test passed' '
	test_grep "FLAKY ./spec/retry_spec.rb:5 Retry flaky (failed on n1/2, passed on try 2 on n2/1)" out &&
	test_grep "FLAKY spec/boot_spec.rb (failed on n1/1, passed on try 2 on n2/1)" out &&
	test_grep "retrying spec/retry_spec.rb: 2 tests failed on n1/2; try 2 of 2" out &&
	test_grep "<testsuite name=\"spec/retry_spec.rb\" tests=\"3\" failures=\"1\" errors=\"0\"" report.xml &&
	test "$(grep -c "<testsuite name=\"spec/retry_spec.rb\"" report.xml)" = 1
'

test_expect_success XMLLINT 'the schema refuses what readers would not take' '
	sed "s/<testcase name=\"A adds\"/<testcase flaky=\"yes\" name=\"A adds\"/" report.xml > bad1.xml &&
	test_must_fail valid bad1.xml &&
	sed "s/ tests=\"3\"/ tests=\"three\"/" report.xml > bad2.xml &&
	test_must_fail valid bad2.xml &&
	sed "s/<properties>/<property name=\"x\" value=\"y\"\/><properties>/" report.xml > bad3.xml &&
	test_must_fail valid bad3.xml
'

test_expect_success JUNITPARSER 'junitparser reads the counts, the cases and the messages' '
	cat > check.py <<-\PY &&
	import sys
	from junitparser import JUnitXml, Failure, Error, Skipped
	x = JUnitXml.fromfile(sys.argv[1])
	assert (x.tests, x.failures, x.errors, x.skipped) == (18, 4, 4, 1), \
	    (x.tests, x.failures, x.errors, x.skipped)
	suites = {s.name: s for s in x}
	assert len(suites) == 10, list(suites)
	for s in x:
	    kinds = [type(r).__name__ for c in s for r in c.result]
	    assert s.tests == len(list(s)), s.name
	    assert s.failures == kinds.count("Failure"), s.name
	    assert s.errors == kinds.count("Error"), s.name
	    assert s.skipped == kinds.count("Skipped"), s.name
	slow = suites["spec/slow_spec.rb"]
	assert [c.name for c in slow] == ["Slow one", "Slow two"]
	assert abs(slow.time - 2.7) < 1e-9, slow.time
	b = list(suites["spec/b_spec.rb"])
	assert b[0].classname == "spec.b_spec"
	assert b[0].name == "B <compares> \"x\" & y", b[0].name
	f = b[0].result[0]
	assert isinstance(f, Failure) and f.message == "expected: 1 & 2"
	assert f.text.startswith("expected: 1 & 2\n     got: <3>\u241b\n")
	assert isinstance(b[1].result[0], Error)
	import xml.etree.ElementTree as ET
	out = [e.find("system-out").text for e in ET.parse(sys.argv[1]).getroot()
	    if e.get("name") == "spec/b_spec.rb"][0]
	assert "<tag a=\"x\"> & " in out and "\ufffd caf\u00e9" in out, out
	hang = list(suites["spec/hang_spec.rb"])
	assert hang[1].result[0].message == "timed out after 5 s"
	lost = list(suites["spec/lost_spec.rb"])[0].result[0]
	assert lost.message == "lost: runner killed; given up after 3 tries"
	props = {p.name: p.value for p in suites["spec/requeued_spec.rb"].properties()}
	assert props["rerun"] == "its runner n1/1 was lost: node n1 cut off", props
	retry = {c.name: c for c in suites["spec/retry_spec.rb"]}
	assert [c.is_passed for c in retry.values()] == [True, True, False]
	assert retry["Retry broken"].result[0].message == "expected nil"
	runners = [p.value for p in suites["spec/retry_spec.rb"].properties()]
	assert runners == ["n1/2", "n2/1, try 2"], runners
	tree = ET.parse(sys.argv[1]).getroot()
	case = lambda n: [c for c in tree.iter("testcase") if c.get("name") == n][0]
	flaky = case("Retry flaky").find("flakyFailure")
	assert flaky.get("message") == "expected 2, got 1", flaky.attrib
	assert flaky.find("stackTrace").text.startswith("expected 2, got 1\n")
	rerun = case("Retry broken").find("rerunFailure")
	assert rerun.get("message") == "expected nil, twice", rerun.attrib
	boot = case("spec/boot_spec.rb")
	assert boot.find("flakyError").get("type") == "error"
	assert len(list(boot)) == 1
	print("ok")
	PY
	/usr/bin/python3 check.py report.xml > out &&
	test_grep ok out
'

test_expect_success 'an interrupted run: a report of what finished' '
	sed -n 1,42p in > cut &&
	test_expect_code 2 dt-collect -j cut.xml < cut > out &&
	test_grep "interrupted before its end" out &&
	test_grep "<testsuites name=\"distributest\" tests=\"7\" failures=\"2\" errors=\"1\" skipped=\"1\"" cut.xml &&
	! grep "lost_spec" cut.xml &&
	test "$(grep -c "<testsuite " cut.xml)" = 3
'

test_expect_success 'a run ended by SIGTERM writes its report too' '
	mkfifo fifo &&
	{ sed -n 1p in && ev set log "$PWD/term.log" && sed -n 2,28p in; } > head &&
	{ (cat head && exec sleep 30) > fifo & } &&
	writer=$! &&
	{ dt-collect -j term.xml < fifo > out & } &&
	collect=$! &&
	test_wait_for "done	n1	1	spec/a_spec.rb" term.log &&
	kill -TERM $collect &&
	kill $writer &&
	{ wait $collect; rc=$?; } &&
	test "$rc" = 143 &&
	test_grep "<testsuite name=\"spec/a_spec.rb\" tests=\"3\"" term.xml
'

test_expect_success 'a -j file that cannot be written: 100 at once' '
	ev hello distributest-events 2 test > hello &&
	test_expect_code 100 dt-collect -j nowhere/r.xml < hello 2> err &&
	test_grep "dt-collect: -j nowhere/r.xml: cannot write nowhere/r.xml.tmp" err
'

test_expect_success 'a -j FIFO, or a device, is written, not replaced by a file' '
	mkfifo jfifo &&
	{ timeout 60 cat jfifo > jgot & } &&
	{ ev hello distributest-events 2 test; ev tests-end 0; ev end complete; } |
	test_expect_code 3 dt-collect -j jfifo > out &&
	wait &&
	test -p jfifo &&
	test_grep "<testsuites name=\"distributest\" tests=\"0\"" jgot
'

test_expect_success 'no test files: an empty report' '
	{ ev hello distributest-events 2 test; ev tests-end 0; ev end complete; } |
	test_expect_code 3 dt-collect -j none.xml > out &&
	test_grep "<testsuites name=\"distributest\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"" none.xml
'

test_expect_success XMLLINT 'distributest --junit: a command project end to end, valid' '
	make_command_project proj &&
	echo "echo fine" > proj/t/a.t &&
	printf "echo \"<&> \\033[1mbold\"\\nexit 1\\n" > proj/t/b.t &&
	(cd proj && test_expect_code 1 distributest -n 2 --junit ../e2e.xml > ../out) &&
	valid e2e.xml &&
	test_grep "<testsuites name=\"distributest\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\"" e2e.xml &&
	test_grep "<testcase name=\"t/b.t\" classname=\"t.b\" file=\"t/b.t\"" e2e.xml &&
	test_grep "<failure message=\"command exited 1\" type=\"failure\">" e2e.xml &&
	test_grep "&lt;&amp;&gt; $(printf "\342\220\233")[1mbold" e2e.xml &&
	(cd proj && test_expect_code 0 distributest --junit=../a.xml t/a.t > /dev/null) &&
	test_grep "<testsuites name=\"distributest\" tests=\"1\" failures=\"0\"" a.xml &&
	(cd proj && test_expect_code 100 distributest --junit ../no/such/dir.xml 2> ../err) &&
	test_grep "distributest: --junit ../no/such/dir.xml: no such directory" err &&
	(cd proj && test_expect_code 100 distributest --junit 2> ../err) &&
	test_grep "option --junit needs a value" err
'

test_done
