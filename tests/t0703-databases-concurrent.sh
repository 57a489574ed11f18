#!/bin/sh
test_description='databases per runner: concurrent runs never share one, and many runs do not pile them up'
. "$(dirname "$0")/test-lib.sh"

. "$TEST_DIRECTORY/db-lib.sh"

RECIPE=$SRCDIR/etc/distributest/setup.postgresql

db_need_postgresql
test_have_prereq ROOT && command -v unshare > /dev/null 2>&1 && test_set_prereq UNSHARE

db_server pg

# A project whose schema is a lone db/structure.sql (the recipe loads it
# with psql) and whose tests write to the runner's database.  Each file
# says which run it is (RUN), checks that no other run's rows are there,
# and the first files of each run wait, up to 120 s, until every run of
# the test ($WAIT_FOR) has begun, so that the runs overlap (they prove
# their point without it too: the databases' names are what differ).
make_ledger() {
	mkdir -p "$1/t" "$1/db" "$1/.distributest" &&
	cat > "$1/.distributest/config" <<-EOF &&
	[run]
	framework = command
	command = sh {}
	tests = t/*.t
	env = RUN WAIT_FOR BARRIER PGHOST PGPORT PGUSER
	EOF
	db_hooks "$1" "$RECIPE" &&
	cat > "$1/db/structure.sql" <<-\EOF &&
	CREATE TABLE entries (id serial PRIMARY KEY, run text NOT NULL, file text NOT NULL, db text NOT NULL);
	EOF
	for i in 1 2 3 4 5 6; do
		cat > "$1/t/f$i.t" <<-\EOF || return 1
		set -e
		q() { psql -X -A -t -v ON_ERROR_STOP=1 -d "$DT_RUNNER_ID" "$@"; }
		q -c "INSERT INTO entries (run, file, db) VALUES ('$RUN', '$0', current_database())"
		if [ -n "${BARRIER:-}" ]; then
			touch "$BARRIER/$RUN"
			end=$(($(date +%s) + 120))
			while [ "$(ls "$BARRIER" | wc -l)" -lt "$WAIT_FOR" ] && [ "$(date +%s)" -lt "$end" ]; do
				sleep 0.1
			done
		fi
		test "$(q -c "SELECT count(*) FROM entries WHERE run <> '$RUN'")" = 0
		test "$(q -c "SELECT count(*) FROM entries WHERE file = '$0'")" = 1
		EOF
	done
}

# The databases of the log's runners, as node/runner id.
runner_ids() {
	awk -F"	" '$2 == "runner-up" { print $5 }' "$1" | sort -u
}

count_databases() {
	q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')"
}

test_expect_success 'setup: a server, two projects, and a second copy of the first for another initiator' '
	"$DBSERVER" start postgresql "$TRASH/pg" 54321 > pg.env &&
	make_ledger ledger &&
	make_ledger ledger2 &&
	make_ledger other &&
	mkdir barrier
'

. ./pg.env && export PGHOST PGPORT PGUSER

# Another initiator, another machine as it were: its own host name, and
# its own project at the same path, bind-mounted over ours.
other_initiator() {
	unshare --uts --mount --propagation private sh -c '
		hostname otherhost && mount --bind "$1" "$2" && cd "$2" && shift 2 && exec distributest "$@"
	' sh "$TRASH/other" "$TRASH/ledger" "$@"
}

test_expect_success UNSHARE 'two initiators, two projects, one project twice: at once, each run in databases of its own' '
	BARRIER=$TRASH/barrier WAIT_FOR=4 &&
	export BARRIER WAIT_FOR
	(cd ledger && RUN=a distributest -j 2 > ../a.out 2>&1; echo $? > ../a.rc) &
	(cd ledger && RUN=b distributest -j 2 > ../b.out 2>&1; echo $? > ../b.rc) &
	(cd ledger2 && RUN=c distributest -j 2 > ../c.out 2>&1; echo $? > ../c.rc) &
	(RUN=d other_initiator -j 2 > d.out 2>&1; echo $? > d.rc) &
	wait
	for r in a b c d; do
		cat $r.out
		test "$(cat $r.rc)" = 0 &&
		test_grep "6 files, 6 examples, 0 failures" $r.out || return 1
	done &&
	ls barrier > began &&
	printf "a\nb\nc\nd\n" > want-began &&
	test_cmp want-began began &&
	test_grep "otherhost" other/.distributest/log &&
	for log in ledger/.distributest/log ledger/.distributest/log-1 ledger2/.distributest/log other/.distributest/log; do
		runner_ids $log > ids &&
		test_line_count -ge 1 ids &&
		cat ids >> all-ids || return 1
	done &&
	sort all-ids > sorted && sort -u all-ids > distinct &&
	test_cmp sorted distinct &&
	for id in $(cat distinct); do
		q -d $id -c "SELECT DISTINCT run FROM entries" > runs &&
		test_line_count = 1 runs || return 1
	done
'

test_expect_success 'the templates: one per project copy, never shared' '
	templates > templates &&
	cat templates &&
	if test_have_prereq UNSHARE; then n=4; else n=0; fi &&
	test_line_count = $n templates
'

# At most a template per copy, and a database per runner of each copy:
# for ledger 3 runners at most, for the others 2.
test_expect_success 'many runs, schema changes and varying runners: the databases stay bounded' '
	unset BARRIER WAIT_FOR &&
	templates > templates-before &&
	{ (cd ledger && RUN=e distributest -j 3 > ../e.out 2>&1) ||
	  { tail -n 40 e.out ledger/.distributest/log; false; }; } &&
	for i in 1 2 3 4 5 6 7 8; do
		case $i in
		3|6) echo "CREATE TABLE more$i (id int);" >> ledger/db/structure.sql ;;
		esac &&
		j=$((i % 3 + 1)) &&
		{ (cd ledger && RUN=e$i distributest -j $j > ../e$i.out 2>&1) ||
		  { tail -n 40 e$i.out ledger/.distributest/log; false; }; } &&
		test_grep "6 files, 6 examples, 0 failures" e$i.out &&
		count_databases >> counts &&
		templates | grep -c . >> template-counts || return 1
	done &&
	cat counts &&
	if test_have_prereq UNSHARE; then
		templates_max=4 most=$((4 + 3 + 2 + 2 + 2))
	else
		templates_max=1 most=$((1 + 3))
	fi &&
	for n in $(cat counts); do
		test "$n" -le "$most" || return 1
	done &&
	for n in $(cat template-counts); do
		test "$n" = "$templates_max" || return 1
	done &&
	templates > templates-after &&
	comm -13 templates-before templates-after > mine &&
	test_line_count = 1 mine &&
	comm -23 templates-before templates-after > gone &&
	test_line_count -le 1 gone
'

test_expect_success 'a template build cut short is dropped by the next build' '
	tpl=$(cat mine) &&
	test -n "$tpl" &&
	q -d postgres -c "CREATE DATABASE ${tpl}_n1" &&
	echo "CREATE TABLE more9 (id int);" >> ledger/db/structure.sql &&
	(cd ledger && RUN=f distributest -j 2 > ../f.out 2>&1) &&
	test_grep "6 files, 6 examples, 0 failures" f.out &&
	templates > left &&
	comm -13 templates-after left > new &&
	test_line_count = 1 new &&
	comm -23 templates-after left > gone &&
	test_cmp mine gone &&
	! grep "_n1\$" left
'

test_done
