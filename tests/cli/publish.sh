#!/usr/bin/env bash
# CLI tests of `candor publish` against tests/fake_tiktok.py (SPEC section
# 7): what is sent and what never is, the ledger across reruns, faults,
# kill -9 between the request and its answer settled by --reconcile, a
# property test with random kill points counting the replies the server
# received, and no secret in stdout, stderr or the ledger.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiktok_lib.sh"
C=$CANDOR
export CANDOR_TIKTOK_TOKEN=$TOKEN

# journal_line ID VIDEO DECISION REPLY
journal_line() {
	printf '{"id":"%s","video_id":"%s","decision":"%s","category":"complaint","template":"en/complaint/x","reply":"%s","approver":"t","ts":"2026-12-07T10:00:00Z","text":"late again"}\n' "$1" "$2" "$3" "$4"
}
R1="Sorry for the wait. Send us a DM so we can put it right."
R2="Thanks for telling us. Please DM your order so we can check it."
J=$TMP/j.jsonl
{
	journal_line 770000001 77 approve "$R1"
	journal_line 770000002 77 approve "$R2"
	journal_line 770000003 77 skip ""
	journal_line 770000004 77 hide ""
	journal_line 770000005 77 reject ""
	journal_line 770000006 77 approve "$R1"
	printf '{"id":"770000006","decision":"undo","approver":"t","ts":"2026-12-07T10:00:01Z"}\n'
} >"$J"
replies() { stat "len(s['replies'].get('$1', []))"; }

server_start --video 77:10
expect "--dry-run prints the requests" 0 '"business_id":"b1","video_id":"77","comment_id":"770000001","text":"Sorry for the wait' '^$' -- $C -q -c "$TMP/c.ini" publish --dry-run "$J"
check "--dry-run: the hide body" grep -qF '{"business_id":"b1","video_id":"77","comment_id":"770000004","action":"HIDE"}' "$TMP/out"
check "--dry-run: three requests, no undone or skipped one" [ "$(grep -c '^POST ' "$TMP/out")" = 3 ]
check "--dry-run: nothing sent, no ledger" [ "$(requests reply)$(requests hide)" = 00 ] && [ ! -e "$J.ledger" ]
expect "--dry-run needs no token" 0 'POST http' '' -- env -u CANDOR_TIKTOK_TOKEN $C -q -c "$TMP/c.ini" publish --dry-run "$J"

expect "publish: approve and hide sent" 0 '^$' '2 sent|3 sent' -- $C -c "$TMP/c.ini" publish "$J"
check "publish: one reply each, with the journal's text" [ "$(stat "s['replies']")" = "{'770000001': ['$R1'], '770000002': ['$R2']}" ]
check "publish: one hide" [ "$(stat "s['hidden']")" = "{'770000004': 1}" ]
check "publish: no request for skip, reject or undone" [ "$(requests reply)" = 2 ] && [ "$(requests hide)" = 1 ]
check "ledger: intent then done for each" [ "$(grep -c '"state":"intent"' "$J.ledger")" = 3 ] && [ "$(grep -c '"state":"done"' "$J.ledger")" = 3 ]
check "ledger: intent before done" [ "$(grep -m1 -n '770000001' "$J.ledger" | grep -c intent)" = 1 ]
expect "a rerun sends nothing" 0 '^$' '0 sent, 3 already done' -- $C -c "$TMP/c.ini" publish "$J"
check "a rerun: still one reply each" [ "$(requests reply)" = 2 ]

# a bad journal line, a reply with a tone error, no video id: reported, the rest sent
J2=$TMP/j2.jsonl
{
	journal_line 770000007 77 approve "$R1"
	echo '{"id":"770000008","decision":'
	journal_line 770000009 77 approve "You should have read the label. Calm down."
	journal_line 770000010 "" approve "$R2"
	journal_line 770000011 77 approve "$R2"
} >"$J2"
expect "bad journal lines: exit 65, the rest published" 65 '' 'j2.jsonl:2: .*(torn|malformed)' -- $C -c "$TMP/c.ini" publish "$J2"
check "bad: the tone error is refused and named" grep -q "reply 770000009 refused: tone error" "$TMP/err"
check "bad: the missing video id is named" grep -q "770000010: the journal has no video_id" "$TMP/err"
check "bad: the two good ones were posted" [ "$(replies 770000007)$(replies 770000011)" = 11 ] && [ "$(replies 770000009)$(replies 770000010)" = 00 ]

# faults on reply create
pub() { $C -c "$TMP/c.ini" publish "$@"; }
J3=$TMP/j3.jsonl
journal_line 770000001 77 approve "$R1" >"$J3"
server_start --video 77:5 --fault reply:1=429:1
expect "429 on a reply: retried after Retry-After" 0 '' 'http 429.*retrying in 1\.0 s' -- pub "$J3"
check "429: posted once" [ "$(replies 770000001)" = 1 ]

rm -f "$J3.ledger"
server_start --video 77:5 --fault reply:1=503
expect "503 on a reply: retried (the server did not act)" 0 '' 'http 503' -- pub "$J3"
check "503: posted once" [ "$(replies 770000001)" = 1 ]

rm -f "$J3.ledger"
server_start --video 77:5 --fault reply:1=500
expect "500 on a reply: unknown, not repeated, exit 75" 75 '' 'may have acted on it.*--reconcile' -- pub "$J3"
expect "rerun: listed as unknown, not sent" 75 'unknown reply 770000001' '' -- pub "$J3"
check "500: nothing posted, one request" [ "$(replies 770000001)" = 0 ] && [ "$(requests reply)" = 1 ]
expect "--reconcile: not there, so sent" 0 'reconciled reply 770000001: not posted, sending' '' -- pub --reconcile "$J3"
check "500 + reconcile: posted exactly once" [ "$(replies 770000001)" = 1 ]
expect "after reconcile all is done" 0 '^$' '1 already done' -- pub "$J3"

rm -f "$J3.ledger"
server_start --video 77:5 --fault reply:1=acted-drop
expect "posted but the answer was lost: unknown, exit 75" 75 '' 'not repeated' -- pub "$J3"
expect "--reconcile: found, not sent again" 0 'reconciled reply 770000001: already posted' '' -- pub --reconcile "$J3"
check "acted-drop + reconcile: exactly once" [ "$(replies 770000001)" = 1 ] && [ "$(requests reply)" = 1 ]

rm -f "$J.ledger"
server_start --video 77:5 --fault 'reply:*=auth'
expect "auth error: exit 77 at once, naming the variable" 77 '' 'set CANDOR_TIKTOK_TOKEN' -- $C -c "$TMP/c.ini" publish "$J"
check "auth: one request only" [ "$(requests reply)$(requests hide)" = 10 ]
expect "no token: exit 78" 78 '^$' 'set CANDOR_TIKTOK_TOKEN' -- env -u CANDOR_TIKTOK_TOKEN $C -c "$TMP/c.ini" publish "$J3"
expect "--dry-run: a token of two lines is still refused" 78 '^$' 'CANDOR_TIKTOK_TOKEN is not a token \(one line' -- env CANDOR_TIKTOK_TOKEN=$'t1\nX-Evil: 1' $C -c "$TMP/c.ini" publish --dry-run "$J3"
sed 's/^business_id = .*/business_id =/' "$TMP/c.ini" >"$TMP/nobiz.ini"
expect "no business id: exit 78" 78 '^$' 'set \[tiktok\] business_id' -- $C -c "$TMP/nobiz.ini" publish --dry-run "$J3"

# --ledger FILE, and TLS: verified always, --cacert for a private CA
rm -f "$J3.ledger" "$TMP/other.ledger"
server_start --video 77:5
expect "--ledger FILE: the ledger goes there" 0 '' '1 sent' -- $C -c "$TMP/c.ini" publish --ledger "$TMP/other.ledger" "$J3"
check "--ledger: written there, not beside the journal" [ -s "$TMP/other.ledger" ] && [ ! -e "$J3.ledger" ]
expect "--ledger FILE: a rerun with it sends nothing" 0 '' '1 already done' -- pub --ledger "$TMP/other.ledger" "$J3"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
rm -f "$J3.ledger"
SCHEME=https
server_start --video 77:5 --tls "$TMP/cert.pem" "$TMP/key.pem"
expect "publish over https to an unknown CA: refused, nothing sent" 75 '' 'reply 770000001: .*(certificate|SSL)' -- pub "$J3"
expect "publish --cacert: trusted, sent" 0 '' '1 sent' -- pub --cacert "$TMP/cert.pem" "$J3"
check "https: posted once" [ "$(replies 770000001)" = 1 ]
SCHEME=http

# kill -9 between the request and its answer
kill_mid_request() { # FAULT: run publish, kill -9 once the server has the request
	rm -f "$J3.ledger"
	server_start --video 77:5 --fault "$1"
	$C -q -c "$TMP/c.ini" publish "$J3" >/dev/null 2>&1 &
	local pid=$! i
	for i in $(seq 1 250); do
		[[ $(requests reply) == 1 ]] && break
		sleep 0.02
	done
	sleep 0.1
	kill -9 $pid
	wait $pid 2>/dev/null
}
kill_mid_request reply:1=acted-hang:30
check "kill -9 after the server acted: the ledger has the intent only" [ "$(grep -c intent "$J3.ledger")" = 1 ] && [ "$(grep -c '"state":"done"' "$J3.ledger")" = 0 ]
expect "after kill -9: unknown, listed, not re-sent" 75 'unknown reply 770000001 \(video 77\)' '' -- pub "$J3"
check "after kill -9: still one request" [ "$(requests reply)" = 1 ]
expect "after kill -9: --reconcile finds it" 0 'already posted' '' -- pub --reconcile "$J3"
check "after kill -9 + reconcile: exactly one reply" [ "$(replies 770000001)" = 1 ]
kill_mid_request reply:1=hang:30
expect "kill -9 before the server acted: --reconcile sends it" 0 'not posted, sending' '' -- pub --reconcile "$J3"
check "kill -9 before acting + reconcile: exactly one reply" [ "$(replies 770000001)" = 1 ]

# no secret anywhere (-v included)
rm -f "$J3.ledger"
server_start --video 77:5 --fault reply:1=500
pub -v "$J3" >"$TMP/s1.out" 2>"$TMP/s1.err"
pub -v --reconcile "$J3" >"$TMP/s2.out" 2>"$TMP/s2.err"
check "-v shows the token header as ***" grep -q 'Access-Token: \*\*\*' "$TMP/s1.err"
check "no secret in stdout, stderr or the ledger" [ "$(cat "$TMP"/s[12].* "$J3.ledger" "$J.ledger" | grep -c "$TOKEN")" = 0 ]
expect "publish --help" 0 'candor publish JOURNAL' '^$' -- $C publish --help
server_stop
finish
