#!/bin/sh
test_description='tests run in a directory named as the project; a file excluded later leaves the nodes'"'"' copies'
. "$(dirname "$0")/test-lib.sh"

HOSTNAME=$(hostname)
USERNAME=$(id -un)
WD=$HOME/.cache/distributest/$HOSTNAME/$USERNAME

# Where a local node keeps the copy of project $1: the hash of its path,
# then its name, from the name dt-config gives it (NAME-HASH).
copy_of() {
	n=$(copy_name "$1") && test -n "$n" &&
	echo "$WD/${n##*-}/${n%-*}"
}

# Trees and old copies are removed by a detached process: poll, with a
# bound far above what any machine needs.
gone() {
	i=0 && while test -e "$1"; do
		i=$((i + 1)) && test $i -lt 600 || return 1
		sleep 0.1
	done
}

test_expect_success 'setup: a command project whose files print their working directory' '
	mkdir work && make_command_project work/shop &&
	for i in 1 2 3 4; do
		printf "echo \"cwd \$(pwd)\"\ntest \"\$(basename \"\$(pwd)\")\" = shop\n" > work/shop/t/f$i.t || return 1
	done &&
	COPY=$(copy_of work/shop) && echo "$COPY" > copy-path
'

test_expect_success 'the copy ends in the project'"'"'s name, under a hash of its path' '
	(cd work/shop && distributest -j 2) > out &&
	test_grep "4 files, 4 examples, 0 failures" out &&
	COPY=$(cat copy-path) &&
	case $COPY in "$WD"/[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/shop) ;; *) false ;; esac &&
	test -f "$COPY/t/f1.t" && test -d "$COPY/.dt-hooks"
'

test_expect_success 'runner_dir = own: each runner'"'"'s tree ends in the project'"'"'s name' '
	COPY=$(cat copy-path) &&
	grep -o "cwd .*" work/shop/.distributest/log | sort -u > dirs &&
	test_line_count -ge 1 dirs &&
	{ grep -v "^cwd $COPY\\.runners/[12]/shop\$" dirs > other || :; } &&
	test_must_fail test -s other
'

test_expect_success 'runner_dir = shared: the runners work in the copy, named as the project' '
	COPY=$(cat copy-path) &&
	printf "runner_dir = shared\n" >> work/shop/.distributest/config &&
	(cd work/shop && distributest -j 2) > out &&
	test_grep "4 files, 4 examples, 0 failures" out &&
	grep -o "cwd .*" work/shop/.distributest/log | sort -u > dirs &&
	echo "cwd $COPY" > want && test_cmp want dirs
'

test_expect_success 'two projects of one name have a copy each, both named as the project' '
	mkdir elsewhere && make_command_project elsewhere/shop &&
	printf "test \"\$(basename \"\$(pwd)\")\" = shop\n" > elsewhere/shop/t/only-other.t &&
	(cd elsewhere/shop && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	a=$(cat copy-path) && b=$(copy_of elsewhere/shop) &&
	test "$a" != "$b" &&
	test -f "$b/t/only-other.t" && ! test -e "$a/t/only-other.t" &&
	test -f "$a/t/f1.t" && ! test -e "$b/t/f1.t"
'

make_rspec_project() {
	mkdir -p "$1/spec" &&
	for f in a b; do
		cat > "$1/spec/${f}_spec.rb" <<-EOF || return 1
		RSpec.describe "the working directory ($f)" do
		  it("is named as the project") { expect(File.basename(Dir.pwd)).to eq("$(basename "$1")") }
		end
		EOF
	done
}

test_expect_success RSPEC 'RSpec: File.basename(Dir.pwd) is the project'"'"'s name, with own runner trees' '
	make_rspec_project rs/storefront &&
	(cd rs/storefront && distributest -j 2) > out &&
	test_grep "2 files, 2 examples, 0 failures" out
'

test_expect_success RSPEC 'RSpec: and with runner_dir = shared' '
	mkdir -p rs/storefront/.distributest &&
	printf "[run]\nrunner_dir = shared\n" > rs/storefront/.distributest/config &&
	(cd rs/storefront && distributest -j 2) > out &&
	test_grep "2 files, 2 examples, 0 failures" out
'

# RSpec's own relative paths take the directory as a regexp: "c++" is one.
test_expect_success RSPEC 'RSpec: in a project named "c++ (x)", a failure'"'"'s location and rerun are relative' '
	mkdir -p "rs/c++ (x)/spec" &&
	cat > "rs/c++ (x)/spec/a_spec.rb" <<-\EOF &&
	RSpec.describe "a" do
	  it("fails") { expect(1).to eq(2) }
	end
	EOF
	echo "RSpec.describe(\"b\") { it(\"passes\") {} }" > "rs/c++ (x)/spec/b_spec.rb" &&
	(cd "rs/c++ (x)" && test_expect_code 1 distributest -j 2) > out &&
	test_grep "2 files, 2 examples, 1 failure" out &&
	test_grep "FAIL spec/a_spec.rb:2 (local/" out &&
	test_grep "rerun: rspec ./spec/a_spec.rb:2" out &&
	test_grep "# ./spec/a_spec.rb:2:in" out &&
	! grep -F .runners out
'

test_expect_success 'a file excluded after a first run is gone from the node'"'"'s copy after the second' '
	make_command_project ex &&
	printf "true\n" > ex/t/a.t &&
	echo "source \"https://rubygems.org\"" > ex/Gemfile &&
	mkdir ex/fixtures && echo big > ex/fixtures/big.bin && echo small > ex/fixtures/small.txt &&
	(cd ex && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	COPY=$(copy_of ex) &&
	test -f "$COPY/Gemfile" && test -f "$COPY/fixtures/big.bin" &&
	mkdir -p "$COPY/tmp" "$COPY/log" "$COPY/fixtures/__pycache__" &&
	echo keep > "$COPY/tmp/cache" && echo keep > "$COPY/log/test.log" &&
	echo keep > "$COPY/fixtures/__pycache__/m.pyc" &&
	printf "exclude = Gemfile *.bin tmp/ *.log *.pyc\n" >> ex/.distributest/config &&
	(cd ex && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	! test -e "$COPY/Gemfile" && ! test -e "$COPY/fixtures/big.bin" &&
	test -f "$COPY/fixtures/small.txt" &&
	test -f ex/Gemfile && test -f ex/fixtures/big.bin &&
	# What the node made in tmp/, log/ and __pycache__/ stays, excluded or not.
	test -f "$COPY/tmp/cache" && test -f "$COPY/log/test.log" &&
	test -f "$COPY/fixtures/__pycache__/m.pyc"
'

test_expect_success 'what the node made under a keep pattern stays, excluded or not' '
	make_command_project kp &&
	printf "true\n" > kp/t/a.t &&
	printf "exclude = node_modules/\nkeep = node_modules/\n" >> kp/.distributest/config &&
	(cd kp && distributest -j 1) > out &&
	COPY=$(copy_of kp) &&
	mkdir -p "$COPY/node_modules/pkg" "$COPY/built" &&
	echo made > "$COPY/node_modules/pkg/index.js" &&
	echo made > "$COPY/built/x" &&
	(cd kp && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test -f "$COPY/node_modules/pkg/index.js" &&
	! test -e "$COPY/built/x"
'

# A copy as distributest 0.2.0 made it: WD/NAME-HASH, with the hooks'
# directory in it, and trees of runners in WD/NAME-HASH.runners.
test_expect_success 'an old copy of the project, and its dead runners'"'"' trees, are removed' '
	make_command_project old &&
	printf "test \"\$(basename \"\$(pwd)\")\" = old\n" > old/t/a.t &&
	n=$(copy_name old) &&
	mkdir -p "$WD/$n/.dt-hooks" "$WD/$n/t" "$WD/$n.runners/999999-1/t" &&
	echo stale > "$WD/$n/old" && echo stale > "$WD/$n/t/a.t" &&
	(cd old && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	gone "$WD/$n" && gone "$WD/$n.runners" &&
	test -f "$(copy_of old)/t/a.t"
'

# Nothing is removed here, so what is checked right after a run stays.
test_expect_success 'one still in use stays until it is not, one without .dt-hooks/ stays' '
	n=$(copy_name old) &&
	mkdir -p "$WD/$n/t" &&
	(cd old && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test -d "$WD/$n/t" &&
	mkdir "$WD/$n/.dt-hooks" "$WD/$n.runners" &&
	{ sleep 1000 > /dev/null 2>&1 & } && live=$! &&
	mkdir "$WD/$n.runners/$live-1" &&
	(cd old && distributest -j 1) > out; st=$?; kill $live; wait $live
	test $st = 0 &&
	test_grep "1 file, 1 example, 0 failures" out &&
	test -d "$WD/$n/t" && test -d "$WD/$n.runners/$live-1" &&
	(cd old && distributest -j 1) > out &&
	test_grep "1 file, 1 example, 0 failures" out &&
	gone "$WD/$n" && gone "$WD/$n.runners"
'

test_done
