#!/usr/bin/env bash
# bench/realtext.sh - candor's speed against fastText and `wc -w` on many
# distinct REAL comments, in one run (issue 16; docs/performance.md, "Speed
# on real text").
#
#   bash bench/realtext.sh [--data DIR] [--src DIR] [--reps R] [--cache-reps C]
#                          [--no-10m] [--no-jobs] [--keep]
#
# DIR (--data, default /work/data/realtext) holds speed.txt, speed.csv and
# train.csv from bench/realtext/build.py; when speed.txt is missing they are
# built first from the fetched datasets in --src (default /work/data).
#  1. trains candor (`candor train`) and fastText (`fasttext supervised
#     -epoch 25 -thread 1`, and the same with `-wordNgrams 2`) on train.csv;
#  2. on ONE core (taskset -c 0), R rounds (default 3), the tools taking
#     turns, reads the real file (speed.txt: 1M lines) with `candor classify`,
#     `candor suggest`, `candor batch` (speed.csv, the same comments),
#     `fasttext predict` (both models) and `wc -w` (the floor); then the same
#     on a 1M-line file repeating 960 of those texts (the cache-friendly
#     case of bench/run.sh) in the first C rounds (default 1);
#  3. with `--jobs` (when candor has it, unless --no-jobs): classify,
#     suggest and batch with --jobs 1 and --jobs 2 on both cores, and checks
#     their outputs match;
#  4. peak RSS of classify and batch on 10M lines (the 1M file cycled ten
#     times through a pipe: a MEMORY check only; --jobs 2 when candor has
#     it), unless --no-10m; the 1M figures come from the timed runs.
# Progress goes to stderr, the markdown summary (bench/realtext/report.py)
# to stdout; BENCH_RESULTS=FILE keeps the raw JSON lines.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
DATA=/work/data/realtext
SRC=/work/data
REPS=3
CREPS=1
TEN=1
NOJOBS=0
KEEP=0

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --src) SRC=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --cache-reps) CREPS=$2; shift 2 ;;
    --no-10m) TEN=0; shift ;;
    --no-jobs) NOJOBS=1; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "realtext.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "realtext.sh: --reps needs a positive number" >&2; exit 2; }
[[ $CREPS =~ ^[0-9]+$ ]] || { echo "realtext.sh: --cache-reps needs a number" >&2; exit 2; }

# log, bench_candor, bench_workdir, timed
. "$ROOT/bench/lib.sh"

bash "$ROOT/.ci/deps" fasttext time
command -v taskset >/dev/null || { echo "realtext.sh: taskset (util-linux) missing" >&2; exit 1; }
bench_candor
if [[ ! -s $DATA/speed.txt || ! -s $DATA/speed.csv || ! -s $DATA/train.csv ]]; then
  log "building $DATA from $SRC"
  "$PY" "$ROOT/bench/realtext/build.py" --src "$SRC" --out "$DATA" >&2
fi
TXT=$DATA/speed.txt CSV=$DATA/speed.csv
N=$(wc -l < "$TXT")

bench_workdir realtext
load1() { cut -d' ' -f1 /proc/loadavg; }
record() {  # record KIND NAME INPUT N REP [EXTRA-JSON]
  printf '{"kind":"%s","name":"%s","input":"%s","n":%d,"rep":%d,"wall_s":%s,"user_s":%s,"sys_s":%s,"rss_kb":%s,"load1":%s%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "$T_WALL" "$T_USER" "$T_SYS" "$T_RSS" "$(load1)" "${6:+,$6}" >> "$RES"
}

# --- 1. models ---------------------------------------------------------------
log "training candor and fastText on $(($(wc -l < "$DATA/train.csv") - 1)) rows of $DATA/train.csv"
timed "$CANDOR" -q train -o "$W/candor.model" "$DATA/train.csv"
record train "candor train" train.csv 0 1
# fastText reads `__label__L text`, lowercased with punctuation split off
# (bench/split.py's ft_norm, as in bench/run.sh)
"$PY" - "$ROOT/bench" "$DATA/train.csv" "$W/train.ft" <<'EOF'
import csv, sys
sys.path.insert(0, sys.argv[1])
from split import ft_norm
with open(sys.argv[2], newline="", encoding="utf-8") as fi, \
        open(sys.argv[3], "w", encoding="utf-8") as fo:
    for r in csv.DictReader(fi):
        fo.write("__label__%s %s\n" % (r["label"], ft_norm(r["text"])))
EOF
FT1=(-epoch 25 -thread 1)
FT2=(-epoch 25 -wordNgrams 2 -thread 1)
timed fasttext supervised -input "$W/train.ft" -output "$W/ft1" "${FT1[@]}" -verbose 0
record train "fasttext supervised ${FT1[*]}" train.ft 0 1
timed fasttext supervised -input "$W/train.ft" -output "$W/ft2" "${FT2[@]}" -verbose 0
record train "fasttext supervised ${FT2[*]}" train.ft 0 1

# --- the cache-friendly file: 960 of the same texts, repeated -----------------
"$PY" - "$TXT" "$W/rep.txt" "$W/rep.csv" "$N" <<'EOF'
import csv, sys
texts, seen = [], set()
with open(sys.argv[1], encoding="utf-8") as fh:
    for line in fh:
        t = line.rstrip("\n")
        if t not in seen and not (not texts and t.lstrip().startswith("{")):
            seen.add(t)
            texts.append(t)
            if len(texts) == 960:
                break
n = int(sys.argv[4])
with open(sys.argv[2], "w", encoding="utf-8") as ft, \
        open(sys.argv[3], "w", encoding="utf-8", newline="") as fc:
    w = csv.writer(fc, lineterminator="\n")
    w.writerow(["id", "text"])
    for i in range(n):
        ft.write(texts[i % len(texts)] + "\n")
        w.writerow([i + 1, texts[i % len(texts)]])
EOF

# the commands that take --jobs N (one core: --jobs 1, said explicitly)
JOBS_CMDS=()
for cmd in classify suggest batch; do
  if "$CANDOR" $cmd --help 2>&1 | grep -q -- '--jobs'; then JOBS_CMDS+=($cmd); fi
done
HAVE_JOBS=0; [[ ${#JOBS_CMDS[@]} -gt 0 ]] && HAVE_JOBS=1
RUN_JOBS=$HAVE_JOBS; [[ $NOJOBS -eq 1 ]] && RUN_JOBS=0
has_jobs() { [[ " ${JOBS_CMDS[*]} " == *" $1 "* ]]; }
J1c=(); has_jobs classify && J1c=(--jobs 1)
J1s=(); has_jobs suggest && J1s=(--jobs 1)
J1b=(); has_jobs batch && J1b=(--jobs 1)
M=(-q -m "$W/candor.model")

# --- sanity, untimed: every tool answers every line ---------------------------
log "checking that each tool answers all $N lines"
got=$("$CANDOR" "${M[@]}" classify "${J1c[@]}" "$TXT" | wc -l)
[[ $got -eq $N ]] || { echo "realtext.sh: candor classify wrote $got lines for $N" >&2; exit 1; }
got=$("$CANDOR" "${M[@]}" batch "${J1b[@]}" --no-progress "$CSV" | "$PY" -c \
  'import csv,sys; print(sum(1 for _ in csv.reader(sys.stdin)) - 1)')
[[ $got -eq $N ]] || { echo "realtext.sh: candor batch wrote $got rows for $N" >&2; exit 1; }
got=$(fasttext predict "$W/ft1.bin" "$TXT" | wc -l)
[[ $got -eq $N ]] || { echo "realtext.sh: fasttext predict wrote $got lines for $N" >&2; exit 1; }

# speed_once NAME INPUT REP CMD...: one run on core 0, output to /dev/null
speed_once() {
  local name=$1 input=$2 r=$3; shift 3
  timed taskset -c 0 "$@" > /dev/null
  record speed "$name" "$input" "$N" "$r"
  log "  $name ($input) run $r: ${T_WALL}s (CPU ${T_USER}+${T_SYS}s), peak RSS ${T_RSS} KB, load $(load1)"
}
jobs_once() {  # jobs_once NAME J REP CMD...: both cores
  local name=$1 j=$2 r=$3; shift 3
  timed taskset -c 0,1 "$@" > /dev/null
  record jobs "$name" real "$N" "$r" "\"jobs\":$j"
  log "  $name --jobs $j run $r: ${T_WALL}s (CPU ${T_USER}+${T_SYS}s), peak RSS ${T_RSS} KB, load $(load1)"
}

# --- 2./3. speed: the tools take turns, one run each per round -----------------
for ((r = 1; r <= REPS; r++)); do
  log "round $r of $REPS (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  inputs=(real)
  [[ $r -le $CREPS ]] && inputs+=(repeated)
  for input in "${inputs[@]}"; do
    if [[ $input == real ]]; then t=$TXT c=$CSV; else t=$W/rep.txt c=$W/rep.csv; fi
    speed_once "candor classify" $input $r "$CANDOR" "${M[@]}" classify "${J1c[@]}" "$t"
    speed_once "fasttext predict (${FT1[*]})" $input $r fasttext predict "$W/ft1.bin" "$t"
    speed_once "candor batch" $input $r "$CANDOR" "${M[@]}" batch "${J1b[@]}" --no-progress "$c"
    speed_once "fasttext predict (${FT2[*]})" $input $r fasttext predict "$W/ft2.bin" "$t"
    speed_once "candor suggest" $input $r "$CANDOR" "${M[@]}" suggest "${J1s[@]}" "$t"
    speed_once "wc -w" $input $r wc -w "$t"
  done
  if [[ $RUN_JOBS -eq 1 ]]; then
    for cmd in "${JOBS_CMDS[@]}"; do
      in=$TXT opt=()
      [[ $cmd == batch ]] && in=$CSV opt=(--no-progress)
      for j in 1 2; do
        jobs_once "candor $cmd" $j $r "$CANDOR" "${M[@]}" $cmd --jobs $j "${opt[@]}" "$in"
      done
    done
  fi
done

# --jobs 2 must write what --jobs 1 writes, byte for byte
SAME="{}"
if [[ $RUN_JOBS -eq 1 ]]; then
  SAME="{"
  for cmd in "${JOBS_CMDS[@]}"; do
    in=$TXT opt=()
    [[ $cmd == batch ]] && in=$CSV opt=(--no-progress)
    a=$("$CANDOR" "${M[@]}" $cmd --jobs 1 "${opt[@]}" "$in" | sha256sum)
    b=$("$CANDOR" "${M[@]}" $cmd --jobs 2 "${opt[@]}" "$in" | sha256sum)
    same=True
    if [[ $a != "$b" ]]; then same=False; log "  $cmd: --jobs 2 output DIFFERS from --jobs 1"; fi
    SAME+="\"candor $cmd\": $same, "
  done
  SAME+="}"
fi

# --- 4. peak memory at 10M lines (1M: the timed runs above) --------------------
# with --jobs 2 when candor has it (more in flight: the larger figure), else
# the single-core build
if [[ $TEN -eq 1 ]]; then
  ten_txt() { for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$TXT"; done; }
  ten_csv() { cat "$CSV"; for _ in 2 3 4 5 6 7 8 9 10; do tail -n +2 "$CSV"; done; }
  for cmd in classify batch; do
    j=1 jo=()
    has_jobs $cmd && j=2 jo=(--jobs 2)
    log "memory: $cmd on 10M lines (the 1M file ten times), jobs $j"
    if [[ $cmd == classify ]]; then
      timed taskset -c 0,1 "$CANDOR" "${M[@]}" classify "${jo[@]}" - < <(ten_txt) > /dev/null
    else
      timed taskset -c 0,1 "$CANDOR" "${M[@]}" batch "${jo[@]}" --no-progress - < <(ten_csv) > /dev/null
    fi
    record mem "candor $cmd" "real x10" $((10 * N)) 1 "\"jobs\":$j"
  done
fi

# --- summary -----------------------------------------------------------------------
"$PY" - "$RES" <<EOF
import json, os, sys
cpu = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()
meta = {"kind": "meta", "n": $N, "reps": $REPS, "cache_reps": $CREPS, "have_jobs": bool($RUN_JOBS), "jobs_cmds": "${JOBS_CMDS[*]}".split(),
        "jobs_identical": $SAME,
        "data": "$DATA", "train_rows": $(($(wc -l < "$DATA/train.csv") - 1)),
        "speed_bytes": os.path.getsize("$TXT"),
        "candor_model_bytes": os.path.getsize("$W/candor.model"),
        "ft1_model_bytes": os.path.getsize("$W/ft1.bin"),
        "ft2_model_bytes": os.path.getsize("$W/ft2.bin"),
        "cpu": cpu, "nproc": os.cpu_count(),
        "candor": os.popen("'$CANDOR' --version 2>&1").read().strip(),
        "commit": os.popen("git -C '$ROOT' rev-parse --short HEAD 2>/dev/null").read().strip()}
print(json.dumps(meta), file=open(sys.argv[1], "a"))
EOF
"$PY" "$ROOT/bench/realtext/report.py" "$RES"
if [[ -n ${BENCH_RESULTS:-} ]]; then cp "$RES" "$BENCH_RESULTS"; log "raw results copied to $BENCH_RESULTS"; fi
