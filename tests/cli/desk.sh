#!/usr/bin/env bash
# CLI tests of the crisis desk (review as a live, prioritised queue): the
# order on a fixed stream, a comment shown within 200 ms of arriving on a
# pipe, a growing file with --follow, and a redraw on a terminal resize.
# Real sessions in a pseudo-terminal (tests/pty_driver.c), all with
# timeouts.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
PTY=${PTY:?set PTY to the pty_driver binary}
unset VISUAL

drive() { # drive LOG SCREEN -- CMD...: the script on stdin
	local err=$1 screen=$2
	shift 3
	"$PTY" -t 10 -k 30 -o "$screen" -- "$@" 2>"$err"
}

# --- priority: flags, then weight, then reach, then age --------------------
cat >"$TMP/stream.jsonl" <<'JSONL'
{"id":"101","author":"ann","text":"love the new mango flavour, thank you","created_at":"2026-11-20T09:00:00Z"}
{"id":"102","author":"bo","text":"what time does your store open on sunday?","created_at":"2026-11-20T09:01:00Z"}
{"id":"103","author":"cy","text":"ordered two weeks ago and still nothing arrived, I want a refund","created_at":"2026-11-20T09:02:00Z","likes":3}
{"id":"104","author":"di","text":"heard sunny juice uses expired fruit and they are hiding it","created_at":"2026-11-20T09:03:00Z"}
{"id":"105","author":"ed","text":"my kid got sick after drinking your juice yesterday","created_at":"2026-11-20T09:04:00Z"}
{"id":"106","author":"fa","text":"package arrived broken again, second time this month, refund please","created_at":"2026-11-20T09:05:00Z","likes":900}
{"id":"107","author":"gu","text":"I am a journalist at the Daily Post, can you comment on the recall rumours?","created_at":"2026-11-20T09:06:00Z"}
JSONL
status=0
drive "$TMP/p1.err" "$TMP/p1.screen" -- "$C" review --as tester -j "$TMP/p1.jsonl" "$TMP/stream.jsonl" <<'SCRIPT' || status=$?
wait #105
wait next because: safety flag
send s
wait #107
wait next because: press flag
send s
wait #104
wait next because: fake_news \(weight 5\)
send s
wait #106
wait 900 likes
send s
wait #103
send s
wait #102
send s
wait #101
send q
expect-exit 0
SCRIPT
check "priority: the stream came in the stated order (driver $status: $(head -c 300 "$TMP/p1.err"))" [ "$status" = 0 ]
check "priority: the journal holds the order shown" [ "$(grep -o '"id":"[0-9]*"' "$TMP/p1.jsonl" | tr -d '"id:' | tr '\n' ' ')" = "105 107 104 106 103 102 " ]
check "priority: waiting time and OVERDUE are shown" grep -q 'waiting [0-9]*d[0-9]*h, OVERDUE (due 15m)' "$TMP/p1.screen"

# [review] weights change the order: questions first
printf '[review]\nweights = question:9\n' >"$TMP/w.ini"
grep -v -e '"105"' -e '"107"' "$TMP/stream.jsonl" >"$TMP/noflags.jsonl"
status=0
drive "$TMP/p2.err" "$TMP/p2.screen" -- "$C" -c "$TMP/w.ini" review -j "$TMP/p2.jsonl" "$TMP/noflags.jsonl" <<'SCRIPT' || status=$?
wait #102
wait question \(weight 9\)
send q
expect-exit 0
SCRIPT
check "priority: [review] weights put questions first (driver $status: $(head -c 300 "$TMP/p2.err"))" [ "$status" = 0 ]
status=0
drive "$TMP/p3.err" "$TMP/p3.screen" -- "$C" review --arrival-order -j "$TMP/p3.jsonl" "$TMP/stream.jsonl" <<'SCRIPT' || status=$?
wait 1/7 .*#101
send q
expect-exit 0
SCRIPT
check "--arrival-order keeps the input's order (driver $status)" [ "$status" = 0 ]
printf '[review]\nweights = question\n' >"$TMP/bad.ini"
expect "a bad [review] weights line names the file and line" 78 '' "bad.ini:2: 'question' is not category:weight" -- \
	"$C" -c "$TMP/bad.ini" tone --text ok
printf '[review]\ndue = soon\n' >"$TMP/bad2.ini"
expect "a bad [review] due names the key" 78 '' "bad2.ini:2: 'due' must be whole seconds" -- "$C" -c "$TMP/bad2.ini" tone --text ok

# --- live: a comment on a pipe is on screen within 200 ms ------------------
cat >"$TMP/writer.sh" <<WRITER
#!/bin/sh
# waits for the reviewer to sit idle, then sends one comment and notes when
sleep 1.5
date +%s%N >"$TMP/t_write"
echo '{"id":"501","author":"late","text":"my order never arrived, where is my refund"}'
sleep 3
WRITER
chmod +x "$TMP/writer.sh"
status=0
drive "$TMP/l1.err" "$TMP/l1.screen" -- sh -c "$TMP/writer.sh | $C review --as live -j $TMP/l1.jsonl -" <<SCRIPT || status=$?
wait nothing waiting
wait #501
stamp $TMP/t_seen
wait more coming
send a
wait nothing waiting
send q
expect-exit 0
SCRIPT
check "live: the session waited, then showed the piped comment (driver $status: $(head -c 300 "$TMP/l1.err"))" [ "$status" = 0 ]
if [[ -s $TMP/t_write && -s $TMP/t_seen ]]; then
	ms=$(( ($(cat "$TMP/t_seen") - $(cat "$TMP/t_write")) / 1000000 ))
	check "live: shown ${ms} ms after it arrived (at most 200)" [ "$ms" -le 200 ]
else
	check "live: both times were recorded" false
fi
check "live: the decision on the piped comment is in the journal" grep -q '"id":"501","decision":"approve"' "$TMP/l1.jsonl"

# comments keep arriving while a person looks at one: counted, not shown over it
cat >"$TMP/writer2.sh" <<WRITER
#!/bin/sh
echo '{"id":"601","text":"thanks for the quick answer"}'
sleep 1
echo '{"id":"602","text":"my kid got sick after drinking your juice"}'
echo '{"id":"603","text":"where is my refund"}'
sleep 4
WRITER
chmod +x "$TMP/writer2.sh"
status=0
drive "$TMP/l2.err" "$TMP/l2.screen" -- sh -c "$TMP/writer2.sh | $C review --as live -j $TMP/l2.jsonl -" <<SCRIPT || status=$?
wait #601
wait 2 new since the last look
wait #601
send s
wait #602
wait safety flag
send s
wait #603
send q
expect-exit 0
SCRIPT
check "live: arrivals counted while the screen stays on the comment (driver $status: $(head -c 300 "$TMP/l2.err"))" [ "$status" = 0 ]

# --- a growing file with --follow, like tail -f ---------------------------
: >"$TMP/grow.jsonl"
( sleep 1; echo '{"id":"701","text":"where is my refund, ordered weeks ago"}' >>"$TMP/grow.jsonl" ) &
status=0
drive "$TMP/f1.err" "$TMP/f1.screen" -- "$C" review --follow -j "$TMP/f1.jsonl" "$TMP/grow.jsonl" <<SCRIPT || status=$?
wait nothing waiting
wait #701
send s
wait nothing waiting
send q
expect-exit 0
SCRIPT
wait
check "--follow: a line appended to the file shows up (driver $status: $(head -c 300 "$TMP/f1.err"))" [ "$status" = 0 ]
expect "--follow needs a file" 2 '^$' "--follow needs a comments file" -- "$C" review --follow -

# --- a terminal resize redraws the screen -----------------------------------
status=0
drive "$TMP/r1.err" "$TMP/r1.screen" -- "$C" review --arrival-order -j "$TMP/r1.jsonl" "$TMP/stream.jsonl" <<'SCRIPT' || status=$?
wait 1/7 .*#101
kill 28
wait 1/7 .*#101
send q
expect-exit 0
SCRIPT
check "SIGWINCH redraws the comment (driver $status: $(head -c 300 "$TMP/r1.err"))" [ "$status" = 0 ]
check "SIGWINCH: the screen was drawn twice before q" [ "$(grep -c '1/7 .*#101' "$TMP/r1.screen")" -ge 2 ]

# --- the spreadsheet forms: a cp1251 ';' CSV in, its separator kept out -----
status=0
drive "$TMP/c1.err" "$TMP/c1.screen" -- "$C" review --arrival-order --encoding cp1251 -j "$TMP/c1.jsonl" \
	-o "$TMP/c1.csv" "$SRC/tests/data/csv-dialects/excel-ru-semicolon-cp1251.csv" <<'SCRIPT' || status=$?
wait 1/3 .*#1
send a
wait 2/3 .*#2
send q
expect-exit 0
SCRIPT
check "review --encoding cp1251 read the Excel CSV (driver $status: $(head -c 300 "$TMP/c1.err"))" [ "$status" = 0 ]
check "review --encoding: the Cyrillic text is on screen" grep -q 'Заказ не пришёл уже три недели' "$TMP/c1.screen"
check "review -o keeps the input's ';'" grep -q '^id;author;text;status$' "$TMP/c1.csv"
check "review -o: row 1 approved" grep -q '^1;ivan;Заказ не пришёл уже три недели, верните деньги;approved$' "$TMP/c1.csv"
check "review -o: row 2 pending, its ';' quoted" grep -q '^2;maria;"ordered the mango pack 3 weeks ago and still nothing; where is my refund??";pending$' "$TMP/c1.csv"

finish
