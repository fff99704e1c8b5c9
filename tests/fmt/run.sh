#!/bin/sh
# run.sh SEGC - tests of `segc fmt` as a command: files rewritten in place
# (only when they change, keeping their permissions, through symbolic
# links), standard input to standard output, --check, --diff (against a
# golden diff, and applied with patch when it is installed), files with
# errors left alone, exit codes. The layouts themselves are tested by
# tests/unit/test_fmt.c against tests/fmt/*.in and *.out.
set -u
SEGC=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
F=tests/fmt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
name=""

t() {
    name=$1
    want=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $got, expected $want" >&2
        sed 's/^/  | /' "$T/err" | head -10 >&2
    fi
}
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $name: $1" >&2; }
same() { if cmp -s "$1" "$2"; then ok; else bad "$2 differs from $1"; diff "$1" "$2" | head -10 >&2; fi; }
out_is() { if printf '%s\n' "$1" | cmp -s - "$T/out"; then ok; else bad "stdout is not '$1'"; sed 's/^/  | /' "$T/out" | head -5 >&2; fi; }
out_empty() { if [ ! -s "$T/out" ]; then ok; else bad "stdout is not empty"; sed 's/^/  | /' "$T/out" | head -5 >&2; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then ok; else bad "stderr lacks '$1'"; sed 's/^/  | /' "$T/err" | head -5 >&2; fi; }
err_empty() { if [ ! -s "$T/err" ]; then ok; else bad "stderr is not empty"; sed 's/^/  | /' "$T/err" | head -5 >&2; fi; }

# ---- the repository's own files are formatted ----------------------------------
t repo-formatted 0 "$SEGC" fmt --check stdlib/*.seg examples/*.seg examples/*.schema
out_empty
err_empty

# ---- help and usage ---------------------------------------------------------------
t help 0 "$SEGC" fmt --help
grep -q "usage: segc fmt" "$T/out" && ok || bad "no usage line"
t help-command 0 "$SEGC" help fmt
grep -q -- "--check" "$T/out" && ok || bad "no --check in help"
t unknown-option 2 "$SEGC" fmt --frobnicate
err_has "unknown option '--frobnicate'"
t missing-file 2 "$SEGC" fmt "$T/nope.seg"
err_has "cannot open"

# ---- standard input -------------------------------------------------------------------
t stdin 0 "$SEGC" fmt <"$F/constructs.in"
same "$F/constructs.out" "$T/out"
t stdin-dash 0 "$SEGC" fmt - <"$F/comments.in"
same "$F/comments.out" "$T/out"
t stdin-check 1 "$SEGC" fmt --check <"$F/long.in"
out_is "<stdin>"
t stdin-check-ok 0 "$SEGC" fmt --check <"$F/long.out"
out_empty

# ---- in place ----------------------------------------------------------------------------
cp "$F/constructs.in" "$T/a.seg"
cp "$F/schema.in" "$T/b.schema"
cp "$F/long.out" "$T/c.seg"
chmod 640 "$T/a.seg"
ln -s b.schema "$T/link.schema"
inode_c=$(ls -i "$T/c.seg" | cut -d' ' -f1)
t in-place 0 "$SEGC" fmt "$T/a.seg" "$T/link.schema" "$T/c.seg"
out_empty
err_empty
same "$F/constructs.out" "$T/a.seg"
same "$F/schema.out" "$T/b.schema"
same "$F/long.out" "$T/c.seg"
[ "$(ls -l "$T/a.seg" | cut -c1-10)" = "-rw-r-----" ] && ok || bad "permissions not kept"
[ -L "$T/link.schema" ] && ok || bad "the symbolic link was replaced"
[ "$(ls -i "$T/c.seg" | cut -d' ' -f1)" = "$inode_c" ] && ok || bad "an unchanged file was rewritten"
ls -a "$T" | grep -q segc-fmt && bad "a temporary file was left" || ok

# ---- --check and --diff -----------------------------------------------------------------
cp "$F/comments.in" "$T/d.seg"
cp "$F/comments.out" "$T/e.seg"
t check 1 "$SEGC" fmt --check "$T/d.seg" "$T/e.seg"
out_is "$T/d.seg"
same "$F/comments.in" "$T/d.seg"
cp "$F/crlf.in" "$T/f.seg"
(cd "$T" && "$SEGC" fmt --diff d.seg e.seg f.seg >"$T/diff" 2>"$T/err")
[ $? -eq 1 ] && ok || bad "--diff: exit status is not 1"
same "$F/diff.golden" "$T/diff"
same "$F/comments.in" "$T/d.seg"
if command -v patch >/dev/null 2>&1; then
    (cd "$T" && patch -s -p1 <"$T/diff") && ok || bad "patch rejects the diff"
    same "$F/comments.out" "$T/d.seg"
    same "$F/crlf.out" "$T/f.seg"
fi
t diff-clean 0 "$SEGC" fmt --diff "$T/e.seg"
out_empty
t check-diff 1 "$SEGC" fmt --check --diff "$F/no_newline.in"
grep -q '^\\ No newline at end of file$' "$T/out" && ok || bad "no '\\ No newline' marker"

# ---- files that cannot be formatted ------------------------------------------------------
cp "$F/syntax_error.in" "$T/g.seg"
cp "$F/refuse_call.in" "$T/h.seg"
t errors 1 "$SEGC" fmt "$T/g.seg" "$T/h.seg" "$T/a.seg"
err_has "g.seg:1:19: error: syntax error"
err_has "g.seg: not formatted"
err_has "h.seg:1:36: error: segc fmt cannot keep a comment here"
same "$F/syntax_error.in" "$T/g.seg"
same "$F/refuse_call.in" "$T/h.seg"
t errors-check 1 "$SEGC" fmt --check "$T/g.seg"
out_empty

echo "fmt: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
