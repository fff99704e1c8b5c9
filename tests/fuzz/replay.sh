#!/bin/sh
# replay.sh BUILD_DIR HARNESS [WRAPPER...] - runs the fuzz harness HARNESS
# without libFuzzer (BUILD_DIR/tests/replay_HARNESS, see replay.c) over
# tests/fuzz/regress/HARNESS/, the inputs that once found a bug, and over the
# examples; WRAPPER (valgrind ...) goes in front. Run from the repository
# root; tests/run_all.sh and tests/memcheck.sh call it.
set -eu
O=$1
h=$2
shift 2
set -- "$@" "$O/tests/replay_$h"
n=$#
[ -d "tests/fuzz/regress/$h" ] && set -- "$@" "tests/fuzz/regress/$h"
case $h in
rules | eval) set -- "$@" examples/rules.seg ;;
schema) set -- "$@" examples/customer.schema ;;
csv) set -- "$@" examples/customers.csv ;;
esac
if [ $# -eq "$n" ]; then
    echo "fuzz_$h: nothing to replay"
    exit 0
fi
exec "$@"
