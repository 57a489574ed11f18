#!/bin/sh
test_description='preload, pytest: the runners of a node are forked from one template that imported pytest and its plugins, and each is still its own runner'
. "$(dirname "$0")/test-lib.sh"

# Each test writes one line to $SEEN: the runner, who its parent is (the
# template, an adapter-pytest process, or dt-spawn), whether it leads its
# own process group or is in the group of a dt-spawn (the runner's
# process), and facts of its environment, tree and descriptors.
make_project() {
	mkdir -p "$1/tests" "$1/.distributest" &&
	printf "[run]\nframework = pytest\nenv = SEEN\n" > "$1/.distributest/config" &&
	cat > "$1/tests/seen.py" <<-\EOF &&
	import os
	import re
	import sys


	def comm(pid):
	    try:
	        with open("/proc/%d/comm" % pid) as f:
	            return f.read().strip()
	    except OSError:
	        return "gone"


	def seen(extra=None):
	    with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
	        argv = f.read().split(b"\0")
	    parent = "template" if any(w.endswith(b"/adapter-pytest") for w in argv) else comm(os.getppid())
	    group = "own-group" if os.getpgrp() == os.getpid() else "group-of-" + comm(os.getpgrp())
	    n = os.environ["DT_RUNNER"]
	    here = os.getcwd()
	    copy = re.sub(r"\.runners/[^/]+/[^/]+$", "", here)
	    facts = {
	        "tenv": os.environ.get("TEST_ENV_NUMBER") == ("" if n == "1" else n),
	        "id": os.environ.get("DT_RUNNER_ID", "").endswith("_" + n),
	        "tmp": os.environ.get("TMPDIR", "").endswith("_" + n),
	        "tree": (".runners/%s/" % n) in os.getcwd() + "/",
	        "nofd": "DT_PRELOAD_FD" not in os.environ,
	        "stdin": os.readlink("/proc/self/fd/0") == "/dev/null",
	        "nice": os.getpriority(os.PRIO_PROCESS, 0) == os.getpriority(os.PRIO_PGRP, os.getpgrp()),
	        "path": not any(copy != here and (p == copy or p.startswith(copy + "/")) for p in sys.path),
	    }
	    bad = [k for k, ok in facts.items() if not ok]
	    line = " ".join(x for x in [n, parent, group, "bad:" + ",".join(bad) if bad else "env-ok", extra] if x)
	    with open(os.environ["SEEN"], "a") as f:
	        f.write(line + "\n")
	EOF
	for i in 1 2 3 4 5 6; do
		printf "import time\nfrom seen import seen\n\n\ndef test_s%d():\n    seen()\n    time.sleep(0.2)\n" "$i" > "$1/tests/test_s$i.py" || return 1
	done
}

SEEN=$TRASH/seen
export SEEN
printf "[run]\npreload = no\n" > cold.conf

test_expect_success PYTEST 'by default, every runner is a child of the template, in the group of its own runner process' '
	make_project p &&
	: > seen &&
	(cd p && distributest -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	test_line_count = 6 seen &&
	test_seen_all "template group-of-dt-spawn env-ok" &&
	! grep "not preloaded" p/.distributest/log &&
	test_said_once p/.distributest/log "adapter-pytest: python "
'

test_expect_success PYTEST 'preload = no: each runner is the adapter dt-spawn executed, leading its group' '
	: > seen &&
	(cd p && distributest -c "$TRASH/cold.conf" -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	test_seen_all "dt-spawn own-group env-ok"
'

test_expect_success PYTEST 'the template boots beside node_setup, held until it is done, and the runners are its children' '
	cp -R p h && rm -rf h/.distributest/log* &&
	printf "[run]\nframework = pytest\nenv = SEEN HELD\n" > h/.distributest/config &&
	test_held_hook h/.distributest/node_setup adapter-pytest &&
	: > seen && rm -f held &&
	(cd h && HELD=$TRASH/held distributest -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	echo held > want && test_cmp want held &&
	test_seen_all "template group-of-dt-spawn env-ok"
'

test_expect_success PYTEST 'the project'"'"'s own Python in the copy: no template, and the log says why' '
	cp -R p v && rm -f v/.distributest/log* &&
	/usr/bin/python3 -m venv --system-site-packages --without-pip v/.venv &&
	: > seen &&
	(cd v && distributest -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	test_seen_all "dt-spawn own-group env-ok" &&
	test_grep "adapter-pytest: not preloaded, each runner boots on its own: python " v/.distributest/log
'

# A plugin that pytest loads by its entry point, from PYTHONPATH, and
# whose asserts it rewrites: imported before pytest installs its rewriter,
# it would not be, and -W error makes pytest's warning about that fatal.
test_expect_success PYTEST 'a plugin of an entry point is still rewritten in each runner: no warning, under filterwarnings = error' '
	mkdir -p plug/myplug-1.0.dist-info &&
	printf "Metadata-Version: 2.1\nName: myplug\nVersion: 1.0\n" > plug/myplug-1.0.dist-info/METADATA &&
	printf "[pytest11]\nmyplug = myplug\n" > plug/myplug-1.0.dist-info/entry_points.txt &&
	printf "import pytest\n\n\n@pytest.fixture\ndef plugged():\n    return 1\n" > plug/myplug.py &&
	cp -R p w && rm -f w/.distributest/log* &&
	printf "[run]\nframework = pytest\nenv = SEEN PYTHONPATH\n" > w/.distributest/config &&
	printf "[pytest]\nfilterwarnings = error\n" > w/pytest.ini &&
	printf "def test_plugged(plugged):\n    assert plugged == 1\n" > w/tests/test_plugged.py &&
	: > seen &&
	(cd w && PYTHONPATH=$TRASH/plug distributest -j 3) > out &&
	test_grep "7 files, 7 passed" out &&
	! grep -e "already imported" -e "not preloaded" w/.distributest/log &&
	test_seen_all "template group-of-dt-spawn env-ok"
'

# Writes test file $1, which does $3 (Python) the first time it runs,
# marking that in $TRASH/$2, and is seen every other time.
once() {
	cat > "$1" <<-EOF
	import os
	import signal
	from seen import seen


	def test_once():
	    if not os.path.exists("$TRASH/$2"):
	        open("$TRASH/$2", "w").close()
	        $3
	    seen()
	EOF
}

test_expect_success PYTEST 'a runner killed by a signal, or exiting, is down with that status; its file runs again' '
	cp -R p k && rm -f k/.distributest/log* &&
	once k/tests/test_s1.py killed "os.kill(os.getpid(), signal.SIGKILL)" &&
	once k/tests/test_s2.py exited "os._exit(7)" &&
	: > seen &&
	(cd k && distributest -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	grep "	requeue	local	[0-9]	tests/test_s1.py	adapter killed by signal 9 (Killed)$" k/.distributest/log &&
	grep "	requeue	local	[0-9]	tests/test_s2.py	adapter exited 7$" k/.distributest/log
'

test_expect_success PYTEST 'the template killed under its runners: they go down, saying so, and their replacements boot on their own' '
	cp -R p t && rm -f t/.distributest/log* &&
	once t/tests/test_s1.py template "os.kill(os.getppid(), signal.SIGKILL); import time; time.sleep(30)" &&
	: > seen &&
	(cd t && distributest -j 3) > out &&
	test_grep "6 files, 6 passed" out &&
	grep "	runner-down	local	[0-9]	the node'"'"'s preloaded template ended	replacing$" t/.distributest/log &&
	grep "^[0-9] dt-spawn own-group env-ok" seen > late &&
	test_line_count -ge 1 late
'

test_expect_success PYTEST 'the run interrupted: the template and the runners are gone' '
	cp -R p d && rm -f d/.distributest/log* &&
	cat > d/tests/test_s1.py <<-EOF &&
	import os
	import time


	def test_waits():
	    leader = os.getpgrp()
	    with open("/proc/%d/stat" % leader) as f:
	        spawn = f.read().rsplit(")", 1)[1].split()[1]
	    with open("$TRASH/pids.tmp", "w") as f:
	        f.write("%d %d %d %s\n" % (os.getpid(), os.getppid(), leader, spawn))
	    os.rename("$TRASH/pids.tmp", "$TRASH/pids")
	    time.sleep(120)
	EOF
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

test_expect_success PYTEST 'pytest-mixed: the same totals with and without preload' '
	cp -R "$SRCDIR/examples/pytest-mixed" mixed &&
	mkdir -p mixed/.distributest &&
	printf "[run]\nframework = pytest\n" > mixed/.distributest/config &&
	(cd mixed && test_expect_code 1 distributest -j 3) > warm.out &&
	(cd mixed && test_expect_code 1 distributest -c "$TRASH/cold.conf" -j 3) > cold.out &&
	grep "^[0-9]* files, " warm.out | sed "s/ in .*//" > warm &&
	grep "^[0-9]* files, " cold.out | sed "s/ in .*//" > cold &&
	test_line_count = 1 warm &&
	test_cmp cold warm &&
	! grep "not preloaded" mixed/.distributest/log
'

test_done
