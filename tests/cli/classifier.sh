#!/usr/bin/env bash
# CLI tests of train, eval, classify, explain and model (issue 2).
. "$(dirname "$0")/lib.sh"
C=$CANDOR
DATA=$SRC/tests/data
SAMPLES=$SRC/config/samples

# --- classify ---------------------------------------------------------------
expect "classify text" 0 '^\{"id":"1","category":"complaint","confidence":[0-9.]+,"uncertain":(true|false),"scores":\{"competitor_attack":' '^$' -- \
	$C classify $SAMPLES/comments.txt
check "classify: one record per line" [ "$($C classify $SAMPLES/comments.txt | wc -l)" = 14 ]
expect "classify jsonl keeps ids" 0 '"id":"7362","category":"toxic"' '^$' -- $C classify $SAMPLES/comments.jsonl
expect "classify stdin" 0 '"category":"spam"' '' -- sh -c "echo 'follow me for free followers check my profile' | $C classify -"
expect "global option after command" 0 '"category"' '' -- $C classify -q $SAMPLES/comments.txt
expect "global option before command" 0 '"category"' 'model: ' -- $C -v classify $SAMPLES/comments.txt
expect "missing input file" 66 '^$' "cannot open 'nope.txt'" -- $C classify nope.txt
expect "unknown command" 2 '^$' "'frobnicate' is not a candor command" -- $C frobnicate
expect "unknown option" 2 '' 'unknown option' -- $C classify --frob
expect "empty input" 0 '^$' '^$' -- $C classify /dev/null

printf '{"id":"a","text":"refund me now"}\n{"id":"b","text":\n{"id":"c"}\n{"id":"d","text":"\\u00ff ok"}\n{"id":"e","text":"where is my order"}\n' >"$TMP/bad.jsonl"
expect "bad jsonl lines skipped, status 65" 65 '"id":"e"' "$TMP/bad.jsonl:2: invalid JSON" -- $C classify "$TMP/bad.jsonl"
expect "missing text field named" 65 '' "$TMP/bad.jsonl:3: missing \"text\" field" -- $C classify "$TMP/bad.jsonl"
check "good lines still classified" [ "$($C classify "$TMP/bad.jsonl" 2>/dev/null | wc -l)" = 3 ]
expect "--strict stops at the first" 65 '"id":"a"' ":2: invalid JSON" -- $C classify --strict "$TMP/bad.jsonl"
check "--strict output ends early" [ "$($C classify --strict "$TMP/bad.jsonl" 2>/dev/null | wc -l)" = 1 ]
$C classify --errors "$TMP/rejects.txt" "$TMP/bad.jsonl" >/dev/null 2>&1 || true
check "--errors keeps the raw bad lines" [ "$(wc -l <"$TMP/rejects.txt")" = 2 ]

printf 'good line\n\xff\xfe broken\nanother good line\n' >"$TMP/bad-utf8.txt"
expect "invalid UTF-8 reported with line" 65 '"id":"3"' "bad-utf8.txt:2: invalid UTF-8 at byte 1" -- $C classify "$TMP/bad-utf8.txt"

{ echo "first"; head -c 10485760 /dev/zero | tr '\0' 'a'; echo; echo "last"; } >"$TMP/long.txt"
expect "10 MB line reported, rest classified" 65 '"id":"3"' "long.txt:2: line longer than 1048576 bytes" -- $C classify "$TMP/long.txt"

yes "my order is late and nobody answers" | head -200000 >"$TMP/many.txt"
expect "closed stdout (EPIPE) stops quietly" 0 '"id":"1"' '^$' -- sh -c "$C classify $TMP/many.txt | head -1"

# --- train ------------------------------------------------------------------
expect "train writes a model" 0 '^$' 'trained on 15 examples' -- $C train -o "$TMP/m" $DATA/train-small.csv
expect "model info" 0 'labels: +3' '^$' -- $C model info "$TMP/m"
# "-" reads standard input: CSV or JSONL, the same model as from the file
expect "train: - reads standard input" 0 '^$' 'trained on 15 examples' -- \
	sh -c "$C train -o $TMP/m-stdin - < $DATA/train-small.csv"
check "train: - gives the model the file gives" cmp "$TMP/m" "$TMP/m-stdin"
expect "train: JSONL on standard input" 0 '^$' 'trained on' -- \
	sh -c "$C train -o $TMP/m-stdin2 - < $DATA/train-small.jsonl"
printf 'text,label\nfine,a\nok \377,b\n' >"$TMP/bad-stdin.csv"
expect "train: - names <stdin> in errors" 65 '' '<stdin>:3: invalid UTF-8' -- \
	sh -c "$C train -o $TMP/x-stdin - < $TMP/bad-stdin.csv"
expect "model dump is JSON" 0 '^\{"version":2,"params":\{"alpha":0.3,.*"features":\{' '^$' -- $C model dump "$TMP/m"
expect "train: unknown text column" 65 '^$' "no text column 'nope' in the header \(use --text-col\)" -- \
	$C train --text-col nope -o "$TMP/x" $DATA/train-small.csv
printf 'text,stars\nslow delivery,2\n' >"$TMP/nolabel.csv"
expect "train: missing label column" 65 '^$' "nolabel.csv:1: no label column 'label'" -- $C train -o "$TMP/x" "$TMP/nolabel.csv"
expect "train: empty file" 65 '^$' "^candor: no usable training examples in '/dev/null'$" -- $C train -o "$TMP/x" /dev/null
expect "train: no -o" 2 '^$' '-o MODEL is required' -- $C train $DATA/train-small.csv
printf 'text,label\nrefund please,complaint\n"\xff bad",complaint\nfree followers,spam\n' >"$TMP/bad.csv"
expect "train: invalid UTF-8 row skipped" 65 '' "bad.csv:3: invalid UTF-8" -- $C train -o "$TMP/x" "$TMP/bad.csv"
expect "train: model still written" 0 'documents: +2' '' -- $C model info "$TMP/x"
expect "train jsonl" 0 '' 'trained on 3 examples' -- $C train -o "$TMP/j" $DATA/train-small.jsonl

# update and merge give the model of the union (fixed temperature: same bytes)
head -9 $DATA/train-small.csv >"$TMP/a.csv"
{ head -1 $DATA/train-small.csv; tail -n +10 $DATA/train-small.csv; } >"$TMP/b.csv"
$C -q train --temperature 2 -o "$TMP/union" $DATA/train-small.csv
$C -q train --temperature 2 -o "$TMP/ma" "$TMP/a.csv"
$C -q train --temperature 2 -o "$TMP/mb" "$TMP/b.csv"
$C -q train --temperature 2 --update "$TMP/ma" -o "$TMP/upd" "$TMP/b.csv"
$C model merge "$TMP/ma" "$TMP/mb" -o "$TMP/merged"
check "merge == train on union" cmp -s "$TMP/merged" "$TMP/union"
check "update == train on union" cmp -s "$TMP/upd" "$TMP/union"

# learning from a review journal: approvals and corrections count, undone
# decisions, skips and torn lines do not
cat >"$TMP/j.jsonl" <<'J'
{"id":"1","decision":"approve","category":"complaint","text":"the bottle leaked all over my bag","approver":"a","ts":"2026-11-26T10:00:00Z"}
{"id":"2","decision":"skip","category":"question","original_category":"spam","text":"do you deliver on sundays?","approver":"a","ts":"2026-11-26T10:00:01Z"}
{"id":"3","decision":"approve","category":"spam","text":"win a free phone here","approver":"a","ts":"2026-11-26T10:00:02Z"}
{"id":"3","decision":"undo","approver":"a","ts":"2026-11-26T10:00:03Z"}
{"id":"4","decision":"skip","category":"other","text":"meh","approver":"a","ts":"2026-11-26T10:00:04Z"}
{"id":"6","decision":"approve","category":"complaint","text":"still no refund after a month","approver":"a","ts":"2026-11-26T10:00:05Z"}
{"id":"6","decision":"skip","category":"complaint","text":"still no refund after a month","approver":"a","ts":"2026-11-26T10:00:06Z"}
{"id":"6","decision":"undo","approver":"a","ts":"2026-11-26T10:00:07Z"}
{"id":"5","decisi
J
expect "train --from-journal learns 3" 0 '^$' "learned 3 decisions" -- \
	$C train --update "$TMP/m" --from-journal "$TMP/j.jsonl" -o "$TMP/mj"
expect "train --from-journal warns about the torn line" 0 '^$' "j.jsonl:9: ignoring a torn or malformed line" -- \
	$C train --update "$TMP/m" --from-journal "$TMP/j.jsonl" -o "$TMP/mj"
expect "from-journal: 15 + 3 documents" 0 'documents: +18' '' -- $C model info "$TMP/mj"
expect "from-journal: an undone skip brings the approval back" 0 'complaint +7$' '' -- $C model info "$TMP/mj"
expect "from-journal: the correction counted for question" 0 'question +6$' '' -- $C model info "$TMP/mj"
expect "from-journal: the undone spam did not count" 0 'spam +5$' '' -- $C model info "$TMP/mj"

# corrupted and foreign models are refused
cp "$TMP/m" "$TMP/corrupt"; printf '\x42' | dd of="$TMP/corrupt" bs=1 seek=100 conv=notrunc 2>/dev/null
expect "corrupted model refused" 65 '^$' "corrupt' is corrupted: checksum" -- $C -m "$TMP/corrupt" classify $SAMPLES/comments.txt
head -c 40 "$TMP/m" >"$TMP/short"
expect "truncated model refused" 65 '^$' "truncated" -- $C -m "$TMP/short" classify $SAMPLES/comments.txt
expect "foreign file refused" 65 '^$' "not a candor model" -- $C model info $SAMPLES/comments.txt
: >"$TMP/zero"
expect "empty model file: says empty" 65 '^$' "zero' is empty: not a candor model \(the file has 0 bytes\)" -- $C model info "$TMP/zero"
head -c 3 "$TMP/m" >"$TMP/three"
expect "3-byte model file: says truncated" 65 '^$' "three' is truncated: 3 bytes, the header alone needs 56" -- $C model info "$TMP/three"
printf 'abc' >"$TMP/abc"
expect "3 other bytes: shorter than a header" 65 '^$' "abc' is not a candor model: 3 bytes, shorter than the 56-byte header" -- $C model info "$TMP/abc"

# training data that holds nothing to learn from is named
: >"$TMP/empty.jsonl"
expect "train: empty .jsonl names the file" 65 '^$' "^candor: no usable training examples in '.*/empty.jsonl'$" -- $C train "$TMP/empty.jsonl" -o "$TMP/z"
check "train: empty .jsonl does not ask for a header row" bash -c "! grep -q 'header row' '$TMP/err'"
printf '{"text":"no label here"}\n' >"$TMP/nolabel.jsonl"
expect "train: nothing usable names every input" 65 '^$' "no usable training examples in '.*/nolabel.jsonl' and '.*/empty.jsonl'$" -- $C train "$TMP/nolabel.jsonl" "$TMP/empty.jsonl" -o "$TMP/z"
awk 'BEGIN { printf "{\"text\":\"hi\",\"label\":\"x\",\"a\":"; for (i = 0; i < 1000; i++) printf "["; for (i = 0; i < 1000; i++) printf "]"; print "}" }' >"$TMP/deep.jsonl"
expect "train: JSON past the nesting limit says so" 65 '^$' "deep.jsonl:1: JSON nested deeper than 1000 levels at column 1029" -- $C train "$TMP/deep.jsonl" -o "$TMP/z"
expect "model info: missing file is 66" 66 '^$' "cannot open '/no/such.model'" -- $C model info /no/such.model
expect "train --update: missing model is 66" 66 '^$' "cannot open '/no/such.model'" -- $C train --update /no/such.model -o "$TMP/z" $DATA/train-small.csv
expect "missing model" 66 '^$' "cannot open model '/no/such.model'" -- $C -m /no/such.model classify $SAMPLES/comments.txt

# --- eval -------------------------------------------------------------------
expect "eval table" 0 '^accuracy [0-9.]+  macro-F1 [0-9.]+  \(3-fold stratified, seed 1, 15 examples\)' '^$' -- \
	$C eval --folds 3 $DATA/train-small.csv
expect "eval json" 0 '^\{"accuracy":[0-9.]+,"macro_f1":[0-9.]+,"classes":\{"complaint":\{"precision":.*"labels":\["complaint","question","spam"\],"confusion":\[\[' '^$' -- \
	$C eval --folds 3 --json $DATA/train-small.csv
check "eval is seeded: same seed, same result" [ "$($C eval --folds 3 --seed 7 --json $DATA/train-small.csv)" = "$($C eval --folds 3 --seed 7 --json $DATA/train-small.csv)" ]
check "eval is seeded: another seed, other folds" [ "$($C eval --folds 3 --seed 7 --json $DATA/train-small.csv)" != "$($C eval --folds 3 --seed 8 --json $DATA/train-small.csv)" ]
expect "eval --test" 0 'trained on .*, tested on' '' -- $C eval $DATA/train-small.csv --test $DATA/train-small.jsonl
expect "eval --test -" 0 'trained on .*, tested on <stdin>' '' -- \
	sh -c "$C eval $DATA/train-small.csv --test - < $DATA/train-small.jsonl"
expect "eval of the default model" 0 '^accuracy' '' -- $C eval --test $DATA/train-small.csv
expect "eval: a bad row is reported and gives 65" 65 '^accuracy' "bad.csv:3: invalid UTF-8" -- $C eval --folds 2 "$TMP/bad.csv" $DATA/train-small.csv
expect "eval --folds 1" 2 '^$' 'folds must be 2 to 100' -- $C eval --folds 1 $DATA/train-small.csv

# --- explain ----------------------------------------------------------------
expect "explain" 0 'spam:' '^$' -- $C explain free followers check my profile
expect "explain json" 0 '^\{"category":"spam","scores":\{.*"tokens":\{.*"feature":"follow"' '^$' -- $C explain --json free followers check my profile
expect "explain needs text" 2 '^$' 'no TEXT given' -- $C explain

# --- extra features and the runtime competitors list (issue 10) -------------
# a tiny model: a capitalised rival plus a cue is competitor_attack, the
# same words about nobody are other
printf 'text,label\n' >"$TMP/rival.csv"
for i in 1 2 3 4 5 6; do
	printf 'switch to Zarbo%s already it is better\ncompetitor_attack\n' "$i"
done | paste -d, - - >>"$TMP/rival.csv"
printf '%s\n' 'this is better,other' 'the lid is better,other' \
	'it is better,other' 'the app is better,other' \
	'the juice is better,other' 'the price is better,other' >>"$TMP/rival.csv"
$C -q train -o "$TMP/rival.model" "$TMP/rival.csv"
$C -q train --no-extras -o "$TMP/rival-plain.model" "$TMP/rival.csv"
expect "model info names the extras" 0 'stemmed, extras \(masked' '' -- $C model info "$TMP/rival.model"
expect "--no-extras: none" 0 'tokens: +words \+ bigrams, stemmed$' '' -- $C model info "$TMP/rival-plain.model"
printf '[brand]\nname = Sunny\ncompetitors = Quuxly, Nimbus Air\n' >"$TMP/rivals.ini"
printf '[brand]\nname = Sunny\n' >"$TMP/norivals.ini"
# "quuxly" was never seen in training: only the list makes it a name
expect "a new rival in lower case: other without the list" 0 '"category":"other"' '' -- \
	sh -c "echo 'quuxly is better' | $C -c $TMP/norivals.ini -m $TMP/rival.model classify -"
expect "the list makes it a rival, no retraining" 0 '"category":"competitor_attack"' '' -- \
	sh -c "echo 'quuxly is better' | $C -c $TMP/rivals.ini -m $TMP/rival.model classify -"
expect "two-word names too" 0 '"category":"competitor_attack"' '' -- \
	sh -c "echo 'nimbus air is better' | $C -c $TMP/rivals.ini -m $TMP/rival.model classify -"
expect "a model without extras ignores the list" 0 '"category":"other"' '' -- \
	sh -c "echo 'quuxly is better' | $C -c $TMP/rivals.ini -m $TMP/rival-plain.model classify -"
expect "explain shows the name features" 0 'quuxly +\[<name\+cue>\]' '' -- \
	$C -c "$TMP/rivals.ini" -m "$TMP/rival.model" explain quuxly is better
expect "merge refuses mixed extras" 65 '' 'extra features' -- \
	$C model merge "$TMP/rival.model" "$TMP/rival-plain.model" -o "$TMP/mixed.model"

# --- --idf and --norm: stored in the model, refused by merge when they differ
expect "train --idf --norm --complement" 0 '^$' 'trained on 15 examples' -- \
	$C train --idf --norm --complement -o "$TMP/idfnorm.model" $DATA/train-small.csv
expect "model info names idf and norm" 0 'complement naive Bayes, idf, normalised weights' '' -- $C model info "$TMP/idfnorm.model"
expect "model dump has the flags" 0 '"idf":true,"norm":true' '' -- $C model dump "$TMP/idfnorm.model"
expect "train --norm alone" 0 '' '' -- $C train --norm -o "$TMP/norm.model" $DATA/train-small.csv
expect "eval --idf" 0 '^accuracy [0-9.]+  macro-F1' '' -- $C eval --idf --folds 3 $DATA/train-small.csv
expect "eval --norm" 0 '^accuracy [0-9.]+  macro-F1' '' -- $C eval --norm --folds 3 $DATA/train-small.csv
expect "--norm alone: multinomial, normalised" 0 'multinomial naive Bayes, normalised weights, alpha' '' -- $C model info "$TMP/norm.model"
expect "merge refuses idf with plain" 65 '' 'different parameters' -- \
	$C model merge "$TMP/idfnorm.model" "$TMP/rival.model" -o "$TMP/mixed2.model"

finish
