#!/bin/sh
# memcheck.sh BUILD_DIR - the test suite under valgrind's memcheck (make
# memcheck builds BUILD_DIR, build/memcheck, and calls this from the
# repository root).
#
# Runs the unit tests, the case runner, difftest (MEMCHECK_DIFF_PROGRAMS,
# default 20 programs), the CLI tests (every segc command of
# tests/cli/run.sh goes through valgrind) and the fuzz harnesses' replay of
# tests/fuzz/regress/ and of the examples. Each process writes its own log
# to BUILD_DIR/memcheck/; a process with an invalid read or write, a use of
# an uninitialised value, a bad free, or a leak (definitely, indirectly or
# possibly lost) exits 99 and fails its suite, and its log is shown at the
# end. Still-reachable blocks (LLVM keeps some for the life of the process)
# are not errors. tests/valgrind.supp holds the suppressions, each with the
# reason for it.
set -u
O=${1:-build/memcheck}
L=$O/memcheck
rm -rf "$L"
mkdir -p "$L"

VG="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible
    --track-origins=yes --num-callers=40 --suppressions=tests/valgrind.supp
    --log-file=$L/%p.log"

# the CLI tests call segc by path: a segc that runs under valgrind
cat >"$L/segc" <<EOF
#!/bin/sh
exec $(echo $VG) "$O/segc" "\$@"
EOF
chmod +x "$L/segc"

passed=0
failed=0
failures=""
run() {
    name=$1
    shift
    echo "== $name"
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
    # shellcheck disable=SC2086
    run "$(basename "$t")" $VG "$t"
done
# shellcheck disable=SC2086
run cases $VG "$O/tests/run_cases" tests/cases
# shellcheck disable=SC2086
run difftest $VG "$O/tests/difftest" --programs "${MEMCHECK_DIFF_PROGRAMS:-20}"
run cli sh tests/cli/run.sh "$L/segc"
for h in rules schema csv eval oom; do
    [ -x "$O/tests/replay_$h" ] || continue
    # shellcheck disable=SC2086
    run "fuzz-replay-$h" sh tests/fuzz/replay.sh "$O" "$h" $VG
done

# the logs of the processes that found something
bad=$(grep -lE 'ERROR SUMMARY: [1-9]' "$L"/*.log 2>/dev/null)
for f in $bad; do
    echo "---- $f" >&2
    grep -vE '^==[0-9]+== *$' "$f" | head -n 80 >&2
done
n=$(ls "$L"/*.log | wc -l)
echo "memcheck: $n processes, $(echo $bad | wc -w) with errors;" \
     "suites: $passed passed, $failed failed${failures:+ (failed:$failures)}"
[ "$failed" -eq 0 ] && [ -z "$bad" ]
