#!/bin/sh
# The shared library's ABI, checked two ways:
#  1. it exports exactly the functions cardrender.h declares with CR_API,
#     no internal function and none missing;
#  2. against the baseline abi/libcardrender.abi (abidw, abigail-tools):
#     any change but added functions and members added at the end of an
#     options struct (abi/suppressions.ini) fails until the soname changes:
#     a member moved, a type or a signature changed, a function gone. Added
#     functions pass with a note to refresh the baseline (make abi-baseline).
# Usage: tests/abi.sh LIBRARY HEADER BASELINE
set -u
lib=$1 header=$2 baseline=$3
failed=0
fail() { echo "FAIL abi: $*"; failed=1; }

declared=$(sed -n 's/^CR_API .*[ *]\(cr_[a-z0-9_]*\)(.*/\1/p' "$header" | sort)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWwDdBbRrVv]$/ {print $3}' |
    grep -v -x -e _init -e _fini -e __bss_start -e _edata -e _end | sort)
[ -n "$declared" ] || fail "no CR_API declarations found in $header"
extra=$(printf '%s\n' "$exported" | comm -13 /dev/fd/3 - 3<<EOF3
$declared
EOF3
)
missing=$(printf '%s\n' "$declared" | comm -23 - /dev/fd/3 3<<EOF3
$exported
EOF3
)
[ -z "$extra" ] || fail "$lib exports what $header does not declare: $(echo $extra)"
[ -z "$missing" ] || fail "$header declares what $lib does not export: $(echo $missing)"
[ $failed = 0 ] && echo "ok abi: $lib exports exactly the $(echo "$declared" | wc -l) functions of $header"

if ! command -v abidiff >/dev/null 2>&1; then
    fail "abidiff is missing (Debian abigail-tools; make test installs it)"
elif [ ! -f "$baseline" ]; then
    fail "no ABI baseline $baseline (make abi-baseline writes it)"
else
    # Anything but added functions is a break here: abidiff alone calls a
    # moved struct member "possibly harmful" (status 4), not incompatible.
    suppressions=$(dirname "$baseline")/suppressions.ini
    report=$(abidiff --no-added-syms --suppressions "$suppressions" --headers-dir2 "$(dirname "$header")" "$baseline" "$lib" 2>&1)
    status=$?
    base_soname=$(sed -n "s/.*soname='\([^']*\)'.*/\1/p" "$baseline" | head -n 1)
    soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
    if [ $((status & 3)) != 0 ]; then
        fail "abidiff could not compare $lib with $baseline: $report"
    elif [ $status != 0 ] && [ "$soname" = "$base_soname" ]; then
        printf '%s\n' "$report"
        fail "$lib changes the ABI of $baseline at the same soname $soname: undo the" \
            "change, or raise SOMAJOR and run make abi-baseline"
    elif ! abidiff --headers-dir2 "$(dirname "$header")" "$baseline" "$lib" >/dev/null 2>&1; then
        echo "note abi: $lib adds functions or options to $baseline (make abi-baseline records them)"
    else
        echo "ok abi: $lib matches $baseline"
    fi
fi
exit $failed
