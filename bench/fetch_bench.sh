#!/usr/bin/env bash
# fetch_bench.sh - `candor fetch tiktok` over the loopback fake server:
# N comments over N/100 pages, the CPU time spent in candor (user + system,
# not the time waiting on the server), its peak memory, and whether that
# memory stays flat as N grows (docs/performance.md).
#   usage: bench/fetch_bench.sh BUILD_DIR [N...]      (default 10000 100000)
set -euo pipefail
BUILD=${1:?usage: fetch_bench.sh BUILD_DIR [N...]}
shift
SIZES=("${@:-10000}")
[[ $# -gt 0 ]] || SIZES=(10000 100000)
SRC=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d /tmp/candor-fetch-bench.XXXXXX)
SRV=
trap '[[ -z $SRV ]] || kill -9 $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
printf '| comments | pages | wall s | candor CPU s (user+sys) | CPU µs per comment | peak RSS MB | lines out |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${SIZES[@]}"; do
	rm -f "$TMP/port"
	python3 "$SRC/tests/fake_tiktok.py" --port-file "$TMP/port" --video "77:$n" \
		--page-size 100 >/dev/null 2>&1 &
	SRV=$!
	for _ in $(seq 1 600); do [[ -s $TMP/port ]] && break; sleep 0.05; done
	port=$(cat "$TMP/port")
	printf '[tiktok]\napi_base = http://127.0.0.1:%s\nbusiness_id = b1\n[http]\nrate = 0\n' "$port" >"$TMP/c.ini"
	CANDOR_TIKTOK_TOKEN=tok-secret-123 /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" \
		"$BUILD/candor" -c "$TMP/c.ini" fetch tiktok --video 77 --max-count 100 >"$TMP/out"
	read -r wall user sys rss <"$TMP/time"
	lines=$(wc -l <"$TMP/out")
	cpu=$(echo "$user + $sys" | bc -l)
	printf '| %d | %d | %.2f | %.2f | %.1f | %.1f | %d |\n' "$n" $((n / 100)) "$wall" "$cpu" \
		"$(echo "$cpu * 1000000 / $n" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$lines"
	[[ $lines == "$n" ]] || { echo "fetch wrote $lines lines, not $n" >&2; exit 1; }
	kill -9 $SRV; wait $SRV 2>/dev/null || true; SRV=
done
