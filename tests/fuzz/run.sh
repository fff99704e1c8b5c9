#!/bin/sh
# run.sh FUZZ_DIR HARNESS... - runs each libFuzzer harness FUZZ_DIR/fuzz_H for
# FUZZ_SECONDS (default 300) of wall time, one after the other (run from the
# repository root; `make fuzz` builds the harnesses and calls this).
#
#   FUZZ_DIR/corpus/H/   the corpus, kept from run to run (new inputs go here)
#   FUZZ_DIR/seeds/H/    the seeds (tests/fuzz/seeds.sh), made afresh
#   FUZZ_DIR/crashes/H/  what a harness found: crash-*, leak-*, timeout-*,
#                        oom-* (libFuzzer's artifacts)
#   FUZZ_DIR/logs/H.log  the last run's output
#   FUZZ_DIR/hours.tsv   one line per run: date, harness, wall seconds, CPU
#                        seconds, inputs executed, corpus size, exit status
#
# tests/fuzz/regress/H/ is read as seeds too, so a bug that is back shows at
# once. Exits 1 when any harness found something: minimize the input with
#   FUZZ_DIR/fuzz_H -minimize_crash=1 -runs=10000 FUZZ_DIR/crashes/H/crash-...
# keep it as tests/fuzz/regress/H/NAME and `make check` replays it.
set -u
B=$1
shift
secs=${FUZZ_SECONDS:-300}
export LC_ALL=C
# libFuzzer reports leaks itself (-detect_leaks); ASan's own options:
asan="abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
export ASAN_OPTIONS="${ASAN_OPTIONS:-$asan}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

sh tests/fuzz/seeds.sh "$B/seeds" || exit 1
mkdir -p "$B/logs"
[ -f "$B/hours.tsv" ] ||
    printf 'date\tharness\twall_s\tcpu_s\texecs\tcorpus\tstatus\n' >"$B/hours.tsv"

# CPU seconds (user + system) of this shell's finished children: the second
# line of `times`, which must run in this shell, not in a $(...) subshell
child_cpu() {
    times >"$B/.times"
    awk 'NR == 2 {
        s = 0
        for (i = 1; i <= 2; i++) {
            split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2]
        }
        printf "%.1f\n", s
    }' "$B/.times"
}

status=0
for h in "$@"; do
    bin=$B/fuzz_$h
    corpus=$B/corpus/$h
    crashes=$B/crashes/$h
    mkdir -p "$corpus" "$crashes"
    # per harness: the longest input, the time one input may take, memory
    case $h in
    csv) max_len=16384 timeout=20 rss=2560 ;;
    segd) max_len=16384 timeout=20 rss=2560 ;;
    eval) max_len=4096 timeout=60 rss=4096 ;;
    *) max_len=4096 timeout=10 rss=2560 ;;
    esac
    dict=""
    d=$h
    [ "$h" = eval ] || [ "$h" = oom ] && d=rules
    [ -f "tests/fuzz/$d.dict" ] && dict="-dict=tests/fuzz/$d.dict"
    dirs="$corpus $B/seeds/$h"
    [ -d "tests/fuzz/regress/$h" ] && dirs="$dirs tests/fuzz/regress/$h"
    echo "== fuzz_$h: $secs s ($(ls "$corpus" | wc -l) inputs in the corpus)"
    child_cpu >"$B/.cpu0"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb="$rss" \
        -max_len="$max_len" $dict -artifact_prefix="$crashes/" \
        -print_final_stats=1 $dirs >"$B/logs/$h.log" 2>&1
    rc=$?
    t1=$(date +%s)
    child_cpu >"$B/.cpu1"
    cpu=$(cat "$B/.cpu0" "$B/.cpu1" | awk 'NR == 1 { a = $1 } NR == 2 {
        printf "%.0f", $1 - a }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/logs/$h.log" |
        tail -n 1)
    size=$(ls "$corpus" | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        "$h" $((t1 - t0)) "$cpu" "${execs:-?}" "$size" "$rc" >>"$B/hours.tsv"
    grep -E '^#[0-9]+ *DONE|^Done' "$B/logs/$h.log" | tail -n 1
    echo "   ${execs:-?} inputs, ${cpu} s CPU, corpus $size, exit $rc"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "FAILED: fuzz_$h found a bug (exit $rc); the input is in" \
             "$crashes/:" >&2
        ls -t "$crashes" | head -n 3 | sed "s|^|    $crashes/|" >&2
        grep -E 'ERROR|SUMMARY|segc fuzz|runtime error|^    #[0-9]' \
            "$B/logs/$h.log" | head -n 40 >&2
    fi
done
exit $status
