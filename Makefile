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
$(O)/obj/%.o: src/%.c | $(O)/gen/parser.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/libsegc.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(O)/libsegc.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ $(LIBS)

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

# The test run of one build folder: unit tests, data-driven cases, the CLI,
# and the cross-check of the bundled example against SQLite.
test-run: all $(UNIT_BIN) $(CASES_BIN) $(DIFF_BIN)
	@sh tests/run_all.sh $(O)

check:
	@$(MAKE) --no-print-directory test-run
	@echo "== again under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@DIFF_PROGRAMS=300 $(MAKE) --no-print-directory O=build/asan OPT=-O1 \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    test-run

demo: all
	$(O)/segc run examples/rules.seg --schema examples/customer.schema \
	    --data examples/customers.csv --as-of 2026-11-23

clean:
	rm -rf build

.PHONY: all check test-run demo clean bench bench-duckdb
.SECONDARY:

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
