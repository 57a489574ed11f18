#!/bin/sh
# What preparing a database per runner costs, for 8 runners of the
# example Rails application (examples/rails-shop) on a PostgreSQL server
# of its own, side by side, the two ways taking turns:
#
#   template  etc/distributest/setup.postgresql as distributest runs it:
#             node_setup once (the schema loaded once into a template),
#             then runner_setup ID for the 8 runners at once (CREATE
#             DATABASE ... TEMPLATE, or the database of the run before,
#             emptied)
#   per-runner  what `rake parallel:setup` does: for each of the 8
#             workers at once, `rake db:setup` with its TEST_ENV_NUMBER
#             (create the database, load db/schema.rb), each booting Rails
#
# cold: no database there (a fresh server, or a changed schema); warm:
# the databases of a run before are there, and the tests left rows in
# them.  Reported: the median wall time of DBPREP_REPS rounds (default 3)
# of each, and per-runner / template.  About 2 minutes on 2 cores.
# Environment: DBPREP_REPS, DBPREP_RUNNERS (default 8).
set -eu
top=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
REPS=${DBPREP_REPS:-3}
RUNNERS=${DBPREP_RUNNERS:-8}
recipe=$top/etc/distributest/setup.postgresql
dbserver=$top/examples/rails-shop/script/dbserver

command -v psql > /dev/null 2>&1 || {
	echo "dbprep: no psql: install postgresql" >&2
	exit 1
}
work=$(mktemp -d "${TMPDIR:-/tmp}/dt-dbprep.XXXXXX")
[ "$(id -u)" = 0 ] && chmod 0711 "$work"
trap '"$dbserver" stop "$work/pg" > /dev/null 2>&1; rm -rf "$work"' EXIT
eval "$("$dbserver" start postgresql "$work/pg" 54329)"
export PGHOST PGPORT PGUSER

cp -R "$top/examples/rails-shop" "$work/shop"
cd "$work/shop"
rm -rf .distributest Gemfile.lock db/*.sqlite3 log tmp
bundle exec ruby -e 1 > /dev/null 2>&1 || true

now() {
	date +%s.%N
}

q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres "$@"
}

drop_all() {
	for db in $(q -c "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')"); do
		q -c "ALTER DATABASE \"$db\" WITH IS_TEMPLATE false" -c "DROP DATABASE \"$db\" WITH (FORCE)"
	done
}

# Rows left by the tests in every database the way $1 made.
dirty() {
	for db in $(q -c "SELECT datname FROM pg_database WHERE datname LIKE '$1%'"); do
		psql -X -q -d "$db" -c "INSERT INTO customers (name, email, created_at, updated_at) VALUES ('x', 'x@example.com', now(), now())"
	done
}

template() {
	sh "$recipe" > /dev/null
	n=1
	while [ "$n" -le "$RUNNERS" ]; do
		sh "$recipe" "dt_bench_$n" > /dev/null &
		n=$((n + 1))
	done
	wait
}

per_runner() {
	n=1
	while [ "$n" -le "$RUNNERS" ]; do
		if [ "$n" = 1 ]; then num=; else num=$n; fi
		TEST_ENV_NUMBER=$num RAILS_ENV=test bundle exec ruby bin/rake db:setup > /dev/null 2>&1 &
		n=$((n + 1))
	done
	wait
}

# $1: template or per_runner, $2: cold or warm.
timed() {
	if [ "$2" = cold ]; then
		drop_all
	else
		case $1 in
		template) dirty dt_bench_ ;;
		*) dirty shop_test ;;
		esac
	fi
	t0=$(now)
	$1
	t1=$(now)
	# Every runner's database is there, with the schema and no rows.
	case $1 in
	template) last=dt_bench_$RUNNERS ;;
	*) last=shop_test$RUNNERS ;;
	esac
	test "$(psql -X -q -A -t -d "$last" -c "SELECT count(*) FROM customers")" = 0
	echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' >> "$work/t-$1-$2"
}

median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

i=1
while [ "$i" -le "$REPS" ]; do
	timed template cold
	timed template warm
	timed per_runner cold
	timed per_runner warm
	i=$((i + 1))
done

echo "database preparation for $RUNNERS runners, PostgreSQL, examples/rails-shop, median of $REPS:"
printf '%-44s %8s %8s\n' "" cold warm
tc=$(median "$work/t-template-cold")
tw=$(median "$work/t-template-warm")
pc=$(median "$work/t-per_runner-cold")
pw=$(median "$work/t-per_runner-warm")
printf '%-44s %7.2fs %7.2fs\n' "template once per node, cloned (distributest)" "$tc" "$tw"
printf '%-44s %7.2fs %7.2fs\n' "schema load per runner (rake parallel:setup)" "$pc" "$pw"
printf '%-44s %7.2fx %7.2fx\n' "per runner / template" \
	"$(echo "$pc $tc" | awk '{ print $1 / $2 }')" "$(echo "$pw $tw" | awk '{ print $1 / $2 }')"
