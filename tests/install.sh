#!/bin/sh
# The install path (make install-test, part of make test's zlib-test): a
# tree `make install PREFIX=DIR/before` made is used as a user would.
#   1. the installed tool, run from a folder holding a broken
#      fonts/manifest.json with CARDRENDER_FONT_MANIFEST unset, reads the
#      installed manifest (never the folder's) and renders a golden case's
#      card to its exact pixels; the man pages cardrender(1) and
#      cardrender-template(5) are under share/man, name the installed
#      manifest, and man finds them (when man is there);
#   2. the tree, moved to DIR/after, still works: pkg-config names the new
#      place only, and examples/api_example.c builds with it and runs;
#      so does the installed Python package, which finds the moved library;
#      the JSON Schemas are in share/cardrender/schema/;
#   3. with DEFLATE zlib, nothing asks for ISA-L (.pc, the shared library).
# Usage: tests/install.sh DIR DEFLATE   (from the project root; CC honoured)
set -u
dir=$1
deflate=$2
root=$(pwd)
before=$dir/before
after=$dir/after
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}
# check DESCRIPTION -- command...: the command must succeed
check() {
    what=$1
    shift 2
    if "$@" >"$scratch/out" 2>&1; then ok; else
        fail "$what"
        sed 's/^/    /' "$scratch/out"
    fi
}

# 1. The installed manifest, whatever the working folder holds.
case=$root/tests/golden/zh-photo-side
mkdir -p "$scratch/cwd/fonts"
printf '{ not JSON' >"$scratch/cwd/fonts/manifest.json"
check "installed cardrender renders from a folder with its own fonts/" -- \
    sh -c 'cd "$1" && env -u CARDRENDER_FONT_MANIFEST "$2/bin/cardrender" render \
        "$3/template.json" "$3/record.json" -o card.png' sh "$scratch/cwd" "$before" "$case"
check "installed cardrender draws the golden pixels" -- \
    "$before/bin/cardrender" compare "$case/expected.png" "$scratch/cwd/card.png" --tolerance 0

# The man pages, under PREFIX/share/man, naming the manifest this prefix
# installed (make install writes the folder into them); man finds them.
for page in man1/cardrender.1 man5/cardrender-template.5; do
    if [ -f "$before/share/man/$page" ] && [ ! -x "$before/share/man/$page" ]; then ok; else
        fail "make install did not install the man page share/man/$page (mode 644)"
    fi
    if grep -qF "$before/share/cardrender/fonts/manifest.json" "$before/share/man/$page"; then
        ok
    else fail "share/man/$page does not name the installed manifest"; fi
done
if command -v man >/dev/null 2>&1; then
    for name in cardrender cardrender-template; do
        check "man -w finds $name in the installed tree" -- \
            sh -c 'case $(MANPATH="$1" man -w "$2") in "$1"/*) ;; *) exit 1 ;; esac' sh \
            "$before/share/man" "$name"
    done
fi

# 2. Moved, the tree is found through pkg-config's ${pcfiledir}.
mv "$before" "$after"
export PKG_CONFIG_PATH="$after/lib/pkgconfig"
flags=$(pkg-config --cflags --libs cardrender)
libdir=$(pkg-config --variable=libdir cardrender)
includedir=$(pkg-config --variable=includedir cardrender)
# The same folder, however pkg-config spells it (.../lib/pkgconfig/../..).
same_dir() { [ "$(cd "$1" 2>/dev/null && pwd -P)" = "$(cd "$2" && pwd -P)" ]; }
if same_dir "$libdir" "$after/lib" && same_dir "$includedir" "$after/include"; then ok; else
    fail "pkg-config after the move: libdir $libdir, includedir $includedir, not under $after"
fi
case " $flags " in
*" -I$includedir "*" -L$libdir "*) ok ;;
*) fail "pkg-config --cflags --libs lacks -I$includedir or -L$libdir: $flags" ;;
esac
case "$flags" in
*"$before"*) fail "pkg-config still names $before: $flags" ;;
*) ok ;;
esac
# shellcheck disable=SC2086
check "api_example builds against the installed header and library" -- \
    ${CC:-cc} -std=c11 -o "$scratch/api_example" "$root/examples/api_example.c" $flags \
    "-Wl,-rpath,$libdir"
check "api_example runs with the moved library and manifest" -- \
    env CARDRENDER_FONT_MANIFEST="$after/share/cardrender/fonts/manifest.json" \
    "$scratch/api_example" "$case/template.json" "$case/record.json" "$scratch/api.png"
check "api_example draws the golden pixels" -- \
    "$after/bin/cardrender" compare "$case/expected.png" "$scratch/api.png" --tolerance 0

# The installed Python package finds the library beside it (relative, so
# after the move too) and draws the golden pixels.
cat >"$scratch/binding.py" <<'PYEOF'
import json, os, sys
import cardrender
prefix, case, out = sys.argv[1:4]
assert os.path.realpath(cardrender.library_path).startswith(os.path.realpath(prefix)), \
    cardrender.library_path
engine = cardrender.Engine(os.path.join(prefix, "share/cardrender/fonts/manifest.json"))
template = engine.load_template(os.path.join(case, "template.json"))
with open(os.path.join(case, "record.json"), encoding="utf-8") as f:
    record = json.load(f)
with open(out, "wb") as f:
    f.write(template.render(record, assets=case))
PYEOF
check "the installed Python package renders with the moved library" -- \
    env -u CARDRENDER_LIBRARY -u CARDRENDER_FONT_MANIFEST PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH="$after/lib/python3/dist-packages" /usr/bin/python3 "$scratch/binding.py" \
    "$after" "$case" "$scratch/python.png"
check "the installed Python package draws the golden pixels" -- \
    "$after/bin/cardrender" compare "$case/expected.png" "$scratch/python.png" --tolerance 0

# The JSON Schemas are installed beside the manifest, as in the checkout
# (for a service to publish and editors to use).
for schema in template.schema.json record.schema.json; do
    check "the installed share/cardrender/schema/$schema is the checkout's" -- \
        cmp "$root/schema/$schema" "$after/share/cardrender/schema/$schema"
done

# 3. Built with zlib, the library needs no ISA-L.
if [ "$deflate" = zlib ]; then
    if grep -q libisal "$after/lib/pkgconfig/cardrender.pc"; then
        fail "cardrender.pc asks for libisal"
    else ok; fi
    if readelf -d "$after"/lib/libcardrender.so | grep -q 'NEEDED.*libisal'; then
        fail "libcardrender.so needs libisal"
    else ok; fi
fi

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
