#!/usr/bin/env bash
# CLI tests of a brand's own kit: the config's data paths ([templates] dir,
# [facts] file, [tone] dir) resolved against the config's folder.
. "$(dirname "$0")/lib.sh"
C=$CANDOR

# --- config points at its own data -------------------------------------
B=$TMP/brand
mkdir -p "$B/tpl/en/complaint" "$B/sub"
cat >"$B/candor.ini" <<'INI'
[brand]
name = Acme Tea
support_url = acmetea.example/help
[templates]
dir = tpl
[facts]
file = sub/facts.ini
[tone]
dir = tone
INI
printf '{{! intent: apologise\n    requires: brand.support_url }}\nSorry about that. Our team will help: {{brand.support_url}}\n' \
	>"$B/tpl/en/complaint/acme-1.mustache"
printf '[tea]\nlang = en\nkeywords = tea leaves\nstatement = Our tea is tested.\nsource_url = acmetea.example/t\nvalid_until = 2099-01-01\n' \
	>"$B/sub/facts.ini"
cp -r "$SRC/config/tone" "$B/tone"
echo "my order never arrived, terrible service, I want a refund" >"$TMP/c.txt"
expect "-v lists the kit's paths" 0 '' "templates: $B/tpl" -- $C -v -c "$B/candor.ini" --lang en suggest "$TMP/c.txt"
check "facts path resolved against the config folder" grep -q "facts: $B/sub/facts.ini" "$TMP/err"
check "tone path resolved against the config folder" grep -q "tone lists: $B/tone" "$TMP/err"
expect "the kit's template drafts the reply" 0 '"template":"en/complaint/acme-1".*acmetea.example/help' '' -- \
	$C -c "$B/candor.ini" --lang en suggest "$TMP/c.txt"
expect "-t still beats the config" 0 '' "templates: $SRC/templates" -- $C -v -c "$B/candor.ini" -t "$SRC/templates" --lang en suggest "$TMP/c.txt"
expect "CANDOR_CONFIG selects the whole kit" 0 '"template":"en/complaint/acme-1"' '' -- \
	env CANDOR_CONFIG="$B/candor.ini" $C --lang en suggest "$TMP/c.txt"
rm "$B/sub/facts.ini"
expect "a missing [facts] file names the setting" 78 '^$' "candor.ini: \[facts\] file '$B/sub/facts.ini': No such file" -- \
	$C -c "$B/candor.ini" --lang en suggest "$TMP/c.txt"
rm -r "$B/tone"
expect "a missing [tone] dir names the setting" 78 '^$' "candor.ini: \[tone\] dir '$B/tone'" -- \
	$C -c "$B/candor.ini" tone --text "Thanks for asking"
printf '[templates]\ndir = /abs/tpl\n' >"$TMP/abs.ini"
expect "an absolute path stays as written" 78 '' "/abs/tpl" -- $C -v -c "$TMP/abs.ini" templates list
printf '[templates]\ndir =\n' >"$TMP/empty.ini"
expect "an empty path is an error with its line" 78 '^$' "empty.ini:2: 'dir' is empty" -- $C -c "$TMP/empty.ini" tone --text ok
printf '[facts]\nfolder = x\n' >"$TMP/bad.ini"
expect "unknown key in a data section" 78 '^$' "bad.ini:2: unknown key 'folder' in \[facts\]" -- $C -c "$TMP/bad.ini" tone --text ok

finish
