#!/usr/bin/env bash
# report_example.sh - make docs/report-example.html (and .md) from the
# shipped samples: `candor suggest` on config/samples/comments.jsonl,
# `candor batch` on the same comments as CSV, a small scripted journal
# (what a reviewer might have decided, written by the script below, not
# by a person) and a publish ledger for it, then `candor report`.
#
# usage: bench/report_example.sh CANDOR OUTDIR
# Writes OUTDIR/suggestions.jsonl, batch.csv, journal.jsonl, ledger.jsonl,
# report-example.html and report-example.md.
set -euo pipefail
CANDOR=$(realpath "${1:?usage: report_example.sh CANDOR OUTDIR}")
OUT=${2:?usage: report_example.sh CANDOR OUTDIR}
SRC=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$OUT"
"$CANDOR" suggest "$SRC/config/samples/comments.jsonl" >"$OUT/suggestions.jsonl"
python3 - "$SRC/config/samples/comments.jsonl" "$OUT/suggestions.jsonl" "$OUT" <<'PY'
import csv, json, sys, time, calendar
comments = [json.loads(l) for l in open(sys.argv[1])]
drafts = {r["id"]: r for r in map(json.loads, open(sys.argv[2]))}
out = sys.argv[3]
with open(out + "/comments.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "author", "text", "created_at"])
    for c in comments:
        w.writerow([c["id"], c["author"], c["text"], c["created_at"]])
def t(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
def iso(x):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(x))
# the script of the review: (decision, minutes after the comment, changes)
plan = ["approve", "approve", "approve-edit", "hide", "approve",
        "skip", "approve-edit", "hide", "approve-question", "approve",
        "approve", None, None, "skip"]
j = open(out + "/journal.jsonl", "w")
l = open(out + "/ledger.jsonl", "w")
for k, c in enumerate(comments):
    p = plan[k % len(plan)]
    if not p:
        continue
    d = drafts[c["id"]]
    when = t(c["created_at"]) + 240 + 420 * k
    e = {"id": c["id"], "decision": p.split("-")[0], "category": d["category"],
         "template": d["template"], "reply": d["reply"]}
    if p == "approve-edit":
        e["reply"] = d["reply"].split(". ")[0] + ". We are looking into it now."
        e["edited"] = True
    if p == "approve-question":
        e["original_category"] = d["category"]
        e["category"] = "question"
    if d.get("fact"):
        e["fact"] = d["fact"]
    if d.get("tone") and not e.get("edited"):
        e["tone"] = d["tone"]
    if e.get("edited"):     # what `review` records after an edit
        e["tone"] = {"score": 90, "issues": [{"rule": "required",
                     "severity": "warning", "message": "no next step"}]}
    e.update({"approver": "maria", "ts": iso(when)})
    j.write(json.dumps(e, ensure_ascii=False) + "\n")
    if e["decision"] in ("approve", "hide"):
        l.write(json.dumps({"id": c["id"], "phase": "intent",
                            "ts": iso(when + 20)}) + "\n")
        if k != 4:
            l.write(json.dumps({"id": c["id"], "phase": "outcome", "ok": True,
                                "ts": iso(when + 21 + 7 * k)}) + "\n")
PY
"$CANDOR" batch "$OUT/comments.csv" -o "$OUT/batch.csv"
cd "$OUT"       # the page names its inputs as given: keep them short
for f in html md; do
	"$CANDOR" report suggestions.jsonl batch.csv journal.jsonl ledger.jsonl \
		-o "report-example.$f"
done
