#!/usr/bin/env bash
# Limits and validity checks at their exact edges (written for mutants of
# tests/mutations.txt that a test one step away could not tell apart).
. "$(dirname "$0")/lib.sh"
C=$CANDOR
SAMPLES=$SRC/config/samples

# candor.ini: a line of 199 bytes (without its newline) is read, 200 is not
line() { printf '; '; head -c $(($1 - 2)) /dev/zero | tr '\0' 'x'; printf '\n'; }
{ printf '[brand]\n'; line 199; } >"$TMP/l199.ini"
{ printf '[brand]\n'; line 200; } >"$TMP/l200.ini"
check "ini fixture: the lines are 199 and 200 bytes" \
	[ "$(sed -n 2p "$TMP/l199.ini" | tr -d '\n' | wc -c)" = 199 ] && [ "$(sed -n 2p "$TMP/l200.ini" | tr -d '\n' | wc -c)" = 200 ]
expect "ini: a 199-byte line is read" 0 '' '' -- "$C" -c "$TMP/l199.ini" tone --text "Thanks for asking."
expect "ini: a 200-byte line names the limit" 78 '^$' 'l200.ini:2: line longer than 199 bytes' -- \
	"$C" -c "$TMP/l200.ini" tone --text "Thanks for asking."

# input lines: 1 MiB is read (and refused as a comment, 64 KiB at most),
# one byte more is refused as a line; the next line is read either way
for n in 1048576 1048577; do
	{ head -c $n /dev/zero | tr '\0' 'a'; printf '\nwhere can I buy it\n'; } >"$TMP/big$n.txt"
done
expect "a line of 1048576 bytes is read, then refused as a comment" 65 '"id":"2"' 'big1048576.txt:1: comment longer than 65536 bytes' -- \
	"$C" classify "$TMP/big1048576.txt"
expect "a line of 1048577 bytes names the line limit" 65 '"id":"2"' 'big1048577.txt:1: line longer than 1048576 bytes' -- \
	"$C" classify "$TMP/big1048577.txt"

# [classifier] min_confidence defaults to 0.60: a model whose answers are
# 0.5893 (apple) and 0.6389 (kiwi) puts the first below it, not the second
printf 'text,label\napple,a\napple,a\napple,a\napple,b\napple,b\nkiwi,b\nkiwi,b\nkiwi,a\n' >"$TMP/mc.csv"
"$C" train -q --temperature 1 -o "$TMP/mc.model" "$TMP/mc.csv"
printf 'apple\nkiwi\n' >"$TMP/mc.txt"
# (a config with no [classifier] section: the built-in default, not the
# shipped candor.ini's copy of it)
printf '[brand]\nname = Nobody\n' >"$TMP/noclass.ini"
for cfg in "$TMP/noclass.ini" "$SRC/config/candor.ini"; do
	expect "min_confidence 0.60 by default ($(basename "$cfg")): 0.5893 is uncertain" 0 '"confidence":0\.5893,"uncertain":true' '' -- \
		"$C" -c "$cfg" -m "$TMP/mc.model" classify "$TMP/mc.txt"
	expect "min_confidence 0.60 by default ($(basename "$cfg")): 0.6389 is not" 0 '"confidence":0\.6389,"uncertain":false' '' -- \
		"$C" -c "$cfg" -m "$TMP/mc.model" classify "$TMP/mc.txt"
done

# created_at: each field within its range; 23:59:60 is a leap second
at() { printf '{"id":"1","text":"where can I buy it","created_at":"%s"}\n' "$1" >"$TMP/at.jsonl"; }
for t in 2026-12-07T24:00:00Z 2026-12-07T23:60:00Z 2026-12-07T23:59:61Z 2026-13-07T10:00:00Z 2026-12-32T10:00:00Z; do
	at "$t"
	expect "created_at $t is refused" 65 '^$' "neither RFC 3339 nor unix seconds: '$t'" -- "$C" suggest "$TMP/at.jsonl"
done
for t in 2026-12-07T23:59:60Z 2026-12-31T00:00:00+03:00; do
	at "$t"
	expect "created_at $t is read" 0 '"id":"1"' '^$' -- "$C" suggest "$TMP/at.jsonl"
done

# templates: files starting with '.' (editor backups, drafts) are not templates
mkdir -p "$TMP/tpl/en/question"
cat >"$TMP/tpl/en/question/a.mustache" <<'T'
{{! intent: a test
    requires: }}
Thanks for asking, we will look into it.
T
printf 'not {{a template\n' >"$TMP/tpl/en/question/.a.mustache.swp.mustache"
expect "templates list: a dot file is not a template" 0 '^en/question/a ' '' -- "$C" -t "$TMP/tpl" templates list
"$C" -t "$TMP/tpl" templates list >"$TMP/list" 2>&1
check "templates list: only the one template" [ "$(grep -c . "$TMP/list")" = 1 ]
expect "templates check: the dot file is not checked" 0 '1 templates, 0 failed' '' -- "$C" -t "$TMP/tpl" templates check

finish
