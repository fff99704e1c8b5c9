# segc - a compiler for customer segment rules.
#
#   make          build build/segc, build/libsegc.a and build/libsegc.so
#   make demo     run the bundled example
#   make check    build and run every test, then again under ASan + UBSan
#   make clean
#
# One build folder per configuration: O=build (default) or, for the
# sanitizer run, O=build/asan with SAN set. Generated lexer and parser live
# in $(O)/gen and are never committed.

O ?= build
CC ?= cc
OPT ?= -O2
SAN ?=

# LLVM 19 (Debian's llvm-19-dev) for the JIT. Expanded only when a recipe
# runs, that is after scripts/install-deps.sh has installed it.
LLVM_CONFIG ?= llvm-config-19
LLVM_INC = $(shell $(LLVM_CONFIG) --includedir)
LLVM_LIBS = $(shell $(LLVM_CONFIG) --ldflags --libs)

WARN = -Wall -Wextra -Werror
BASE = -std=c17 $(WARN) -D_POSIX_C_SOURCE=200809L -g -fPIC \
       -fvisibility=hidden -MMD -MP
CFLAGS = $(BASE) $(OPT) $(SAN) -Iinclude -Isrc -I$(O)/gen -isystem $(LLVM_INC)
LDFLAGS = $(SAN)
LIBS = $(LLVM_LIBS) -lpthread -lm

# flex and bison output does not meet every warning we ask of our own code
GEN_CFLAGS = $(CFLAGS) -Wno-unused-function -Wno-sign-compare \
             -Wno-unused-parameter

SONAME = libsegc.so.0

LIB_SRC = $(sort $(wildcard src/*.c))
LIB_OBJ = $(LIB_SRC:src/%.c=$(O)/obj/%.o) $(O)/obj/lexer.o $(O)/obj/parser.o
CLI_SRC = $(sort $(wildcard src/cli/*.c))
CLI_OBJ = $(CLI_SRC:src/cli/%.c=$(O)/obj/cli/%.o)

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
CASES_BIN = $(O)/tests/run_cases
DIFF_BIN = $(O)/tests/difftest

all: $(O)/segc $(O)/libsegc.a $(O)/libsegc.so

# ---- dependencies: installed once per build folder --------------------------
$(O)/.deps-ok: scripts/install-deps.sh
	@sh scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# ---- the front end ----------------------------------------------------------
$(O)/gen/parser.c $(O)/gen/parser.h: grammar/parser.y | $(O)/.deps-ok
	@mkdir -p $(O)/gen
	bison -Wall -Werror -Wcounterexamples --header=$(O)/gen/parser.h \
	      -o $(O)/gen/parser.c $<

$(O)/gen/lexer.c $(O)/gen/lexer.h: grammar/lexer.l | $(O)/.deps-ok
	@mkdir -p $(O)/gen
	flex --header-file=$(O)/gen/lexer.h -o $(O)/gen/lexer.c $<

$(O)/obj/lexer.o: $(O)/gen/lexer.c $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(GEN_CFLAGS) -c -o $@ $<

$(O)/obj/parser.o: $(O)/gen/parser.c $(O)/gen/lexer.h
	@mkdir -p $(@D)
	$(CC) $(GEN_CFLAGS) -c -o $@ $<

# ---- the library and the CLI -------------------------------------------------
# the CLI finds the bundled library in the source tree it was built from
# (after an installed share/segc/stdlib); see docs/cli.md
$(O)/obj/cli/rules.o: CFLAGS += -DSEGC_SOURCE_STDLIB='"$(CURDIR)/stdlib"'

$(O)/obj/%.o: src/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libsegc.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(O)/libsegc.so: $(LIB_OBJ) src/libsegc.map
	$(CC) -shared -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=src/libsegc.map $(LDFLAGS) -o $@ \
	    $(LIB_OBJ) $(LIBS)

$(O)/segc: $(CLI_OBJ) $(O)/libsegc.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(O)/libsegc.a $(LIBS)

# ---- tests --------------------------------------------------------------------
$(O)/obj/tests/%.o: tests/unit/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-unused-parameter -c -o $@ $<

$(O)/tests/%: $(O)/obj/tests/%.o $(O)/libsegc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(O)/libsegc.a -lcmocka $(LIBS)

# the test programs beside the unit tests: the case runner and difftest
$(O)/obj/tests/%.o: tests/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(CASES_BIN) $(DIFF_BIN): $(O)/tests/%: $(O)/obj/tests/%.o $(O)/libsegc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(O)/libsegc.a $(LIBS)

# ---- the benchmark (make bench; BENCH_ARGS="--records 1000000" to shorten) ----
BENCH_SRC = $(sort $(wildcard bench/*.c))
BENCH_OBJ = $(BENCH_SRC:bench/%.c=$(O)/obj/bench/%.o)

$(O)/obj/bench/%.o: bench/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/bench/bench: $(BENCH_OBJ) $(O)/libsegc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(O)/libsegc.a $(LIBS)

bench: $(O)/bench/bench
	$(O)/bench/bench $(BENCH_ARGS)

# W10 in DuckDB (npm's @duckdb/node-api) over the same records, in the same
# run: BENCH_RECORDS (default 10 million) as CSV, segc's W10, then DuckDB's.
BENCH_RECORDS ?= 10000000
bench-duckdb: $(O)/bench/bench
	cd bench/duckdb && npm ci --no-audit --no-fund
	$(O)/bench/bench --records $(BENCH_RECORDS) --csv $(O)/bench/customers.csv
	$(O)/bench/bench --records $(BENCH_RECORDS) --only W10 --json $(O)/bench/w10.json
	node bench/duckdb/w10.mjs $(O)/bench/customers.csv $(O)/bench/w10.json bench/duckdb/results.json

# EVENTS (issue 9) in DuckDB over the same two tables (customers, purchases):
# BENCH_EVENTS_RECORDS customers (default 1 million, about 10 million
# events; 10000000 for the issue's 100 million) as CSV with segc's numbers on
# them, then DuckDB's. The result goes to $(O)/bench/events-duckdb.json.
BENCH_EVENTS_RECORDS ?= 1000000
bench-duckdb-events: $(O)/bench/bench
	cd bench/duckdb && npm ci --no-audit --no-fund
	$(O)/bench/bench --only EVENTS --events-records $(BENCH_EVENTS_RECORDS) --events-csv $(O)/bench/events
	node bench/duckdb/events.mjs $(O)/bench/events $(O)/bench/events-duckdb.json

# The test run of one build folder: unit tests, data-driven cases, the CLI,
# and the cross-check of the bundled example against SQLite.
test-run: all $(UNIT_BIN) $(CASES_BIN) $(DIFF_BIN)
	@sh tests/run_all.sh $(O)

check:
	@$(MAKE) --no-print-directory test-run
	@echo "== again under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@DIFF_PROGRAMS=300 SQL_PROGRAMS=300 DEEP=0 $(MAKE) --no-print-directory O=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    test-run

# ---- fuzzing (make fuzz; see tests/fuzz/ and docs/reliability.md) ----------
# The library and the harnesses are built with clang (Debian's clang-14 and
# libclang-rt-14-dev, which holds libFuzzer and the sanitizer runtimes) in
# their own folder, instrumented for coverage (-fsanitize=fuzzer-no-link)
# and checked by AddressSanitizer and UndefinedBehaviorSanitizer. Each
# harness runs FUZZ_SECONDS; corpora and crashes stay in build/fuzz/.
FUZZ_O = build/fuzz
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 300
FUZZ_HARNESSES = rules schema csv eval oom segd
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
FUZZ_OPT ?= -O1

FUZZ_REPLAY_BIN = $(FUZZ_HARNESSES:%=$(O)/tests/replay_%)

$(O)/obj/fuzz/%.o: tests/fuzz/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DSEGC_SOURCE_DIR='"$(CURDIR)"' -c -o $@ $<

# replay_HARNESS FILE|DIR...: a harness without libFuzzer, in any build
# folder; `make check` replays tests/fuzz/regress/HARNESS/ with it
$(O)/tests/replay_%: $(O)/obj/fuzz/fuzz_%.o $(O)/obj/fuzz/replay.o \
                     $(O)/obj/fuzz/fuzz_util.o $(O)/libsegc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(O)/libsegc.a $(LIBS)

test-run: $(FUZZ_REPLAY_BIN)

# fuzz_HARNESS: the libFuzzer binaries (only in $(FUZZ_O))
$(O)/fuzz_%: $(O)/obj/fuzz/fuzz_%.o $(O)/obj/fuzz/fuzz_util.o $(O)/libsegc.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
	    $(O)/libsegc.a $(LIBS)

$(O)/.deps-fuzz-ok: scripts/install-deps.sh
	@sh scripts/install-deps.sh fuzz
	@mkdir -p $(@D) && touch $@

fuzz-bins: $(O)/.deps-fuzz-ok
	@$(MAKE) --no-print-directory $(FUZZ_HARNESSES:%=$(O)/fuzz_%)

fuzz-build:
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) \
	    OPT="$(FUZZ_OPT)" SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	    fuzz-bins

# make fuzz [FUZZ_SECONDS=N] [FUZZ_HARNESSES="rules csv"]: fails when a
# harness finds a crash, a leak, a hang or a disagreement
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_O) \
	    $(FUZZ_HARNESSES)

# ---- valgrind (make memcheck; tests/memcheck.sh) ------------------------------
# The test suite under valgrind's memcheck, from a plain build of its own
# (valgrind does not run under ASan); difftest with few programs.
MEMCHECK_O = build/memcheck

$(O)/.deps-memcheck-ok: scripts/install-deps.sh
	@sh scripts/install-deps.sh memcheck
	@mkdir -p $(@D) && touch $@

memcheck-bins: $(O)/.deps-memcheck-ok
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(CASES_BIN) $(DIFF_BIN) \
	    $(FUZZ_REPLAY_BIN)

memcheck:
	@$(MAKE) --no-print-directory O=$(MEMCHECK_O) OPT=-O1 memcheck-bins
	@sh tests/memcheck.sh $(MEMCHECK_O)

.PHONY: fuzz fuzz-build fuzz-bins memcheck memcheck-bins

# the basic rules, then the shop's rules on the standard library (RFM groups,
# lifecycle stages, firmographics)
demo: all
	$(O)/segc run examples/rules.seg --schema examples/customer.schema \
	    --data examples/customers.csv --as-of 2026-11-23
	@echo
	$(O)/segc run examples/shop.seg --schema examples/customer.schema \
	    --data examples/customers.csv --as-of 2026-11-23

clean:
	rm -rf build

.PHONY: all check test-run demo clean bench bench-duckdb bench-duckdb-events
.SECONDARY:

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

# ---- the SQL backend against real engines (docs/sql.md) ------------------------
# sqltest: every evaluation case and random programs in SQLite (linked in),
# part of test-run; check-pg and check-duckdb run the same comparison in
# PostgreSQL (a private instance in a temp folder) and DuckDB (npm).
SQLTEST_BIN = $(O)/tests/sqltest
SQL_PROGRAMS ?= 2000

$(SQLTEST_BIN): $(O)/obj/tests/sqltest.o $(O)/libsegc.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(O)/libsegc.a -lsqlite3 $(LIBS)

test-run: $(SQLTEST_BIN)

check-pg: all $(SQLTEST_BIN)
	@sh scripts/install-deps.sh postgres
	@sh tests/sql/check-pg.sh $(O) $(SQL_PROGRAMS)

check-duckdb: all $(SQLTEST_BIN)
	cd tests/sql/duckdb && npm ci --no-audit --no-fund
	@sh tests/sql/check-duckdb.sh $(O) $(SQL_PROGRAMS)

# check-sarif: segc check --format sarif against Microsoft's SARIF Multitool
# (npm; a self-contained Linux x64 build), tests/sarif/check.mjs
check-sarif: all
	cd tests/sarif && npm ci --no-audit --no-fund
	node tests/sarif/check.mjs $(O)/segc

.PHONY: check-pg check-duckdb check-sarif

# ---- install (docs/embedding.md) ------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=staging]: the CLI, libsegc.a and
# libsegc.so (the file libsegc.so.VERSION, linked as libsegc.so.0, its
# soname, and libsegc.so), include/segc.h, lib/pkgconfig/segc.pc, the
# standard library in share/segc/stdlib and the man page segc.1; make
# uninstall removes exactly those files. check-embed installs into a temp
# folder and builds examples/embed through pkg-config against it.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
VERSION = $(shell sed -n 's/^\#define SEGC_VERSION_STRING "\(.*\)"/\1/p' \
                  include/segc.h)
STDLIB_FILES = $(sort $(wildcard stdlib/*.seg))

# libdir and includedir relative to ${prefix} where they lie under it
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(DATADIR)/segc/stdlib \
	    $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(O)/segc $(DESTDIR)$(BINDIR)/segc
	install -m 644 $(O)/libsegc.a $(DESTDIR)$(LIBDIR)/libsegc.a
	install -m 755 $(O)/libsegc.so $(DESTDIR)$(LIBDIR)/libsegc.so.$(VERSION)
	ln -sf libsegc.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsegc.so
	install -m 644 include/segc.h $(DESTDIR)$(INCLUDEDIR)/segc.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(PC_LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|g' \
	    -e 's|@VERSION@|$(VERSION)|g' -e 's|@LIBS_PRIVATE@|$(LIBS)|g' \
	    segc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/segc.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/segc.pc
	install -m 644 $(STDLIB_FILES) $(DESTDIR)$(DATADIR)/segc/stdlib/
	install -m 644 docs/segc.1 $(DESTDIR)$(MANDIR)/man1/segc.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/segc $(DESTDIR)$(LIBDIR)/libsegc.a \
	    $(DESTDIR)$(LIBDIR)/libsegc.so.$(VERSION) \
	    $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libsegc.so \
	    $(DESTDIR)$(INCLUDEDIR)/segc.h \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/segc.pc \
	    $(STDLIB_FILES:stdlib/%=$(DESTDIR)$(DATADIR)/segc/stdlib/%) \
	    $(DESTDIR)$(MANDIR)/man1/segc.1
	-rmdir $(DESTDIR)$(DATADIR)/segc/stdlib $(DESTDIR)$(DATADIR)/segc \
	    2>/dev/null

# the installed library through pkg-config, the exported symbols and the
# soname, and the C header of `segc layout` (tests/embed/check.sh)
check-embed: all
	@MAKE="$(MAKE)" CC="$(CC)" EMBED_CFLAGS="$(SAN)" \
	    sh tests/embed/check.sh $(O)

test-run: check-embed

.PHONY: install uninstall check-embed

# check-sql-parse: the SQL for BigQuery, Spark and Trino (no engine here)
# through dialect-aware parsers from npm (tests/sql/parse/check.mjs): every
# evaluation case and SQL_PARSE_PROGRAMS random programs
SQL_PARSE_PROGRAMS ?= 50
check-sql-parse: all $(SQLTEST_BIN)
	cd tests/sql/parse && npm ci --no-audit --no-fund
	@rm -rf $(O)/sql-parse && mkdir -p $(O)/sql-parse
	@for d in bigquery spark trino; do \
	    $(SQLTEST_BIN) export $(O)/sql-parse/$$d --dialect $$d tests/cases \
	        --programs $(SQL_PARSE_PROGRAMS) >/dev/null || exit 1; \
	    echo $$d > $(O)/sql-parse/$$d/dialect; \
	done
	cd tests/sql/parse && node --import ./resolve.mjs check.mjs \
	    $(abspath $(O))/sql-parse/bigquery $(abspath $(O))/sql-parse/spark \
	    $(abspath $(O))/sql-parse/trino

.PHONY: check-sql-parse

# ---- ThreadSanitizer (make check-tsan): many threads over one program -------
# test_threads (segc_eval with threads, eight threads evaluating one program
# and eight one evaluator at once) built with -fsanitize=thread in its own
# folder; any data race fails it.
TSAN_O ?= build/tsan

check-tsan:
	@$(MAKE) --no-print-directory O=$(TSAN_O) OPT=-O1 \
	    SAN="-fsanitize=thread -fno-omit-frame-pointer" \
	    $(TSAN_O)/tests/test_threads
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(TSAN_O)/tests/test_threads

.PHONY: check-tsan
