#!/bin/sh
test_description='what runners write under the artifacts paths comes home to .distributest/artifacts/NODE/RUNNER, of the last run only'
. "$(dirname "$0")/test-lib.sh"

# Each test file writes out/NAME.txt with the runner that ran it, and a
# screenshot two directories down.
art_project() {
	make_command_project "$1" &&
	for i in 1 2 3 4 5 6; do
		cat > "$1/t/f$i.t" <<-EOF || return 1
		mkdir -p out shots/deep
		echo "\$DT_RUNNER" > out/f$i.txt
		echo png > shots/deep/f$i.png
		EOF
	done &&
	printf "artifacts = out/ shots/deep missing/\n" >> "$1/.distributest/config"
}

# The runner numbers under which each file's artifact came home.
homes() {
	(cd "$1/.distributest/artifacts/local" && find . -name "f*.txt") |
	sort -t/ -k4
}

test_expect_success 'each runner brings its files home under its number' '
	art_project a &&
	(cd a && distributest -j 3) > out &&
	test_grep "6 files, 6 examples, 0 failures" out &&
	grep "^artifacts: 12 files, 36 bytes, from 1 node$" out &&
	homes a > got &&
	test_line_count = 6 got &&
	for n in 1 2 3 4 5 6; do
		grep "/f$n.txt\$" got > one &&
		test_line_count = 1 one &&
		r=$(sed "s|^\./\([0-9]*\)/.*|\1|" one) &&
		test "$(cat a/.distributest/artifacts/local/$r/out/f$n.txt)" = "$r" &&
		test -f a/.distributest/artifacts/local/$r/shots/deep/f$n.png ||
		return 1
	done &&
	! test -e a/out && ! test -e a/shots
'

test_expect_success 'roots names the directory each runner ran in' '
	cut -f 1 a/.distributest/artifacts/local/roots | sort > got &&
	ls a/.distributest/artifacts/local | grep -v roots | sort > want &&
	test_cmp want got &&
	c=$(copy_path a) &&
	while IFS="	" read -r r dir; do
		case $dir in
		"$HOME/.cache/distributest/"*/*/"$c.runners/$r/a") ;;
		*) echo "runner $r: $dir"; return 1 ;;
		esac
	done < a/.distributest/artifacts/local/roots
'

test_expect_success 'the node keeps nothing once they are home' '
	c=$(copy_path a) &&
	find "$HOME"/.cache/distributest/*/*/"$c.artifacts" -type f > left &&
	test_line_count = 0 left
'

test_expect_success 'a run with nothing to bring leaves no artifacts of an older run' '
	sed -i "/^artifacts/d" a/.distributest/config &&
	(cd a && distributest -j 2) > out &&
	! grep "^artifacts:" out &&
	! test -e a/.distributest/artifacts
'

test_expect_success 'shared runners bring one directory home, named shared' '
	art_project s &&
	printf "runner_dir = shared\n" >> s/.distributest/config &&
	(cd s && distributest -j 3) > out &&
	grep "^artifacts: 12 files" out &&
	ls s/.distributest/artifacts/local > got &&
	printf "roots\nshared\n" > want &&
	test_cmp want got &&
	ls s/.distributest/artifacts/local/shared/out > got &&
	test_line_count = 6 got &&
	test "$(cut -f 1 s/.distributest/artifacts/local/roots)" = shared
'

test_expect_success 'an artifact path that leads out of the tree is refused with its line' '
	for bad in /tmp/x ../up out/../.. . ./; do
		make_command_project bad &&
		printf "artifacts = out/ %s\n" "$bad" >> bad/.distributest/config &&
		(cd bad && test_expect_code 100 distributest) 2> err &&
		test_grep "config:5: artifacts: \"$bad\" " err || return 1
	done
'

test_expect_success 'a link among the artifacts comes home as a link, never followed' '
	make_command_project ln &&
	echo secret > outside &&
	printf "mkdir -p out && ln -s %s/outside out/link\n" "$TRASH" > ln/t/l.t &&
	printf "artifacts = out\n" >> ln/.distributest/config &&
	(cd ln && distributest -j 1) > out &&
	test -h ln/.distributest/artifacts/local/1/out/link &&
	test "$(cat outside)" = secret
'

test_expect_success 'dt-sync -b: artifacts that cannot come home name the node, exit 2' '
	art_project nb &&
	dt-config -C nb > config &&
	(test_expect_code 2 dt-sync -b "$TRASH/home" local < config > stdout) 2> err &&
	test_line_count = 0 stdout &&
	grep "^dt-sync: node local: cannot bring its artifacts home to $TRASH/home/local: rsync exited 23: .*nb.artifacts" err
'

test_expect_success 'dt-sync -b fetches only the nodes it is given' '
	dt-sync -b "$TRASH/home2" < config > stdout 2> err &&
	test_line_count = 0 stdout && test_line_count = 0 err &&
	! test -e "$TRASH/home2"
'

test_done
