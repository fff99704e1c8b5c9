#!/bin/sh
# seeds.sh OUT - writes the seed corpora of the fuzz harnesses to OUT/HARNESS/
# (made afresh each time; run from the repository root):
#
#   rules, eval  the rules of every case in tests/cases/, alone and with the
#                case's schema in front (a rule file with an inline schema);
#                examples/rules.seg, alone and after examples/customer.schema;
#                stdlib/**/*.seg when there is a stdlib/
#   schema       the schema of every case; examples/customer.schema
#   csv          the data of every case (inline or data-file); slices of
#                examples/customers.csv (the header and 1, 10, 40, 300 rows)
#   oom          all of the above behind fuzz_oom's three bytes
#   segd         slices of examples/customers.csv (1, 10, 40 rows) packed
#                by $SEGC (default build/segc) when it is there; the
#                regression inputs in tests/fuzz/regress/segd/ otherwise
set -eu
OUT=$1
export LC_ALL=C
rm -rf "$OUT"
mkdir -p "$OUT/rules" "$OUT/eval" "$OUT/schema" "$OUT/csv"

for c in tests/cases/*.case; do
    base=$(basename "$c" .case)
    dir=$(dirname "$c")
    tmp=$OUT/.case
    rm -rf "$tmp"
    mkdir -p "$tmp"
    # one file per section: schema, rules, data; data-file names its file
    awk -v dir="$tmp" '
        /^--- / {
            sec = $2
            if (sec == "data-file") { print $3 > (dir "/data-file"); sec = "" }
            else if (sec != "schema" && sec != "rules" && sec != "data") sec = ""
            next
        }
        sec != "" { print > (dir "/" sec) }
    ' "$c"
    if [ -f "$tmp/rules" ]; then
        cp "$tmp/rules" "$OUT/rules/$base.seg"
        cp "$tmp/rules" "$OUT/eval/$base.seg"
        if [ -f "$tmp/schema" ]; then
            cat "$tmp/schema" "$tmp/rules" >"$OUT/rules/$base.inline.seg"
            cp "$OUT/rules/$base.inline.seg" "$OUT/eval/$base.inline.seg"
        fi
    fi
    [ -f "$tmp/schema" ] && cp "$tmp/schema" "$OUT/schema/$base.schema"
    [ -f "$tmp/data" ] && cp "$tmp/data" "$OUT/csv/$base.csv"
    if [ -f "$tmp/data-file" ]; then
        f="$dir/$(cat "$tmp/data-file")"
        [ -f "$f" ] && cp "$f" "$OUT/csv/$base.file.csv"
    fi
    rm -rf "$tmp"
done

for h in rules eval; do
    cp examples/rules.seg "$OUT/$h/example.seg"
    cat examples/customer.schema examples/rules.seg >"$OUT/$h/example.inline.seg"
done
cp examples/customer.schema "$OUT/schema/example.schema"
for n in 1 10 40 300; do
    head -n $((n + 1)) examples/customers.csv >"$OUT/csv/example-$n.csv"
done
head -n 1 examples/customers.csv >"$OUT/csv/example-header.csv"

if [ -d stdlib ]; then
    find stdlib -name '*.seg' | while read -r f; do
        name=$(echo "$f" | tr '/' '_')
        cp "$f" "$OUT/rules/$name"
        cp "$f" "$OUT/eval/$name"
    done
fi

# oom: three bytes (the pipeline; which allocation fails, as a fraction)
# before the seeds of the others: rules against the example schema (0),
# rules with an inline schema (1), schemas (2), CSV (3)
mkdir -p "$OUT/oom"
prefix() { # MODE HIGH LOW SRC DEST (the three bytes in octal)
    { printf "\\$1\\$2\\$3"; cat "$4"; } >"$5"
}
for f in "$OUT"/rules/*; do
    b=$(basename "$f")
    case $b in
    *.inline.seg) prefix 001 200 000 "$f" "$OUT/oom/1-$b" ;;
    *) prefix 000 200 000 "$f" "$OUT/oom/0-$b" ;;
    esac
done
# schemas are small: every allocation fails in turn (bit 7 of byte 0)
for f in "$OUT"/schema/*; do
    prefix 202 100 000 "$f" "$OUT/oom/2-$(basename "$f")"
done
for f in "$OUT"/csv/*; do
    prefix 003 300 000 "$f" "$OUT/oom/3-$(basename "$f")"
done

# segd: packed slices of the example
mkdir -p "$OUT/segd"
SEGC=${SEGC:-build/segc}
if [ -x "$SEGC" ]; then
    for n in 1 10 40; do
        "$SEGC" pack --schema examples/customer.schema \
            --data "$OUT/csv/example-$n.csv" -o "$OUT/segd/example-$n.segd" \
            >/dev/null
    done
elif [ -d tests/fuzz/regress/segd ]; then
    cp tests/fuzz/regress/segd/* "$OUT/segd/"
fi
