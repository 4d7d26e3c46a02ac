#!/usr/bin/env bash
# bench/lib.sh, the helpers the benchmark scripts share: `timed` measures
# what it runs (wall time, CPU time, peak memory) and leaves its output
# alone; `bench_workdir` makes the work folder and removes it at exit
# unless KEEP=1; `bench_candor` keeps a given binary; `log` stamps the
# time.  And run.sh, realtext.sh and heldout.sh take them from there.
. "$(dirname "$0")/lib.sh"
ROOT=$SRC

# timed, in a script of its own so its trap and variables are fresh
cat >"$TMP/t.sh" <<'EOS'
ROOT=$1 KEEP=$2
. "$ROOT/bench/lib.sh"
bench_workdir libtest
echo "W=$W"
[[ -d $W && -f $RES && ! -s $RES ]] && echo "workdir ok"
timed python3 -c 'import time; b = bytearray(80 << 20); t = time.process_time()
while time.process_time() - t < 0.4: pass
time.sleep(0.3); print("child out")'
echo "wall=$T_WALL user=$T_USER sys=$T_SYS rss=$T_RSS"
CANDOR=/bin/true
bench_candor
echo "candor=$CANDOR"
log "a progress line"
EOS
bash "$TMP/t.sh" "$SRC" 0 >"$TMP/out" 2>"$TMP/err"
W=$(sed -n 's/^W=//p' "$TMP/out")
check "bench_workdir: a folder named for the script, RES empty" grep -q '^workdir ok$' "$TMP/out"
check "bench_workdir: under TMPDIR as candor-NAME.*" bash -c '[[ $1 == "${TMPDIR:-/tmp}"/candor-libtest.* ]]' _ "$W"
check "bench_workdir: removed at exit (KEEP=0)" [ ! -e "$W" ]
check "timed: the command's stdout passes through" grep -q '^child out$' "$TMP/out"
read -r wall user sys rss < <(sed -n 's/^wall=\([^ ]*\) user=\([^ ]*\) sys=\([^ ]*\) rss=\([^ ]*\)$/\1 \2 \3 \4/p' "$TMP/out")
check "timed: T_WALL ${wall:-unset} s covers the 0.7 s run" awk -v w="${wall:-0}" 'BEGIN { exit !(w >= 0.7 && w < 10) }'
check "timed: T_USER + T_SYS (${user:-unset} + ${sys:-unset} s) count the 0.4 s of CPU, not the sleep" \
	awk -v u="${user:-0}" -v s="${sys:-0}" -v w="${wall:-0}" 'BEGIN { exit !(u + s >= 0.38 && u + s < w - 0.2 && u > 0.1) }'
check "timed: T_SYS ${sys:-unset} is a number" bash -c '[[ $1 =~ ^[0-9]+\.[0-9]+$ ]]' _ "${sys:-x}"
check "timed: T_RSS ${rss:-unset} KB holds the 80 MiB buffer" awk -v r="${rss:-0}" 'BEGIN { exit !(r >= 80 * 1024 && r < 400 * 1024) }'
check "bench_candor: a given CANDOR is kept, nothing built" grep -q '^candor=/bin/true$' "$TMP/out"
check "log: [HH:MM:SS] message on stderr" grep -Eq '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\] a progress line$' "$TMP/err"

bash "$TMP/t.sh" "$SRC" 1 >"$TMP/out" 2>"$TMP/err"
W=$(sed -n 's/^W=//p' "$TMP/out")
check "KEEP=1: the work folder stays and is named" [ -d "$W" ] && grep -q "work files kept in $W" "$TMP/err"
rm -rf "$W"

# the scripts use these, not copies of their own
for s in run realtext heldout; do
	check "bench/$s.sh sources bench/lib.sh" grep -q '^\. "\$ROOT/bench/lib.sh"$' "$SRC/bench/$s.sh"
	check "bench/$s.sh defines no log or timed of its own" bash -c "! grep -Eq '^(log|timed)\(\)' '$SRC/bench/$s.sh'"
done
finish
