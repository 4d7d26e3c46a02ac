#!/usr/bin/env bash
# bench/heldout.sh - the shipped default model and the peers on comments
# none of them saw: bench/data/heldout.csv (560 hand-written comments,
# 40 per category per language, written without looking at config/corpus).
#
#   bash bench/heldout.sh [HELDOUT.csv]
#
# candor: the shipped default model as is (`candor eval --test HELDOUT
# --json`, i.e. build/candor.model, trained on config/corpus/*.csv at build
# time), per class and per language; `candor --complement` trained on the
# full corpus.  Peers trained on the full corpus (config/corpus/*.csv):
# sklearn MultinomialNB / ComplementNB (word 1-2 gram counts; alpha 1.0 and
# alpha by 5-fold CV on the corpus), TF-IDF + LinearSVC, fastText
# (-epoch 25 -wordNgrams 2 -thread 1).  Markdown to stdout, progress to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
HELD=${1:-$ROOT/bench/data/heldout.csv}
[[ ${1:-} == -h || ${1:-} == --help ]] && { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
[[ -r $HELD ]] || { echo "heldout.sh: cannot read $HELD" >&2; exit 66; }
CORPUS=("$ROOT"/config/corpus/*.csv)

# log
. "$ROOT/bench/lib.sh"

bash "$ROOT/.ci/deps" python3-sklearn fasttext time
CANDOR=${CANDOR:-$ROOT/build/candor}
if [[ ! -x $CANDOR || ! -f $ROOT/build/candor.model ]]; then
  log "building candor and its default model"
  cmake -S "$ROOT" -B "$ROOT/build" >&2 && cmake --build "$ROOT/build" -j2 >&2
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/candor-heldout.XXXXXX")
trap 'rm -rf "$W"' EXIT
RES=$W/results.jsonl
: > "$RES"

# corpus -> train files, held-out -> test files (same formats as run.sh)
"$PY" "$ROOT/bench/split.py" --test-frac 0 "$W/corpus" "${CORPUS[@]}" 2>/dev/null
"$PY" "$ROOT/bench/split.py" --test-frac 1 "$W/held" "$HELD" 2>/dev/null

# per-language copies of the held-out set
"$PY" - "$HELD" "$W" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
for lang in sorted(set(r.get("lang", "") for r in rows)):
    with open("%s/held-%s.csv" % (sys.argv[2], lang or "none"), "w",
              newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["text", "label", "lang"])
        for r in rows:
            if r.get("lang", "") == lang:
                w.writerow([r["text"], r["label"], lang])
EOF

log "candor, shipped default model ($ROOT/build/candor.model)"
"$CANDOR" -q eval --test "$HELD" --json > "$W/default.json"
"$CANDOR" -q model info "$ROOT/build/candor.model" > "$W/model-info.txt"
for f in "$W"/held-*.csv; do
  lang=${f##*/held-}; lang=${lang%.csv}
  "$CANDOR" -q eval --test "$f" --json > "$W/default-$lang.json"
done
"$CANDOR" -q classify "$W/held/test.jsonl" > "$W/default.pred"
log "candor --complement trained on the full corpus"
"$CANDOR" -q eval "${CORPUS[@]}" --complement --test "$HELD" --json > "$W/complement.json"

log "scikit-learn trained on the full corpus"
"$PY" "$ROOT/bench/peers.py" sklearn "$W/corpus/train.csv" "$W/held/test.csv" > "$W/sklearn.jsonl"

log "fastText trained on the full corpus"
fasttext supervised -input "$W/corpus/train.ft" -output "$W/ft" -epoch 25 -wordNgrams 2 -thread 1 -verbose 0
fasttext predict "$W/ft.bin" "$W/held/test.ft.txt" > "$W/ft.pred"
"$PY" "$ROOT/bench/peers.py" score "fastText" "$W/held/test.csv" "$W/ft.pred" > "$W/ft.json"

"$PY" - "$W" "$HELD" "${CORPUS[@]}" <<'EOF'
import csv, glob, json, os, sys
W, held, corpus = sys.argv[1], sys.argv[2], sys.argv[3:]

def rows(path):
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))

hrows = rows(held)
ctexts = set(r["text"].strip().lower() for p in corpus for r in rows(p))
overlap = [r["text"] for r in hrows if r["text"].strip().lower() in ctexts]

default = json.load(open(os.path.join(W, "default.json")))
models = [dict(name="candor (shipped default model)", **default),
          dict(name="candor --complement",
               **json.load(open(os.path.join(W, "complement.json"))))]
models += [json.loads(l) for l in open(os.path.join(W, "sklearn.jsonl"))]
models.append(json.load(open(os.path.join(W, "ft.json"))))

p = print
p("## Held-out set: %d comments, %s" % (len(hrows), os.path.relpath(held)))
p("")
p("Trained on config/corpus/*.csv (%d comments). Held-out texts also found "
  "verbatim (case-insensitive) in the corpus: %d%s." % (
      sum(len(rows(c)) for c in corpus), len(overlap),
      (" (" + ", ".join(repr(t) for t in overlap[:10]) + ")") if overlap else ""))
p("")
p("| model | macro-F1 | accuracy |")
p("|---|---:|---:|")
for m in models:
    p("| %s | %.4f | %.4f |" % (m["name"], m["macro_f1"], m["accuracy"]))
p("")
p("### candor, shipped default model, per class")
p("")
p("| class | precision | recall | F1 | support |")
p("|---|---:|---:|---:|---:|")
for l, c in sorted(default["classes"].items()):
    p("| %s | %.3f | %.3f | **%.3f** | %d |" % (l, c["precision"], c["recall"],
                                              c["f1"], c["support"]))
p("")
p("By language (same model):")
p("")
p("| language | macro-F1 | accuracy | lowest class F1 |")
p("|---|---:|---:|---|")
for f in sorted(glob.glob(os.path.join(W, "default-*.json"))):
    e = json.load(open(f))
    lang = os.path.basename(f)[len("default-"):-len(".json")]
    lo = min(e["classes"].items(), key=lambda kv: kv[1]["f1"])
    p("| %s | %.4f | %.4f | %s %.3f |" % (lang, e["macro_f1"], e["accuracy"],
                                         lo[0], lo[1]["f1"]))
p("")
if "confusion" in default and "labels" in default:
    labs = default["labels"]
    p("Confusion (rows: true label, columns: predicted):")
    p("")
    p("| true \\ predicted | " + " | ".join(labs) + " |")
    p("|---|" + "---:|" * len(labs))
    for l, row in zip(labs, default["confusion"]):
        p("| %s | " % l + " | ".join(str(x) for x in row) + " |")
    p("")
preds = [json.loads(l) for l in open(os.path.join(W, "default.pred"))]
trues = [r["label"] for r in rows(os.path.join(W, "held", "test.csv"))]
if len(preds) == len(trues):
    wrong = [o for o, t in zip(preds, trues) if o["category"] != t]
    right = [o for o, t in zip(preds, trues) if o["category"] == t]
    p("`candor classify` \"uncertain\" flag (confidence below the config's "
      "min_confidence): %d of %d errors flagged (%.0f%%), %d of %d correct "
      "answers flagged (%.0f%%)." % (
          sum(o["uncertain"] for o in wrong), len(wrong),
          100.0 * sum(o["uncertain"] for o in wrong) / max(1, len(wrong)),
          sum(o["uncertain"] for o in right), len(right),
          100.0 * sum(o["uncertain"] for o in right) / max(1, len(right))))
    p("")
p("### Per-class F1, all models")
p("")
labels = sorted(default["classes"])
p("| class | " + " | ".join(m["name"] for m in models) + " |")
p("|---|" + "---:|" * len(models))
for l in labels:
    p("| %s | " % l + " | ".join("%.3f" % m["classes"].get(l, {}).get("f1", 0)
                                  for m in models) + " |")
p("")
lo = min(default["classes"].items(), key=lambda kv: kv[1]["f1"])
p("Lowest per-class F1 of the default model: %s %.3f (%s)." % (
    lo[0], lo[1]["f1"], "no category collapses" if lo[1]["f1"] >= 0.5
    else "a category is close to collapsing"))
EOF
