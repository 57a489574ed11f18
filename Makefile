# distributest: see README.md.  GNU make.
.DELETE_ON_ERROR:
.SUFFIXES:

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/distributest
MANDIR ?= $(PREFIX)/share/man
# The system configuration, compiled into the programs and where install
# puts the examples: PREFIX/etc, as GNU's sysconfdir, but /etc for the
# system's own prefixes, where distributest has always looked for it.
SYSCONFDIR ?= $(if $(filter /usr /usr/local,$(patsubst %/,%,$(PREFIX))),/etc,$(PREFIX)/etc)
UNITDIR ?= $(PREFIX)/lib/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
SHELLDIR ?= $(PREFIX)/share/distributest

# The one version string; the programs get it at build time.
VERSION = 0.3.0
CC ?= cc
PKGS = libsystemd inih
CFLAGS ?= -O2 -g
DT_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc/lib \
	-DDT_SYSCONFDIR='"$(SYSCONFDIR)"' -DDT_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# The build directory; the sanitized and the fuzzing builds have their own.
B = build

PROGS = dt-config dt-find dt-sync dt-prep dt-feed dt-collect dt-spawn dt-nodes \
	dt-timings dt-timeline adapter-command
ADAPTERS = $(notdir $(wildcard libexec/adapter-*))
# The frameworks' own file finders dt-find runs (find-rspec, ...).
FINDERS = $(notdir $(wildcard libexec/find-*))
# Modules the adapters load from their own directory (require_relative).
MODULES = $(notdir $(wildcard libexec/*.rb))
# What merges the runners' coverage data once it is home (merge-pytest, ...).
MERGERS = $(notdir $(wildcard libexec/merge-*))
LIBSRC = $(wildcard src/lib/*.c)
LIBOBJ = $(LIBSRC:src/lib/%.c=$(B)/obj/%.o)
BUILD = $(B)/libexec/distributest
BINS = $(PROGS:%=$(BUILD)/%) $(ADAPTERS:%=$(BUILD)/%) $(FINDERS:%=$(BUILD)/%) \
	$(MERGERS:%=$(BUILD)/%) $(MODULES:%=$(BUILD)/%)
UNITTESTS = $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/*.c))
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)
MAN8 = $(wildcard man/*.8)
MANS = $(strip $(MAN1) $(MAN5) $(MAN7) $(MAN8))

all: $(BINS) $(UNITTESTS)

$(B)/obj/%.o: src/lib/%.c src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libdt.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(BUILD)/%: src/%.c $(B)/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libdt.a $(LDLIBS)

# The scale simulation's stand-ins (bench/sim.sh), with the project's flags.
BENCHPROGS = $(B)/bench/fake-spawn $(B)/bench/sim-sink
bench-progs: $(BENCHPROGS)

$(B)/bench/%: bench/%.c $(B)/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libdt.a $(LDLIBS)

$(BUILD)/adapter-%: libexec/adapter-%
	@mkdir -p $(@D)
	cp $< $@
	chmod 0755 $@

$(BUILD)/find-%: libexec/find-%
	@mkdir -p $(@D)
	cp $< $@
	chmod 0755 $@

$(BUILD)/merge-%: libexec/merge-%
	@mkdir -p $(@D)
	cp $< $@
	chmod 0755 $@

$(BUILD)/%.rb: libexec/%.rb
	@mkdir -p $(@D)
	cp $< $@
	chmod 0644 $@

$(B)/tests/%: tests/unit/%.c tests/unit/tap.h $(B)/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -o $@ $< $(B)/libdt.a $(LDLIBS)

# The unit test includes the program it tests.
$(B)/tests/timeline: src/dt-timeline.c

# Install what the build and the tests need from Debian, when missing.
DEPS = gcc make pkg-config libsystemd-dev libinih-dev rsync ruby ruby-rspec \
	ruby-minitest ruby-test-unit python3-pytest python3-pytest-cov \
	python3-coverage ruby-simplecov mandoc shellcheck perl procps \
	util-linux coreutils systemd systemd-container openssh-server \
	openssh-client iproute2 libxml2-utils python3-junitparser postgresql \
	mariadb-server ruby-sqlite3 ruby-pg ruby-mysql2 ruby-rails ruby-rspec-rails \
	ruby-factory-bot chromium
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

# Everything again with ASan and UBSan in build-san/, then the C unit
# tests and the C programs' black-box tests on that build: the scripts run
# from a tree of links to this one whose build/ is build-san/.  A report
# stops the program with SIGABRT, failing its test; ASan's also go to
# build-san/log/, which must stay empty (GCC's UBSan writes on stderr).
# Leaks count in the unit tests only: a program leaves its memory to exit.
SAN = build-san
SAN_CFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -O1 -g \
	-fno-omit-frame-pointer
SAN_TESTS = $(wildcard tests/t00[0-9]*.sh) tests/t0500-malformed.sh \
	tests/t0590-timeout.sh tests/t0595-log-disk.sh tests/t0597-concurrent.sh \
	tests/t0605-artifacts.sh tests/t0640-junit.sh tests/t0645-json.sh
SAN_OPTIONS = abort_on_error=1:log_path=$(CURDIR)/$(SAN)/log/san
check-sanitize: deps
	$(MAKE) B=$(SAN) CFLAGS="$(SAN_CFLAGS)" all
	rm -rf $(SAN)/tree $(SAN)/log
	mkdir -p $(SAN)/tree/build/libexec $(SAN)/log
	for f in * .[!.]*; do \
	  case $$f in build|$(SAN)|$(FUZZ)|.git) continue ;; esac; \
	  ln -s ../../$$f $(SAN)/tree/$$f; done
	ln -s ../../../libexec/distributest \
	  $(SAN)/tree/build/libexec/distributest
	@rc=0; \
	ASAN_OPTIONS=$(SAN_OPTIONS) \
	  UBSAN_OPTIONS=$(SAN_OPTIONS):print_stacktrace=1 \
	  prove -j2 $(SAN)/tests/* || rc=1; \
	ASAN_OPTIONS=$(SAN_OPTIONS):detect_leaks=0 \
	  UBSAN_OPTIONS=$(SAN_OPTIONS):print_stacktrace=1 \
	  prove -j2 $(SAN_TESTS:%=$(SAN)/tree/%) || rc=1; \
	for f in $(SAN)/log/*; do \
	  [ -e "$$f" ] || continue; echo "--- $$f"; cat "$$f"; rc=1; done; \
	exit $$rc

# libFuzzer targets, fuzz/NAME.c, built with clang in build-fuzz/: make
# fuzz builds them, make fuzz-run runs each for FUZZ_SECONDS from its
# seeds, fuzz/corpus/NAME/, keeping what it finds in build-fuzz/corpus/.
FUZZ = build-fuzz
FUZZ_DEPS = clang libclang-rt-dev
FUZZ_CC = clang
FUZZ_CFLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -O1 -g
FUZZ_TARGETS = $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))
FUZZ_SECONDS = 10
FUZZ_FLAGS =
fuzz:
	$(MAKE) DEPS="$(FUZZ_DEPS)" deps
	$(MAKE) B=$(FUZZ) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" \
	  $(FUZZ_TARGETS:%=$(FUZZ)/fuzz/%)

$(B)/fuzz/%: fuzz/%.c fuzz/fuzz.h $(B)/libdt.a src/lib/dt.h
	@mkdir -p $(@D)
	$(CC) $(DT_CFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libdt.a \
	  $(LDLIBS)

# The event target includes dt-collect's own code.
$(B)/fuzz/event: src/dt-collect.c

fuzz-run: fuzz
	@mkdir -p $(FUZZ)/crash $(FUZZ)/log
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ)/corpus/$$t; \
	  if [ -f fuzz/$$t.dict ]; then d=-dict=fuzz/$$t.dict; else d=; fi; \
	  $(FUZZ)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -close_fd_mask=3 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ)/crash/$$t- $$d \
	    $(FUZZ_FLAGS) $(FUZZ)/corpus/$$t fuzz/corpus/$$t \
	    > $(FUZZ)/log/$$t 2>&1 || \
	    { tail -n 40 $(FUZZ)/log/$$t; echo "fuzz/$$t: failed, see" \
	      "$(FUZZ)/log/$$t and $(FUZZ)/crash/" >&2; exit 1; }; \
	  echo "fuzz/$$t: $$(grep DONE $(FUZZ)/log/$$t)"; \
	done

lint:
	$(if $(MANS),mandoc -Tlint -W warning $(MANS))
	shellcheck -s sh bin/distributest bench/*.sh
	shellcheck -s bash shell/*.bash
	shellcheck -s sh -e SC1091,SC2016,SC2034,SC2059 tests/*.sh

demo: deps
	$(MAKE) all
	sh tests/demo.sh

BENCH_DEPS = parallel ruby-parallel-tests python3-pytest-xdist bc time
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
	@echo
	sh bench/output.sh
	@echo
	sh bench/discovery.sh
	@echo
	sh bench/overhead.sh
	@echo
	sh bench/artifacts.sh
	@echo
	sh bench/trees.sh
	@echo
	sh bench/sync.sh
	@echo
	sh bench/boot.sh
	@echo
	sh bench/dbprep.sh
	@echo
	sh bench/fanout.sh

# The programs that read SYSCONFDIR, built again for this install's, which
# may not be the one the build was made with.
SYSCONF_PROGS = dt-config
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSCONFDIR)/distributest $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(USERUNITDIR) \
	  $(DESTDIR)$(COMPDIR)
	sed 's|^libexec=.*|libexec=$(LIBEXECDIR)|' bin/distributest > $(DESTDIR)$(BINDIR)/distributest
	chmod 0555 $(DESTDIR)$(BINDIR)/distributest
	for p in $(filter-out $(SYSCONF_PROGS),$(PROGS)) $(ADAPTERS) $(FINDERS) $(MERGERS); do install -m 0555 $(BUILD)/$$p $(DESTDIR)$(LIBEXECDIR)/$$p; done
	for p in $(SYSCONF_PROGS); do \
	  $(CC) $(DT_CFLAGS) $(CFLAGS) -o $(DESTDIR)$(LIBEXECDIR)/$$p src/$$p.c $(B)/libdt.a $(LDLIBS) && \
	  chmod 0555 $(DESTDIR)$(LIBEXECDIR)/$$p || exit 1; done
	for m in $(MODULES); do install -m 0444 $(BUILD)/$$m $(DESTDIR)$(LIBEXECDIR)/$$m; done
	for m in $(MAN1); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man1; done
	for m in $(MAN5); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man5; done
	for m in $(MAN7); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man7; done
	for m in $(MAN8); do install -m 0444 $$m $(DESTDIR)$(MANDIR)/man8; done
	for f in etc/distributest/*; do \
	  t=$(DESTDIR)$(SYSCONFDIR)/distributest/$${f##*/}; \
	  [ ! -e "$$t" ] || continue; \
	  if [ -x "$$f" ]; then install -m 0755 "$$f" "$$t"; \
	  else sed 's|/etc/distributest/|$(SYSCONFDIR)/distributest/|g' "$$f" > "$$t" && \
	    chmod 0644 "$$t" || exit 1; fi; done
	for u in units/*.socket units/*.service; do \
	  sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  chmod 0444 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	if [ -z "$(DESTDIR)" ] && ! getent group distributest > /dev/null; then \
	  groupadd --system distributest || \
	  echo "make install: the socket unit needs the group distributest: groupadd --system distributest, as root" >&2; fi
	for u in units/user/*; do \
	  sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $$u > $(DESTDIR)$(USERUNITDIR)/$${u##*/}; \
	  chmod 0444 $(DESTDIR)$(USERUNITDIR)/$${u##*/}; done
	install -m 0444 shell/distributest.bash $(DESTDIR)$(COMPDIR)/distributest

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/distributest $(DESTDIR)$(COMPDIR)/distributest
	for p in $(PROGS) $(ADAPTERS) $(FINDERS) $(MERGERS) $(MODULES); do rm -f $(DESTDIR)$(LIBEXECDIR)/$$p; done
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	for u in units/*.socket units/*.service; do rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	for u in units/user/*; do rm -f $(DESTDIR)$(USERUNITDIR)/$${u##*/}; done

clean:
	rm -rf build $(SAN) $(FUZZ)

.PHONY: all bench-progs deps check check-sanitize fuzz fuzz-run lint demo bench install \
	uninstall clean
