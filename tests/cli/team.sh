#!/usr/bin/env bash
# CLI tests of a crisis team on one queue: three reviewers in pseudo-
# terminals on one journal while 300 comments arrive through pipes, random
# keys (undo and quit-then-resume among them), one reviewer killed with -9
# whose claim is taken over after the lease, then a last pass.  Afterwards
# every comment has exactly one standing decision and no comment was
# decided while another decision on it stood.  Also: x escalates (with a
# note to the webhook), and review --status.
. "$(dirname "$0")/lib.sh"
C=$CANDOR
PTY=${PTY:?set PTY to the pty_driver binary}
unset VISUAL CANDOR_WEBHOOK_URL
J=$TMP/team.jsonl
printf '[review]\nlease = 2s\n[crisis]\nteam = maria, oleg\n' >"$TMP/team.ini"

python3 - "$TMP/all.jsonl" <<'PY'
import json, random, sys
random.seed(7)
kinds = ["my order never arrived, I want a refund", "when do you open on sunday?",
         "heard you use expired fruit, they are hiding it", "love it, thanks",
         "fizzco is better, cheaper too", "you are all idiots", "my kid got sick after drinking it"]
with open(sys.argv[1], "w") as f:
    for i in range(300):
        f.write(json.dumps({"id": "t%03d" % i, "author": "u%d" % i,
                            "text": "%s (%d)" % (random.choice(kinds), i)}) + "\n")
PY
# a pipe that delivers the comments over about three seconds
# then holds the pipe open until the reviewer closes it (at most 30 s), so
# the reviewer's shell ends as soon as the reviewer quits, however late
feeder() { python3 -c 'import select,sys,time
for i, l in enumerate(open(sys.argv[1])):
    sys.stdout.write(l); sys.stdout.flush()
    if i % 20 == 19: time.sleep(0.2)
p = select.poll(); p.register(1, select.POLLERR)
p.poll(30000)' "$TMP/all.jsonl"; }
export -f feeder
export TMP

script() { # script SEED N: N random keys, with undo and a quit among them
	python3 - "$1" "$2" <<'PY'
import random, sys
random.seed(int(sys.argv[1]))
print("wait candor review")
for _ in range(int(sys.argv[2])):
    print("send " + random.choice("aaasshhrxu"))
    print("sleep 0.03")
print("send q")
print("expect-exit 0")
PY
}
run_reviewer() { # NAME SEED N
	script "$2" "$3" >"$TMP/$1.script"
	"$PTY" -t 15 -k 60 -o "$TMP/$1.screen" -s "$TMP/$1.script" -- \
		bash -c "feeder | $C -c $TMP/team.ini review --as $1 -j $J -" 2>"$TMP/$1.err"
}
run_reviewer ann 1 80 & a=$!
run_reviewer bob 2 80 & b=$!
# carl looks at one comment and is killed with -9 while he holds it
printf 'wait next because\nsleep 0.3\nkill\nexpect-exit 137\n' >"$TMP/carl.script"
"$PTY" -t 15 -k 60 -o "$TMP/carl.screen" -s "$TMP/carl.script" -- \
	"$C" -c "$TMP/team.ini" review --as carl -j "$J" "$TMP/all.jsonl" 2>"$TMP/carl.err"
carl=$?
wait $a; ra=$?
wait $b; rb=$?
check "three reviewers ran (ann $ra, bob $rb, carl $carl: $(head -c 200 "$TMP/ann.err"))" \
	[ "$ra" = 0 -a "$rb" = 0 -a "$carl" = 0 ]
check "carl held a claim when he was killed" grep -q '"decision":"claim".*"approver":"carl"' "$J"
# ann resumes after the lease: the rest of the queue, every comment decided
sleep 2.2
{ echo "wait candor review"; for _ in $(seq 1 320); do echo "send s"; echo "sleep 0.01"; done; echo "expect-exit 0"; } >"$TMP/last.script"
"$PTY" -t 20 -k 90 -o "$TMP/last.screen" -s "$TMP/last.script" -- \
	"$C" -c "$TMP/team.ini" review --as ann -j "$J" "$TMP/all.jsonl" 2>"$TMP/last.err"
check "the last pass ran to the end ($(head -c 200 "$TMP/last.err"))" [ "$?" = 0 ]

python3 - "$J" "$TMP/all.jsonl" >"$TMP/verdict" <<'PY'
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[2])]
stack, bad, by = {}, [], {}
claims = {}
for n, line in enumerate(open(sys.argv[1]), 1):
    e = json.loads(line)
    i, d = e["id"], e["decision"]
    if d in ("claim", "release"):
        claims.setdefault(i, []).append(e["approver"])
        continue
    s = stack.setdefault(i, [])
    if d == "undo":
        if s: s.pop()
        continue
    if s:
        bad.append("line %d: %s decided %s by %s while %s by %s stood" % (n, i, d, e["approver"], s[-1][0], s[-1][1]))
    s.append((d, e["approver"]))
standing = {i: s[-1] for i, s in stack.items() if s}
missing = [i for i in ids if i not in standing]
carl = [i for i, who in claims.items() if "carl" in who]
taken = [i for i in carl if standing.get(i, ("", "carl"))[1] != "carl"]
approvers = sorted({a for _, a in standing.values()})
print("standing %d missing %d doubles %d carl %d taken %d approvers %s" %
      (len(standing), len(missing), len(bad), len(carl), len(taken), ",".join(approvers)))
for b in bad[:5]: print(b)
kinds = [sum(1 for d, _ in standing.values() if d == k)
         for k in ("approve", "skip", "hide", "reject", "escalate")]
print("the team: %d decided in the journal (approved %d, skipped %d, hidden %d, "
      "rejected %d, escalated %d), %d of them yours" % ((len(standing),) + tuple(kinds) +
      (sum(1 for _, a in standing.values() if a == "ann"),)))
PY
check "every comment has one standing decision ($(head -1 "$TMP/verdict"))" grep -q '^standing 300 missing 0 ' "$TMP/verdict"
check "no comment decided while another decision stood" grep -q ' doubles 0 ' "$TMP/verdict"
check "carl's claimed comment was taken over after the lease" grep -Eq ' carl [1-9][0-9]* taken [1-9]' "$TMP/verdict"
check "the team shared the work" grep -Eq 'approvers ann,bob' "$TMP/verdict"
check "undo was used" grep -q '"decision":"undo"' "$J"
check "the team summary at quit: the journal's standing decisions, ann's ($(grep '^the team' "$TMP/verdict"))" \
	grep -qF "$(grep '^the team' "$TMP/verdict")" "$TMP/last.screen"

# --- x escalates, with a note to the crisis webhook ------------------------
python3 "$SRC/tests/fake_tiktok.py" --port-file "$TMP/hook.port" & hook=$!
for _ in $(seq 1 50); do [ -s "$TMP/hook.port" ] && break; sleep 0.1; done
printf '{"id":"e1","author":"ed","text":"my kid got sick after drinking your juice"}\n' >"$TMP/e.jsonl"
printf 'wait #e1\nsend x\nwait escalated to maria, oleg\nsend q\nexpect-exit 0\n' >"$TMP/x.script"
CANDOR_WEBHOOK_URL="http://127.0.0.1:$(cat "$TMP/hook.port")/webhook/s3cret" \
	"$PTY" -t 10 -k 30 -o "$TMP/x.screen" -s "$TMP/x.script" -- \
	"$C" -c "$TMP/team.ini" review --as ann -j "$TMP/x.jsonl" "$TMP/e.jsonl" 2>"$TMP/x.err"
check "x: the session escalated ($(head -c 200 "$TMP/x.err"))" [ "$?" = 0 ]
check "x: the journal says escalate, to whom" grep -q '"id":"e1","decision":"escalate".*"to":"maria, oleg"' "$TMP/x.jsonl"
python3 -c 'import json,sys,urllib.request
st = json.load(urllib.request.urlopen("http://127.0.0.1:%s/_stats" % open(sys.argv[1]).read().strip()))
open(sys.argv[2], "w").write(json.dumps(st["webhook"][0], ensure_ascii=False) if st["webhook"] else "")' "$TMP/hook.port" "$TMP/hook.body"
kill $hook 2>/dev/null; wait $hook 2>/dev/null
check "x: the webhook got the note" grep -q 'Escalated to maria, oleg by ann: safety' "$TMP/hook.body"
check "x: the note is Slack's {\"text\": ...}" python3 -c 'import json,sys; json.loads(open(sys.argv[1]).read())["text"]' "$TMP/hook.body"

# --- review --status -------------------------------------------------------
expect "--status prints the queue" 0 'decided: 300' '' -- "$C" -c "$TMP/team.ini" review --status -j "$J" "$TMP/all.jsonl"
check "--status: decided per reviewer" grep -Eq 'ann [0-9]+' "$TMP/out"
printf '{"id":"s1","text":"where is my refund"}\n{"id":"s2","text":"my kid got sick after drinking your juice"}\n' >"$TMP/s.jsonl"
printf 'wait #s2\nsleep 0.2\nkill\nexpect-exit 137\n' >"$TMP/s.script"
"$PTY" -t 10 -k 30 -o "$TMP/s.screen" -s "$TMP/s.script" -- \
	"$C" review --team --as dana -j "$TMP/s.journal" "$TMP/s.jsonl" 2>/dev/null
expect "--status: waiting, claimed by whom, overdue" 0 'waiting: 1' '' -- "$C" review --status -j "$TMP/s.journal" "$TMP/s.jsonl"
check "--status: s2 claimed by dana" grep -q 's2 .*claimed by dana' "$TMP/out"
check "--status: overdue counted" grep -q 'overdue: ' "$TMP/out"

finish
