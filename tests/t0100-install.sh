#!/bin/sh
test_description='make install and uninstall'
. "$(dirname "$0")/test-lib.sh"

inst() {
	make -s -C "$SRCDIR" "$@" PREFIX="$TRASH/usr" SYSCONFDIR="$TRASH/etc" > make.out 2>&1
}

test_expect_success 'make install puts every part in its place' '
	inst install &&
	test -x usr/bin/distributest &&
	for p in dt-config dt-find dt-sync dt-prep dt-feed dt-collect dt-spawn adapter-command adapter-rspec; do
		test -x usr/libexec/distributest/$p || return 1
	done &&
	test -f usr/share/man/man1/distributest.1 &&
	test -f usr/share/man/man5/distributest.conf.5 &&
	test -f usr/share/man/man7/distributest-adapter.7 &&
	test -f usr/share/man/man8/dt-spawn.8 &&
	test -f etc/distributest/distributest.conf &&
	test -x etc/distributest/node_setup &&
	test -f usr/share/bash-completion/completions/distributest &&
	grep "^libexec=$TRASH/usr/libexec/distributest$" usr/bin/distributest
'

test_expect_success 'the installed distributest runs a suite' '
	make_command_project proj &&
	printf "true\n" > proj/t/a.t &&
	(cd proj && "$TRASH/usr/bin/distributest" -j 2) > out &&
	test_grep "1 file, 1 example, 0 failures" out
'

test_expect_success 'install never overwrites an edited configuration' '
	echo "; mine" >> etc/distributest/distributest.conf &&
	inst install &&
	test_grep "; mine" etc/distributest/distributest.conf
'

test_expect_success 'the installed pages are clean mdoc' '
	mandoc -Tlint -W warning usr/share/man/man*/*
'

test_expect_success 'make uninstall removes what install put, but the configuration' '
	inst uninstall &&
	! test -e usr/bin/distributest &&
	! test -e usr/libexec/distributest &&
	! test -e usr/share/man/man1/distributest.1 &&
	! test -e usr/share/bash-completion/completions/distributest &&
	test -e etc/distributest/distributest.conf
'

test_done
