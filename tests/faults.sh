#!/bin/sh
# Fault injection: a small batch with the Nth open, write, fsync, link, rename or
# close under its output folder made to fail (tests/fault_inject.c, loaded
# with LD_PRELOAD), for every N until the batch makes fewer such calls; once
# with a disk that stays full (ENOSPC from then on), once with a single
# EIO. After every run: exit status 1, no partial file under a final name
# and no temporary left, every record rendered (byte for byte the clean
# run's card) or listed in the failures file, or, when the disk stays full,
# one message naming the folder, the cause and --resume; then --resume
# without faults ends byte-identical to the clean run. Then the same for
# every fsync of a batch with --fsync (each card and its folder, the
# bookkeeping at the end).
# Usage: tests/faults.sh path/to/cardrender path/to/fault_inject.so
set -u
# The shim is not built with the sanitizers: let an ASan build load it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
cli=$1
shim=$2
case $shim in /*) ;; *) shim=$PWD/$shim ;; esac
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
TPL=templates/resident-id-zh-photo.json

python3 - "$tmp/records.jsonl" <<'EOF'
import json, sys
names = ["zh-zhang-wei", "zh-chen-xiaoling", "zh-reyihanguli-aihemaitijiang"]
records = [json.load(open(f"examples/records/{n}.json", encoding="utf-8")) for n in names]
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for i in range(4):
        out.write(json.dumps(records[i % 3], ensure_ascii=False) + "\n")
EOF
batch() { "$cli" batch "$TPL" "$tmp/records.jsonl" -o "$1" --dpi 72 --assets examples/records; }
batch "$tmp/clean" >/dev/null 2>&1 || bad "the clean batch failed"

# No temporary left, and every card under a final name is the clean run's,
# byte for byte (a partial file would differ).
whole() {
    ! ls "$1" | grep -q 'tmp' || return 1
    for f in "$1"/*.png; do
        [ -e "$f" ] || continue
        cmp -s "$f" "$tmp/clean/${f##*/}" || return 1
    done
}

# Each record is its clean card or a line of the failures file.
accounted() {
    for k in 1 2 3 4; do
        f=$(printf '%06d.png' "$k")
        if [ -e "$1/$f" ]; then
            cmp -s "$1/$f" "$tmp/clean/$f" || return 1
        elif ! grep -q "\"record\":$k," "$1/failures.jsonl" 2>/dev/null; then
            return 1
        fi
    done
}

# run CALL N ERRNO STICKY: 0 when the fault was met, 1 when the batch made
# fewer than N such calls (it then must have succeeded). The batch gets
# $FLAGS too.
FLAGS=
NO_TMPFILE=
run() {
    out=$tmp/out-$1-$2-$3-$4$FLAGS$NO_TMPFILE
    # env, not assignments before a shell function: those would stay set.
    env CR_FAULT_CALL="$1" CR_FAULT_AT="$2" CR_FAULT_ERRNO="$3" CR_FAULT_STICKY="$4" \
        CR_FAULT_NO_TMPFILE="$NO_TMPFILE" \
        CR_FAULT_PATH="$out" LD_PRELOAD="$shim" "$cli" batch "$TPL" "$tmp/records.jsonl" \
        -o "$out" --dpi 72 --assets examples/records $FLAGS >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    what="$FLAGS $1 #$2 fails with $3$([ "$4" = 1 ] && echo ', and every one after')"
    if [ $status = 0 ] && [ "$(ls "$out" | grep -c "\.png$")" = 4 ]; then
        for f in "$tmp"/clean/*.png; do cmp -s "$f" "$out/${f##*/}" || bad "$what: ${f##*/} differs"; done
        return 1
    fi
    [ $status = 1 ] && ok || bad "$what: exit $status, wanted 1"
    whole "$out" && ok || bad "$what: a partial file or a temporary is left"
    if [ "$4" = 1 ]; then
        lines=$(grep -c "$out" "$tmp/stderr")
        grep -q "resume" "$tmp/stderr" && ok || bad "$what: no word of --resume"
        [ "$lines" -le 3 ] && ok || bad "$what: $lines lines about the folder, not one stop"
        if grep -q "are listed in" "$tmp/stderr" && ! [ -s "$out/failures.jsonl" ]; then
            bad "$what: the summary claims a failures file it could not write"
        else ok; fi
    else
        accounted "$out" && ok || bad "$what: a record neither rendered nor listed"
    fi
    "$cli" batch "$TPL" "$tmp/records.jsonl" -o "$out" --dpi 72 --assets examples/records \
        --resume >/dev/null 2>&1 || bad "$what: --resume failed"
    for f in "$tmp"/clean/*.png; do
        cmp -s "$f" "$out/${f##*/}" || bad "$what: after --resume ${f##*/} differs"
    done
    return 0
}

# every_call LABEL CALL...: each CALL made to fail at every N in turn, with
# a disk that stays full and with a single EIO.
every_call() {
    label=$1
    shift
    for call in "$@"; do
        for mode in "ENOSPC 1" "EIO 0"; do
            n=1
            while [ $n -le 1000 ] && run "$call" "$n" $mode; do n=$((n + 1)); done
            [ $n -le 1000 ] && ok || bad "$call: more than 1000 calls; raise the bound"
            echo "  $label$call, $mode: all $((n - 1)) calls failed in turn"
        done
    done
}
every_call "" open write fsync link rename close
# Where the file system has no O_TMPFILE, the writer names its temporary
# file from the start and renames it: the same, through those steps.
NO_TMPFILE=1
every_call "without O_TMPFILE: " open write rename close
NO_TMPFILE=
FLAGS=--fsync
for mode in "ENOSPC 1" "EIO 0"; do
    n=1
    while [ $n -le 1000 ] && run fsync "$n" $mode; do n=$((n + 1)); done
    # Each card and its folder, then the output folder at the end.
    [ $((n - 1)) = 9 ] && ok || bad "--fsync: $((n - 1)) fsync calls for 4 cards, wanted 9"
    echo "  --fsync: fsync, $mode: all $((n - 1)) calls failed in turn"
done

echo "faults.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
