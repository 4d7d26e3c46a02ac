#!/usr/bin/env bash
# report_bench.sh - how long `candor report` takes and how much memory it
# holds, on N comments with a full journal and ledger (SYNTHETIC records
# from bench/report_data.py: shaped like real suggest/review/publish
# output, texts from the shipped corpus; they time the reading and
# counting, nothing about classification quality).
#
# usage: bench/report_bench.sh [CANDOR] [N...]   (default: build/candor,
#        100000 and 1000000).  Data go to ${REPORT_BENCH_DIR:-/tmp/candor-report-bench}.
# Prints one line per N: comments, input MB, seconds, max RSS MB.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CANDOR=${1:-$SRC/build/candor}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100000 1000000)
DIR=${REPORT_BENCH_DIR:-/tmp/candor-report-bench}
printf '%-10s %10s %9s %12s\n' comments input_MB seconds max_RSS_MB
for n in "${sizes[@]}"; do
	d=$DIR/$n
	[[ -s $d/truth.json ]] || python3 "$SRC/bench/report_data.py" "$n" "$d"
	mb=$(du -cm "$d"/*.jsonl | tail -1 | cut -f1)
	best=
	for run in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$d/time" "$CANDOR" report \
			"$d/suggestions.jsonl" "$d/journal.jsonl" "$d/ledger.jsonl" \
			-o "$d/report.html"
		read -r secs kb <"$d/time"
		if [[ -z $best ]] || awk "BEGIN{exit !($secs < ${best%% *})}"; then
			best="$secs $kb"
		fi
	done
	read -r secs kb <<<"$best"
	printf '%-10s %10s %9s %12s\n' "$n" "$mb" "$secs" "$((kb / 1024))"
done
