#!/bin/sh
# Where the CLI's outputs may go (issue 13 point 4) and --fsync (issue 15
# point 7): -o - is standard output, a FIFO or a device is written in
# place, a symbolic link's target is replaced (the link stays), a dangling
# link's target is made, a folder is refused; RECORD - is standard input;
# sheet reads CSV as batch does; --fsync syncs the file and its folder, and
# a failing sync fails the write (tests/faults/fault_inject.c counts and
# fails fsync). Nothing here writes into /dev but through /dev/null and
# /dev/stdout, which must stay what they are.
# Usage: tests/outputs.sh path/to/cardrender path/to/fault_inject.so
set -u
# The shim is not built with the sanitizers: let an ASan build load it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
cli=$1
shim=$2
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
TPL=templates/resident-id-zh-photo.json
REC=examples/records/zh-zhang-wei.json
REC2=examples/records/zh-chen-xiaoling.json
ASSETS=examples/records

# expect STATUS DESCRIPTION -- command... (stdout to $tmp/stdout)
expect() {
    want=$1 what=$2
    shift 3
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    got=$?
    if [ "$got" = "$want" ]; then ok; else
        bad "$what: exit $got, wanted $want"
        sed 's/^/    /' "$tmp/stderr"
    fi
}
stderr_has() { grep -qF -- "$1" "$tmp/stderr" && ok || bad "$2: stderr lacks \"$1\""; }
same() { cmp -s "$1" "$2" && ok || bad "$3: $2 differs from $1"; }
no_temporaries() { [ -z "$(find "$1" -name '*.tmp')" ] && ok || bad "$2: a temporary is left in $1"; }
render() { timeout 60 "$cli" render "$TPL" "$REC" --dpi 72 "$@"; }

expect 0 "render to a file" -- render -o "$tmp/ref.png"

# ------------------------------------------------------ standard output
expect 0 "render -o -" -- render -o -
same "$tmp/ref.png" "$tmp/stdout" "render -o -"
# --threads (issue 18 point 4): the same file on 1, 3 and 8 threads, at
# the template's resolution (where the plan has many segments); 0 is refused
expect 0 "render --threads 1" -- "$cli" render "$TPL" "$REC" --threads 1 -o "$tmp/one.png"
expect 0 "render --threads 3" -- "$cli" render "$TPL" "$REC" --threads 3 -o "$tmp/three.png"
same "$tmp/one.png" "$tmp/three.png" "render --threads 3"
expect 0 "render --threads 8 -o -" -- "$cli" render "$TPL" "$REC" --threads 8 -o -
same "$tmp/one.png" "$tmp/stdout" "render --threads 8 -o -"
expect 2 "render --threads 0" -- render --threads 0 -o "$tmp/zero.png"
stderr_has "--threads needs a whole number from 1 to 64" "render --threads 0"
expect 0 "proof to a file" -- "$cli" proof "$TPL" "$REC" --dpi 72 -o "$tmp/proof.png"
expect 0 "proof -o -" -- "$cli" proof "$TPL" "$REC" --dpi 72 -o -
same "$tmp/proof.png" "$tmp/stdout" "proof -o -"
expect 0 "render -o /dev/stdout into a pipe" -- sh -c '"$1" render "$2" "$3" --dpi 72 -o /dev/stdout | cat' \
    sh "$cli" "$TPL" "$REC"
same "$tmp/ref.png" "$tmp/stdout" "render -o /dev/stdout"
[ -L /dev/stdout ] && ok || bad "/dev/stdout is no longer a link"
# A card with K and overlay panels is three files: not one stream.
cat >"$tmp/panels.json" <<'JSON'
{"version": 1,
 "card": {"k_panel": {"mode": "threshold", "threshold": 128}, "overlay": {"holes_mm": [[8, 17, 12, 10]]}},
 "fields": [{"type": "text", "name": "id_number", "box_mm": [27, 44.2, 55, 4.6], "bind": "id_number",
   "font": "OCR B", "size_pt": 11, "panel": "k"}]}
JSON
expect 2 "-o - with K and overlay panels" -- "$cli" render "$tmp/panels.json" "$REC" --dpi 72 -o -
stderr_has "this card has a K panel and an overlay" "the panels are the reason"
[ -s "$tmp/stdout" ] && bad "a card with panels wrote to standard output" || ok
# A reader that goes away: an error naming standard output, exit 1, no
# death by SIGPIPE (a 300 dpi card is far larger than a pipe's buffer).
{
    timeout 60 "$cli" render "$TPL" "$REC" --dpi 300 -o - 2>"$tmp/stderr"
    echo $? >"$tmp/status"
} | head -c 1 >/dev/null
[ "$(cat "$tmp/status")" = 1 ] && ok || bad "a closed pipe: exit $(cat "$tmp/status"), wanted 1"
stderr_has "<stdout>: cannot write PNG: writing it failed: Broken pipe" "a closed pipe is named"

# --------------------------------------------------- FIFOs and devices
mkfifo "$tmp/fifo.png"
cat "$tmp/fifo.png" >"$tmp/from-fifo.png" &
reader=$!
expect 0 "render into a FIFO" -- render -o "$tmp/fifo.png"
wait $reader
same "$tmp/ref.png" "$tmp/from-fifo.png" "the FIFO's reader"
[ -p "$tmp/fifo.png" ] && ok || bad "the FIFO is no longer a FIFO"
no_temporaries "$tmp" "FIFO"
expect 0 "render to /dev/null" -- render -o /dev/null
[ -c /dev/null ] && ok || bad "/dev/null is no longer a character device"
[ -z "$(find /dev -maxdepth 1 -name 'null.*')" ] && ok || bad "a temporary beside /dev/null"

# ------------------------------------------------------------ links
printf 'old' >"$tmp/target.png"
ln -s target.png "$tmp/link.png"
expect 0 "render through a link" -- render -o "$tmp/link.png"
[ -L "$tmp/link.png" ] && ok || bad "the link was replaced"
same "$tmp/ref.png" "$tmp/target.png" "the link's target"
mkdir "$tmp/sub" "$tmp/elsewhere"
ln -s ../elsewhere/made.png "$tmp/sub/dangling.png"
expect 0 "render through a dangling link" -- render -o "$tmp/sub/dangling.png"
[ -L "$tmp/sub/dangling.png" ] && ok || bad "the dangling link was replaced"
same "$tmp/ref.png" "$tmp/elsewhere/made.png" "the dangling link's target, made"
no_temporaries "$tmp" "links"

# ---------------------------------------------------------- a folder
mkdir "$tmp/folder.png"
expect 1 "render to a folder" -- render -o "$tmp/folder.png"
stderr_has "$tmp/folder.png: cannot write PNG: it is a directory" "the folder is named"
[ -z "$(ls -A "$tmp/folder.png")" ] && ok || bad "something was written into the folder"
no_temporaries "$tmp" "folder"

# ------------------------------------------------------ standard input
expect 0 "render T - < RECORD" -- sh -c '"$1" render "$2" - --dpi 72 --assets "$3" -o - <"$4"' \
    sh "$cli" "$TPL" "$ASSETS" "$REC"
same "$tmp/ref.png" "$tmp/stdout" "a record from standard input"
expect 1 "a record from standard input lacking a key" -- sh -c \
    'printf "{\"name\": \"x\"}" | "$1" render "$2" - -o "$3"' sh "$cli" "$TPL" "$tmp/x.png"
stderr_has "the record <stdin> has no key" "standard input named <stdin>"
[ -e "$tmp/x.png" ] && bad "a card was written for a bad record" || ok

# ------------------------------------------------------ sheet records
python3 - "$tmp/people.csv" "$REC" "$REC2" <<'EOF'
import csv, json, sys
records = [json.load(open(p, encoding="utf-8")) for p in sys.argv[2:]]
with open(sys.argv[1], "w", encoding="utf-8", newline="") as out:
    w = csv.DictWriter(out, fieldnames=list(records[0]))
    w.writeheader()
    w.writerows(records)
EOF
sheet() { timeout 60 "$cli" sheet "$TPL" "$@" --layout 2x1 --dpi 72; }
expect 0 "sheet from JSON records" -- sheet "$REC" "$REC2" -o "$tmp/sheet-json.png"
expect 0 "sheet from CSV" -- sheet "$tmp/people.csv" --assets "$ASSETS" -o "$tmp/sheet-csv.png"
same "$tmp/sheet-json.png" "$tmp/sheet-csv.png" "sheet from CSV"
expect 0 "sheet from CSV on standard input, to standard output" -- sh -c \
    '"$1" sheet "$2" - --format csv --layout 2x1 --dpi 72 --assets "$3" -o - <"$4"' \
    sh "$cli" "$TPL" "$ASSETS" "$tmp/people.csv"
same "$tmp/sheet-json.png" "$tmp/stdout" "sheet from standard input"
{ head -n 2 "$tmp/people.csv"; echo 'only,three,fields'; } >"$tmp/bad.csv"
expect 1 "sheet from a CSV with a short row" -- sheet "$tmp/bad.csv" --assets "$ASSETS" -o "$tmp/bad.png"
stderr_has "$tmp/bad.csv:3: the row has 3 fields" "the bad row named by file and line"
expect 2 "sheet with an unknown --format" -- sheet "$tmp/people.csv" --format xml -o "$tmp/bad.png"
[ -e "$tmp/bad.png" ] && bad "a sheet was written from bad records" || ok

# ------------------------------------------------ a batch's own folder
# A batch replaces what is under a card's name (it never writes into a FIFO
# or through a link there), with or without --resume.
mkdir "$tmp/batch"
mkfifo "$tmp/batch/000001.png"
printf 'keep' >"$tmp/outside.png"
ln -s ../outside.png "$tmp/batch/000002.png"
printf '%s\n%s\n' "$(tr -d '\n' <"$REC")" "$(tr -d '\n' <"$REC")" >"$tmp/same-two.jsonl"
expect 0 "batch over a FIFO and a link" -- timeout 60 "$cli" batch "$TPL" "$tmp/same-two.jsonl" \
    -o "$tmp/batch" --assets "$ASSETS" --dpi 72
for f in 000001.png 000002.png; do
    [ -f "$tmp/batch/$f" ] && [ ! -L "$tmp/batch/$f" ] && ok || bad "batch: $f is not a file"
    same "$tmp/ref.png" "$tmp/batch/$f" "batch over a FIFO and a link"
done
[ "$(cat "$tmp/outside.png")" = keep ] && ok || bad "batch wrote through a link in its folder"

# -------------------------------------------------------------- fsync
# Counted by the shim under $tmp/sync: the file before the rename, its
# folder after; none without --fsync.
mkdir "$tmp/sync"
synced() {
    rm -f "$tmp/fsync.log"
    env CR_FAULT_PATH="$tmp/sync" CR_FAULT_LOG="$tmp/fsync.log" LD_PRELOAD="$shim" "$@" \
        >"$tmp/stdout" 2>"$tmp/stderr" || bad "$*: exit $?"
}
log_has() { grep -qxF -- "$1" "$tmp/fsync.log" 2>/dev/null && ok || bad "$2: no \"$1\" in the fsync log"; }
synced "$cli" render "$TPL" "$REC" --dpi 72 -o "$tmp/sync/card.png"
[ -e "$tmp/fsync.log" ] && bad "fsync without --fsync" || ok
synced "$cli" render "$TPL" "$REC" --dpi 72 -o "$tmp/sync/card.png" --fsync
# The file is synced before it has its name: an unnamed O_TMPFILE file
# (/proc shows "#INODE (deleted)") or, where there is none, a named one.
unnamed_or() { printf '^fsync file %s/(%s\\..*\\.tmp|#[0-9]+ \\(deleted\\))$' "$1" "$2"; }
grep -qE "$(unnamed_or "$tmp/sync" card.png)" "$tmp/fsync.log" && ok || bad "render --fsync: the temporary file was not synced"
log_has "fsync dir $tmp/sync" "render --fsync: the folder"
same "$tmp/ref.png" "$tmp/sync/card.png" "render --fsync"
mkdir "$tmp/sync/real"
ln -s real/linked.png "$tmp/sync/link.png"
synced "$cli" proof "$TPL" "$REC" --dpi 72 -o "$tmp/sync/link.png" --fsync
log_has "fsync dir $tmp/sync/real" "proof --fsync through a link: the target's folder"
synced "$cli" sheet "$TPL" "$REC" "$REC2" --layout 2x1 --dpi 72 -o "$tmp/sync/sheet.png" --fsync
log_has "fsync dir $tmp/sync" "sheet --fsync: the folder"
printf '%s\n{"name": "x"}\n' "$(tr -d '\n' <"$REC")" >"$tmp/two.jsonl"
rm -f "$tmp/fsync.log"
env CR_FAULT_PATH="$tmp/sync" CR_FAULT_LOG="$tmp/fsync.log" LD_PRELOAD="$shim" "$cli" batch "$TPL" \
    "$tmp/two.jsonl" -o "$tmp/sync/batch" --assets "$ASSETS" --dpi 72 --fsync >/dev/null 2>&1
[ $? = 1 ] && ok || bad "batch --fsync with a bad record: wanted exit 1"
grep -qE "$(unnamed_or "$tmp/sync/batch" 000001.png)" "$tmp/fsync.log" && ok || bad "batch --fsync: the card was not synced"
log_has "fsync file $tmp/sync/batch/failures.jsonl" "batch --fsync: the failures file"
[ "$(tail -n 1 "$tmp/fsync.log")" = "fsync dir $tmp/sync/batch" ] && ok || bad "batch --fsync: the output folder is not synced last"

# A failing sync fails the write: exit 1, the step named, nothing under
# the final name, no temporary. #1 is the file's, #2 the folder's.
for n in 1 2; do
    out=$tmp/sync/fail-$n.png
    env CR_FAULT_CALL=fsync CR_FAULT_AT=$n CR_FAULT_ERRNO=EIO CR_FAULT_PATH="$tmp/sync" \
        LD_PRELOAD="$shim" "$cli" render "$TPL" "$REC" --dpi 72 -o "$out" --fsync 2>"$tmp/stderr"
    [ $? = 1 ] && ok || bad "fsync #$n failing: wanted exit 1"
    stderr_has "$out: cannot write PNG: syncing the $([ $n = 1 ] && echo temporary file || echo folder) failed: Input/output error" "fsync #$n failing is named"
    [ -e "$out" ] && bad "fsync #$n failing left $out" || ok
done
no_temporaries "$tmp/sync" "failing fsync"

echo "outputs.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
