#!/bin/sh
# check.sh BUILD_DIR - what a host that embeds segc relies on
# (docs/embedding.md), against one build folder:
#
#   1. libsegc.so exports exactly the functions include/segc.h declares
#      (all segc_*), and its soname is libsegc.so.0;
#   2. `segc layout`: the table and the C header of examples/customer.schema
#      against golden files, its errors, and the header of every schema in
#      tests/cases compiled as C17 (-pedantic) and as C++;
#   3. make install into a temp DESTDIR and PREFIX: the files, the man page
#      (rendered by groff without warnings, naming every command of
#      `segc --help`), the installed segc with its installed stdlib;
#   4. through pkg-config against the installed libsegc.so: pack.c, which
#      packs records by hand through the generated struct and compares them
#      byte for byte with the loader's; evaluate.c, which evaluates such a
#      record one at a time (golden/evaluate.out); the complete example of
#      docs/embedding.md (shared and static); and examples/embed/embed.c,
#      whose output is compared with examples/embed/expected.txt;
#   5. make uninstall leaves no file behind.
#
# The make command is $MAKE (default make); the C compiler $CC (default cc),
# with $EMBED_CFLAGS (the sanitizer flags of the build folder, if any).
set -u
O=${1:-build}
MAKE=${MAKE:-make}
CC=${CC:-cc}
CXX=${CXX:-c++}
SEGC=$O/segc
G=tests/embed/golden
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
name=""

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL $name: $1" >&2
    [ -s "$T/err" ] && sed 's/^/  | /' "$T/err" | head -20 >&2
    : >"$T/err"
}
# t NAME EXIT CMD...: runs CMD (stdout in $T/out, stderr in $T/err), checks
# its exit status
t() {
    name=$1
    want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "exit $got, expected $want"; fi
}
out_file() {
    if cmp -s "$1" "$T/out"; then ok; else
        bad "stdout differs from $1"
        diff "$1" "$T/out" | head -20 >&2
    fi
}
err_has() {
    if grep -qF -- "$1" "$T/err"; then ok; else bad "stderr lacks '$1'"; fi
}

# ---- 1. the exported symbols and the soname --------------------------------------
name=symbols
nm -D --defined-only "$O/libsegc.so" | awk '{print $NF}' | sed 's/@.*//' |
    sort -u >"$T/exported"
# every function declared SEGC_API, whatever its line breaks
grep -v '^#' include/segc.h | tr '\n' ' ' | grep -o 'SEGC_API [^;{]*(' |
    sed 's/($//; s/.*[ *]//' | sort -u >"$T/declared"
if [ ! -s "$T/exported" ] || [ ! -s "$T/declared" ]; then
    bad "no symbols found (nm or include/segc.h)"
elif grep -v '^segc_' "$T/exported" >"$T/err"; then
    bad "libsegc.so exports names outside segc_*"
elif ! cmp -s "$T/declared" "$T/exported"; then
    diff "$T/declared" "$T/exported" >"$T/err"
    bad "exported functions differ from those segc.h declares (< declared, > exported)"
else
    ok
fi
name=soname
soname=$(readelf -d "$O/libsegc.so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [ "$soname" = "libsegc.so.0" ]; then ok; else bad "soname is '$soname'"; fi

# ---- 2. segc layout ------------------------------------------------------------------
t layout-table 0 "$SEGC" layout --schema examples/customer.schema
out_file "$G/customer.layout"
t layout-header 0 "$SEGC" layout --schema examples/customer.schema --c-header
out_file "$G/customer.h"
t layout-help 0 "$SEGC" layout --help
t layout-no-schema 2 "$SEGC" layout --c-header
err_has "segc layout: no schema given (--schema FILE)"
t layout-missing 2 "$SEGC" layout --schema "$T/nope.schema"
err_has "cannot open"
t layout-bad-option 2 "$SEGC" layout --schema examples/customer.schema --json
err_has "unknown option '--json'"
t layout-positional 2 "$SEGC" layout examples/customer.schema
err_has "unexpected argument 'examples/customer.schema'"
printf 'schema X {\n  id : int key\n  a : nope\n}\n' >"$T/bad.schema"
t layout-bad-schema 1 "$SEGC" layout --schema "$T/bad.schema"
err_has "bad.schema:3:7: error: unknown type 'nope'"

# the header of every distinct schema of the cases compiles, as C17 and C++
name=layout-cases
mkdir -p "$T/schemas"
n=0
compiled=0
for c in tests/cases/*.case tests/embed/everything.schema \
    tests/embed/names.schema; do
    case $c in
    *.case) sed -n '/^--- schema$/,/^--- /p' "$c" | sed '1d;$d' >"$T/s" ;;
    *) cp "$c" "$T/s" ;;
    esac
    [ -s "$T/s" ] || continue
    h=$(cksum <"$T/s" | cut -d' ' -f1)
    [ -e "$T/schemas/$h.schema" ] && continue
    cp "$T/s" "$T/schemas/$h.schema"
    n=$((n + 1))
    # schemas that are meant to be refused are refused by layout too
    "$SEGC" layout --schema "$T/schemas/$h.schema" --c-header \
        >"$T/schemas/$h.h" 2>/dev/null || continue
    printf '#include "%s.h"\n' "$h" >"$T/schemas/$h.c"
    if ! "$CC" -std=c17 -Wall -Wextra -Werror -pedantic -fsyntax-only \
        -I"$T/schemas" "$T/schemas/$h.c" 2>"$T/err"; then
        bad "the header of $c does not compile as C17"
        continue
    fi
    if ! "$CXX" -std=c++11 -Wall -Wextra -Werror -fsyntax-only -x c++ \
        -I"$T/schemas" "$T/schemas/$h.c" 2>"$T/err"; then
        bad "the header of $c does not compile as C++"
        continue
    fi
    compiled=$((compiled + 1))
done
# the renamed members of names.schema
name=layout-names
"$SEGC" layout --schema tests/embed/names.schema --c-header >"$T/out" 2>"$T/err"
if grep -q '^    int64_t default__; /\* int \*/$' "$T/out" &&
    grep -q '^    int64_t default_; ' "$T/out" &&
    grep -q '^    uint32_t class_; ' "$T/out" &&
    grep -q '^    uint8_t segc_nulls__; ' "$T/out" &&
    grep -q '^    uint8_t segc_nulls___; ' "$T/out" &&
    grep -q '^    int32_t segc_pad0_; ' "$T/out" &&
    grep -q '^} int__record;$' "$T/out"; then ok; else
    bad "members of names.schema not renamed as expected"
fi
# most case schemas are valid; a handful exist to be refused
if [ "$compiled" -ge 20 ]; then ok; else
    bad "only $compiled of $n schemas gave a header that compiles"
fi

# ---- 3. make install -------------------------------------------------------------------
name=install
STAGE=$T/stage
P=/opt/segc-test
R=$STAGE$P
if $MAKE --no-print-directory -s O="$O" DESTDIR="$STAGE" PREFIX="$P" \
    install >"$T/out" 2>"$T/err"; then ok; else bad "make install failed"; fi
version=$(sed -n 's/^#define SEGC_VERSION_STRING "\(.*\)"/\1/p' include/segc.h)
for f in bin/segc lib/libsegc.a "lib/libsegc.so.$version" lib/libsegc.so.0 \
    lib/libsegc.so include/segc.h lib/pkgconfig/segc.pc \
    share/segc/stdlib/rfm.seg share/man/man1/segc.1; do
    name="install-$f"
    if [ -e "$R/$f" ]; then ok; else bad "not installed"; fi
done
name=install-links
if [ "$(readlink "$R/lib/libsegc.so.0")" = "libsegc.so.$version" ] &&
    [ "$(readlink "$R/lib/libsegc.so")" = "libsegc.so.0" ]; then ok; else
    bad "libsegc.so -> libsegc.so.0 -> libsegc.so.$version expected"
fi
# the installed segc finds the installed standard library first
name=install-stdlib
mkdir -p "$T/elsewhere"
cp examples/shop.seg examples/customer.schema "$T/elsewhere/"
t installed-segc 0 "$R/bin/segc" check "$T/elsewhere/shop.seg" \
    --schema "$T/elsewhere/customer.schema"
mv "$R/share/segc/stdlib/rfm.seg" "$T/rfm.seg.away"
t installed-stdlib-used 1 "$R/bin/segc" check "$T/elsewhere/shop.seg" \
    --schema "$T/elsewhere/customer.schema"
err_has "rfm"
mv "$T/rfm.seg.away" "$R/share/segc/stdlib/rfm.seg"

# the man page renders without warnings and names every command
name=man-page
if command -v groff >/dev/null 2>&1; then
    if groff -man -Tutf8 -ww -z "$R/share/man/man1/segc.1" 2>"$T/err" &&
        [ ! -s "$T/err" ]; then ok; else bad "groff warns"; fi
    groff -man -Tutf8 "$R/share/man/man1/segc.1" 2>/dev/null |
        sed 's/.\x08//g' >"$T/man.txt"
    "$SEGC" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}' |
        while read -r cmd; do
            grep -q "segc $cmd" "$T/man.txt" || echo "$cmd"
        done >"$T/missing"
    name=man-commands
    if [ -s "$T/missing" ]; then
        bad "segc.1 does not name: $(tr '\n' ' ' <"$T/missing")"
    else ok; fi
fi

# ---- 4. programs built through pkg-config against the installed library -------------
export PKG_CONFIG_PATH="$R/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$STAGE"
name=pkg-config
flags=$(pkg-config --cflags --libs segc 2>"$T/err" | sed 's/ *$//')
if [ "$flags" = "-I$R/include -L$R/lib -lsegc" ] &&
    [ "$(pkg-config --modversion segc)" = "$version" ]; then ok; else
    bad "pkg-config gives '$flags'"
fi

# build CC NAME SRC...: a program built against the installed library only
# (no -I of the source tree), run with the installed libsegc.so.0
build() {
    out=$1
    shift
    # shellcheck disable=SC2046,SC2086
    "$CC" -std=c17 -Wall -Wextra -Werror -pedantic ${EMBED_CFLAGS:-} \
        -o "$T/$out" "$@" \
        $(pkg-config --cflags segc) $(pkg-config --libs segc) 2>"$T/err"
}
export LD_LIBRARY_PATH="$R/lib"

"$SEGC" layout --schema tests/embed/everything.schema --c-header \
    >"$T/everything.h"
name=pack-build
if build pack -I"$T" tests/embed/pack.c; then ok; else bad "pack.c does not build"; fi
name=pack-linked
if ldd "$T/pack" 2>/dev/null | grep -q "libsegc.so.0 => $R/lib/libsegc.so.0"; then
    ok; else bad "pack is not linked with the installed libsegc.so.0"; fi
t pack 0 "$T/pack" tests/embed/everything.schema tests/embed/everything.csv
# the real-time path: a record packed through the struct, evaluated alone
"$SEGC" layout --schema examples/customer.schema --c-header >"$T/customer.h"
name=evaluate-build
if build evaluate -I"$T" tests/embed/evaluate.c; then ok; else
    bad "evaluate.c does not build"
fi
t evaluate 0 "$T/evaluate" examples/customer.schema examples/rules.seg \
    examples/customers.csv
out_file "$G/evaluate.out"
# the complete example of docs/embedding.md, with its output there, built
# against the shared library and against the static one
# block NAME: the fenced block after the line <!-- test: NAME -->
block() {
    awk -v m="<!-- test: $1 -->" '$0 == m { on = 1; next }
        on == 1 && /^```/ { on = 2; next }
        on == 2 && /^```$/ { exit }
        on == 2 { print }' docs/embedding.md
}
block count.c >"$T/count.c"
block count.out >"$T/count.want"
mkdir -p "$T/run"
cp examples/customer.schema examples/customers.csv "$T/run/"
name=doc-example-build
if [ -s "$T/count.c" ] && [ -s "$T/count.want" ] && build count "$T/count.c"
then ok; else bad "the example of docs/embedding.md does not build"; fi
t doc-example 0 sh -c "cd '$T/run' && '$T/count'"
out_file "$T/count.want"
name=doc-example-static
# shellcheck disable=SC2046,SC2086
if "$CC" -std=c17 ${EMBED_CFLAGS:-} -o "$T/count_static" "$T/count.c" \
    $(pkg-config --cflags segc) -Wl,-Bstatic \
    $(pkg-config --static --libs segc | sed 's/-lsegc/-lsegc -Wl,-Bdynamic/') \
    2>"$T/err" && ! ldd "$T/count_static" | grep -q libsegc; then ok; else
    bad "the example does not link statically"
fi
t doc-example-static-run 0 sh -c "cd '$T/run' && '$T/count_static'"
out_file "$T/count.want"

if [ -e examples/embed/embed.c ]; then
    name=embed-build
    if build embed examples/embed/embed.c; then ok; else
        bad "examples/embed/embed.c does not build"
    fi
    t embed 0 "$T/embed" examples/embed
    out_file examples/embed/expected.txt
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR LD_LIBRARY_PATH

# ---- 5. make uninstall --------------------------------------------------------------------
name=uninstall
if $MAKE --no-print-directory -s O="$O" DESTDIR="$STAGE" PREFIX="$P" \
    uninstall >"$T/out" 2>"$T/err"; then ok; else bad "make uninstall failed"; fi
name=uninstall-clean
find "$STAGE" ! -type d >"$T/left"
if [ -s "$T/left" ]; then bad "left behind: $(tr '\n' ' ' <"$T/left")"; else ok; fi

echo "embed: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
