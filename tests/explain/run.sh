#!/bin/sh
# run.sh SEGC - tests of `segc explain`:
#  * golden explanations, text and JSON, of all.seg (every construct an
#    explanation knows: comparisons, ages, lists, sets, strings, nulls and
#    three-valued logic, lowered constructs, statistics, scores, let, param,
#    const, an imported file, segments and tiers used as conditions, first
#    match) over customers.csv, of a string key, and of the examples;
#  * the invariant: for every customer of examples/customers.csv and every
#    segment and tier of examples/rules.seg and examples/shop.seg, the
#    membership an explanation shows (its "member of" line, each segment's
#    yes/no, the JSON "members") is the membership `segc run --export`
#    writes, with the JIT;
#  * errors: unknown keys and segments, usage.
# UPDATE=1 rewrites the golden files; EXPLAIN_RECORDS=N checks the
# invariant on the first N customers only.
set -u
SEGC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S=examples/customer.schema
E=tests/explain
G=$E/golden
D=$E/customers.csv
ASOF=2026-11-23
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1" >&2
}

# golden NAME CMD... : CMD exits 0, and its stdout is $G/NAME
golden() {
    name=$1
    shift
    if ! "$@" >"$T/out" 2>"$T/err"; then
        bad "$name: exit status $?"
        sed 's/^/  | /' "$T/err" | head -5 >&2
        return
    fi
    if [ -n "${UPDATE:-}" ]; then
        cp "$T/out" "$G/$name"
    fi
    if cmp -s "$G/$name" "$T/out"; then
        ok
    else
        bad "$name: differs from $G/$name"
        diff "$G/$name" "$T/out" | head -20 >&2
    fi
}

# fails NAME STATUS MESSAGE CMD... : CMD exits with STATUS, prints nothing
# on stdout, and MESSAGE on stderr
fails() {
    name=$1
    want=$2
    msg=$3
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$name: exit status $got, expected $want"
        sed 's/^/  | /' "$T/err" | head -5 >&2
    elif [ -s "$T/out" ]; then
        bad "$name: wrote to stdout"
    elif ! grep -qF -- "$msg" "$T/err"; then
        bad "$name: stderr lacks '$msg'"
        sed 's/^/  | /' "$T/err" | head -5 >&2
    else
        ok
    fi
}

X="$SEGC explain $E/all.seg --schema $S --data $D --as-of $ASOF"

# ---- golden explanations ---------------------------------------------------
golden all_1.txt $X --key 1
golden all_2.txt $X --key 2
golden all_5_expand.txt $X --key 5 --expand
golden all_1.json $X --key 1 --format json
golden all_2_expand.json $X --key 2 --format json --expand
golden params.txt $X --key 1 --param min_orders=5 --param "big=500 EUR" \
    --param lib_window=3d --segment Compare --segment value --segment Lib
golden keys.txt $X --key 3 --key 4 --segment Scores --segment value.Low
golden keys.json $X --key 6 --key 3 --format json --segment Stats
golden skey.txt $SEGC explain $E/skey.seg --data $E/skey.csv --as-of $ASOF \
    --key 'b "2"' --key a-1
golden skey.json $SEGC explain $E/skey.seg --data $E/skey.csv \
    --as-of $ASOF --key 'b "2"' --format json
golden rules_1.txt $SEGC explain examples/rules.seg --schema $S \
    --data examples/customers.csv --as-of $ASOF --key 1
golden shop_11.txt $SEGC explain examples/shop.seg --schema $S \
    --data examples/customers.csv --as-of $ASOF --key 11 --lib-path stdlib
golden shop_11.json $SEGC explain examples/shop.seg --schema $S \
    --data examples/customers.csv --as-of $ASOF --key 11 --lib-path stdlib \
    --format json --segment DachChampions --segment rfm_segment

# ---- errors ------------------------------------------------------------------
fails unknown-key 1 "error: no record has the key id = 99" $X --key 1 --key 99
fails bad-int-key 1 "'12x' is not a key: the key field 'id' holds integers" \
    $X --key 12x
fails unknown-string-key 1 'error: no record has the key code = "zz"' \
    $SEGC explain $E/skey.seg --data $E/skey.csv --key zz
fails unknown-segment 2 "no segment or classification 'Compar'; did you mean 'Compare'?" \
    $X --key 1 --segment Compar
fails no-key 2 "no customer given (--key KEY)" $X
fails no-data 2 "no data given" $SEGC explain $E/all.seg --schema $S --key 1
fails bad-format 2 "--format is text or json, not 'xml'" $X --key 1 --format xml
fails missing-data 2 "cannot open" $SEGC explain $E/all.seg --schema $S \
    --data "$T/nope.csv" --key 1
printf 'segment A where ordrs > 1\n' >"$T/bad.seg"
fails bad-rules 1 "unknown name 'ordrs'" $SEGC explain "$T/bad.seg" \
    --schema $S --data $D --key 1
if $SEGC explain --help | grep -q "usage: segc explain" &&
    $SEGC help explain | grep -q -- "--key KEY"; then ok; else bad help; fi
# without --as-of: now
if $SEGC explain $E/skey.seg --data $E/skey.csv --key a-1 |
    grep -q "^Account code = \"a-1\", as of 20"; then ok; else bad as-of-now; fi

# ---- the invariant: explain's membership is segc run's -------------------------
DATA=examples/customers.csv
N=${EXPLAIN_RECORDS:-0}
if [ "$N" -gt 0 ]; then
    head -n $((N + 1)) $DATA >"$T/data.csv"
    DATA=$T/data.csv
fi
keys=$(tail -n +2 $DATA | cut -d, -f1 | sed 's/^/--key /' | tr '\n' ' ')
for R in examples/rules.seg examples/shop.seg; do
    name=invariant-$(basename $R .seg)
    rm -rf "$T/export"
    if ! $SEGC run $R --schema $S --data $DATA --as-of $ASOF --engine jit \
        --export "$T/export" >/dev/null; then
        bad "$name: segc run failed"
        continue
    fi
    # segment,key for every member, from the export files (not the files
    # of classifications, which have two columns)
    for f in "$T"/export/*.csv; do
        head -1 "$f" | grep -q , && continue
        seg=$(basename "$f" .csv)
        tail -n +2 "$f" | sed "s/^/$seg,/"
    done | sort >"$T/run"
    # the JSON "members" of each record
    # shellcheck disable=SC2086
    $SEGC explain $R --schema $S --data $DATA --as-of $ASOF $keys \
        --format json |
        sed -E 's/^\{"key": ([^,]*), .*"members": \[([^]]*)\].*$/\1 \2/' |
        awk '{ for (i = 2; i <= NF; i++) { s = $i; gsub(/[",]/, "", s);
               print s "," $1 } }' | sort >"$T/json"
    # the text: "member of:" lines, and each segment's and tier's yes/no
    # shellcheck disable=SC2086
    $SEGC explain $R --schema $S --data $DATA --as-of $ASOF $keys |
        awk '
        / = .*, as of / { k = $0; sub(/^[^=]*= /, "", k); sub(/, as of .*/, "", k); next }
        /^member of: / { m = $0; sub(/^member of: /, "", m)
                         if (m != "none") { n = split(m, a, ", ")
                             for (i = 1; i <= n; i++) print a[i] "," k ",header" } next }
        /^[A-Za-z_][A-Za-z0-9_]*: (yes|no)$/ { s = $1; sub(/:$/, "", s)
                         if ($2 == "yes") print s "," k; next }
        /^[A-Za-z_][A-Za-z0-9_]*: [A-Za-z_][A-Za-z0-9_]*$/ { c = $1; sub(/:$/, "", c); next }
        /^  [A-Za-z_][A-Za-z0-9_]*: (yes|no)/ { t = $1; sub(/:$/, "", t)
                         if ($2 ~ /^yes/) print c "." t "," k; next }
        ' | sort >"$T/text-all"
    grep ',header$' "$T/text-all" | sed 's/,header$//' >"$T/text-header"
    grep -v ',header$' "$T/text-all" >"$T/text"
    if [ ! -s "$T/run" ]; then
        bad "$name: no members at all"
    elif ! cmp -s "$T/run" "$T/json"; then
        bad "$name: JSON members differ from segc run --export"
        diff "$T/run" "$T/json" | head -10 >&2
    elif ! cmp -s "$T/run" "$T/text-header"; then
        bad "$name: text 'member of' lines differ from segc run --export"
        diff "$T/run" "$T/text-header" | head -10 >&2
    elif ! cmp -s "$T/run" "$T/text"; then
        bad "$name: text yes/no lines differ from segc run --export"
        diff "$T/run" "$T/text" | head -10 >&2
    else
        ok
    fi
done

echo "explain: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
