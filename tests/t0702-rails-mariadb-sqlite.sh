#!/bin/sh
test_description='the MariaDB and SQLite recipes: a Rails application, a database per runner, end to end'
. "$(dirname "$0")/test-lib.sh"

. "$TEST_DIRECTORY/db-lib.sh"

# shellcheck disable=SC2119 # no gem beyond those of Rails itself
db_need_rails
test_lazy_prereq MARIADB '
	PATH=$PATH:/usr/sbin && command -v mariadbd && command -v mariadb-install-db &&
	ruby -e "require %q(mysql2)"
'
test_lazy_prereq SQLITE 'ruby -e "require %q(sqlite3)"'

db_server my

my() {
	mariadb --no-defaults --batch --skip-column-names -u root "$@"
}

# The files with rows in runner N's database (rows_in_own_databases'
# LIST: NODE N ID), in MariaDB and in SQLite.
my_files() {
	my -e "SELECT DISTINCT file FROM \`$3\`.spec_runs WHERE runner = '$3' ORDER BY 1"
}

# Where runner N of project $1 works on the local node.
runner_tree() {
	echo "$HOME/.cache/distributest/$(uname -n)/$(id -un)/$(copy_path "$1").runners/$2/$(basename "$1")"
}

sqlite_files() {
	ruby -rsqlite3 -e '
		db = SQLite3::Database.new(ARGV[0])
		db.execute("SELECT DISTINCT file FROM spec_runs ORDER BY 1").each { |r| puts r[0] }
	' "$(runner_tree "$TRASH/lite" "$2")/db/$3.sqlite3"
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
	add_color lite &&
	(cd lite && SHOP_DB=sqlite3 distributest -j 2 > ../lite2.out 2>&1; test $? = 1) &&
	test_grep "$(wc -l < serial-files) files, $(cat serial-lite-totals) in" lite2.out &&
	ls "$HOME"/.cache/distributest/*/*/*/lite.dt-db/*.sqlite3 > templates2 &&
	test_line_count = 1 templates2 &&
	! cmp -s templates templates2
'

test_done
