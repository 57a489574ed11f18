#!/bin/sh
test_description='dt-collect -f json and distributest --format json: one JSON object a line'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/data/report-events.sh"

test_lazy_prereq PYTHON '/usr/bin/python3 -c "import json"'

# An id with a quote, an escaped backslash, a control character, DEL and
# a byte that is not UTF-8; and its JSON.
odd_id=$(printf 'a"b\\\\c\001d\177e\377f')
odd_json=$(printf '{"type":"runner-up","node":"n1","runner":1,"id":"a\\"b\\\\c\\u0001d\177e\357\277\275f"}')

# The output with the run's wall time made fixed.
fixed_time() {
	sed 's/"seconds":[0-9.]*,"runners"/"seconds":T,"runners"/' "$1"
}

test_expect_success 'every kind of result and event, as the golden output has it' '
	report_events > in &&
	{ dt-collect -f json < in > out 2> err; test $? = 2; } &&
	fixed_time out > got &&
	test_cmp "$TEST_DIRECTORY/data/t0645-json.jsonl" got &&
	test_must_fail test -s err
'

test_expect_success PYTHON 'each line is one JSON object; the tests add up' '
	cat > check.py <<-\PY &&
	import json, sys
	objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
	# A result tried again is superseded by the result of its last try.
	tests = [o for o in objs if o["type"] == "test" and not o.get("retried")]
	by = lambda s: sum(1 for t in tests if t["status"] == s)
	assert (len(tests), by("failed"), by("error"), by("skipped")) == \
	    (18, 4, 4, 1), [(t["name"], t["status"]) for t in tests]
	flaky = [(t["name"], t["try"], t["node"]) for t in tests if t.get("flaky")]
	assert flaky == [("Retry flaky", 2, "n2"), ("spec/boot_spec.rb", 2, "n2")], flaky
	again = [(t.get("name", t["file"]), t["node"]) for t in objs if t.get("retried")]
	assert again == [("Retry flaky", "n1"), ("Retry broken", "n1"),
	    ("spec/retry_spec.rb", "n1"), ("spec/boot_spec.rb", "n1"),
	    ("spec/boot_spec.rb", "n1")], again
	b = [t for t in tests if t["file"] == "spec/b_spec.rb"]
	assert b[0]["name"] == "B <compares> \"x\" & y"
	assert b[0]["message"] == "expected: 1 & 2\n     got: <3>\x1b"
	assert b[0]["rerun"] == "rspec ./spec/b_spec.rb:12"
	assert (b[0]["node"], b[0]["runner"]) == ("n1", 2)
	f = [o for o in objs if o["type"] == "file" and o["file"] == "spec/b_spec.rb"][0]
	assert f["output"].endswith("\x1b[m \ufffd caf\u00e9\n"), f["output"]
	parts = [o["part"] for o in objs if o["type"] == "file" and "part" in o]
	assert parts == ["1/2", "2/2"], parts
	down = [o for o in objs if o["type"] == "runner-down"][0]
	assert down["replacing"] is True
	s = objs[-1]
	assert s["type"] == "summary" and s["exit"] == 2 and s["lost"] == 2, s
	assert s["flaky"] == 2, s
	assert s["counts"] == {"examples": 13, "failures": 4, "pending": 1}, s
	print("ok")
	PY
	/usr/bin/python3 check.py out > res &&
	test_grep ok res
'

test_expect_success 'the exit status is the same as with text' '
	{ ev hello distributest-events 2 test; ev tests-end 1;
	  ev runner-up n1 1 id1; ev assign n1 1 t/a.t;
	  ev done n1 1 t/a.t passed 0.5 1 0 0 0; ev end complete; } > pass &&
	dt-collect -f json < pass > out &&
	tail -n 1 out > last &&
	test_grep "\"exit\":0}" last &&
	{ sed -n 1,4p pass; ev done n1 1 t/a.t failed 0.5 1 1 0 0; ev end complete; } > fail &&
	test_expect_code 1 dt-collect -f json < fail > out &&
	test_grep "\"exit\":1}" out &&
	sed -n 1,4p pass > cut &&
	test_expect_code 2 dt-collect -f json < cut > out &&
	test_grep "\"incomplete\":\"the run was interrupted before its end\"" out &&
	test_expect_code 100 dt-collect -f yaml < pass 2> err &&
	test_grep "dt-collect: -f yaml: not text or json" err
'

test_expect_success 'strings: control characters, bad bytes, quotes' '
	{ ev hello distributest-events 2 test;
	  ev runner-up n1 1 "$odd_id"; ev end complete; } > odd &&
	test_expect_code 3 dt-collect -f json < odd > out &&
	printf "%s\n" "$odd_json" > want &&
	head -n 1 out > got &&
	test_cmp want got
'

test_expect_success 'distributest --format json: JSON alone on standard output' '
	make_command_project proj &&
	echo "echo fine" > proj/t/a.t &&
	printf "echo broken\\nexit 1\\n" > proj/t/b.t &&
	(cd proj && test_expect_code 1 distributest -n 2 --format json > ../out) &&
	! grep -v "^{\"type\":\"" out &&
	test_grep "\"type\":\"test\",\"file\":\"t/b.t\",\"name\":\"t/b.t\",\"status\":\"failed\"" out &&
	tail -n 1 out > last &&
	test_grep "\"exit\":1}" last &&
	(cd proj && test_expect_code 100 distributest --format=xml 2> ../err) &&
	test_grep "distributest: --format=xml: not text or json" err
'

test_done
