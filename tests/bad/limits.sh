#!/bin/sh
# limits.sh SEGC - the resource limits through the command line (--limit
# NAME=VALUE; docs/cli.md, "Resource limits"): a bad --limit is a usage
# error (exit 2), a limit exceeded an error in the input (exit 1), for
# every command that compiles rules, and the compile-time budget, which a
# case file cannot test. Each limit has its case in tests/bad/limits/.
set -u
SEGC=${1:-build/segc}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S=$ROOT/examples/customer.schema
D=$ROOT/examples/customers.csv
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
total=0

# t NAME WANT_STATUS WANT_STDERR_LINE CMD...: the status, and stderr has
# the line (exactly)
t() {
    name=$1 want=$2 line=$3
    shift 3
    total=$((total + 1))
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ -z "$line" ]; then
        found=$([ -s "$T/err" ] && echo no || echo yes)
    else
        found=$(grep -qxF -- "$line" "$T/err" && echo yes || echo no)
    fi
    if [ "$rc" != "$want" ] || [ "$found" != yes ]; then
        echo "FAIL $name: exit $rc (want $want)"
        echo "  want line: $line"
        sed 's/^/  got: /' "$T/err" | head -n 5
        fails=$((fails + 1))
    fi
}

printf 'segment A where country in ["DE", "AT", "CH"]\n' >"$T/r.seg"
L="$T/r.seg:1:28: error: the list has 3 elements; the limit is 2 (list-elements), 1 over"
t check 1 "$L" "$SEGC" check --schema "$S" --limit list-elements=2 "$T/r.seg"
t check-eq 1 "$L" "$SEGC" check --schema "$S" --limit=list-elements=2 "$T/r.seg"
t run 1 "$L" "$SEGC" run --schema "$S" --data "$D" --limit list-elements=2 "$T/r.seg"
t sql 1 "$L" "$SEGC" sql --dialect duckdb --schema "$S" --limit list-elements=2 "$T/r.seg"
t explain 1 "$L" "$SEGC" explain --schema "$S" --data "$D" --key 1 --limit list-elements=2 "$T/r.seg"
t within 0 "" "$SEGC" check --schema "$S" --limit list-elements=3 "$T/r.seg"
t unknown 2 "segc: --limit: no limit called 'lists'; the limits are source-bytes, total-source-bytes, nesting-depth, segments, list-elements, string-bytes, identifier-bytes, import-depth, imported-files, compile-time-ms, expanded-size, expanded-depth, name-depth" \
    "$SEGC" check --schema "$S" --limit lists=2 "$T/r.seg"
t zero 2 "segc: --limit list-elements needs a number from 1 to 4294967296 (the default is 100000), not '0'" \
    "$SEGC" check --schema "$S" --limit list-elements=0 "$T/r.seg"
t above-max 2 "segc: --limit nesting-depth needs a number from 1 to 1000 (the default is 1000), not '1001'" \
    "$SEGC" check --schema "$S" --limit nesting-depth=1001 "$T/r.seg"
t not-a-number 2 "segc: --limit segments needs a number from 1 to 4294967296 (the default is 100000), not '10k'" \
    "$SEGC" check --schema "$S" --limit segments=10k "$T/r.seg"
t no-value 2 "segc: --limit name-depth needs a number from 1 to 250 (the default is 250), not ''" \
    "$SEGC" check --schema "$S" --limit name-depth "$T/r.seg"
t missing 2 "segc: option --limit needs a value" "$SEGC" check --schema "$S" "$T/r.seg" --limit

# the compile-time budget: 20000 segments take more than a millisecond on
# any machine; the time it took varies, so the line is matched in part
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "segment S%d where orders > %d\n", i, i }' >"$T/big.seg"
total=$((total + 1))
"$SEGC" check --schema "$S" --limit compile-time-ms=1 "$T/big.seg" >/dev/null 2>"$T/err"
rc=$?
if [ $rc != 1 ] || ! grep -qE "^$T/big.seg:1:1: error: compiling has taken [0-9]+ ms; the limit is 1 \(compile-time-ms\), [0-9]+ over\$" "$T/err" ||
   [ "$(grep -c error: "$T/err")" != 1 ]; then
    echo "FAIL compile-time-ms: exit $rc"
    head -n 3 "$T/err"
    fails=$((fails + 1))
fi
# and within the default budget it compiles
t big-ok 0 "" "$SEGC" check --schema "$S" "$T/big.seg"

# a lexical error a case file cannot hold (the case runner reads text): a
# NUL byte in a rule file
printf 'segment A where orders > 1\0\nsegment B where newsletter\n' >"$T/nul.seg"
t nul-byte 1 "$T/nul.seg:1:27: error: unexpected NUL byte" "$SEGC" check --schema "$S" "$T/nul.seg"

if [ $fails -ne 0 ]; then
    echo "limits.sh: $fails of $total failed"
    exit 1
fi
echo "limits.sh: all $total passed"
