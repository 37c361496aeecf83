#!/bin/sh
# cardrender golden itself: a case that is wrong fails (exit 1, actual.png
# and diff.png written, the failure named), --update rewrites the golden,
# exact is the default, a tolerance needs a reason, and the kinsoku cases
# depend on their kinsoku settings. Usage: tests/golden.sh path/to/cardrender
set -u
cli=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
CASE=tests/golden/zh-rare-char

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; sed 's/^/    /' "$tmp/out"; }
# run STATUS DESCRIPTION DIR [options]: cardrender golden, output in $tmp/out
run() {
    want=$1; what=$2; shift 2
    "$cli" golden "$@" >"$tmp/out" 2>&1
    got=$?
    if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, wanted $want"; fi
}
has() { if grep -qF -- "$1" "$tmp/out"; then ok; else bad "$2: output lacks \"$1\""; fi; }
last_line() { if [ "$(tail -n 1 "$tmp/out")" = "$1" ]; then ok; else bad "$2: last line is not \"$1\""; fi; }
exists() { if [ -s "$1" ]; then ok; else bad "$2: $1 is missing"; fi; }
absent() { if [ -e "$1" ]; then bad "$2: $1 is left"; else ok; fi; }

# A good case and the same case with its background one level darker: a
# difference the perceptual score calls 0.4 and exact comparison catches.
mkdir -p "$tmp/g"
cp -r "$CASE" "$tmp/g/a-good"
cp -r "$CASE" "$tmp/g/b-broken"
sed -i 's/"background": "#f4f7fb"/"background": "#f3f7fb"/' "$tmp/g/b-broken/template.json"
if cmp -s "$CASE/template.json" "$tmp/g/b-broken/template.json"; then
    bad "the broken case is not broken (template.json unchanged)"
fi
run 1 "a broken case" "$tmp/g"
has "ok    a-good (exact)" "the good case passes"
has "FAIL  b-broken (" "the broken case is named"
has "pixels differ" "the failure says pixels differ"
last_line "1 passed, 1 failed" "summary of a failing run"
exists "$tmp/g/b-broken/actual.png" "actual.png of the failed case"
exists "$tmp/g/b-broken/diff.png" "diff.png of the failed case"
absent "$tmp/g/a-good/actual.png" "the passing case"
# actual.png is the broken render: it differs from expected.png
if "$cli" compare "$tmp/g/b-broken/expected.png" "$tmp/g/b-broken/actual.png" --tolerance 0 \
    >/dev/null 2>&1; then bad "actual.png equals expected.png"; else ok; fi

# The perceptual score only with a tolerance, and a tolerance only with a reason.
echo '{"tolerance": 1}' >"$tmp/g/b-broken/case.json"
run 1 "a tolerance without a reason" "$tmp/g"
has "\"tolerance\" above 0 needs a \"tolerance_reason\"" "the missing reason named"
echo '{"tolerance": 1, "tolerance_reason": "a test of the tolerance"}' >"$tmp/g/b-broken/case.json"
run 0 "a tolerance with a reason" "$tmp/g"
has "ok    b-broken (score 0." "the tolerant case shows its score"
absent "$tmp/g/b-broken/actual.png" "a case that passes again"
echo '{"tolerance": 0}' >"$tmp/g/b-broken/case.json"
run 1 "tolerance 0 in case.json" "$tmp/g"

# --update rewrites the golden: then the case passes and the leftovers go.
old=$(cksum <"$tmp/g/b-broken/expected.png")
run 0 "--update" "$tmp/g" --update
has "updated b-broken" "--update names the case"
if [ "$(cksum <"$tmp/g/b-broken/expected.png")" != "$old" ]; then ok; else bad "--update left expected.png as it was"; fi
absent "$tmp/g/b-broken/actual.png" "--update"
run 0 "after --update" "$tmp/g"
last_line "2 passed, 0 failed" "summary after --update"
rm "$tmp/g/a-good/expected.png"
run 1 "a case without expected.png" "$tmp/g"
has "FAIL  a-good: no expected.png" "the missing golden named"

# The kinsoku case depends on every field's mode: with "none" (plain
# UAX #14) it fails, and so it does with gb lowered to basic or strict to gb.
K=tests/golden/zh-kinsoku-modes
# lowered DESCRIPTION SED-EXPRESSION: the case with its template edited fails
lowered() {
    rm -rf "$tmp/k" && mkdir -p "$tmp/k" && cp -r "$K" "$tmp/k/"
    sed -i -E "$2" "$tmp/k/zh-kinsoku-modes/template.json"
    if cmp -s "$K/template.json" "$tmp/k/zh-kinsoku-modes/template.json"; then
        bad "$1: the edit changed nothing"
    fi
    run 1 "zh-kinsoku-modes with $1" "$tmp/k"
}
lowered '"kinsoku": "none"' 's/"kinsoku": "[a-z]+"/"kinsoku": "none"/'
lowered 'gb as basic' 's/"kinsoku": "gb"/"kinsoku": "basic"/'
lowered 'strict as gb' 's/"kinsoku": "strict"/"kinsoku": "gb"/'

echo "golden: $passed passed, $failed failed"
[ "$failed" = 0 ]
