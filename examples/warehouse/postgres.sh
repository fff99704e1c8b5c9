#!/bin/sh
# postgres.sh - runs examples/rules.seg in PostgreSQL over examples/customers.csv
# and checks the member counts against `segc run`.
#
#   examples/warehouse/postgres.sh [SEGC]
#
# psql connects as the PG* environment variables say (PGHOST, PGDATABASE,
# PGUSER, ...). It creates the table segc_demo_customers, and drops it at the
# end. Run from the repository root.
set -eu
SEGC=${1:-build/segc}
SCHEMA=examples/customer.schema
RULES=examples/rules.seg
CSV=examples/customers.csv
AS_OF=2026-11-23
TABLE=segc_demo_customers
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. the table, in segc's PostgreSQL encoding (docs/sql.md)
"$SEGC" sql --schema "$SCHEMA" --dialect postgres --table "$TABLE" \
    --create-table > "$tmp/create.sql"
# 2. the query: the member count of every segment as of AS_OF
"$SEGC" sql "$RULES" --schema "$SCHEMA" --dialect postgres --table "$TABLE" \
    --as-of "$AS_OF" --counts > "$tmp/counts.sql"

# 3. load the CSV with COPY. Its tags are 'vip;b2b' (segc's CSV form): they
#    arrive as text and become a text[]; an empty cell is the empty set.
psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS "$TABLE";
\i $tmp/create.sql
ALTER TABLE "$TABLE" ALTER COLUMN tags TYPE text;
\copy "$TABLE" FROM '$CSV' WITH (FORMAT csv, HEADER true, FORCE_NOT_NULL (tags))
ALTER TABLE "$TABLE" ALTER COLUMN tags TYPE text[]
    USING string_to_array(tags, ';');
SQL

# 4. run it, and the same rules in segc
psql -X -q -v ON_ERROR_STOP=1 --csv -f "$tmp/counts.sql" > "$tmp/sql.csv"
"$SEGC" run "$RULES" --schema "$SCHEMA" --data "$CSV" --as-of "$AS_OF" \
    --format json > "$tmp/segc.json"
psql -X -q -c "DROP TABLE \"$TABLE\""

# 5. compare: one line "segment count" per segment from each side
tr ',' '\n' < "$tmp/sql.csv" | head -n "$(head -1 "$tmp/sql.csv" | tr ',' '\n' | wc -l)" > "$tmp/names"
tail -1 "$tmp/sql.csv" | tr ',' '\n' | paste -d' ' "$tmp/names" - > "$tmp/sql.txt"
sed 's/{"name": "\([^"]*\)", "count": \([0-9]*\)[^}]*}/\n\1 \2\n/g' "$tmp/segc.json" |
    grep -E '^[A-Za-z_][A-Za-z0-9_]* [0-9]+$' > "$tmp/segc.txt"
echo "segment members (PostgreSQL)"
cat "$tmp/sql.txt"
if cmp -s "$tmp/sql.txt" "$tmp/segc.txt"; then
    echo "PostgreSQL and segc run agree on every segment"
else
    echo "PostgreSQL and segc run disagree:" >&2
    diff "$tmp/segc.txt" "$tmp/sql.txt" >&2
    exit 1
fi
