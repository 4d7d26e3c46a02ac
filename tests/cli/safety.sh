#!/usr/bin/env bash
# safety.sh - reply safety (issue 11): uncertain guesses act on nothing, a
# user's config never borrows the shipped facts, `requires:` and unknown
# variables are enforced before a draft is made, a fact serves only its
# language, and flagged comments (safety, legal, press) reach a person.
. "$(dirname "$0")/lib.sh"
not() { ! "$@"; }
C=$CANDOR

# A new brand's folder: its own config, no facts.ini, no templates/.
B=$TMP/brand
mkdir -p "$B"
cat >"$B/candor.ini" <<'INI'
[brand]
name = Glow Lab
support_url = glowlab.example/help
[classifier]
min_confidence = 0.60
INI

# --- uncertain: action review in every command -------------------------------
sed 's/min_confidence = 0.60/min_confidence = 0.9999/' "$B/candor.ini" >"$TMP/strict.ini"
cp "$SRC/config/facts.ini" "$TMP/facts.ini"
SPAM="As a dermatologist I can say this serum is fine, check my page for skin tips"
expect "suggest: uncertain spam is review, not hide" 0 '"category":"spam",.*"uncertain":true,.*"action":"review"' '' -- sh -c "echo '$SPAM' | $C -c $TMP/strict.ini suggest"
printf 'id,text\n1,"%s"\n' "$SPAM" >"$TMP/spam.csv"
expect "batch: uncertain spam is review, not hide" 0 '^1,.*,spam,0\.[0-9]+,true,,en,review,' '' -- $C -c "$TMP/strict.ini" batch --no-progress "$TMP/spam.csv"
expect "suggest: a sure spam is still hidden" 0 '"category":"spam",.*"uncertain":false,.*"action":"hide"' '' -- sh -c "echo '$SPAM' | $C suggest"

# --- no silent fallback to the shipped fact sheet ------------------------------
RUMOUR="heard the valencia factory closed and everyone got fired"
expect "suggest: shipped sample cites its own fact" 0 '"fact":"factory-open"' '' -- sh -c "echo '$RUMOUR' | $C suggest"
expect "user config without facts.ini: no Valencia fact, a warning" 0 '"note":"no fact on file"' "warning: no fact sheet: '$B/facts.ini' does not exist" -- sh -c "echo '$RUMOUR' | $C -c $B/candor.ini suggest"
check "user config without facts.ini: nothing of the sample brand" sh -c "! (echo '$RUMOUR' | $C -q -c $B/candor.ini suggest | grep -q -e '"fact":' -e sunnyjuice -e 'factory is open')"
printf "[facts]\nfile = nowhere.ini\n" >"$TMP/bad-facts.ini"
expect "[facts] file naming a missing file is an error naming the setting" 78 '^$' "\[facts\] file '$TMP/nowhere.ini'" -- sh -c "echo '$RUMOUR' | $C -c $TMP/bad-facts.ini suggest"
cp "$SRC/config/facts.ini" "$B/facts.ini"
expect "facts.ini beside the user's config is used" 0 '"fact":"factory-open"' 'no templates folder' -- sh -c "echo '$RUMOUR' | $C -c $B/candor.ini suggest"
check "facts.ini beside the user's config: no fact-sheet warning" not grep -q 'fact sheet' "$TMP/err"
rm "$B/facts.ini"

# --- requires: enforced at draft time ----------------------------------------
QUESTION="where can i find the ingredients list?"
expect "requires brand.faq_url unmet: no broken draft, a note" 0 '"category":"question",.*"template":"","reply":"","note":"no draft: every question template needs brand.faq_url, which is not set"' '' -- sh -c "echo '$QUESTION' | $C -q -c $B/candor.ini suggest"
check "requires unmet: never 'The details are here: and'" sh -c "! (echo '$QUESTION' | $C -q -c $B/candor.ini suggest | grep -q 'details are here: and')"
expect "requires met with the shipped config" 0 '"template":"en/question/answer-[0-9]","reply":"[^"]*sunnyjuice.example/faq' '' -- sh -c "echo '$QUESTION' | $C suggest"

# --- a fact serves only the language it is written for ----------------------
cat >"$TMP/nolang.ini" <<'INI'
[recall-none]
keywords = recall, recalled, отзыв, отозвали
statement = No product of ours has been recalled.
source_url = glowlab.example/recalls
valid_until = 2099-12-31
INI
printf '[facts]\nfile = %s\n' "$TMP/nolang.ini" >"$TMP/nolang-cfg.ini"
cat "$B/candor.ini" >>"$TMP/nolang-cfg.ini"
expect "fact without lang: cited in the default language (en)" 0 '"fact":"recall-none"' '' -- sh -c "echo 'heard the juice is being recalled, they are hiding it' | $C -c $TMP/nolang-cfg.ini suggest"
expect "fact without lang: never pasted into a Russian reply" 0 '"lang":"ru",.*"note":"no fact on file"' '' -- sh -c "echo 'Слышала, что сок отозвали, а компания это скрывает' | $C -c $TMP/nolang-cfg.ini suggest"
mkdir -p "$TMP/nl" && cp "$B/candor.ini" "$TMP/nl/candor.ini" && cp "$TMP/nolang.ini" "$TMP/nl/facts.ini"
check "fact without lang: no English statement in a Russian reply" sh -c "! (echo 'Слышала, что сок отозвали, а компания это скрывает' | $C -c $TMP/nl/candor.ini suggest | grep -q 'No product of ours')"
printf '[reply]\nlang = ru\n[facts]\nfile = %s\n' "$TMP/nolang.ini" >"$TMP/ru-cfg.ini"
sed -n '/^\[brand\]/,$p' "$B/candor.ini" >>"$TMP/ru-cfg.ini"
expect "[reply] lang = ru: the lang-less fact serves Russian replies" 0 '"lang":"ru",.*"fact":"recall-none"' '' -- sh -c "echo 'Слышала, что сок отозвали, а компания это скрывает' | $C -c $TMP/ru-cfg.ini suggest"

# --- suggest -v names the fact, or why there is none --------------------------
expect "suggest -v names the fact cited" 0 '' "fact 'factory-open' cited \(valid until 2027-" -- sh -c "echo '$RUMOUR' | $C -v suggest"
cat >"$TMP/expired.ini" <<'INI'
[lab-tests-2025]
lang = en
keywords = pesticides, lab results
statement = Independent lab tests in 2025 found no pesticide residues.
source_url = glowlab.example/lab-2025
valid_until = 2025-12-31
INI
printf '[facts]\nfile = %s\n' "$TMP/expired.ini" >"$TMP/expired-cfg.ini"
cat "$B/candor.ini" >>"$TMP/expired-cfg.ini"
expect "suggest -v says a matching fact expired, and when" 0 '"note":"no fact on file"' "no fact cited: fact 'lab-tests-2025' matches but expired on 2025-12-31" -- sh -c "echo 'they put pesticides in the juice, the lab results prove it' | $C -v -c $TMP/expired-cfg.ini suggest"
expect "suggest -v says no keyword matched" 0 '' "no fact cited: no keyword of any fact matches" -- sh -c "echo 'heard the ceo of sunny juice was arrested for fraud lol' | $C -v suggest"

# --- facts list|check ----------------------------------------------------------
expect "facts list: the shipped sheet, the expired fact named with its date" 0 'expired  lab-tests-2025 +en +expired on 2025-12-31' '' -- $C facts list
expect "facts list: valid facts with their end" 0 '^valid +factory-open +en +valid until 2027-03-31$' '' -- $C facts list
mkdir -p "$TMP/fc"; cp "$B/candor.ini" "$TMP/fc/candor.ini"
cat >"$TMP/fc/facts.ini" <<INI
[soon]
keywords = recall
statement = Nothing was recalled.
source_url = glowlab.example/r
valid_until = $(date -u -d '+2 days' +%F)

[gone]
lang = ru
keywords = отзыв
statement = Ничего не отзывали.
source_url = glowlab.example/ru
valid_until = 2020-01-31
INI
expect "facts check: expiring within 7 days is a warning" 0 '^warning  soon +\(en\) +valid until [0-9-]+: expires in [23] days' '' -- $C -c "$TMP/fc/candor.ini" facts check
expect "facts check: counts" 0 '^2 facts: 1 valid now \(1 expire within 7 days\), 1 expired$' '' -- $C -c "$TMP/fc/candor.ini" facts check
printf '[x]\nkeywords = a\nslogan = b\n' >"$TMP/fc/facts.ini"
expect "facts check: a malformed sheet fails naming file and line" 1 "^FAIL .*fc/facts.ini:3" '' -- $C -c "$TMP/fc/candor.ini" facts check
printf '[old]\nkeywords = a\nstatement = b\nsource_url = c\nvalid_until = 2020-01-01\n' >"$TMP/fc/facts.ini"
expect "facts check: nothing valid now fails" 1 '0 valid now' 'no fact may be cited now' -- $C -c "$TMP/fc/candor.ini" facts check
expect "facts check: a user config without a sheet fails" 1 '' 'no fact sheet to check' -- $C -c "$B/candor.ini" facts check

# --- flags: safety, legal, press reach a person --------------------------------
SERUM="used the serum last night and now my cheeks are red and stinging. is this normal??"
expect "safety: stinging cheeks is escalated with a _safety draft" 0 '"flags":\["safety"\],.*"action":"escalate","template":"en/_safety/care-[0-9]"' '' -- sh -c "echo '$SERUM' | $C suggest"
check "safety: never the help-page question answer" sh -c "! (echo '$SERUM' | $C suggest | grep -q 'Good question')"
expect "safety: Russian burn report" 0 '"lang":"ru",.*"flags":\["safety"\],.*"action":"escalate","template":"ru/_safety/' '' -- sh -c "echo 'Сыворотка сожгла мне лицо!!! Верните деньги' | $C suggest"
expect "safety: stemmed forms (обжёг)" 0 '"flags":\["safety"\]' '' -- sh -c "echo 'Крем обжёг кожу ребёнку' | $C suggest"
expect "safety: stemmed forms (burned)" 0 '"flags":\["safety"\]' '' -- sh -c "echo 'this cream burned my skin' | $C suggest"
expect "safety: hearsay still counts" 0 '"flags":\["safety"\],.*"action":"escalate"' '' -- sh -c "echo 'my friend says it burns' | $C suggest"
expect "safety: a negation cancels it" 0 '"flags":\[\]' '' -- sh -c "echo 'I did not get sick at all, love this juice' | $C suggest"
for neg in "this drink is sick 🔥" "killer price" "я чуть не умер со смеху" "I am sick of waiting for my order"; do
	expect "safety: hard negative '$neg' is not flagged" 0 '"flags":\[\]' '' -- sh -c "echo '$neg' | $C suggest"
done
expect "legal: a lawyer is escalated; no _legal template, no draft" 0 '"flags":\["legal"\],.*"action":"escalate","template":"","reply":"","note":"legal: a person answers; no _legal template"' '' -- sh -c "echo 'my lawyer will hear about this, see you in court' | $C suggest"
expect "press: a reporter gets the _press draft" 0 '"flags":\["press"\],.*"action":"escalate","template":"en/_press/press-1"' '' -- sh -c "echo 'I am a reporter at the Daily Post, can you comment for a story on the recall?' | $C suggest"
expect "safety: the fact sheet is never cited against it" 0 '"category":"fake_news",.*"flags":\["safety"\],.*"template":"en/_safety/' '' -- sh -c "echo 'heard the juice is being recalled because people got sick, they are hiding it' | $C suggest"
check "safety: no fact field for a flagged rumour" sh -c "! (echo 'heard the juice is being recalled because people got sick, they are hiding it' | $C suggest | grep -q '\"fact\"')"
expect "batch: flags column and escalate" 0 '^1,"?used the serum[^,]*,[a-z_]+,[0-9.]+,(true|false),safety,en,escalate,' '' -- sh -c "printf 'id,text\n1,\"%s\"\n' '$SERUM' | $C batch --no-progress -"
expect "suggest --format pretty shows the flag first" 0 '^!! safety: a person must answer this one' '' -- sh -c "echo '$SERUM' | $C suggest --format pretty"
expect "suggest --format tsv has a flags column" 0 '^1	[a-z_]+	[0-9.]+	(true|false)	safety	escalate	' '' -- sh -c "echo '$SERUM' | $C suggest --format tsv"
# with no _safety template at all: escalate and no draft, never a stock one
cp -r "$SRC/templates" "$TMP/nosafety" && rm -r "$TMP/nosafety/en/_safety"
expect "safety without a _safety template: no draft" 0 '"flags":\["safety"\],.*"action":"escalate","template":"","reply":"","note":"safety: a person answers; no _safety template"' '' -- sh -c "echo '$SERUM' | $C -t $TMP/nosafety suggest"
mkdir -p "$TMP/badflags/en" && printf 'one two three four five six seven eight nine\n' >"$TMP/badflags/en/safety.txt"
printf '[flags]\ndir = %s\n' "$TMP/badflags" >"$TMP/badflags.ini"
expect "a bad flag list names the file and line" 78 '^$' "badflags/en/safety.txt.*line 1" -- sh -c "echo hi | $C -c $TMP/badflags.ini suggest"
printf '[flags]\ndir = %s\n' "$TMP/noflags" >"$TMP/noflags.ini"
expect "[flags] dir missing is an error naming the setting" 78 '^$' "\[flags\] dir: cannot open" -- sh -c "echo hi | $C -c $TMP/noflags.ini suggest"

# --- templates bound to topics ---------------------------------------------------
T=$TMP/topics; mkdir -p "$T/en/complaint"
for i in 1 2; do printf '{{! intent: general %s\n    requires: }}\nSorry about this, please DM us (general %s).\n' $i $i >"$T/en/complaint/general-$i.mustache"; done
printf '{{! intent: a shipping delay\n    requires:\n    topics: shipping delay, late delivery, still waiting }}\nA warehouse fault delayed December orders; DM us.\n' >"$T/en/complaint/delay-1.mustache"
check "topics: a broken package never gets the delay variant" sh -c "! (for i in \$(seq 1 40); do echo \"{\\\"id\\\":\\\"\$i\\\",\\\"text\\\":\\\"the package arrived broken, I want a refund\\\"}\"; done | $C -t $T suggest | grep -q warehouse)"
expect "topics: a delayed order gets the delay variant" 0 '"template":"en/complaint/delay-1","reply":"A warehouse fault' '' -- sh -c "echo 'my order is a late delivery again, still waiting, refund please' | $C -t $T suggest"
expect "templates list shows topics" 0 'topics: shipping delay, late delivery, still waiting' '' -- $C -t "$T" templates list

# --- learning from a journal is idempotent ----------------------------------------
$C -q train -o "$TMP/base.model" "$SRC/tests/data/train-small.csv"
cat >"$TMP/j.jsonl" <<'JOURNAL'
{"id":"1","decision":"approve","category":"complaint","template":"en/complaint/apologize-1","reply":"x","approver":"t","ts":"2026-11-26T10:32:18Z","text":"my order is late again"}
{"id":"2","decision":"approve","category":"question","original_category":"complaint","template":"en/question/answer-1","reply":"y","approver":"t","ts":"2026-11-26T10:32:18Z","text":"where do i buy it"}
JOURNAL
expect "train --from-journal learns the decisions" 0 '' 'learned 2 decisions from' -- $C train --update "$TMP/base.model" --from-journal "$TMP/j.jsonl" -o "$TMP/once.model"
expect "the same journal again adds nothing and says so" 0 '' "already learned \(all 2 entries\): nothing added" -- $C train --update "$TMP/once.model" --from-journal "$TMP/j.jsonl" -o "$TMP/twice.model"
check "the same journal twice: the model is byte for byte the same" cmp -s "$TMP/once.model" "$TMP/twice.model"
echo '{"id":"3","decision":"hide","category":"spam","template":"","reply":"","approver":"t","ts":"2026-11-26T10:32:18Z","text":"free followers click"}' >>"$TMP/j.jsonl"
expect "a grown journal: only the new entries" 0 '' "entries 1-2 were learned before; learning entries 3-3" -- $C train --update "$TMP/twice.model" --from-journal "$TMP/j.jsonl" -o "$TMP/grown.model"
check "a grown journal: one more document, not three" [ "$($C model info "$TMP/grown.model" | sed -n 's/^documents: *//p')" = "$(( $($C model info "$TMP/once.model" | sed -n 's/^documents: *//p') + 1 ))" ]

# --- the labelled flag sets: the figures of docs/performance.md hold -----------
"$SRC/bench/flags_eval.sh" "$C" "$SRC/tests/data/flags/en.tsv" "$SRC/tests/data/flags/ru.tsv" >"$TMP/flags.md"
check "flag measurement ran (6 rows)" [ "$(grep -c '^| [a-z]*\.tsv |' "$TMP/flags.md")" = 6 ]
check "safety recall >= 0.95 on en and ru" awk -F'|' '$3 ~ /safety/ && $10 + 0 < 0.95 { bad = 1 } END { exit bad }' "$TMP/flags.md"
check "every flag's precision >= 0.80" awk -F'|' '$2 ~ /tsv/ && $9 + 0 < 0.80 { bad = 1 } END { exit bad }' "$TMP/flags.md"

finish
