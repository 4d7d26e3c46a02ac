#!/usr/bin/env bash
# bench/fuzz_long.sh - a longer libFuzzer run of every harness (issue 20),
# one harness at a time, ASan + UBSan, for docs/fuzzing.md's figures.
#
#   nice -n 19 bench/fuzz_long.sh [-t SECONDS] [-o DIR] [-B BUILD] [NAME...]
#
#   -t SECONDS  per harness (default 200)
#   -o DIR      where the grown corpus (DIR/corpus/NAME), the crashes
#               (DIR/artifacts/NAME) and the logs go; keep it out of git
#               (default /work/data/fuzz-corpus)
#   -B BUILD    the clang build directory (default build-fuzz)
#   -T SECONDS  libFuzzer's -timeout per input (default 10, as in CI)
#   NAME...     only these harnesses (default: every one in the build)
#
# Each harness is rebuilt first (so a fix made during the run is fuzzed),
# then run from its grown corpus and the committed seeds
# (tests/fuzz/corpus/NAME) with the flags of CI's fuzzrun_* tests.  A
# markdown table of execs/s, coverage, corpus and findings goes to stdout;
# the exit status is 1 when any harness found something.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=200
OUT=/work/data/fuzz-corpus
BUILD=$ROOT/build-fuzz
TIMEOUT=10
while getopts t:o:B:T: o; do
	case $o in
	t) SECS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	B) BUILD=$OPTARG ;;
	T) TIMEOUT=$OPTARG ;;
	*) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
names=("$@")
if ((${#names[@]} == 0)); then
	mapfile -t names < <(sed -n '/^set(CANDOR_FUZZ_TARGETS/,/)/p' \
		"$ROOT/tests/fuzz/CMakeLists.txt" | tr -d '()' |
		sed 's/set\s*CANDOR_FUZZ_TARGETS//' | tr ' ' '\n' | sed '/^$/d')
fi
command -v clang >/dev/null || { echo "fuzz_long: clang is missing (.ci/deps)" >&2; exit 1; }
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCANDOR_FUZZ=ON >/dev/null || exit 1
export CANDOR_TONE_DIR=$ROOT/config/tone
# the journal and config harnesses write a file per input (fsynced)
[[ -w /dev/shm ]] && export TMPDIR=/dev/shm
found=0
echo "| harness | seconds | execs/s | coverage (edges) | features | corpus (files, KB) | findings |"
echo "|---|---:|---:|---:|---:|---:|---|"
for n in "${names[@]}"; do
	mkdir -p "$OUT/corpus/$n" "$OUT/artifacts/$n"
	if ! cmake --build "$BUILD" -j2 --target "fuzz_$n" >"$OUT/$n.build" 2>&1; then
		echo "| $n | | | | | | did not build (see $OUT/$n.build) |"
		found=1
		continue
	fi
	"$BUILD/tests/fuzz/fuzz_$n" "$OUT/corpus/$n" "$ROOT/tests/fuzz/corpus/$n" \
		-max_total_time="$SECS" -timeout="$TIMEOUT" -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 -artifact_prefix="$OUT/artifacts/$n/" \
		>"$OUT/$n.log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::average_exec_per_sec:\s*//p' "$OUT/$n.log")
	last=$(grep -E '^#[0-9]+\s+(DONE|REDUCE|NEW|pulse|INITED)' "$OUT/$n.log" | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	files=$(find "$OUT/corpus/$n" -type f | wc -l)
	kb=$(du -sk "$OUT/corpus/$n" | cut -f1)
	arts=$(find "$OUT/artifacts/$n" -type f | wc -l)
	what="none"
	if ((st != 0 || arts > 0)); then
		what="exit $st, $arts artifact(s) in $OUT/artifacts/$n"
		found=1
	fi
	echo "| $n | $SECS | ${execs:-?} | ${cov:-?} | ${ft:-?} | $files, $kb | $what |"
done
exit $found
