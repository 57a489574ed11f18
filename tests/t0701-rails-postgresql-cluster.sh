#!/bin/sh
test_description='a Rails application across two nodes, each with a PostgreSQL server of its own: a template per node, a database per runner'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/cluster.sh"

. "$TEST_DIRECTORY/db-lib.sh"

RECIPE=$SRCDIR/etc/distributest/setup.postgresql

db_need_postgresql
db_need_rails pg

chmod 0711 "$TRASH"
# Each node's server lives in the node's network: stopped before the
# cluster goes, which would kill it anyway.
stop_servers() {
	for i in 1 2; do
		[ -e "$TRASH/pg$i/kind" ] && node_exec "$i" "$DBSERVER" stop "$TRASH/pg$i"
	done
	"$DBSERVER" stop "$TRASH/pg0"
}
trap 'stop_servers; pkill -KILL -f "$MARK" 2> /dev/null; cluster_down; test_cleanup' EXIT

# Psql on node $1, to its own server.
q_on() {
	on=$1
	shift
	node_exec "$on" env PGHOST=127.0.0.1 PGPORT=54320 PGUSER=dt psql -X -A -t -v ON_ERROR_STOP=1 "$@"
}

templates_on() {
	q_on "$1" -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '%\_tpl\_%'"
}

runner_databases_on() {
	q_on "$1" -d postgres -c "SELECT datname || ' ' || shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE 'dt\_%' ORDER BY 1"
}

# The template and the runner databases made from it (a runner stopped
# by the end of the run before it commented its database has none).
oids_on() {
	q_on "$1" -d postgres -c "SELECT datname, oid FROM pg_database WHERE datname LIKE '%\_tpl\_%' OR shobj_description(oid, 'pg_database') LIKE '%\_tpl\_%' ORDER BY 1"
}

# A table in the maintenance database of node $1's server, naming it.
mark_server() {
	q_on "$1" -d postgres -c "CREATE TABLE here (node text); INSERT INTO here VALUES ('$2')"
}

# Each runner's rows are in its own database on its own node: the files
# the log says it ran are those that wrote to that database.
node_files() {
	q_on "${1#node}" -d "$3" -c "SELECT DISTINCT file FROM spec_runs ORDER BY 1"
}

test_expect_success 'setup: two nodes, each with its server on 127.0.0.1 in its own network, and a serial run here' '
	cluster_up 2 &&
	for i in 1 2; do
		node_exec $i "$DBSERVER" start postgresql "$TRASH/pg$i" 54320 127.0.0.1 || return 1
	done &&
	mark_server 1 one &&
	mark_server 2 two &&
	test "$(q_on 1 -d postgres -c "SELECT node FROM here")" = one &&
	test "$(q_on 2 -d postgres -c "SELECT node FROM here")" = two &&
	"$DBSERVER" start postgresql "$TRASH/pg0" 54320 > pg0.env &&
	copy_example shop "$RECIPE" &&
	(
		cd shop &&
		for i in 1 2; do
			printf "[node node%s]\nrunners = 2\nrsh = %s\nspawn = %s/dt-spawn --connect\n" \
				"$i" "$DT_SSH" "$LIBEXEC" >> .distributest/config || return 1
		done &&
		. ../pg0.env && export PGHOST PGPORT PGUSER &&
		RAILS_ENV=test bin/rails db:create db:schema:load > ../prep.out 2>&1 &&
		{ bundle exec rspec > ../serial.out 2>&1; test $? = 1; } &&
		find spec -name "*_spec.rb" | sort > ../serial-files
	) &&
	totals serial.out > serial-totals &&
	test_grep "examples, 2 failures, 1 pending" serial-totals
'

test_expect_success 'the run across both nodes gives the serial totals' '
	(cd shop && PGHOST=127.0.0.1 PGPORT=54320 PGUSER=dt distributest > ../run.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-totals) in" run.out &&
	! grep "is out" run.out
'

# dt-prep gives node_setup no variables of the env key (dt-feed gives
# them to the runners): on a node reached by ssh the recipe finds no
# server, and its first runner makes the template instead.
test_expect_success 'node_setup on a node gets the env settings and makes the template itself' '
	! grep "no server for node_setup" shop/.distributest/log
'

test_expect_success 'each node made its template and its runners'"'"' databases in its own server' '
	for i in 1 2; do
		templates_on $i > tpl$i &&
		test_line_count = 1 tpl$i &&
		runner_databases_on $i > dbs$i &&
		test_line_count -ge 1 dbs$i &&
		grep "^dt_[a-z0-9_]*_node${i}_[12] $(cat tpl$i)\$" dbs$i > mine &&
		test_cmp dbs$i mine || return 1
	done &&
	! cmp -s tpl1 tpl2
'

test_expect_success 'each runner'"'"'s rows are in its own database on its own node' '
	mkdir rows && (
		cd rows &&
		rows_in_own_databases ../shop/.distributest/log node_files &&
		test_line_count -ge 2 ids &&
		test_cmp ../serial-files ran
	)
'

test_expect_success 'a second run reuses each node'"'"'s template and databases' '
	for i in 1 2; do
		oids_on $i > oids$i &&
		test_line_count -ge 2 oids$i || return 1
	done &&
	(cd shop && PGHOST=127.0.0.1 PGPORT=54320 PGUSER=dt distributest > ../run2.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-totals) in" run2.out &&
	for i in 1 2; do
		oids_on $i > again$i &&
		while read -r line; do
			grep -qx "$line" again$i || return 1
		done < oids$i || return 1
	done
'

test_done
