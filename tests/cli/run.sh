#!/bin/sh
# run.sh SEGC - tests of the segc command line: exit codes, help, outputs
# (against golden files), exports, and the example data generator.
set -u
SEGC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=examples/customer.schema
R=examples/rules.seg
D=examples/customers.csv
G=tests/cli/golden
pass=0
fail=0
name=""

# t NAME EXIT CMD... : runs CMD, keeps stdout and stderr, checks the exit code
t() {
    name=$1
    want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $got, expected $want" >&2
        sed 's/^/  | /' "$T/err" | head -10 >&2
    fi
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $name: $1" >&2; }
out_is() { if printf '%s\n' "$1" | cmp -s - "$T/out"; then ok; else bad "stdout is not '$1'"; sed 's/^/  | /' "$T/out" | head -5 >&2; fi; }
out_file() { if cmp -s "$1" "$T/out"; then ok; else bad "stdout differs from $1"; diff "$1" "$T/out" | head -10 >&2; fi; }
out_has() { if grep -qF -- "$1" "$T/out"; then ok; else bad "stdout lacks '$1'"; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then ok; else bad "stderr lacks '$1'"; sed 's/^/  | /' "$T/err" | head -5 >&2; fi; }
err_empty() { if [ ! -s "$T/err" ]; then ok; else bad "stderr is not empty"; sed 's/^/  | /' "$T/err" | head -5 >&2; fi; }

# ---- general ------------------------------------------------------------------
t version 0 "$SEGC" --version
out_is "segc 0.1.0"
t no-args 2 "$SEGC"
err_has "usage: segc <command>"
t unknown-command 2 "$SEGC" frobnicate
err_has "unknown command 'frobnicate'"
t help 0 "$SEGC" --help
out_has "commands:"
t help-run 0 "$SEGC" help run
out_has "usage: segc run"
t check-help 0 "$SEGC" check --help
out_has "usage: segc check"
t run-help 0 "$SEGC" run --help
out_has "--skip-bad-rows"
t gen-help 0 "$SEGC" gen --help
out_has "usage: segc gen"

# ---- check ----------------------------------------------------------------------
t check-ok 0 "$SEGC" check $R --schema $S
out_is "examples/rules.seg: ok (11 segments)"
err_empty
printf 'segment A where orders > 1\nsegment B where ordrs > 1\nsegment C where revenue > 5\n' > "$T/bad.seg"
t check-errors 1 "$SEGC" check "$T/bad.seg" --schema $S
err_has "bad.seg:2:17: error: unknown name 'ordrs'; did you mean 'orders'?"
err_has "bad.seg:3:27: error: cannot compare 'revenue' (money(EUR)) with a bare number; write 5 EUR"
err_has "bad.seg: 2 errors"
t check-many 1 "$SEGC" check $R "$T/bad.seg" --schema $S
out_has "examples/rules.seg: ok (11 segments)"
err_has "bad.seg: 2 errors"
t check-missing-file 2 "$SEGC" check "$T/nope.seg" --schema $S
err_has "cannot open"
t check-missing-schema 2 "$SEGC" check $R --schema "$T/nope.schema"
err_has "cannot open"
t check-no-schema 1 "$SEGC" check $R
err_has "error: no schema"
t check-no-files 2 "$SEGC" check --schema $S
err_has "no rule files given"
t check-bad-option 2 "$SEGC" check --frob $R
err_has "unknown option '--frob'"
t check-option-needs-value 2 "$SEGC" check $R --schema
err_has "option --schema needs a value"
{ cat $S; echo 'segment A where orders > 1'; } > "$T/inline.seg"
t check-inline-schema 0 "$SEGC" check "$T/inline.seg"
t check-two-schemas 1 "$SEGC" check "$T/inline.seg" --schema $S
err_has "another schema was given"
t check-dump-ir 0 "$SEGC" check "$T/inline.seg" --dump-ir
out_is "A: (> orders 1)"

# ---- run -------------------------------------------------------------------------
t run-table 0 "$SEGC" run $R --schema $S --data $D --as-of 2026-11-23
out_file $G/run_table.txt
err_empty
t run-json 0 "$SEGC" run $R --schema $S --data $D --as-of 2026-11-23 --format json
out_file $G/run_json.txt
if [ "$(sqlite3 :memory: "select json_valid(readfile('$T/out'))")" = 1 ]; then ok; else bad "not valid JSON"; fi
if [ "$(wc -l < "$T/out")" -eq 1 ]; then ok; else bad "JSON is not one line"; fi
t run-as-of-timestamp 0 "$SEGC" run $R --schema $S --data $D --as-of 2026-11-23T00:00:00Z --format json
out_file $G/run_json.txt
t run-as-of-time 0 "$SEGC" run $R --schema $S --data $D --as-of 2026-11-23T10:30:00Z --format json
out_has '"as_of": "2026-11-23T10:30:00Z"'
t run-export 0 "$SEGC" run $R --schema $S --data $D --as-of 2026-11-23 --export "$T/exp"
n=$(ls "$T/exp" | wc -l)
if [ "$n" -eq 11 ]; then ok; else bad "export wrote $n files, not 11"; fi
if [ "$(head -1 "$T/exp/Dormant.csv")" = id ]; then ok; else bad "export header is not 'id'"; fi
want=$(grep '^Dormant ' $G/run_table.txt | awk '{print $2}')
got=$(($(wc -l < "$T/exp/Dormant.csv") - 1))
if [ "$got" -eq "$want" ]; then ok; else bad "Dormant.csv has $got members, the table says $want"; fi
t run-no-data 2 "$SEGC" run $R --schema $S
err_has "no data given"
t run-bad-format 2 "$SEGC" run $R --schema $S --data $D --format xml
err_has "--format is table or json"
t run-bad-as-of 2 "$SEGC" run $R --schema $S --data $D --as-of 2026-13-01
err_has "--as-of needs"
t run-missing-data 2 "$SEGC" run $R --schema $S --data "$T/nope.csv"
err_has "cannot open"
t run-rule-errors 1 "$SEGC" run "$T/bad.seg" --schema $S --data $D
err_has "unknown name 'ordrs'"
t run-two-rule-files 2 "$SEGC" run $R $R --schema $S --data $D
err_has "one rule file at a time"

# bad rows: by default nothing is loaded; --skip-bad-rows loads the rest
{ head -3 $D; echo "999999,x@example.com,DE,EU,b2c,,,2024-13-01,,,1,10.00,0.00,0,,0,,false,"; tail -n +4 $D | head -2; } > "$T/bad.csv"
t run-bad-rows 1 "$SEGC" run $R --schema $S --data "$T/bad.csv" --as-of 2026-11-23
err_has "bad.csv:4:"
err_has "month 13 is out of range"
err_has "1 of 5 rows have bad values; nothing was loaded"
t run-skip-bad-rows 0 "$SEGC" run $R --schema $S --data "$T/bad.csv" --as-of 2026-11-23 --format json --skip-bad-rows
err_has "warning: skipped 1 of 5 rows with bad values; loaded 4"
out_has '"records": 4'
out_has '"rejected": 1'

# an extra column is ignored with a warning
sed '1s/$/,note/; 2,$s/$/,x/' $D > "$T/extra.csv"
t run-extra-column 0 "$SEGC" run $R --schema $S --data "$T/extra.csv" --as-of 2026-11-23
err_has "warning: column 'note' is not a field of schema 'Customer'; ignored"
out_file $G/run_table.txt

# ---- gen -------------------------------------------------------------------------
t gen-example 0 "$SEGC" gen --records 5000 --seed 42
out_file $D
t gen-seed 0 "$SEGC" gen --records 50 --seed 7
cp "$T/out" "$T/g1"
t gen-seed-again 0 "$SEGC" gen --records 50 --seed 7
out_file "$T/g1"
t gen-other-seed 0 "$SEGC" gen --records 50 --seed 8
if cmp -s "$T/out" "$T/g1"; then bad "seeds 7 and 8 gave the same data"; else ok; fi
t gen-loads 0 "$SEGC" gen --records 2000 --seed 3 --out "$T/gen.csv"
t gen-runs 0 "$SEGC" run $R --schema $S --data "$T/gen.csv" --as-of 2026-11-23
out_has "2000 records, as of 2026-11-23"
t gen-bad-records 2 "$SEGC" gen --records many

# ---- the full language: libraries, parameters, classifications -------------------
# the stdlib is found next to the binary (build/segc -> stdlib/)
t lib-bundled 0 "$SEGC" check examples/shop.seg --schema $S
out_has "examples/shop.seg: ok"
printf 'import "rfmx"\nsegment A where orders > 1\n' > "$T/lib.seg"
t lib-not-found 1 "$SEGC" check "$T/lib.seg" --schema $S
err_has "lib.seg:1:1: error: no library 'rfmx'; did you mean 'rfm'?"
# --lib-path comes first, then SEGC_PATH, then the bundled library
mkdir -p "$T/libs" "$T/env"
printf 'segment FromLibPath where orders > 100\n' > "$T/libs/mine.seg"
printf 'segment FromEnv where orders > 200\n' > "$T/env/mine.seg"
printf 'import "mine"\n' > "$T/uses.seg"
t lib-path 0 "$SEGC" check "$T/uses.seg" --schema $S --lib-path "$T/libs" --dump-ir
out_has "FromLibPath:"
t lib-env 0 env SEGC_PATH="$T/nowhere:$T/env" "$SEGC" check "$T/uses.seg" --schema $S --dump-ir
out_has "FromEnv:"
t lib-path-before-env 0 env SEGC_PATH="$T/env" "$SEGC" check "$T/uses.seg" --schema $S --lib-path "$T/libs" --dump-ir
out_has "FromLibPath:"
t lib-path-needs-value 2 "$SEGC" check "$T/uses.seg" --schema $S --lib-path
err_has "option --lib-path needs a value"
# parameters
printf 'param min_orders = 2\nsegment Repeat where orders >= min_orders\n' > "$T/param.seg"
t param-default 0 "$SEGC" run "$T/param.seg" --schema $S --data $D --as-of 2026-11-23 --format json
out_has '"params": {"min_orders": "2"}'
out_has '{"name": "Repeat", "count": 2771,'
t param-set 0 "$SEGC" run "$T/param.seg" --schema $S --data $D --as-of 2026-11-23 --format json --param min_orders=10
out_has '"params": {"min_orders": "10"}'
t param-set-eq 0 "$SEGC" run "$T/param.seg" --schema $S --data $D --as-of 2026-11-23 --format json --param=min_orders=10
out_has '"params": {"min_orders": "10"}'
t param-wrong-type 1 "$SEGC" check "$T/param.seg" --schema $S --param min_orders=90d
err_has "error: parameter 'min_orders' is int; this value is duration"
t param-unknown 1 "$SEGC" check "$T/param.seg" --schema $S --param min_order=3
err_has "no parameter 'min_order' to set"
t param-malformed 1 "$SEGC" check "$T/param.seg" --schema $S --param min_orders
err_has "a parameter value is NAME=VALUE"
t param-twice 1 "$SEGC" check "$T/param.seg" --schema $S --param min_orders=1 --param min_orders=2
err_has "parameter 'min_orders' is given twice"
# classifications: table, JSON, and one file per tier plus a label file
t shop-table 0 "$SEGC" run examples/shop.seg --schema $S --data $D --as-of 2026-11-23
out_has "rfm_segment:"
out_has "  Champions"
out_has "  (none)"
t shop-json 0 "$SEGC" run examples/shop.seg --schema $S --data $D --as-of 2026-11-23 --format json
out_has '"classifications": [{"name": "rfm_segment", "tiers": [{"name": "Champions", "count": '
t shop-export 0 "$SEGC" run examples/shop.seg --schema $S --data $D --as-of 2026-11-23 --export "$T/exp"
if [ -f "$T/exp/rfm_segment.Champions.csv" ] && [ -f "$T/exp/rfm_segment.csv" ]; then ok; else bad "no tier or label export"; fi
if head -1 "$T/exp/rfm_segment.csv" | grep -qx 'id,rfm_segment'; then ok; else bad "label file header"; fi
# every tier's members are labelled with it, and nobody twice
n_tier=$(($(wc -l < "$T/exp/rfm_segment.Champions.csv") - 1))
n_label=$(grep -c ',Champions$' "$T/exp/rfm_segment.csv")
if [ "$n_tier" -eq "$n_label" ] && [ "$n_tier" -gt 0 ]; then ok; else bad "Champions: $n_tier members, $n_label labels"; fi
n_keys=$(tail -n +2 "$T/exp/rfm_segment.csv" | cut -d, -f1 | sort | uniq -d | wc -l)
if [ "$n_keys" -eq 0 ]; then ok; else bad "a customer has two labels"; fi
# the engines agree on statistics over many blocks (the compiled statistics
# pass works in chunks of 16384 records, and the last block is partial)
t gen-40k 0 "$SEGC" gen --records 40007 --seed 11 --out "$T/g40k.csv"
t shop-interp 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --engine interp --export "$T/ei"
cp "$T/out" "$T/shop_interp"
t shop-jit 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --engine jit --export "$T/ej"
out_file "$T/shop_interp"
if diff -r "$T/ei" "$T/ej" >/dev/null; then ok; else bad "exports of the engines differ"; fi

# ---- the linter (segc check): formats, --werror, --disable, budgets ------------------
printf 'param unused = 1\nsegment Never where orders > 5 and orders < 3\nsegment Ok where orders > 1\n' > "$T/lint.seg"
t lint-warnings 0 "$SEGC" check "$T/lint.seg" --schema $S
out_is "$T/lint.seg: ok (2 segments, 2 warnings)"
err_has "lint.seg:2:9: warning: segment 'Never' can never match: 'orders > 5' and 'orders < 3' cannot both be true [SEG101]"
err_has "lint.seg:1:7: warning: parameter 'unused' is never used [SEG201]"
t lint-werror 1 "$SEGC" check "$T/lint.seg" --schema $S --werror
t lint-disable 0 "$SEGC" check "$T/lint.seg" --schema $S --disable SEG101,SEG201 --werror
out_is "$T/lint.seg: ok (2 segments)"
err_empty
t lint-disable-twice 0 "$SEGC" check "$T/lint.seg" --schema $S --disable SEG101 --disable=SEG201 --werror
err_empty
t lint-json 0 "$SEGC" check "$T/lint.seg" --schema $S --format json
out_has '"severity": "warning", "id": "SEG101", "file": "'
out_has '"line": 2, "column": 9, "end_line": 2, "end_column": 13, "message": "segment '"'"'Never'"'"' can never match'
t lint-json-error 1 "$SEGC" check "$T/bad.seg" --schema $S --format json
out_has '"severity": "error", "id": null'
out_has '"fix": "orders"'
t lint-sarif 0 "$SEGC" check "$T/lint.seg" --schema $S --format sarif
out_has '"version": "2.1.0"'
out_has '"ruleId": "SEG101", "ruleIndex": 2, "level": "warning"'
t lint-bad-format 2 "$SEGC" check "$T/lint.seg" --schema $S --format xml
err_has "--format is gcc, json or sarif, not 'xml'"
printf 'segment Big where country in ["DE", "AT", "CH"] and orders > 1 and orders < 9\n' > "$T/budget.seg"
t lint-budget 1 "$SEGC" check "$T/budget.seg" --schema $S --max-conditions 2 --max-list 2 --werror
err_has "[SEG401]"
err_has "[SEG402]"
t lint-budget-bad 2 "$SEGC" check "$T/budget.seg" --schema $S --max-conditions 0
err_has "--max-conditions needs a positive number, not '0'"
# the standard library and the examples are clean
t lint-stdlib-clean 0 "$SEGC" check --werror --schema $S stdlib/b2b.seg stdlib/geo.seg stdlib/lifecycle.seg stdlib/rfm.seg examples/rules.seg examples/shop.seg
err_empty

# ---- --threads (issue 7): the same members and counts for any number of threads
# (shop.seg has RFM quintiles: statistics passes too), small morsels so that
# 40,007 records are split many times
t threads-1 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --threads 1 --format json --export "$T/et1"
cp "$T/out" "$T/threads1"
for n in 2 3 7; do
    for e in jit interp; do
        t threads-$n-$e 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --threads $n --morsel 640 --engine $e --format json --export "$T/et$n$e"
        out_file "$T/threads1"
        if diff -r "$T/et1" "$T/et$n$e" >/dev/null; then ok; else bad "exports with $n threads ($e) differ"; fi
    done
done
t threads-default 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --morsel 64 --format json
out_file "$T/threads1"
t threads-all 0 "$SEGC" run examples/shop.seg --schema $S --data "$T/g40k.csv" --as-of 2026-11-23 --threads 0 --format json
out_file "$T/threads1"
t threads-bad 2 "$SEGC" run $R --schema $S --data $D --threads -1
err_has "segc run: --threads needs a number from 1 to 256 (0: all cores), not '-1'"
t threads-too-many 2 "$SEGC" run $R --schema $S --data $D --threads 257
err_has "--threads needs a number from 1 to 256 (0: all cores), not '257'"
t threads-text 2 "$SEGC" run $R --schema $S --data $D --threads two
err_has "not 'two'"
t morsel-bad 2 "$SEGC" run $R --schema $S --data $D --morsel 100
err_has "segc run: --morsel needs a positive multiple of 64, not '100'"
t run-help-threads 0 "$SEGC" run --help
out_has "--threads N"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
