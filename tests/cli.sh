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

# layout: the JSON dump parses, and the id number is 18 glyphs.
expect 0 "layout --help" -- "$cli" layout --help
grep -q "usage: cardrender layout" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: layout --help text"; }
expect 2 "layout without a template" -- "$cli" layout --json
expect 1 "layout with a record lacking a key" -- "$cli" layout "$TPL" "$tmp/partial.json" --json
expect 0 "layout --json" -- "$cli" layout "$TPL" "$REC" --json
if python3 -c 'import json, sys
fields = {f["name"]: f for f in json.load(open(sys.argv[1]))["fields"]}
sys.exit(len(fields["id_number"]["glyphs"]) != 18)' "$tmp/stdout"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: layout --json is not JSON with 18 id_number glyphs"; fi
expect 0 "layout summary" -- "$cli" layout "$TPL" "$REC"
grep -q 'field [0-9]* "id_number".*18 glyphs' "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: layout summary lacks the id_number line"; }

# Photos are read against the record's folder, or --assets DIR.
mkdir -p "$tmp/rec"
sed 's|"photos/portrait-358x441.jpg"|"nobody.jpg"|' "$REC" >"$tmp/rec/nophoto.json"
expect 1 "record naming a missing photo" -- "$cli" render "$TPL" "$tmp/rec/nophoto.json" -o "$tmp/nophoto.png"
stderr_has "record key \"photo\": $tmp/rec/nobody.jpg: cannot open: No such file or directory" "missing photo named with key and path"
no_file "$tmp/nophoto.png" "missing photo"
cp "$REC" "$tmp/rec/moved.json"
expect 1 "record moved away from its photos" -- "$cli" render "$TPL" "$tmp/rec/moved.json" -o "$tmp/moved.png"
expect 0 "--assets" -- "$cli" render "$TPL" "$tmp/rec/moved.json" --assets examples/records -o "$tmp/moved.png"
sed 's|"photos/portrait-358x441.jpg"|"../../etc/passwd"|' "$REC" >"$tmp/rec/escape.json"
expect 1 "photo path leaving the asset folder" -- "$cli" render "$TPL" "$tmp/rec/escape.json" -o "$tmp/escape.png"
stderr_has "\"../../etc/passwd\" escapes the asset folder \"$tmp/rec\"" "escaping path refused"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
