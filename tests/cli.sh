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
# Nothing blocks on a file that is not a regular file: a FIFO (no writer
# ever comes) where a photo, a record or a template should be is an error
# naming it, at once. `timeout` turns a hang into a failure.
mkfifo "$tmp/rec/fifo.jpg" "$tmp/fifo.json" "$tmp/fifo-tpl.json"
sed 's|"photos/portrait-358x441.jpg"|"fifo.jpg"|' "$REC" >"$tmp/rec/fifophoto.json"
expect 1 "a FIFO as the photo" -- timeout 20 "$cli" render "$TPL" "$tmp/rec/fifophoto.json" -o "$tmp/fifo.png"
stderr_has "fifo.jpg: is a FIFO, not an image file" "FIFO photo named"
no_file "$tmp/fifo.png" "no card for a FIFO photo"
expect 1 "check with a FIFO as the photo" -- timeout 20 "$cli" check "$TPL" "$tmp/rec/fifophoto.json"
grep -qF "fifo.jpg: is a FIFO, not an image file" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: check names the FIFO photo"; }
expect 1 "a FIFO as the record" -- timeout 20 "$cli" render "$TPL" "$tmp/fifo.json" -o "$tmp/fifo.png"
stderr_has "$tmp/fifo.json: is a FIFO, not a file" "FIFO record named"
expect 1 "a FIFO as the template" -- timeout 20 "$cli" render "$tmp/fifo-tpl.json" "$REC" -o "$tmp/fifo.png"
stderr_has "$tmp/fifo-tpl.json: is a FIFO, not a file" "FIFO template named"
mkdir "$tmp/rec/dir.jpg"
sed 's|"photos/portrait-358x441.jpg"|"dir.jpg"|' "$REC" >"$tmp/rec/dirphoto.json"
expect 1 "a folder as the photo" -- timeout 20 "$cli" render "$TPL" "$tmp/rec/dirphoto.json" -o "$tmp/fifo.png"
stderr_has "dir.jpg: is a directory, not an image file" "folder photo named"
cp "$REC" "$tmp/rec/moved.json"
expect 1 "record moved away from its photos" -- "$cli" render "$TPL" "$tmp/rec/moved.json" -o "$tmp/moved.png"
expect 0 "--assets" -- "$cli" render "$TPL" "$tmp/rec/moved.json" --assets examples/records -o "$tmp/moved.png"
sed 's|"photos/portrait-358x441.jpg"|"../../etc/passwd"|' "$REC" >"$tmp/rec/escape.json"
expect 1 "photo path leaving the asset folder" -- "$cli" render "$TPL" "$tmp/rec/escape.json" -o "$tmp/escape.png"
stderr_has "\"../../etc/passwd\" escapes the asset folder \"$tmp/rec\"" "escaping path refused"

# Print outputs: printer canvas, mirror, K and overlay panels, sheets.
# png_info FILE prints "WIDTH HEIGHT BITDEPTH COLORTYPE PPM" from its header.
png_info() {
    python3 -c 'import struct, sys
data = open(sys.argv[1], "rb").read()
w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
at = data.find(b"pHYs")
ppm = struct.unpack(">I", data[at + 4:at + 8])[0] if at > 0 else 0
print(w, h, depth, ctype, ppm)' "$1"
}
# has_info FILE "EXPECTED" DESCRIPTION
has_info() {
    got=$(png_info "$1" 2>/dev/null)
    if [ "$got" = "$2" ]; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $3: $1 is \"$got\", wanted \"$2\""; fi
}
expect 0 "render --canvas --mirror" -- "$cli" render "$TPL" "$REC" -o "$tmp/evolis.png" --canvas 1016x648 --canvas-offset 1,-2 --mirror
has_info "$tmp/evolis.png" "1016 648 8 2 11811" "printer canvas size"
expect 2 "render --canvas malformed" -- "$cli" render "$TPL" "$REC" -o "$tmp/c.png" --canvas 1016
expect 2 "render --canvas-offset without --canvas" -- "$cli" render "$TPL" "$REC" -o "$tmp/c.png" --canvas-offset 1,1
expect 1 "render on a canvas smaller than the card" -- "$cli" render "$TPL" "$REC" -o "$tmp/c.png" --canvas 661x1035
stderr_has "does not lie wholly on the 661x1035 printer canvas" "small canvas explained"
no_file "$tmp/c.png" "small canvas"
cat >"$tmp/panels.json" <<'JSON'
{"version": 1,
 "card": {"background": "#f4f7fb", "k_panel": {"mode": "threshold", "threshold": 128},
          "overlay": {"holes_mm": [[8, 17, 12, 10]]}},
 "fields": [
  {"type": "text", "name": "label", "box_mm": [6, 45.2, 20, 3], "text": "公民身份号码",
   "font": "Noto Sans CJK SC", "size_pt": 7.5, "color": "#1f5fa8"},
  {"type": "text", "name": "id_number", "box_mm": [27, 44.2, 55, 4.6], "bind": "id_number",
   "font": "OCR B", "size_pt": 11, "panel": "k"}]}
JSON
expect 0 "render with K and overlay panels at 600 dpi" -- "$cli" render "$tmp/panels.json" "$REC" -o "$tmp/panels.png" --dpi 600
has_info "$tmp/panels.png" "2022 1276 8 2 23622" "colour panel"
has_info "$tmp/panels.k.png" "2022 1276 1 0 23622" "K panel is 1-bit gray"
has_info "$tmp/panels.overlay.png" "2022 1276 1 0 23622" "overlay is 1-bit gray"
sed 's/"k"}]}/"x"}]}/' "$tmp/panels.json" >"$tmp/badpanel.json"
expect 1 "a bad panel name" -- "$cli" render "$tmp/badpanel.json" "$REC" -o "$tmp/bad.png"
stderr_has "field 1 \"id_number\": \"panel\" must be color or k (got \"x\")" "bad panel named"
no_file "$tmp/bad.k.png" "bad panel"

expect 0 "sheet --help" -- "$cli" sheet --help
grep -q "usage: cardrender sheet" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: sheet --help text"; }
REC2=examples/records/zh-chen-xiaoling.json
expect 0 "sheet front and back" -- "$cli" sheet "$TPL" "$REC" "$REC2" "$REC" -o "$tmp/sheet.png" --back "$TPL" -b "$tmp/back.png" --mirror
has_info "$tmp/sheet.png" "2199 2799 8 2 11811" "2x4 sheet size"
has_info "$tmp/back.png" "2199 2799 8 2 11811" "back sheet size"
expect 0 "sheet with K panels, 4x2" -- "$cli" sheet "$tmp/panels.json" "$REC" -o "$tmp/ksheet.png" --layout 4x2 --gap-mm 2 --margin-mm 5
has_info "$tmp/ksheet.k.png" "4234 1418 1 0 11811" "K sheet"
expect 1 "more records than slots" -- "$cli" sheet "$TPL" "$REC" "$REC2" -o "$tmp/full.png" --layout 1x1
stderr_has "too many for a 1x1 sheet (1 slots)" "full sheet explained"
no_file "$tmp/full.png" "full sheet"
expect 2 "sheet --back without -b" -- "$cli" sheet "$TPL" "$REC" -o "$tmp/x.png" --back "$TPL"
expect 2 "sheet with a bad layout" -- "$cli" sheet "$TPL" "$REC" -o "$tmp/x.png" --layout 2by4
printf '%s\n%s\n' "$(tr -d '\n' <"$REC")" "$(tr -d '\n' <"$REC2")" >"$tmp/people.jsonl"
expect 0 "sheet from JSON Lines" -- "$cli" sheet "$TPL" "$tmp/people.jsonl" --assets examples/records -o "$tmp/jsonl.png" --dpi 150
has_info "$tmp/jsonl.png" "1100 1400 8 2 5906" "JSONL sheet at 150 dpi"

# check: one line per finding, exit 1 when there is any; proof: overflow is
# drawn (the red marks are asserted in tests/test_proof.c), not an error.
# stdout_has TEXT DESCRIPTION
stdout_has() {
    if grep -qF -- "$1" "$tmp/stdout"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $2: stdout lacks \"$1\""; sed 's/^/    /' "$tmp/stdout"; fi
}
for cmd in check proof; do
    expect 0 "$cmd --help" -- "$cli" "$cmd" --help
    stdout_has "usage: cardrender $cmd" "$cmd --help text"
done
expect 2 "check without a template" -- "$cli" check --safe-mm 3
expect 2 "check with a bad --safe-mm" -- "$cli" check "$TPL" --safe-mm wide
expect 1 "check a broken template" -- "$cli" check "$tmp/bad.json"
stderr_has "$tmp/bad.json:1:" "broken template located"
expect 0 "check a good card" -- "$cli" check "$TPL" "$REC"
stdout_has "check: no findings (template $TPL, 1 record)" "good card summary"
sed 's/"name": "[^"]*"/"name": "欧阳诸葛司马慕容上官端木皇甫长孙宇文令狐"/' "$REC" >"$tmp/longname.json"
expect 1 "check a record that overflows" -- "$cli" check "$TPL" "$tmp/longname.json"
stdout_has "$tmp/longname.json: field" "overflow prefixed with the record"
stdout_has "\"name\": overflows: even at 7.50 pt: needs 2 lines, box holds 1" "overflowing field listed"
expect 1 "check a record lacking keys" -- "$cli" check "$TPL" "$tmp/partial.json" "$REC"
stdout_has "$tmp/partial.json: field" "missing keys prefixed with the record"
stdout_has "the record has no key \"sex\"" "first missing key listed"
stdout_has "the record has no key \"id_number\"" "every missing key listed"
stdout_has "(template $TPL, 2 records)" "check summary counts records"
expect 1 "check a record whose photo is missing" -- "$cli" check "$TPL" "$tmp/rec/nophoto.json"
stdout_has "$tmp/rec/nophoto.json: field" "missing photo prefixed with the record"
stdout_has "\"photo\": record key \"photo\": $tmp/rec/nobody.jpg: cannot open: No such file or directory" "missing photo named with field, key and path"
# A Han resident of Xinjiang: no Uyghur values; the bilingual editions' ethnic
# value fields are optional, so neither check nor render names them.
HAN=examples/records/ug-wang-jianguo.json
expect 1 "check a record without the optional ethnic values" -- "$cli" check templates/resident-id-ug-photo.json "$HAN"
if grep -q "has no key" "$tmp/stdout"; then failed=$((failed + 1)); echo "FAIL: an optional key reported missing"; sed 's/^/    /' "$tmp/stdout"; else passed=$((passed + 1)); fi
expect 0 "check the Mongolian edition without Mongolian values" -- "$cli" check templates/resident-id-mn-emblem.json "$HAN"
expect 0 "render without the optional ethnic values" -- "$cli" render templates/resident-id-mn-photo.json "$HAN" -o "$tmp/han-mn.png"
# Every edition, both sides, with its example records and the Han resident
# (no ethnic values): rendered, no overflow, nothing shrunk below 5.5 pt.
for e in zh ug bo mn ko ii za; do
    for side in photo emblem; do
        t=templates/resident-id-$e-$side.json
        expect 0 "render $e $side without ethnic values" -- "$cli" render "$t" "$HAN" -o "$tmp/han.png"
        "$cli" check "$t" examples/records/$e-*.json "$HAN" >"$tmp/stdout" 2>&1
        if grep -q "overflows" "$tmp/stdout"; then failed=$((failed + 1)); echo "FAIL: $t overflows"; grep overflows "$tmp/stdout"; else passed=$((passed + 1)); fi
        small=$(sed -n 's/.*shrunk from [0-9.]* to \([0-9.]*\) pt.*/\1/p' "$tmp/stdout" | awk '$1 < 5.5')
        if [ -n "$small" ]; then failed=$((failed + 1)); echo "FAIL: $t shrinks to $small pt"; else passed=$((passed + 1)); fi
    done
done

# A record value over --max-value-bytes is refused before layout, naming
# the key; at the limit it passes.
sed 's/"张伟"/"张伟伟伟"/' "$REC" >"$tmp/rec/long-value.json"
expect 1 "a value over --max-value-bytes" -- "$cli" render "$TPL" "$tmp/rec/long-value.json" --assets examples/records --max-value-bytes 11 -o "$tmp/mv.png"
stderr_has "record key \"name\": the value is 12 bytes, more than the limit of 11" "the long value named with its key"
no_file "$tmp/mv.png" "no card for a value over the limit"
expect 0 "the longest value (the address, 61 bytes) at --max-value-bytes" -- "$cli" render "$TPL" "$tmp/rec/long-value.json" --assets examples/records --max-value-bytes 61 -o "$tmp/mv.png"
expect 1 "the address one byte over" -- "$cli" render "$TPL" "$tmp/rec/long-value.json" --assets examples/records --max-value-bytes 60 -o "$tmp/mv.png"
stderr_has "record key \"address\": the value is 61 bytes, more than the limit of 60" "one byte over is refused"
expect 1 "check with --max-value-bytes" -- "$cli" check "$TPL" "$tmp/rec/long-value.json" --assets examples/records --max-value-bytes 11
expect 2 "--max-value-bytes 0" -- "$cli" render "$TPL" "$REC" --max-value-bytes 0 -o "$tmp/mv.png"

# The longest name the file system allows (255 bytes) is written: the
# temporary file then takes a short name of its own.
long=$(printf '%0251d' 0 | tr 0 a).png
expect 0 "an output name of 255 bytes" -- "$cli" render "$TPL" "$REC" -o "$tmp/$long"
[ -f "$tmp/$long" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the 255-byte name was not written"; }
if ls "$tmp" | grep -q '\.tmp$'; then failed=$((failed + 1)); echo "FAIL: a temporary was left"; else passed=$((passed + 1)); fi

# check names the font of each rare character: an Extension B ideograph,
# a compatibility ideograph, a variation sequence.
cat >"$tmp/rare.json" <<'JSON'
{"version": 1, "card": {"width_mm": 40, "height_mm": 12, "dpi": 300},
 "fields": [{"type": "text", "name": "name", "box_mm": [4, 3, 32, 6], "bind": "name",
             "font": "Noto Sans CJK SC", "size_pt": 12}]}
JSON
printf '{"name": "张\\ud840\\udc00\\ud87e\\udc00葛\\udb40\\udd00伟"}' >"$tmp/rare-rec.json"
expect 1 "check lists rare characters" -- "$cli" check "$tmp/rare.json" "$tmp/rare-rec.json"
stdout_has "U+20000 (CJK Unified Ideographs Extension B, byte 3 of the text) is drawn from \"HanaMinB\"" "rare character's font named"
stdout_has "U+2F800 (CJK Compatibility Ideographs Supplement, byte 7 of the text) is drawn from \"HanaMinA\"" "compatibility ideograph from a font that has it"
stdout_has "U+845B with a variation selector (CJK Unified Ideographs, byte 11 of the text) is drawn from \"HanaMinA\"" "variation sequence's font named"

# check reads records as batch reads them: JSON Lines and CSV, each record
# named FILE:LINE, a bad line a finding of its own (FILE:LINE:COL) and the
# rest read on; "-" is standard input, its format told by its contents.
# --json prints one object per finding and the summary as the last.
# stdout_is FILE DESCRIPTION: stdout is exactly FILE
stdout_is() {
    if cmp -s "$1" "$tmp/stdout"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: $2: stdout differs (- wanted, + got)"; diff "$1" "$tmp/stdout" | sed 's/^/    /'; fi
}
long_name=张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟张伟
printf '{"name": "张伟"}\n\n{"nom": "x"}\n{"name": 5}\nnot json\n{"name": "%s"}\n' "$long_name" >"$tmp/c.jsonl"
expect 1 "check JSON Lines" -- "$cli" check "$tmp/rare.json" "$tmp/c.jsonl"
cat >"$tmp/want" <<EOF
$tmp/c.jsonl:3: field 0 "name": the record has no key "name"
$tmp/c.jsonl:4:10: "name" must be a string, not a number
$tmp/c.jsonl:5:3: syntax error: '[' or '{' expected near 'not'
$tmp/c.jsonl:6: field 0 "name": overflows: needs 5 lines, box holds 1
check: 4 findings (template $tmp/rare.json, 5 records)
EOF
stdout_is "$tmp/want" "check of JSON Lines names each record FILE:LINE"
expect 1 "check --json" -- "$cli" check "$tmp/rare.json" "$tmp/c.jsonl" --json
cat >"$tmp/want" <<EOF
{"subject":"$tmp/c.jsonl:3","kind":"missing_key","field_index":0,"field":"name","file":"$tmp/rare.json","line":2,"column":79,"message":"the record has no key \"name\"","text":"$tmp/c.jsonl:3: field 0 \"name\": the record has no key \"name\""}
{"subject":"$tmp/c.jsonl:4","kind":"record","field_index":null,"field":null,"file":"$tmp/c.jsonl","line":4,"column":10,"message":"\"name\" must be a string, not a number","text":"$tmp/c.jsonl:4:10: \"name\" must be a string, not a number"}
{"subject":"$tmp/c.jsonl:5","kind":"record","field_index":null,"field":null,"file":"$tmp/c.jsonl","line":5,"column":3,"message":"syntax error: '[' or '{' expected near 'not'","text":"$tmp/c.jsonl:5:3: syntax error: '[' or '{' expected near 'not'"}
{"subject":"$tmp/c.jsonl:6","kind":"overflow","field_index":0,"field":"name","file":"$tmp/rare.json","line":2,"column":13,"message":"overflows: needs 5 lines, box holds 1","text":"$tmp/c.jsonl:6: field 0 \"name\": overflows: needs 5 lines, box holds 1"}
{"summary":{"findings":4,"template":"$tmp/rare.json","records":5}}
EOF
stdout_is "$tmp/want" "check --json: an object per finding, then the summary"
expect 0 "check --json finding nothing" -- "$cli" check "$TPL" "$REC" --json
printf '{"summary":{"findings":0,"template":"%s","records":1}}\n' "$TPL" >"$tmp/want"
stdout_is "$tmp/want" "check --json summary alone"
printf 'name,extra\n张伟,1\n"张伟\n张伟",2\nonly\n\n' >"$tmp/c.csv"
expect 1 "check CSV" -- "$cli" check "$tmp/rare.json" "$tmp/c.csv"
cat >"$tmp/want" <<EOF
$tmp/c.csv:3: field 0 "name": overflows: needs 2 lines, box holds 1
$tmp/c.csv:5: the row has 1 field, the header 2
check: 2 findings (template $tmp/rare.json, 3 records)
EOF
stdout_is "$tmp/want" "check of CSV names each record FILE:LINE (where a quoted row starts)"
cp "$tmp/c.csv" "$tmp/c.txt"
expect 1 "check --format csv" -- "$cli" check "$tmp/rare.json" "$tmp/c.txt" --format csv
stdout_has "$tmp/c.txt:5: the row has 1 field, the header 2" "--format csv reads a .txt as CSV"
expect 2 "check --format xml" -- "$cli" check "$tmp/rare.json" "$tmp/c.txt" --format xml
stderr_has "--format must be json, jsonl or csv, not \"xml\"" "bad --format named"
expect 1 "check records that cannot be opened" -- "$cli" check "$tmp/rare.json" "$tmp/none.jsonl" "$tmp/none.csv"
stdout_has "$tmp/none.jsonl: cannot open the records: No such file or directory" "missing JSON Lines named"
stdout_has "(template $tmp/rare.json, 2 records)" "each missing file counts as a record"
printf '{"name": "张伟"}\n{"nom": "x"}\n' >"$tmp/in.jsonl"
expect 1 "check of JSON Lines on standard input" -- sh -c '"$1" check "$2" - <"$3"' sh "$cli" "$tmp/rare.json" "$tmp/in.jsonl"
printf '<stdin>:2: field 0 "name": the record has no key "name"\ncheck: 1 finding (template %s, 2 records)\n' "$tmp/rare.json" >"$tmp/want"
stdout_is "$tmp/want" "JSON Lines on standard input named <stdin>:LINE"
printf 'name\n%s\n' "$long_name" >"$tmp/in.csv"
expect 1 "check of CSV on standard input" -- sh -c '"$1" check "$2" - <"$3"' sh "$cli" "$tmp/rare.json" "$tmp/in.csv"
stdout_has "<stdin>:2: field 0 \"name\": overflows: needs 5 lines, box holds 1" "CSV on standard input"
expect 0 "check of one JSON record on standard input" -- sh -c '"$1" check "$2" - --assets examples/records <"$3"' sh "$cli" "$TPL" "$REC"
stdout_has "check: no findings (template $TPL, 1 record)" "a JSON record on standard input"

# Legacy Uyghur stored in presentation forms, read back into letters:
# the same PNG bytes as the text typed in logical order. Noto Naskh Arabic
# (unlike UKIJ Tuz Tom) draws presentation forms otherwise than the letters
# it shapes, so the bytes differ unless the forms were read back.
cat >"$tmp/legacy.json" <<'JSON'
{"version": 1, "card": {"width_mm": 40, "height_mm": 12, "dpi": 300},
 "fields": [{"type": "text", "name": "name", "box_mm": [4, 3, 32, 6], "bind": "name_ug",
             "font": "Noto Naskh Arabic", "size_pt": 12, "presentation_forms": "normalize"}]}
JSON
printf '{"name_ug": "ئۇيغۇر لا"}' >"$tmp/logical-rec.json"
printf '{"name_ug": "\\ufe8b\\ufbd8\\ufef3\\ufed0\\ufbd8\\ufead \\ufefb"}' >"$tmp/legacy-rec.json"
expect 0 "render logical Uyghur" -- "$cli" render "$tmp/legacy.json" "$tmp/logical-rec.json" -o "$tmp/logical.png"
expect 0 "render legacy presentation forms, normalised" -- "$cli" render "$tmp/legacy.json" "$tmp/legacy-rec.json" -o "$tmp/legacy.png"
[ -s "$tmp/stderr" ] && { failed=$((failed + 1)); echo "FAIL: normalised text warned"; } || passed=$((passed + 1))
if cmp -s "$tmp/logical.png" "$tmp/legacy.png"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: normalised presentation forms differ from logical text"; fi
sed 's/"normalize"/"error"/' "$tmp/legacy.json" >"$tmp/legacy-error.json"
expect 1 "presentation forms refused" -- "$cli" render "$tmp/legacy-error.json" "$tmp/legacy-rec.json" -o "$tmp/refused.png"
stderr_has "U+FE8B (byte 0 of the text) is an Arabic presentation form" "refusal names the character"
no_file "$tmp/refused.png" "no card for refused text"
expect 0 "check a moved record with --assets" -- "$cli" check "$TPL" "$tmp/rec/moved.json" --assets examples/records
expect 2 "proof without -o" -- "$cli" proof "$TPL" "$REC"
expect 0 "proof of an overflow" -- "$cli" proof "$TPL" "$tmp/longname.json" --assets examples/records -o "$tmp/proof.png"
stderr_has "text does not fit its box" "proof passes the render's warnings on"
[ -s "$tmp/proof.png" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: proof wrote nothing"; }
expect 0 "proof of one side" -- "$cli" proof "$TPL" "$REC" -o "$tmp/one.png"
expect 0 "proof of both sides" -- "$cli" proof "$TPL" "$REC" --sides templates/resident-id-zh-emblem.json -o "$tmp/sides.png"
if python3 -c 'import struct, sys
w = [struct.unpack(">I", open(f, "rb").read()[16:20])[0] for f in sys.argv[1:]]
sys.exit(w[1] != 2 * w[0] + 118)' "$tmp/one.png" "$tmp/sides.png"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: proof --sides is not two proofs 10 mm apart"; fi
expect 1 "proof of a broken template" -- "$cli" proof "$tmp/bad.json" -o "$tmp/badproof.png"
no_file "$tmp/badproof.png" "proof of a broken template"

# ------------------------------------------------------------- encodings
# Records in other encodings (made here by iconv) render the same card as
# the UTF-8 record; a UTF-8 byte-order mark is accepted in records and in
# every file of a composed template.
same_file() {
    if cmp -s "$1" "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $3: $1 and $2 differ"; fi
}
mkdir -p "$tmp/enc"
cp -r examples/records/photos "$tmp/enc/"
expect 0 "render the UTF-8 record" -- "$cli" render "$TPL" "$REC" -o "$tmp/enc/utf8.png" --dpi 150
{ printf '\357\273\277'; cat "$REC"; } >"$tmp/enc/bom.json"
iconv -f UTF-8 -t GB18030 "$REC" >"$tmp/enc/gb.json"
{ printf '\376\377'; iconv -f UTF-8 -t UTF-16BE "$REC"; } >"$tmp/enc/u16be.json"
expect 0 "render a record with a UTF-8 byte-order mark" -- "$cli" render "$TPL" "$tmp/enc/bom.json" -o "$tmp/enc/bom.png" --dpi 150
same_file "$tmp/enc/utf8.png" "$tmp/enc/bom.png" "record with a byte-order mark"
expect 0 "render a UTF-16BE record with its mark" -- "$cli" render "$TPL" "$tmp/enc/u16be.json" -o "$tmp/enc/u16be.png" --dpi 150
same_file "$tmp/enc/utf8.png" "$tmp/enc/u16be.png" "UTF-16BE record"
expect 0 "render --encoding gb18030" -- "$cli" render "$TPL" "$tmp/enc/gb.json" --encoding gb18030 -o "$tmp/enc/gb.png" --dpi 150
same_file "$tmp/enc/utf8.png" "$tmp/enc/gb.png" "GB 18030 record"
expect 1 "render a GB 18030 record as UTF-8" -- "$cli" render "$TPL" "$tmp/enc/gb.json" -o "$tmp/enc/gb-bad.png"
stderr_has "$tmp/enc/gb.json:2:12: not UTF-8 from byte offset 13 on (byte 0xD5), but the whole file reads cleanly as gb18030: give --encoding gb18030" "GB 18030 record read as UTF-8"
no_file "$tmp/enc/gb-bad.png" "GB 18030 record read as UTF-8"
expect 2 "render --encoding unknown" -- "$cli" render "$TPL" "$REC" --encoding no-such -o "$tmp/enc/x.png"
expect 0 "check --encoding gbk" -- "$cli" check "$TPL" "$tmp/enc/gb.json" --encoding gbk
expect 1 "check a GB 18030 record as UTF-8" -- "$cli" check "$TPL" "$tmp/enc/gb.json"
grep -qF "give --encoding gb18030" "$tmp/stdout" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: check does not suggest gb18030"; }
iconv -f UTF-8 -t GB18030 examples/records/zh-chen-xiaoling.json | python3 -c 'import json, sys; print(json.dumps(json.loads(sys.stdin.buffer.read().decode("gb18030")), ensure_ascii=False))' | iconv -f UTF-8 -t GB18030 >"$tmp/enc/people.jsonl"
expect 0 "sheet --encoding gb18030" -- "$cli" sheet "$TPL" "$tmp/enc/gb.json" "$tmp/enc/people.jsonl" --encoding gb18030 --layout 2x1 --dpi 72 -o "$tmp/enc/sheet-gb.png"
printf '%s\n' "$(python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), ensure_ascii=False))' examples/records/zh-chen-xiaoling.json)" >"$tmp/enc/people8.jsonl"
expect 0 "sheet of the UTF-8 records" -- "$cli" sheet "$TPL" "$REC" "$tmp/enc/people8.jsonl" --layout 2x1 --dpi 72 --assets examples/records -o "$tmp/enc/sheet-u8.png"
same_file "$tmp/enc/sheet-u8.png" "$tmp/enc/sheet-gb.png" "sheet from GB 18030 records"
# check reads JSON Lines in another encoding; a JSON Lines file's photos are
# read against its folder, as in a batch.
expect 0 "check JSON Lines --encoding gb18030" -- "$cli" check "$TPL" "$tmp/enc/people.jsonl" --encoding gb18030
stdout_has "check: no findings (template $TPL, 1 record)" "GB 18030 JSON Lines checked"
expect 1 "check GB 18030 JSON Lines as UTF-8" -- "$cli" check "$TPL" "$tmp/enc/people.jsonl"
stdout_has "give --encoding gb18030" "check of JSON Lines suggests gb18030"
# Every JSON file of the templates with a byte-order mark: the same card.
cp -r templates "$tmp/enc/templates"
find "$tmp/enc/templates" -name '*.json' | while read -r f; do
    { printf '\357\273\277'; cat "$f"; } >"$f.new" && mv "$f.new" "$f"
done
expect 0 "render a template whose files have byte-order marks" -- "$cli" render "$tmp/enc/templates/resident-id-zh-photo.json" "$REC" -o "$tmp/enc/tpl-bom.png" --dpi 150
same_file "$tmp/enc/utf8.png" "$tmp/enc/tpl-bom.png" "template with byte-order marks"
printf '\357\273\277{"version": 1,\n "fields": [42]}' >"$tmp/enc/bad-bom.json"
expect 1 "a bad template with a byte-order mark" -- "$cli" render "$tmp/enc/bad-bom.json" -o "$tmp/enc/bad-bom.png"
stderr_has "$tmp/enc/bad-bom.json:2:13: field 0: a field must be an object" "positions after a byte-order mark"

# The font manifest: never the working folder's fonts/manifest.json. From a
# folder holding a broken one, with CARDRENDER_FONT_MANIFEST unset, the tool
# reads the installed manifest (--help names it; a build tree's may not be
# installed, and then the error names it); --font-manifest, then the
# variable, name another.
stderr_lacks() {
    if grep -qF -- "$1" "$tmp/stderr"; then failed=$((failed + 1)); echo "FAIL: $2: stderr has \"$1\""
        sed 's/^/    /' "$tmp/stderr"; else passed=$((passed + 1)); fi
}
root=$(pwd)
cli_abs=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
installed=$("$cli" render --help | grep -o '/[^ ]*/fonts/manifest\.json')
mkdir -p "$tmp/cwd/fonts"
printf '{ not JSON' >"$tmp/cwd/fonts/manifest.json"
in_cwd() { (cd "$tmp/cwd" && "$@"); }
if [ -r "$installed" ]; then want=0; else want=1; fi
expect $want "render beside a broken fonts/manifest.json" -- \
    in_cwd env -u CARDRENDER_FONT_MANIFEST "$cli_abs" render "$root/$TPL" "$root/$REC" -o "$tmp/m.png"
[ $want = 0 ] || stderr_has "$installed" "without a manifest named, the installed one is read"
stderr_lacks "fonts/manifest.json:1" "the working folder's manifest is not read"
expect 1 "render --font-manifest names the broken one" -- \
    in_cwd env -u CARDRENDER_FONT_MANIFEST "$cli_abs" render "$root/$TPL" "$root/$REC" -o "$tmp/m.png" --font-manifest fonts/manifest.json
stderr_has "fonts/manifest.json:1:" "--font-manifest is read"
expect 1 "CARDRENDER_FONT_MANIFEST names the broken one" -- \
    in_cwd env CARDRENDER_FONT_MANIFEST=fonts/manifest.json "$cli_abs" check "$root/$TPL" "$root/$REC"
stderr_has "fonts/manifest.json:1:" "CARDRENDER_FONT_MANIFEST is read"
expect 0 "--font-manifest wins over CARDRENDER_FONT_MANIFEST" -- \
    in_cwd env CARDRENDER_FONT_MANIFEST=fonts/manifest.json "$cli_abs" layout "$root/$TPL" "$root/$REC" --font-manifest "$root/fonts/manifest.json"
expect 2 "compare takes no --font-manifest" -- "$cli" compare "$tmp/ok.png" "$tmp/ok.png" --font-manifest fonts/manifest.json

# --max-memory: the photo budget of every command that makes an engine; a
# size it cannot read, or below 1 MiB, is a usage error; within it the card
# is the same.
expect 0 "render --max-memory 1M" -- "$cli" render "$TPL" "$REC" -o "$tmp/budget.png" --max-memory 1M
expect 0 "render without --max-memory" -- "$cli" render "$TPL" "$REC" -o "$tmp/nobudget.png"
same_file "$tmp/nobudget.png" "$tmp/budget.png" "a card within --max-memory"
expect 2 "--max-memory 12X" -- "$cli" render "$TPL" "$REC" -o "$tmp/budget.png" --max-memory 12X
stderr_has '--max-memory "12X" is not a size' "an unreadable --max-memory is named"
expect 2 "--max-memory 512K (below 1 MiB)" -- "$cli" check "$TPL" "$REC" --max-memory 512K

# examples/memory_example.c (the README's memory API example): a record
# built from keys, values and photo bytes, rendered to PNG bytes, is the
# card `render` makes of the same record file.
example=$(dirname "$cli")/examples/memory_example
expect 0 "memory_example" -- "$example" "$TPL" examples/records/photos/portrait-358x441.jpg "$tmp/memory.png"
expect 0 "render the same record from its file" -- "$cli" render "$TPL" "$REC" -o "$tmp/file.png"
same_file "$tmp/file.png" "$tmp/memory.png" "memory_example's card"

# render and proof paint one card whole, building no cache of the static
# layers (cr_engine_options.no_static_cache); batch starts every card from
# the cache. Their PNG files are the same byte for byte: every edition, both
# sides, at 300 and 600 dpi (and render --static-cache, the cached path in
# one process).
mkdir -p "$tmp/cold"
for edition in zh ug bo mn ko ii za; do
    for record in examples/records/$edition-*.json; do break; done
    tr -d '\n' <"$record" >"$tmp/cold/$edition.jsonl"
    echo >>"$tmp/cold/$edition.jsonl"
    for side in photo emblem; do
        for dpi in 300 600; do
            card=$edition-$side-$dpi
            expect 0 "render $card" -- "$cli" render templates/resident-id-$edition-$side.json "$record" --dpi $dpi -o "$tmp/cold/$card.png"
            expect 0 "batch $card" -- "$cli" batch templates/resident-id-$edition-$side.json "$tmp/cold/$edition.jsonl" --assets examples/records --dpi $dpi -o "$tmp/cold/$card"
            same_file "$tmp/cold/$card.png" "$tmp/cold/$card/000001.png" "render (one card, no static cache) and batch (cached) of $card"
        done
    done
done
expect 0 "render --static-cache" -- "$cli" render templates/resident-id-ug-photo.json examples/records/ug-ablimit-tursun.json --static-cache -o "$tmp/cold/cached.png"
expect 0 "render without it" -- "$cli" render templates/resident-id-ug-photo.json examples/records/ug-ablimit-tursun.json -o "$tmp/cold/whole.png"
same_file "$tmp/cold/cached.png" "$tmp/cold/whole.png" "render --static-cache and render"

# Microtext: 0.8 pt is 3.3 px of em at 300 dpi, a finding naming the field
# and the dpi; 6.7 px at 600 dpi, none. A fixed and a bound repeated field
# render the same from the static cache and whole.
cat >"$tmp/micro.json" <<'EOF'
{"version": 1, "card": {"width_mm": 30, "height_mm": 8, "dpi": 600},
 "fields": [
  {"type": "text", "name": "micro_id", "box_mm": [3, 3, 24, 0.6], "bind": "id",
   "font": "OCR B", "size_pt": 0.8, "repeat": "line"},
  {"type": "text", "name": "micro_fixed", "box_mm": [3, 4, 24, 1.2], "text": "ZHANGSAN",
   "font": "OCR B", "size_pt": 0.8, "repeat": "fill"}]}
EOF
printf '{"id": "110101199003071234"}' >"$tmp/micro-rec.json"
expect 1 "check microtext at 300 dpi" -- "$cli" check "$tmp/micro.json" "$tmp/micro-rec.json" --safe-mm 0 --dpi 300
if grep -q 'field 0 "micro_id": microtext at 0.8 pt is 3.3 px of em at 300 dpi' "$tmp/stdout" "$tmp/stderr"; then
    passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: microtext finding at 300 dpi"; cat "$tmp/stdout"; fi
expect 0 "check microtext at 600 dpi" -- "$cli" check "$tmp/micro.json" "$tmp/micro-rec.json" --safe-mm 0 --dpi 600
if grep -q 'microtext' "$tmp/stdout" "$tmp/stderr"; then
    failed=$((failed + 1)); echo "FAIL: microtext finding at 600 dpi"; cat "$tmp/stdout"; else passed=$((passed + 1)); fi
expect 0 "render microtext --static-cache" -- "$cli" render "$tmp/micro.json" "$tmp/micro-rec.json" --static-cache -o "$tmp/micro-cached.png"
expect 0 "render microtext" -- "$cli" render "$tmp/micro.json" "$tmp/micro-rec.json" -o "$tmp/micro-whole.png"
same_file "$tmp/micro-cached.png" "$tmp/micro-whole.png" "microtext from the static cache and whole"

# "type": "mrz": the example card's zone is 9303 Part 5's worked example
# (typed in from the document), read back from the layout report; a record
# the zone cannot take fails naming the key; cards from batch (static
# cache, the MRZ live) are the cards render paints whole.
MRZ=templates/travel-permit-td1-back.json
MRZ_REC=examples/records/utopia-eriksson.json
expect 0 "render the MRZ card" -- "$cli" render "$MRZ" "$MRZ_REC" -o "$tmp/mrz.png"
expect 0 "layout of the MRZ card" -- "$cli" layout --json "$MRZ" "$MRZ_REC"
"$cli" layout --json "$MRZ" "$MRZ_REC" >"$tmp/mrz.json" 2>/dev/null
for line in 'I<UTOD231458907<<<<<<<<<<<<<<<' '7408122F1204159UTO<<<<<<<<<<<6' \
    'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'; do
    if grep -qF -- "\"$line\"" "$tmp/mrz.json"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAIL: MRZ line $line not in the layout"; fi
done
sed 's/1974-08-12/1974-08-32/' "$MRZ_REC" >"$tmp/mrz-bad-date.json"
expect 1 "MRZ with a bad date" -- "$cli" render "$MRZ" "$tmp/mrz-bad-date.json" -o "$tmp/mrz-bad.png"
stderr_has 'record key "birth_date" (MRZ birth_date): "1974-08-32" is not a date' "MRZ bad date"
no_file "$tmp/mrz-bad.png" "MRZ with a bad date"
expect 1 "check of an MRZ record with a bad date" -- "$cli" check "$MRZ" "$tmp/mrz-bad-date.json"
sed 's/Eriksson/Eriksson Wolfeschlegelsteinhausenbergerdorff/' "$MRZ_REC" >"$tmp/mrz-long.json"
{ tr -d '\n' <"$MRZ_REC"; echo; tr -d '\n' <"$tmp/mrz-long.json"; echo; } >"$tmp/mrz.jsonl"
expect 0 "batch of MRZ cards" -- "$cli" batch "$MRZ" "$tmp/mrz.jsonl" -o "$tmp/mrz-batch"
expect 0 "render the long-named MRZ card" -- "$cli" render "$MRZ" "$tmp/mrz-long.json" -o "$tmp/mrz-long.png"
same_file "$tmp/mrz.png" "$tmp/mrz-batch/000001.png" "render and batch of the MRZ card"
same_file "$tmp/mrz-long.png" "$tmp/mrz-batch/000002.png" "render and batch of the long-named MRZ card"

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
