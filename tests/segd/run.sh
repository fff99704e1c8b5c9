#!/bin/sh
# run.sh SEGC - tests of packed data files (segc pack, docs/segd.md): run and
# explain over a .segd give exactly what they give over the CSV (the example
# and every case of tests/cases/ whose data loads), and the catalogue of bad
# packed files: truncated at every byte of the header and at every section
# boundary, a flipped byte in every byte of the header and in every section
# and padding, packed for another schema, trailing bytes; each with its
# exact diagnostic (tests/segd/golden/catalogue.txt). Also: atomic writes
# leave no temporary file and keep the old file on errors, --no-verify.
# SEGD_UPDATE=1 rewrites the golden file instead of comparing.
set -u
SEGC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export LC_ALL=C
S=examples/customer.schema
R=examples/rules.seg
D=examples/customers.csv
G=tests/segd/golden
AS_OF=2026-11-23
pass=0
fail=0
name=""

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $name: $1" >&2; }

# t NAME EXIT CMD... : runs CMD into $T/out and $T/err, checks the exit code
t() {
    name=$1
    want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then
        ok
    else
        bad "exit $got, expected $want"
        sed 's/^/  | /' "$T/err" | head -10 >&2
    fi
}
same() { # FILE1 FILE2 WHAT
    if cmp -s "$1" "$2"; then ok; else bad "$3 differ"; diff "$1" "$2" | head -10 >&2; fi
}

# u32 / u64 at a byte offset of a file (little-endian, like the format)
u32() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }
u64() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }
size() { wc -c <"$1" | tr -d ' '; }
# a copy of FILE cut to N bytes
cut_to() { head -c "$2" "$1" >"$3"; }
# a copy of FILE with the byte at OFFSET xor 0x01 (byte 0x01 as 0x00, etc.)
flip() {
    fb=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    nb=$((fb ^ 1))
    cp "$1" "$3"
    printf "$(printf '\\%03o' "$nb")" | dd of="$3" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# ---- same results as CSV -------------------------------------------------------------
t "pack the example" 0 "$SEGC" pack --schema $S --data $D -o "$T/c.segd"
name="pack's report"
if [ "$(cat "$T/out")" = "$T/c.segd: 5000 records, $(size "$T/c.segd") bytes" ]; then ok; else bad "$(cat "$T/out")"; fi
name="no temporary file left"
if [ "$(ls "$T" | grep -c tmp)" -eq 0 ]; then ok; else bad "$(ls "$T")"; fi
for eng in auto interp jit; do
    t "run csv ($eng)" 0 "$SEGC" run $R --schema $S --data $D --as-of $AS_OF --engine $eng --format json --export "$T/x-csv"
    mv "$T/out" "$T/csv.out"
    t "run segd ($eng)" 0 "$SEGC" run $R --schema $S --data "$T/c.segd" --as-of $AS_OF --engine $eng --format json --export "$T/x-segd"
    same "$T/csv.out" "$T/out" "run outputs ($eng)"
    for f in "$T"/x-csv/*.csv; do
        same "$f" "$T/x-segd/$(basename "$f")" "exports $(basename "$f") ($eng)"
    done
    rm -rf "$T/x-csv" "$T/x-segd"
done
t "run segd --no-verify" 0 "$SEGC" run $R --schema $S --data "$T/c.segd" --as-of $AS_OF --no-verify
mv "$T/out" "$T/nv.out"
t "run csv table" 0 "$SEGC" run $R --schema $S --data $D --as-of $AS_OF
same "$T/out" "$T/nv.out" "--no-verify output"
for k in 1 17 4999; do
    t "explain csv $k" 0 "$SEGC" explain $R --schema $S --data $D --as-of $AS_OF --key $k
    mv "$T/out" "$T/csv.out"
    t "explain segd $k" 0 "$SEGC" explain $R --schema $S --data "$T/c.segd" --as-of $AS_OF --key $k
    same "$T/csv.out" "$T/out" "explanations of $k"
done
# packing a packed file gives the same bytes
t "repack" 0 "$SEGC" pack --schema $S --data "$T/c.segd" -o "$T/c2.segd"
same "$T/c.segd" "$T/c2.segd" "repacked files"

# every case of tests/cases/ with a schema, rules and data that load
cases=0
for c in tests/cases/*.case; do
    grep -q '^--- options' "$c" && continue
    grep -q '^--- data$' "$c" || continue
    d=$T/case
    rm -rf "$d"
    mkdir -p "$d"
    awk -v dir="$d" '
        /^--- / { sec = $2; if (sec != "schema" && sec != "rules" && sec != "data" && sec != "as-of") sec = ""; next }
        sec != "" { print > (dir "/" sec) }
    ' "$c"
    [ -f "$d/schema" ] && [ -f "$d/rules" ] || continue
    asof=$AS_OF
    [ -f "$d/as-of" ] && asof=$(head -n 1 "$d/as-of")
    "$SEGC" run "$d/rules" --schema "$d/schema" --data "$d/data" --as-of "$asof" \
        --engine interp --export "$d/x1" >"$d/out1" 2>/dev/null || continue
    cases=$((cases + 1))
    t "pack $(basename "$c")" 0 "$SEGC" pack --schema "$d/schema" --data "$d/data" -o "$d/data.segd"
    for eng in interp jit; do
        t "run $(basename "$c") segd ($eng)" 0 "$SEGC" run "$d/rules" --schema "$d/schema" \
            --data "$d/data.segd" --as-of "$asof" --engine $eng --export "$d/x2"
        same "$d/out1" "$T/out" "$(basename "$c") outputs ($eng)"
        for f in "$d"/x1/*.csv; do
            same "$f" "$d/x2/$(basename "$f")" "$(basename "$c") exports ($eng)"
        done
        rm -rf "$d/x2"
    done
done
name="cases packed"
if [ "$cases" -ge 50 ]; then ok; else bad "only $cases cases"; fi

# ---- atomic writes -------------------------------------------------------------------------
printf 'id,email\n1,x\n' >"$T/bad.csv"
cp "$T/c.segd" "$T/keep.segd"
t "pack bad CSV" 1 "$SEGC" pack --schema $S --data "$T/bad.csv" -o "$T/keep.segd"
same "$T/c.segd" "$T/keep.segd" "the old file after a failed pack"
mkdir "$T/ro"
chmod 555 "$T/ro"
if [ -w "$T/ro" ]; then
    ok # running as root: the folder is writable anyway
else
    t "pack into a read-only folder" 2 "$SEGC" pack --schema $S --data $D -o "$T/ro/c.segd"
    name="no file in the read-only folder"
    if [ -z "$(ls "$T/ro")" ]; then ok; else bad "$(ls "$T/ro")"; fi
fi
t "pack into a missing folder" 2 "$SEGC" pack --schema $S --data $D -o "$T/nope/c.segd"
name="message for a missing folder"
if grep -qF "cannot create a temporary file for '$T/nope/c.segd'" "$T/err"; then ok; else bad "$(cat "$T/err")"; fi
name="no temporary file left after errors"
if [ "$(ls "$T" | grep -c tmp)" -eq 0 ]; then ok; else bad "$(ls "$T")"; fi
# a write that fails half-way (the file size limit: EFBIG, SIGXFSZ ignored):
# the old file stays, the temporary file goes
(trap '' XFSZ; ulimit -f 200; exec "$SEGC" pack --schema $S --data $D -o "$T/keep.segd") >"$T/out" 2>"$T/err"
rc=$?
name="a write that fails half-way"
if [ $rc -eq 2 ] && grep -qF "cannot write '$T/keep.segd': File too large" "$T/err"; then ok; else bad "$(cat "$T/err")"; fi
same "$T/c.segd" "$T/keep.segd" "the old file after a failed write"
name="no temporary file left after a failed write"
if [ "$(ls "$T" | grep -c tmp)" -eq 0 ]; then ok; else bad "$(ls "$T")"; fi
chmod 640 "$T/keep.segd"
t "pack over a file" 0 "$SEGC" pack --schema $S --data $D -o "$T/keep.segd"
name="mode kept"
if [ "$(stat -c %a "$T/keep.segd")" = 640 ]; then ok; else bad "mode $(stat -c %a "$T/keep.segd")"; fi
t "usage: no output" 2 "$SEGC" pack --schema $S --data $D
name="usage message"
if grep -qF "no output given (-o FILE.segd)" "$T/err"; then ok; else bad "$(cat "$T/err")"; fi
t "usage: unknown option" 2 "$SEGC" pack --schema $S --data $D -o "$T/u.segd" --append
t "pack --help" 0 "$SEGC" pack --help
name="pack --help"
if head -n 1 "$T/out" | grep -qF "usage: segc pack --schema FILE --data FILE -o FILE.segd"; then ok; else bad "$(head -n 1 "$T/out")"; fi
t "help pack" 0 "$SEGC" help pack
t "a missing data file" 2 "$SEGC" pack --schema $S --data "$T/none.csv" -o "$T/u.segd"
name="no file made"
if [ ! -e "$T/u.segd" ]; then ok; else bad "$T/u.segd exists"; fi

# ---- the catalogue of bad files --------------------------------------------------------------
# a small file: the first 20 customers of the example
head -n 21 $D >"$T/small.csv"
F=$T/small.segd
t "pack small" 0 "$SEGC" pack --schema $S --data "$T/small.csv" -o "$F"
n=$(size "$F")
nsec=$(u32 "$F" 44)
cat_out=$T/catalogue.txt
: >"$cat_out"
# try WHAT FILE [OPTIONS]: one line per case in the catalogue: what was
# done, the exit status and the diagnostics (the temporary folder's path
# written as T)
try() {
    what=$1
    file=$2
    shift 2
    "$SEGC" run $R --schema $S --data "$file" --as-of $AS_OF "$@" >"$T/out" 2>"$T/err"
    code=$?
    printf '%s: exit %s: %s\n' "$what" "$code" "$(sed "s|$T/||g" "$T/err" | tr '\n' ' ' | sed 's/ $//')" >>"$cat_out"
}
for b in $(seq 0 63); do
    cut_to "$F" "$b" "$T/bad.segd"
    try "header cut at $b" "$T/bad.segd"
done
tend=$((64 + 32 * nsec))
for b in $((tend - 1)) $tend; do
    cut_to "$F" "$b" "$T/bad.segd"
    try "cut at $b (end of table $tend)" "$T/bad.segd"
done
i=0
while [ $i -lt "$nsec" ]; do
    e=$((64 + 32 * i))
    off=$(u64 "$F" $((e + 8)))
    len=$(u64 "$F" $((e + 16)))
    end=$((off + len))
    for b in $off $((off + 1)) $((off + len / 2)) $((end - 1)); do
        [ "$b" -lt "$n" ] || continue
        cut_to "$F" "$b" "$T/bad.segd"
        try "section $i (bytes $off..$end) cut at $b" "$T/bad.segd"
        flip "$F" "$b" "$T/bad.segd"
        try "section $i (bytes $off..$end) byte $b flipped" "$T/bad.segd"
    done
    # the first byte of its table entry, and of its padding if it has some
    flip "$F" "$e" "$T/bad.segd"
    try "table entry $i byte $e flipped" "$T/bad.segd"
    if [ $i -gt 0 ] && [ "$off" -gt "$prev_end" ]; then
        flip "$F" "$prev_end" "$T/bad.segd"
        try "padding before section $i byte $prev_end flipped" "$T/bad.segd"
    fi
    prev_end=$end
    i=$((i + 1))
done
for b in $(seq 0 63); do
    flip "$F" "$b" "$T/bad.segd"
    try "header byte $b flipped" "$T/bad.segd"
done
{ cat "$F"; printf 'x'; } >"$T/bad.segd"
try "one byte appended" "$T/bad.segd"
# the records: with --no-verify they are trusted (a flipped byte in an int
# passes); a string id made huge fails the checksum (test_segd checks the
# ids of a file whose checksums fit)
rec_off=$(u64 "$F" $((64 + 32 * (nsec - 1) + 8)))
flip "$F" "$rec_off" "$T/bad.segd"
try "records byte $rec_off (an int) flipped, --no-verify" "$T/bad.segd" --no-verify
# record 0's email id is at bytes 80..83 (ten 8-byte values first): its
# high byte set to 'x'
cp "$F" "$T/bad.segd"
printf 'x' | dd of="$T/bad.segd" bs=1 seek=$((rec_off + 83)) conv=notrunc 2>/dev/null
try "records: a string id made huge" "$T/bad.segd"
# another schema: a field renamed
sed 's/^  orders /  n_orders /' $S >"$T/other.schema"
sed 's/\borders\b/n_orders/g' $R >"$T/other.seg"
"$SEGC" run "$T/other.seg" --schema "$T/other.schema" --data "$F" --as-of $AS_OF >"$T/out" 2>"$T/err"
printf 'another schema: exit %s: %s\n' "$?" "$(sed "s|$T/||g" "$T/err" | tr '\n' ' ' | sed 's/ $//')" >>"$cat_out"

name="catalogue"
if [ "${SEGD_UPDATE:-}" = 1 ]; then
    mkdir -p $G
    cp "$cat_out" $G/catalogue.txt
    ok
else
    same $G/catalogue.txt "$cat_out" "catalogue and $G/catalogue.txt"
fi
name="catalogue: every bad file is an error"
if grep -v ': exit 1: ' "$cat_out" | grep -v 'header cut at 0:' | grep -v -- '--no-verify' | grep -q .; then
    bad "$(grep -v ': exit 1: ' "$cat_out" | head -3)"
else
    ok
fi

echo "segd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
