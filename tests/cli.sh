#!/bin/sh
# The command-line contract: exit statuses, messages, and no output file
# after any failure. Usage: tests/cli.sh path/to/cardrender
set -u
cli=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
TPL=templates/resident-id-zh-photo.json
REC=examples/records/zh-zhang-wei.json

# expect STATUS DESCRIPTION -- command...
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    got=$?
    if [ "$got" = "$want" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what: exit $got, wanted $want"
        sed 's/^/    /' "$tmp/stderr"
    fi
}
# stderr_has TEXT DESCRIPTION
stderr_has() {
    if grep -qF -- "$1" "$tmp/stderr"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $2: stderr lacks \"$1\""; sed 's/^/    /' "$tmp/stderr"; fi
}
no_file() {
    if [ -e "$1" ]; then failed=$((failed + 1)); echo "FAIL: $2: $1 exists"; else passed=$((passed + 1)); fi
    if ls "$tmp"/*.tmp* >/dev/null 2>&1; then failed=$((failed + 1)); echo "FAIL: $2: temporary left"; fi
}

expect 0 "--version" -- "$cli" --version
grep -q "^cardrender [0-9]" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --version text"; }
expect 0 "--help" -- "$cli" --help
for cmd in render compare golden; do
    expect 0 "$cmd --help" -- "$cli" "$cmd" --help
    grep -q "usage: cardrender $cmd" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: $cmd --help text"; }
done
expect 2 "no command" -- "$cli"
expect 2 "unknown command" -- "$cli" frobnicate
expect 2 "render without -o" -- "$cli" render "$TPL" "$REC"
expect 2 "render with a bad --dpi" -- "$cli" render "$TPL" "$REC" -o "$tmp/a.png" --dpi abc
expect 2 "render with --dpi out of range" -- "$cli" render "$TPL" "$REC" -o "$tmp/a.png" --dpi 5000
no_file "$tmp/a.png" "usage errors"

expect 0 "render" -- "$cli" render "$TPL" "$REC" -o "$tmp/ok.png"
[ -s "$tmp/ok.png" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: render wrote nothing"; }
expect 0 "render at 600 dpi" -- "$cli" render "$TPL" "$REC" -o "$tmp/ok600.png" --dpi 600
expect 0 "compare with itself" -- "$cli" compare "$tmp/ok.png" "$tmp/ok.png"
expect 1 "compare different sizes" -- "$cli" compare "$tmp/ok.png" "$tmp/ok600.png"

printf '{"version": 1, "fields": [{"type": "text", "box_mm": [1,1,10,5], "text": "x", "font": "Noto Sans", "size_pt": "9"}]}' >"$tmp/bad.json"
expect 1 "bad template" -- "$cli" render "$tmp/bad.json" -o "$tmp/bad.png"
stderr_has "$tmp/bad.json:1:" "bad template names file and line"
stderr_has "field 0" "bad template names the field"
no_file "$tmp/bad.png" "bad template"

expect 1 "missing template" -- "$cli" render "$tmp/none.json" "$REC" -o "$tmp/none.png"
stderr_has "$tmp/none.json" "missing template names the file"
no_file "$tmp/none.png" "missing template"

printf '{"name": "张伟"}' >"$tmp/partial.json"
expect 1 "record lacking a key" -- "$cli" render "$TPL" "$tmp/partial.json" -o "$tmp/partial.png"
stderr_has "has no key \"sex\"" "missing key named"
no_file "$tmp/partial.png" "record lacking a key"

expect 1 "output folder missing" -- "$cli" render "$TPL" "$REC" -o "$tmp/no/such/dir/x.png"
stderr_has "$tmp/no/such/dir/x.png" "unwritable output named"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
