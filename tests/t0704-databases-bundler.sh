#!/bin/sh
test_description='the database recipes run bundle install on a node whose bundle is incomplete, and a failure says Bundler'"'"'s words'
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/db-lib.sh"

RECIPE=$SRCDIR/etc/distributest/setup.sqlite

command -v bundle > /dev/null 2>&1 || skip_all "no Bundler"

# A project of the command framework with a Gemfile, the SQLite recipe
# as its hooks and a schema loaded by DT_DB_LOAD (no Rails needed).
make_project() {
	make_command_project "$1" &&
	printf "echo ok\n" > "$1/t/a.t" &&
	printf "test -f \"db/\$DT_RUNNER_ID.sqlite3\"\n" > "$1/t/b.t" &&
	mkdir -p "$1/db" && echo "schema 1" > "$1/db/schema.rb" &&
	db_hooks "$1" "$RECIPE" &&
	echo "env = DT_DB_LOAD" >> "$1/.distributest/config"
}

export DT_DB_LOAD='cat db/schema.rb > "$DT_DB_NAME"'

test_expect_success 'setup: a Gemfile that resolves, and one that names a gem nobody has' '
	make_project good &&
	printf "source \"https://rubygems.org\"\n" > good/Gemfile &&
	(cd good && bundle check) &&
	make_project bad &&
	printf "source \"https://rubygems.org\"\ngem \"no-such-gem-for-distributest\"\n" > bad/Gemfile &&
	(cd bad && test_must_fail bundle check)
'

test_expect_success 'a complete bundle: the node is prepared, the runners get their files' '
	(cd good && distributest -j 2 > ../good.out 2>&1) &&
	test_grep "2 files, 2 examples, 0 failures" good.out
'

test_expect_success 'bundle install fails in node_setup: the node is out, Bundler'"'"'s message in the log' '
	(cd bad && bundle install > ../direct.out 2>&1; test $? != 0) &&
	grep -v "^Don.t run Bundler as root\|installing your bundle as root\|users on this machine" direct.out | sed -n "/./{p;q;}" > first &&
	test -s first &&
	(cd bad && test_expect_code 2 distributest -j 2 > ../bad.out 2>&1) &&
	test_grep "node local is out of the run (prep): node_setup exited 1: setup.sqlite: bundle install failed: " bad.out &&
	grep "	log	local	" bad/.distributest/log > logged &&
	test_grep "$(cat first)" logged &&
	test_grep "setup.sqlite: bundle install failed" logged
'

test_expect_success 'the node that is out is reported with Bundler'"'"'s own message' '
	test_grep "$(cat first)" bad.out
'

test_done
