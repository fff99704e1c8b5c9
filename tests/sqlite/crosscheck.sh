#!/bin/sh
# crosscheck.sh SEGC - evaluates examples/rules.seg with segc and, independently,
# with hand-written SQL in SQLite (crosscheck.sql) over the same CSV, and
# fails unless every segment has exactly the same members.
set -eu
SEGC=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$SEGC" run examples/rules.seg --schema examples/customer.schema \
    --data examples/customers.csv --as-of 2026-11-23 --export "$tmp/out" >/dev/null
for f in "$tmp"/out/*.csv; do
    seg=$(basename "$f" .csv)
    tail -n +2 "$f" | sed "s/^/$seg,/"
done | sort -t, -k1,1 -k2,2n > "$tmp/segc.txt"

sqlite3 :memory: < tests/sqlite/crosscheck.sql | sort -t, -k1,1 -k2,2n > "$tmp/sqlite.txt"

segs=$(cut -d, -f1 "$tmp/segc.txt" | sort -u | wc -l)
rows=$(wc -l < "$tmp/segc.txt")
if ! cmp -s "$tmp/segc.txt" "$tmp/sqlite.txt"; then
    echo "sqlite crosscheck: segc and SQLite disagree:" >&2
    diff "$tmp/segc.txt" "$tmp/sqlite.txt" | head -20 >&2
    exit 1
fi
# the check means something only if every segment of the example has members
want=$(grep -c '^segment ' examples/rules.seg)
if [ "$segs" -ne "$want" ]; then
    echo "sqlite crosscheck: $want segments, but only $segs have members" >&2
    exit 1
fi
echo "sqlite crosscheck: $rows memberships in $segs segments agree"
