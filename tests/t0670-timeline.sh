#!/bin/sh
test_description='dt-timeline: a run drawn from its log, a bar per file or part, as a browser shows it'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq XMLLINT 'command -v xmllint'
test_lazy_prereq PYTHON '/usr/bin/python3 -c "import zlib"'
test_lazy_prereq CHROMIUM '
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TRASH/chromium-prereq" \
		--dump-dom "data:text/html,<p>seen</p>" | grep -q "<p>seen</p>"
'

# Chromium without a screen; as root it needs --no-sandbox.  The time
# limit only keeps a hung browser from hanging the test.
browser() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TRASH/chromium" --window-size=1200,800 "$@" \
		2>> "$TRASH/chromium.err"
}

# The bars of a page, one a line: the first line of each.
bars() {
	grep "<rect class=\"bar " "$1"
}

odd=$(printf 't/odd <&"> \303\251 \377.t')

test_expect_success 'setup: a run that passes, fails, loses a runner, times out, and loses a node' '
	make_command_project run &&
	printf "sleep 0.3\n" > run/t/pass.t &&
	printf "sleep 0.2; exit 1\n" > run/t/fail.t &&
	printf "sleep 6175\n" > run/t/hang.t &&
	printf "if ! test -e %s/killed; then touch %s/killed; kill -9 \$(ps -o ppid= -p \$PPID); sleep 1; fi\n" \
		"$TRASH" "$TRASH" > run/t/kill.t &&
	printf "true\n" > "run/$odd" &&
	printf "#!/bin/sh\necho \"ssh: connect to host far port 22: Connection refused\" >&2\nexit 255\n" > bad-rsh &&
	chmod +x bad-rsh &&
	printf "timeout = 3\n[node local]\nrunners = 2\n[node far]\nrsh = %s/bad-rsh\n" "$TRASH" \
		>> run/.distributest/config &&
	(cd run && test_expect_code 2 distributest) > out &&
	test_grep "4 files, 4 examples, 1 failure, 1 lost" out &&
	LOG=run/.distributest/log &&
	grep "	requeue	local	[12]	t/kill.t	" $LOG &&
	grep "	timeout	local	[12]	t/hang.t	3$" $LOG &&
	grep "	node-down	far	sync	" $LOG
'

LOG=run/.distributest/log

test_expect_success 'a bar for each try of a file: every done, requeue and timeout line' '
	dt-timeline -o run.html $LOG &&
	! test -e run.html.tmp &&
	grep -c "^[0-9:.]* [^	]*	\(done\|requeue\|timeout\)	" $LOG > want &&
	bars run.html | wc -l > got &&
	test_cmp want got &&
	for f in pass fail hang kill; do
		bars run.html | grep "data-path=\"t/$f.t\"" || return 1
	done
'

test_expect_success 'each bar coloured by how it ended' '
	bars run.html | grep "class=\"bar o-passed\"" > passed &&
	test_line_count = 3 passed &&
	bars run.html | grep "class=\"bar o-failed\" .*data-path=\"t/fail.t\" data-outcome=\"failed\"" &&
	bars run.html | grep "class=\"bar o-timeout\" .*data-path=\"t/hang.t\" data-outcome=\"timeout\"" &&
	bars run.html | grep "class=\"bar o-requeued\" .*data-path=\"t/kill.t\" data-outcome=\"requeued\"" &&
	bars run.html | grep "o-passed.*data-path=\"t/kill.t\"" &&
	grep "^timed out, [0-9.]* s, on local/[12] " run.html &&
	grep "^timed out after 3 s</title>" run.html
'

test_expect_success 'a path is escaped: markup, quotes, UTF-8, a byte that is not' '
	printf "data-path=\"t/odd &lt;&amp;&quot;&gt; \303\251 \357\277\275.t\" data-outcome=\"passed\"" > want &&
	bars run.html | grep -F -f want &&
	! grep "<&\"" run.html
'

test_expect_success 'setup is drawn: the copy, node_setup, each runner'"'"'s boot, a new worker' '
	grep "<g class=\"row[ a-z]*\" data-node=\"local\" data-runner=\"[12]\"" run.html > rows &&
	test_line_count = 2 rows &&
	grep -c "data-phase=\"copy\"" run.html > n && echo 3 > want && test_cmp want n &&
	grep -c "data-phase=\"node_setup\"" run.html > n && echo 2 > want && test_cmp want n &&
	grep -c "data-phase=\"boot\"" run.html > n && test_cmp want n &&
	grep "data-phase=\"restart\"" run.html
'

test_expect_success 'the lost node and the lost runners are marked' '
	grep "<g class=\"row[ a-z]*\" data-node=\"far\" data-runner=\"0\"" run.html &&
	grep "<text class=\"label lost\" [^>]*>far</text>" run.html &&
	grep "data-down=\"node\"><title>node far lost at [0-9.]* s: sync: [a-z-]* exited [0-9]*: ssh: connect to host far" run.html &&
	grep "data-down=\"runner\"><title>runner local/[12] lost at [0-9.]* s: adapter killed by signal 9" run.html
'

test_expect_success 'the lower bound, the end and the axis' '
	grep "<g class=\"bound\" data-seconds=\"[0-9]*\.[0-9]*\"><title>lower bound [0-9.]* s: the \(work shared evenly\|longest file\)" run.html &&
	grep "<g class=\"end\" data-seconds=\"[0-9]*\.[0-9]*\">" run.html &&
	grep "<text x=\"150.0\" y=\"36\">0\(\.0*\)\{0,1\}s</text>" run.html &&
	grep "class=\"summary\">5 files listed; 6 bars: 3 passed, 1 failed, 1 timed out, 1 requeued; 1 file or part lost" run.html &&
	grep "on 2 runners of 2 nodes; lower bound" run.html &&
	grep "end: complete, exit 2\.</p>" run.html
'

test_expect_success XMLLINT 'the page is well-formed XML; its bars counted by XPath' '
	xmllint --noout run.html &&
	xmllint --xpath "count(//*[local-name()=\"rect\"][@data-path])" run.html > n &&
	echo 6 > want && test_cmp want n
'

test_expect_success 'standard input, and a log cut short: what ran is unfinished' '
	dt-timeline < $LOG > stdin.html &&
	sed "s|log: $LOG<|log: stdin<|" run.html > want &&
	test_cmp want stdin.html &&
	n=$(grep -n "	assign	local	[12]	t/hang.t$" $LOG | cut -d: -f1) &&
	head -n "$n" $LOG | dt-timeline > cut.html &&
	bars cut.html | grep "class=\"bar o-unfinished\" .*data-path=\"t/hang.t\"" &&
	grep "the log has no end" cut.html
'

test_expect_success 'an output that is not a regular file is written to, not replaced' '
	mkfifo fifo &&
	{ cat fifo > from-fifo & } &&
	dt-timeline -o fifo $LOG &&
	wait &&
	test -p fifo &&
	test_cmp run.html from-fifo
'

test_expect_success 'two logs: two runs on one page' '
	(cd run && distributest t/pass.t) > out &&
	dt-timeline -o two.html $LOG $LOG.1 &&
	grep -c "<section class=\"run\">" two.html > n && echo 2 > want && test_cmp want n &&
	grep "<p class=\"source\">log: $LOG.1</p>" two.html
'

test_expect_success PYTEST 'a file split in parts: a bar per part' '
	mkdir -p py/tests py/.distributest &&
	printf "[pytest]\n" > py/pytest.ini &&
	{
		echo "import time" &&
		for i in 1 2 3 4 5 6; do
			printf "def test_s%s():\n    time.sleep(0.4)\n" $i || return 1
		done
	} > py/tests/test_slow.py &&
	for f in 1 2 3 4 5 6; do
		printf "def test_a():\n    pass\n" > py/tests/test_f$f.py || return 1
	done &&
	printf "[run]\nframework = pytest\ntests = tests/test_*.py\n[node local]\nrunners = 4\n" > py/.distributest/config &&
	(cd py && distributest && distributest) > out &&
	m=$(grep "	split	tests/test_slow.py	" py/.distributest/log | cut -f4) &&
	test "$m" -ge 2 &&
	dt-timeline -o py.html py/.distributest/log &&
	bars py.html | grep "data-path=\"tests/test_slow.py\" data-part=\"[0-9]*/$m\"" |
		sed "s/.*data-part=\"\([0-9]*\)\/.*/\1/" | sort -n > parts &&
	seq 1 "$m" > want && test_cmp want parts &&
	grep "<title>tests/test_slow.py \[part 1/$m\]$" py.html
'

# A log of FILES files on NODES nodes of RUNNERS runners, each runner
# taking every (NODES*RUNNERS)-th file of 0.05 to 1.05 s; every 97th fails.
synthetic_log() {
	awk -v n="$1" -v nodes="$2" -v per="$3" '
	function ev(time, node, line) {
		printf "%012.3f\t%s\t%s\n", time + 30000, node, line
	}
	BEGIN {
		ev(0, "-", "hello\tdistributest-events\t2\t0.2.0")
		for (k = 1; k <= nodes; k++)
			ev(0, "n" k, "node\tn" k "\t" per "\tn" k "\tssh\twd\tdt-spawn")
		for (i = 1; i <= n; i++)
			ev(0.01, "-", "test\tspec/d" i % 50 "/f_" i "_spec.rb\t100")
		ev(0.01, "-", "tests-end\t" n "\tall")
		for (k = 1; k <= nodes; k++) {
			ev(0.5 + k / 10, "n" k, "synced\tn" k "\t0.4")
			ev(1 + k / 10, "n" k, "ready\tn" k "\t0.5")
			for (r = 1; r <= per; r++) {
				t[k, r] = 2 + k / 10 + r / 100
				ev(t[k, r], "n" k, "runner-up\tn" k "\t" r "\tid")
			}
		}
		for (i = 1; i <= n; i++) {
			s = (i - 1) % (nodes * per)
			k = int(s / per) + 1
			r = s % per + 1
			d = 0.05 + (i * 7919 % 1000) / 1000
			p = "spec/d" i % 50 "/f_" i "_spec.rb"
			st = i % 97 ? "passed" : "failed"
			ev(t[k, r], "n" k, "assign\tn" k "\t" r "\t" p)
			t[k, r] += d
			ev(t[k, r], "n" k, "done\tn" k "\t" r "\t" p "\t" st "\t" \
			    sprintf("%.3f", d) "\t1\t" (st == "failed") "\t0\t0")
			if (t[k, r] > end)
				end = t[k, r]
		}
		ev(end + 0.01, "-", "end\tcomplete")
	}' | sort -s -t "	" -k1,1 |
	awk -F "	" '{
		t = $1 + 0; h = int(t / 3600); m = int((t - h * 3600) / 60)
		line = $3
		for (i = 4; i <= NF; i++)
			line = line "\t" $i
		printf "%02d:%02d:%06.3f %s\t%s\n", h, m, t - h * 3600 - m * 60, $2, line
	} END { print "exit 1" }'
}

test_expect_success '20,000 files: a bar each, failures drawn over the rest' '
	synthetic_log 20000 4 8 > big.log &&
	dt-timeline -o big.html big.log &&
	bars big.html | wc -l > n && echo 20000 > want && test_cmp want n &&
	bars big.html | grep -c "o-failed" > n && echo 206 > want && test_cmp want n &&
	grep "<g class=\"row[ a-z]*\" data-node=\"n4\" data-runner=\"8\"" big.html &&
	test "$(wc -c < big.html)" -lt 8000000 &&
	sed -n "/data-node=\"n1\" data-runner=\"1\"/,/<\/g>/p" big.html | grep "<rect class=\"bar " |
		sed "s/.*class=\"bar o-\([a-z]*\)\".*/\1/" | uniq > order &&
	printf "passed\nfailed\n" > want &&
	test_cmp want order
'

test_expect_success 'a line that is not one of a log: exit 101, naming the line' '
	head -n 3 $LOG > bad.log && printf "garbage\n" >> bad.log &&
	test_expect_code 101 dt-timeline -o bad.html bad.log 2> err &&
	test_grep "dt-timeline: bad.log line 4: not a line of a log" err &&
	! test -e bad.html && ! test -e bad.html.tmp &&
	{ head -n 3 $LOG; printf "10:00:00.000 local\tdone\tlocal\t1\tt/a.t\tpassed\tnan\t1\t0\t0\t0\n"; } |
		test_expect_code 101 dt-timeline 2> err > /dev/null &&
	test_grep "dt-timeline: stdin line 4: done: SECONDS \"nan\" is not a decimal number" err &&
	{ head -n 3 $LOG; printf "10:00:00.000 local\tassign\tlocal\n"; } |
		test_expect_code 101 dt-timeline 2> err > /dev/null &&
	test_grep "stdin line 4: \"assign\" needs 4 fields, has 2" err &&
	{ cat $LOG; echo more; } | test_expect_code 101 dt-timeline 2> err > /dev/null &&
	n=$(($(wc -l < $LOG) + 1)) &&
	test_grep "stdin line $n: a line after the \"exit\" line" err &&
	printf "10:00:00.000 -\thello\tdistributest-channel\t2\n" |
		test_expect_code 101 dt-timeline 2> err > /dev/null &&
	test_grep "stdin line 1: expected \"hello distributest-events\"" err &&
	test_expect_code 101 dt-timeline < /dev/null 2> err > out &&
	test_grep "stdin: no events" err && test_line_count = 0 out
'

test_expect_success 'a bad option or a missing log: exit 100, nothing written' '
	test_expect_code 100 dt-timeline -x 2> err &&
	test_grep "dt-timeline: usage: dt-timeline [-o output] [-w width] [log ...]" err &&
	sed -n "/^\.Sh SYNOPSIS/,/^\.Sh/p" "$SRCDIR/man/dt-timeline.1" > syn &&
	grep "^\.Op Fl o Ar output$" syn && grep "^\.Op Fl w Ar width$" syn &&
	grep "^\.Op Ar log ...$" syn &&
	test_expect_code 100 dt-timeline -w 50 $LOG 2> err > /dev/null &&
	test_grep "dt-timeline: -w 50: too small (expected 100 to 100000 pixels)" err &&
	test_expect_code 100 dt-timeline -o x.html $LOG nosuch.log 2> err &&
	test_grep "dt-timeline: nosuch.log: No such file or directory" err &&
	! test -e x.html && ! test -e x.html.tmp
'

test_expect_success CHROMIUM 'Chromium parses the page: the bars it counts are the log'"'"'s' '
	browser --dump-dom "file://$TRASH/run.html" > dom.html &&
	grep -c "<rect class=\"bar " dom.html > n && echo 6 > want && test_cmp want n &&
	for o in passed failed timeout requeued; do
		grep "<rect class=\"bar o-$o\"" dom.html || return 1
	done &&
	grep "<g class=\"bound\"" dom.html
'

# The pixels of a PNG of 8-bit RGB or RGBA: its size, then how many
# are the colours of passed, failed and timed out.
cat > pixels.py <<\PY
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(d):
    n, kind = struct.unpack(">I4s", d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    pos += 12 + n
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
assert depth == 8 and ctype in (2, 6) and lace == 0, (depth, ctype, lace)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
want = {(0x2f, 0x9e, 0x44): 0, (0xe0, 0x31, 0x31): 0, (0xf7, 0x67, 0x07): 0}
for r in rows:
    for x in range(0, stride, bpp):
        k = (r[x], r[x + 1], r[x + 2])
        if k in want:
            want[k] += 1
print(w, h, *want.values())
PY

test_expect_success CHROMIUM 'the screenshot is the page drawn, 1200x800' '
	browser --screenshot="$TRASH/run.png" "file://$TRASH/run.html" &&
	test "$(head -c 8 run.png | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a &&
	test "$(od -An -tu1 -j 16 -N 8 run.png | tr -s " " | sed "s/^ //")" = "0 0 4 176 0 0 3 32" &&
	test "$(wc -c < run.png)" -gt 10000
'

test_expect_success CHROMIUM,PYTHON 'the bars are what makes the colours of the screenshot' '
	sed "s/<rect class=\"bar /<rect visibility=\"hidden\" class=\"bar /" run.html > nobars.html &&
	browser --screenshot="$TRASH/nobars.png" "file://$TRASH/nobars.html" &&
	/usr/bin/python3 pixels.py run.png > with &&
	/usr/bin/python3 pixels.py nobars.png > without &&
	read w h pass fail tout < with &&
	read w0 h0 pass0 fail0 tout0 < without &&
	test "$w $h $w0 $h0" = "1200 800 1200 800" &&
	test "$pass" -gt "$pass0" && test "$fail" -gt "$fail0" &&
	test "$tout" -gt "$tout0"
'

test_expect_success CHROMIUM 'Chromium parses 20,000 bars' '
	browser --dump-dom "file://$TRASH/big.html" > bigdom.html &&
	grep -c "<rect class=\"bar " bigdom.html > n && echo 20000 > want &&
	test_cmp want n
'

test_done
