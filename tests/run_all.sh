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
run difftest "$O/tests/difftest" --programs "${DIFF_PROGRAMS:-2000}"
run cli sh tests/cli/run.sh "$O/segc"
run sqlite-crosscheck sh tests/sqlite/crosscheck.sh "$O/segc"

echo "suites: $passed passed, $failed failed${failures:+ (failed:$failures)}"
[ "$failed" -eq 0 ]
