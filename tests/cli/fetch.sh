#!/usr/bin/env bash
# CLI tests of `candor fetch` against tests/fake_tiktok.py (SPEC section 7):
# all pages, overlapping pages and repeated polls give each id once, the
# state file, the Research API, every fault, and no secret anywhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tiktok_lib.sh"
C=$CANDOR
export CANDOR_TIKTOK_TOKEN=$TOKEN CANDOR_RESEARCH_TOKEN=$RTOKEN

# ids of a JSONL stream, and whether each is there once
ids() { grep -o '"id":"[0-9]*"' "$1" | cut -d'"' -f4; }
unique() { [[ $(ids "$1" | sort | uniq -d | wc -l) == 0 ]]; }

server_start --video 77:45 --video 88:12 --page-size 10 --overlap 3
expect "all pages of two videos" 0 '"id":"770000045"' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --video 88
cp "$TMP/out" "$TMP/all.jsonl"
check "57 comments" [ "$(wc -l <"$TMP/all.jsonl")" = 57 ]
check "overlapping pages: each id once" unique "$TMP/all.jsonl"
check "every id of video 77" [ "$(ids "$TMP/all.jsonl" | grep -c '^77')" = 45 ]
check "the record's fields" grep -qxF '{"id":"770000002","text":"comment 2: refund great","author":"user1","created_at":"2025-10-09T08:53:21Z","video_id":"77","parent_id":"77","likes":1}' "$TMP/all.jsonl"
check "text with quotes and a newline survives" grep -qF '\"quoted\"\n2nd line' "$TMP/all.jsonl"
check "business_id, video_id, cursor and max_count were sent" grep -q '"query": {"business_id": "b1", "video_id": "77", "cursor": "7", "max_count": "50"}' "$TMP/srv.log"
check "the token was sent" [ "$(grep -c '"token_ok": false' "$TMP/srv.log")" = 0 ]
expect "--since drops older comments" 0 '"id":"770000045"' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --since 2025-10-09T08:54:00Z
check "--since: 5 left" [ "$(wc -l <"$TMP/out")" = 5 ]
expect "fetch output feeds suggest" 0 '"category":' '' -- sh -c "$C -c '$TMP/c.ini' fetch tiktok --video 88 | $C suggest"

# repeated polls and a growing video: each id once across polls and runs
server_start --video 77:20 --page-size 6 --overlap 2 --grow 3
expect "--follow: three polls" 0 '' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --follow --interval 0.05 --polls 3 --state "$TMP/state"
cp "$TMP/out" "$TMP/polls.jsonl"
check "three polls: 20 + 3 x 3 new comments, each once" [ "$(wc -l <"$TMP/polls.jsonl")" = 29 ]
check "three polls: no id twice" unique "$TMP/polls.jsonl"
expect "--state: a second run writes only what is new" 0 '"id":"770000032"' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --state "$TMP/state"
check "--state: exactly the 3 new ones" [ "$(ids "$TMP/out" | tr '\n' ' ')" = "770000030 770000031 770000032 " ]
echo "not a state" >"$TMP/badstate"
expect "a broken state file is named" 65 '^$' "badstate:1: not a state line" -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --state "$TMP/badstate"

# the Research API: POST with a bearer token, 19-digit ids kept exactly
server_start --video 7351234567890123456:25 --page-size 10
expect "research: all pages" 0 '"id":"73512345678901234560000025"' '^$' -- $C -c "$TMP/c.ini" fetch research --video 7351234567890123456
check "research: 25 comments, each once" [ "$(wc -l <"$TMP/out")" = 25 ] && unique "$TMP/out"
check "research: the video id was sent as the exact integer" grep -q '"body": {"video_id": 7351234567890123456, "max_count": 100, "cursor": 0}' "$TMP/srv.log"
check "research: the bearer token was right" [ "$(grep -c '"token_ok": false' "$TMP/srv.log")" = 0 ]

# faults, one per request
fault() { # NAME STATUS OUT ERR FAULT...
	local name=$1 st=$2 out=$3 err=$4
	shift 4
	local args=()
	for f in "$@"; do args+=(--fault "$f"); done
	server_start --video 77:25 --page-size 10 "${args[@]}"
	expect "$name" "$st" "$out" "$err" -- $C -c "$TMP/c.ini" fetch tiktok --video 77
}
fault "429 with Retry-After: retried" 0 '"id":"770000025"' 'http 429.*retrying in 1\.0 s' list:2=429:1
check "429: 4 requests" [ "$(requests list)" = 4 ]
fault "429 with an HTTP date: retried" 0 '"id":"770000025"' 'http 429.*retrying' list:1=429date:1
fault "500 then 503: retried" 0 '"id":"770000025"' 'http 500.*retrying' list:1=500 list:2=503
fault "a dropped connection: retried" 0 '"id":"770000025"' 'retrying' list:1=drop
fault "malformed JSON: exit 76" 76 '' 'video 77: comment list: malformed response' list:2=malformed
check "malformed: the first page was still written" [ "$(wc -l <"$TMP/out")" = 10 ]
fault "a non-zero code: exit 76 with its message" 76 '' 'code 40002: the request was refused \(request id req-refused\)' list:1=code:40002
fault "auth error: exit 77 at once, naming the variable" 77 '^$' 'refused the credentials.*set CANDOR_TIKTOK_TOKEN' list:1=auth
check "auth error: one request, no retry" [ "$(requests list)" = 1 ]
fault "every attempt 500: exit 75 after the retries" 75 '^$' 'gave up after 4 attempts' 'list:*=500'
HTTP_TIMEOUT=0.3 fault "slow past the timeout: exit 75" 75 '^$' '[Tt]imeout' 'list:*=slow:2'
check "slow: 4 attempts" [ "$(requests list)" = 4 ]

# settings and secrets
server_start --video 77:5
expect "no token: exit 78 naming it" 78 '^$' 'set CANDOR_TIKTOK_TOKEN' -- env -u CANDOR_TIKTOK_TOKEN $C -c "$TMP/c.ini" fetch tiktok --video 77
expect "no research token: exit 78" 78 '^$' 'set CANDOR_RESEARCH_TOKEN' -- env -u CANDOR_RESEARCH_TOKEN $C -c "$TMP/c.ini" fetch research --video 77
sed 's/^business_id = b1/business_id =/' "$TMP/c.ini" >"$TMP/nobiz.ini"
expect "no business id: exit 78" 78 '^$' 'set \[tiktok\] business_id' -- $C -c "$TMP/nobiz.ini" fetch tiktok --video 77
expect "research needs no business id" 0 '"id":"770000005"' '^$' -- $C -c "$TMP/nobiz.ini" fetch research --video 77
expect "a token of two lines: exit 78" 78 '^$' 'CANDOR_TIKTOK_TOKEN is not a token \(one line' -- env CANDOR_TIKTOK_TOKEN=$'t1\nX-Evil: 1' $C -c "$TMP/c.ini" fetch tiktok --video 77
sed 's|^api_base = .*|api_base = http://business-api.example/open_api|' "$TMP/c.ini" >"$TMP/plain.ini"
expect "plain http to a remote host is refused" 2 '^$' "only https://" -- $C -c "$TMP/plain.ini" fetch tiktok --video 77
expect "--video must be numeric" 2 '^$' "--video takes a numeric id" -- $C -c "$TMP/c.ini" fetch tiktok --video abc
expect "fetch needs tiktok or research" 2 '^$' "fetch tiktok" -- $C -c "$TMP/c.ini" fetch --video 77
expect "-v: the trace shows the token as ***" 0 '"id":"770000005"' 'Access-Token: \*\*\*' -- $C -v -c "$TMP/c.ini" fetch tiktok --video 77
check "-v: the token is nowhere in stdout or stderr" [ "$(cat "$TMP/out" "$TMP/err" | grep -c "$TOKEN")" = 0 ]
expect "-v research: Authorization shown as ***" 0 '' 'Authorization: \*\*\*' -- $C -v -c "$TMP/c.ini" fetch research --video 77
check "-v research: the token is nowhere" [ "$(cat "$TMP/out" "$TMP/err" | grep -c "$RTOKEN")" = 0 ]
# --max-count: the page size asked for
server_start --video 77:20 --page-size 50
expect "--max-count 7: pages of 7" 0 '"id":"770000020"' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --max-count 7
check "--max-count: sent, and 3 pages" grep -q '"max_count": "7"' "$TMP/srv.log" && [ "$(requests list)" = 3 ]
expect "--max-count past 100 is refused" 2 '^$' 'max-count takes 1 to 100' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --max-count 101

# TLS is always verified; --cacert trusts a private CA
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
	-subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
SCHEME=https server_start --video 77:5 --tls "$TMP/cert.pem" "$TMP/key.pem"
expect "https to an unknown CA is refused" 76 '^$' 'comment list: .*(certificate|SSL)' -- $C -c "$TMP/c.ini" fetch tiktok --video 77
expect "--cacert trusts it" 0 '"id":"770000005"' '^$' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --cacert "$TMP/cert.pem"
expect "--cacert with a missing file" 76 '^$' 'comment list: ' -- $C -c "$TMP/c.ini" fetch tiktok --video 77 --cacert "$TMP/nope.pem"
SCHEME=http server_start --video 77:5

expect "fetch --help" 0 'candor fetch tiktok --video ID' '^$' -- $C fetch --help
server_stop
finish
