#!/bin/sh
test_description='the compile cache: Ruby library and gem files are compiled once into XDG_CACHE_HOME and used while each file is the one compiled, not under Coverage, not in a directory of another user, not with DT_COMPILE_CACHE=no'
. "$(dirname "$0")/test-lib.sh"

# A gem's file in a gem directory of ours, first in GEM_PATH, which every
# spec file loads; each example writes its PROBE_VALUE to $SEEN.
GEM_PATH=$TRASH/gems:$(ruby -e 'print Gem.path.join(":")')
lib=$TRASH/gems/gems/probe-1/lib
PROBE=$lib/probe.rb
SEEN=$TRASH/seen
export GEM_PATH PROBE SEEN
mkdir -p "$lib" p/spec p/.distributest &&
printf 'PROBE_VALUE = "one"\n' > "$PROBE" &&
printf "[run]\nenv = PROBE SEEN\n" > p/.distributest/config &&
for i in 1 2 3 4; do
	cat > "p/spec/p${i}_spec.rb" <<-\EOF || exit 1
	require ENV.fetch("PROBE")
	RSpec.describe "probe" do
	  it("is seen") { File.open(ENV.fetch("SEEN"), "a") { |f| f.puts PROBE_VALUE } }
	end
	EOF
done

entry() {
	ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/distributest/.ruby/*/*probe.rb 2>/dev/null
}

# The entry of probe.rb, its header and stamp kept, holds the code
# PROBE_VALUE = "forged" instead, with its checksum: a run that shows it
# read the cache.
forge() {
	e=$(entry) && test -n "$e" &&
	ruby -rzlib -e 'e = ARGV[0]; head, stamp, = File.binread(e).split("\n", 3)
		bin = RubyVM::InstructionSequence.compile(%q(PROBE_VALUE = "forged")).to_binary
		File.binwrite(e, "#{head}\n#{stamp.sub(/ \d+\z/, "")} #{Zlib.crc32(bin)}\n#{bin}")' "$e"
}

# Runs p on 2 runners, with the environment given, and checks that every
# example saw $1.
runs_seeing() {
	want=$1 &&
	shift &&
	: > seen &&
	(cd p && env "$@" distributest -j 2) > out &&
	test_grep "4 files, 4 examples, 0 failures" out &&
	test_seen_all "$want"
}

# Runs p as runs_seeing $1 does with RUBY ($2) in a --require helper,
# then without the helper as it sees $3.
runs_with_helper() {
	printf "%s\n" "$2" > p/helper.rb &&
	printf -- "--require ./helper\n" > p/.rspec &&
	runs_seeing "$1" &&
	rm p/.rspec p/helper.rb &&
	runs_seeing "$3"
}

test_expect_success RSPEC 'a run keeps what it compiled of the gems, rspec-core included, in a directory of its own, and none of the project' '
	runs_seeing one &&
	test -n "$(entry)" &&
	dir=$(dirname "$(entry)") &&
	ls "$dir" > entries &&
	grep "rspec-core-.*%2Flib%2Frspec%2Fcore.rb$" entries &&
	! grep -e "_spec.rb" -e "%2Fp%2F" entries &&
	test "$(stat -c %a "$HOME/.cache/distributest/.ruby")" = 700 &&
	test "$(stat -c %a "$dir")" = 700 &&
	! ls "$dir" | grep "\.tmp$"
'

test_expect_success RSPEC 'an entry is used while its file is the one it was compiled from' '
	forge &&
	runs_seeing forged &&
	runs_seeing forged RUBYOPT= &&
	printf "[run]\nenv = PROBE SEEN\npreload = no\n" > cold.conf &&
	: > seen &&
	(cd p && distributest -c "$TRASH/cold.conf" -j 2) > out &&
	test_seen_all forged
'

test_expect_success RSPEC 'a file changed, or replaced by another of the same size and time, is compiled again' '
	printf "PROBE_VALUE = \"two\"\n" > "$PROBE" &&
	runs_seeing two &&
	forge &&
	runs_seeing forged &&
	printf "PROBE_VALUE = \"six\"\n" > "$lib/new" &&
	touch -r "$PROBE" "$lib/new" &&
	mv "$lib/new" "$PROBE" &&
	runs_seeing six
'

# The binary's string "six" made "sux", its stamp line whole: Ruby would
# load it, and a damaged binary can crash it; the checksum finds it.
test_expect_success RSPEC 'a damaged entry, or one cut short, is compiled again and replaced' '
	e=$(entry) &&
	ruby -e "d = File.binread(ARGV[0]); i = d.index(%Q(\n), d.index(%Q(\n)) + 1)
		j = d.index(%q(six), i) or abort %q(no six); d[j + 1] = %q(u); File.binwrite(ARGV[0], d)" "$e" &&
	runs_seeing six &&
	forge && runs_seeing forged &&
	ruby -e "d = File.binread(ARGV[0]); File.binwrite(ARGV[0], d[0, d.size - 30])" "$e" &&
	runs_seeing six &&
	forge && runs_seeing forged &&
	head -c 60 "$e" > cut && cp cut "$e" &&
	runs_seeing six
'

test_expect_success RSPEC 'with Coverage running, nothing is taken from the cache' '
	runs_seeing six &&
	forge &&
	runs_with_helper six "require \"coverage\"; Coverage.start" forged
'

test_expect_success RSPEC 'DT_COMPILE_CACHE=no: the cache is neither read nor made' '
	runs_seeing six DT_COMPILE_CACHE=no &&
	runs_seeing six DT_COMPILE_CACHE=no XDG_CACHE_HOME="$TRASH/other" &&
	! test -e "$TRASH/other" &&
	runs_seeing forged
'

test_expect_success RSPEC 'XDG_CACHE_HOME: the cache is there, when an absolute path' '
	runs_seeing six XDG_CACHE_HOME="$TRASH/xdg" &&
	XDG_CACHE_HOME=$TRASH/xdg entry > in-xdg && test -s in-xdg &&
	runs_seeing forged XDG_CACHE_HOME=relative/dir
'

test_expect_success RSPEC 'a cache directory that others may write in is not used' '
	forge &&
	dir=$(dirname "$(entry)") &&
	chmod 777 "$dir" &&
	runs_seeing six &&
	chmod 700 "$dir" &&
	chmod 777 "$(dirname "$dir")" &&
	runs_seeing six &&
	chmod 700 "$(dirname "$dir")" &&
	runs_seeing forged
'

test_expect_success RSPEC,ROOT 'a cache directory of another user is not used' '
	dir=$(dirname "$(entry)") &&
	chown nobody "$dir" &&
	runs_seeing six &&
	chown root "$dir" &&
	runs_seeing forged
'

# A compile option set in one process (a helper that freezes string
# literals) is in its entries: a process with other options compiles
# again, and what each sees is what its options give.
test_expect_success RSPEC 'an entry is compiled with the options of the process that made it, and used only with them' '
	printf "PROBE_VALUE = \"six\".frozen? ? \"frozen\" : \"thawed\"\n" > "$PROBE" &&
	runs_seeing thawed &&
	runs_with_helper frozen "RubyVM::InstructionSequence.compile_option = { frozen_string_literal: true }" thawed
'

test_expect_success RSPEC 'the finders keep what they compile too; a relative HOME makes no cache' '
	(cd p && XDG_CACHE_HOME=$TRASH/fc find-rspec -- > /dev/null) &&
	ls "$TRASH"/fc/distributest/.ruby/*/ > found &&
	grep "rspec-core-.*%2Flib%2Frspec%2Fcore.rb$" found &&
	(cd p && HOME=rel XDG_CACHE_HOME= find-rspec -- > /dev/null) &&
	! test -e p/rel
'

test_expect_success RSPEC 'once a day: entries of files that are gone, old temporaries and Rubies unused for 30 days go' '
	runs_seeing thawed &&
	dir=$(dirname "$(entry)") && top=$(dirname "$dir") &&
	test -f "$dir/.swept" &&
	gone=$(printf "%s" "$TRASH/gone 100%/x.rb" | sed "s|%|%25|g; s|/|%2F|g") &&
	echo junk > "$dir/$gone" &&
	echo junk > "$dir/$gone.1.a.tmp" && touch -d "2 hours ago" "$dir/$gone.1.a.tmp" &&
	echo junk > "$dir/$gone.2.b.tmp" &&
	mkdir "$top/0.9-old-x" "$top/0.8-used-x" &&
	echo x > "$top/0.9-old-x/e" && echo x > "$top/0.8-used-x/e" &&
	touch -d "40 days ago" "$top/0.9-old-x/.swept" && touch -d "20 days ago" "$top/0.8-used-x/.swept" &&
	runs_seeing thawed &&
	test -f "$dir/$gone" && test -f "$dir/$gone.1.a.tmp" && test -d "$top/0.9-old-x" &&
	touch -d "2 days ago" "$dir/.swept" && touch before &&
	runs_seeing thawed &&
	! test -e "$dir/$gone" && ! test -e "$dir/$gone.1.a.tmp" && test -f "$dir/$gone.2.b.tmp" &&
	test -n "$(entry)" && ls "$dir" | grep "rspec-core-.*%2Flib%2Frspec%2Fcore.rb$" &&
	! test -e "$top/0.9-old-x" && test -f "$top/0.8-used-x/e" &&
	test -n "$(find "$dir/.swept" -newer before)"
'

test_done
