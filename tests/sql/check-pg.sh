#!/bin/sh
# check-pg.sh BUILD_DIR [PROGRAMS] - the SQL backend against PostgreSQL: every
# evaluation case of tests/cases/ and PROGRAMS random programs (default 2000)
# run in a private PostgreSQL instance over the same records as the
# interpreter, whose members they must equal. The instance lives in a temp
# folder (initdb + pg_ctl, a Unix socket, no TCP, no password, no system
# service) and is removed afterwards (KEEP=1 keeps it, for a look at the
# queries and their outputs; SQL_SEED=S another seed of random programs).
# `make check-pg` runs it.
set -eu
O=$1
N=${2:-2000}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "check-pg: PostgreSQL is not installed (scripts/install-deps.sh --postgres)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/segc-pg-XXXXXX)
chmod 755 "$tmp"
# the server refuses to run as root: then it runs as nobody
as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
started=0
cleanup() {
    [ "$started" = 1 ] && as_server "$PGBIN/pg_ctl" -D "$tmp/db" -m immediate stop >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export_failed=0
"$O/tests/sqltest" export "$tmp/x" --dialect postgres tests/cases --programs "$N" ${SQL_SEED:+--seed "$SQL_SEED"} || export_failed=1
mkdir "$tmp/db" "$tmp/sock"
[ "$(id -u)" = 0 ] && chown nobody "$tmp/db" "$tmp/sock"
as_server "$PGBIN/initdb" -D "$tmp/db" -A trust -U segc -E UTF8 --locale=C --no-sync >/dev/null
as_server "$PGBIN/pg_ctl" -D "$tmp/db" -l "$tmp/sock/log" -w \
    -o "-k $tmp/sock -c listen_addresses= -c fsync=off -c TimeZone=Asia/Kolkata" start >/dev/null
started=1

# one psql script: each table created and loaded with COPY once, each query's
# rows written to its own file
x=$tmp/x
{
    echo '\set ON_ERROR_STOP 0'
    echo 'SET client_min_messages = warning;'
    while read -r table query nsegs rest; do
        if [ ! -e "$x/$table.loaded" ]; then
            printf '\\i %s/%s.sql\n' "$x" "$table"
            printf "\\\\copy %s FROM '%s/%s.csv' WITH (FORMAT csv, HEADER true)\\n" "$table" "$x" "$table"
            : > "$x/$table.loaded"
        fi
        printf '\\o %s/%s.out\n' "$x" "$query"
        echo "COPY ("
        cat "$x/$query.sql"
        echo ") TO STDOUT WITH (FORMAT csv);"
    done < "$x/units.txt"
    echo '\o'
} > "$tmp/run.sql"
psql -X -q -h "$tmp/sock" -U segc -d postgres -f "$tmp/run.sql" 2> "$tmp/errors.txt" >/dev/null || true
version=$(psql -X -A -t -h "$tmp/sock" -U segc -d postgres -c 'SHOW server_version')

passed=0
failed=0
while read -r table query nsegs rest; do
    if [ -f "$x/$query.out" ] && LC_ALL=C sort "$x/$query.out" | cmp -s - "$x/$query.expect"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        if [ "$failed" -le 5 ]; then
            echo "FAIL $rest ($query): PostgreSQL disagrees with the interpreter" >&2
            if [ -f "$x/$query.out" ]; then
                LC_ALL=C sort "$x/$query.out" | diff "$x/$query.expect" - | head -6 >&2
            fi
            sed 's/^/    /' "$x/$query.sql" | head -40 >&2
        fi
    fi
done < "$x/units.txt"
if [ -s "$tmp/errors.txt" ]; then
    echo "check-pg: PostgreSQL reported errors:" >&2
    head -20 "$tmp/errors.txt" >&2
    failed=$((failed + 1))
fi
rows=$(cat "$x"/*.expect | wc -l)
echo "check-pg: PostgreSQL $version: $passed queries agree with the interpreter ($rows rows, tables loaded with COPY)"
echo "check-pg: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$export_failed" -eq 0 ]
