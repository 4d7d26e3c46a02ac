#!/usr/bin/env bash
# CLI tests of `candor monitor`: the JSONL alerts, every level and the
# all-clear through the command, safety at once, replay determinism,
# comments classified on the way, bad lines, the [crisis] config keys, and
# a live pipe whose windows close on the wall clock while it is quiet.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
T0=1767225600                   # 2026-01-01T00:00:00Z
GEN=$SRC/bench/monitor_gen.py

# rec ID CATEGORY UNIX_TIME [FLAG]: one suggestion record
rec() {
	local flags='[]'
	[[ -n ${4:-} ]] && flags="[\"$4\"]"
	printf '{"id":"%s","category":"%s","flags":%s,"created_at":%s}\n' \
		"$1" "$2" "$flags" "$3"
}

# windows FROM TO COMPLAINTS OTHERS: that many records in each 5-minute
# window FROM..TO-1 (spread over the window)
windows() {
	local k i t
	for ((k = $1; k < $2; k++)); do
		for ((i = 0; i < $3; i++)); do
			t=$((T0 + k * 300 + i * 300 / ($3 + 1)))
			rec "c$k-$i" complaint $t
		done
		for ((i = 0; i < $4; i++)); do
			t=$((T0 + k * 300 + 1 + i * 300 / ($4 + 1)))
			rec "o$k-$i" other $t
		done
	done
}

# the plain Poisson test, no time-of-day profile, one-window span: the
# counts below give known levels (tests/test_monitor.c has the numbers)
cat >"$TMP/p.ini" <<'EOF'
[crisis]
window = 5m
dispersion = 0
profile_days = 0
long_windows = 1
EOF

expect "help names the method" 0 'Poisson|negative binomial' '' -- $C monitor --help
expect "help names replay" 0 '--replay' '' -- $C monitor --help

# watch -> alert -> crisis -> all-clear, one line each, nothing between
{
	windows -96 24 2 2
	windows 24 26 11 2      # watch (the second window: no new line)
	windows 26 27 14 2      # alert
	windows 27 28 25 2      # crisis
	windows 28 40 2 2       # calm: all-clear after the cool-down
} >"$TMP/levels.jsonl"
expect "levels replay" 0 '"level":"crisis"' '^$' -- $C -c "$TMP/p.ini" monitor --replay "$TMP/levels.jsonl"
levels=$(grep -o '"level":"[a-z]*"' "$TMP/out" | cut -d'"' -f4 | tr '\n' ' ')
check "watch alert crisis clear, in that order, once each" [ "$levels" = "watch alert crisis clear " ]
check "the watch line has every field" grep -Eq '^\{"ts":"2026-01-01T02:05:00Z","level":"watch","category":"complaint","count":11,"baseline":[0-9.]+,"p":[0-9.e-]+,"window":300,"examples":\["c24-10","c24-9","c24-8"\],"shares":\{"complaint":0\.846,"other":0\.154\},"negative_share":0\.846\}$' "$TMP/out"
check "the all-clear comes 30 minutes after the crisis" grep -q '"ts":"2026-01-01T02:50:00Z","level":"clear"' "$TMP/out"

# the same with the defaults (negative binomial, long span): still alerts
expect "default method alerts on the spike" 0 '"category":"complaint"' '' -- $C monitor --replay "$TMP/levels.jsonl"

# safety at once: the line carries the record's own time
{ windows 0 3 2 2; rec s1 complaint $((T0 + 3 * 300 + 17)) safety; windows 4 5 2 2; } >"$TMP/safety.jsonl"
expect "safety alerts at once" 0 '^\{"ts":"2026-01-01T00:15:17Z","level":"alert","flag":"safety","count":1,.*"examples":\["s1"\].*"at_once":true\}$' '^$' -- $C monitor --replay "$TMP/safety.jsonl"

# replay is deterministic: a generated week with a spike, twice
python3 "$GEN" --days 4 --seed 3 --spike fake_news:80:5:60 --safety-every 5000 >"$TMP/week.jsonl" 2>/dev/null
$C monitor --replay "$TMP/week.jsonl" >"$TMP/r1" 2>&1
$C monitor --replay <"$TMP/week.jsonl" >"$TMP/r2" 2>&1
check "replay finds the injected spike" grep -q '"category":"fake_news"' "$TMP/r1"
check "replay twice gives the same bytes (file and stdin)" cmp -s "$TMP/r1" "$TMP/r2"

# comments (not suggestions) are classified here
{
	for ((k = 0; k < 30; k++)); do
		for i in 1 2 3; do
			printf '{"id":"n%d-%d","text":"love this song","created_at":%d}\n' $k $i $((T0 + k * 300 + i * 60))
		done
	done
	for i in $(seq 1 30); do
		printf '{"id":"r%d","text":"refund where?? my order never arrived, still waiting","created_at":%d}\n' $i $((T0 + 30 * 300 + i * 9))
	done
	printf '{"id":"end","text":"love this song","created_at":%d}\n' $((T0 + 32 * 300))
} >"$TMP/comments.jsonl"
expect "comments are classified and counted" 0 '"category":"complaint".*"examples":\["r30","r29","r28"\]' '' -- $C -c "$TMP/p.ini" monitor --replay "$TMP/comments.jsonl"
# the same comments through suggest first: suggest keeps created_at (here
# unix seconds), so the replay gives the same alerts
$C -c "$TMP/p.ini" monitor --replay "$TMP/comments.jsonl" >"$TMP/m1" 2>/dev/null
$C suggest "$TMP/comments.jsonl" | $C -c "$TMP/p.ini" monitor --replay >"$TMP/m2" 2>"$TMP/m2.err"
check "suggest | monitor --replay: the alerts of comments classified in monitor" \
	cmp -s "$TMP/m1" "$TMP/m2"
check "suggest | monitor --replay: alerts, no error" \
	[ -s "$TMP/m2" -a ! -s "$TMP/m2.err" ]

# bad lines: reported with file and line, skipped, exit 65
{ windows 0 1 1 1; echo 'not json'; echo '{"id":"x","category":7}'; echo '{"id":"y"}'; echo '{"id":"z","category":"other","created_at":"yesterday"}'; windows 1 2 1 1; } >"$TMP/bad.jsonl"
expect "a bad line is named and skipped" 65 '' 'bad.jsonl:3: not a JSON object' -- $C monitor --replay "$TMP/bad.jsonl"
check "every bad line is reported" [ "$(grep -c 'bad.jsonl:' "$TMP/err")" = 4 ]
check "a wrong type is named" grep -q "bad.jsonl:4: 'category' is not a string" "$TMP/err"
check "neither category nor text" grep -q 'bad.jsonl:5: neither "category"' "$TMP/err"
check "a bad time is named" grep -q "bad.jsonl:6: created_at 'yesterday'" "$TMP/err"
expect "monitor -q: not reported, still 65" 65 '' '^$' -- $C -q monitor --replay "$TMP/bad.jsonl"
expect "monitor --errors FILE keeps the bad lines" 65 '' 'bad.jsonl:3' -- $C monitor --replay --errors "$TMP/bad.out" "$TMP/bad.jsonl"
check "monitor --errors: the four lines as read" [ "$(wc -l <"$TMP/bad.out")" = 4 ] && grep -qx 'not json' "$TMP/bad.out"
expect "monitor -v: the summary" 0 '' 'monitor: [0-9]+ records, 4 alerts, 0 late, 0 skipped' -- $C -v -c "$TMP/p.ini" monitor --replay "$TMP/levels.jsonl"
expect "monitor -m: the model only when comments need it" 0 '"level":"crisis"' '' -- $C -m "$TMP/no.model" -c "$TMP/p.ini" monitor --replay "$TMP/levels.jsonl"
expect "monitor -m: a missing model for comments" 66 '' 'no.model' -- $C -m "$TMP/no.model" monitor --replay "$TMP/comments.jsonl"
expect "monitor -h" 0 '^usage: candor monitor' '' -- $C monitor -h
expect "--strict stops at the first" 65 '' 'bad.jsonl:3:' -- $C monitor --replay --strict "$TMP/bad.jsonl"
printf '{"id":"1","category":"other"}\n' >"$TMP/notime.jsonl"
expect "replay needs created_at" 65 '' 'notime.jsonl:1: no created_at, and --replay takes the clock from it' -- $C monitor --replay "$TMP/notime.jsonl"
expect "missing file" 66 '^$' "cannot open '$TMP/nope'" -- $C monitor "$TMP/nope"
expect "bad --window" 2 '^$' 'window must be' -- $C monitor --window 0 "$TMP/levels.jsonl"

# [crisis] keys: checked, with the file and line
printf '[crisis]\nwindow = 10m\nnegative = complaint, toxic\np_watch = 1e-4\n' >"$TMP/ok.ini"
expect "crisis keys load" 0 '' '^$' -- $C -c "$TMP/ok.ini" monitor --replay "$TMP/levels.jsonl"
printf '[crisis]\nwindow = 5 minutes\n' >"$TMP/w.ini"
expect "bad window names file and line" 78 '^$' "w.ini:2: 'window' must be whole seconds from 1 to 86400" -- $C -c "$TMP/w.ini" monitor "$TMP/levels.jsonl"
printf '[crisis]\nwindow = 5m\nsensitivity = 3\n' >"$TMP/u.ini"
expect "unknown crisis key" 78 '^$' "u.ini:3: unknown key 'sensitivity' in \[crisis\]" -- $C -c "$TMP/u.ini" monitor "$TMP/levels.jsonl"
printf '[crisis]\np_crisis = 1e-3\n' >"$TMP/o.ini"
expect "levels out of order" 78 '^$' "o.ini: \[crisis\] tail probabilities must be 0 < crisis <= alert <= watch" -- $C -c "$TMP/o.ini" monitor "$TMP/levels.jsonl"

# a live pipe: a safety report is out at once, and the all-clear comes on
# the wall clock while the input is quiet (1-second windows)
cat >"$TMP/live.ini" <<'EOF'
[crisis]
window = 1s
cooldown = 0
quiet_windows = 2
EOF
mkfifo "$TMP/fifo"
$C -c "$TMP/live.ini" monitor <"$TMP/fifo" >"$TMP/live.out" 2>"$TMP/live.err" &
pid=$!
exec 3>"$TMP/fifo"
printf '{"id":"L1","category":"complaint","flags":["safety"]}\n' >&3
for ((i = 0; i < 40; i++)); do
	grep -qs at_once "$TMP/live.out" && break
	sleep 0.1
done
check "live: the safety alert is out while the pipe is open" grep -q '"flag":"safety".*"examples":\["L1"\].*"at_once":true' "$TMP/live.out"
for ((i = 0; i < 80; i++)); do
	grep -qs '"level":"clear"' "$TMP/live.out" && break
	sleep 0.1
done
check "live: the all-clear comes with no more input" grep -q '"level":"clear","flag":"safety"' "$TMP/live.out"
exec 3>&-
wait $pid
check "live: exit 0 at the end of the input" [ $? = 0 ]

# the webhook, on the loopback fake server of the platform tests
FAKE=$SRC/tests/fake_tiktok.py
servers=()
# serve NAME [FAULT...]: start a fake server, set PORT
serve() {
	local name=$1 args=()
	shift
	for f in "$@"; do args+=(--fault "$f"); done
	python3 "$FAKE" --port-file "$TMP/$name.port" "${args[@]}" &
	servers+=($!)
	for ((i = 0; i < 100; i++)); do
		[[ -s $TMP/$name.port ]] && break
		sleep 0.05
	done
	PORT=$(cat "$TMP/$name.port")
}
stats() { python3 -c "import json,sys,urllib.request; print(json.dumps(json.load(urllib.request.urlopen('http://127.0.0.1:$PORT/_stats'))['webhook'], ensure_ascii=False))"; }
trap 'kill "${servers[@]}" 2>/dev/null; rm -rf "$TMP"' EXIT
printf '[http]\ntimeout = 5\nretries = 0\n[crisis]\ndispersion = 0\nprofile_days = 0\nlong_windows = 1\n' >"$TMP/h.ini"

serve ok
URL=http://127.0.0.1:$PORT/webhook/s3cr3t-hook
expect "webhook: alerts posted" 0 '"level":"clear"' '^$' -- env CANDOR_WEBHOOK_URL="$URL" $C -c "$TMP/h.ini" monitor --replay "$TMP/levels.jsonl"
stats >"$TMP/hook.json"
check "webhook: four messages, in order, short and human" python3 -c "
import json, sys
m = [b['text'] for b in json.load(open(sys.argv[1]))]
assert len(m) == 4, m
assert m[0].startswith('Watch: category complaint, 11 in 5 min (usually 2.0'), m[0]
assert m[1].startswith('ALERT: category complaint'), m[1]
assert m[2].startswith('CRISIS: category complaint, 25 in 5 min'), m[2]
assert 'Shares: complaint 93%, other 7%.' in m[2] and 'Examples: c27-24, c27-23, c27-22.' in m[2], m[2]
assert m[3] == 'All clear: category complaint is back to usual (2 in 5 min, usually 2.2).', m[3]
assert all(len(t) < 300 for t in m)
" "$TMP/hook.json"
check "webhook: the URL is never printed" bash -c "! grep -q s3cr3t '$TMP/out' '$TMP/err'"
printf '[reply]\nlang = ru\n' | cat - "$TMP/h.ini" >"$TMP/ru.ini"
serve ru
expect "webhook: the brand's language" 0 '' '^$' -- env CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C -c "$TMP/ru.ini" monitor --replay "$TMP/levels.jsonl"
check "webhook: Russian message" bash -c "$(declare -f stats); PORT=$PORT; stats | grep -q 'КРИЗИС: категория complaint, 25 за 5 мин'"
serve lang
expect "monitor --lang ru wins over [reply] lang" 0 '' '^$' -- env CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C --lang ru -c "$TMP/h.ini" monitor --replay "$TMP/levels.jsonl"
check "monitor --lang ru: Russian message" bash -c "$(declare -f stats); PORT=$PORT; stats | grep -q 'Отбой: категория complaint снова в норме'"
serve ru2
PORT_RU=$PORT
printf '[alerts]\nwebhook_url = http://127.0.0.1:%s/webhook/from-config\n' "$PORT_RU" | cat - "$TMP/h.ini" >"$TMP/cfgurl.ini"
expect "webhook: [alerts] webhook_url" 0 '' '^$' -- $C -c "$TMP/cfgurl.ini" monitor --replay "$TMP/levels.jsonl"
expect "webhook: --no-webhook" 0 '"level":"crisis"' '^$' -- env CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C -c "$TMP/h.ini" monitor --no-webhook --replay "$TMP/levels.jsonl"
check "webhook: 4 from the config, none with --no-webhook" bash -c "$(declare -f stats); PORT=$PORT; [ \$(stats | grep -o '\"text\"' | wc -l) = 4 ]"
expect "webhook: a remote http URL is refused" 78 '^$' 'from \$CANDOR_WEBHOOK_URL is refused: https only' -- env CANDOR_WEBHOOK_URL=http://hooks.example.com/secret-x $C monitor --replay "$TMP/levels.jsonl"
check "webhook: even a refused URL is not printed" bash -c "! grep -q secret-x '$TMP/err'"

# a failing webhook: every alert still on stdout, each failure reported, 75
serve down 'webhook:*=500'
expect "webhook: failures are reported, exit 75" 75 '"level":"crisis"' 'webhook: alert not delivered' -- env CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C -c "$TMP/h.ini" monitor --replay "$TMP/levels.jsonl"
check "webhook: the summary counts them" grep -q 'webhook: 0 alerts sent, 4 failed, 0 dropped' "$TMP/err"

# a slow webhook (3 s an answer) and a queue of 1: the JSONL is not held
# up, and what does not fit is dropped and reported
serve slow 'webhook:*=slow:3'
printf '[alerts]\nqueue = 1\n' | cat - "$TMP/h.ini" >"$TMP/q.ini"
start=$(date +%s.%N)
CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C -c "$TMP/q.ini" monitor --replay "$TMP/levels.jsonl" 2>"$TMP/slow.err" | while read -r l; do echo "$(date +%s.%N) $l"; done >"$TMP/slow.out"
status=${PIPESTATUS[0]}
check "slow webhook: every alert on stdout" [ "$(wc -l <"$TMP/slow.out")" = 4 ]
check "slow webhook: all four within a second of the start" python3 -c "
import sys; s = float(sys.argv[1])
assert all(float(l.split()[0]) - s < 1.0 for l in open(sys.argv[2])), open(sys.argv[2]).read()
" "$start" "$TMP/slow.out"
check "slow webhook: drops reported" grep -q 'webhook: queue full (the webhook is slower than the alerts); crisis alert on complaint dropped' "$TMP/slow.err"
# (how many fit depends on when the sender takes the first: 1 or 2 sent)
check "slow webhook: the summary adds up to 4, with drops" python3 -c "
import re, sys
m = re.search(r'webhook: (\d+) alerts sent, 0 failed, (\d+) dropped \(queue full\), 0 not sent', open(sys.argv[1]).read())
assert m and int(m[1]) + int(m[2]) == 4 and int(m[2]) >= 2, m
" "$TMP/slow.err"
check "slow webhook: exit 75" [ "$status" = 75 ]

# live: a slow webhook does not delay the at-once line
serve slowlive 'webhook:*=slow:3'
mkfifo "$TMP/fifo2"
CANDOR_WEBHOOK_URL=http://127.0.0.1:$PORT/webhook/x $C -c "$TMP/live.ini" monitor <"$TMP/fifo2" >"$TMP/live2.out" 2>"$TMP/live2.err" &
pid=$!
exec 4>"$TMP/fifo2"
printf '{"id":"S1","category":"complaint","flags":["safety"]}\n' >&4
for ((i = 0; i < 10; i++)); do
	grep -qs at_once "$TMP/live2.out" && break
	sleep 0.1
done
check "live + slow webhook: the alert is on stdout within a second" grep -q '"examples":\["S1"\].*"at_once":true' "$TMP/live2.out"
exec 4>&-
wait $pid
check "live + slow webhook: delivered before the end" bash -c "$(declare -f stats); PORT=$PORT; stats | grep -q 'ALERT: flag safety: someone reports harm'"

finish
