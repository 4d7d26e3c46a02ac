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
mkdir -p "$OUT"
unset CANDOR_CONFIG CANDOR_MODEL XDG_CONFIG_HOME
export NO_COLOR=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

mask() { sed -e "s|$tmp|TMP|g" -e "s|$B|BUILD|g"; }
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
