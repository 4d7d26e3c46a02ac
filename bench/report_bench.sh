#!/usr/bin/env bash
# report_bench.sh - how long `candor report` takes and how much memory it
# holds, on N comments with a full journal and ledger (SYNTHETIC records
# from bench/report_data.py: shaped like real suggest/review/publish
# output, texts from the shipped corpus; they time the reading and
# counting, nothing about classification quality).
#
# usage: bench/report_bench.sh [CANDOR] [N...]   (default: build/candor,
#        100000 and 1000000).  Data go to ${REPORT_BENCH_DIR:-/tmp/candor-report-bench}.
#        2000000 is made as docs/performance.md's 2M set: the 1M set twice,
#        the copy with every id changed (so 2,000,000 distinct comments).
# Prints one line per N (the run of three with the least CPU time):
# comments, input MB, wall seconds, CPU seconds (user + sys), max RSS MB
# and the 1-minute load average before the run (the machine may be
# shared: CPU time moves less with the load than wall time does).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
CANDOR=${1:-$SRC/build/candor}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(100000 1000000)
DIR=${REPORT_BENCH_DIR:-/tmp/candor-report-bench}
printf '%-10s %10s %9s %9s %12s %6s\n' comments input_MB wall_s cpu_s max_RSS_MB load
for n in "${sizes[@]}"; do
	d=$DIR/$n
	if [[ $n == 2000000 && ! -s $d/truth.json ]]; then
		one=$DIR/1000000
		[[ -s $one/truth.json ]] || python3 "$SRC/bench/report_data.py" 1000000 "$one"
		mkdir -p "$d"
		for f in suggestions journal ledger; do
			{ cat "$one/$f.jsonl"
			  sed 's/^{"id": "7/{"id": "8/' "$one/$f.jsonl"; } >"$d/$f.jsonl"
		done
		echo '{"note": "the 1M set twice, ids changed"}' >"$d/truth.json"
	fi
	[[ -s $d/truth.json ]] || python3 "$SRC/bench/report_data.py" "$n" "$d"
	mb=$(du -cm "$d"/*.jsonl | tail -1 | cut -f1)
	best=
	for run in 1 2 3; do
		load=$(cut -d' ' -f1 /proc/loadavg)
		/usr/bin/time -f '%e %U %S %M' -o "$d/time" "$CANDOR" report \
			"$d/suggestions.jsonl" "$d/journal.jsonl" "$d/ledger.jsonl" \
			-o "$d/report.html"
		read -r secs user sys kb <"$d/time"
		cpu=$(awk "BEGIN{printf \"%.2f\", $user + $sys}")
		if [[ -z $best ]] || awk "BEGIN{exit !($cpu < ${best%% *})}"; then
			best="$cpu $secs $kb $load"
		fi
	done
	read -r cpu secs kb load <<<"$best"
	printf '%-10s %10s %9s %9s %12s %6s\n' "$n" "$mb" "$secs" "$cpu" \
		"$((kb / 1024))" "$load"
done
