#!/usr/bin/env bash
# bench/monitor_bench.sh - how fast and how well `candor monitor` finds a
# crisis, on synthetic streams with known, injected spikes.
#
#   bash bench/monitor_bench.sh [--build DIR] [--seeds N] [--weeks N] [--big N]
#                               [--hours "H..."] [--no-speed] [--real FILE]
#
# Streams come from bench/monitor_gen.py: seven categories at fixed base
# rates (complaint 120/h, fake_news 30, competitor_attack 20, question 150,
# toxic 40, spam 60, other 400), a daily cycle of +-60% (peak 15:00 UTC)
# and Poisson noise per minute.  With the shipped defaults:
#  1. false alarms: --weeks seeded weeks with no spike (default: --seeds), alert lines
#     (watch or above) per week, counting from the cold start and from day 3;
#  2. step spikes: each negative category at 5x for an hour, starting on
#     day 4 at 03:00, 09:00, 15:00 and 21:00, N seeds: the delay from the
#     spike's start to the first alert line on it, and the level reached
#     (--hours "3 15" picks the start hours);
#  3. slow rises: each negative category doubling every 2 hours (capped at
#     8x) from day 4 at 00:00, 06:00, 12:00 and 18:00, N seeds: the delay
#     from the moment the rate crosses 3x (190 minutes in) to the first
#     alert line (negative: before it crossed);
#  4. speed: --big records (default 2,000,000) of real suggestion records
#     (`candor suggest` over bench/data/heldout.csv, human-written comments
#     held out of training, re-dated by the generator; or, with --real
#     FILE, over the first --big lines of FILE, one real comment a line,
#     dated 0.6 s apart) through `candor monitor --replay` on one core
#     (taskset -c 0): records per second of CPU time (user + system) and
#     wall time, peak RSS at --big/10 and --big records (flat memory), the
#     load average around it, and instructions per record (callgrind, when
#     valgrind is installed); --no-speed skips it.
# Each detection table ends with how many trials met the target.
# The markdown summary goes to stdout, progress to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
SEEDS=3
WEEKS=
SPEED=1
BIG=2000000
REAL=
STEP_HOURS="3 9 15 21"
RISE_HOURS="0 6 12 18"
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --weeks) WEEKS=$2; shift 2 ;;
    --no-speed) SPEED=0; shift ;;
    --big) BIG=$2; shift 2 ;;
    --real) REAL=$2; shift 2 ;;
    --hours) STEP_HOURS=$2; RISE_HOURS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;p;}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "monitor_bench: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
WEEKS=${WEEKS:-$SEEDS}
C=$BUILD/candor
GEN=$ROOT/bench/monitor_gen.py
EVAL=$ROOT/bench/monitor_eval.py
T0=1767225600                   # the generator's 2026-01-01T00:00:00Z
W=$(mktemp -d /tmp/monitor-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
NEG=(complaint fake_news competitor_attack toxic)
declare -A BASE=([complaint]=120 [fake_news]=30 [competitor_attack]=20 [toxic]=40)

say() { echo "monitor_bench: $*" >&2; }
field() { python3 -c "import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print('none' if v is None else v)" "$1" "$2"; }
# expected records of CAT in a 5-minute window at hour H of the day
per_window() { python3 -c "import math,sys; b,h=float(sys.argv[1]),float(sys.argv[2]); print('%.1f' % (b*(1+0.6*math.sin(2*math.pi*(h-9)/24))/12))" "$1" "$2"; }

echo "## candor monitor: detection on synthetic streams"
echo
echo "Method, parameters and defaults: docs/commands/monitor.md. Command:"
echo "\`bash bench/monitor_bench.sh --seeds $SEEDS --weeks $WEEKS --big $BIG --hours \"$STEP_HOURS\"\`."
echo

# 1. false alarms
say "false alarms: $WEEKS weeks"
echo "### False alarms (7 days, daily cycle, Poisson noise, no spike)"
echo
echo "| seed | records | alert lines, whole week | from day 3 |"
echo "|---|---|---|---|"
fa_total=0
for ((s = 1; s <= WEEKS; s++)); do
  python3 "$GEN" --days 7 --seed $((100 + s)) >"$W/week.jsonl"
  "$C" monitor --replay "$W/week.jsonl" >"$W/a.jsonl"
  all=$(field "$(python3 "$EVAL" "$W/a.jsonl")" false)
  late=$(field "$(python3 "$EVAL" "$W/a.jsonl" --after $((T0 + 2 * 86400)))" false)
  echo "| $((100 + s)) | $(wc -l <"$W/week.jsonl") | $all | $late |"
  fa_total=$((fa_total + all))
done
echo
echo "$fa_total alert lines in $WEEKS weeks (target: at most 1 a week)."
echo

# 2. step spikes
say "step spikes"
echo "### 5x step for one hour (window 5 minutes)"
echo
echo "Delay: seconds from the spike's start (on a window edge) to the first"
echo "alert line on that category; 600 = within 2 windows."
echo
echo "| category | start (UTC) | usual per window | delays (seeds) | first level | highest level | other alerts |"
echo "|---|---|---|---|---|---|---|"
step_ok=0 step_n=0
for cat in "${NEG[@]}"; do
  for h in $STEP_HOURS; do
    delays=() first=() top=() other=0
    for ((s = 1; s <= SEEDS; s++)); do
      python3 "$GEN" --days 4 --seed $((200 + s)) --spike "$cat:$((72 + h)):5:60" >"$W/s.jsonl" 2>/dev/null
      "$C" monitor --replay "$W/s.jsonl" >"$W/a.jsonl"
      r=$(python3 "$EVAL" "$W/a.jsonl" --series "$cat" --from $((T0 + (72 + h) * 3600)) --after $((T0 + 2 * 86400)))
      d=$(field "$r" delay)
      delays+=("$d")
      step_n=$((step_n + 1))
      [[ $d != none && $d -le 600 ]] && step_ok=$((step_ok + 1))
      first+=("$(field "$r" first_level)")
      top+=("$(field "$r" max_level)")
      other=$((other + $(field "$r" false)))
    done
    echo "| $cat | $(printf '%02d:00' $h) | $(per_window "${BASE[$cat]}" $h) | ${delays[*]} | ${first[*]} | ${top[*]} | $other |"
  done
done
echo
echo "$step_ok of $step_n spikes alerted within 600 s (2 windows)."
echo

# 3. slow rises
say "slow rises"
echo "### Slow rise: doubling every 2 hours (3x after 190 minutes)"
echo
echo "Delay: seconds from the moment the rate crosses 3x to the first alert"
echo "line on that category (negative: before); 1800 = the target."
echo
echo "| category | rise starts (UTC) | usual per window at start | delays (seeds) | first level | highest level |"
echo "|---|---|---|---|---|---|"
rise_ok=0 rise_n=0
for cat in "${NEG[@]}"; do
  for h in $RISE_HOURS; do
    delays=() first=() top=()
    cross=$((T0 + (72 + h) * 3600 + 11413))   # 120 min * log2(3)
    for ((s = 1; s <= SEEDS; s++)); do
      python3 "$GEN" --days 4.25 --seed $((300 + s)) --rise "$cat:$((72 + h)):120:8" >"$W/r.jsonl" 2>/dev/null
      "$C" monitor --replay "$W/r.jsonl" >"$W/a.jsonl"
      r=$(python3 "$EVAL" "$W/a.jsonl" --series "$cat" --from $((T0 + (72 + h) * 3600)))
      d=$(field "$r" delay)
      [[ $d == none ]] || d=$((d + T0 + (72 + h) * 3600 - cross))
      delays+=("$d")
      rise_n=$((rise_n + 1))
      [[ $d != none && $d -le 1800 ]] && rise_ok=$((rise_ok + 1))
      first+=("$(field "$r" first_level)")
      top+=("$(field "$r" max_level)")
    done
    echo "| $cat | $(printf '%02d:00' $h) | $(per_window "${BASE[$cat]}" $h) | ${delays[*]} | ${first[*]} | ${top[*]} |"
  done
done
echo
echo "$rise_ok of $rise_n rises alerted within 1800 s of crossing 3x."
echo
[[ $SPEED == 1 ]] || exit 0

# 4. speed
say "speed: a pool of real suggestion records"
if [[ -n $REAL ]]; then
  # --real FILE: one real comment a line, the first --big of them, each
  # dated 0.6 s after the last (a week per million)
  python3 - "$REAL" "$BIG" >"$W/comments.jsonl" <<'EOF'
import json, sys, time
n, want = 0, int(sys.argv[2])
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line:
            continue
        ts = 1767225600 + int(n * 0.6)
        print(json.dumps({"id": "c%d" % n, "text": line, "created_at":
                          time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))},
                         ensure_ascii=False))
        n += 1
        if n == want:
            break
EOF
  "$C" suggest "$W/comments.jsonl" >"$W/big.jsonl"
  distinct=$(python3 -c "import json,sys; print(len({json.loads(l)['text'] for l in open(sys.argv[1], encoding='utf-8')}))" "$W/comments.jsonl")
  what="real comments, the first lines of $REAL ($distinct distinct texts), through \`candor suggest\`, dated 0.6 s apart"
else
  python3 - "$ROOT/bench/data/heldout.csv" >"$W/heldout.jsonl" <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        print(json.dumps({"text": row["text"]}, ensure_ascii=False))
EOF
  "$C" suggest "$W/heldout.jsonl" >"$W/pool.jsonl"
  days=$(python3 -c "print($BIG / (820 * 24 * 4))")
  python3 "$GEN" --days "$days" --scale 4 --seed 7 --pool "$W/pool.jsonl" >"$W/big.jsonl"
  what="$(wc -l <"$W/pool.jsonl") distinct human-written comments from bench/data/heldout.csv through \`candor suggest\`, re-dated by the generator at 4x the base rates"
fi
head -n $((BIG / 10)) "$W/big.jsonl" >"$W/tenth.jsonl"
n=$(wc -l <"$W/big.jsonl")
bytes=$(wc -c <"$W/big.jsonl")
echo "### Replay speed (one core)"
echo
echo "$n suggestion records ($((bytes / n)) bytes each on average; $what),"
echo "best of 3 runs; load average (\`uptime\`) before: $(uptime | sed 's/.*load average: //')"
echo
echo "| records | wall s | CPU s | records/s (CPU) | records/s (wall) | peak RSS |"
echo "|---|---|---|---|---|---|"
for f in tenth big; do
  best=""
  for rep in 1 2 3; do
    /usr/bin/time -f '%e %U %S %M' -o "$W/t" taskset -c 0 "$C" monitor --replay "$W/$f.jsonl" >/dev/null
    read -r e u sy m <"$W/t"
    cpu=$(python3 -c "print($u + $sy)")
    if [[ -z $best ]] || python3 -c "import sys; sys.exit(0 if $cpu < ${best%% *} else 1)"; then
      best="$cpu $e $m"
    fi
  done
  read -r cpu e m <<<"$best"
  k=$(wc -l <"$W/$f.jsonl")
  echo "| $k | $e | $cpu | $(python3 -c "print('%.2fM' % ($k / max($cpu, 1e-9) / 1e6))") | $(python3 -c "print('%.2fM' % ($k / max($e, 1e-9) / 1e6))") | $((m / 1024)) MB |"
done
echo
echo "Load average after: $(uptime | sed 's/.*load average: //')."
# instructions per record: counted, so the load does not change them
if command -v valgrind >/dev/null; then
  head -n 100000 "$W/big.jsonl" >"$W/i.jsonl"
  ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$C" monitor --replay "$1" 2>&1 >/dev/null | sed -n 's/.*refs: *//p' | tr -d ,; }
  i1=$(ir "$W/i.jsonl")
  i0=$(ir /dev/null)
  k=$(wc -l <"$W/i.jsonl")
  echo
  echo "Instructions per record (valgrind --tool=callgrind over the first $k"
  echo "records, less those of an empty input): $(( (i1 - i0) / k ))."
else
  echo
  echo "Instructions per record: not measured (valgrind is not installed)."
fi
