#!/usr/bin/env bash
# bench/run.sh - candor against scikit-learn and fastText, in one run.
#
#   bash bench/run.sh [DATA.csv...] [--big N] [--seed S] [--reps R] [--keep]
#
# DATA: labelled CSV (header; text,label[,lang]); default config/corpus/*.csv.
#  1. a seeded stratified 80/20 train/test split (bench/split.py);
#  2. quality on that split: candor (defaults, and --complement), sklearn
#     MultinomialNB / ComplementNB on word 1-2 gram counts (alpha 1.0 and
#     alpha chosen by 5-fold CV on the train part), TF-IDF + LinearSVC,
#     fastText supervised (-epoch 25 -wordNgrams 2 -thread 1): macro-F1,
#     accuracy, training time;
#  3. speed on ONE core (taskset -c 0): a file of N comments (default
#     1,000,000) made by repeating the test texts, `candor classify FILE
#     >/dev/null` against `fasttext predict MODEL FILE >/dev/null`; median
#     of R runs (default 3), the tools taking turns run by run, and the
#     fastest run of each as a second ratio;
#     plus the whole pipeline on the same comments: `candor batch` (CSV
#     in and out: classify, draft, tone check) and `candor suggest`;
#  4. peak RSS (/usr/bin/time -f %M) of each, on N/10 and N comments.
# Progress goes to stderr; the markdown summary goes to stdout.
# Work files go to a temporary folder (fastText's model alone is ~800 MB),
# removed at the end unless --keep.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3             # Debian's python3 with python3-sklearn
BIG=1000000
SEED=42
REPS=3
KEEP=0
DATA=()

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --big) BIG=$2; shift 2 ;;
    --big=*) BIG=${1#*=}; shift ;;
    --seed) SEED=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) DATA+=("$1"); shift ;;
  esac
done
[[ $BIG =~ ^[0-9]+$ && $BIG -ge 10 ]] || { echo "run.sh: --big needs a number >= 10" >&2; exit 2; }
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps needs a positive number" >&2; exit 2; }
if [[ ${#DATA[@]} -eq 0 ]]; then
  DATA=("$ROOT"/config/corpus/*.csv)
  echo "run.sh: no DATA given, using config/corpus/*.csv" >&2
fi
for f in "${DATA[@]}"; do [[ -r $f ]] || { echo "run.sh: cannot read $f" >&2; exit 66; }; done

# log, bench_candor, bench_workdir, timed
. "$ROOT/bench/lib.sh"

# --- peers and build -------------------------------------------------------
bash "$ROOT/.ci/deps" python3-sklearn fasttext time
bench_candor
command -v taskset >/dev/null || { echo "run.sh: taskset (util-linux) missing" >&2; exit 1; }
bench_workdir bench

# --- 1. split --------------------------------------------------------------
log "split (seed $SEED)"
"$PY" "$ROOT/bench/split.py" --seed "$SEED" --test-frac 0.2 "$W/split" "${DATA[@]}"
S=$W/split
NTRAIN=$(($(wc -l < "$S/train.csv") - 1))
NTEST=$(wc -l < "$S/test.txt")

# --- 2. quality ------------------------------------------------------------
for variant in default complement; do
  opt=(); [[ $variant == complement ]] && opt=(--complement)
  log "candor train/eval ($variant)"
  timed "$CANDOR" -q train "${opt[@]}" -o "$W/candor-$variant.model" "$S/train.csv"
  tw=$T_WALL trss=$T_RSS
  "$CANDOR" -q -m "$W/candor-$variant.model" eval --test "$S/test.csv" --json > "$W/eval-$variant.json"
  # the same predictions scored by the same code as the peers, as a cross-check
  "$CANDOR" -q -m "$W/candor-$variant.model" classify "$S/test.jsonl" > "$W/candor-$variant.pred"
  name="candor"; [[ $variant == complement ]] && name="candor --complement"
  "$PY" - "$W/eval-$variant.json" "$name" "$tw" "$trss" >> "$RES" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
print(json.dumps({"kind": "quality", "name": sys.argv[2],
                  "macro_f1": e["macro_f1"], "accuracy": e["accuracy"],
                  "train_s": float(sys.argv[3]), "train_rss_kb": int(sys.argv[4]),
                  "classes": e["classes"]}))
EOF
  "$PY" "$ROOT/bench/peers.py" score "check $name" "$S/test.csv" "$W/candor-$variant.pred" \
    | sed 's/^{/{"kind": "check", /' >> "$RES"
done

log "scikit-learn (MultinomialNB, ComplementNB, TF-IDF+LinearSVC)"
timed "$PY" "$ROOT/bench/peers.py" sklearn "$S/train.csv" "$S/test.csv" --seed "$SEED" > "$W/sklearn.jsonl"
sed 's/^{/{"kind": "quality", /' "$W/sklearn.jsonl" >> "$RES"
SK_RSS=$T_RSS

log "fastText supervised"
FT_OPTS=(-epoch 25 -wordNgrams 2 -thread 1)
timed fasttext supervised -input "$S/train.ft" -output "$W/ft" "${FT_OPTS[@]}" -verbose 0
ftw=$T_WALL ftrss=$T_RSS
fasttext predict "$W/ft.bin" "$S/test.ft.txt" > "$W/ft.pred"
"$PY" "$ROOT/bench/peers.py" score "fastText" "$S/test.csv" "$W/ft.pred" \
  | sed "s/^{/{\"kind\": \"quality\", \"train_s\": $ftw, \"train_rss_kb\": $ftrss, \"params\": \"${FT_OPTS[*]}\", /" >> "$RES"
FT_MODEL_BYTES=$(stat -c %s "$W/ft.bin")
CANDOR_MODEL_BYTES=$(stat -c %s "$W/candor-default.model")

# --- 3./4. speed and memory on one core ------------------------------------
SMALL=$((BIG / 10))
log "building speed files: $SMALL and $BIG comments from the $NTEST test texts"
"$PY" - "$S/test.txt" "$S/test.ft.txt" "$W" "$SMALL" "$BIG" <<'EOF'
import sys
raw = open(sys.argv[1], encoding="utf-8").read().splitlines()
ftn = open(sys.argv[2], encoding="utf-8").read().splitlines()
assert len(raw) == len(ftn) and raw
# candor tells text from JSONL by the first non-blank byte: start with a text
start = next(i for i, t in enumerate(raw) if not t.lstrip().startswith("{"))
for n in (int(sys.argv[4]), int(sys.argv[5])):
    for src, name in ((raw, "raw"), (ftn, "norm")):
        with open("%s/speed-%s-%d.txt" % (sys.argv[3], name, n), "w",
                  encoding="utf-8") as fh:
            for i in range(n):
                fh.write(src[(start + i) % len(src)] + "\n")
    # the same comments as a CSV export, for `candor batch`
    import csv
    with open("%s/speed-raw-%d.csv" % (sys.argv[3], n), "w",
              encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "text"])
        for i in range(n):
            w.writerow([i + 1, raw[(start + i) % len(raw)]])
EOF
# candor must answer every line (checked on the small file, untimed)
got=$("$CANDOR" -q -m "$W/candor-default.model" classify "$W/speed-raw-$SMALL.txt" | wc -l) || true
[[ $got -eq $SMALL ]] || log "WARNING: candor classify wrote $got lines for $SMALL comments"

# speed_once TOOL INPUT N REP CMD...: one run pinned to core 0, output to
# /dev/null, recorded as run REP
speed_once() {
  local tool=$1 input=$2 n=$3 r=$4; shift 4
  timed taskset -c 0 "$@" > /dev/null
  printf '{"kind":"speed","name":"%s","input":"%s","n":%d,"rep":%d,"wall_s":%s,"user_s":%s,"sys_s":%s,"rss_kb":%s}\n' \
    "$tool" "$input" "$n" "$r" "$T_WALL" "$T_USER" "$T_SYS" "$T_RSS" >> "$RES"
  log "  $tool ($input) n=$n run $r: ${T_WALL}s, peak RSS ${T_RSS} KB"
}
# speed TOOL INPUT N CMD...: REPS runs in a row
speed() {
  local tool=$1 input=$2 n=$3; shift 3
  local r
  for ((r = 1; r <= REPS; r++)); do
    speed_once "$tool" "$input" "$n" "$r" "$@"
  done
}
# The tools take turns, one run each per round: on a shared machine slow
# spells last seconds, and turns spread them over every tool instead of
# landing on whichever happened to run then.
for n in "$SMALL" "$BIG"; do
  log "speed, $n comments, core 0, $REPS rounds, the tools taking turns"
  for ((r = 1; r <= REPS; r++)); do
    speed_once "candor classify" raw "$n" "$r" "$CANDOR" -q -m "$W/candor-default.model" classify "$W/speed-raw-$n.txt"
    speed_once "fasttext predict" raw "$n" "$r" fasttext predict "$W/ft.bin" "$W/speed-raw-$n.txt"
    speed_once "fasttext predict" normalised "$n" "$r" fasttext predict "$W/ft.bin" "$W/speed-norm-$n.txt"
    # the whole pipeline: classify + template + fact + tone check + output
    speed_once "candor batch" csv "$n" "$r" "$CANDOR" -q -m "$W/candor-default.model" batch --no-progress "$W/speed-raw-$n.csv"
    speed_once "candor suggest" raw "$n" "$r" "$CANDOR" -q -m "$W/candor-default.model" suggest "$W/speed-raw-$n.txt"
  done
done
# one-comment runs: the fixed start-up cost (model load) of each
printf '%s\n' "$(head -n 1 "$W/speed-raw-$SMALL.txt")" > "$W/one.txt"
speed "candor classify" raw 1 "$CANDOR" -q -m "$W/candor-default.model" classify "$W/one.txt"
speed "fasttext predict" raw 1 fasttext predict "$W/ft.bin" "$W/one.txt"

# --- summary -----------------------------------------------------------------
"$PY" - "$RES" <<EOF
import json, sys
print(json.dumps({"kind": "meta", "data": ${#DATA[@]}, "train": $NTRAIN,
                  "test": $NTEST, "seed": $SEED, "big": $BIG, "small": $SMALL,
                  "reps": $REPS, "sklearn_rss_kb": $SK_RSS,
                  "candor_model_bytes": $CANDOR_MODEL_BYTES,
                  "fasttext_model_bytes": $FT_MODEL_BYTES,
                  "fasttext_opts": "${FT_OPTS[*]}",
                  "cpu": open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()}),
      file=open(sys.argv[1], "a"))
EOF
"$PY" "$ROOT/bench/report.py" "$RES"
if [[ -n ${BENCH_RESULTS:-} ]]; then cp "$RES" "$BENCH_RESULTS"; log "raw results copied to $BENCH_RESULTS"; fi
