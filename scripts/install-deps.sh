#!/bin/sh
# install-deps.sh - installs what segc needs to build and test, from Debian 12
# packages. Run as root it installs what is missing with apt-get; otherwise it
# prints the exact command and fails. `make` runs it once per build folder.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --check  only report; exit 1 if something is missing
#   scripts/install-deps.sh fuzz     also what `make fuzz` needs
#   scripts/install-deps.sh memcheck also what `make memcheck` needs
#   scripts/install-deps.sh postgres also what `make check-pg` needs
set -eu

# gcc, make: the build; flex, bison: the front end; llvm-19-dev: the JIT;
# libcmocka-dev: unit tests; sqlite3: the independent cross-check of the
# bundled example.
# libsqlite3-dev: the SQL backend's tests in SQLite (tests/sqltest.c).
PACKAGES="gcc make flex bison llvm-19-dev libcmocka-dev sqlite3 libsqlite3-dev"
TOOLS=""

# clang-14 and libclang-rt-14-dev (libFuzzer, the sanitizer runtimes):
# make fuzz; valgrind: make memcheck.
check_only=""
for arg in "$@"; do
    case $arg in
    --check) check_only=1 ;;
    fuzz)
        PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev"
        TOOLS="$TOOLS clang-14"
        ;;
    memcheck)
        PACKAGES="$PACKAGES valgrind"
        TOOLS="$TOOLS valgrind"
        ;;
    postgres)
        # PostgreSQL for the SQL backend's tests in a private instance
        # (tests/sql/check-pg.sh); no service is started
        PACKAGES="$PACKAGES postgresql"
        TOOLS="$TOOLS psql"
        ;;
    *)
        echo "segc: install-deps.sh: unknown argument '$arg'" >&2
        exit 2
        ;;
    esac
done

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
    for p in $PACKAGES; do
        installed "$p" || missing="$missing $p"
    done
else
    # not Debian: check for the tools themselves and hope for the best
    for c in cc make flex bison llvm-config-19 sqlite3 $TOOLS; do
        command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
    done
    [ -f /usr/include/cmocka.h ] || [ -f /usr/local/include/cmocka.h ] ||
        missing="$missing cmocka"
    if [ -n "$missing" ]; then
        echo "segc: missing:$missing (install them with your package manager)" >&2
        exit 1
    fi
    exit 0
fi

[ -z "$missing" ] && exit 0
if [ -n "$check_only" ]; then
    echo "segc: missing packages:$missing" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ]; then
    echo "segc: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends $missing >&2
else
    echo "segc: these Debian packages are missing:$missing" >&2
    echo "segc: run:  sudo apt-get install -y$missing" >&2
    exit 1
fi
