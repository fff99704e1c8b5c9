#!/bin/sh
# cdnow.sh SEGC - the CDNOW example (examples/cdnow/): RFM from the raw
# purchase history of 23,570 real customers, at two dates, on both engines,
# against the committed outputs; point in time (a purchase after as_of
# changes nothing); the explanation of one customer; and, when the shared
# copy of the source file is there, that convert.sh still writes exactly the
# committed CSV files.
set -u
SEGC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
E=examples/cdnow
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

check() { # name, then a command whose success is the check
    name=$1
    shift
    if "$@" >"$T/log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL cdnow $name" >&2
        sed 's/^/  | /' "$T/log" | head -20 >&2
    fi
}

run() { # as_of engine [events file]
    "$SEGC" run $E/rfm.seg --schema $E/cdnow.schema --data $E/customers.csv \
        --events "purchases=${3:-$E/purchases.csv}" --as-of "$1" --engine "$2"
}

for a in 1997-09-30 1998-06-30; do
    for eng in interp jit; do
        run $a $eng >"$T/out-$a-$eng.txt" 2>"$T/err"
        check "run $a $eng" diff -u $E/out-$a.txt "$T/out-$a-$eng.txt"
        check "run $a $eng: no diagnostics" test ! -s "$T/err"
    done
done

# a purchase on 1997-10-01 is invisible as of 1997-09-30
cp $E/purchases.csv "$T/p.csv"
echo "1,1997-10-01,99,999.99" >>"$T/p.csv"
run 1997-09-30 jit "$T/p.csv" >"$T/late.txt" 2>&1
check "events after as_of are invisible" diff -u $E/out-1997-09-30.txt "$T/late.txt"
run 1997-10-01 interp "$T/p.csv" >"$T/seen.txt" 2>&1
check "and visible the day after" sh -c "! diff -q $E/out-1997-09-30.txt '$T/seen.txt'"

# customer 2: two purchases on 1997-01-12, 12.00 and 77.00 USD
"$SEGC" explain $E/rfm.seg --schema $E/cdnow.schema --data $E/customers.csv \
    --events purchases=$E/purchases.csv --as-of 1997-09-30 --key 2 \
    --segment Repeaters --segment BigSpenders >"$T/explain.txt" 2>&1
cat >"$T/want.txt" <<'OUT'
CdnowCustomer id = 2, as of 1997-09-30
member of: BigSpenders, BulkBuyers, rfm_segment.Lost

BigSpenders: yes
  monetary > avg(monetary where frequency > 0)  true   (monetary = 89.00 USD, avg(monetary where frequency > 0) = 73.11644039 USD)

Repeaters: no
  frequency >= 2  false  (frequency = 1)
OUT
check "explain customer 2" diff -u "$T/want.txt" "$T/explain.txt"

# an unknown customer in the events is an error that loads nothing ...
echo "99999,1997-05-01,1,1.00" >>"$T/p.csv"
run 1997-09-30 jit "$T/p.csv" >"$T/out" 2>"$T/err"
check "unknown customer: exit 1" test $? -eq 1
check "unknown customer: the message" grep -qF \
    "p.csv:69662:1: error: no customer has the key '99999'; this event is not loaded" "$T/err"
# ... and with --skip-bad-rows a warning
"$SEGC" run $E/rfm.seg --schema $E/cdnow.schema --data $E/customers.csv \
    --events "purchases=$T/p.csv" --as-of 1997-09-30 --skip-bad-rows \
    >"$T/out" 2>"$T/err"
check "skip-bad-rows: exit 0" test $? -eq 0
check "skip-bad-rows: the summary" grep -qF \
    "p.csv: warning: skipped 1 of 69661 events with bad values or unknown customers; loaded 69660" "$T/err"
check "skip-bad-rows: same members" diff -u $E/out-1997-09-30.txt "$T/out"

# a bad --events option is a usage error
"$SEGC" run $E/rfm.seg --schema $E/cdnow.schema --data $E/customers.csv \
    --events purchases >"$T/out" 2>"$T/err"
check "--events without =: exit 2" test $? -eq 2

src=../shared/data/CDNOW_master.txt
if [ -r "$src" ]; then
    mkdir "$T/conv"
    sh $E/convert.sh "$src" "$T/conv" >"$T/log" 2>&1
    check "convert.sh customers" cmp $E/customers.csv "$T/conv/customers.csv"
    check "convert.sh purchases" cmp $E/purchases.csv "$T/conv/purchases.csv"
fi

echo "cdnow: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
