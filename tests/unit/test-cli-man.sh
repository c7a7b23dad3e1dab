#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every command in `husk --help` has a man page, and every flag of `husk --help`
# and `husk COMMAND --help` appears in the page that documents it.  TAP output.
# usage: test-cli-man.sh HUSK MANDIR [GO-MD2MAN]
set -u
husk=$1
case $husk in /*) ;; *) husk=$PWD/$husk ;; esac
mandir=$2
md2man=${3:-}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# The flags of a help text: "  -b, --bundle DIR   ..." -> "-b --bundle".
flags_of() {
	sed -n 's/^  \(-[A-Za-z]\)\{0,1\},\{0,1\} *\(--[A-Za-z0-9-]*\).*/\1 \2/p'
}

# Whole-word match: --bundle must not match --bundle-x, -b not --bundle.
has_flag() {
	grep -Eq -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$2"
}

help=$("$husk" --help) || { echo "Bail out! husk --help failed"; exit 1; }
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | grep -vx help)
[ -n "$commands" ] || { echo "Bail out! no commands in husk --help"; exit 1; }

# global flags in husk.8.md
page=$mandir/husk.8.md
globals=$(printf '%s\n' "$help" | sed -n '/^Global options:/,/^$/p' | flags_of)
[ -n "$globals" ] && ok "husk --help lists global options" || not_ok "husk --help lists global options"
for f in $globals; do
	if has_flag "$f" "$page"; then ok "husk.8.md documents global $f"; else not_ok "husk.8.md documents global $f"; fi
done

for c in $commands; do
	page=$mandir/husk-$c.8.md
	if [ -f "$page" ]; then ok "$c has a man page"; else not_ok "$c has a man page (husk-$c.8.md)"; continue; fi
	if has_flag "\\*\\*$c\\*\\*" "$mandir/husk.8.md"; then ok "husk.8.md lists $c"; else not_ok "husk.8.md lists $c"; fi
	if grep -q "husk-$c\*\*(8)" "$mandir/husk.8.md"; then ok "husk.8.md refers to husk-$c(8)"; else not_ok "husk.8.md refers to husk-$c(8)"; fi
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "SEE ALSO"; do
		if grep -qx "# $s" "$page"; then ok "husk-$c.8.md has $s"; else not_ok "husk-$c.8.md has $s"; fi
	done
	chelp=$("$husk" "$c" --help)
	if [ $? -eq 0 ] && printf '%s\n' "$chelp" | grep -q "^Usage: husk .*$c"; then
		ok "husk $c --help"
	else
		not_ok "husk $c --help"
	fi
	for f in $(printf '%s\n' "$chelp" | flags_of); do
		if has_flag "$f" "$page"; then ok "husk-$c.8.md documents $f"; else not_ok "husk-$c.8.md documents $f"; fi
	done
done

# no page for a command husk does not have (husk-annotations is not a command)
for page in "$mandir"/husk-*.8.md; do
	c=$(basename "$page" .8.md)
	c=${c#husk-}
	[ "$c" = annotations ] && continue
	if printf '%s\n' "$commands" | grep -qx "$c"; then ok "husk-$c.8.md is a command"; else not_ok "husk-$c.8.md is a command"; fi
done

# every page is listed in man/meson.build, and converts
for page in "$mandir"/*.8.md; do
	name=$(basename "$page" .8.md)
	if grep -q "'$name'" "$mandir/meson.build"; then ok "$name in man/meson.build"; else not_ok "$name in man/meson.build"; fi
	if [ -n "$md2man" ]; then
		out=$(mktemp)
		if "$md2man" -in "$page" -out "$out" && grep -q '^\.TH' "$out"; then
			ok "$name converts with go-md2man"
		else
			not_ok "$name converts with go-md2man"
		fi
		rm -f "$out"
	fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
