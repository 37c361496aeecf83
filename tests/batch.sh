#!/bin/sh
# cardrender batch: bad records reported and skipped, CSV and stdin input,
# name patterns, -j giving the same bytes, and a batch killed with SIGKILL
# leaving only complete files that --resume finishes exactly.
# Usage: tests/batch.sh path/to/cardrender
set -u
cli=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
TPL=templates/resident-id-zh-photo.json
ASSETS=examples/records
DPI=72 # small cards keep the suite fast; the bytes are compared all the same

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run STATUS DESCRIPTION -- command...: stdout/stderr in $tmp/stdout, $tmp/stderr
run() {
    want=$1; what=$2; shift 3
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    got=$?
    if [ "$got" = "$want" ]; then ok; else
        bad "$what: exit $got, wanted $want"; sed 's/^/    /' "$tmp/stderr"; fi
}
stderr_has() {
    if grep -qF -- "$1" "$tmp/stderr"; then ok; else
        bad "$2: stderr lacks \"$1\""; sed 's/^/    /' "$tmp/stderr"; fi
}
exists() { if [ -e "$1" ]; then ok; else bad "$2: $1 is missing"; fi; }
absent() { if [ -e "$1" ]; then bad "$2: $1 exists"; else ok; fi; }
# Byte-identical files, in the sanitized build too.
same() {
    if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; fi
}
count_png() { find "$1" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l | tr -d ' '; }
batch() { "$cli" batch "$TPL" "$@" --assets "$ASSETS" --dpi "$DPI"; }

# Every file named *.png in DIR is a whole PNG: chunks and CRCs intact, the
# image data inflates to exactly the rows the header declares, IEND last.
all_pngs_whole() {
    python3 - "$1" <<'EOF'
import struct, sys, zlib, pathlib
bad = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.png")):
    data = path.read_bytes()
    try:
        assert data[:8] == b"\x89PNG\r\n\x1a\n", "signature"
        pos, idat, chunks = 8, b"", []
        while pos < len(data):
            length, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
            assert zlib.crc32(kind + body) == crc, "CRC"
            chunks.append(kind)
            if kind == b"IHDR":
                width, height = struct.unpack(">II", body[:8])
            if kind == b"IDAT":
                idat += body
            pos += 12 + length
        assert chunks[-1] == b"IEND", "no IEND"
        assert len(zlib.decompress(idat)) == height * (1 + 3 * width), "short image data"
    except Exception as e:
        bad.append(f"{path.name}: {e}")
if bad: print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

# ------------------------------------------------------------- records
python3 - "$tmp" <<'EOF'
import json, sys
tmp = sys.argv[1]
zhang = json.load(open("examples/records/zh-zhang-wei.json"))
chen = json.load(open("examples/records/zh-chen-xiaoling.json"))
def line(record):
    return json.dumps(record, ensure_ascii=False) + "\n"
no_sex = dict(zhang); del no_sex["sex"]
escape = dict(chen, photo="../../../etc/passwd")
with open(f"{tmp}/mixed.jsonl", "w") as f:
    f.write(line(zhang) + line(chen) + line(no_sex) + "\n")
    f.write('{"name": "李四", "sex": \n')          # record 4: not JSON
    f.write(line(escape) + line(dict(zhang, name="王小明")) + line(dict(chen, name="周杰")))
with open(f"{tmp}/dup.jsonl", "w") as f:
    f.write(line(zhang) + line(chen) + line(dict(zhang, name="张三")))
names = ["张伟", "陈晓玲", "欧阳娜娜", "李四", "王小明", "赵丽颖", "司马相如", "周杰"]
with open(f"{tmp}/many.jsonl", "w") as f:
    for i in range(150):
        base = zhang if i % 2 else chen
        f.write(line(dict(base, name=names[i % 8], id_number="1101011990%08d" % i)))
open(f"{tmp}/zhang.id", "w").write(zhang["id_number"])
open(f"{tmp}/chen.id", "w").write(chen["id_number"])
keys = list(zhang)
with open(f"{tmp}/people.csv", "w", newline="") as f:
    f.write(",".join(keys) + "\r\n")
    for r in (zhang, chen):
        f.write(",".join('"' + r[k].replace('"', '""') + '"' for k in keys) + "\r\n")
EOF

ZHANG=$(cat "$tmp/zhang.id")
CHEN=$(cat "$tmp/chen.id")

# --------------------------------------------------------------- usage
run 0 "batch --help" -- "$cli" batch --help
grep -q "usage: cardrender batch" "$tmp/stdout" && ok || bad "batch --help text"
run 2 "batch without -o" -- "$cli" batch "$TPL" "$tmp/mixed.jsonl"
run 2 "batch with a bad -j" -- batch "$tmp/mixed.jsonl" -o "$tmp/u" -j x
run 2 "batch with -j out of range" -- batch "$tmp/mixed.jsonl" -o "$tmp/u" -j 999
run 2 "batch with a pattern not ending in .png" -- batch "$tmp/mixed.jsonl" -o "$tmp/u" --name "{#}"
stderr_has 'must end in ".png"' "bad pattern explained"
run 2 "batch with a pattern holding a /" -- batch "$tmp/mixed.jsonl" -o "$tmp/u" --name "a/{#}.png"
run 2 "batch with an unknown format" -- batch "$tmp/mixed.jsonl" -o "$tmp/u" --format xml
absent "$tmp/u" "usage errors create nothing"
run 1 "batch with a missing template" -- "$cli" batch "$tmp/none.json" "$tmp/mixed.jsonl" -o "$tmp/u"
stderr_has "$tmp/none.json" "missing template named"
run 1 "batch with missing records" -- batch "$tmp/none.jsonl" -o "$tmp/u"
stderr_has "$tmp/none.jsonl: cannot open the records" "missing records named"

# ---------------------------------------- bad records in the middle
run 1 "batch with bad records" -- batch "$tmp/mixed.jsonl" -o "$tmp/mixed"
cp "$tmp/stderr" "$tmp/mixed.stderr"
for n in 1 2 6 7; do exists "$tmp/mixed/00000$n.png" "good record $n rendered"; done
for n in 3 4 5; do absent "$tmp/mixed/00000$n.png" "bad record $n"; done
stderr_has "record 3 ($tmp/mixed.jsonl:3, 000003.png): templates/resident-id-zh-photo.json:" "missing key: record and template"
stderr_has "the record $tmp/mixed.jsonl:3 has no key \"sex\"" "missing key: key and records line"
stderr_has "record 4 ($tmp/mixed.jsonl:5, 000004.png): $tmp/mixed.jsonl:5:" "not JSON: record and line"
stderr_has "syntax error" "not JSON: reason"
stderr_has "record 5 ($tmp/mixed.jsonl:6, 000005.png)" "escaping photo: record"
stderr_has '"../../../etc/passwd" escapes the asset folder' "escaping photo: reason"
stderr_has "7 records: 4 rendered, 3 failed" "summary"
if python3 - "$tmp/mixed/failures.jsonl" <<'EOF'; then ok; else bad "failures file"; fi
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert [l["record"] for l in lines] == [3, 4, 5], lines
assert [l["output"] for l in lines] == ["000003.png", "000004.png", "000005.png"], lines
assert [l["line"] for l in lines] == [3, 5, 6], lines
assert 'no key "sex"' in lines[0]["message"] and lines[0]["field"] == "sex", lines[0]
assert lines[1]["status"] == "syntax", lines[1]
assert "escapes the asset folder" in lines[2]["message"] and lines[2]["field"] == "photo"
EOF
all_pngs_whole "$tmp/mixed" && ok || bad "mixed batch: a PNG is not whole"

# A card from a batch is the card `render` makes.
head -n 1 "$tmp/mixed.jsonl" >"$tmp/one.json"
"$cli" render "$TPL" "$tmp/one.json" -o "$tmp/one.png" --assets "$ASSETS" --dpi "$DPI"
same "$tmp/one.png" "$tmp/mixed/000001.png" "batch card equals render card"

# -j 2: the same files, bytes, failures and messages.
run 1 "batch -j 2" -- batch "$tmp/mixed.jsonl" -o "$tmp/mixed-j2" -j 2
for f in "$tmp"/mixed/*; do same "$f" "$tmp/mixed-j2/${f##*/}" "-j 2 equals -j 1"; done
[ "$(count_png "$tmp/mixed-j2")" = 4 ] && ok || bad "-j 2 wrote other files"
grep -v "cards/s" "$tmp/mixed.stderr" | sed "s|mixed-j2|mixed|" >"$tmp/e1"
grep -v "cards/s" "$tmp/stderr" | sed "s|mixed-j2|mixed|" >"$tmp/e2"
same "$tmp/e1" "$tmp/e2" "-j 2 reports in the same order"

# A clean rerun removes the stale failures file.
head -n 2 "$tmp/mixed.jsonl" >"$tmp/clean.jsonl"
run 0 "batch of good records" -- batch "$tmp/clean.jsonl" -o "$tmp/mixed"
absent "$tmp/mixed/failures.jsonl" "no failures, no failures file"
run 1 "--failures FILE" -- batch "$tmp/mixed.jsonl" -o "$tmp/f" --failures "$tmp/fail.jsonl"
[ "$(wc -l <"$tmp/fail.jsonl")" = 3 ] && ok || bad "--failures FILE holds 3 lines"
absent "$tmp/f/failures.jsonl" "--failures FILE replaces the default"
run 1 "--failures in a missing folder" -- batch "$tmp/mixed.jsonl" -o "$tmp/g" --failures "$tmp/no/such/f.jsonl"
stderr_has "$tmp/no/such/f.jsonl: cannot write the failures file there" "unwritable failures file named"

# A records file whose name is not UTF-8: the failures file stays valid JSON.
odd="$tmp/$(printf 'x\377')"
cp "$tmp/mixed.jsonl" "$odd.jsonl"
run 1 "records file named in Latin-1" -- batch "$odd.jsonl" -o "$tmp/odd"
if python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(lines) == 3 and "x?.jsonl:3 has no key" in lines[0]["message"], lines
' "$tmp/odd/failures.jsonl"; then ok; else bad "failures file with a non-UTF-8 path"; fi

# ------------------------------------------------------- CSV and stdin
run 0 "CSV batch" -- batch "$tmp/people.csv" -o "$tmp/csv" --name "{id_number}.png"
same "$tmp/csv/$ZHANG.png" "$tmp/mixed/000001.png" "CSV record renders as JSON"
same "$tmp/csv/$CHEN.png" "$tmp/mixed/000002.png" "CSV record 2 renders as JSON"
run 0 "CSV from stdin" -- sh -c "cat '$tmp/people.csv' | '$cli' batch '$TPL' - --format csv -o '$tmp/csv-in' --assets '$ASSETS' --dpi $DPI"
same "$tmp/csv-in/000001.png" "$tmp/mixed/000001.png" "CSV on stdin"
run 1 "JSONL from stdin" -- sh -c "'$cli' batch '$TPL' - -o '$tmp/in' --assets '$ASSETS' --dpi $DPI <'$tmp/mixed.jsonl'"
for f in "$tmp"/mixed-j2/*.png; do same "$f" "$tmp/in/${f##*/}" "stdin equals file"; done
stderr_has "the record <stdin>:3 has no key" "stdin named in messages"

# ------------------------------------------------ names and duplicates
run 1 "duplicate names" -- batch "$tmp/dup.jsonl" -o "$tmp/dup" --name "{id_number}-{sex}.png"
exists "$tmp/dup/$ZHANG-男.png" "first holder of a name"
exists "$tmp/dup/$CHEN-女.png" "other name"
stderr_has "record 3 ($tmp/dup.jsonl:3, $ZHANG-男.png)" "duplicate: record"
stderr_has 'is already taken by record 1' "duplicate: reason"
same "$tmp/dup/$ZHANG-男.png" "$tmp/mixed/000001.png" "the first holder keeps its card"
run 1 "a name key missing" -- batch "$tmp/mixed.jsonl" -o "$tmp/nokey" --name "{nickname}.png"
stderr_has 'the output name needs the key "nickname"' "missing name key"

# Names up to the file system's 255 bytes: 245 letters, six digits, ".png".
long=$(printf '%0245d' 0 | tr 0 b)
run 1 "output names of 255 bytes (the mixed records: three fail)" -- batch "$tmp/mixed.jsonl" -o "$tmp/long" --name "$long{#}.png"
[ "$(count_png "$tmp/long")" = "$(count_png "$tmp/mixed")" ] && ok || bad "255-byte names: $(count_png "$tmp/long") files"
for f in "$tmp"/mixed/*.png; do same "$f" "$tmp/long/$long${f##*/}" "a 255-byte name holds the same card"; done
[ -z "$(find "$tmp/long" -name '*tmp*')" ] && ok || bad "temporaries left beside 255-byte names"

# ------------------------------------------- kill -9 mid-way, then --resume
run 0 "uninterrupted batch" -- batch "$tmp/many.jsonl" -o "$tmp/whole"
# Records trickle in through a pipe, so the batch is surely mid-way when
# killed whatever the speed of the machine.
python3 -c '
import sys, time
for line in open(sys.argv[1], encoding="utf-8"):
    sys.stdout.write(line); sys.stdout.flush(); time.sleep(0.01)
' "$tmp/many.jsonl" 2>/dev/null | "$cli" batch "$TPL" - -o "$tmp/killed" -j 2 --assets "$ASSETS" --dpi "$DPI" 2>/dev/null &
pid=$!
tries=0
while [ "$(count_png "$tmp/killed" 2>/dev/null)" -lt 30 ] && [ $tries -lt 600 ] &&
    kill -0 "$pid" 2>/dev/null; do
    sleep 0.05; tries=$((tries + 1))
done
kill -9 "$pid"
wait 2>/dev/null
left=$(count_png "$tmp/killed")
[ "$left" -ge 30 ] && [ "$left" -lt 150 ] && ok || bad "kill mid-way: $left files"
all_pngs_whole "$tmp/killed" && ok || bad "a killed batch left a partial PNG under a final name"
for f in "$tmp"/killed/*.png; do same "$f" "$tmp/whole/${f##*/}" "killed batch file"; done
# Where the file system makes files without a name (O_TMPFILE), a card
# being written when the kill came has no name yet: nothing is left over.
if python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_TMPFILE | os.O_WRONLY))' \
    "$tmp/killed" 2>/dev/null; then
    [ -z "$(find "$tmp/killed" -name '*.tmp')" ] && ok || bad "a killed batch left a temporary file"
fi
# Leftovers of an earlier crash: a temporary, and a final file cut short.
printf 'half' >"$tmp/killed/000149.png.k1ll3d.tmp"
first=$(find "$tmp/killed" -maxdepth 1 -name '*.png' | sort | head -n 1)
head -c 1000 "$tmp/whole/${first##*/}" >"$first"
# A FIFO under a final name must neither block --resume nor count as done.
nth() { find "$tmp/killed" -maxdepth 1 -name '*.png' | sort | sed -n "$1p"; }
second=$(nth 2)
rm "$second" && mkfifo "$second"
# Damage that an end-to-end look (signature, IEND) misses: an IDAT byte
# changed with its CRC made right again (only inflating tells); the middle
# cut out and IEND put back; a link to another record's card.
third=$(nth 3) fourth=$(nth 4) fifth=$(nth 5)
python3 - "$third" "$fourth" <<'PY'
import struct, sys, zlib
def chunks(data):
    at = 8
    while at < len(data):
        n, = struct.unpack(">I", data[at:at + 4])
        yield at, n, data[at + 4:at + 8]
        at += 12 + n
def recrc(data, at, n):
    return data[:at + 8 + n] + struct.pack(">I", zlib.crc32(data[at + 4:at + 8 + n])) + data[at + 12 + n:]
data = bytearray(open(sys.argv[1], "rb").read())
at, n, _ = next(c for c in chunks(data) if c[2] == b"IDAT")
data[at + 8 + n // 2] ^= 0x55
open(sys.argv[1], "wb").write(recrc(bytes(data), at, n))
data = open(sys.argv[2], "rb").read()
iend = data[-12:]
open(sys.argv[2], "wb").write(data[:len(data) // 2] + iend)
PY
rm "$fifth" && ln -s "$(nth 6)" "$fifth"
run 0 "--resume" -- timeout 300 "$cli" batch "$TPL" "$tmp/many.jsonl" -o "$tmp/killed" --resume -j 2 --assets "$ASSETS" --dpi "$DPI"
stderr_has "deleted" "resume reports deleted temporaries"
stderr_has "$((left - 5)) already complete" "resume skips the complete files"
stderr_has "$second is not a whole card (a FIFO): made again" "a FIFO is said and made again"
stderr_has "$third is not a whole card (its image data does not inflate to the rows): made again" "a bad IDAT with a good CRC is found"
stderr_has "$fourth is not a whole card" "a file cut short with IEND put back is found"
stderr_has "$fifth is not a whole card (it is a symbolic link): made again" "a link to another card is found"
[ -f "$second" ] && ok || bad "the FIFO under a final name was not replaced by the card"
[ -L "$fifth" ] && bad "the link under a final name was kept" || ok
[ -z "$(find "$tmp/killed" -name '*tmp*')" ] && ok || bad "temporaries left after --resume"
[ "$(count_png "$tmp/killed")" = 150 ] && ok || bad "resume did not finish: $(count_png "$tmp/killed") files"
for f in "$tmp"/whole/*.png; do same "$f" "$tmp/killed/${f##*/}" "resumed equals uninterrupted"; done

# ------------------------------------------------------------- encodings
# The example records of every edition as a UTF-8 CSV, and the same CSV
# converted by iconv: GB 18030 (--encoding) and UTF-16LE with a byte-order
# mark (found alone) render byte-identical cards.
for ed in zh bo ii ko mn ug za; do
    python3 - "$ed" "$tmp/enc-$ed.csv" <<'EOF'
import glob, json, sys
records = [json.load(open(p, encoding="utf-8"))
           for p in sorted(glob.glob(f"examples/records/{sys.argv[1]}-*.json"))]
keys = []
for r in records:
    keys += [k for k in r if k not in keys]
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    f.write(",".join(keys) + "\r\n")
    for r in records:
        f.write(",".join('"' + r.get(k, "").replace('"', '""') + '"' for k in keys) + "\r\n")
EOF
    iconv -f UTF-8 -t GB18030 "$tmp/enc-$ed.csv" >"$tmp/enc-$ed.gb.csv"
    if cmp -s "$tmp/enc-$ed.csv" "$tmp/enc-$ed.gb.csv"; then bad "$ed: iconv changed nothing"; else ok; fi
    etpl=templates/resident-id-$ed-photo.json
    run 0 "$ed: UTF-8 CSV" -- "$cli" batch "$etpl" "$tmp/enc-$ed.csv" -o "$tmp/enc-$ed-u8" --assets "$ASSETS" --dpi "$DPI"
    run 0 "$ed: GB 18030 CSV" -- "$cli" batch "$etpl" "$tmp/enc-$ed.gb.csv" --encoding gb18030 -o "$tmp/enc-$ed-gb" --assets "$ASSETS" --dpi "$DPI"
    [ "$(count_png "$tmp/enc-$ed-u8")" -ge 3 ] && ok || bad "$ed: fewer than 3 cards"
    [ "$(count_png "$tmp/enc-$ed-gb")" = "$(count_png "$tmp/enc-$ed-u8")" ] && ok || bad "$ed: GB 18030 card count"
    for f in "$tmp/enc-$ed-u8"/*.png; do same "$f" "$tmp/enc-$ed-gb/${f##*/}" "$ed: GB 18030 CSV card"; done
done
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$tmp/enc-zh.csv"; } >"$tmp/enc-zh.u16.csv"
run 0 "UTF-16LE CSV with a byte-order mark" -- "$cli" batch templates/resident-id-zh-photo.json "$tmp/enc-zh.u16.csv" -o "$tmp/enc-u16" --assets "$ASSETS" --dpi "$DPI"
for f in "$tmp/enc-zh-u8"/*.png; do same "$f" "$tmp/enc-u16/${f##*/}" "UTF-16LE CSV card"; done
iconv -f UTF-8 -t GB18030 "$tmp/mixed.jsonl" >"$tmp/mixed.gb.jsonl"
run 1 "GB 18030 JSON Lines" -- batch "$tmp/mixed.gb.jsonl" --encoding GB18030 -o "$tmp/enc-jsonl"
for f in "$tmp"/mixed/*.png; do same "$f" "$tmp/enc-jsonl/${f##*/}" "GB 18030 JSON Lines card"; done
# Read as UTF-8, a GB 18030 file fails once, saying which encoding to give.
run 1 "GB 18030 CSV without --encoding" -- "$cli" batch templates/resident-id-zh-photo.json "$tmp/enc-zh.gb.csv" -o "$tmp/enc-noenc" --assets "$ASSETS" --dpi "$DPI"
stderr_has "enc-zh.gb.csv:2:2: not UTF-8 from byte offset" "GB 18030 read as UTF-8: where"
stderr_has "the whole file reads cleanly as gb18030: give --encoding gb18030" "GB 18030 read as UTF-8: suggestion"
[ "$(grep -c 'UTF-8' "$tmp/stderr")" = 1 ] && ok || bad "GB 18030 read as UTF-8: not said once"
[ "$(count_png "$tmp/enc-noenc")" = 0 ] && ok || bad "GB 18030 read as UTF-8: cards made"
# One bad byte sequence (the second byte of 陈 becomes 0x7F): that record
# fails, once, with line, column and byte offset; the others render.
offset=$(python3 - "$tmp/enc-zh.gb.csv" "$tmp/enc-bad.csv" <<'EOF'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index("陈".encode("gb18030"))
data[at + 1] = 0x7F
open(sys.argv[2], "wb").write(data)
print(at)
EOF
)
run 1 "a bad byte in a GB 18030 CSV" -- "$cli" batch templates/resident-id-zh-photo.json "$tmp/enc-bad.csv" --encoding gb18030 -o "$tmp/enc-bad" --assets "$ASSETS" --dpi "$DPI"
line=$(grep -n '陈' "$tmp/enc-zh.csv" | cut -d: -f1)
lead=$(python3 -c 'print("%02X" % "陈".encode("gb18030")[0])')
stderr_has "enc-bad.csv:$line:2: column 1 \"name\" is not valid gb18030: byte 0x$lead at byte offset $offset" "bad byte located"
[ "$(grep -c 'not valid' "$tmp/stderr")" = 1 ] && ok || bad "bad byte reported more than once"
[ "$(count_png "$tmp/enc-bad")" = 2 ] && ok || bad "bad byte: the other records"
run 2 "an unknown encoding" -- batch "$tmp/mixed.jsonl" --encoding no-such -o "$tmp/enc-none"
stderr_has 'unknown encoding "no-such"' "unknown encoding named"

echo "batch.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
