#!/usr/bin/env bash
# bench/realdata/indomain.sh - candor against scikit-learn and fastText
# in-domain on each real set: a seeded, stratified 80/20 split of the same
# set (its own labels), trained on the 80% and scored on the 20%.
#
#   bash bench/realdata/indomain.sh SETS_DIR [CANDOR_TRAIN_OPTION...]
#
# SETS_DIR is the sets/ folder that bench/realdata/build.py writes (one
# text,label CSV per real dataset; the data stays outside the repository).
# Options after it are passed to `candor train` (e.g. --complement); a
# second candor row has its options (multinomial, --complement or
# --complement --norm; alpha 0.1, 0.3, 0.5 or 1) chosen by 5-fold CV on the
# training part, as the scikit-learn rows choose alpha.
# Peers: bench/peers.py (MultinomialNB, ComplementNB with alpha 1.0 and by
# 5-fold CV on the 80%, TF-IDF+LinearSVC) and fastText (-epoch 25
# -wordNgrams 2 -thread 1).  Prints a Markdown table of macro-F1 per set and
# model, then the mean over sets.  Progress to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
[[ ${1:-} == -h || ${1:-} == --help || $# -lt 1 ]] && { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
SETS=$1; shift
OPTS=("$@")
[[ -d $SETS ]] || { echo "indomain.sh: no folder $SETS" >&2; exit 66; }
CANDOR=${CANDOR:-$ROOT/build/candor}
[[ -x $CANDOR ]] || { echo "indomain.sh: build candor first ($CANDOR)" >&2; exit 69; }
bash "$ROOT/.ci/deps" python3-sklearn fasttext >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/candor-indomain.XXXXXX")
trap 'rm -rf "$W"' EXIT
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for set in "$SETS"/*.csv; do
  name=$(basename "$set" .csv)
  S=$W/$name
  log "$name"
  "$PY" "$ROOT/bench/split.py" --seed 1 --test-frac 0.2 "$S" "$set" 2>/dev/null
  "$CANDOR" -q train "${OPTS[@]}" -o "$S/candor.model" "$S/train.csv"
  "$CANDOR" -q -m "$S/candor.model" classify "$S/test.jsonl" > "$S/candor.pred"
  "$PY" "$ROOT/bench/peers.py" score "candor ${OPTS[*]}" "$S/test.csv" "$S/candor.pred" \
    | sed "s/^{/{\"set\": \"$name\", /" >> "$W/res.jsonl"
  # candor with its options chosen by 5-fold CV on the training part only,
  # as the sklearn rows choose alpha (the test part is never looked at)
  best=-1 bopt=""
  for kind in "" "--complement" "--complement --norm"; do
    for a in 0.1 0.3 0.5 1; do
      f1=$("$CANDOR" -q eval -k 5 --seed 1 --json $kind --alpha $a "$S/train.csv" \
           | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["macro_f1"])')
      if "$PY" -c "import sys; sys.exit(not $f1 > $best)"; then best=$f1 bopt="$kind --alpha $a"; fi
    done
  done
  log "  candor by CV: $bopt (CV macro-F1 $best)"
  "$CANDOR" -q train $bopt -o "$S/candor-cv.model" "$S/train.csv"
  "$CANDOR" -q -m "$S/candor-cv.model" classify "$S/test.jsonl" > "$S/candor-cv.pred"
  "$PY" "$ROOT/bench/peers.py" score "candor, options by CV" "$S/test.csv" "$S/candor-cv.pred" \
    | sed "s/^{/{\"set\": \"$name\", \"params\": \"${bopt# }\", /" >> "$W/res.jsonl"
  "$PY" "$ROOT/bench/peers.py" sklearn "$S/train.csv" "$S/test.csv" --seed 1 \
    | sed "s/^{/{\"set\": \"$name\", /" >> "$W/res.jsonl"
  fasttext supervised -input "$S/train.ft" -output "$S/ft" -epoch 25 -wordNgrams 2 -thread 1 -verbose 0
  fasttext predict "$S/ft.bin" "$S/test.ft.txt" > "$S/ft.pred"
  "$PY" "$ROOT/bench/peers.py" score "fastText" "$S/test.csv" "$S/ft.pred" \
    | sed "s/^{/{\"set\": \"$name\", /" >> "$W/res.jsonl"
done

"$PY" - "$W/res.jsonl" <<'EOF'
import collections, json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in rows:   # the alpha CV picked differs per set: one row per model
    r["name"] = re.sub(r"a=[0-9.]+ \(CV\)", "alpha by CV", r["name"])
sets = sorted(set(r["set"] for r in rows))
names = list(collections.OrderedDict((r["name"], 1) for r in rows))
f1 = {(r["set"], r["name"]): r["macro_f1"] for r in rows}
chosen = {r["set"]: r["params"] for r in rows if r["name"] == "candor, options by CV"}
print("| model | " + " | ".join(sets) + " | mean |")
print("|---|" + "---:|" * (len(sets) + 1))
for n in names:
    v = [f1.get((s, n)) for s in sets]
    mean = sum(x for x in v if x is not None) / max(1, sum(x is not None for x in v))
    print("| %s | " % n + " | ".join("%.4f" % x if x is not None else "-" for x in v)
          + " | %.4f |" % mean)
print()
print("candor's options chosen by CV: " +
      "; ".join("%s: `%s`" % (s, chosen[s]) for s in sets if s in chosen))
EOF
