#!/bin/sh
# deep.sh SEGC - deep nesting and long chains must not overflow any stack.
#
# Each rule file below is fed to every command that reads rules (check, the
# linter, fmt, sql, explain, run with the interpreter and with the JIT)
# under a 1 MiB stack (ulimit -s 1024, an eighth of Linux's default). A
# deep file must end in its one exact error, exit status 1; a long flat
# and/or chain (100000 terms) within the limits must compile and run, exit
# status 0. A crash (a signal, status 128 and up) or a timeout fails.
# The files are made here, 100000 levels or terms each (issue 8).
set -u
SEGC=${1:-build/segc}
case $SEGC in /*) ;; *) SEGC=$(pwd)/$SEGC ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S=$ROOT/examples/customer.schema
D=$ROOT/examples/customers.csv
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=100000
fails=0
total=0

# rep STR N: STR written N times
rep() { awk -v s="$1" -v n="$2" 'BEGIN { while (n-- > 0) printf "%s", s }'; }

{ printf 'segment A where '; rep '(' $N; printf 'orders > 1'; rep ')' $N; echo; } >"$T/parens.seg"
{ printf 'segment A where '; rep 'not ' $N; echo 'newsletter'; } >"$T/not.seg"
{ printf 'segment A where '; rep '-' $N; echo 'orders > 5'; } >"$T/neg.seg"
{ printf 'segment A where orders'; rep ' + 1' $N; echo ' > 5'; } >"$T/arith.seg"
{ printf 'segment A where '; rep 'orders > 1 and ' $N; echo 'newsletter'; } >"$T/and.seg"
{ printf 'segment A where '; rep 'orders = 1 or ' $N; echo 'newsletter'; } >"$T/or.seg"
{ printf 'segment A where '; rep 'not (orders > 1 or ' 300; printf 'newsletter'; rep ')' 300; echo; } >"$T/within.seg"

PARSER="the expression nests more than 10000 levels of parentheses and operators deep (the parser's fixed limit)"
# file, exit status expected, the first line of stderr expected (a prefix)
expect() {
    f=$1 want=$2 msg=$3
    for cmd in "check" "check --werror --max-conditions 200000" "fmt" \
               "sql --dialect postgres" "explain --data $D --key 1" \
               "run --data $D --engine interp" "run --data $D --engine jit"; do
        total=$((total + 1))
        case $cmd in fmt) args="$T/$f.seg" ;; *) args="--schema $S $T/$f.seg" ;; esac
        # shellcheck disable=SC2086
        (ulimit -s 1024; exec timeout 300 "$SEGC" $cmd $args) >"$T/out" 2>"$T/err"
        rc=$?
        first=$(head -n 1 "$T/err" | cut -c 1-400)
        ok=1
        [ "$rc" = "$want" ] || ok=0
        case $want/$cmd in
        1/fmt) ;; # fmt has its own limit message (below)
        1/*) case $first in *"$msg"*) ;; *) ok=0 ;; esac ;;
        esac
        if [ $ok = 0 ]; then
            echo "FAIL $f [$cmd]: exit $rc (want $want): $first"
            fails=$((fails + 1))
        fi
    done
}

expect parens 1 "$PARSER"
expect not 1 "$PARSER"
expect neg 1 "$PARSER"
expect arith 1 "error: the expression nests 100002 levels deep; the limit is 1000 (nesting-depth), 99002 over"
expect and 0 ""
expect or 0 ""
expect within 0 ""

# fmt's own message for a tree deeper than it formats
(ulimit -s 1024; exec "$SEGC" fmt "$T/arith.seg") >/dev/null 2>"$T/err"
total=$((total + 1))
if ! grep -q "segc fmt cannot format an expression nested more than 1000 levels deep" "$T/err"; then
    echo "FAIL arith [fmt]: $(head -n 1 "$T/err" | cut -c 1-200)"
    fails=$((fails + 1))
fi

if [ $fails -ne 0 ]; then
    echo "deep.sh: $fails of $total failed"
    exit 1
fi
echo "deep.sh: all $total passed"
