#!/bin/bash
# snapshot.sh - save every command's output on the shipped samples and the
# tone findings of many replies, so that a refactoring can be checked byte
# for byte against the code before it (docs/testing.md, "Differential check").
#
#   tests/diff/snapshot.sh BUILD_DIR OUT_DIR
#   diff -r OUT_BEFORE OUT_AFTER     # must print nothing
#
# BUILD_DIR holds candor, candor.model and tests/diff/tone_dump.  Each file
# in OUT_DIR is one command's stdout, stderr and exit status.  Run from the
# source tree; CANDOR_* variables are cleared so only the shipped data count.
set -u
B=$(cd "$1" && pwd); OUT=$2
C="$B/candor"
SRC=$(pwd)
mkdir -p "$OUT"
unset CANDOR_CONFIG CANDOR_MODEL XDG_CONFIG_HOME
export NO_COLOR=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

mask() { sed -e "s|$tmp|TMP|g" -e "s|$B|BUILD|g" -e "s|$SRC|SRC|g"; }
run() {  # run NAME CMD...: stdout, stderr (temporary and build paths masked), status
	local name=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	echo "exit $?" >>"$tmp/out"
	mask <"$tmp/out" >"$OUT/$name.out"
	mask <"$tmp/err" >"$OUT/$name.err"
}

S=config/samples
for f in comments.jsonl comments.txt; do
	for fmt in jsonl tsv pretty; do
		run "suggest-$f-$fmt" "$C" suggest --format "$fmt" "$S/$f"
	done
	run "classify-$f" "$C" classify "$S/$f"
	run "suggest-$f-ru" "$C" --lang ru suggest "$S/$f"
	run "suggest-$f-x" "$C" --channel x suggest "$S/$f"
done
# the whole corpus as comments, through suggest and classify
tail -q -n +2 config/corpus/*.csv | sed 's/,[a-z_]*,\(en\|ru\)$//' >"$tmp/corpus.txt"
run suggest-corpus "$C" suggest "$tmp/corpus.txt"
run classify-corpus "$C" classify "$tmp/corpus.txt"
# batch: CSV in, CSV out, to stdout and to a file
for f in config/corpus/en-complaint.csv config/corpus/ru-toxic.csv tests/data/csv/*.csv; do
	n=$(basename "$f" .csv)
	run "batch-$n" "$C" batch --no-progress "$f"
done
run batch-file "$C" batch --no-progress config/corpus/en-spam.csv -o "$tmp/b.csv"
cp "$tmp/b.csv" "$OUT/batch-file.csv" 2>/dev/null
# tone, text and JSON
while IFS=$'\t' read -r cat text; do
	run "tone-$cat-$(echo "$text" | md5sum | cut -c1-8)" "$C" tone --category "$cat" --text "$text"
	run "tone-json-$cat-$(echo "$text" | md5sum | cut -c1-8)" "$C" tone --json --category "$cat" --comment "you lied" --text "$text"
done <<'TXT'
complaint	We are sorry, this is YOUR fault!!! Call {{phone}} now.
toxic	time#Mayb u
fake_news	That is false. We never did that, idiots.
question	Thanks for asking! Our juice is 100% guaranteed to never fail, unlike FizzCo.
complaint	Мы сожалеем. Это ваша вина, напишите нам на support@sunnyjuice.example
other	Просто прочитайте инструкцию, это же очевидно!!!
TXT
run templates-list "$C" templates list
run templates-check "$C" templates check
run templates-check-x "$C" --channel x templates check
for t in "refund never arrived, you are thieves" "где мой заказ" "FizzCo is better, your juice is poison"; do
	run "explain-$(echo "$t" | md5sum | cut -c1-8)" "$C" explain "$t"
	run "explain-json-$(echo "$t" | md5sum | cut -c1-8)" "$C" explain --json -n 8 "$t"
done
run render "$C" render templates/en/complaint/apologize-1.mustache --data '{"author":"ann","brand":{"name":"Sunny"}}'
run model-info "$C" model info "$B/candor.model"
run model-dump "$C" model dump "$B/candor.model"
run train-small "$C" train tests/data/train-small.csv -o "$tmp/m1"
run train-small-jsonl "$C" train tests/data/train-small.jsonl -o "$tmp/m2"
cmp "$tmp/m1" "$tmp/m2" 2>&1 | mask >"$OUT/train-cmp.out"
cp "$tmp/m1" "$OUT/train-small.model"
run model-dump-small "$C" model dump "$tmp/m1"
run eval-folds "$C" eval --folds 5 config/corpus/*.csv
run eval-folds-json "$C" eval --json --folds 3 --seed 7 config/corpus/en-*.csv
run eval-test "$C" eval --test tests/data/train-small.csv
# the CSV readers of batch, train and eval (the one comment reader, cmd/input.c):
# dialects, encodings, options, bad rows, standard input
D=tests/data/csv-dialects
for f in "$D"/*; do
	n=$(basename "$f")
	run "batch-dialect-$n" "$C" -v batch --no-progress "$f"
	run "batch-dialect-cp1251-$n" "$C" batch --no-progress --encoding cp1251 "$f"
	run "batch-dialect-strict-$n" "$C" batch --no-progress --strict "$f"
done
run batch-delim-semi "$C" batch --no-progress --delimiter ';' "$D/comma-with-semicolons.csv"
run batch-delim-tab "$C" batch --no-progress --delimiter tab "$D/utf16be-bom.tsv"
run batch-delim-bad "$C" batch --no-progress --delimiter x "$D/utf16be-bom.tsv"
run batch-enc-bad "$C" batch --no-progress --encoding nope-9 "$D/utf16be-bom.tsv"
run batch-excel "$C" batch --no-progress --excel "$D/excel-ru-semicolon-utf8.csv"
run batch-missing "$C" batch --no-progress "$tmp/no-such.csv"
{
	printf 'id,who,body,lang,created_at,video,extra\n'
	printf '1,ann,"my order is late, where is it",en,2026-01-02T03:04:05Z,v1,x\n'
	printf '2,bob,"bad""quote,ru,,v2,y\n'
	printf '3,"c\xffd",fine text here,de,1700000000,,z\n'
	printf '4,dan,"bad \xfe utf8",en,,,w\n'
	printf '5,eve,"x",en\n'
	printf ',fay,"где мой заказ",ru,yesterday,v3,q\n'
	printf '7,gus,%s,en,,,\n' "$(head -c 70000 /dev/zero | tr '\0' a)"
	printf '8,hal,"multi\nline ""quoted"" text",,,,\n'
} >"$tmp/mixed.csv"
run batch-mixed "$C" batch --no-progress "$tmp/mixed.csv"
run batch-mixed-quiet "$C" -q batch --no-progress "$tmp/mixed.csv"
run batch-mixed-strict "$C" batch --no-progress --strict "$tmp/mixed.csv"
run batch-mixed-errors "$C" batch --no-progress --errors "$tmp/errs" "$tmp/mixed.csv"
cp "$tmp/errs" "$OUT/batch-mixed-errors.rows"
run batch-mixed-cols "$C" batch --no-progress --text-col extra --id-col who --author-col video "$tmp/mixed.csv"
run batch-mixed-nocol "$C" batch --no-progress --text-col nope "$tmp/mixed.csv"
run batch-mixed-noid "$C" batch --no-progress --id-col nope "$tmp/mixed.csv"
run batch-mixed-noauthor "$C" batch --no-progress --author-col nope "$tmp/mixed.csv"
run batch-stdin sh -c "'$C' batch --no-progress - <'$tmp/mixed.csv'"
run batch-stdin-pipe sh -c "cat '$tmp/mixed.csv' | '$C' batch --no-progress -"
run batch-usage "$C" batch --no-progress
{
	printf 'Label;Message;id\n'
	printf 'complaint;my order is late again;1\n'
	printf 'complaint;"still no refund; three weeks";2\n'
	printf 'question;where can I buy it;3\n'
	printf ';empty label here;4\n'
	printf 'question;"bad"quote;5\n'
	printf 'spam;"bad \xff utf8";6\n'
	printf 'other;%s;7\n' "$(head -c 70000 /dev/zero | tr '\0' b)"
	printf 'question;do you ship to Spain;8;9\n'
	printf 'spam;free followers;9\n'
} >"$tmp/train.csv"
run train-semi "$C" train "$tmp/train.csv" -o "$tmp/m3"
cp "$tmp/m3" "$OUT/train-semi.model" 2>/dev/null
run train-semi-strict "$C" train --strict "$tmp/train.csv" -o "$tmp/m4"
run train-semi-quiet "$C" -q train "$tmp/train.csv" -o "$tmp/m5"
run train-cols "$C" train --text-col id --label-col message "$tmp/train.csv" -o "$tmp/m6"
run train-nocol "$C" train --text-col nope "$tmp/train.csv" -o "$tmp/m7"
run train-nolabel "$C" train --label-col nope "$tmp/train.csv" -o "$tmp/m7"
run train-stdin sh -c "'$C' train -o '$tmp/m8' - <'$tmp/train.csv'"
run train-stdin-pipe sh -c "cat '$tmp/train.csv' | '$C' train -o '$tmp/m9' -"
cmp "$tmp/m8" "$tmp/m9" 2>&1 | mask >"$OUT/train-stdin-cmp.out"
run train-utf16 "$C" train --text-col text --label-col author "$D/utf16be-bom.tsv" -o "$tmp/m10"
run train-dialects "$C" train --label-col author "$D/excel-semicolon-utf8-bom.csv" "$D/excel-ru-semicolon-cp1251.csv" -o "$tmp/m11"
run train-malformed "$C" train --label-col id tests/data/csv/malformed.csv tests/data/csv/aliases.csv -o "$tmp/m12"
for f in tests/data/csv/*.csv; do
	run "train-csv-$(basename "$f" .csv)" "$C" train --label-col id "$f" -o "$tmp/m13"
done
run eval-semi "$C" eval --folds 2 "$tmp/train.csv"
run eval-test-semi "$C" eval --test "$tmp/train.csv"
run eval-test-semi-strict "$C" eval --strict --test "$tmp/train.csv"
# tone findings of many replies: the example replies, the corpus texts and
# suggest's drafts, each with no category and with every category
{
	for l in en ru; do
		grep -v '^#' "config/tone/$l/replies.tsv" | grep . | cut -f2- | sed "s/^/$l\t\t\t/"
	done
	sed 's/^/\t\t\t/' "$tmp/corpus.txt"
} >"$tmp/replies"
for cat in "" complaint fake_news competitor_attack question toxic spam other; do
	sed "s/^\([a-z]*\)\t\t/\1\t$cat\t/" "$tmp/replies"
done >"$tmp/tone-in"
# each example reply answering itself as the comment, as a toxic and a
# fake_news reply: echo finds something (the memo must see it may)
for l in en ru; do
	grep -v '^#' "config/tone/$l/replies.tsv" | grep . | cut -f2- |
		awk -v l="$l" -F'\t' '{ print l "\ttoxic\t" $1 "\t" $1;
					 print l "\tfake_news\t" $1 "\t" $1 }'
done >>"$tmp/tone-in"
# suggest's drafts with the comment they answer and their category
"$C" suggest "$tmp/corpus.txt" 2>/dev/null |
	jq -r '[.lang, .category, .text, .reply] | @tsv' >>"$tmp/tone-in"
"$B/tests/diff/tone_dump" config/tone <"$tmp/tone-in" >"$OUT/tone-dump.out" 2>"$OUT/tone-dump.err"
echo "exit $?" >>"$OUT/tone-dump.out"
wc -l <"$tmp/tone-in" >"$OUT/tone-dump.count"
# colours: the same commands on a terminal (script(1) gives them a pty)
if command -v script >/dev/null; then
	for cmd in "suggest --format pretty $S/comments.jsonl" \
		   "tone --category complaint --text 'Sorry, this is YOUR fault!! Call +1 555 123 4567'" \
		   "tone --text 'ok'"; do
		NO_COLOR= script -qec "$C $cmd" /dev/null </dev/null 2>&1 | mask \
			>"$OUT/tty-$(echo "$cmd" | md5sum | cut -c1-8).out"
	done
fi
