#!/bin/sh
# check-duckdb.sh BUILD_DIR [PROGRAMS] - the SQL backend against DuckDB (npm's
# @duckdb/node-api, installed by `make check-duckdb` with npm ci): every
# evaluation case and PROGRAMS random programs (default 2000), over the same
# records as the interpreter, whose members they must equal (SQL_SEED=S:
# another seed of random programs).
set -eu
O=$1
N=${2:-2000}
tmp=$(mktemp -d /tmp/segc-duckdb-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
export_failed=0
"$O/tests/sqltest" export "$tmp/x" --dialect duckdb tests/cases --programs "$N" ${SQL_SEED:+--seed "$SQL_SEED"} || export_failed=1
node tests/sql/duckdb/check.mjs "$tmp/x"
[ "$export_failed" -eq 0 ]
