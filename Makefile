# distributest: see README.md.  GNU make.
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/distributest
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
SHELLDIR ?= $(PREFIX)/share/distributest

# The one version string; the programs get it at build time.
VERSION = 0.2.0
CC ?= cc
PKGS = libsystemd inih
CFLAGS ?= -O2 -g
DT_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc/lib \
	-DDT_SYSCONFDIR='"$(SYSCONFDIR)"' -DDT_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

PROGS = dt-config dt-find dt-sync dt-prep dt-feed dt-collect dt-spawn dt-nodes \
	dt-timings adapter-command
ADAPTERS = $(notdir $(wildcard libexec/adapter-*))
# Modules the adapters load from their own directory (require_relative).
MODULES = $(notdir $(wildcard libexec/*.rb))
LIBSRC = $(wildcard src/lib/*.c)
LIBOBJ = $(LIBSRC:src/lib/%.c=build/obj/%.o)
BUILD = build/libexec/distributest
BINS = $(PROGS:%=$(BUILD)/%) $(ADAPTERS:%=$(BUILD)/%) $(MODULES:%=$(BUILD)/%)
UNITTESTS = $(patsubst tests/unit/%.c,build/tests/%,$(wildcard tests/unit/*.c))
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)
MAN8 = $(wildcard man/*.8)
MANS = $(strip $(MAN1) $(MAN5) $(MAN7) $(MAN8))

all: $(BINS) $(UNITTESTS)

build/obj/%.o: src/lib/%.c src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -c -o $@ $<

build/libdt.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(BUILD)/%: src/%.c build/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -o $@ $< build/libdt.a $(LDLIBS)

$(BUILD)/adapter-%: libexec/adapter-%
	@mkdir -p $(@D)
	cp $< $@
	chmod 0755 $@

$(BUILD)/%.rb: libexec/%.rb
	@mkdir -p $(@D)
	cp $< $@
	chmod 0644 $@

build/tests/%: tests/unit/%.c tests/unit/tap.h build/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -o $@ $< build/libdt.a $(LDLIBS)

# Install what the build and the tests need from Debian, when missing.
DEPS = gcc make pkg-config libsystemd-dev libinih-dev rsync ruby ruby-rspec \
	ruby-minitest ruby-test-unit python3-pytest mandoc shellcheck perl procps \
	util-linux coreutils systemd systemd-container openssh-server \
	openssh-client iproute2
deps:
	@missing=; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

check: deps
	$(MAKE) all
	$(MAKE) lint
	prove -j2 build/tests/* tests/t[0-9]*.sh

lint:
	$(if $(MANS),mandoc -Tlint -W warning $(MANS))
	shellcheck -s sh bin/distributest bench/*.sh
	shellcheck -s sh -e SC1091,SC2016,SC2034,SC2059 tests/*.sh

demo: deps
	$(MAKE) all
	sh tests/demo.sh

BENCH_DEPS = parallel ruby-parallel-tests bc
bench: deps
	$(MAKE) DEPS="$(BENCH_DEPS)" deps
	$(MAKE) all
	sh bench/run.sh
	@echo
	sh bench/nodes.sh
	@echo
	sh bench/adapters.sh
	@echo
	sh bench/sim.sh
	@echo
	sh bench/heavy.sh
	@echo
	sh bench/dispatch.sh
	@echo
	sh bench/order.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSCONFDIR)/distributest $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(USERUNITDIR) \
	  $(DESTDIR)$(COMPDIR)
	sed 's|^libexec=.*|libexec=$(LIBEXECDIR)|' bin/distributest > $(DESTDIR)$(BINDIR)/distributest
	chmod 0555 $(DESTDIR)$(BINDIR)/distributest
	for p in $(PROGS) $(ADAPTERS); do install -m 0555 $(BUILD)/$$p $(DESTDIR)$(LIBEXECDIR)/$$p; done
	for m in $(MODULES); do install -m 0444 $(BUILD)/$$m $(DESTDIR)$(LIBEXECDIR)/$$m; done
	for m in $(MAN1); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man1; done
	for m in $(MAN5); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man5; done
	for m in $(MAN7); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man7; done
	for m in $(MAN8); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man8; done
	for f in etc/distributest/*; do \
	  t=$(DESTDIR)$(SYSCONFDIR)/distributest/$${f##*/}; \
	  [ ! -e "$$t" ] || continue; \
	  if [ -x "$$f" ]; then m=0755; else m=0644; fi; \
	  install -m $$m "$$f" "$$t"; done
	for u in units/*.socket units/*.service; do \
	  sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  chmod 0444 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	for u in units/user/*; do \
	  sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $$u > $(DESTDIR)$(USERUNITDIR)/$${u##*/}; \
	  chmod 0444 $(DESTDIR)$(USERUNITDIR)/$${u##*/}; done
	install -m 0444 shell/distributest.bash $(DESTDIR)$(COMPDIR)/distributest

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/distributest $(DESTDIR)$(COMPDIR)/distributest
	for p in $(PROGS) $(ADAPTERS) $(MODULES); do rm -f $(DESTDIR)$(LIBEXECDIR)/$$p; done
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	for u in units/*.socket units/*.service; do rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	for u in units/user/*; do rm -f $(DESTDIR)$(USERUNITDIR)/$${u##*/}; done

clean:
	rm -rf build

.PHONY: all deps check lint demo bench install uninstall clean
