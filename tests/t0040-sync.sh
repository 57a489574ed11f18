#!/bin/sh
test_description='dt-sync: the project and hooks copied to each node'
. "$(dirname "$0")/test-lib.sh"

head_events() {
	ev hello distributest-events 2 test
	ev set project "$TRASH/proj"
	ev set name "${name:-proj-0123abcd}"
	ev set initiator ihost
	ev set user iuser
}

# The hash that ends the name, then the project's own name.
COPY=$HOME/.cache/distributest/ihost/iuser/0123abcd/proj

test_expect_success 'setup' '
	mkdir -p proj/spec proj/.git proj/log proj/tmp proj/.distributest proj/coverage &&
	echo a > proj/spec/a_spec.rb &&
	echo g > proj/.git/HEAD &&
	echo l > proj/log/test.log &&
	echo t > proj/tmp/x &&
	echo c > proj/coverage/index.html &&
	printf "#!/bin/sh\necho setup\n" > hook
'

test_expect_success 'a local node gets a copy under workdir/initiator/user/hash/name' '
	{ head_events; ev set node_setup "$TRASH/hook"; ev node local 2 local ssh .cache/distributest; } |
	dt-sync > out &&
	grep "^synced	local	[0-9.]*$" out &&
	test_cmp proj/spec/a_spec.rb "$COPY/spec/a_spec.rb" &&
	test_cmp hook "$COPY/.dt-hooks/node_setup" &&
	test -x "$COPY/.dt-hooks/node_setup" &&
	! test -e "$COPY/.dt-hooks/runner_setup"
'

test_expect_success '.git, log, tmp and .distributest stay behind; so do excludes' '
	{ head_events; ev set exclude coverage/; ev node local 2 local ssh wd2; } |
	dt-sync > out &&
	c=$HOME/wd2/ihost/iuser/0123abcd/proj &&
	test -e "$c/spec/a_spec.rb" &&
	! test -e "$c/.git" && ! test -e "$c/log" && ! test -e "$c/tmp" &&
	! test -e "$c/.distributest" && ! test -e "$c/coverage"
'

test_expect_success 'every event is passed on; files deleted in the project go on the node' '
	rm proj/spec/a_spec.rb && echo b > proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; ev test spec/b_spec.rb 2; } > in &&
	dt-sync < in > out &&
	grep -v "^log	" out | head -n 7 > got && test_cmp in got &&
	! test -e "$COPY/spec/a_spec.rb" && test -e "$COPY/spec/b_spec.rb" &&
	! test -e "$COPY/.dt-hooks/node_setup"
'

test_expect_success 'an edit of the same size within the same second reaches the node' '
	echo old > proj/spec/b_spec.rb &&
	touch -d "2024-01-01 00:00:00.100" proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	echo new > proj/spec/b_spec.rb &&
	touch -d "2024-01-01 00:00:00.600" proj/spec/b_spec.rb &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test_cmp proj/spec/b_spec.rb "$COPY/spec/b_spec.rb"
'

test_expect_success 'what a node made in its log/ and tmp/ stays there' '
	mkdir -p "$COPY/tmp" && echo keep > "$COPY/tmp/cache" &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test -e "$COPY/tmp/cache"
'

test_expect_success 'an absolute workdir is used as it is' '
	{ head_events; ev node local 2 local ssh "$TRASH/wd"; } | dt-sync > out &&
	test -e "$TRASH/wd/ihost/iuser/0123abcd/proj/spec/b_spec.rb"
'

test_expect_success 'a name without a hash names both directories' '
	{ name=proj head_events; ev node local 2 local ssh wd3; } | dt-sync > out &&
	test -e "$HOME/wd3/ihost/iuser/proj/proj/spec/b_spec.rb"
'

test_expect_success 'a file excluded after it was copied leaves the node; what the node made stays' '
	echo g > proj/Gemfile &&
	{ head_events; ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	test -e "$COPY/Gemfile" &&
	mkdir -p "$COPY/tmp" "$COPY/spec/__pycache__" &&
	echo keep > "$COPY/tmp/cache" && echo keep > "$COPY/spec/__pycache__/m.pyc" &&
	{ head_events; ev set exclude Gemfile; ev set exclude tmp/; ev set exclude "*.pyc";
	  ev node local 2 local ssh .cache/distributest; } | dt-sync > out &&
	! test -e "$COPY/Gemfile" && test -e proj/Gemfile &&
	test -e "$COPY/tmp/cache" && test -e "$COPY/spec/__pycache__/m.pyc" &&
	rm proj/Gemfile
'

# rsync, counted: each call adds a line to rsync-calls.
printf '#!/bin/sh\necho "$*" >> "%s/rsync-calls"\nexec rsync "$@"\n' "$TRASH" > counted-rsync
chmod +x counted-rsync

# dt-sync to the copy in wd-c ($CC), counted; the arguments are more events.
sync_c() {
	{ head_events; for e in "$@"; do printf '%s\n' "$e"; done
	  ev node local 2 local ssh wd-c; } > in &&
	: > rsync-calls &&
	dt-sync -r ./counted-rsync < in > out
}
CC=$HOME/wd-c/ihost/iuser/0123abcd/proj

# The copy is the project: names, contents, links, modes and the files'
# times, less what stays behind (.git, log, tmp, .distributest, the
# node's __pycache__) and the hooks.
same_copy() {
	diff -r --no-dereference -x .git -x log -x tmp -x .distributest \
		-x .dt-hooks -x __pycache__ proj "$CC" &&
	(cd proj && find . -path ./log -prune -o -path ./tmp -prune -o \
		-name .git -prune -o \
		-path ./.distributest -prune -o -type d -printf "%P %y %m\n" -o \
		-printf "%P %y %m %s %T@ %l\n" |
		sort) > want &&
	(cd "$CC" && find . -path ./log -prune -o -path ./tmp -prune -o \
		-path ./.dt-hooks -prune -o -name __pycache__ -prune -o \
		-type d -printf "%P %y %m\n" -o \
		-printf "%P %y %m %s %T@ %l\n" | sort) > got &&
	test_cmp want got
}

# rsync ran ($1 = 1) or did not (0), and the copy is the project; the
# log says which, and why rsync of the whole copy.
ran() {
	test_line_count -eq "$1" rsync-calls && same_copy &&
	grep -c -e "rsync not run" -e "dt-sync: rsync of the whole copy: ." \
		-e "dt-sync: rsync of the [0-9]* of [0-9]* directories changed" out > said &&
	echo 1 > one && test_cmp one said &&
	if test "$1" = 0; then test_grep "rsync not run" out
	else ! grep "rsync not run" out; fi &&
	grep "^synced	local	" out
}

test_expect_success 'an unchanged project is not copied again: rsync does not run' '
	mkdir -p proj/lib/deep && echo one > proj/lib/deep/a.rb &&
	echo two > proj/lib/b.rb && ln -s lib/b.rb proj/link &&
	sync_c && ran 1 &&
	test_grep "rsync of the whole copy: no digest of the copy ($CC: No such file or directory)" out &&
	sync_c && ran 0 && test_grep "entries alike" out
'

test_expect_success 'links of every length: the same digest from one run to the next' '
	mkdir -p proj/venv/bin proj/node_modules/.bin &&
	ln -s /usr/bin/python3 proj/venv/bin/python &&
	for i in 1 2 3 4 5 6 7 8; do
		ln -s "../pkg$i/$(printf "%0${i}0d" 0)/cli.js" "proj/node_modules/.bin/c$i" || return 1
	done &&
	ln -s "$(printf "%01000d" 0)" proj/node_modules/long &&
	printf "%s\n" "$TRASH/proj" > dir &&
	dt-spawn --digest < dir > d1 && dt-spawn --digest < dir > d2 &&
	grep "^digest" d1 && test_cmp d1 d2 &&
	sync_c && ran 1 && sync_c && ran 0 && sync_c && ran 0
'

test_expect_success 'a directory the project lost, that holds only what the node keeps, does not make rsync run' '
	mkdir -p "$CC/gone/__pycache__" "$CC/vendor/bundle" &&
	echo c > "$CC/gone/__pycache__/m.pyc" && echo g > "$CC/vendor/bundle/g" &&
	sync_c "$(printf "set\tkeep\tvendor/bundle/")" &&
	test_line_count = 0 rsync-calls && test_grep "rsync not run" out &&
	test -e "$CC/gone/__pycache__/m.pyc" && test -e "$CC/vendor/bundle/g" &&
	echo x > "$CC/gone/x.py" &&
	sync_c "$(printf "set\tkeep\tvendor/bundle/")" &&
	test_line_count = 1 rsync-calls &&
	! test -e "$CC/gone/x.py" && test -e "$CC/vendor/bundle/g" &&
	rm -r "$CC/gone" && sync_c && ran 1 && ! test -e "$CC/vendor"
'

test_expect_success 'a project without a digest (a FIFO in it) is copied, and the log says why' '
	mkfifo proj/fifo &&
	sync_c && test_line_count = 1 rsync-calls &&
	test_grep "rsync of the whole copy: no digest of the project (fifo: not a file, directory or symbolic link)" out &&
	rm proj/fifo && sync_c && ran 1 && sync_c && ran 0
'

test_expect_success 'each change in the project between two runs is copied' '
	echo tw0 > proj/lib/b.rb && touch -d "2024-01-01 00:00:00" proj/lib/b.rb &&
	sync_c && ran 1 &&
	touch -d "2024-01-01 00:00:00.100" proj/lib/b.rb && sync_c && ran 1 &&
	touch -d "2024-01-01 00:00:00.101" proj/lib/b.rb && sync_c && ran 1 &&
	echo new > proj/lib/new.rb && sync_c && ran 1 &&
	rm proj/lib/new.rb && sync_c && ran 1 &&
	mv proj/lib/deep/a.rb proj/lib/deep/c.rb && sync_c && ran 1 &&
	rm proj/lib/deep/c.rb && mkdir proj/lib/deep/c.rb && sync_c && ran 1 &&
	rmdir proj/lib/deep/c.rb && ln -s ../b.rb proj/lib/deep/c.rb &&
	sync_c && ran 1 &&
	rm proj/link && ln -s lib/deep proj/link && sync_c && ran 1 &&
	chmod 600 proj/lib/b.rb && sync_c && ran 1 &&
	chmod 700 proj/lib && sync_c && ran 1 &&
	sync_c && ran 0
'

test_expect_success 'a hook changed, added or gone is copied; an unchanged one is not' '
	sethook="$(printf "set\tnode_setup\t%s/hook" "$TRASH")" &&
	sync_c "$sethook" && ran 1 && test_cmp hook "$CC/.dt-hooks/node_setup" &&
	sync_c "$sethook" && ran 0 &&
	printf "#!/bin/sh\necho other\n" > hook &&
	sync_c "$sethook" && ran 1 && test_cmp hook "$CC/.dt-hooks/node_setup" &&
	test_grep "rsync of the whole copy: the hooks changed" out &&
	sync_c && ran 1 && ! test -e "$CC/.dt-hooks/node_setup"
'

test_expect_success 'what a run changed in the copy is undone: rsync runs' '
	sync_c && ran 0 &&
	echo made > "$CC/lib/made.rb" && sync_c && ran 1 &&
	echo edit >> "$CC/lib/b.rb" && sync_c && ran 1 &&
	echo tw1 > "$CC/lib/b.rb" && sync_c && ran 1 &&
	rm "$CC/lib/b.rb" && sync_c && ran 1 &&
	chmod 644 "$CC/lib/b.rb" && sync_c && ran 1 &&
	mkdir "$CC/new" && sync_c && ran 1 &&
	mkdir -p "$CC/log" "$CC/tmp" "$CC/lib/__pycache__" &&
	echo l > "$CC/log/x" && echo t > "$CC/tmp/x" &&
	echo p > "$CC/lib/__pycache__/m.pyc" &&
	sync_c && ran 0
'

test_expect_success 'what a keep pattern protects does not make rsync run; excludes are followed' '
	keep="$(printf "set\tkeep\tvendor/bundle/")" &&
	mkdir -p proj/vendor && echo v > proj/vendor/v.rb &&
	sync_c "$keep" && ran 1 &&
	mkdir -p "$CC/vendor/bundle" && echo gem > "$CC/vendor/bundle/g" &&
	sync_c "$keep" && test_line_count = 0 rsync-calls &&
	test_grep "rsync not run" out && test -e "$CC/vendor/bundle/g" &&
	mkdir -p proj/coverage && echo c > proj/coverage/x &&
	ex="$(printf "set\texclude\tcoverage/")" &&
	sync_c "$keep" "$ex" && test_line_count = 1 rsync-calls &&
	! test -e "$CC/coverage" &&
	sync_c "$keep" "$ex" && test_line_count = 0 rsync-calls &&
	echo d > proj/coverage/y && sync_c "$keep" "$ex" &&
	test_line_count = 0 rsync-calls &&
	sync_c "$keep" && test_line_count = 1 rsync-calls &&
	test -e "$CC/coverage/y" &&
	sync_c && test_line_count = 1 rsync-calls &&
	! test -e "$CC/vendor/bundle" && rm -r proj/vendor proj/coverage
'

test_expect_success 'DT_SYNC_ALWAYS=1, or a pattern the walk cannot follow, runs rsync' '
	sync_c && test_line_count = 1 rsync-calls &&
	sync_c && ran 0 &&
	DT_SYNC_ALWAYS=1 sync_c && ran 1 &&
	test_grep "rsync of the whole copy: DT_SYNC_ALWAYS is set" out &&
	ex="$(printf "set\texclude\tlib/**/x.rb")" &&
	sync_c "$ex" && test_line_count = 1 rsync-calls &&
	sync_c "$ex" && test_line_count = 1 rsync-calls
'

# A remote shell that runs the command here, in HOME, as ssh would.
printf '#!/bin/sh\necho "$*" >> "%s/rsh-calls"\nshift\ncd "$HOME" && exec "$@"\n' "$TRASH" > here-rsh
chmod +x here-rsh
SPAWN=$(command -v dt-spawn)
RC=$HOME/wd-r/ihost/iuser/0123abcd/proj

test_expect_success 'a node is asked for its copy'"'"'s digest through its remote shell' '
	{ head_events; ev set spawn "$SPAWN --connect"
	  ev node r1 2 r1 "$TRASH/here-rsh" wd-r; } > in &&
	: > rsync-calls && : > rsh-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls && grep "^synced	r1	" out &&
	test_grep "r1 $SPAWN --connect --digest" rsh-calls &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 0 rsync-calls && grep "^synced	r1	" out &&
	test_grep "rsync not run" out &&
	echo x > "$RC/x" &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls && ! test -e "$RC/x"
'

test_expect_success 'a copy an earlier run made gets rsync of only the directories changed since' '
	sync_c && ran 0 &&
	ls proj/.distributest/sync > kept && test_line_count -ge 1 kept &&
	echo more >> proj/lib/b.rb && sync_c && ran 1 &&
	grep -e --files-from= rsync-calls &&
	grep "rsync of the 1 of [0-9]* directories changed since the copy was made" out &&
	mkdir -p proj/n1/n2 && echo n > proj/n1/n2/f && rm -r proj/venv &&
	sync_c && ran 1 && test_grep "rsync of the 3 of" out &&
	chmod 750 proj && sync_c && ran 1 && test_grep "rsync of the 1 of" out &&
	chmod 755 proj && rm -r proj/n1 && sync_c && ran 1 && sync_c && ran 0
'

test_expect_success 'a manifest gone, damaged or of another tree means rsync of it all; eight are kept' '
	echo a >> proj/lib/b.rb && rm -r proj/.distributest/sync &&
	sync_c && ran 1 && ! grep -- --files-from rsync-calls &&
	test_grep "rsync of the whole copy: no manifest of the copy as it is" out &&
	echo b >> proj/lib/b.rb &&
	for f in proj/.distributest/sync/*; do
		printf "distributest-manifest 1 0123\0" > "$f" || return 1
	done &&
	sync_c && ran 1 && ! grep -- --files-from rsync-calls &&
	echo c >> proj/lib/b.rb &&
	for f in proj/.distributest/sync/*; do
		head -c 60 "$f" > f.part && mv f.part "$f" || return 1
	done &&
	sync_c && ran 1 && ! grep -- --files-from rsync-calls &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "$i" >> proj/lib/b.rb && sync_c && ran 1 &&
		grep -- --files-from rsync-calls || return 1
	done &&
	ls -A proj/.distributest/sync > kept && test_line_count = 8 kept
'

test_expect_success 'hooks a pattern leaves out, or staged under another umask: rsync of it all' '
	sethook="$(printf "set\tnode_setup\t%s/hook" "$TRASH")" &&
	sync_c "$sethook" && test -e "$CC/.dt-hooks/node_setup" &&
	echo t > proj/top.rb &&
	sync_c "$sethook" "$(printf "set\texclude\t.dt-*")" && ran 1 &&
	test_grep "rsync of the whole copy: the hooks are left out" out &&
	! grep -e --files-from= rsync-calls && ! test -e "$CC/.dt-hooks/node_setup" &&
	rm proj/top.rb && sync_c && ran 1 &&
	stat -c %a "$CC/.dt-hooks" > mode && echo 755 > want && test_cmp want mode &&
	(umask 077 && sync_c) && ran 0 &&
	echo u > proj/lib/u.rb && (umask 077 && sync_c "$sethook") && ran 1 &&
	stat -c %a "$CC/.dt-hooks" "$CC/.dt-hooks/node_setup" > mode &&
	printf "755\n755\n" > want && test_cmp want mode &&
	rm proj/lib/u.rb && sync_c && ran 1
'

# An LCG: the next of $r; its low bits repeat soon, so $r is its high ones.
next_r() {
	lcg=$(( (lcg * 1103515245 + 12345) % 2147483648 )) && r=$((lcg >> 12))
}

# The $2'th (modulo) directory (d) or other entry (f) under proj/m, or "".
pick() {
	(cd proj/m && if test "$1" = d; then find . -mindepth 1 -type d
	else find . -mindepth 1 ! -type d; fi | sort) |
	awk -v r="$2" '{ a[NR] = $0 } END { if (NR) print a[r % NR + 1] }'
}

# One change of kind $1 to proj/m (on the node's copy for kind 11).
mutate() {
	f=$(pick f "$r") && d=$(pick d "$r") &&
	case $1 in
	0) test -z "$f" || test -h "proj/m/$f" || echo "$r" >> "proj/m/$f" ;;
	1) test -z "$f" || touch -h -d "2024-01-01 00:00:00.$(printf %09d $((r % 1000000000)))" "proj/m/$f" ;;
	2) mkdir -p "proj/m/${d:-.}/n$r/o" && echo "$r" > "proj/m/${d:-.}/n$r/o/f" ;;
	3) test -z "$d" || rm -rf "proj/m/$d" ;;
	4) test -z "$d" || mv "proj/m/$d" "proj/m/r$r" ;;
	5) test -z "$f" || { rm -f "proj/m/$f" && mkdir "proj/m/$f" && echo i > "proj/m/$f/in"; } ;;
	6) test -z "$d" || { rm -rf "proj/m/$d" && echo "$r" > "proj/m/$d"; } ;;
	7) test -z "$f" || { rm -f "proj/m/$f" && ln -s "t$r" "proj/m/$f"; } ;;
	8) test -z "$d" || chmod $((r % 2 ? 700 : 755)) "proj/m/$d" ;;
	9) test -z "$f" || test -h "proj/m/$f" || chmod $((r % 2 ? 600 : 644)) "proj/m/$f" ;;
	10) echo "$r" > "proj/m/f$r" ;;
	11) test -z "$f" || rm -f "$CC/m/$f" ;;
	esac
}

test_expect_success 'changes of every kind, at random, then rsync of what changed: the copy is the project' '
	mkdir -p proj/m/a/b proj/m/c && echo 1 > proj/m/a/f && echo 2 > proj/m/a/b/g &&
	echo 3 > proj/m/c/h && ln -s a/f proj/m/l && sync_c && ran 1 &&
	lcg=20261203 && rounds=0 && part=0 && whole=0 &&
	while test $rounds -lt 40; do
		next_r && k=$((r % 12)) && mutate $k &&
		next_r && mutate $((r % 11)) &&
		sync_c && same_copy && grep "^synced	local	" out || {
			echo "round $rounds, changes $k and $((r % 11))"; return 1; }
		if grep -q -- --files-from rsync-calls; then part=$((part + 1))
		elif test -s rsync-calls; then whole=$((whole + 1)); fi
		test $k != 11 || ! grep -q -- --files-from rsync-calls || {
			echo "round $rounds: a changed copy got a partial rsync"; return 1; }
		rounds=$((rounds + 1))
	done &&
	echo "$part partial, $whole whole" &&
	test $part -ge 20 && test $whole -ge 1
'

test_expect_success 'through a remote shell too, and the hooks are still the copy'"'"'s' '
	sethook="$(printf "set\tnode_setup\t%s/hook" "$TRASH")" &&
	{ head_events; ev set spawn "$SPAWN --connect"; echo "$sethook"
	  ev node r1 2 r1 "$TRASH/here-rsh" wd-r; } > in &&
	dt-sync -r ./counted-rsync < in > out && grep "^synced	r1	" out &&
	echo more > proj/lib/remote.rb &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	grep -e --files-from= rsync-calls && test_cmp hook "$RC/.dt-hooks/node_setup" &&
	test_grep "rsync of the 1 of" out && diff -r --no-dereference -x .distributest -x .git \
		-x log -x tmp -x .dt-hooks -x __pycache__ proj "$RC" &&
	sync_c && ran 1
'

test_expect_success 'a local node with a spawn command walks its copy in dt-spawn' '
	sync_c && ran 0 &&
	printf "#!/bin/sh\necho \"\$*\" >> \"%s/spawn-calls\"\nexec \"%s\" \"\$@\"\n" \
		"$TRASH" "$SPAWN" > logged-spawn && chmod +x logged-spawn &&
	sync_c "$(printf "set\tspawn\t%s/logged-spawn" "$TRASH")" && ran 0 &&
	test "$(cat spawn-calls)" = --digest &&
	echo x > "$CC/x" &&
	sync_c "$(printf "set\tspawn\t%s/logged-spawn" "$TRASH")" && ran 1
'

test_expect_success 'a node whose dt-spawn has no --digest, or cannot be run, gets rsync' '
	{ head_events; ev set spawn "$SPAWN"; ev node r1 2 r1 "$TRASH/here-rsh" wd-r false; } > in &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls && grep "^synced	r1	" out &&
	grep "^log" out > said &&
	printf "log\tr1\tdt-sync: rsync of the whole copy: the node did not say its copy'"'"'s digest\n" > want &&
	test_cmp want said &&
	{ head_events; ev set spawn "$SPAWN"; ev node r1 2 r1 "$TRASH/here-rsh" wd-r /no/such; } > in &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls && grep "^synced	r1	" out
'

test_expect_success 'a node that cannot be reached for its digest is down, without an rsync to wait for' '
	printf "#!/bin/sh\necho \"ssh: connect to host r1 port 22: Connection refused\" >&2\nexit 255\n" > down-rsh &&
	chmod +x down-rsh &&
	{ head_events; ev set spawn "$SPAWN"; ev node r1 2 r1 "$TRASH/down-rsh -o X=y" wd-r; } > in &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 0 rsync-calls &&
	test_grep "$(printf "log\tr1\tssh: connect to host r1 port 22: Connection refused")" out &&
	test_grep "$(printf "node-down\tr1\tsync\tdown-rsh exited 255: ssh: connect to host r1")" out
'

test_expect_success 'a remote shell that ends 255 after the node answered: rsync runs and has its say' '
	printf "#!/bin/sh\nprintf \"none\\\\tx\\\\n\"\nexit 255\n" > late-rsh &&
	chmod +x late-rsh && ./late-rsh | grep "^none	x$" &&
	{ head_events; ev set spawn "$SPAWN"; ev node r1 2 r1 "$TRASH/late-rsh" wd-r; } > in &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls && ! grep "late-rsh exited" out
'

test_expect_success 'the reason a node gives for having no digest is logged whole, tabs and all' '
	printf "#!/bin/sh\ncase \"\$*\" in *--digest*) printf \"none\\\\tno\\\\tcopy\\\\n\"; exit 0 ;; esac\nshift\ncd \"\$HOME\" && exec \"\$@\"\n" > tab-rsh &&
	chmod +x tab-rsh && ./tab-rsh r1 --digest | grep "^none	no	copy$" &&
	{ head_events; ev set spawn "$SPAWN"; ev node r1 2 r1 "$TRASH/tab-rsh" wd-r; } > in &&
	: > rsync-calls && dt-sync -r ./counted-rsync < in > out &&
	test_line_count = 1 rsync-calls &&
	test_grep "$(printf "log\tr1\tdt-sync: rsync of the whole copy: no digest of the copy (no\\\\tcopy)")" out
'

# Each pattern, against rsync itself: after rsync copied the project with
# the pattern as an exclude, the digests agree and rsync does not run
# again; so after rsync copied a project without what the pattern matches
# to a node that has it all, with the pattern as a keep.
pt_sync() {
	{ ev hello distributest-events 2 test; ev set project "$TRASH/$3"
	  ev set name pt-0123abcd; ev set initiator ihost; ev set user iuser
	  ev set "$1" "$2"; ev set spawn "$SPAWN"; ev node local 1 local ssh wd-pt; } |
	dt-sync > out && grep "^synced	local" out
}
PT=$HOME/wd-pt/ihost/iuser/0123abcd/pt

test_expect_success 'the walk follows each pattern as rsync does' '
	mkdir -p pt/a/b/c pt/b/c pt/lib/deep pt/coverage/x pt/node_modules/m \
		pt/x/.hidden pt/log2 &&
	for f in a/b/c/f b/c/g a/b/z.pyc .x.pyc lib/xa lib/deep/y.log coverage/x/i \
		node_modules/m/i.js x/.hidden/h axb a/xb log2/og tog coverage.txt deep; do
		echo "$f" > "pt/$f" || return 1
	done &&
	# No directory is left empty by a pattern but a matched one: a
	# directory the node fills with kept files only is not in its digest.
	for d in $(cd pt && find . -type d); do echo k > "pt/$d/k" || return 1; done &&
	for pat in coverage/ /coverage coverage "*.log" b/c /b/c a/*/c "*/c" "?og" \
		node_modules/ a*b .hidden/ "*.pyc" deep/ deep "/lib/x*" "x/.h*"; do
		rm -rf "$HOME/wd-pt" pt2 &&
		pt_sync exclude "$pat" pt && ! grep "rsync not run" out &&
		pt_sync exclude "$pat" pt && grep "rsync not run" out &&
		rsync -a --filter="-s $pat" pt/ pt2/ &&
		rsync -a --delete pt/ "$PT/" && echo m > "$PT/made" &&
		pt_sync keep "$pat" pt2 && ! grep "rsync not run" out &&
		! test -e "$PT/made" &&
		pt_sync keep "$pat" pt2 && grep "rsync not run" out ||
		{ echo "pattern $pat"; return 1; }
	done
'

test_expect_success 'a failing rsync takes the node out with its reason' '
	printf "#!/bin/sh\necho rsync: connection refused >&2\nexit 12\n" > fake-rsync &&
	chmod +x fake-rsync &&
	{ head_events; ev node n1 2 local ssh fresh-1; } |
	dt-sync -r ./fake-rsync > out &&
	test_grep "$(printf "log\tn1\trsync: connection refused")" out &&
	test_grep "$(printf "node-down\tn1\tsync\trsync exited 12: rsync: connection refused")" out
'

test_expect_success 'a remote shell that fails: its own words, not rsync'"'"'s closing ones, in node-down' '
	printf "#!/bin/sh\necho \"ssh: connect to host n1 port 22: Connection refused\" >&2\necho \"rsync: connection unexpectedly closed (0 bytes received so far) [sender]\" >&2\necho \"rsync error: unexplained error (code 255) at io.c(232) [sender=3.2.7]\" >&2\nexit 255\n" > fake-ssh-rsync &&
	chmod +x fake-ssh-rsync &&
	{ head_events; ev node n1 2 n1 ssh .cache/distributest; } |
	dt-sync -r ./fake-ssh-rsync > out &&
	test_grep "$(printf "log\tn1\trsync error: unexplained error")" out &&
	test_grep "$(printf "node-down\tn1\tsync\trsync exited 255: ssh: connect to host n1 port 22: Connection refused")" out
'

test_expect_success 'a missing rsync is a node-down, not a crash' '
	{ head_events; ev node n1 2 local ssh fresh-2; } |
	dt-sync -r ./no-such-rsync > out &&
	test_grep "$(printf "node-down\tn1\tsync\tcannot run ./no-such-rsync")" out
'

# Each copy ends only once all six have started: one at a time, they fail.
test_expect_success 'nodes sync in parallel' '
	cat > slow-rsync <<-EOF &&
	#!/bin/sh
	echo x >> "$TRASH/starts"
	i=0
	while [ \$(wc -l < "$TRASH/starts") -lt 6 ] && [ \$i -lt 600 ]; do
		sleep 0.1; i=\$((i + 1))
	done
	[ \$(wc -l < "$TRASH/starts") -ge 6 ]
	EOF
	chmod +x slow-rsync && : > starts &&
	{ head_events; for i in 1 2 3 4 5 6; do ev node n$i 1 local ssh wd; done; } > in &&
	dt-sync -r ./slow-rsync < in > out &&
	grep "^synced" out > synced &&
	test_line_count = 6 synced
'

test_expect_success 'a node before the project settings is a data error' '
	ev node n1 1 local ssh wd | test_expect_code 101 dt-sync > /dev/null 2> err &&
	test_grep "stdin line 1: node before the project" err
'

test_expect_success 'a malformed line is an error naming its line' '
	{ head_events; printf "set\tx\tbad\\\\z\n"; } | test_expect_code 101 dt-sync > /dev/null 2> err &&
	test_grep "stdin line 6: unknown escape" err
'

test_done
