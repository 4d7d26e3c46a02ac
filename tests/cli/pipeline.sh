#!/usr/bin/env bash
# CLI tests of suggest, batch, render, templates and tone (issues 3, 4, 5).
. "$(dirname "$0")/lib.sh"
C=$CANDOR
DATA=$SRC/tests/data
SAMPLES=$SRC/config/samples

# --- suggest ----------------------------------------------------------------
expect "suggest record has every SPEC field" 0 \
	'^\{"id":"7351","text":"[^"]*","author":"maria_k","lang":"en","category":"complaint","confidence":[0-9.]+,"uncertain":false,"flags":\[\],"scores":\{[^}]*\},"why":\[[^]]*\],"action":"reply","template":"en/complaint/[a-z0-9-]+","reply":"@maria_k [^"]+","tone":\{"score":[0-9]+,"issues":\[' \
	'^$' -- $C suggest $SAMPLES/comments.jsonl
expect "suggest: the comment's created_at is kept, last (monitor --replay)" 0 \
	'^\{"id":"7351",.*"tone":\{.*\},"created_at":"2026-11-20T09:15:00Z"\}$' '' -- $C suggest $SAMPLES/comments.jsonl
# a JSONL file saved with a byte order mark (Windows editors) is still JSONL:
# the first comment keeps its id and its text, not the whole line
printf '\xef\xbb\xbf{"id":"b1","text":"my order is late"}\n{"id":"b2","text":"hello"}\n' >"$TMP/bom.jsonl"
check "classify: JSONL with a byte order mark is read as JSONL" [ "$($C classify "$TMP/bom.jsonl" | cut -d'"' -f4 | tr '\n' ' ')" = "b1 b2 " ]
check "classify: JSONL with a byte order mark, from a pipe" [ "$($C classify < "$TMP/bom.jsonl" | cut -d'"' -f4 | tr '\n' ' ')" = "b1 b2 " ]
check "suggest: one record per comment" [ "$($C suggest $SAMPLES/comments.jsonl | wc -l)" = 14 ]
expect "suggest: Russian comment gets a Russian template" 0 '"id":"7358",.*"lang":"ru",.*"template":"ru/complaint/' '' -- $C suggest $SAMPLES/comments.jsonl
expect "suggest: fake_news cites a fact" 0 '"id":"7359",.*"category":"fake_news",.*"reply":"[^"]*sunnyjuice.example/[^"]*",.*"fact":"factory-open-ru"' '' -- $C suggest $SAMPLES/comments.jsonl
# "people got sick" is a safety report, even as a rumour: a person answers,
# from the _safety templates, and no fact is cited against it
expect "suggest: a rumour of illness is escalated, never corrected" 0 '"id":"7352",.*"category":"fake_news",.*"flags":\["safety"\],.*"action":"escalate","template":"en/_safety/care-[0-9]","reply":"@truthseeker99 [^"]+","tone"' '' -- $C suggest $SAMPLES/comments.jsonl
expect "suggest: spam is hidden, no draft" 0 '"id":"7356",.*"action":"hide","template":"","reply":""' '' -- $C suggest $SAMPLES/comments.jsonl
expect "suggest: --lang forces the language" 0 '"id":"7358",.*"lang":"en",.*"template":"en/' '' -- $C suggest --lang en $SAMPLES/comments.jsonl
echo '{"id":"x1","text":"heard the ceo of sunny juice was arrested for fraud lol"}' >"$TMP/nofact.jsonl"
expect "suggest: no fact on file is flagged, never invented" 0 '"category":"fake_news",.*"reply":"",.*"note":"no fact on file"' '' -- $C suggest "$TMP/nofact.jsonl"
echo '{"comment_id":"77","username":"tt_user","create_time":1732600000,"text":"my parcel is two weeks late"}' >"$TMP/tiktok.jsonl"
expect "suggest: TikTok field names" 0 '^\{"id":"77",.*"author":"tt_user"' '' -- $C suggest "$TMP/tiktok.jsonl"
# 19-digit numeric ids keep every digit (a double cannot hold them); an
# "id" inside a nested object or inside the text is not the comment's
printf '%s\n' '{"comment_id":7351234567890123457,"text":"still no refund"}' \
	'{"user":{"id":5},"id":9007199254740993,"text":"say \"id\": 3"}' \
	'{"id":-42,"text":"late"}' '{"id":1.5e3,"text":"late"}' >"$TMP/numids.jsonl"
check "numeric ids: every digit kept" [ "$($C classify "$TMP/numids.jsonl" | cut -d'"' -f4 | tr '\n' ' ')" = "7351234567890123457 9007199254740993 -42 1500 " ]
expect "suggest: tsv" 0 '^id	category	confidence	uncertain	flags	action	template	tone_score	reply$' '^$' -- $C suggest --format tsv $SAMPLES/comments.txt
expect "suggest: pretty" 0 '^#7351 @maria_k  complaint' '^$' -- $C suggest --format pretty $SAMPLES/comments.jsonl
expect "suggest: bad format" 2 '' 'format must be jsonl, tsv or pretty' -- $C suggest --format xml $SAMPLES/comments.txt
printf '{"id":"1","text":"late order"}\nnot json at all\n{"id":"3","text":"where is it?"}\n' >"$TMP/mixed.jsonl"
expect "suggest: bad line skipped, status 65" 65 '"id":"3"' "mixed.jsonl:2: invalid JSON" -- $C suggest "$TMP/mixed.jsonl"
check "suggest: same input, same drafts" [ "$($C suggest $SAMPLES/comments.jsonl | md5sum)" = "$($C suggest $SAMPLES/comments.jsonl | md5sum)" ]
yes '{"id":"1","text":"my order is late and nobody answers"}' | head -50000 >"$TMP/many.jsonl"
expect "suggest: closed stdout stops quietly" 0 '"id":"1"' '^$' -- sh -c "$C suggest $TMP/many.jsonl | head -2"

# flushed per line: the first record arrives while the input is still open
mkfifo "$TMP/fifo"
( echo '{"id":"f1","text":"where is my refund"}'; sleep 3; echo '{"id":"f2","text":"ok"}' ) >"$TMP/fifo" &
timeout 10 $C suggest "$TMP/fifo" >"$TMP/stream.out" 2>&1 &
# up to 2.7 s (a sanitizer build on a loaded machine starts slowly), all
# before the second line is written
for _ in $(seq 1 27); do grep -q '"id":"f1"' "$TMP/stream.out" && break; sleep 0.1; done
check "suggest: first record written before the input ends" eval 'grep -q "\"id\":\"f1\"" "$TMP/stream.out" && ! grep -q "\"id\":\"f2\"" "$TMP/stream.out"'
wait

# scale-out: sharding under GNU parallel gives byte-identical output
# GNU parallel is in .ci/deps: missing, it is a failure, not a skip
check "GNU parallel is installed (.ci/deps)" command -v parallel
if command -v parallel >/dev/null; then
	for i in $(seq 1 300); do cat $SAMPLES/comments.jsonl; done | awk '{ sub(/"id":"[0-9]+"/, "\"id\":\"" NR "\""); print }' >"$TMP/big.jsonl"
	$C suggest "$TMP/big.jsonl" >"$TMP/one.out"
	parallel --will-cite --pipe -k --block 50k -j 2 $C suggest <"$TMP/big.jsonl" >"$TMP/sharded.out"
	check "parallel --pipe output == one process" cmp -s "$TMP/one.out" "$TMP/sharded.out"
	check "sharded run covered every line" [ "$(wc -l <"$TMP/sharded.out")" = 4200 ]
	$C classify "$TMP/big.jsonl" >"$TMP/c1.out"
	parallel --will-cite --pipe -k --block 30k -j 2 $C classify <"$TMP/big.jsonl" >"$TMP/c2.out"
	check "classify sharded == one process" cmp -s "$TMP/c1.out" "$TMP/c2.out"
fi

# --- batch ------------------------------------------------------------------
printf '\xef\xbb\xbfid,author,comment,likes\r\n1,maria_k,"late order, no refund",3\r\n2,bob,"free followers\r\ncheck my profile bit.ly/x",0\r\n3,lena,"обожаю ваш сок",5\r\n' >"$TMP/in.csv"
expect "batch to stdout" 0 '^id,author,comment,likes,category,confidence,uncertain,flags,lang,action,reply,template,tone_score,tone_issues,status$' '^$' -- $C batch "$TMP/in.csv"
expect "batch keeps input columns and adds pending" 0 '^1,maria_k,"late order, no refund",3,complaint,[0-9.]+,(true|false),,en,reply,".*",en/complaint/[a-z0-9-]+,[0-9]+,[^,]*,pending$' '' -- $C batch "$TMP/in.csv"
expect "batch keeps multi-line fields" 0 '^check my profile bit.ly/x",0,spam,' '' -- $C batch "$TMP/in.csv"
expect "batch -o writes the file" 0 '^$' '^$' -- $C batch "$TMP/in.csv" -o "$TMP/out.csv"
check "batch -o: 4 records" [ "$(grep -c ',pending$' "$TMP/out.csv")" = 3 ]
check "batch -o: no temporary file left" [ -z "$(ls "$TMP" | grep 'out.csv.tmp')" ]
printf 'id,text\n1,fine\n2,"broken "quote" here"\n3,"\xff\xfe"\n4,ok then\n5,too,many\n' >"$TMP/bad.csv"
expect "batch: bad rows reported and skipped" 65 '^4,ok then,' 'bad.csv:4: invalid UTF-8' -- $C batch "$TMP/bad.csv"
expect "batch: ragged row named" 65 '' 'bad.csv:6: 3 fields, the header has 2' -- $C batch "$TMP/bad.csv"
expect "batch: --strict leaves no output file" 65 '' 'bad.csv:3: malformed quoting' -- $C batch --strict "$TMP/bad.csv" -o "$TMP/strict.csv"
check "batch: --strict wrote nothing" [ ! -e "$TMP/strict.csv" ]
$C batch --errors "$TMP/rej.csv" "$TMP/bad.csv" >/dev/null 2>&1 || true
check "batch: --errors keeps every bad row verbatim" [ "$(cat "$TMP/rej.csv")" = "$(printf '2,"broken "quote" here"\n3,"\xff\xfe"\n5,too,many')" ]
printf 'id,text\r\n1,fine\r\n2,"broken "quote"\r\n3,also fine\r\n4,x,y' >"$TMP/crlf.csv"
printf '2,"broken "quote"\r\n4,x,y\n' >"$TMP/crlf.want"
$C batch --errors "$TMP/crlf-rej.csv" "$TMP/crlf.csv" >"$TMP/crlf.out" 2>/dev/null || true
check "batch: --errors keeps a CRLF row's CR, byte for byte" cmp -s "$TMP/crlf-rej.csv" "$TMP/crlf.want"
check "batch: the good CRLF rows are classified" [ "$(grep -c '^[13],' "$TMP/crlf.out")" = 2 ]
printf 'id,stars\n1,5\n' >"$TMP/notext.csv"
expect "batch: missing text column" 65 '^$' "notext.csv:1: no text column 'text' in the header \(use --text-col\)" -- $C batch "$TMP/notext.csv"
expect "batch: --text-col" 0 ',pending$' '' -- $C batch --text-col comment "$TMP/in.csv"
expect "batch: empty input" 65 '^$' 'empty input' -- $C batch /dev/null
expect "batch: missing file" 66 '^$' "cannot open 'nope.csv'" -- $C batch nope.csv

printf 'id,text\n1,first\n2,"' >"$TMP/huge.csv"; head -c 2000000 /dev/zero | tr '\0' 'a' >>"$TMP/huge.csv"; printf '"\n3,last one\n' >>"$TMP/huge.csv"
expect "batch: over-long field reported with the limit, rest kept" 65 '^3,last one,' 'huge.csv:3: field longer than 1048576 bytes' -- $C batch "$TMP/huge.csv"
yes '7,"my order is late, where is it"' | head -100000 | sed '1i id,text' >"$TMP/bigbatch.csv"
expect "batch: closed stdout stops quietly" 0 '^id,text,category' '^$' -- sh -c "$C batch --no-progress $TMP/bigbatch.csv | head -2"

# --- the one comment reader: suggest and classify read CSV too -------------
printf 'id,author,comment,lang,created_at\n7,ann,"late order, no refund",en,2026-01-02T03:04:05Z\n8,bob,"bad "quote",en,\n9,"c\xffd",fine,en,\n' >"$TMP/sug.csv"
expect "suggest: a .csv is read by its columns (id, author, text)" 65 '"id":"7","text":"late order, no refund","author":"ann"' 'sug.csv:3: malformed quoting' -- $C suggest "$TMP/sug.csv"
expect "suggest: a CSV row's author that is not UTF-8" 65 '' 'sug.csv:4: invalid UTF-8 in the id or author column$' -- $C suggest "$TMP/sug.csv"
$C suggest "$TMP/sug.csv" >"$TMP/sug.out" 2>/dev/null
check "suggest: one suggestion for the one good row, none for the header" [ "$(wc -l <"$TMP/sug.out")" = 1 ]
cp "$TMP/sug.csv" "$TMP/sug.export"
expect "suggest: a header line is sniffed in a file not named .csv" 65 '"id":"7","text":"late order, no refund","author":"ann"' '' -- $C suggest "$TMP/sug.export"
expect "suggest: a CSV on stdin redirected from a file is sniffed" 65 '"id":"7"' '' -- sh -c "$C suggest - <'$TMP/sug.export'"
printf 'id\ttext\n1\tгде мой заказ\n' >"$TMP/sug.tsv"
expect "classify: a .tsv is CSV with tabs" 0 '"id":"1"' '^$' -- $C classify "$TMP/sug.tsv"
printf 'Comment, please answer me\nmy order is late\n' >"$TMP/notcsv.txt"
expect "suggest: a sentence with a comma is no header" 0 '"id":"2"' '^$' -- $C suggest "$TMP/notcsv.txt"
$C suggest "$TMP/notcsv.txt" >"$TMP/notcsv.out" 2>/dev/null
check "suggest: both text lines are comments" [ "$(wc -l <"$TMP/notcsv.out")" = 2 ]
printf 'text,label\n' >"$TMP/hdr.txt"
expect "classify: header only, no comments" 0 '^$' '^$' -- $C classify "$TMP/hdr.txt"
expect "suggest: a pipe is never sniffed (the header is a comment)" 0 '"id":"1",.*"text":"id,text"' '' -- sh -c "printf 'id,text\n1,ok\n' | $C suggest -"
iconv -f utf-8 -t utf-16 <"$SRC/tests/data/train-small.csv" >"$TMP/train16.csv"
expect "train: a UTF-16 CSV (byte order mark) is read like batch reads it" 0 '' 'trained on [1-9][0-9]* examples \(0 skipped\)' -- $C train -o "$TMP/m16" "$TMP/train16.csv"
$C train -o "$TMP/m8" "$SRC/tests/data/train-small.csv" 2>/dev/null
check "train: UTF-16 and UTF-8 give the same model" cmp -s "$TMP/m16" "$TMP/m8"

printf 'fine comment\n\xc3\x28 broken\nanother one\n' >"$TMP/bad-utf8.txt"
expect "suggest: invalid UTF-8 line reported and skipped" 65 '"id":"3"' 'bad-utf8.txt:2: invalid UTF-8 at byte 1' -- $C suggest "$TMP/bad-utf8.txt"
expect "suggest: empty input" 0 '^$' '^$' -- $C suggest /dev/null
echo '{"id":"d1","lang":"de","text":"my order never arrived and support ignores me"}' >"$TMP/de.jsonl"
expect "suggest: a language without templates falls back to en and says so" 0 '"template":"en/complaint/.*"note":"no template in the comment.s language; drafted in en"' '' -- $C suggest "$TMP/de.jsonl"

# --- render -----------------------------------------------------------------
printf 'Hi {{#author}}@{{author}} {{/author}}{{> sig}}' >"$TMP/t.mustache"
printf -- '- {{brand.name}}' >"$TMP/sig.mustache"
expect "render with partials" 0 '^Hi @ann - Sunny$' '^$' -- $C render "$TMP/t.mustache" --data '{"author":"ann","brand":{"name":"Sunny"}}'
expect "render escape html" 0 '^&lt;b&gt;$' '' -- sh -c "printf '{{x}}' | $C render - --escape html --data '{\"x\":\"<b>\"}'"
expect "render escape none (default)" 0 '^<b>$' '' -- sh -c "printf '{{x}}' | $C render - --data '{\"x\":\"<b>\"}'"
printf 'line one\n{{#items}}\n{{/wrong}}\n' >"$TMP/bad.mustache"
expect "render: error names file, line, column" 65 '^$' "bad.mustache:3:1: closing tag 'wrong' does not match" -- $C render "$TMP/bad.mustache"
expect "render: bad data" 65 '^$' 'invalid JSON data' -- $C render "$TMP/t.mustache" --data '{oops'
# nesting past the limits: said at once, with the place
awk 'BEGIN { for (i = 0; i < 10000; i++) printf "{{#no}}"; for (i = 0; i < 10000; i++) printf "{{/no}}" }' >"$TMP/deep.mustache"
expect "render: a template nested 10000 deep is refused at parse" 65 '^$' "deep.mustache:1:449: section 'no' nests deeper than 64 levels" -- $C render "$TMP/deep.mustache" --data '{"no":false}'
awk 'BEGIN { printf "{\"a\":"; for (i = 0; i < 1000; i++) printf "["; for (i = 0; i < 1000; i++) printf "]"; print "}" }' >"$TMP/deep.json"
expect "render: data nested too deep says so" 65 '^$' "deep.json: JSON data nested deeper than 1000 levels" -- $C render "$TMP/t.mustache" --data "@$TMP/deep.json"
awk 'BEGIN { printf "{\"text\":\"hi\",\"a\":"; for (i = 0; i < 1000; i++) printf "["; for (i = 0; i < 1000; i++) printf "]"; print "}" }' >"$TMP/deep.jsonl"
expect "suggest: a comment nested too deep says so" 65 '' "deep.jsonl:1: JSON nested deeper than 1000 levels at column 1017" -- $C suggest "$TMP/deep.jsonl"

# --- templates --------------------------------------------------------------
expect "templates list" 0 '^en/complaint/apologize-1 ' '^$' -- $C templates list
expect "templates check passes the shipped set" 0 '^38 templates, 0 failed$' '^$' -- $C templates check
mkdir -p "$TMP/tpl/en/complaint"
printf '{{! intent: test\n    requires: brand.support_url }}\nSorry {{nope}} {{#x}}\n' >"$TMP/tpl/en/complaint/broken.mustache"
expect "templates check: broken template named with line and column" 1 '' 'broken.mustache:3:16' -- $C -t "$TMP/tpl" templates check
printf '{{! intent: test\n    requires: brand.support_url }}\nSorry {{nope}}, but you should have read the label. See {{brand.support_url}}\n' >"$TMP/tpl/en/complaint/broken.mustache"
expect "templates check: unknown variable" 1 '' "broken.mustache:3:7: unknown variable 'nope'" -- $C -t "$TMP/tpl" templates check
# an unknown variable fails at load, before the first comment is drafted
expect "suggest: unknown variable fails at load" 78 '^$' "broken.mustache:3:7: unknown variable 'nope'" -- sh -c "echo 'my order is late' | $C -t $TMP/tpl suggest"
printf '{{! intent: test\n    requires: brand.support_url }}\n{{#brand}}Sorry. Visit {{brand.suport_url}}{{/brand}}\n' >"$TMP/tpl/en/complaint/broken.mustache"
expect "batch: misspelt brand variable fails at load with file:line:col" 78 '^$' "broken.mustache:3:24: unknown variable 'brand.suport_url'" -- sh -c "printf 'text\nmy order is late\n' | $C -t $TMP/tpl batch --no-progress -"
printf '{{! intent: test\n    requires: brand.support_url }}\nSorry, but you should have read the label. See {{brand.support_url}}\n' >"$TMP/tpl/en/complaint/broken.mustache"
expect "templates check: tone errors fail" 1 'FAIL .*tone' '' -- $C -t "$TMP/tpl" templates check
printf '{{! intent: test\n    requires: brand.support_url }}\nWe are sorry about the order and we want to fix it properly for you, so please write to our support team with the order details at {{brand.support_url}} today\n' >"$TMP/tpl/en/complaint/broken.mustache"
expect "templates check: over the channel limit" 1 'characters rendered, the tiktok limit is 150' '' -- $C -t "$TMP/tpl" templates check
expect "templates check: a longer channel fits" 0 '1 templates, 0 failed' '' -- $C -t "$TMP/tpl" --channel instagram templates check

# --- tone -------------------------------------------------------------------
expect "tone: clean reply" 0 'score 100/100' '^$' -- $C tone --text "Sorry about the delay. Please DM us your order number and we will fix it." --category complaint
expect "tone: blame is an error, exit 1" 1 'blame' '' -- $C tone --text "You should have read the label before buying."
expect "tone: json" 1 '^\{"score":[0-9]+,"issues":\[\{"rule":"blame","severity":"error","message":"[^"]+","start":0,"end":[0-9]+,"suggestion":"' '' -- \
	$C tone --json --text "You should have read the label before buying."
expect "tone: file input" 0 'score' '' -- sh -c "echo 'Thanks for asking! Details: sunnyjuice.example/faq' | $C tone -"
expect "tone: caret under the span" 1 '^    \^+' '' -- $C tone --text "You should have read the label."

finish
