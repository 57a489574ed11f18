#!/bin/sh
test_description='distributest.rb, the module of the Ruby adapters: fields, requests, results, selection, isolation'
. "$(dirname "$0")/test-lib.sh"

if ! command -v ruby > /dev/null; then
	echo "1..0 # SKIP no ruby"
	exit 0
fi
if [ ! -f "$LIBEXEC/distributest.rb" ]; then
	echo "1..0 # SKIP distributest.rb not built: run make all"
	exit 0
fi
unset BUNDLE_GEMFILE DT_ISOLATE

# Runs the Ruby script $1 with the module loaded, as adapter-test, and W
# for its Wire; the arguments after it are the script's.
rb() {
	ruby -I"$LIBEXEC" -r"$TRASH/prelude.rb" "$@"
}

# The stub adapter: its worker runs the units a, b and c of any PATH, as
# the request selects them, and a few PATHs do something else. Its output
# in out, results in res, exit status in rc.
stub() {
	code=0
	ruby -I"$LIBEXEC" "$TRASH/stub-adapter" "$@" 3> "$TRASH/res" > "$TRASH/out" 2>&1 || code=$?
	echo "$code" > "$TRASH/rc"
}

# One request a line, from words of the form FIELD|FIELD..., \t and \n in
# them written as such.
requests() {
	for r in "$@"; do
		printf '%s\n' "$r" | tr '|' '\t'
	done
}

Q="'"

test_expect_success 'setup: a prelude and a stub adapter' '
	cat > prelude.rb <<-\EOF &&
	require "distributest"
	require "stringio"
	Distributest.prog = "adapter-test"
	W = Distributest::Wire
	EOF
	cat > stub-adapter <<-\EOF
	require "distributest"
	Distributest.start("adapter-stub", "stub")

	module Stub
	  class Worker
	    def initialize(args, results)
	      @args = args
	      @results = results
	    end

	    def run_file(path, mode = nil, ids = [], results = @results)
	      case path
	      when "args" then puts "args #{@args.inspect}, ARGV #{ARGV.inspect}"
	      when "stdin" then puts "stdin #{$stdin.read.inspect}"
	      when "fd3" then system("sh", "-c", "if ( true >&3 ) 2>/dev/null; then echo fd 3 open; else echo fd 3 closed; fi")
	      when "die" then exit!(7)
	      when "kill" then Process.kill(:KILL, $$)
	      when "half"
	        results.line("unit", "a", "0.5")
	        results.fail_line("failure", "a", "half:1", "no")
	        results.line("pending", "b", "half:2", "later")
	        exit!(0)
	      when "long"
	        results.fail_line("failure", "long", "long:1", "\u00e9" * 10_000, "x" * 20_000)
	        return results.done_line(1, 1, 0, 0)
	      end
	      selection = mode && Distributest::Selection.new(mode, ids)
	      units = %w[a b c].select { |u| !selection || selection.keep?(u) }
	      units.each { |u| results.line("unit", u, "0.001") }
	      results.done_line(units.size, 0, 0, 0)
	    end

	    def rerun_file(path)
	      Distributest.rerun("stub", path)
	    end

	    def end_session
	      puts "end of session"
	    end
	  end
	end

	Distributest.main(ARGV, isolate: true) { |args, results| Stub::Worker.new(args, results) }
	EOF
'

test_expect_success 'escape: backslash, tab and newline, as bytes' '
	cat > t.rb <<-\EOF &&
	["plain", "a\tb", "a\nb", "a\\b", "\\t", "", "\u00e9", "\t\n\\", 12, nil].each { |s| p W.escape(s) }
	p W.escape("\u00e9").encoding == Encoding::BINARY
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	"plain"
	"a\\tb"
	"a\\nb"
	"a\\\\b"
	"\\\\t"
	""
	"\xC3\xA9"
	"\\t\\n\\\\"
	"12"
	""
	true
	EOF
	test_cmp want got
'

test_expect_success 'unescape undoes escape, for every byte and many mixes, but NUL, sent as U+2400' '
	cat > t.rb <<-\EOF &&
	all = (0..255).to_a.pack("C*")
	p W.unescape(W.escape(all)) == all.sub("\0", "\u2400".b) && !W.escape(all).include?("\0")
	p W.unescape("\\\\t".b), W.unescape("a\\tb\\nc\\\\d".b), W.unescape("".b)
	srand(1)
	bad = 0
	2000.times do
	  s = Array.new(rand(12)) { [92, 9, 10, 116, 110, 65, 0xC3, 0xA9].sample }.pack("C*")
	  bad += 1 unless W.unescape(W.escape(s)) == s
	end
	puts "#{bad} of 2000 differ"
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	true
	"\\t"
	"a\tb\nc\\d"
	""
	0 of 2000 differ
	EOF
	test_cmp want got
'

test_expect_success 'unescape: a bad escape, or a lone backslash at the end, is refused' '
	cat > t.rb <<-\EOF &&
	["x\\q", "x\\", "\\T", "a\\\\\\", "\\\\\\0"].each do |f|
	  puts "accepted #{W.unescape(f.b).inspect}"
	rescue Distributest::BadLine => e
	  puts e.message
	end
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	bad escape "\\q"
	bad escape "\\"
	bad escape "\\T"
	bad escape "\\"
	bad escape "\\0"
	EOF
	test_cmp want got
'

test_expect_success 'a field over 16000 bytes is cut before a UTF-8 character, and marked' '
	cat > t.rb <<-\EOF &&
	mark = Distributest.truncated
	["\u00e9", "\u20ac", "\u{1f600}"].each do |ch|
	  (0..3).each do |pad|
	    s = "a" * pad + ch * 9000
	    out = W.escape(s)
	    body = out.delete_suffix(mark)
	    whole = body.dup.force_encoding(Encoding::UTF_8).valid_encoding? && s.b.start_with?(body)
	    puts "#{ch.bytesize}-byte characters after #{pad}: #{out.bytesize} bytes, " \
	         "#{out.end_with?(mark) ? "marked" : "unmarked"}, #{whole ? "whole characters" : "CUT INSIDE ONE"}"
	  end
	end
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	2-byte characters after 0: 16000 bytes, marked, whole characters
	2-byte characters after 1: 15999 bytes, marked, whole characters
	2-byte characters after 2: 16000 bytes, marked, whole characters
	2-byte characters after 3: 15999 bytes, marked, whole characters
	3-byte characters after 0: 15999 bytes, marked, whole characters
	3-byte characters after 1: 16000 bytes, marked, whole characters
	3-byte characters after 2: 15998 bytes, marked, whole characters
	3-byte characters after 3: 15999 bytes, marked, whole characters
	4-byte characters after 0: 15998 bytes, marked, whole characters
	4-byte characters after 1: 15999 bytes, marked, whole characters
	4-byte characters after 2: 16000 bytes, marked, whole characters
	4-byte characters after 3: 15997 bytes, marked, whole characters
	EOF
	test_cmp want got
'

test_expect_success 'the cut is at 16000 escaped bytes, never inside an escape pair' '
	cat > t.rb <<-\EOF &&
	p Distributest.truncated
	[["a", 16_000, ""], ["a", 16_001, ""], ["\t", 8000, ""], ["\t", 8001, ""], ["\t", 8000, "a"],
	 ["\\", 8001, ""], ["\\", 8000, "a"], ["\n", 9000, "ab"]].each do |ch, n, pad|
	  s = pad + ch * n
	  out = W.escape(s)
	  body = out.delete_suffix(Distributest.truncated)
	  back = begin
	    s.b.start_with?(W.unescape(body)) ? "a prefix" : "NOT A PREFIX"
	  rescue Distributest::BadLine => e
	    e.message
	  end
	  puts "#{pad.size} + #{n} x #{ch.inspect}: #{out.bytesize} bytes, " \
	       "#{out == body ? "whole" : "cut"}, unescaped #{back}"
	end
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	"...[truncated by adapter-test]"
	0 + 16000 x "a": 16000 bytes, whole, unescaped a prefix
	0 + 16001 x "a": 16000 bytes, cut, unescaped a prefix
	0 + 8000 x "\t": 16000 bytes, whole, unescaped a prefix
	0 + 8001 x "\t": 16000 bytes, cut, unescaped a prefix
	1 + 8000 x "\t": 15999 bytes, cut, unescaped a prefix
	0 + 8001 x "\\": 16000 bytes, cut, unescaped a prefix
	1 + 8000 x "\\": 15999 bytes, cut, unescaped a prefix
	2 + 9000 x "\n": 16000 bytes, cut, unescaped a prefix
	EOF
	test_cmp want got
'

test_expect_success 'whole: a field that must not be cut is empty when too long' '
	cat > t.rb <<-\EOF &&
	p W.whole("x" * 16_000).bytesize, W.whole("x" * 16_001), W.whole("\t" * 8000).bytesize, W.whole("\t" * 8001)
	p W.whole("r u\tn"), W.whole(nil)
	EOF
	rb t.rb > got &&
	printf "%s\n" 16000 "\"\"" 8000 "\"\"" "\"r u\\tn\"" "\"\"" > want &&
	test_cmp want got
'

test_expect_success 'results: lines with empty fields, fail with RERUN, done and its STATUS' '
	cat > t.rb <<-\EOF &&
	io = StringIO.new(+"".b)
	r = Distributest::Results.new(io)
	r.line("ready")
	r.line("pending", "", "", "")
	r.fail_line("error", "d\te", "f:1", "m\nn")
	r.fail_line("failure", "d", "", "", "rspec x")
	r.fail_line("failure", "d", "", "\u00e9" * 9000, "y" * 16_001)
	r.done_line(1, 0, 0, 0)
	r.done_line(2, 1, 1, 0)
	r.done_line(0, 0, 0, 1)
	r.done_line(1, 0, 0, 0, error: true)
	io.string.each_line { |l| puts l.bytesize > 100 ? "#{l[0, 12].inspect}... #{l.bytesize} bytes, #{l.split("\t", -1).size} fields" : l.inspect }
	p r.broken?
	reader, writer = IO.pipe
	reader.close
	broken = Distributest::Results.new(writer)
	broken.line("ready")
	broken.line("done", "passed", "0", "0", "0", "0")
	p broken.broken?
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	"ready\n"
	"pending\t\t\t\n"
	"fail\terror\td\\te\tf:1\tm\\nn\t\n"
	"fail\tfailure\td\t\t\trspec x\n"
	"fail\tfailure"... 16018 bytes, 6 fields
	"done\tpassed\t1\t0\t0\t0\n"
	"done\tfailed\t2\t1\t1\t0\n"
	"done\terror\t0\t0\t0\t1\n"
	"done\terror\t1\t0\t0\t0\n"
	false
	true
	EOF
	test_cmp want got
'

test_expect_success 'requests: the fields of run, empty ones kept; other verbs ignored' '
	cat > t.rb <<-\EOF &&
	["run\tp\n", "run\tp\tonly\ta\tb\n", "run\tp\texcept\n", "run\t\n", "run\tp\tonly\t\t\n",
	 "run\ta\\tb\\nc\\\\d\n", "hello\tworld\n", "\n", "run\t#{"x" * 65_532}\n"].each do |line|
	  fields = Distributest.request(line.b)
	  p fields && fields.sum(&:bytesize) > 1000 ? "#{fields.size} fields, #{fields.sum(&:bytesize)} bytes" : fields
	end
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	["run", "p"]
	["run", "p", "only", "a", "b"]
	["run", "p", "except"]
	["run", ""]
	["run", "p", "only", "", ""]
	["run", "a\tb\nc\\d"]
	nil
	nil
	"2 fields, 65535 bytes"
	EOF
	test_cmp want got
'

test_expect_success 'requests: malformed lines, each with its reason' '
	cat > t.rb <<-\EOF &&
	["run\n", "run\tp\tsome\tx\n", "run\tp", "run\tp\\q\n", "hello\\q\n", "run\t#{"x" * 65_533}\n",
	 "run\t#{"x" * 70_000}"].each do |line|
	  p Distributest.request(line.b)
	rescue Distributest::BadLine => e
	  puts e.message
	end
	EOF
	rb t.rb > got &&
	cat > want <<-\EOF &&
	run takes PATH [only|except ID...], got 0 fields
	run takes PATH [only|except ID...], got 3 fields
	no newline at end of input
	bad escape "\\q"
	bad escape "\\q"
	line longer than 65536 bytes
	line longer than 65536 bytes
	EOF
	test_cmp want got
'

test_expect_success 'selection: only keeps the listed units, except the others' '
	cat > t.rb <<-\EOF &&
	units = ["A#t1", "A#t2", "B#t\tx", "\u00e9", :sym]
	[["only", ["A#t2", "\u00e9".b, "nope", "sym"]], ["except", ["A#t2", "\u00e9".b]],
	 ["only", []], ["except", []], ["only", ["B#t\tx"]]].each do |mode, ids|
	  selection = Distributest::Selection.new(mode, ids)
	  p units.each_index.select { |i| selection.keep?(units[i]) }
	end
	EOF
	rb t.rb > got &&
	printf "%s\n" "[1, 3, 4]" "[0, 2, 4]" "[]" "[0, 1, 2, 3, 4]" "[2]" > want &&
	test_cmp want got
'

test_expect_success 'RERUN: words quoted for sh where needed, no bundle exec unbundled' '
	cat > t.rb <<-\EOF &&
	puts Distributest.quote("spec/x_spec.rb:12"), Distributest.quote("it\x27s"), Distributest.quote(""),
	     Distributest.rerun("rspec", "./a b.rb"), Distributest::XUnit.rerun("t/x.rb", "-n", "/^t$/")
	p Distributest.bundled?
	EOF
	rb t.rb > got &&
	{
		printf "%s\n" "spec/x_spec.rb:12" "${Q}it${Q}\\${Q}${Q}s${Q}" "$Q$Q" "rspec ${Q}./a b.rb${Q}" &&
		printf "%s\n" "ruby -Itest -Ilib t/x.rb -n ${Q}/^t\$/${Q}" "nil"
	} > want &&
	test_cmp want got
'

test_expect_success 'the loop: ready, the units each request selects, end of session, exit 0' '
	requests "run|x" "run|x|only|a|c" "run|x|except|a" "run|x|only" "frob|nothing" "run|x|except" > req &&
	printf "%s\n" ready "unit	a	0.001" "unit	b	0.001" "unit	c	0.001" "done	passed	3	0	0	0" \
	    "unit	a	0.001" "unit	c	0.001" "done	passed	2	0	0	0" \
	    "unit	b	0.001" "unit	c	0.001" "done	passed	2	0	0	0" "done	passed	0	0	0	0" \
	    "unit	a	0.001" "unit	b	0.001" "unit	c	0.001" "done	passed	3	0	0	0" > want &&
	stub < req && test "$(cat rc)" = 0 &&
	test_cmp want res &&
	echo "end of session" > want.out && test_cmp want.out out &&
	DT_ISOLATE=fork stub < req && test "$(cat rc)" = 0 &&
	test_cmp want res && test_cmp want.out out
'

test_expect_success 'the worker gets the arguments; tests get an empty stdin and no fd 3' '
	requests "run|args" "run|stdin" "run|fd3" "run|x|only|b" > req &&
	for isolate in none fork; do
		DT_ISOLATE=$isolate stub --seed 3 < req &&
		test "$(cat rc)" = 0 &&
		printf "%s\n" "args [\"--seed\", \"3\"], ARGV []" "stdin \"\"" "fd 3 closed" "end of session" > want &&
		test_cmp want out &&
		test "$(grep -c "^done" res)" = 4 &&
		tail -n 2 res > got && printf "unit\tb\t0.001\ndone\tpassed\t1\t0\t0\t0\n" > want &&
		test_cmp want got || return 1
	done
'

test_expect_success 'fork: a child that dies costs one error, with what it sent, and the worker goes on' '
	requests "run|die" "run|kill" "run|half" "run|x|only|c" > req &&
	DT_ISOLATE=fork stub < req && test "$(cat rc)" = 0 &&
	{
		printf "ready\n" &&
		printf "fail\terror\tthe process running die exited 7\tdie\tThe forked worker died before finishing die (exit! or a crash?).\tstub die\n" &&
		printf "done\terror\t0\t0\t0\t1\n" &&
		printf "fail\terror\tthe process running kill killed by signal 9 (SIGKILL)\tkill\tThe forked worker died before finishing kill (exit! or a crash?).\tstub kill\n" &&
		printf "done\terror\t0\t0\t0\t1\n" &&
		printf "unit\ta\t0.5\nfail\tfailure\ta\thalf:1\tno\t\npending\tb\thalf:2\tlater\n" &&
		printf "fail\terror\tthe process running half exited 0\thalf\tThe forked worker died before finishing half (exit! or a crash?).\tstub half\n" &&
		printf "done\terror\t2\t1\t1\t1\n" &&
		printf "unit\tc\t0.001\ndone\tpassed\t1\t0\t0\t0\n"
	} > want &&
	test_cmp want res
'

test_expect_success 'in the same process, a test that ends it takes the adapter down' '
	requests "run|x|only|a" "run|die" "run|x" > req &&
	stub < req && test "$(cat rc)" = 7 &&
	printf "ready\nunit\ta\t0.001\ndone\tpassed\t1\t0\t0\t0\n" > want &&
	test_cmp want res
'

test_expect_success 'a long MESSAGE is cut and marked with the adapter, a long RERUN left empty' '
	requests "run|long" > req &&
	stub < req &&
	grep "^fail" res > fail &&
	test "$(wc -c < fail)" -le 16030 &&
	test_grep "...[truncated by adapter-stub]	" fail &&
	test "$(cut -f 6 fail)" = "" &&
	test_grep "$(printf "done\tfailed\t1\t1\t0\t0")" res
'

test_expect_success 'malformed input: exit 101 after the requests before it, with the line number' '
	printf "run\tx\tonly\ta\nrun\tbad\\\\q\nrun\tx\n" > req &&
	stub < req && test "$(cat rc)" = 101 &&
	printf "ready\nunit\ta\t0.001\ndone\tpassed\t1\t0\t0\t0\n" > want && test_cmp want res &&
	test_grep "adapter-stub: stdin line 2: bad escape \"\\\\q\"" out &&
	printf "run\tx\n\nrun\tx\tsome\ta\n" | stub && test "$(cat rc)" = 101 &&
	test_grep "adapter-stub: stdin line 3: run takes PATH [only|except ID...], got 3 fields" out &&
	printf "run\tx" | stub && test "$(cat rc)" = 101 &&
	test_grep "adapter-stub: stdin line 1: no newline at end of input" out &&
	printf "ready\n" > want && test_cmp want res
'

test_expect_success 'over-long lines: 65536 bytes pass, one more is refused, even cut in a character' '
	ruby -e "print %(run\t), %(x) * 65_532, %(\n)" > req &&
	stub < req && test "$(cat rc)" = 0 &&
	test "$(grep -c "^done	passed	3" res)" = 1 &&
	ruby -e "print %(run\t), %(x) * 65_533, %(\n)" > req &&
	stub < req && test "$(cat rc)" = 101 &&
	test_grep "adapter-stub: stdin line 1: line longer than 65536 bytes" out &&
	ruby -e "print %(run\tx\n), %(run\t), %(\u00e9) * 40_000, %(\n)" > req &&
	stub < req && test "$(cat rc)" = 101 &&
	test_grep "adapter-stub: stdin line 2: line longer than 65536 bytes" out &&
	test "$(grep -c "^done" res)" = 1
'

test_expect_success 'no fd 3: exit 100; fd 3 nobody reads: exit 1' '
	code=0 &&
	ruby -I"$LIBEXEC" stub-adapter < /dev/null > out 2>&1 || code=$? &&
	test "$code" = 100 &&
	test_grep "adapter-stub: fd 3 is not open: results are written there (see distributest-adapter(7))" out &&
	requests "run|x" > req &&
	ruby -e "r, w = IO.pipe; r.close
		pid = spawn(%(ruby), %(-I$LIBEXEC), %(stub-adapter), in: %(req), 3 => w, out: %(out), err: [:child, :out])
		w.close; Process.wait(pid); p \$?.exitstatus" > got &&
	echo 1 > want && test_cmp want got
'

test_expect_success 'down: the reason on one line on fd 3 and whole on stderr, exit 1' '
	cat > t.rb <<-\EOF &&
	Distributest.down(ARGV[0] == "long" ? "x" * 5000 : "boom\tand\nmore \\ here")
	EOF
	code=0 && rb t.rb 3> res 2> err || code=$? &&
	test "$code" = 1 &&
	printf "down\tadapter-test: boom and more   here\n" > want && test_cmp want res &&
	printf "adapter-test: boom\tand\nmore \\\\ here\n" > want && test_cmp want err &&
	code=0 && rb t.rb long 3> res 2> err || code=$? &&
	test "$code" = 1 &&
	test "$(wc -c < res)" = 2006 &&
	code=0 && rb t.rb 3>&- 2> err || code=$? &&
	test "$code" = 1 &&
	test_grep "adapter-test: boom" err
'

test_expect_success 'start: a framework that does not load goes down, without ready' '
	printf "require %s\nDistributest.start(%s, %s, %s, %s)\nputs %s\n" "\"distributest\"" \
	    "\"adapter-test\"" "\"a-framework\"" "\"stringio\"" "\"no/such/library\"" "\"booted\"" > t.rb &&
	code=0 && ruby -I"$LIBEXEC" t.rb 3> res > out 2>&1 || code=$? &&
	test "$code" = 1 &&
	printf "down\tadapter-test: cannot load a-framework: cannot load such file -- no/such/library\n" > want &&
	test_cmp want res &&
	! grep booted out
'

if ruby -e 'require "bundler"' 2> /dev/null; then
	test_expect_success 'start: a Gemfile that resolves is used, and RERUN starts with bundle exec' '
		mkdir -p gems/ok gems/bad &&
		: > gems/ok/Gemfile &&
		printf "source \"https://rubygems.org\"\ngem \"no-such-gem-for-distributest\"\n" > gems/bad/Gemfile &&
		printf "require %s\nDistributest.start(%s, %s)\nputs Distributest.rerun(%s, %s)\n" "\"distributest\"" \
		    "\"adapter-test\"" "\"nothing\"" "\"rspec\"" "\"x\"" > t.rb &&
		(cd gems/ok && ruby -I"$LIBEXEC" ../../t.rb 3> ../../res) > out 2> err &&
		test_grep "adapter-test: Bundler used: Gemfile resolves" out &&
		# The bundle command there is: bundle, or Debian ruby'"'"'s bundle3.1.
		if command -v bundle > /dev/null; then b="bundle exec"
		elif command -v bundle3.1 > /dev/null; then b="bundle3.1 exec"
		else b="ruby -rbundler/setup -S"
		fi &&
		tail -n 1 out > last && echo "$b rspec x" > want &&
		test_cmp want last &&
		test_cmp /dev/null res &&
		(cd gems/ok && ruby -I"$LIBEXEC" -r distributest -e "Distributest.prog = %q(merge-test); Distributest.bundler") > out 2> err &&
		test_grep "merge-test: Bundler used: Gemfile resolves" out
	'

	test_expect_success 'start: a Gemfile that does not resolve is not used by default, and says why' '
		(cd gems/bad && ruby -I"$LIBEXEC" ../../t.rb 3> ../../res) > out 2> err &&
		test_grep "adapter-test: Bundler not used: Gemfile does not resolve (Bundler::GemNotFound: " out &&
		test_grep "no-such-gem-for-distributest" out &&
		tail -n 1 out > last && echo "rspec x" > want && test_cmp want last &&
		test_cmp /dev/null res
	'

	test_expect_success 'start: bundler = yes goes down when the Gemfile does not resolve' '
		code=0 && (cd gems/bad && DT_BUNDLER=yes ruby -I"$LIBEXEC" ../../t.rb 3> ../../res > ../../out 2>&1) || code=$? &&
		test "$code" = 1 &&
		test_grep "$(printf "down\tadapter-test: bundler: Gemfile: Bundler::GemNotFound: ")" res &&
		test_grep "no-such-gem-for-distributest" res
	'

	test_expect_success MINITEST 'start: a Gemfile that resolves without the framework is not used by default, and says why' '
		printf "require %s\nDistributest.start(%s, %s, %s)\nputs Distributest.rerun(%s, %s)\n" "\"distributest\"" \
		    "\"adapter-test\"" "\"minitest\"" "\"minitest\"" "\"rake\"" "\"test\"" > mt.rb &&
		(cd gems/ok && ruby -I"$LIBEXEC" ../../mt.rb 3> ../../res) > out 2> err &&
		test_grep "adapter-test: Bundler not used: Gemfile resolves, but its bundle has no minitest (cannot load such file -- minitest); bundler = auto" out &&
		test_must_fail grep "Bundler used" out &&
		tail -n 1 out > last && echo "rake test" > want && test_cmp want last &&
		test_cmp /dev/null res &&
		code=0 && { (cd gems/ok && DT_BUNDLER=yes ruby -I"$LIBEXEC" ../../mt.rb 3> ../../res > ../../out 2>&1) || code=$?; } &&
		test "$code" = 1 &&
		test_grep "$(printf "down\tadapter-test: cannot load minitest: cannot load such file -- minitest")" res
	'

	test_expect_success 'start: bundler = no leaves even a good Gemfile alone' '
		(cd gems/ok && DT_BUNDLER=no ruby -I"$LIBEXEC" ../../t.rb 3> ../../res) > out &&
		test_grep "adapter-test: Bundler not used: bundler = no" out &&
		tail -n 1 out > last && echo "rspec x" > want && test_cmp want last
	'
fi

test_expect_success 'loading the module defines Distributest and nothing else' '
	cat > t.rb <<-\EOF &&
	before = Object.constants
	methods = Object.private_instance_methods + Object.instance_methods
	require "distributest"
	p Object.constants - before, Object.private_instance_methods + Object.instance_methods - methods
	EOF
	ruby -I"$LIBEXEC" t.rb > got &&
	printf "[:Distributest]\n[]\n" > want &&
	test_cmp want got
'

test_done
