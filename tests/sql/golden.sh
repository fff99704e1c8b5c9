#!/bin/sh
# golden.sh SEGC - the SQL of every IR construct in every dialect, compared
# with the files reviewed by hand in tests/sql/golden/ (BigQuery, Spark and
# Trino have no engine here: this is their test). UPDATE=1 rewrites them.
set -u
SEGC=$1
g=tests/sql/golden
passed=0
failed=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
check() { # NAME COMMAND...
    name=$1
    shift
    "$@" > "$tmp" 2>&1
    echo "exit $?" >> "$tmp"
    if [ -n "${UPDATE:-}" ]; then
        cp "$tmp" "$g/$name"
    fi
    if cmp -s "$tmp" "$g/$name"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "golden: $name differs:" >&2
        diff "$g/$name" "$tmp" | head -20 >&2
    fi
}
for d in postgres duckdb sqlite bigquery spark trino; do
    check "$d.sql" "$SEGC" sql $g/constructs.seg --schema $g/golden.schema \
        --dialect "$d" --as-of 2024-03-31T13:45:10Z --table shop.customers
    check "$d.counts.sql" "$SEGC" sql $g/nullable_set.seg --schema $g/golden.schema \
        --dialect "$d" --as-of 2024-03-31 --counts
    check "$d.create.sql" "$SEGC" sql --schema $g/golden.schema --dialect "$d" \
        --create-table
    # the constructs of the language's second part, with a parameter set
    # and a library found through --lib-path
    check "language.$d.sql" "$SEGC" sql $g/language.seg --schema $g/golden.schema \
        --dialect "$d" --as-of 2024-03-31T13:45:10Z --table shop.customers \
        --param "min_rev=50 EUR" --lib-path $g/lib
    # what no dialect can write exactly: errors, exit status 1
    check "$d.refused.txt" "$SEGC" sql $g/refused.seg --schema $g/golden.schema \
        --dialect "$d" --as-of 2024-03-31
done
# usage errors: exit status 2, nothing on standard output
for args in "--dialect oracle" "" "--dialect sqlite --table a..b" "--dialect sqlite --as-of yesterday" "--dialect sqlite --param"; do
    # shellcheck disable=SC2086
    out=$("$SEGC" sql $g/constructs.seg --schema $g/golden.schema $args 2>/dev/null)
    code=$?
    if [ "$code" -eq 2 ] && [ -z "$out" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "golden: 'segc sql $args' exited $code (want 2, no output)" >&2
    fi
done
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
