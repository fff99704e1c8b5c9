#!/bin/sh
# run_all.sh BUILD_DIR - runs every test suite against one build folder and
# ends with one line "N passed, N failed" (suites, and within the case runner
# and the CLI tests, single checks are counted by the suites themselves).
set -u
O=${1:-build}
passed=0
failed=0
failures=""

run() {
    name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "FAILED: $name" >&2
    fi
}

for t in "$O"/tests/test_*; do
    [ -x "$t" ] || continue
    run "$(basename "$t")" "$t"
done
run cases "$O/tests/run_cases" tests/cases
# the SQL translation's edge cases, in both native engines too
run cases-sql "$O/tests/run_cases" tests/sql/cases
# the catalogue of bad inputs and the resource limits (tests/bad/README.md)
run bad "$O/tests/run_cases" tests/bad/limits tests/bad/csv tests/bad/parse tests/bad/type
run bad-limits sh tests/bad/limits.sh "$O/segc"
# 100000-deep inputs through every stage under a 1 MiB stack; make check
# skips it in the sanitizer build (DEEP=0: minutes there, and a stack
# overflow is a crash in the plain build too)
[ "${DEEP:-1}" = 0 ] || run bad-deep sh tests/bad/deep.sh "$O/segc"
run difftest "$O/tests/difftest" --programs "${DIFF_PROGRAMS:-2000}"
run cli sh tests/cli/run.sh "$O/segc"
# event histories on real data: RFM over CDNOW at two dates (examples/cdnow)
run cdnow sh tests/cli/cdnow.sh "$O/segc"
run explain sh tests/explain/run.sh "$O/segc"
# packed data files (segc pack, .segd) and their catalogue of bad files
run segd sh tests/segd/run.sh "$O/segc"
# segc fmt: the standard library and the examples are kept formatted; then
# the command itself (the layouts are tested by test_fmt)
run fmt-check "$O/segc" fmt --check stdlib/*.seg examples/*.seg examples/*.schema
run fmt sh tests/fmt/run.sh "$O/segc"
run sqlite-crosscheck sh tests/sqlite/crosscheck.sh "$O/segc"
# the fuzz harnesses without libFuzzer, over the inputs that once found a
# bug (tests/fuzz/regress/) and the examples
for h in rules schema csv eval oom segd; do
    [ -x "$O/tests/replay_$h" ] || continue
    run "fuzz-replay-$h" sh tests/fuzz/replay.sh "$O" "$h"
done
run sql-sqlite "$O/tests/sqltest" sqlite tests/cases --programs "${SQL_PROGRAMS:-2000}"
run sql-golden sh tests/sql/golden.sh "$O/segc"

echo "suites: $passed passed, $failed failed${failures:+ (failed:$failures)}"
[ "$failed" -eq 0 ]
