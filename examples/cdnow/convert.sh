#!/bin/sh
# convert.sh [CDNOW_master.txt [OUTDIR]] - writes customers.csv and
# purchases.csv (into OUTDIR, by default this folder) from the CDNOW master
# file: whitespace-separated, CRLF,
# a header line added by the lifetimes project, then customer_id (zero
# padded), date YYYYMMDD, number_of_cds, dollar_value.
#
# Deterministic: the rows keep the file's order, ids lose their leading
# zeros, dates become YYYY-MM-DD and amounts are copied as written (all
# have two decimals). The default input is the project's shared copy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
in=${1:-$here/../../../shared/data/CDNOW_master.txt}
out=${2:-$here}
[ -r "$in" ] || { echo "convert.sh: cannot read $in" >&2; exit 2; }
LC_ALL=C
export LC_ALL
tr -d '\r' < "$in" | awk -v cust="$out/customers.csv" \
                         -v ev="$out/purchases.csv" '
BEGIN { print "id" > cust; print "id,at,cds,amount" > ev }
NR == 1 && $1 == "customer_id" { next }
NF != 4 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/ {
    printf "convert.sh: line %d is not id date cds dollars\n", NR > "/dev/stderr"
    bad = 1
    exit 2
}
{
    id = $1 + 0
    if (!(id in seen)) {
        seen[id] = 1
        print id > cust
    }
    printf "%d,%s-%s-%s,%s,%s\n", id, substr($2, 1, 4), substr($2, 5, 2),
           substr($2, 7, 2), $3, $4 > ev
}
END { if (bad) exit 2 }'
