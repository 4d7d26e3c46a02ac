#!/usr/bin/env bash
# safety.sh - reply safety (issue 11): uncertain guesses act on nothing, a
# user's config never borrows the shipped facts, `requires:` and unknown
# variables are enforced before a draft is made, a fact serves only its
# language, and flagged comments (safety, legal, press) reach a person.
. "$(dirname "$0")/lib.sh"
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
expect "facts.ini beside the user's config is used" 0 '"fact":"factory-open"' '^$' -- sh -c "echo '$RUMOUR' | $C -c $B/candor.ini suggest"
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

finish
