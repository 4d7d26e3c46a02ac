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

# --- the CSVs people have ----------------------------------------------
D=$SRC/tests/data/csv-dialects
col() { # col FILE N: field N of every data row of a batch output (python csv)
	python3 -c 'import csv,sys
d=open(sys.argv[1],encoding="utf-8-sig").read()
sep=";" if d.split("\n")[0].count(";")>d.split("\n")[0].count(",") else ("\t" if "\t" in d.split("\n")[0] else ",")
for r in list(csv.reader(d.splitlines(), delimiter=sep))[1:]: print(r[int(sys.argv[2])])' "$@"
}
expect "semicolon CSV (Excel, Russian locale)" 0 '^id;author;text;category;' "columns separated by ';'" -- $C -v batch "$D/excel-ru-semicolon-utf8.csv"
cp "$TMP/out" "$TMP/semi.csv"
check "semicolon CSV: every row classified" test "$(col "$TMP/semi.csv" 3 | tr '\n' ' ')" = "complaint complaint other "
check "semicolon CSV: a ';' inside a quoted field stays in the text" grep -q '"ordered the mango pack 3 weeks ago and still nothing; where is my refund??"' "$TMP/semi.csv"
expect "UTF-8 with BOM and ';'" 0 '^id;author;text;category;' '' -- $C batch "$D/excel-semicolon-utf8-bom.csv"
check "BOM file gives the same rows" cmp -s "$TMP/out" "$TMP/semi.csv"
expect "UTF-16LE with BOM, tab-separated (Excel 'Unicode text')" 0 '^id	author	text	category' "read as UTF-16LE" -- $C -v batch "$D/excel-unicode-text-utf16le.txt"
check "UTF-16LE: same rows as the UTF-8 file" test "$(col "$TMP/out" 2 | md5sum)" = "$(col "$TMP/semi.csv" 2 | md5sum)"
check "UTF-16LE: Cyrillic decoded" grep -q 'Заказ не пришёл уже три недели' "$TMP/out"
expect "UTF-16BE with BOM" 0 '^id	author	text	category' "read as UTF-16BE" -- $C -v batch "$D/utf16be-bom.tsv"
check "UTF-16BE: same rows as the UTF-8 file" test "$(col "$TMP/out" 2 | md5sum)" = "$(col "$TMP/semi.csv" 2 | md5sum)"
expect "Windows-1251 without --encoding: the hint" 65 '' "excel-ru-semicolon-cp1251.csv:2: invalid UTF-8 at byte 1; if this file came from Excel, try --encoding cp1251" -- $C batch "$D/excel-ru-semicolon-cp1251.csv"
expect "Windows-1251 with --encoding cp1251" 0 '^id;author;text;category;' '^$' -- $C batch --encoding cp1251 "$D/excel-ru-semicolon-cp1251.csv"
check "cp1251: same rows as the UTF-8 file" cmp -s "$TMP/out" "$TMP/semi.csv"
expect "a cp1251 header: the hint, not 'no text column'" 65 '^$' "excel-ru-cyrillic-header-cp1251.csv:1: the header is not UTF-8; if this file came from Excel, try --encoding cp1251" -- $C batch "$D/excel-ru-cyrillic-header-cp1251.csv"
expect "Russian column names are found" 0 '^Автор;Текст;category' '' -- $C batch --encoding cp1251 "$D/excel-ru-cyrillic-header-cp1251.csv"
check "Russian author column reaches the reply" test "$(col "$TMP/out" 2)" = complaint
expect "unknown encoding" 2 '^$' "unknown encoding 'klingon'" -- $C batch --encoding klingon "$D/excel-ru-semicolon-utf8.csv"
expect "a bad byte in a named encoding names the line" 65 '' "bad.csv:3: bytes that are not UTF-16LE" -- \
	sh -c "printf '\377\376t\000e\000x\000t\000\n\000h\000i\000\n\000\000\330a\000' >'$TMP/bad.csv'; $C batch --encoding UTF-16LE '$TMP/bad.csv'"
expect "comma CSV with ';' in the text stays comma" 0 '^id,author,text,category,' '' -- $C batch "$D/comma-with-semicolons.csv"
expect "--delimiter forces the separator" 0 '^id,author,text' '' -- $C batch --delimiter , "$D/comma-with-semicolons.csv"
expect "--delimiter ';' on a comma file finds no text column" 65 '^$' "no text column" -- $C batch --delimiter ';' "$D/comma-with-semicolons.csv"
expect "--delimiter tab on input and output" 0 '^id	author	text	category' '' -- $C batch --delimiter tab "$D/excel-unicode-text-utf16le.txt"
expect "bad --delimiter" 2 '^$' "--delimiter must be" -- $C batch --delimiter '|' "$D/comma-with-semicolons.csv"
expect "--excel: a UTF-8 BOM and the input's separator" 0 '' '' -- $C batch --excel -o "$TMP/x.csv" "$D/excel-ru-semicolon-cp1251.csv" --encoding cp1251
check "--excel output starts with the BOM" test "$(head -c 3 "$TMP/x.csv" | xxd -p)" = efbbbf
check "--excel output keeps ';'" grep -q 'id;author;text;category;' "$TMP/x.csv"
check "--excel output reads back as the same rows" test "$(col "$TMP/x.csv" 3 | md5sum)" = "$(col "$TMP/semi.csv" 3 | md5sum)"
cat "$D/excel-unicode-text-utf16le.txt" >"$TMP/pipe.in"
expect "UTF-16 from a pipe" 0 '^id	author	text	category' '' -- sh -c "cat '$TMP/pipe.in' | $C batch -"

# --- candor init: a new brand's kit -------------------------------------
K=$TMP/kits/acme
expect "init writes the kit" 0 '^$' "wrote 35 files to $K" -- $C init "$K" --brand "Acme Tea"
check "init: candor.ini names the brand" grep -qx 'name = Acme Tea' "$K/candor.ini"
check "init: README says what to edit first" grep -q 'candor.ini, section \[brand\]' "$K/README"
check "init: every category and flag in both languages" test "$(cd "$K/templates" && ls -d */* | tr '\n' ' ')" = \
	"en/_legal en/_press en/_safety en/competitor_attack en/complaint en/fake_news en/other en/question en/toxic ru/_legal ru/_press ru/_safety ru/competitor_attack ru/complaint ru/fake_news ru/other ru/question ru/toxic "
check "init: no product words of the sample brand" test -z "$(grep -rliE 'juice|sunny|fizz|сок|recipe|рецепт' "$K")"
expect "init: templates check passes on the fresh kit" 0 '32 templates, 0 failed' '' -- env CANDOR_CONFIG="$K/candor.ini" $C templates check
expect "init: -v names the kit's templates" 0 '' "templates: $K/templates" -- $C -v -c "$K/candor.ini" templates list
expect "init: a second run refuses to overwrite" 73 '^$' "'$K/candor.ini' exists; candor init never overwrites" -- $C init "$K"
mkdir -p "$TMP/kits/half"; echo "; mine" >"$TMP/kits/half/facts.ini"
expect "init: one existing file and nothing is written" 73 '^$' "'$TMP/kits/half/facts.ini' exists" -- $C init "$TMP/kits/half"
check "init: the other files were not written" test ! -e "$TMP/kits/half/candor.ini" -a ! -e "$TMP/kits/half/templates"
check "init: the existing file is untouched" test "$(cat "$TMP/kits/half/facts.ini")" = "; mine"
expect "init --lang en: English only" 0 '' '' -- $C init "$TMP/kits/en" --lang en
check "init --lang en: no Russian templates" test -d "$TMP/kits/en/templates/en" -a ! -e "$TMP/kits/en/templates/ru"
check "init: brand defaults to the folder's name" grep -qx 'name = en' "$TMP/kits/en/candor.ini"
expect "init --lang de is refused" 2 '^$' "--lang takes en and ru, not 'de'" -- $C init "$TMP/kits/de" --lang de
expect "init needs a folder" 2 '^$' "give one DIR" -- $C init
# every documented key is in the kit, and each commented-out one is valid
sed -E 's/^; (\[[a-z]+\])$/\1/; s/^; ([a-z_]+ =.*)$/\1/' "$K/candor.ini" >"$K/all-keys.ini"
cp -r "$SRC/config/tone" "$K/tone"; mkdir -p "$K/flags"; [[ ! -d $SRC/config/flags ]] || cp -r "$SRC/config/flags/." "$K/flags"
expect "init: every commented key of candor.ini is a real key" 0 '' '' -- $C -c "$K/all-keys.ini" tone --text "Thanks for asking"
for key in $(sed -n '/^## candor.ini/,/^## facts.ini/p' "$SRC/docs/formats.md" | grep -oE '^\| `\[[a-z]+\]` \| `[a-z_]+`|^\| \| `[a-z_]+`' | grep -oE '`[a-z_]+`$' | tr -d '`'); do
	check "init: key '$key' is in the kit's candor.ini" grep -qE "^(; )?$key =" "$K/candor.ini"
done
# the first hour: edit two files, get drafted replies that use them
sed -i 's|^support_url =$|support_url = acmetea.example/help|; s|^faq_url =$|faq_url = acmetea.example/faq|; s|^handle =$|handle = @acmetea|' "$K/candor.ini"
cat >>"$K/facts.ini" <<'FACTS'

[no-recall]
lang = en
keywords = recall, recalled, pulled from shelves
statement = None of our teas has been recalled.
source_url = acmetea.example/statement
valid_until = 2099-12-31
FACTS
expect "first hour: templates check passes with the brand's links" 0 ' templates, 0 failed' '' -- $C -c "$K/candor.ini" templates check
printf '{"id":"1","author":"kim","text":"my order never arrived and nobody answers, I want a refund"}\n{"id":"2","author":"lee","text":"heard acme tea got recalled and they are hiding it"}\n' >"$TMP/first.jsonl"
expect "first hour: a complaint gets the brand's support link" 0 '"id":"1".*"reply":"@kim [^"]*acmetea.example/help"' '' -- \
	env CANDOR_CONFIG="$K/candor.ini" $C --lang en suggest "$TMP/first.jsonl"
check "first hour: a rumour cites the brand's own fact" grep -q '"id":"2".*None of our teas has been recalled.*acmetea.example/statement' "$TMP/out"
check "first hour: nothing from the sample brand" test -z "$(grep -iE 'sunny|valencia|juice' "$TMP/out")"

# a config of your own without templates: a warning, never silence
mkdir -p "$TMP/bare"; printf '[brand]\nname = Bare\n' >"$TMP/bare/candor.ini"
expect "no templates folder beside a user's config: a warning naming it" 0 '"category"' \
	"warning: no templates folder: '$TMP/bare/templates' does not exist and \[templates\] dir is not set" -- \
	$C -c "$TMP/bare/candor.ini" --lang en suggest "$TMP/c.txt"
expect "-q keeps it quiet" 0 '"category"' '^$' -- $C -q -c "$TMP/bare/candor.ini" --lang en suggest "$TMP/c.txt"

finish
