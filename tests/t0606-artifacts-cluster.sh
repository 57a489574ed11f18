#!/bin/sh
test_description='artifacts come home from every node of the cluster over its ssh master, under the node'"'"'s name, and leave the nodes'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

test_expect_success 'a cluster of two nodes' '
	cluster_up 2
'

test_expect_success 'each node'"'"'s runners bring their files home under NODE/RUNNER' '
	make_command_project c &&
	for i in 1 2 3 4 5 6 7 8; do
		printf "mkdir -p out && echo \"\$DT_NODE \$DT_RUNNER\" > out/f$i.txt && sleep 0.3\n" > c/t/f$i.t || return 1
	done &&
	printf "artifacts = out\n" >> c/.distributest/config &&
	for i in 1 2; do
		printf "[node node%s]\nrunners = 2\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
			"$i" "$DT_SSH" "$LIBEXEC" >> c/.distributest/config || return 1
	done &&
	(cd c && distributest) > out &&
	test_grep "8 files, 8 examples, 0 failures" out &&
	grep -c "	done	node[12]	" c/.distributest/log > done &&
	test "$(cat done)" = 8 &&
	ran=$(grep "	done	node[12]	" c/.distributest/log | cut -f 3 | sort -u | wc -l) &&
	if test "$ran" = 1; then s=; else s=s; fi &&
	grep "^artifacts: 8 files, 64 bytes, from $ran node$s\$" out &&
	(cd c/.distributest/artifacts && find . -name "f*.txt") > got &&
	test_line_count = 8 got &&
	while read -r f; do
		want=$(echo "$f" | sed "s|^\./\([^/]*\)/\([0-9]*\)/.*|\1 \2|") &&
		test "$(cat "c/.distributest/artifacts/$f")" = "$want" || return 1
	done < got
'

test_expect_success 'roots on each node name runners'"'"' trees beside the node'"'"'s copy' '
	for i in $(ls c/.distributest/artifacts | sed -n "s/^node//p"); do
		cut -f 2 c/.distributest/artifacts/node$i/roots > dirs &&
		test_line_count -ge 1 dirs &&
		while read -r d; do
			case $d in */c.runners/*/c) ;; *) return 1 ;; esac &&
			$DT_SSH node$i test -d "${d%.runners/*}" || return 1
		done < dirs || return 1
	done
'

test_expect_success 'the nodes keep no artifact files once they are home' '
	for i in 1 2; do
		$DT_SSH node$i "find .cache/distributest -path \"*.artifacts/*\" -type f" > left &&
		test_line_count = 0 left || return 1
	done
'

test_done
