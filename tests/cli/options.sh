#!/usr/bin/env bash
# Documented options, each with its effect checked (tests/options.sh lists
# any option of docs/commands/*.md that no test names).  Where an option
# changes a result, the result is compared with and without it; long and
# short forms are both run.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
PTY=${PTY:?set PTY to the pty_driver binary}
SAMPLES=$SRC/config/samples
DOCS=$SRC/docs/commands
not() { ! "$@"; }
same() { cmp -s "$1" "$2"; }

# --- -h and --help print exactly the help text of docs/commands/CMD.md ------
# help_doc CMD OPTION...: each OPTION prints the page's first code block
# under "## Options" (the page says "Exactly as `candor CMD --help` prints").
help_doc() {
	local cmd=$1 o
	shift
	awk '/^## Options/ { on = 1 } on && /^```/ { if (c) exit; c = 1; next } c' \
		"$DOCS/$cmd.md" >"$TMP/help.want"
	for o in "$@"; do
		local st=0
		"$C" "$cmd" "$o" >"$TMP/help.got" 2>&1 || st=$?
		check "$cmd $o: status 0 and the text of docs/commands/$cmd.md (status $st; $(diff "$TMP/help.want" "$TMP/help.got" | head -4 | tr '\n' ' '))" \
			eval '[ $st = 0 ] && [ -s "$TMP/help.want" ] && same "$TMP/help.want" "$TMP/help.got"'
	done
}
for page in "$DOCS"/*.md; do
	grep -q 'prints them:' "$page" ||
		check "$(basename "$page"): says its help block is what --help prints" false
done
help_doc batch -h --help
help_doc classify -h --help
help_doc eval -h --help
help_doc explain -h --help
help_doc fetch -h --help
help_doc init -h --help
help_doc model -h --help
help_doc publish -h --help
help_doc render -h --help
help_doc report -h --help
help_doc review -h --help
help_doc suggest -h --help
help_doc templates -h --help
help_doc tone -h --help
help_doc train -h --help

# --- fixtures -------------------------------------------------------------
# a model that cannot be unsure: each label has its own word
printf 'text,label\n' >"$TMP/tr.csv"
for i in 1 2 3; do printf 'apple pie,a\nbanana split,b\ncherry tart,c\n' >>"$TMP/tr.csv"; done
"$C" train -q -o "$TMP/tiny.model" "$TMP/tr.csv"
# a JSONL input whose line 2 is broken
printf '{"id":"1","text":"where can I buy it"}\n{"id":2,"text":\n{"id":"3","text":"where is my refund"}\n' >"$TMP/bad.jsonl"
# a labelled set with other column names, and a bad row
printf 'body,cat\n' >"$TMP/other.csv"
sed 1d "$SRC/tests/data/train-small.csv" >>"$TMP/other.csv"
cp "$SRC/tests/data/train-small.csv" "$TMP/badrow.csv"
printf '"unterminated,complaint\n' >>"$TMP/badrow.csv"
CORPUS=("$SRC"/config/corpus/en-*.csv)

# --- suggest -----------------------------------------------------------------
expect "suggest: a bad line is skipped, the rest written, exit 65" 65 '"id":"3"' 'bad.jsonl:2: ' -- \
	"$C" suggest "$TMP/bad.jsonl"
expect "suggest --strict: stops at the bad line, nothing after it" 65 '"id":"1"' 'bad.jsonl:2: ' -- \
	"$C" suggest --strict "$TMP/bad.jsonl"
"$C" suggest --strict "$TMP/bad.jsonl" >"$TMP/strict.out" 2>/dev/null
check "suggest --strict: exactly one record before the stop" [ "$(wc -l <"$TMP/strict.out")" = 1 ]
rm -f "$TMP/errors.txt"
expect "suggest --errors FILE" 65 '"id":"3"' '' -- "$C" suggest --errors "$TMP/errors.txt" "$TMP/bad.jsonl"
check "suggest --errors: the bad line, byte for byte" [ "$(cat "$TMP/errors.txt")" = '{"id":2,"text":' ]
# CRLF input: each bad line goes back with its CR; a last line without a
# newline gets one, so the next run's lines do not join it
printf '{"id":1,"text":"hi"}\r\n{"id":2,"text":\r\nnot json\n{"id":3,"text":"ok"}\r\n{"bad"' >"$TMP/crlf.jsonl"
printf '{"id":2,"text":\r\nnot json\n{"bad"\n' >"$TMP/crlf.want"
rm -f "$TMP/errors.txt"
expect "suggest --errors, CRLF lines" 65 '"id":"3"' 'crlf.jsonl:5: ' -- "$C" suggest --errors "$TMP/errors.txt" "$TMP/crlf.jsonl"
check "suggest --errors: CRLF lines keep their CR, byte for byte" cmp -s "$TMP/errors.txt" "$TMP/crlf.want"
expect "suggest -f tsv: a header and tab-separated lines" 0 $'^id\tcategory\tconfidence\t' '' -- \
	"$C" suggest -f tsv "$SAMPLES/comments.txt"
expect "suggest --format pretty: for a person" 0 '^  reply \(en/' '' -- \
	"$C" suggest --format pretty "$SAMPLES/comments.txt"
expect "suggest -f: an unknown format is a usage error" 2 '^$' 'format must be jsonl, tsv or pretty' -- "$C" suggest -f xml "$SAMPLES/comments.txt"
expect "suggest with -m MODEL: that model's labels" 0 '"category":"a"' '' -- \
	"$C" -m "$TMP/tiny.model" suggest "$SAMPLES/comments.txt"
expect "suggest with -m: a missing model" 66 '^$' 'nope.model' -- "$C" -m "$TMP/nope.model" suggest "$SAMPLES/comments.txt"
# a long author name makes the draft longer than TikTok's 150 characters
printf '{"id":"1","author":"%s","text":"where can I buy your juice"}\n' "$(printf 'a%.0s' $(seq 1 60))" >"$TMP/long.jsonl"
expect "suggest --channel tiktok: the draft's tone check has the 150 limit" 0 '"rule":"length","severity":"error","message":"reply is [0-9]+ characters, over the 150-character limit"' '' -- \
	"$C" --channel tiktok suggest "$TMP/long.jsonl"
expect "suggest --channel youtube: the same draft fits" 0 '"tone":\{"score":100,"issues":\[\]\}' '' -- \
	"$C" --channel youtube suggest "$TMP/long.jsonl"
printf '{"id":"1","text":"где купить ваш сок"}\n' >"$TMP/ru.jsonl"
expect "suggest --lang en: drafts in English whatever the comment" 0 '"template":"en/' '' -- \
	"$C" --lang en suggest "$TMP/ru.jsonl"
expect "suggest without --lang: the comment's language" 0 '"template":"ru/' '' -- \
	"$C" suggest "$TMP/ru.jsonl"
expect "suggest with -t DIR: templates from DIR" 0 '' "templates: $SRC/templates" -- \
	"$C" -v -t "$SRC/templates" suggest "$SAMPLES/comments.txt"
expect "suggest with -t: a missing folder" 78 '^$' 'nowhere' -- "$C" -t "$TMP/nowhere" suggest "$SAMPLES/comments.txt"
printf '[brand]\nname = Zebra Pop\n' >"$TMP/brand.ini"
expect "suggest with -c CONFIG: the brand reaches the drafts" 0 '' 'config: .*brand.ini' -- \
	"$C" -v -c "$TMP/brand.ini" suggest "$SAMPLES/comments.txt"

# -q: quiet about skipped lines, the status still says so
expect "-q suggest: no report of the bad line, status 65" 65 '"id":"3"' '^$' -- "$C" -q suggest "$TMP/bad.jsonl"
expect "-q batch: no report of the bad row, status 65" 65 '' '^$' -- "$C" -q batch "$TMP/badrow.csv"
expect "batch without -q: the bad row reported" 65 '' 'badrow.csv:[0-9]+: ' -- "$C" batch "$TMP/badrow.csv"
expect "-q train: no report of the bad row" 65 '' '^$' -- "$C" -q train -o "$TMP/q.model" "$TMP/badrow.csv"

# --- batch -------------------------------------------------------------------
printf 'cid,who,text\n77,alice,where can I buy your juice\n' >"$TMP/cols.csv"
expect "batch --author-col: the author is greeted" 0 '^77,alice,.*"@alice ' '' -- \
	"$C" batch --id-col cid --author-col who "$TMP/cols.csv"
expect "batch without --author-col: no author known" 0 '^77,alice,[^@]*$' '' -- "$C" batch "$TMP/cols.csv"
expect "batch --id-col: a missing column is named" 65 '' "no id column 'nope'" -- \
	"$C" batch --id-col nope "$TMP/cols.csv"
expect "batch --author-col: a missing column is named" 65 '' "nope" -- \
	"$C" batch --author-col nope "$TMP/cols.csv"
expect "batch --output FILE: nothing on stdout" 0 '^$' '' -- "$C" batch --output "$TMP/b.csv" "$TMP/cols.csv"
check "batch --output: the file holds the rows" grep -q '^77,alice,.*,pending$' "$TMP/b.csv"
expect "batch -o: the same file" 0 '^$' '' -- "$C" batch -o "$TMP/b2.csv" "$TMP/cols.csv"
check "batch -o and --output write the same" same "$TMP/b.csv" "$TMP/b2.csv"

# --no-progress with standard error on a terminal (the bar would show)
yes '1,"my order is late, where is it"' | head -30000 | sed '1i id,text' >"$TMP/progress.csv"
st=0
"$PTY" -t 20 -k 30 -o "$TMP/screen-np" -- sh -c "'$C' batch --no-progress '$TMP/progress.csv' -o '$TMP/np.out'" \
	<<<'expect-exit 0' 2>"$TMP/np.err" || st=$?
check "batch --no-progress on a terminal ran (driver status $st: $(head -c 200 "$TMP/np.err"))" [ "$st" = 0 ]
check "batch --no-progress on a terminal: no bar" not grep -qE 'rows/s|%' "$TMP/screen-np"
check "batch --no-progress: the output is whole" [ "$(wc -l <"$TMP/np.out")" = 30001 ]

# --- train -------------------------------------------------------------------
info() { "$C" model info "$1"; }
expect "train --output MODEL" 0 '' '' -- "$C" train -q --output "$TMP/o.model" "$TMP/tr.csv"
check "train --output and -o write the same model" same "$TMP/o.model" "$TMP/tiny.model"
"$C" train -q --alpha 0.7 -o "$TMP/alpha.model" "$TMP/tr.csv"
check "train --alpha: recorded in the model" sh -c "'$C' model info '$TMP/alpha.model' | grep -q 'alpha 0.7,'"
expect "train --alpha: 0 is refused" 2 '' 'alpha' -- "$C" train --alpha 0 -o "$TMP/x.model" "$TMP/tr.csv"
"$C" train -q --complement -o "$TMP/compl.model" "$TMP/tr.csv"
check "train --complement: complement naive Bayes" sh -c "'$C' model info '$TMP/compl.model' | grep -q '^scoring: *complement naive Bayes'"
"$C" train -q --counts -o "$TMP/counts.model" "$TMP/tr.csv"
check "train --counts: repeated features counted" sh -c "'$C' model info '$TMP/counts.model' | grep -q 'repeated features counted'"
check "train default: features counted once" sh -c "'$C' model info '$TMP/tiny.model' | grep -q 'counted once per comment'"
"$C" train -q --no-bigrams -o "$TMP/nobi.model" "$TMP/tr.csv"
tokens() { "$C" model info "$1" | sed -n 's/^tokens: *//p'; }
vocab() { "$C" model info "$1" | sed -n 's/^vocabulary: *\([0-9]*\) .*/\1/p'; }
check "train default: words + bigrams, stemmed, extras" [ "$(tokens "$TMP/tiny.model")" = "words + bigrams, stemmed, extras (masked and mixed-script words, names)" ]
check "train --no-bigrams: words only, and fewer features" \
	eval '[ "$(tokens "$TMP/nobi.model")" = "words, stemmed, extras (masked and mixed-script words, names)" ] && [ "$(vocab "$TMP/nobi.model")" -lt "$(vocab "$TMP/tiny.model")" ]'
printf 'text,label\nrunning runs,a\nrun,a\nwalking,b\nwalks,b\n' >"$TMP/stem.csv"
"$C" train -q -o "$TMP/stem.model" "$TMP/stem.csv"
"$C" train -q --no-stem -o "$TMP/nostem.model" "$TMP/stem.csv"
check "train --no-stem: not stemmed" [ "$(tokens "$TMP/nostem.model")" = "words + bigrams, extras (masked and mixed-script words, names)" ]
check "train --no-stem: 'running' kept whole" sh -c "
	[ \$('$C' model dump '$TMP/nostem.model' | grep -o '\"running\"' | wc -l) = 1 ] &&
	[ \$('$C' model dump '$TMP/stem.model' | grep -o '\"running\"' | wc -l) = 0 ]"
"$C" train -q --no-extras -o "$TMP/noex.model" "${CORPUS[0]}" "${CORPUS[1]}"
"$C" train -q -o "$TMP/ex.model" "${CORPUS[0]}" "${CORPUS[1]}"
check "train --no-extras: no extra features" [ "$(tokens "$TMP/noex.model")" = "words + bigrams, stemmed" ]
check "train --no-extras: fewer features than the default" [ "$(vocab "$TMP/noex.model")" -lt "$(vocab "$TMP/ex.model")" ]
"$C" train -q --temperature 2.5 -o "$TMP/t.model" "$TMP/tr.csv"
check "train --temperature: fixed at 2.5" sh -c "'$C' model info '$TMP/t.model' | grep -q '^temperature: *2.5\$'"
expect "train --temperature: softer probabilities" 0 '"confidence":0\.[0-8]' '' -- \
	"$C" -m "$TMP/t.model" classify "$SAMPLES/comments.txt"
expect "train --temperature: -1 is refused" 2 '' 'temperature' -- "$C" train --temperature -1 -o "$TMP/x.model" "$TMP/tr.csv"
expect "train --text-col --label-col: other column names" 0 '' '' -- \
	"$C" train -q --text-col body --label-col cat -o "$TMP/cols.model" "$TMP/other.csv"
check "train --label-col: the labels of that column" sh -c "'$C' model info '$TMP/cols.model' | grep -qE '^  complaint +[0-9]'"
expect "train --label-col: a missing column is named" 65 '' 'nolabel' -- \
	"$C" train --label-col nolabel -o "$TMP/x.model" "$TMP/other.csv"
rm -f "$TMP/strict.model" "$TMP/lax.model"
expect "train --strict: stops at the bad row, no model" 65 '' 'badrow.csv:[0-9]+: ' -- \
	"$C" train --strict -o "$TMP/strict.model" "$TMP/badrow.csv"
check "train --strict: no model written" [ ! -e "$TMP/strict.model" ]
expect "train without --strict: the bad row skipped, the model written" 65 '' 'badrow.csv:[0-9]+: ' -- \
	"$C" train -o "$TMP/lax.model" "$TMP/badrow.csv"
check "train without --strict: a model" [ -s "$TMP/lax.model" ]

# --- eval: its model options are those of train --------------------------------
# eval DATA --test T with an option == train with the option, then eval -m;
# and (but --temperature, which moves no prediction) != the defaults.
# held out: the first 30 rows of each English corpus file (one line each);
# trained on the next 150 of each
head -1 "${CORPUS[0]}" >"$TMP/test.csv"
head -1 "${CORPUS[0]}" >"$TMP/train.csv"
for f in "${CORPUS[@]}"; do sed -n '2,31p' "$f" >>"$TMP/test.csv"; sed -n '32,181p' "$f" >>"$TMP/train.csv"; done
CORPUS=("$TMP/train.csv")
"$C" eval --json "${CORPUS[@]}" --test "$TMP/test.csv" >"$TMP/ev.default"
eval_opt() {
	local name=$1
	shift
	"$C" train -q "$@" -o "$TMP/eo.model" "${CORPUS[@]}"
	"$C" -m "$TMP/eo.model" eval --json --test "$TMP/test.csv" >"$TMP/ev.train"
	"$C" eval --json "$@" "${CORPUS[@]}" --test "$TMP/test.csv" >"$TMP/ev.opt"
	check "$name: as train with the option, then eval -m" same "$TMP/ev.opt" "$TMP/ev.train"
}
eval_opt "eval --alpha" --alpha 2
check "eval --alpha: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --complement" --complement
check "eval --complement: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --counts" --counts
check "eval --counts: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --no-bigrams" --no-bigrams
check "eval --no-bigrams: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --no-stem" --no-stem
check "eval --no-stem: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --no-extras" --no-extras
check "eval --no-extras: changes the figures" not same "$TMP/ev.opt" "$TMP/ev.default"
eval_opt "eval --temperature" --temperature 3
check "eval --temperature: moves no prediction" same "$TMP/ev.opt" "$TMP/ev.default"
expect "eval --temperature: 0 is refused" 2 '' 'temperature' -- "$C" eval --temperature 0 "$TMP/tr.csv"
expect "eval --alpha: a word is refused" 2 '' 'alpha' -- "$C" eval --alpha much "$TMP/tr.csv"
expect "eval --text-col --label-col: other column names" 0 '\(2-fold stratified, seed 1, 15 examples\)' '' -- \
	"$C" eval -k 2 --text-col body --label-col cat "$TMP/other.csv"
expect "eval without --text-col --label-col: no such column" 65 '' "no (text|label) column" -- "$C" eval -k 2 "$TMP/other.csv"
expect "eval -k 3: three folds" 0 '3-fold stratified' '' -- "$C" eval -k 3 "${CORPUS[@]}"
expect "eval --folds 4" 0 '4-fold stratified' '' -- "$C" eval --folds 4 "${CORPUS[@]}"
expect "eval -k 1: refused" 2 '' 'fold' -- "$C" eval -k 1 "${CORPUS[@]}"
"$C" eval --json -k 3 --seed 1 "${CORPUS[@]}" >"$TMP/seed1a"
"$C" eval --json -k 3 --seed 1 "${CORPUS[@]}" >"$TMP/seed1b"
"$C" eval --json -k 3 --seed 2 "${CORPUS[@]}" >"$TMP/seed2"
check "eval --seed: the same seed, the same folds" same "$TMP/seed1a" "$TMP/seed1b"
check "eval --seed: another seed, other folds" not same "$TMP/seed1a" "$TMP/seed2"

# --- explain -----------------------------------------------------------------
"$C" explain "where can I buy it" >"$TMP/x5"
"$C" explain -n 1 "where can I buy it" >"$TMP/x1"
"$C" explain --top 2 "where can I buy it" >"$TMP/x2"
ntok() { grep -cE '^ +[-+][0-9]+\.[0-9]+ ' "$1"; }
# most per category: awk counts the token lines under each "label:" line
most() { awk '/^[a-z_]+:$/ { n = 0 } /^ +[-+][0-9]+\.[0-9]+ / { if (++n > m) m = n } END { print m + 0 }' "$1"; }
check "explain -n 1: one token per category at most, some shown" eval '[ "$(most "$TMP/x1")" = 1 ]'
check "explain --top 2: two per category at most" eval '[ "$(most "$TMP/x2")" = 2 ]'
check "explain: more by default (5)" eval '[ "$(most "$TMP/x5")" = 5 ] && [ "$(ntok "$TMP/x5")" -gt "$(ntok "$TMP/x2")" ]'

# --- render: -d, -p, -e and the partials it refuses ----------------------------
mkdir -p "$TMP/parts" "$TMP/elsewhere"
printf 'Hi {{> greet}} {{x}}\n' >"$TMP/elsewhere/t.mustache"
printf 'hello {{name}}' >"$TMP/parts/greet.mustache"
printf 'HELLO {{name}}' >"$TMP/elsewhere/greet.mustache"
expect "render -d -p: the partial from DIR" 0 '^Hi hello Ann <b>$' '^$' -- \
	"$C" render "$TMP/elsewhere/t.mustache" -d '{"name":"Ann","x":"<b>"}' -p "$TMP/parts"
expect "render without --partials: the template's own folder" 0 '^Hi HELLO Ann <b>$' '^$' -- \
	"$C" render "$TMP/elsewhere/t.mustache" --data '{"name":"Ann","x":"<b>"}'
printf '{"name":"Ann","x":"<b>"}' >"$TMP/data.json"
expect "render --data @FILE --partials DIR --escape html" 0 '^Hi hello Ann &lt;b&gt;$' '^$' -- \
	"$C" render "$TMP/elsewhere/t.mustache" --data "@$TMP/data.json" --partials "$TMP/parts" --escape html
expect "render -e none: as is" 0 '^Hi hello Ann <b>$' '' -- \
	"$C" render "$TMP/elsewhere/t.mustache" -d "@$TMP/data.json" -p "$TMP/parts" -e none
expect "render -e: an unknown mode" 2 '^$' 'escape|xml' -- \
	"$C" render "$TMP/elsewhere/t.mustache" -d '{}' -e xml
expect "render -d: invalid JSON" 65 '^$' 'invalid JSON' -- "$C" render "$TMP/elsewhere/t.mustache" -d '{"x":'
echo SECRET >"$TMP/secret.mustache"
echo HIDDEN >"$TMP/parts/.hidden.mustache"
mkdir -p "$TMP/parts/sub"
echo SUB >"$TMP/parts/sub/p.mustache"
printf 'a{{> ../secret}}b{{> .hidden}}c{{> sub/p}}d{{> /etc/passwd}}e\n' >"$TMP/parts/evil.mustache"
expect "render --partials refuses ../, dot names, subfolders and absolute paths" 0 '^abcde$' '' -- \
	"$C" render "$TMP/parts/evil.mustache" -d '{}' --partials "$TMP/parts"
printf 'x{{> self}}' >"$TMP/parts/self.mustache"
expect "render -p: a partial including itself forever is an error" 65 '^$' 'self.mustache|deep|nest' -- \
	"$C" render "$TMP/parts/self.mustache" -d '{}' -p "$TMP/parts"

# --- tone --------------------------------------------------------------------
expect "tone --comment: echoing the comment's insult is an error" 1 'error +echo: ' '' -- \
	"$C" tone --comment "you idiots poisoned me" --text "we are not idiots, we never poisoned anyone"
expect "tone without --comment: no echo finding" 0 '' '' -- \
	"$C" tone --text "we are not idiots, we never poisoned anyone"
"$C" tone --text "ok." >"$TMP/tone.plain" || true
"$C" tone --category complaint --text "ok." >"$TMP/tone.complaint" || true
check "tone --category complaint: asks for an acknowledgement and a next step" \
	sh -c "grep -q 'no acknowledgement' '$TMP/tone.complaint' && grep -q 'no next step' '$TMP/tone.complaint' && ! grep -q 'required' '$TMP/tone.plain'"
expect "tone --category fake_news: asks for a source" 1 'required: correction has no source link' '' -- \
	"$C" tone --category fake_news --text "That is not true."
"$C" --lang ru tone --json --text "YOU ARE WRONG!!! read the label" >"$TMP/tone.ru" || true
"$C" --lang en tone --json --text "YOU ARE WRONG!!! read the label" >"$TMP/tone.en" || true
check "tone --lang ru: suggestions in Russian" grep -q 'мы разберёмся' "$TMP/tone.ru"
check "tone --lang en: suggestions in English" not grep -q 'мы разберёмся' "$TMP/tone.en"
reply=$(printf 'We hear you. %.0s' $(seq 1 14))
expect "tone --channel tiktok: too long" 1 'length' '' -- "$C" --channel tiktok tone --text "$reply"
expect "tone --channel youtube: fits" 0 '' '' -- "$C" --channel youtube tone --text "$reply"
printf '[brand]\nname = Sunny Juice\ncompetitors = FizzCo\n' >"$TMP/comp.ini"
expect "tone with -c: the config's competitors are protected" 1 'competitor|FizzCo' '' -- \
	"$C" -c "$TMP/comp.ini" tone --text "Unlike FizzCo, our juice is not poison and theirs is junk."

# --- templates: -q, -t, -c, --channel ----------------------------------------------
"$C" templates check >"$TMP/tc.all"
"$C" -q templates check >"$TMP/tc.q"
check "templates -q check: only the total when all pass" \
	sh -c "[ \$(wc -l <'$TMP/tc.q') = 1 ] && [ \$(wc -l <'$TMP/tc.all') -gt 10 ] && tail -1 '$TMP/tc.all' | cmp -s - '$TMP/tc.q'"
mkdir -p "$TMP/tpl/en/question"
META='{{! intent: a test
    requires: }}'
printf '%s\nThanks {{author}}, see you.\n' "$META" >"$TMP/tpl/en/question/a.mustache"
expect "templates -t DIR list: that folder's templates" 0 '^en/question/a' '' -- "$C" -t "$TMP/tpl" templates list
printf '%s\nThanks {{author}} %s\n' "$META" "$(printf 'we will look into it. %.0s' $(seq 1 10))" >"$TMP/tpl/en/question/a.mustache"
expect "templates --channel tiktok check: a long template fails" 1 'a.mustache' '' -- \
	"$C" --channel tiktok -t "$TMP/tpl" templates check
expect "templates --channel youtube check: it fits" 0 '' '' -- "$C" --channel youtube -t "$TMP/tpl" templates check
printf '%s\nUnlike {{brand.name}}, FizzCo is junk. Thanks!\n' "$META" >"$TMP/tpl/en/question/a.mustache"
expect "templates -c CONFIG check: the config's competitor is protected" 1 'competitor|FizzCo' '' -- \
	"$C" -c "$TMP/comp.ini" -t "$TMP/tpl" templates check

# --- model merge --output ----------------------------------------------------------
head -7 "$TMP/tr.csv" >"$TMP/tr1.csv"
{ head -1 "$TMP/tr.csv"; sed -n '8,$p' "$TMP/tr.csv"; } >"$TMP/tr2.csv"
"$C" train -q --temperature 1 -o "$TMP/m1.model" "$TMP/tr1.csv"
"$C" train -q --temperature 1 -o "$TMP/m2.model" "$TMP/tr2.csv"
"$C" train -q --temperature 1 -o "$TMP/m12.model" "$TMP/tr.csv"
expect "model merge --output C" 0 '' '' -- "$C" model merge "$TMP/m1.model" "$TMP/m2.model" --output "$TMP/merged.model"
check "model merge --output: equals training on both" same "$TMP/merged.model" "$TMP/m12.model"
expect "model merge without -o: refused" 2 '' '' -- "$C" model merge "$TMP/m1.model" "$TMP/m2.model"

# --- report: -o/--output, -f/--format, --lang, --strict -----------------------------
"$C" suggest "$SAMPLES/comments.jsonl" >"$TMP/sug.jsonl"
{ cat "$TMP/sug.jsonl"; echo '{"broken'; } >"$TMP/sugbad.jsonl"
expect "report -o OUT.md: Markdown by the name" 0 '^$' '' -- "$C" report "$TMP/sug.jsonl" -o "$TMP/r.md"
check "report -o OUT.md: a Markdown page" grep -q '^# Crisis report$' "$TMP/r.md"
expect "report --output OUT.html: HTML" 0 '^$' '' -- "$C" report "$TMP/sug.jsonl" --output "$TMP/r.html"
check "report --output OUT.html: an HTML page" grep -q '^<!DOCTYPE html>' "$TMP/r.html"
expect "report -f md: Markdown on stdout" 0 '^# Crisis report$' '' -- "$C" report -f md "$TMP/sug.jsonl"
expect "report --format html overrides the name" 0 '^$' '' -- "$C" report --format html -o "$TMP/r2.md" "$TMP/sug.jsonl"
check "report --format html: HTML although the name ends in .md" grep -q '^<!DOCTYPE html>' "$TMP/r2.md"
expect "report --lang ru: Russian titles" 0 '^# Отчёт о кризисе$' '' -- "$C" --lang ru report -f md "$TMP/sug.jsonl"
expect "report --lang en: English titles" 0 '^# Crisis report$' '' -- "$C" --lang en report -f md "$TMP/sug.jsonl"
rm -f "$TMP/rs.md" "$TMP/rl.md"
expect "report --strict: stops at the bad line" 65 '' 'sugbad.jsonl:[0-9]+: ' -- "$C" report --strict -o "$TMP/rs.md" "$TMP/sugbad.jsonl"
check "report --strict: no report written" [ ! -e "$TMP/rs.md" ]
expect "report without --strict: the bad line skipped, the report written" 65 '' 'sugbad.jsonl:[0-9]+: ' -- \
	"$C" report -o "$TMP/rl.md" "$TMP/sugbad.jsonl"
check "report without --strict: a report" grep -q '^# Crisis report$' "$TMP/rl.md"

# --- review: --journal, -o (in a pseudo-terminal) ---------------------------------
printf 'id,author,comment\n1,maria_k,"late order, no refund"\n2,jen,where can I buy the orange one?\n' >"$TMP/rin.csv"
"$C" batch "$TMP/rin.csv" -o "$TMP/rdrafts.csv" 2>/dev/null
st=0
"$PTY" -t 10 -k 20 -o "$TMP/rscreen" -- "$C" review --as tester --journal "$TMP/rj.jsonl" \
	-o "$TMP/rout.csv" "$TMP/rdrafts.csv" 2>"$TMP/rpty.err" <<'EOF' || st=$?
wait 1/2
send a
wait 2/2
send h
wait ^approved 1
expect-exit 0
EOF
check "review --journal -o: the session ran (driver status $st: $(head -c 300 "$TMP/rpty.err"))" [ "$st" = 0 ]
check "review --journal: the decisions in that file" \
	sh -c "[ \$(wc -l <'$TMP/rj.jsonl') = 2 ] && grep -q '\"id\":\"2\",\"decision\":\"hide\"' '$TMP/rj.jsonl'"
check "review --journal: none in the default place" [ ! -e "$TMP/rdrafts.csv.journal.jsonl" ]
check "review -o: row 1 approved, row 2 hidden" \
	sh -c "grep -q '^1,.*,approved\$' '$TMP/rout.csv' && grep -q '^2,.*,hidden\$' '$TMP/rout.csv'"

finish
