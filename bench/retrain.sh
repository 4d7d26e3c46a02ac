#!/usr/bin/env bash
# bench/retrain.sh - how much does a week of review decisions help?
#
#   bash bench/retrain.sh [--seed S]
#
# Splits the shipped corpus (seeded, stratified by label and language) into
# a "launch" half that trains the first model, a "week" quarter that a team
# reviews, and a held-out quarter that only measures.  The week's comments
# go through `candor classify` with the launch model; a simulated reviewer
# approves each one with its true category (a correction when the model was
# wrong), written as review journal lines.  Then
#   candor train --update launch.model --from-journal week.jsonl -o week.model
# and both models are scored on the held-out quarter with `candor eval`.
# Prints a markdown table: macro-F1 and accuracy before and after, and how
# many decisions were corrections.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEED=7
[[ ${1:-} == --seed ]] && SEED=$2
C=${CANDOR:-$ROOT/build/candor}
W=$(mktemp -d /tmp/candor-retrain.XXXXXX)
trap 'rm -rf "$W"' EXIT

python3 - "$W" "$SEED" "$ROOT"/config/corpus/*.csv <<'PY'
import csv, random, sys, collections
out, seed, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = []
for f in files:
    rows += [(r["text"], r["label"], r["lang"]) for r in csv.DictReader(open(f, encoding="utf-8"))]
strata = collections.defaultdict(list)
for r in rows:
    strata[(r[1], r[2])].append(r)
rng = random.Random(seed)
parts = {"launch": [], "week": [], "heldout": []}
for k in sorted(strata):
    s = strata[k]
    rng.shuffle(s)
    n = len(s)
    parts["launch"] += s[: n // 2]
    parts["week"] += s[n // 2 : (3 * n) // 4]
    parts["heldout"] += s[(3 * n) // 4 :]
for name, rs in parts.items():
    with open("%s/%s.csv" % (out, name), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["text", "label", "lang"])
        w.writerows(rs)
PY

"$C" -q train -o "$W/launch.model" "$W/launch.csv"
# the reviewer: every week comment approved with its true category
python3 - "$W" "$C" <<'PY'
import csv, json, subprocess, sys
w, candor = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(w + "/week.csv", encoding="utf-8")))
inp = "".join(json.dumps({"id": str(i), "text": r["text"]}) + "\n" for i, r in enumerate(rows))
res = subprocess.run([candor, "-q", "-m", w + "/launch.model", "classify", "-"],
                     input=inp.encode(), capture_output=True, check=True)
pred = [json.loads(l)["category"] for l in res.stdout.decode().splitlines()]
fixes = 0
with open(w + "/week.jsonl", "w", encoding="utf-8") as j:
    for i, (r, p) in enumerate(zip(rows, pred)):
        e = {"id": str(i), "decision": "approve", "category": r["label"]}
        if p != r["label"]:
            e["original_category"] = p
            fixes += 1
        e.update({"approver": "bench", "ts": "2026-11-26T00:00:00Z", "text": r["text"]})
        j.write(json.dumps(e, ensure_ascii=False) + "\n")
open(w + "/fixes", "w").write("%d %d\n" % (fixes, len(rows)))
PY
"$C" -q train --update "$W/launch.model" --from-journal "$W/week.jsonl" -o "$W/week.model"
read -r FIXES WEEK < "$W/fixes"
b=$("$C" -q -m "$W/launch.model" eval --test "$W/heldout.csv" --json)
a=$("$C" -q -m "$W/week.model" eval --test "$W/heldout.csv" --json)
python3 - "$b" "$a" "$FIXES" "$WEEK" "$SEED" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| model (seed %s) | macro-F1 on held-out | accuracy |" % sys.argv[5])
print("|---|---:|---:|")
print("| launch (half the corpus) | %.4f | %.4f |" % (b["macro_f1"], b["accuracy"]))
print("| + one week of review (%s decisions, %s corrections) | %.4f | %.4f |"
      % (sys.argv[4], sys.argv[3], a["macro_f1"], a["accuracy"]))
print("\nPer class F1, before -> after: " + ", ".join(
    "%s %.3f -> %.3f" % (l, b["classes"][l]["f1"], a["classes"][l]["f1"]) for l in b["labels"]))
PY
