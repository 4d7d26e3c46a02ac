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

finish
