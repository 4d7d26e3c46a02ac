#!/usr/bin/env bash
# CLI tests of review (SPEC section 6): real sessions in a pseudo-terminal
# driven by tests/pty_driver.c, the journal they leave, resuming after a
# SIGKILL, the refusal without a terminal, the batch CSV round trip, and
# train --from-journal.  Every run has a timeout: nothing here can hang.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
PTY=${PTY:?set PTY to the pty_driver binary}
SAMPLES=$SRC/config/samples
J=$TMP/review.journal.jsonl
unset VISUAL
not() { ! "$@"; }

# drive DRIVER-LOG SCREEN-LOG -- CMD...: run CMD in a pty with the script
# on stdin; the driver's own complaints go to DRIVER-LOG, the screen to
# SCREEN-LOG.  Returns the driver's status.
drive() {
	local err=$1 screen=$2
	shift 3
	"$PTY" -t 10 -k 40 -o "$screen" -- "$@" 2>"$err"
}

# A scripted editor: replaces the draft with a reply of our own.
EDITED='Every Sunny Juice batch on sale passed its safety checks: sunnyjuice.example/safety'
cat >"$TMP/editor.sh" <<EOF
#!/bin/sh
printf '%s\n' '$EDITED' >"\$1"
EOF
chmod +x "$TMP/editor.sh"

# --- session 1: approve, edit + approve, skip, then SIGKILL ------------------
# Each wait for the next position also proves the previous decision was
# journaled: the next comment is shown only after the fsync.
status=0
EDITOR=$TMP/editor.sh drive "$TMP/pty1.err" "$TMP/screen1" -- \
	"$C" review --arrival-order --as tester -j "$J" "$SAMPLES/comments.jsonl" <<'EOF' || status=$?
wait 1/14 .*#7351
send a
wait 2/14 .*#7352
send e
wait \(edited\)
send a
wait 3/14 .*#7353
send s
wait 4/14 .*#7354
kill
expect-exit 137
EOF
check "session 1 ran as scripted (driver status $status: $(head -c 300 "$TMP/pty1.err"))" [ "$status" = 0 ]
check "session 1 showed the edited reply" grep -qF "$EDITED" "$TMP/screen1"
check "journal: exactly 3 decisions after the kill" [ "$(wc -l <"$J")" = 3 ]
check "journal 1: 7351 approved by tester" grep -Eq '^\{"id":"7351","video_id":"v1","decision":"approve","category":"[a-z_]+","flags":\[\],"template":"en/[a-z_]+/[a-z0-9-]+","reply":"@maria_k [^"]+",("tone":\{[^}]*\},)?.*"approver":"tester","ts":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' <(sed -n 1p "$J")
check "journal 2: 7352 approved, edited, with the new text" grep -Eq "^\{\"id\":\"7352\",\"video_id\":\"v1\",\"decision\":\"approve\",.*\"reply\":\"$EDITED\",\"edited\":true," <(sed -n 2p "$J")
check "journal 3: 7353 skipped" grep -Eq '^\{"id":"7353","video_id":"v1","decision":"skip",' <(sed -n 3p "$J")
check "journal: no override, nothing changed" [ "$(grep -c -e '"override"' -e '"original_category"' "$J")" = 0 ]

# --- session 2: the same journal resumes at the first undecided comment ------
status=0
drive "$TMP/pty2.err" "$TMP/screen2" -- \
	"$C" review --arrival-order --as tester -j "$J" "$SAMPLES/comments.jsonl" <<'EOF' || status=$?
wait 4/14 .*#7354
wait resuming: 3 decided in
send v
wait ^draft en/question/[a-z0-9-]+, variant 2/3, tone 
send q
wait ^approved 0 \(edited 0, findings overridden 0\), skipped 0, hidden 0, rejected 0, categories changed 0; 11 left; journal 
expect-exit 0
EOF
check "session 2 resumed at 4/14, v, quit (driver status $status: $(head -c 300 "$TMP/pty2.err"))" [ "$status" = 0 ]
check "session 2 never showed 1/14" not grep -q ' 1/14 ' "$TMP/screen2"
check "journal: still 3 decisions after q" [ "$(wc -l <"$J")" = 3 ]

# --- keys from the terminal while the comments come from a pipe --------------
status=0
drive "$TMP/pty3.err" "$TMP/screen3" -- \
	sh -c "cat '$SAMPLES/comments.jsonl' | $C review --arrival-order --as piper -j '$TMP/pipe.jsonl' -" <<'EOF' || status=$?
wait 1/14 .*#7351
send h
wait 2/14 .*#7352
send u
wait 1/14 .*#7351
send r
wait 2/14
send q
wait 13 left; journal 
expect-exit 0
EOF
check "piped comments, keys from the tty (driver status $status: $(head -c 300 "$TMP/pty3.err"))" [ "$status" = 0 ]
check "pipe journal: hide, undo, reject" [ "$(sed -E 's/^\{"id":"([0-9]+)",("video_id":"v1",)?"decision":"([a-z]+)".*/\1 \3/' "$TMP/pipe.jsonl" | tr '\n' ' ')" = "7351 hide 7351 undo 7351 reject " ]

# --- an edit that blames: the finding is marked, approving asks twice --------
cat >"$TMP/blame.sh" <<'EOF'
#!/bin/sh
printf '%s\n' '@maria_k you should have read the label.' >"$1"
EOF
chmod +x "$TMP/blame.sh"
status=0
EDITOR=$TMP/blame.sh drive "$TMP/pty4.err" "$TMP/screen4" -- \
	"$C" review --arrival-order --as tester -j "$TMP/blame.jsonl" "$SAMPLES/comments.jsonl" <<'EOF' || status=$?
wait 1/14 .*#7351
send e
wait ^    .*\[you should have\]
wait ^  error blame: 
send a
wait approve it anyway\? \[y/N\]
send n
wait 1/14 .*#7351
send a
wait approve it anyway\? \[y/N\]
send y
wait 2/14 .*#7352
send q
wait ^approved 1 \(edited 1, findings overridden 1\),
expect-exit 0
EOF
check "edit with a tone error, no then yes (driver status $status: $(head -c 300 "$TMP/pty4.err"))" [ "$status" = 0 ]
check "override journal: the 'no' wrote nothing, the 'yes' one entry" [ "$(wc -l <"$TMP/blame.jsonl")" = 1 ]
check "override journal: edited, override, blame finding" grep -Eq '^\{"id":"7351","video_id":"v1","decision":"approve",.*"reply":"@maria_k you should have read the label\.","edited":true,"override":true,"tone":\{"score":[0-9]+,"issues":\[.*\{"rule":"blame","severity":"error"' "$TMP/blame.jsonl"

# --- no terminal: refuse at once, never wait for keys ------------------------
expect "review without a terminal refuses with status 2" 2 '^$' 'review needs a terminal for your keys' -- \
	timeout 10 setsid -w "$C" review -j "$TMP/none.jsonl" "$SAMPLES/comments.jsonl"
check "review without a terminal writes no journal" [ ! -e "$TMP/none.jsonl" ]

# --- batch CSV round trip: batch -> review --output-csv -> statuses ----------
printf 'id,author,comment\n1,maria_k,"late order, no refund"\n2,jen,where can I buy the orange one?\n3,bot,free followers check my profile bit.ly/x\n' >"$TMP/in.csv"
"$C" batch "$TMP/in.csv" -o "$TMP/drafts.csv" 2>/dev/null
status=0
drive "$TMP/pty5.err" "$TMP/screen5" -- \
	"$C" review --arrival-order --as tester "$TMP/drafts.csv" --output-csv "$TMP/reviewed.csv" <<'EOF' || status=$?
wait 1/3
send a
wait 2/3
send s
wait 3/3
send q
expect-exit 0
EOF
check "batch review ran (driver status $status: $(head -c 300 "$TMP/pty5.err"))" [ "$status" = 0 ]
check "batch review: default journal beside the CSV" [ "$(wc -l <"$TMP/drafts.csv.journal.jsonl")" = 2 ]
check "reviewed CSV: same header" [ "$(head -1 "$TMP/reviewed.csv")" = "$(head -1 "$TMP/drafts.csv")" ]
check "reviewed CSV: row 1 approved with its draft" [ "$(grep '^1,' "$TMP/reviewed.csv")" = "$(grep '^1,' "$TMP/drafts.csv" | sed 's/,pending$/,approved/')" ]
check "reviewed CSV: row 2 skipped" grep -q '^2,.*,skipped$' "$TMP/reviewed.csv"
check "reviewed CSV: row 3 pending" grep -q '^3,.*,pending$' "$TMP/reviewed.csv"

# an edited approval from an earlier session keeps its edited text when a
# resumed session writes the CSV back
"$C" batch "$TMP/in.csv" -o "$TMP/drafts2.csv" 2>/dev/null
status=0
EDITOR=$TMP/editor.sh drive "$TMP/pty6.err" "$TMP/screen6" -- \
	"$C" review --arrival-order --as tester "$TMP/drafts2.csv" <<'EOF' || status=$?
wait 1/3
send e
wait edited
send a
wait 2/3
send q
expect-exit 0
EOF
check "edit session ran (driver status $status)" [ "$status" = 0 ]
status=0
drive "$TMP/pty7.err" "$TMP/screen7" -- \
	"$C" review --arrival-order --as tester "$TMP/drafts2.csv" --output-csv "$TMP/reviewed2.csv" <<'EOF' || status=$?
wait 2/3
send q
expect-exit 0
EOF
check "resumed session ran (driver status $status)" [ "$status" = 0 ]
check "resumed CSV: row 1 approved" grep -q '^1,.*,approved$' "$TMP/reviewed2.csv"
check "resumed CSV: row 1 keeps the edited reply" sh -c "grep '^1,' '$TMP/reviewed2.csv' | grep -qF '$EDITED'"

# a batch CSV's created_at and lang columns count: the older comment comes
# first, with its time and OVERDUE on the screen, and a variant is drafted
# in the row's language (the input's lang column: ru for an English text)
printf 'id,author,comment,created_at,lang\n1,ann,where can I buy the orange one?,%s,\n2,bob,where can I buy the apple one?,2020-01-01T10:00:00Z,ru\n' \
	"$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$TMP/in3.csv"
"$C" batch "$TMP/in3.csv" -o "$TMP/drafts3.csv" 2>/dev/null
status=0
drive "$TMP/pty9.err" "$TMP/screen9" -- \
	"$C" review --as tester "$TMP/drafts3.csv" <<'EOF' || status=$?
wait candor review.* 2/2 +@bob +2020-01-01T10:00:00Z +#2
wait OVERDUE
wait draft ru/question/[a-z0-9-]+, variant 1/
send v
wait draft ru/question/[a-z0-9-]+, variant 2/
send s
wait candor review.* 1/2 +@ann +[0-9-]+T[0-9:]+Z +#1
send q
expect-exit 0
EOF
check "batch CSV with created_at and lang: the older first, dated and OVERDUE, its variant in ru (driver status $status: $(head -c 300 "$TMP/pty9.err"))" [ "$status" = 0 ]

# --- batch's progress bar: on a terminal only --------------------------------
yes '1,"my order is late, where is it"' | head -30000 | sed '1i id,text' >"$TMP/progress.csv"
status=0
drive "$TMP/pty8.err" "$TMP/screen8" -- sh -c "'$C' batch '$TMP/progress.csv' -o '$TMP/progress.out'" <<'EOF' || status=$?
wait rows/s
expect-exit 0
EOF
check "batch shows a progress bar with its rate on a terminal (driver status $status)" [ "$status" = 0 ]
check "the bar ends at 100%" grep -q '100%' "$TMP/screen8"
"$C" batch "$TMP/progress.csv" -o "$TMP/progress2.out" 2>"$TMP/progress.err"
check "no progress bar when stderr is not a terminal" [ ! -s "$TMP/progress.err" ]

# --- train --update MODEL --from-journal J -----------------------------------
check "train --help offers --from-journal" sh -c "'$C' train --help | grep -q from-journal"
{
	MODEL=${MODEL:-$(dirname "$C")/candor.model}
	expect "train --from-journal learns the session's decisions" 0 '' '' -- \
		"$C" train -q --update "$MODEL" --from-journal "$J" -o "$TMP/updated.model"
	docs() { "$C" model info "$1" | sed -n 's/^documents: *//p'; }
	# session 1 approved two comments (learned) and skipped one (not)
	check "updated model: two more documents" [ "$(docs "$TMP/updated.model")" = "$(( $(docs "$MODEL") + 2 ))" ]
	expect "updated model classifies" 0 '"id":"7351","category":"complaint"' '' -- \
		"$C" -m "$TMP/updated.model" classify "$SAMPLES/comments.jsonl"
}

finish
