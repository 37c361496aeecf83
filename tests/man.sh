#!/bin/sh
# The man pages stay true to the tool and the template loader
# (make cli-test):
#   1. cardrender.1: every command `cardrender --help` lists has a
#      subsection (.SS NAME) under COMMANDS; every option that
#      `cardrender COMMAND --help` prints ("-o, --output FILE", "--dpi N")
#      is the tag of an entry (the line after .TP) in that subsection, with
#      its short form and argument as --help spells them, or, for the
#      options every engine-making command shares, a tag under COMMON
#      OPTIONS and named in the subsection; every long option of the
#      command's getopt_long table (cli/cmd_COMMAND.c) is in its --help;
#      the options `cardrender --help` lists are tags under OPTIONS; the
#      .TH line carries `cardrender --version`'s version.
#   2. cardrender-template.5: every key the loader accepts (the *_keys[]
#      lists of render/model/template_*.c, the composition keys of
#      template_compose.c) is the tag of an entry; every word of README.md's
#      key tables' first column (`card.dpi`, `image`: `fit`) is in the page.
#   3. both pages format without a warning (groff -ww; groff-base, which
#      Debian installs everywhere). Without groff this part is skipped,
#      said, and logged to $CR_SKIP_LOG; CR_REQUIRE_DATA=1 fails instead.
# Usage: tests/man.sh path/to/cardrender   (from the project root)
set -u
cli=$1
page1=man/cardrender.1
page5=man/cardrender-template.5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

# roff source as plain words: font escapes gone, \- and \(dq as typed,
# argument quotes dropped, blanks squeezed.
plain() {
    sed -e 's/\\f[BIRP]//g' -e 's/\\f(CW//g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' \
        -e 's/\\(aq/'"'"'/g' -e 's/\\&//g' -e 's/\\%//g' -e 's/\\e/\\/g' \
        -e '/^\./s/"//g' -e 's/[[:space:]][[:space:]]*/ /g' "$1"
}
plain "$page1" >"$tmp/page1"
plain "$page5" >"$tmp/page5"

# The lines from ".SH TITLE" (or ".SS TITLE") to the next .SH (or .SS/.SH).
section() { awk -v t=".SH $1" '$0 == t {on = 1; next} /^\.SH / {on = 0} on' "$tmp/page1"; }
subsection() {
    awk -v t=".SS $1" '$0 == t {on = 1; next} /^\.S[SH] / {on = 0} on' "$tmp/page1"
}
# The entries' tags: the line after each .TP.
tags() { awk 'tp {print; tp = 0} /^\.TP/ {tp = 1}'; }

# has_option FILE "-o, --output FILE": a line of FILE holds the text,
# not as the start of a longer option (--canvas in --canvas-offset).
has_option() {
    grep -qE -- "(^|[^-a-z0-9])$(printf '%s' "$2" | sed 's/[][|.*^$\\]/\\&/g')([^-a-z0-9]|$)" "$1"
}

# The option lines of a --help text: "  -o, --output DIR    the folder ...",
# "  --max-value-bytes N refuse ...": the short form if any, the long
# option and its argument (a word that starts with a capital: DIR, N, WxH
# is "WxH", X,Y, CxR), one a line.
help_options() {
    sed -n 's/^  *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z0-9-]*\)\( [A-Z][A-Za-z0-9_,|]*\)\{0,1\}.*/\1\2\3/p'
}

# 1. cardrender.1
"$cli" --help >"$tmp/help" || fail "cardrender --help exits $?"
commands=$(awk '/^commands:/ {on = 1; next} /^$/ {on = 0} on {print $1}' "$tmp/help")
[ -n "$commands" ] && ok || fail "cardrender --help lists no commands"
section COMMON\ OPTIONS | tags >"$tmp/common"
for cmd in $commands; do
    subsection "$cmd" >"$tmp/sub"
    if [ -s "$tmp/sub" ]; then ok; else
        fail "$page1 has no subsection \".SS $cmd\" for the command $cmd"
        continue
    fi
    tags <"$tmp/sub" >"$tmp/tags"
    "$cli" "$cmd" --help >"$tmp/cmdhelp" || fail "cardrender $cmd --help exits $?"
    help_options <"$tmp/cmdhelp" >"$tmp/options"
    [ -s "$tmp/options" ] && ok || fail "cardrender $cmd --help: no option lines found"
    while IFS= read -r option; do
        long=$(printf '%s\n' "$option" | sed 's/^-., //; s/ .*//')
        if has_option "$tmp/tags" "$option"; then ok
        elif has_option "$tmp/common" "$option" && has_option "$tmp/sub" "$long"; then ok
        else fail "$page1: \"$option\" (cardrender $cmd --help) is not an entry of .SS $cmd"; fi
    done <"$tmp/options"
    # The option table itself: every long option the command parses is in
    # its --help (so in the page).
    src=cli/cmd_$cmd.c
    [ -f "$src" ] || continue
    for long in $(grep -oE '\{"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$src" |
        sed 's/{"\([^"]*\)".*/\1/'); do
        if has_option "$tmp/cmdhelp" "--$long"; then ok; else
            fail "$src parses --$long, which cardrender $cmd --help does not print"
        fi
    done
done
sed -n 's/^  *\(--[a-z][a-z0-9-]*\).*/\1/p' "$tmp/help" >"$tmp/mainopts"
section OPTIONS | tags >"$tmp/opttags"
while IFS= read -r option; do
    has_option "$tmp/opttags" "$option" && ok ||
        fail "$page1: \"$option\" (cardrender --help) is not an entry of OPTIONS"
done <"$tmp/mainopts"
version=$("$cli" --version | sed 's/^cardrender //')
grep -q "^\.TH CARDRENDER 1 .*\"cardrender $version\"" "$page1" && ok ||
    fail "$page1: .TH does not say cardrender $version"

# 2. cardrender-template.5
# README.md's tables headed "| key | meaning | default |": the backquoted
# words of each row's first cell.
awk '/^\| key \| meaning \| default \|/ {on = 1; next} on && !/^\|/ {on = 0}
     on && !/^\|---/ {split($0, cell, "|"); print cell[2]}' README.md |
    grep -o '`[^`]*`' | tr -d '`' | sort -u >"$tmp/readme_keys"
[ "$(wc -l <"$tmp/readme_keys")" -gt 40 ] && ok ||
    fail "README.md: found only $(wc -l <"$tmp/readme_keys") keys in the template tables"
# The loader's lists of accepted keys, and the composition keys.
awk '/_keys\[\] *= *\{/ {on = 1} on {print} on && /};/ {on = 0}' render/model/template_*.c |
    grep -o '"[a-z_][a-z0-9_]*"' | tr -d '"' >"$tmp/loader_keys"
grep -o 'strcmp(key, "[a-z_]*")' render/model/template_compose.c | sed 's/.*"\(.*\)")/\1/' \
    >>"$tmp/loader_keys"
[ "$(sort -u "$tmp/loader_keys" | wc -l)" -gt 40 ] && ok ||
    fail "render/model: found only $(sort -u "$tmp/loader_keys" | wc -l) loader keys"
tags <"$tmp/page5" >"$tmp/tags5"
for key in $(sort -u "$tmp/loader_keys"); do
    if has_option "$tmp/tags5" "$key"; then ok; else
        fail "$page5: the template key \"$key\" (render/model) is not an entry (.TP)"
    fi
done
for key in $(cat "$tmp/readme_keys"); do
    if has_option "$tmp/page5" "$key"; then ok; else
        fail "$page5 does not name \"$key\" (README.md's template tables)"
    fi
done

# 3. Both pages format without a warning.
if command -v groff >/dev/null 2>&1; then
    for page in "$page1" "$page5"; do
        if LC_ALL=C.UTF-8 groff -k -man -Tutf8 -ww -z "$page" >"$tmp/groff" 2>&1 &&
            [ ! -s "$tmp/groff" ]; then ok; else
            fail "groff -man -ww warns about $page:"
            sed 's/^/    /' "$tmp/groff"
        fi
    done
elif [ "${CR_REQUIRE_DATA:-0}" = 1 ]; then
    fail "groff is not installed (Debian package groff-base), and CR_REQUIRE_DATA=1"
else
    echo "SKIPPED: man pages not formatted: groff is not installed (apt-get install groff-base)"
    [ -n "${CR_SKIP_LOG:-}" ] &&
        echo "tests/man.sh: man pages not formatted: groff missing (groff-base)" >>"$CR_SKIP_LOG"
fi

echo "man: $passed passed, $failed failed"
[ "$failed" = 0 ]
