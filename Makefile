# burnrate - one Makefile: deps, build, check, demo, install.
#
#   make                      build ./burnrate
#   make deps                 install missing Debian packages (apt-get)
#   make check                deps + build + every CUnit suite and end-to-end test
#                             (the threaded ingests also under ThreadSanitizer)
#   make SANITIZE=address,undefined check
#   make demo                 ingest samples/ and write reports into demo-out/
#   make bench                benchmarks (docs/PERFORMANCE.md)
#   make torture              hundreds of SIGKILLs during ingest/compact/backfill,
#                             every fault injected, the biggest bombs,
#                             3,000 random logrotate histories
#   make fuzz FUZZ_SECONDS=N  every libFuzzer target for N seconds (fuzz/README.md)
#   make memcheck             the end-to-end suite under valgrind's memcheck
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
PKG_CONFIG ?= pkg-config

# Everything the build, the tests and the demo need, as Debian packages.
DEB_PACKAGES = pkg-config zlib1g-dev libisal-dev libarchive-dev libcsv-dev \
	libjansson-dev libxlsxwriter-dev libesmtp-dev libcunit1-dev \
	python3 python3-aiosmtpd python3-openpyxl chromium zstd lz4 xz-utils \
	openssl time isal strace
# Installed without their recommendations (LibreOffice's pull in a desktop).
DEB_PACKAGES_BARE = libreoffice-calc-nogui

ifeq ($(SANITIZE),)
BUILD ?= build
SANFLAGS =
else
BUILD ?= build/san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Libraries with a .pc file; libcsv ships none.
PKGS = zlib libisal jansson xlsxwriter libarchive libesmtp-1.0 openssl
LIB_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIB_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcsv
TEST_LIBS = $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null)

WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-missing-field-initializers -Werror
OPT ?= -O2 -g
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -I. $(WARN) $(OPT) $(SANFLAGS) $(LIB_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS)

STAGES = core ingest reduce report notify
LIB_SRC = $(foreach d,$(STAGES),$(sort $(wildcard $(d)/*.c)))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/core/catalog_data.o \
	$(BUILD)/core/catalog_tables.o $(BUILD)/notify/templates_data.o
CLI_SRC = burnrate.c $(sort $(wildcard cli/*.c))
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC = $(sort $(wildcard tests/test_*.c))
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
# The fuzz targets (fuzz/README.md); each also replays its corpus in check.
FUZZ_TARGETS = jsonscan csv time formats ingest segment msmtp budgets prices \
	baseline
REPLAY_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)

.SECONDARY:
.PHONY: all deps check test unit e2e demo install clean torture bench bench-forecast \
	fuzz fuzz-run memcheck memcheck-run tsan-build
.DEFAULT_GOAL := all

# $(BUILD)/burnrate named too: .SECONDARY makes every file intermediate,
# and a missing one is not made while ./burnrate is newer than its sources
# (make CC=clang BUILD=build/clang built nothing after a gcc build).
all: burnrate $(BUILD)/burnrate

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The generated price data (docs/PRICES.md), embedded with .incbin.
$(BUILD)/core/catalog_data.o: core/catalog_data.S data/catalog.csv data/aliases.csv
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c $< -o $@

# The built-in catalog pre-parsed: tools/catalog_gen.c, linked with the
# library's core but for these tables, writes as C the catalog that
# br_catalog_builtin_csv parses from the data above.
CATALOG_GEN_OBJ = $(BUILD)/tools/catalog_gen.o \
	$(filter-out $(BUILD)/core/catalog_tables.o,$(filter $(BUILD)/core/%,$(LIB_OBJ)))

$(BUILD)/tools/catalog_gen: $(CATALOG_GEN_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -lm -lpthread

$(BUILD)/core/catalog_tables.c: $(BUILD)/tools/catalog_gen
	$< >$@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

$(BUILD)/core/catalog_tables.o: $(BUILD)/core/catalog_tables.c core/core.h
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The message templates (templates/README.md), embedded the same way.
$(BUILD)/notify/templates_data.o: notify/templates_data.S $(wildcard templates/*.txt templates/*.html)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c $< -o $@

$(BUILD)/libburnrate.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/burnrate: $(CLI_OBJ) $(BUILD)/libburnrate.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -lm -lpthread

burnrate: $(BUILD)/burnrate
	cp $< $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/cunit_main.o $(BUILD)/libburnrate.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) $(TEST_LIBS) -lm -lpthread

$(BUILD)/tests/cunit_main.o: tests/cunit_main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

deps:
	@installed() { dpkg-query -W -f='$${Status}\n' $$1 2>/dev/null | grep -q '^install ok installed'; }; \
	missing=""; bare=""; \
	for p in $(DEB_PACKAGES); do installed $$p || missing="$$missing $$p"; done; \
	for p in $(DEB_PACKAGES_BARE); do installed $$p || bare="$$bare $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing$$bare" ]; then \
		echo "make deps: installing$$missing$$bare"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update && \
		{ [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing; } && \
		{ [ -z "$$bare" ] || DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$bare; }; \
	fi

# check and demo install first, then re-enter make so that pkg-config sees
# the freshly installed libraries.
check: deps
	@$(MAKE) --no-print-directory test

# The plain check also runs the threaded ingests under ThreadSanitizer
# (tests/e2e/tsan.sh), with a binary built apart in BUILD/tsan; the
# sanitized check cannot (TSan does not mix with ASan) and skips it.
ifeq ($(SANITIZE),)
TSAN_BURNRATE = $(BUILD)/tsan/burnrate
TSAN_ENV = TSAN_BURNRATE=$(CURDIR)/$(TSAN_BURNRATE)
endif

test: $(BUILD)/burnrate $(TEST_BIN) $(REPLAY_BIN) $(BUILD)/faultinject.so \
		$(if $(TSAN_BURNRATE),tsan-build)
	@BUILD=$(BUILD) BURNRATE=$(CURDIR)/$(BUILD)/burnrate $(TSAN_ENV) \
		FAULTINJECT=$(CURDIR)/$(BUILD)/faultinject.so \
		sh tests/run.sh $(TEST_BIN) $(REPLAY_BIN)

# Made by a make of its own, whose BUILD and SANITIZE are the TSan build's.
tsan-build:
	@$(MAKE) --no-print-directory SANITIZE=thread BUILD=$(BUILD)/tsan \
		$(BUILD)/tsan/burnrate

unit: $(TEST_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) sh tests/run.sh --unit-only $(TEST_BIN) $(REPLAY_BIN)

# The fuzz targets (fuzz/README.md). Each is also built without libFuzzer,
# with fuzz/replay.c as its main, and replays its corpus in `make check`.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_BUILD = build/fuzz

$(BUILD)/fuzz/replay-%.o: fuzz/replay.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DFUZZ_TARGET='"$*"' -MMD -MP -c $< -o $@

$(BUILD)/fuzz/replay-%: $(BUILD)/fuzz/replay-%.o $(BUILD)/fuzz/fuzz_%.o \
		$(BUILD)/fuzz/util.o $(BUILD)/libburnrate.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -lm -lpthread

# With libFuzzer: clang, ASan and UBSan, the library compiled again.
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -I. -g -O1 $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link $(LIB_CFLAGS)
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) \
	$(FUZZ_BUILD)/core/catalog_data.o $(FUZZ_BUILD)/core/catalog_tables.o \
	$(FUZZ_BUILD)/notify/templates_data.o
FUZZ_OBJ = $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) \
	$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%.o) $(FUZZ_BUILD)/fuzz/util.o

$(FUZZ_OBJ): $(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/core/catalog_data.o: core/catalog_data.S data/catalog.csv data/aliases.csv
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@

$(FUZZ_BUILD)/core/catalog_tables.o: $(BUILD)/core/catalog_tables.c core/core.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/notify/templates_data.o: notify/templates_data.S $(wildcard templates/*.txt templates/*.html)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -c $< -o $@

$(FUZZ_BUILD)/libburnrate.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/fuzz/util.o \
		$(FUZZ_BUILD)/libburnrate.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIB_LIBS) -lm -lpthread

# make fuzz FUZZ_SECONDS=N [FUZZ_TARGETS="csv time"]: each target in
# turn, from its corpus; new inputs go to build/fuzz/corpus/, crashes to
# build/fuzz/crashes/ (copy them into fuzz/corpus/ once fixed).
fuzz: DEB_PACKAGES += clang libclang-rt-14-dev
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		UBSAN_OPTIONS=print_stacktrace=1 \
		$(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- \
			$(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t; \
	done

# The failure-injection shim of tests/e2e/faults.sh (LD_PRELOAD).
$(BUILD)/faultinject.so: tests/faultinject.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -shared -fPIC -o $@ $< -ldl

# The end-to-end suite with burnrate under valgrind's memcheck
# (tests/memcheck.sh says which scripts it leaves out, and why).
memcheck: DEB_PACKAGES += valgrind
memcheck: deps
	@$(MAKE) --no-print-directory memcheck-run

memcheck-run: $(BUILD)/burnrate
	@BUILD=$(BUILD) BURNRATE=$(CURDIR)/$(BUILD)/burnrate sh tests/memcheck.sh

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libburnrate.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIB_LIBS) -lm -lpthread

# Benchmarks; figures and how to read them are in docs/PERFORMANCE.md.
# The ingest benchmark caches its generated logs in $(BUILD)/bench-data and
# DuckDB's node module in $(BUILD)/bench-node.
bench: $(BUILD)/burnrate $(BUILD)/bench/mkstore
	@BURNRATE=$(BUILD)/burnrate MKSTORE=$(BUILD)/bench/mkstore sh bench/store.sh
	@BURNRATE=$(BUILD)/burnrate BUILD=$(BUILD) sh bench/ingest.sh
	@BURNRATE=$(BUILD)/burnrate BUILD=$(BUILD) sh bench/files.sh
	@BURNRATE=$(BUILD)/burnrate BUILD=$(BUILD) sh bench/days.sh

# Backtest of the month-end projection (docs/FORECAST.md).
bench-forecast: $(BUILD)/bench/forecast
	@$(BUILD)/bench/forecast

# Hundreds of SIGKILLs during ingest, compaction and backfill.
torture: $(BUILD)/burnrate $(BUILD)/faultinject.so
	@KILLS=$${KILLS:-300} BURNRATE=$(CURDIR)/$(BUILD)/burnrate sh tests/e2e/crash.sh
	@FAULTS=all FAULTINJECT=$(CURDIR)/$(BUILD)/faultinject.so \
		BURNRATE=$(CURDIR)/$(BUILD)/burnrate sh tests/e2e/faults.sh
	@BOMBS=big BURNRATE=$(CURDIR)/$(BUILD)/burnrate sh tests/e2e/bombs.sh
	@ROTATIONS=$${ROTATIONS:-3000} BURNRATE=$(CURDIR)/$(BUILD)/burnrate \
		BUILD=$(BUILD) sh tests/e2e/rotation.sh
	@STOREOPS=$${STOREOPS:-200} STOREOPS_STEPS=$${STOREOPS_STEPS:-30} \
		BURNRATE=$(CURDIR)/$(BUILD)/burnrate sh tests/e2e/storeops.sh

demo: deps
	@$(MAKE) --no-print-directory burnrate
	@sh tools/demo.sh

install: burnrate
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 burnrate $(DESTDIR)$(BINDIR)/burnrate
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 docs/burnrate.1 $(DESTDIR)$(MANDIR)/man1/burnrate.1

clean:
	rm -rf build burnrate demo-out

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null | sort -u)
