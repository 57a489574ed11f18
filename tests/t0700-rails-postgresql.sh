#!/bin/sh
test_description='a Rails application on PostgreSQL: a database per runner, cloned from a template made once per node'
. "$(dirname "$0")/test-lib.sh"

. "$TEST_DIRECTORY/db-lib.sh"

RECIPE=$SRCDIR/etc/distributest/setup.postgresql

db_need_postgresql
db_need_rails pg
db_server pg

# Each runner's rows are in its own database, and only there: the files
# the log says runner N ran are the files that wrote to runner N's
# database (pg_files, for rows_in_own_databases), named as the runner's
# id (pg_names).
pg_files() {
	q -d "$3" -c "SELECT DISTINCT file FROM spec_runs ORDER BY 1"
}

pg_names() {
	q -d "$3" -c "SELECT DISTINCT database_name || ' ' || runner FROM spec_runs" > "names-$1-$2" &&
	if test -s "ran-$1-$2"; then echo "$3 $3"; fi > "id-$1-$2" &&
	test_cmp "id-$1-$2" "names-$1-$2"
}

# The runners that ran files, by the log.
runners_used() {
	awk -F"	" '$2 == "done" { print $4 }' "$1" | sort -u
}

# The runner databases, each with its comment: the template it came from.
runner_databases() {
	q -d postgres -c "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE 'dt\_%' ORDER BY 1"
}

has_column() {
	q -d "$1" -c "SELECT count(*) FROM information_schema.columns WHERE table_name = '$2' AND column_name = '$3'"
}

test_expect_success 'setup: a PostgreSQL server of our own, and the suite run serially' '
	"$DBSERVER" start postgresql "$TRASH/pg" 54320 > pg.env &&
	cat pg.env &&
	copy_example shop "$RECIPE" &&
	(
		. ./pg.env && export PGHOST PGPORT PGUSER &&
		cd shop &&
		RAILS_ENV=test bin/rails db:create db:schema:load > ../prep.out 2>&1 &&
		{ bundle exec rspec > ../serial.out 2>&1; test $? = 1; } &&
		{ rspec > ../plain.out 2>&1; test $? = 1; } &&
		find spec -name "*_spec.rb" | sort > ../serial-files
	) &&
	totals serial.out > serial-totals &&
	totals plain.out > plain-totals &&
	test_cmp serial-totals plain-totals &&
	test_grep "examples, 2 failures, 1 pending" serial-totals &&
	test_line_count -ge 30 serial-files
'

. ./pg.env && export PGHOST PGPORT PGUSER

test_expect_success 'a cold run: one template, 4 runner databases cloned from it, the serial totals' '
	(cd shop && distributest -j 4 > ../cold.out 2>&1; test $? = 1) &&
	echo "$(wc -l < serial-files) files, $(cat serial-totals) in" > want &&
	test_grep "$(cat want)" cold.out &&
	templates > tpl &&
	test_line_count = 1 tpl &&
	runner_databases > runners &&
	test_line_count = 4 runners &&
	for n in 1 2 3 4; do
		grep "^dt_[a-z0-9_]*_local_$n|$(cat tpl)\$" runners || return 1
	done &&
	test_must_fail q -d "$(cat tpl)" -c "SELECT 1" 2> err &&
	test_grep "is not currently accepting connections" err
'

test_expect_success 'each runner wrote its rows in its own database' '
	mkdir rows1 && (cd rows1 && rows_in_own_databases ../shop/.distributest/log pg_files pg_names)
'

test_expect_success 'a warm run reuses the template and the runner databases, emptied' '
	cp tpl tpl.before &&
	for id in $(cut -d"|" -f1 runners); do
		echo "$id $(oid $id)" >> oids.before || return 1
	done &&
	echo "$(cat tpl) $(oid $(cat tpl))" >> oids.before &&
	(cd shop && distributest -j 4 > ../warm.out 2>&1; test $? = 1) &&
	test_grep "$(cat want)" warm.out &&
	templates > tpl &&
	test_cmp tpl.before tpl &&
	for id in $(cut -d" " -f1 oids.before); do
		echo "$id $(oid $id)" >> oids.after || return 1
	done &&
	test_cmp oids.before oids.after &&
	mkdir rows2 && (cd rows2 && rows_in_own_databases ../shop/.distributest/log pg_files pg_names) &&
	for id in $(cut -d"|" -f1 runners); do
		q -d $id -c "SELECT count(*) FROM products" || return 1
	done > counts &&
	printf "0\n0\n0\n0\n" > zeros &&
	test_cmp zeros counts
'

test_expect_success 'a changed schema gives a new template, drops the old one, and makes the runner databases again' '
	add_color shop &&
	test_grep "t.string \"color\"" shop/db/schema.rb &&
	(cd shop && distributest -j 4 > ../changed.out 2>&1; test $? = 1) &&
	test_grep "$(cat want)" changed.out &&
	templates > tpl &&
	test_line_count = 1 tpl &&
	! cmp -s tpl.before tpl &&
	runner_databases > runners.after &&
	sed "s/|.*/|$(cat tpl)/" runners > want-runners &&
	test_cmp want-runners runners.after &&
	for id in $(cut -d"|" -f1 runners); do
		test "$(oid $id)" != "$(grep "^$id " oids.before | cut -d" " -f2)" &&
		test "$(has_column $id products color)" = 1 || return 1
	done
'

# A runner whose database cannot be made: it takes no connections, so it
# is to be made again, and it is marked as a template, which PostgreSQL
# refuses to drop.
test_expect_success 'a runner whose database cannot be prepared is out, the others go on' '
	id2=$(cut -d"|" -f1 runners | grep "_local_2\$") &&
	q -d postgres -c "ALTER DATABASE $id2 WITH IS_TEMPLATE true ALLOW_CONNECTIONS false" &&
	(cd shop && distributest -j 4 > ../broken.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-totals) in" broken.out &&
	test_grep "runner local/2 is out" broken.out &&
	runners_used shop/.distributest/log > used &&
	! grep -x 2 used &&
	grep "	out	local	2	.*cannot drop a template database" shop/.distributest/log
'

test_expect_success 'the runner that is out is reported with the database'"'"'s own message' '
	test_grep "cannot drop a template database" broken.out
'

# How many of the other three are up before the files are done depends
# on the machine; runner 2, never up, is not one of them.
test_expect_success 'the summary counts the runners that came up, not the one that never did' '
	n=$(grep -c "	runner-up	local	" shop/.distributest/log) &&
	! grep "	runner-up	local	2	" shop/.distributest/log &&
	test_grep "on $n runner" broken.out
'

test_expect_success 'the serial database was never touched by the runs' '
	q -d shop_test -c "SELECT DISTINCT runner IS NULL FROM spec_runs" > serial-runners &&
	echo t > want-none &&
	test_cmp want-none serial-runners
'

test_done
