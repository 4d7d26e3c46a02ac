# bench/lib.sh - what the benchmark scripts share; sourced by bench/run.sh,
# bench/realtext.sh and bench/heldout.sh (after setting ROOT to the source
# tree); tests/cli/bench_lib.sh checks it.
#
#   log MSG...            a progress line with the time, on stderr
#   bench_candor          CANDOR (default $ROOT/build/candor), built first
#                         when it is missing
#   bench_workdir NAME    W: a new folder candor-NAME.XXXXXX in $TMPDIR
#                         (/tmp), removed at exit unless KEEP=1; RES, the
#                         raw results, $W/results.jsonl (empty)
#   timed CMD...          runs CMD under GNU time (/usr/bin/time, package
#                         `time`); sets T_WALL (s, ms resolution, from
#                         date), T_USER, T_SYS (s) and T_RSS (KB: %M, the
#                         "Maximum resident set size" of `time -v`); CMD's
#                         own stdout and stderr are left alone

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bench_candor() {
  CANDOR=${CANDOR:-$ROOT/build/candor}
  if [[ ! -x $CANDOR ]]; then
    log "building candor"
    cmake -S "$ROOT" -B "$ROOT/build" >&2 && cmake --build "$ROOT/build" -j2 >&2
  fi
}

bench_cleanup() {
  if [[ ${KEEP:-0} -eq 1 ]]; then log "work files kept in $W"; else rm -rf "$W"; fi
}

bench_workdir() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/candor-$1.XXXXXX")
  trap bench_cleanup EXIT
  RES=$W/results.jsonl
  : > "$RES"
}

timed() {
  local t0 t1 out=$W/time.out
  t0=$(date +%s%N)
  /usr/bin/time -o "$out" -f '%U %S %M' "$@"
  t1=$(date +%s%N)
  T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  read -r T_USER T_SYS T_RSS < <(tail -n 1 "$out")
}
