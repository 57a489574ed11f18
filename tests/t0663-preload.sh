#!/bin/sh
test_description='preload: the Ruby runners of a node are forked from one template that booted the framework, and each is still its own runner: group, environment, tree, descriptors, exit, death'
. "$(dirname "$0")/test-lib.sh"

test_lazy_prereq BUNDLER 'ruby -e "require %q(bundler)" 2>/dev/null'

# Each example writes one line to $SEEN: the runner, who its parent is
# (the template, an adapter-rspec process, or dt-spawn), whether it leads
# its own process group or is in the group of a dt-spawn (the runner's
# process), and facts of its environment, tree and descriptors.
make_project() {
	mkdir -p "$1/spec" "$1/.distributest" &&
	printf "[run]\nenv = SEEN\n" > "$1/.distributest/config" &&
	cat > "$1/spec/seen.rb" <<-'EOF' &&
	def comm(pid)
	  File.read("/proc/#{pid}/comm").strip
	rescue SystemCallError
	  "gone"
	end

	def seen(extra = nil)
	  argv = File.read("/proc/#{Process.ppid}/cmdline").split("\0")
	  parent = argv.any? { |w| w.end_with?("/adapter-rspec") } ? "template" : comm(Process.ppid)
	  group = Process.getpgrp == Process.pid ? "own-group" : "group-of-#{comm(Process.getpgrp)}"
	  n = ENV["DT_RUNNER"]
	  facts = {
	    "tenv" => ENV["TEST_ENV_NUMBER"] == (n == "1" ? "" : n),
	    "id" => ENV["DT_RUNNER_ID"].to_s.end_with?("_#{n}"),
	    "tmp" => ENV["TMPDIR"].to_s.end_with?("_#{n}"),
	    "tree" => Dir.pwd.include?(".runners/#{n}/"),
	    "nofd" => !ENV.key?("DT_PRELOAD_FD"),
	    "stdin" => $stdin.read.empty?,
	    "nice" => Process.getpriority(Process::PRIO_PROCESS, 0) == Process.getpriority(Process::PRIO_PGRP, Process.getpgrp)
	  }
	  bad = facts.reject { |_, ok| ok }.keys
	  line = [n, parent, group, bad.empty? ? "env-ok" : "bad:#{bad.join(',')}", extra].compact.join(" ")
	  File.open(ENV.fetch("SEEN"), "a") { |f| f.puts line }
	end
	EOF
	for i in 1 2 3 4 5 6; do
		printf "require_relative \"seen\"\nRSpec.describe \"s%d\" do\n  it(\"runs\") { seen; sleep 0.2 }\nend\n" "$i" > "$1/spec/s${i}_spec.rb" || return 1
	done
}

SEEN=$TRASH/seen
export SEEN

# An adapter-rspec process working in directory $1, the template before
# any runner: its pid in file $2.
held_in() {
	here=$(cd "$1" && pwd -P) &&
	for p in $(pgrep -f "/adapter-rspec$"); do
		[ "$(readlink "/proc/$p/cwd")" != "$here" ] || { echo "$p" > "$2"; return 0; }
	done
	return 1
}

printf "[run]\npreload = no\n" > cold.conf

# Runs the project in $1 on three runners, with the environment after it,
# and checks that its six files ran and every runner was the adapter
# dt-spawn executed.
runs_cold() {
	dir=$1 &&
	shift &&
	: > seen &&
	(cd "$dir" && env "$@" distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "dt-spawn own-group env-ok"
}

test_expect_success RSPEC 'by default, every runner is a child of the template, in the group of its own runner process' '
	make_project p &&
	: > seen &&
	(cd p && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_line_count = 6 seen &&
	test_seen_all "template group-of-dt-spawn env-ok" &&
	! grep "not preloaded" p/.distributest/log
'

# Runners 2 and 3 ask the template only once runner 1 is loading its
# first file; each runner's first file says whether rspec-mocks was
# loaded before it, as the template does once it has forked runner 1.
test_expect_success RSPEC 'the template loads rspec-expectations and rspec-mocks once it has forked its first runner, for the runners after it' '
	mkdir -p w/spec w/.distributest &&
	printf "[run]\nenv = SEEN MARK\nrunner_setup = wait-for-1\n" > w/.distributest/config &&
	cat > w/wait-for-1 <<-\EOF &&
	#!/bin/sh
	[ -z "$TEST_ENV_NUMBER" ] && exit 0
	i=0
	while [ ! -e "$MARK" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	EOF
	chmod +x w/wait-for-1 &&
	for i in 1 2 3 4 5 6; do
		cat > "w/spec/w${i}_spec.rb" <<-\EOF || return 1
		unless $first_seen
		  $first_seen = true
		  loaded = $LOADED_FEATURES.any? { |f| f.end_with?("/rspec/mocks.rb") }
		  File.open(ENV.fetch("SEEN"), "a") { |f| f.puts "#{ENV["DT_RUNNER"]} #{loaded ? "loaded" : "not-loaded"}" }
		  File.write(ENV.fetch("MARK"), "") if ENV["DT_RUNNER"] == "1"
		  600.times { File.readlines(ENV["SEEN"]).size < 3 ? sleep(0.1) : break }
		end
		RSpec.describe "w" do
		  it("mocks") { expect(double(to_s: "d").to_s).to eq("d") }
		end
		EOF
	done &&
	: > seen && rm -f mark &&
	(cd w && MARK=$TRASH/mark distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	sort seen > got &&
	printf "1 not-loaded\n2 loaded\n3 loaded\n" > want &&
	test_cmp want got &&
	: > seen && rm -f mark &&
	(cd w && MARK=$TRASH/mark distributest -c "$TRASH/cold.conf" -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	sort seen > got &&
	printf "1 not-loaded\n2 not-loaded\n3 not-loaded\n" > want &&
	test_cmp want got
'

test_expect_success RSPEC 'preload = no: each runner is the adapter dt-spawn executed, leading its group' '
	printf "[run]\nenv = SEEN\npreload = no\n" > p/.distributest/config &&
	runs_cold p &&
	printf "[run]\nenv = SEEN\n" > p/.distributest/config
'

# More runners than processors, so that the others boot lower: once it
# has forked runner 1's child, the template, their parent, is as low.
test_expect_success RSPEC,ROOT 'the template lowers its priority by DT_BOOT_NICE once it has forked the first runner; with 0 it stays' '
	mkdir -p n/spec &&
	cat > n/spec/n_spec.rb <<-\EOF &&
	RSpec.describe "n" do
	  it("sees its parent") do
	    want = Integer(ENV.fetch("WANT"))
	    nice = nil
	    50.times { (nice = Process.getpriority(Process::PRIO_PROCESS, Process.ppid)) == want ? break : sleep(0.1) }
	    File.write(ENV.fetch("SEEN"), "#{nice}\n")
	  end
	end
	EOF
	base=$(nice) &&
	j=$(($(nproc) + 1)) &&
	want=$((base + 7 > 19 ? 19 : base + 7)) &&
	(cd n && WANT=$want DT_BOOT_NICE=7 distributest -j $j) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	echo "$want" > want && test_cmp want seen &&
	(cd n && WANT=$base DT_BOOT_NICE=0 distributest -j $j) > out &&
	echo "$base" > want && test_cmp want seen
'

test_expect_success RSPEC 'one runner: no template' '
	: > seen &&
	(cd p && distributest -j 1) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "dt-spawn own-group env-ok"
'

test_expect_success 'preload: a value other than yes or no is an error naming the file and line' '
	mkdir -p bad/.distributest bad/spec && : > bad/spec/a_spec.rb &&
	printf "[run]\nframework = rspec\npreload = maybe\n" > bad/.distributest/config &&
	(cd bad && test_expect_code 100 distributest -j 2) > out 2>&1 &&
	test_grep "config:3: preload: \"maybe\" is not yes or no" out
'

test_expect_success RSPEC 'RUBYOPT with -r: no template, and the log says why' '
	runs_cold p RUBYOPT="-W0 -rset" &&
	test_grep "not preloaded, each runner boots on its own: RUBYOPT requires -rset" p/.distributest/log
'

# A gem's project: a Gemfile naming its gemspec, which loads
# lib/g/version.rb as Bundler sets the bundle up; each spec file loads
# lib/g.rb, which requires it again, and records where things are.
make_gem() {
	cp -R p "$1" && rm -rf "$1"/.distributest/log* "$1"/spec/s*_spec.rb &&
	mkdir -p "$1/lib/g" &&
	printf "source \"https://rubygems.org\"\ngemspec\ngem \"rspec\"\n" > "$1/Gemfile" &&
	cat > "$1/g.gemspec" <<-\EOF &&
	require_relative "lib/g/version"
	Gem::Specification.new do |s|
	  s.name = "g"
	  s.version = G::VERSION
	  s.summary = "g"
	  s.authors = ["g"]
	  s.files = []
	end
	EOF
	printf "module G\n  VERSION = \"1.0\"\nend\n" > "$1/lib/g/version.rb" &&
	printf "require \"g/version\"\nmodule G\n  FILE = __FILE__\nend\n" > "$1/lib/g.rb" &&
	for i in 1 2 3 4 5 6; do
		cat > "$1/spec/s${i}_spec.rb" <<-\EOF || return 1
		require_relative "seen"
		require "g"
		RSpec.describe "g" do
		  it "sees its own tree" do
		    here = Dir.pwd
		    copy = here.sub(%r{\.runners/[^/]+/[^/]+\z}, "")
		    elsewhere = ->(path) { copy != here && path.start_with?("#{copy}/") }
		    bad = []
		    bad << "file" unless G::FILE == "#{here}/lib/g.rb"
		    bad << "path" if $LOAD_PATH.any? { |p| elsewhere.(p.to_s) }
		    bad << "features" if $LOADED_FEATURES.any? { |p| elsewhere.(p) }
		    bad << "gemfile" unless ENV["BUNDLE_GEMFILE"] == "#{here}/Gemfile"
		    bad << "root" unless Bundler.root.to_s == here
		    bad << "rubyopt" unless ENV["RUBYOPT"].to_s.include?("bundler/setup")
		    bad << "unbundled" unless Bundler.with_unbundled_env { [ENV["DT_RUNNER"], ENV["TMPDIR"], ENV["RUBYOPT"]] } == [ENV["DT_RUNNER"], ENV["TMPDIR"], nil]
		    seen(bad.empty? ? "bundle-ok" : "bad:#{bad.join(',')}")
		    sleep 0.2
		  end
		end
		EOF
	done
}

test_expect_success RSPEC,BUNDLER 'a Gemfile that resolves: preloaded under its bundle, and each runner finds its own tree, not the copy, in its load path, features, environment and Bundler.root' '
	make_gem g &&
	: > seen &&
	(cd g && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "template group-of-dt-spawn env-ok bundle-ok" &&
	! grep -e "not preloaded" -e "already initialized" g/.distributest/log &&
	test_said_once g/.distributest/log "Bundler used: Gemfile resolves"
'

test_expect_success RSPEC,BUNDLER 'a Gemfile with runner_dir = shared: preloaded, the copy is every runner'"'"'s' '
	printf "[run]\nenv = SEEN\nrunner_dir = shared\n" > g/.distributest/config &&
	: > seen &&
	(cd g && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "template group-of-dt-spawn bad:tree bundle-ok" &&
	! grep -e "not preloaded" -e "already initialized" g/.distributest/log &&
	printf "[run]\nenv = SEEN\n" > g/.distributest/config
'

# The template boots beside node_setup, which here gives the copy its
# Gemfile: held until node_setup is done, it sets that bundle up.
test_expect_success RSPEC,BUNDLER 'the template boots beside node_setup, and waits for it before it reads the copy: the Gemfile node_setup made is the bundle' '
	make_gem h && mv h/Gemfile h/Gemfile.later &&
	printf "[run]\nenv = SEEN HELD\n" > h/.distributest/config &&
	test_held_hook h/.distributest/node_setup adapter-rspec "mv Gemfile.later Gemfile" &&
	: > seen && rm -f held &&
	(cd h && HELD=$TRASH/held distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	echo held > want && test_cmp want held &&
	test_seen_all "template group-of-dt-spawn env-ok bundle-ok" &&
	test_said_once h/.distributest/log "Bundler used: Gemfile resolves"
'

# On the channel itself: a template that booted before a setting would
# not have it in its environment, nor its runners' boot.
test_expect_success RSPEC 'a setting after set boot yes: the template that booted without it is stopped, and start makes another' '
	mkdir -p raw && cp -R p/spec raw/ &&
	cat > raw/spec/s1_spec.rb <<-\EOF &&
	RSpec.describe "late" do
	  it("sees its parent") do
	    late = File.binread("/proc/#{Process.ppid}/environ").split("\0").include?("LATE=1")
	    File.open(ENV.fetch("SEEN"), "a") { |f| f.puts "#{ENV["DT_RUNNER"]} #{late ? "late" : "early"}" }
	  end
	end
	EOF
	cp raw/spec/s1_spec.rb raw/spec/s2_spec.rb &&
	: > seen && rm -f out &&
	{ ev hello distributest-channel 2 test; ev set dir "$TRASH/raw"; ev set framework rspec;
	  ev set env "SEEN=$TRASH/seen"; ev set boot yes;
	  test_wait_until held_in raw first; ev set env LATE=1; test_wait_until exited "$(cat first)";
	  ev start 2; test_wait_for "^runner-up	2	" out;
	  ev run 1 spec/s1_spec.rb; ev run 2 spec/s2_spec.rb;
	  test_wait_for "^done	1	" out; test_wait_for "^done	2	" out; } |
	dt-spawn > out 2> err &&
	sort seen > got &&
	printf "1 late\n2 late\n" > want &&
	test_cmp want got
'

test_expect_success RSPEC,BUNDLER 'a Gemfile that does not resolve: the template starts again without it, as a runner would, and each runner says so once' '
	cp -R p u && rm -rf u/.distributest/log* &&
	printf "source \"https://rubygems.org\"\ngem \"rspec\"\ngem \"no-such-gem-for-distributest\"\n" > u/Gemfile &&
	: > seen &&
	(cd u && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "template group-of-dt-spawn env-ok" &&
	! grep "not preloaded" u/.distributest/log &&
	test_said_once u/.distributest/log "Bundler not used: Gemfile does not resolve"
'

test_expect_success RSPEC 'a Gemfile with bundler = no: preloaded, and every runner says Bundler was not used, once' '
	printf "[run]\nenv = SEEN\nbundler = no\n" > u/.distributest/config && rm -f u/.distributest/log* &&
	: > seen &&
	(cd u && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	test_seen_all "template group-of-dt-spawn env-ok" &&
	test_said_once u/.distributest/log "Bundler not used: bundler = no"
'

# Writes spec file $1, whose example does $3 (Ruby) the first time it
# runs, marking that in $TRASH/$2, and is seen every other time.
once() {
	cat > "$1" <<-EOF
	require_relative "seen"
	RSpec.describe "$2" do
	  it("ends its process once") do
	    unless File.exist?("$TRASH/$2")
	      File.write("$TRASH/$2", "")
	      $3
	    end
	    seen
	  end
	end
	EOF
}

# A file that ends its own process the first time it runs, by a signal
# or an exit status: the runner is down as it would be without the
# template, and the file runs again.
test_expect_success RSPEC 'a runner killed by a signal, or exiting, is down with that status; its file runs again' '
	cp -R p k &&
	once k/spec/s1_spec.rb killed "Process.kill(:KILL, Process.pid)" &&
	once k/spec/s2_spec.rb exited "exit!(7)" &&
	: > seen &&
	(cd k && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	grep "	requeue	local	[0-9]	spec/s1_spec.rb	adapter killed by signal 9 (Killed)$" k/.distributest/log &&
	grep "	requeue	local	[0-9]	spec/s2_spec.rb	adapter exited 7$" k/.distributest/log
'

test_expect_success RSPEC 'the template killed under its runners: they go down, saying so, and their replacements boot on their own' '
	cp -R p t && rm -f t/.distributest/log &&
	once t/spec/s1_spec.rb template "Process.kill(:KILL, Process.ppid); sleep 30" &&
	: > seen &&
	(cd t && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	grep "	runner-down	local	[0-9]	the node'"'"'s preloaded template ended	replacing$" t/.distributest/log &&
	grep "^[0-9] dt-spawn own-group env-ok" seen > late &&
	test_line_count -ge 1 late
'

# The example writes its pid, its parent's (the template) and its
# group's leader's parent's (dt-spawn), then sleeps.
test_expect_success RSPEC 'dt-spawn killed: the template, the runners and their runner processes die with it' '
	cp -R p d && rm -f d/.distributest/log &&
	cat > d/spec/s1_spec.rb <<-EOF &&
	RSpec.describe "s1" do
	  it("waits") do
	    leader = Process.getpgrp
	    spawn = File.read("/proc/#{leader}/stat").split(")").last.split[1]
	    File.write("$TRASH/pids.tmp", "#{Process.pid} #{Process.ppid} #{leader} #{spawn}\n")
	    File.rename("$TRASH/pids.tmp", "$TRASH/pids")
	    sleep 120
	  end
	end
	EOF
	{ (cd d && exec distributest -j 3 > ../out 2>&1) & } &&
	run=$! &&
	test_wait_until test -s pids &&
	read worker template leader spawn < pids &&
	test "$(cat /proc/$spawn/comm)" = dt-spawn &&
	kill -KILL "$spawn" &&
	{ wait $run; true; } &&
	for p in $worker $template $leader; do
		test_wait_until sh -c "! kill -0 $p 2>/dev/null" || return 1
	done
'

test_expect_success RSPEC 'the run interrupted: the template and the runners are gone' '
	rm -f pids &&
	{ (cd d && exec env --default-signal=INT distributest -j 3 > ../out 2>&1) & } &&
	run=$! &&
	test_wait_until test -s pids &&
	read worker template leader spawn < pids &&
	kill -INT $run &&
	{ wait $run; rc=$?; } &&
	{ test $rc -eq 130 || { cat out; false; }; } &&
	for p in $worker $template $leader $spawn; do
		test_wait_until sh -c "! kill -0 $p 2>/dev/null" || return 1
	done
'

# The same totals with and without the template, on the example suites
# whose totals are known.
for fw in minitest-mixed:MINITEST test-unit-mixed:TEST_UNIT rspec-failing:RSPEC; do
	ex=${fw%%:*}
	test_expect_success "${fw#*:}" "$ex: the same totals with and without preload" '
		cp -R "$SRCDIR/examples/'"$ex"'" '"$ex"' && rm -rf '"$ex"'/.distributest &&
		(cd '"$ex"' && distributest -j 3 > ../yes.out; test $? = 1) &&
		mkdir -p '"$ex"'/.distributest &&
		printf "[run]\npreload = no\n" >> '"$ex"'/.distributest/config &&
		(cd '"$ex"' && distributest -j 3 > ../no.out; test $? = 1) &&
		grep -E "^[0-9]+ files, " yes.out | sed "s/ in [0-9.]*s on .*//" > yes &&
		grep -E "^[0-9]+ files, " no.out | sed "s/ in [0-9.]*s on .*//" > no &&
		test_line_count = 1 yes &&
		test_cmp no yes &&
		ex=$(sed -n "s/^examples //p" '"$ex"'/EXPECTED) &&
		test_grep "files, $ex " yes
	'
done

test_done
