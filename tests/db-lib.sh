# db-lib.sh: what the database tests (t0700 to t0704) share: a throwaway
# server of their own, started by the example's script/dbserver, copies
# of the example Rails project with a recipe as their hooks, and psql.
# Source it after test-lib.sh.  Sourcing it only sets $EXAMPLE and
# $DBSERVER: the skips and the EXIT trap are the functions' to do.
#
#   db_need_postgresql     the script skipped unless psql and a server
#                          (a pg_ctl under /usr/lib/postgresql) are here
#   db_need_rails [GEM..]  the script skipped unless Rails, rspec-rails,
#                          factory_bot and each GEM (pg, ...) load, and
#                          rspec is on the PATH
#   db_server DIR          a server is to live in $TRASH/DIR: the trash
#                          made reachable to a server run as nobody (when
#                          root), and the EXIT trap stops it, then cleans
#   db_hooks DIR RECIPE    RECIPE as node_setup and runner_setup, added to
#                          project DIR's .distributest/config
#   copy_example DIR RECIPE
#                          a copy of the example in DIR with none of the
#                          files a run leaves, its hooks RECIPE
#   add_color DIR          a migration in project DIR that adds a column
#                          color to products, and its db/schema.rb to match
#   totals FILE            RSpec's totals line in FILE: "79 examples,
#                          2 failures, 1 pending"
#   rows_in_own_databases LOG LIST [CHECK]
#                          each runner that came up by the log wrote the
#                          rows of the files it ran, by the log, in its own
#                          database, and every file of ../serial-files ran;
#                          LIST NODE N ID lists the files whose rows runner
#                          N on NODE has in database ID, CHECK NODE N ID
#                          (if given) checks more of it; run it in an
#                          empty directory, it leaves its files there
#   q ARGS                 psql to the server of $PGHOST, $PGPORT, $PGUSER,
#                          unaligned, tuples only, stopping at an error
#   templates              the template databases (builds cut short too)
#   oid NAME               database NAME's oid

EXAMPLE=$SRCDIR/examples/rails-shop
DBSERVER=$EXAMPLE/script/dbserver

db_need_postgresql() {
	if ! command -v psql > /dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/pg_ctl > /dev/null 2>&1; then
		skip_all "no PostgreSQL server: install postgresql"
	fi
}

db_need_rails() {
	db_require='require "rails"; require "rspec/rails/version"'
	db_packages='rails ruby-rspec-rails'
	for db_gem in "$@"; do
		db_require="$db_require; require \"$db_gem\""
		db_packages="$db_packages ruby-$db_gem"
	done
	ruby -e "$db_require; require \"factory_bot\"" 2> /dev/null ||
		skip_all "no Rails: install $db_packages ruby-factory-bot"
	command -v rspec > /dev/null 2>&1 || skip_all "no rspec"
}

# The server runs as nobody when we are root: it must reach its directory.
db_server() {
	[ "$(id -u)" = 0 ] && chmod 0711 "$TRASH"
	trap '"$DBSERVER" stop "$TRASH/'"$1"'"; test_cleanup' EXIT
}

db_hooks() {
	printf "node_setup = %s\nrunner_setup = %s\n" "$2" "$2" >> "$1/.distributest/config"
}

copy_example() {
	cp -R "$EXAMPLE" "$1" &&
	(cd "$1" && rm -rf .distributest Gemfile.lock db/*.sqlite3 log tmp) &&
	mkdir "$1/.distributest" &&
	grep -v "_setup = " "$1/distributest.conf" > "$1/.distributest/config" &&
	db_hooks "$1" "$2"
}

add_color() {
	cat > "$1/db/migrate/20240201000000_add_color_to_products.rb" <<-\EOF &&
	class AddColorToProducts < ActiveRecord::Migration[6.1]
	  def change
	    add_column :products, :color, :string
	  end
	end
	EOF
	sed -i -e "s/version: 2024_01_01_000005/version: 2024_02_01_000000/" \
		-e "s/    t.integer \"stock\", default: 0, null: false/&\n    t.string \"color\"/" "$1/db/schema.rb"
}

totals() {
	sed -n "s/^\([0-9][0-9]* examples\{0,1\}, [0-9][0-9]* failures\{0,1\}.*\)$/\1/p" "$1"
}

# ids: a line per runner up, "NODE N ID"; ran-NODE-N: the files it ran
# (a file cut in parts once); rows-NODE-N: those with rows in its database.
rows_in_own_databases() {
	awk -F"	" '$2 == "runner-up" { print $3, $4, $5 }' "$1" | sort -u > ids &&
	test -s ids &&
	while read -r node n id; do
		awk -F"	" -v node="$node" -v n="$n" '$2 == "done" && $3 == node && $4 == n { sub(/ \[part .*/, "", $5); print $5 }' "$1" | sort -u > "ran-$node-$n" &&
		$2 "$node" "$n" "$id" > "rows-$node-$n" &&
		test_cmp "ran-$node-$n" "rows-$node-$n" &&
		{ [ -z "${3:-}" ] || $3 "$node" "$n" "$id"; } || return 1
	done < ids &&
	cat ran-* | sort -u > ran &&
	test_line_count -eq "$(wc -l < ../serial-files)" ran
}

q() {
	psql -X -A -t -v ON_ERROR_STOP=1 "$@"
}

templates() {
	q -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '%\_tpl\_%' ORDER BY 1"
}

oid() {
	q -d postgres -c "SELECT oid FROM pg_database WHERE datname = '$1'"
}
