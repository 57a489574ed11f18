#!/bin/sh
test_description='the MariaDB and SQLite recipes: a Rails application, a database per runner, end to end'
. "$(dirname "$0")/test-lib.sh"

EXAMPLE=$SRCDIR/examples/rails-shop
DBSERVER=$EXAMPLE/script/dbserver

ruby -e 'require "rails"; require "rspec/rails/version"; require "factory_bot"' 2> /dev/null ||
	skip_all "no Rails: install rails ruby-rspec-rails ruby-factory-bot"
command -v rspec > /dev/null 2>&1 || skip_all "no rspec"
test_lazy_prereq MARIADB '
	PATH=$PATH:/usr/sbin && command -v mariadbd && command -v mariadb-install-db &&
	ruby -e "require %q(mysql2)"
'
test_lazy_prereq SQLITE 'ruby -e "require %q(sqlite3)"'

[ "$(id -u)" = 0 ] && chmod 0711 "$TRASH"
trap '"$DBSERVER" stop "$TRASH/my"; test_cleanup' EXIT

copy_example() {
	cp -R "$EXAMPLE" "$1" &&
	(cd "$1" && rm -rf .distributest Gemfile.lock db/*.sqlite3 log tmp) &&
	mkdir "$1/.distributest" &&
	grep -v "_setup = " "$1/distributest.conf" > "$1/.distributest/config" &&
	printf "node_setup = %s\nrunner_setup = %s\n" "$2" "$2" >> "$1/.distributest/config"
}

totals() {
	sed -n "s/^\([0-9][0-9]* examples\{0,1\}, [0-9][0-9]* failures\{0,1\}.*\)$/\1/p" "$1"
}

# Runner N's rows are in runner N's database: the files the log says it
# ran are those that wrote to it.  $2 lists a database's files: $2 N ID.
rows_in_own_databases() {
	awk -F"	" '$2 == "runner-up" { print $4, $5 }' "$1" | sort -u > ids &&
	test -s ids &&
	while read -r n id; do
		awk -F"	" -v n="$n" '$2 == "done" && $4 == n { sub(/ \[part .*/, "", $5); print $5 }' "$1" | sort -u > "ran-$n" &&
		$2 "$n" "$id" > "rows-$n" &&
		test_cmp "ran-$n" "rows-$n" || return 1
	done < ids &&
	cat ran-* | sort -u > ran &&
	test_line_count -eq "$(wc -l < ../serial-files)" ran
}

my() {
	mariadb --no-defaults --batch --skip-column-names -u root "$@"
}

my_files() {
	my -e "SELECT DISTINCT file FROM \`$2\`.spec_runs WHERE runner = '$2' ORDER BY 1"
}

# Where runner N of project $1 works on the local node.
runner_tree() {
	echo "$HOME/.cache/distributest/$(uname -n)/$(id -un)/$(copy_path "$1").runners/$2/$(basename "$1")"
}

sqlite_files() {
	ruby -rsqlite3 -e '
		db = SQLite3::Database.new(ARGV[0])
		db.execute("SELECT DISTINCT file FROM spec_runs ORDER BY 1").each { |r| puts r[0] }
	' "$(runner_tree "$TRASH/lite" "$1")/db/$2.sqlite3"
}

test_expect_success MARIADB 'setup: a MariaDB server of our own, the suite run serially on it' '
	"$DBSERVER" start mariadb "$TRASH/my" > my.env &&
	copy_example maria "$SRCDIR/etc/distributest/setup.mariadb" &&
	(
		. ./my.env && export MYSQL_UNIX_PORT MYSQL_USER &&
		cd maria && export SHOP_DB=mysql2 &&
		RAILS_ENV=test bin/rails db:create db:schema:load > ../prep.out 2>&1 &&
		{ bundle exec rspec > ../serial-my.out 2>&1; test $? = 1; } &&
		find spec -name "*_spec.rb" | sort > ../serial-files
	) &&
	totals serial-my.out > serial-my-totals &&
	test_grep "examples, 2 failures, 1 pending" serial-my-totals
'

if [ -f my.env ]; then
	. ./my.env && export MYSQL_UNIX_PORT MYSQL_USER
fi

test_expect_success MARIADB 'MariaDB: the serial totals, each runner in a database loaded from the node'"'"'s dump' '
	(cd maria && SHOP_DB=mysql2 distributest -j 2 > ../my.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-my-totals) in" my.out &&
	ls "$HOME"/.cache/distributest/*/*/*/maria.dt-db/*.sql > dumps &&
	test_line_count = 1 dumps &&
	tpl=$(basename "$(cat dumps)" .sql) &&
	my -e "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_COMMENT = '"'"'$tpl'"'"' ORDER BY 1" > made &&
	test_line_count = 2 made &&
	grep "^dt_.*_local_[12]\$" made > named &&
	test_line_count = 2 named &&
	mkdir rows-my && (cd rows-my && rows_in_own_databases ../maria/.distributest/log my_files)
'

test_expect_success MARIADB 'MariaDB: a second run reuses the dump and the databases, emptied' '
	dump=$(cat dumps) &&
	ls -i "$dump" > inode.before &&
	(cd maria && SHOP_DB=mysql2 distributest -j 2 > ../my2.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-my-totals) in" my2.out &&
	ls -i "$dump" > inode.after &&
	test_cmp inode.before inode.after &&
	mkdir rows-my2 && (cd rows-my2 && rows_in_own_databases ../maria/.distributest/log my_files) &&
	for db in $(cat made); do
		my -e "SELECT count(*) FROM \`$db\`.products" || return 1
	done > counts &&
	printf "0\n0\n" > zeros &&
	test_cmp zeros counts
'

test_expect_success SQLITE 'setup: the suite run serially on SQLite' '
	copy_example lite "$SRCDIR/etc/distributest/setup.sqlite" &&
	(
		cd lite && export SHOP_DB=sqlite3 &&
		RAILS_ENV=test bin/rails db:schema:load > ../prep-lite.out 2>&1 &&
		{ rspec > ../serial-lite.out 2>&1; test $? = 1; } &&
		find spec -name "*_spec.rb" | sort > ../serial-files
	) &&
	totals serial-lite.out > serial-lite-totals &&
	test_grep "examples, 2 failures, 1 pending" serial-lite-totals
'

test_expect_success SQLITE 'SQLite: the serial totals, each runner in a file of its own' '
	(cd lite && SHOP_DB=sqlite3 distributest -j 2 > ../lite.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-lite-totals) in" lite.out &&
	ls "$HOME"/.cache/distributest/*/*/*/lite.dt-db/*.sqlite3 > templates &&
	test_line_count = 1 templates &&
	mkdir rows-lite && (cd rows-lite && rows_in_own_databases ../lite/.distributest/log sqlite_files)
'

test_expect_success SQLITE 'SQLite: a changed schema gives a new template file, the old one goes' '
	cat > lite/db/migrate/20240201000000_add_color_to_products.rb <<-\EOF &&
	class AddColorToProducts < ActiveRecord::Migration[6.1]
	  def change
	    add_column :products, :color, :string
	  end
	end
	EOF
	sed -i -e "s/version: 2024_01_01_000005/version: 2024_02_01_000000/" \
		-e "s/    t.integer \"stock\", default: 0, null: false/&\n    t.string \"color\"/" lite/db/schema.rb &&
	(cd lite && SHOP_DB=sqlite3 distributest -j 2 > ../lite2.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-lite-totals) in" lite2.out &&
	ls "$HOME"/.cache/distributest/*/*/*/lite.dt-db/*.sqlite3 > templates2 &&
	test_line_count = 1 templates2 &&
	! cmp -s templates templates2
'

test_done
